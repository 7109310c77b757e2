#!/usr/bin/env bash
# Regenerates the client samples: real programs talking to the test Postfix of scripts/testenv.
#
#   crates/mailprobe-logs/tests/samples/client/make-samples.sh ENV_FILE
#
# ENV_FILE is what `scripts/testenv start` printed. Needs swaks, openssl, curl, python3, msmtp,
# php-cli + libphp-phpmailer, node + nodemailer (npm, installed into a temp dir), java +
# libjakarta-mail-java. Only 127.0.0.1 is contacted. The wrong passwords are canaries the parsers
# must redact (plain and base64): Canary-Wrong-<program>.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC1090
. "$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
to=bob@example.test
msg=$tmp/msg.eml
printf 'From: %s\r\nTo: %s\r\nSubject: mailprobe sample\r\n\r\nhello\r\n' "$USER" "$to" >"$msg"
run() { local out=$1; shift; "$@" >"$here/$out" 2>&1 || true; }

# swaks
run swaks-ok.log swaks --server "$HOST" --port "$SMTP_STARTTLS" --tls --tls-ca-path "$CA_FILE" \
    --auth PLAIN --auth-user "$USER" --auth-password "$PASSWORD" --from "$USER" --to "$to"
run swaks-wrong-password.log swaks --server "$HOST" --port "$SMTP_STARTTLS" --tls --tls-ca-path "$CA_FILE" \
    --auth LOGIN --auth-user "$USER" --auth-password Canary-Wrong-swaks --from "$USER" --to "$to"
run swaks-relay-denied.log swaks --server "$HOST" --port "$SMTP_STARTTLS" --tls --tls-ca-path "$CA_FILE" \
    --from printer@example.test --to someone@outside.example
run swaks-tls-on-starttls-port.log swaks --server "$HOST" --port "$SMTP_STARTTLS" --tlsc --timeout 5 \
    --from "$USER" --to "$to"

# openssl s_client, typing an AUTH PLAIN with a wrong password
plain=$(printf '\0%s\0%s' "$USER" Canary-Wrong-openssl | base64 -w0)
(sleep 1; printf 'EHLO sampler\r\n'; sleep 0.5; printf 'AUTH PLAIN %s\r\n' "$plain"; sleep 3; printf 'QUIT\r\n'; sleep 0.5) |
    timeout 20 openssl s_client -starttls smtp -connect "$HOST:$SMTP_STARTTLS" -CAfile "$CA_FILE" -crlf -ign_eof \
    >"$here/openssl-starttls-wrong-password.log" 2>&1 || true

# curl -v
run curl-wrong-password.log curl -v --max-time 20 --url "smtp://$HOST:$SMTP_STARTTLS" --ssl-reqd --cacert "$CA_FILE" \
    --mail-from "$USER" --mail-rcpt "$to" --user "$USER:Canary-Wrong-curl" -T "$msg"
# Straight after the wrong password, Dovecot's auth service was still holding back (its
# failure penalty) and Postfix answered 454 4.7.0 "Connection lost to authentication server":
# that real run is kept as curl-auth-server-lost.log.
run curl-auth-server-lost.log curl -v --max-time 20 --url "smtp://$HOST:$SMTP_STARTTLS" --ssl-reqd --cacert "$CA_FILE" \
    --mail-from "$USER" --mail-rcpt "$to" --user "$USER:$PASSWORD" -T "$msg"

# Python smtplib
py() {
    python3 - "$@" <<'PY'
import smtplib, ssl, sys
host, port, ca, user, pw, level = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
s = smtplib.SMTP(host, port, timeout=20)
s.set_debuglevel(level)
s.starttls(context=ssl.create_default_context(cafile=ca))
s.login(user, pw)
s.sendmail(user, ["bob@example.test"], "Subject: mailprobe sample\r\n\r\nhello\r\n")
s.quit()
PY
}
run smtplib-debug1-wrong-password.log py "$HOST" "$SMTP_STARTTLS" "$CA_FILE" "$USER" Canary-Wrong-smtplib 1
run smtplib-debug2-ok.log py "$HOST" "$SMTP_STARTTLS" "$CA_FILE" "$USER" "$PASSWORD" 2

