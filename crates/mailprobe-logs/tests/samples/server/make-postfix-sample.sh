#!/usr/bin/env bash
# Regenerates postfix.log: real clients (swaks, openssl s_client) against the test Postfix of
# scripts/testenv, and the lines Postfix itself logged about them.
#
#   crates/mailprobe-logs/tests/samples/server/make-postfix-sample.sh ENV_FILE
#
# ENV_FILE is what `scripts/testenv start` printed. Only 127.0.0.1 is contacted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck disable=SC1090
. "$1"
log=$POSTFIX_LOG
start=$(stat -c %s "$log")
q() { swaks --server "$HOST" --timeout 10 --to bob@example.test --from "$USER" "$@" >/dev/null 2>&1 || true; }

# 1 good login over STARTTLS, one message
q --port "$SMTP_STARTTLS" --tls --auth PLAIN --auth-user "$USER" --auth-password "$PASSWORD"
# 2 wrong password over STARTTLS (535 5.7.8)
q --port "$SMTP_STARTTLS" --tls --auth PLAIN --auth-user "$USER" --auth-password wrong-password
# 3 wrong password with LOGIN over implicit TLS
q --port "$SMTP_IMPLICIT" --tlsc --auth LOGIN --auth-user "$USER" --auth-password wrong-password
# 4 no login, outside recipient: relay denied (554 5.7.1)
swaks --server "$HOST" --port "$SMTP_STARTTLS" --tls --timeout 10 --from printer@example.test \
    --to someone@outside.example >/dev/null 2>&1 || true
# 5 MAIL before STARTTLS where TLS is required (530 5.7.0)
q --port "$SMTP_REQUIRETLS"
# 6 sender not owned by the login (553 5.7.1)
q --port "$SMTP_SENDERCHECK" --tls --auth PLAIN --auth-user "$USER" --auth-password "$PASSWORD" \
    --from ceo@example.test
# 7 implicit TLS spoken to the STARTTLS port (the server sees a TLS ClientHello as a command)
q --port "$SMTP_STARTTLS" --tlsc
# 8 STARTTLS, then the client hangs up without a word
(sleep 1; printf 'EHLO sampler\r\n'; sleep 1) |
    timeout 10 openssl s_client -starttls smtp -connect "$HOST:$SMTP_STARTTLS" -CAfile "$CA_FILE" \
        -crlf -quiet >/dev/null 2>&1 || true
# 9 a client that stops after its AUTH was refused, without QUIT
(sleep 1; printf 'EHLO sampler\r\n'; sleep 0.5; printf 'AUTH PLAIN %s\r\n' \
    "$(printf '\0%s\0%s' "$USER" not-the-password | base64 -w0)"; sleep 3) |
    timeout 15 openssl s_client -starttls smtp -connect "$HOST:$SMTP_STARTTLS" -CAfile "$CA_FILE" \
        -crlf -quiet >/dev/null 2>&1 || true
# 10 a plain-text connection that sends nothing but QUIT
(sleep 0.5; printf 'QUIT\r\n'; sleep 0.5) | timeout 5 openssl s_client -connect "$HOST:$SMTP_NOTLS" \
    >/dev/null 2>&1 || true
q --port "$SMTP_NOTLS" --quit-after EHLO

sleep 2 # Postfix writes the disconnect lines a moment after the clients leave
{
    echo "# Postfix $(postconf -d mail_version 2>/dev/null | sed 's/.*= //') log of make-postfix-sample.sh"
    tail -c +"$((start + 1))" "$log" | grep -v '/postfix-script\[\|/master\[' || true
} >"$here/postfix.log"
grep -c . "$here/postfix.log"