# msmtp: --debug output, and its log file
cat >"$tmp/msmtprc" <<RC
defaults
tls on
tls_starttls on
tls_trust_file $CA_FILE
logfile $tmp/msmtp.log
account sample
host $HOST
port $SMTP_STARTTLS
auth on
user $USER
from $USER
password Canary-Wrong-msmtp
account good : sample
password $PASSWORD
RC
chmod 600 "$tmp/msmtprc"
run msmtp-debug-wrong-password.log msmtp --debug -C "$tmp/msmtprc" -a sample "$to" <"$msg"
msmtp -C "$tmp/msmtprc" -a good "$to" <"$msg" >/dev/null 2>&1 || true
cp "$tmp/msmtp.log" "$here/msmtp-logfile.log"

# PHPMailer, SMTPDebug 2
cat >"$tmp/send.php" <<'PHP'
<?php
require '/usr/share/php/libphp-phpmailer/autoload.php';
use PHPMailer\PHPMailer\PHPMailer;
[$_, $host, $port, $ca, $user, $pw] = $argv;
$m = new PHPMailer(true);
$m->isSMTP(); $m->Host = $host; $m->Port = (int)$port; $m->SMTPAuth = true;
$m->Username = $user; $m->Password = $pw; $m->SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS;
$m->SMTPOptions = ['ssl' => ['cafile' => $ca, 'peer_name' => 'mail.example.test']];
$m->SMTPDebug = 2; $m->Debugoutput = 'echo'; $m->Timeout = 20;
$m->setFrom($user); $m->addAddress('bob@example.test'); $m->Subject = 'mailprobe sample'; $m->Body = 'hello';
try { $m->send(); } catch (Exception $e) { echo "Mailer Error: {$m->ErrorInfo}\n"; }
PHP
run phpmailer-debug2-wrong-password.log php "$tmp/send.php" "$HOST" "$SMTP_STARTTLS" "$CA_FILE" "$USER" Canary-Wrong-phpmailer

# nodemailer, logger + debug
(cd "$tmp" && npm init -y >/dev/null 2>&1 && npm install --silent nodemailer >/dev/null 2>&1)
cat >"$tmp/send.js" <<'JS'
const nodemailer = require('nodemailer');
const fs = require('fs');
const [host, port, ca, user, pass] = process.argv.slice(2);
const t = nodemailer.createTransport({ host, port: Number(port), secure: false, requireTLS: true,
  auth: { user, pass }, tls: { ca: fs.readFileSync(ca), servername: 'mail.example.test' },
  logger: true, debug: true, connectionTimeout: 20000 });
t.sendMail({ from: user, to: 'bob@example.test', subject: 'mailprobe sample', text: 'hello' })
  .then(() => t.close(), (e) => { console.error('Error: ' + e.message); t.close(); });
JS
run nodemailer-debug-wrong-password.log node "$tmp/send.js" "$HOST" "$SMTP_STARTTLS" "$CA_FILE" "$USER" Canary-Wrong-nodemailer

# Jakarta Mail, mail.debug=true
cat >"$tmp/Send.java" <<'JAVA'
import jakarta.mail.*;
import jakarta.mail.internet.*;
import java.util.Properties;
public class Send {
  public static void main(String[] a) throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", a[0]); p.put("mail.smtp.port", a[1]); p.put("mail.smtp.auth", "true");
    p.put("mail.smtp.starttls.enable", "true"); p.put("mail.smtp.ssl.trust", "*");
    p.put("mail.smtp.timeout", "20000"); p.put("mail.debug", "true");
    Session s = Session.getInstance(p);
    s.setDebugOut(System.out);
    MimeMessage m = new MimeMessage(s);
    m.setFrom(new InternetAddress(a[2])); m.setRecipients(Message.RecipientType.TO, "bob@example.test");
    m.setSubject("mailprobe sample"); m.setText("hello");
    try { Transport.send(m, a[2], a[3]); } catch (MessagingException e) { System.out.println("Exception: " + e); }
  }
}
JAVA
cp=/usr/share/java/jakarta-mail.jar:/usr/share/java/jakarta-activation.jar
run javamail-debug-wrong-password.log java -cp "$cp" "$tmp/Send.java" "$HOST" "$SMTP_STARTTLS" "$USER" Canary-Wrong-javamail

wc -c "$here"/*.log
