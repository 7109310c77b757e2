# testenv/exim.sh — a second MTA family, Exim 4, sourced by scripts/testenv.
#
# Runs, on 127.0.0.1 only, beside (and independent of) the core Postfix + Dovecot:
#   - EXIM_SMTP: Exim's daemon, plain + STARTTLS; AUTH PLAIN LOGIN advertised only after
#     STARTTLS (Debian's default, auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}});
#     alice (USER/PASSWORD) and bob (USER2/PASSWORD2) log in; unauthenticated clients may send
#     to example.test only ("550 relay not permitted" otherwise, Exim's default wording)
#   - EXIM_SMTPS: the same daemon, implicit TLS (tls_on_connect_ports)
#   - its certificate EXIM_CERT is self-signed the way people make one by hand
#     (openssl req -x509 -newkey rsa:2048 -nodes ..., OpenSSL 3 defaults): so it carries
#     basicConstraints=critical,CA:TRUE; tests pass it as --ca-file
#   - every message is discarded (redirect router to :blackhole:); no DNS (host_lookup,
#     rfc1413_hosts, helo_lookup_domains empty; no dnslookup router); main log EXIM_LOG
#
# Exim is NOT installed as a Debian package (it conflicts with postfix, which stays the
# system's MTA): `install` fetches exim4-daemon-light, exim4-base and exim4-config with
# `apt-get download` and unpacks them with `dpkg -x` into $EXIM_ROOT (/opt/mailprobe-exim).
# The shared libraries they depend on that are missing (libidn12 on a plain bookworm) are
# `apt-get install`ed: plain library packages, no conflict with anything. (Unpacking them
# privately with LD_LIBRARY_PATH does not work: exim re-executes itself with an emptied
# environment, e.g. `exim -oPX` to remove its pid file on SIGTERM, and that child then died
# with "libidn.so.12: cannot open shared object file".) The other system change is the user
# Debian-exim, made exactly as exim4-base's postinst makes it: Debian's exim looks it up
# (compiled-in EXIM_USER) before it even reads its configuration.
#
# The configuration file is DIR/exim/exim.conf, given with -C. Debian's build has
# TRUSTED_CONFIG_LIST=/etc/exim4/trusted_configs and no ALT_CONFIG_PREFIX: any path is
# accepted, and a caller that is root keeps root privilege with -C (the daemon binds, then
# runs as Debian-exim). What does NOT work with -C outside the trusted list is the usual
# re-exec of exim by the receiving process (running as Debian-exim) to regain root for a
# delivery: privilege is lost (spec, "-C"). deliver_drop_privilege = true makes the receiving
# process deliver itself, as Debian-exim, which :blackhole: allows. Nothing is written to
# /etc/exim4 (/etc/exim4/trusted_configs would be the other way).
#
# Replies seen by hand (Exim 4.96-15+deb12u11, bookworm; swaks 20201014.0, OpenSSL 3.0), facts
# tests can rely on (<date>, <helo>, ids and ports vary):
#
# 1. swaks --server 127.0.0.1 --port $EXIM_SMTP --tls --auth-user alice@example.test \
#          --auth-password Canary-Alice-7f3e9b2d --to bob@example.test --from alice@example.test
#   (exit 0)
#   <-  220 mail.example.test ESMTP Exim 4.96 Mon, 07 Dec 2026 02:52:46 +0000
#    -> EHLO vm
#   <-  250-mail.example.test Hello vm [127.0.0.1]
#   <-  250-SIZE 52428800
#   <-  250-8BITMIME
#   <-  250-PIPELINING
#   <-  250-PIPECONNECT
#   <-  250-CHUNKING
#   <-  250-STARTTLS
#   <-  250-SMTPUTF8
#   <-  250 HELP
#    -> STARTTLS
#   <-  220 TLS go ahead
#   === TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256
#   === TLS peer DN="/CN=mail.example.test"
#    ~> EHLO vm
#   <~  250-mail.example.test Hello vm [127.0.0.1]
#   <~  250-SIZE 52428800
#   <~  250-8BITMIME
#   <~  250-PIPELINING
#   <~  250-PIPECONNECT
#   <~  250-AUTH PLAIN LOGIN
#   <~  250-CHUNKING
#   <~  250-SMTPUTF8
#   <~  250 HELP
#    ~> AUTH LOGIN
#   <~  334 VXNlcm5hbWU6
#    ~> YWxpY2VAZXhhbXBsZS50ZXN0
#   <~  334 UGFzc3dvcmQ6
#    ~> Q2FuYXJ5LUFsaWNlLTdmM2U5YjJk
#   <~  235 Authentication succeeded
#    ~> MAIL FROM:<alice@example.test>
#   <~  250 OK
#    ~> RCPT TO:<bob@example.test>
#   <~  250 Accepted
#    ~> DATA
#   <~  354 Enter message, ending with "." on a line by itself
#   <~  250 OK id=1xaOqM-0008B5-1C
#    ~> QUIT
#   <~  221 mail.example.test closing connection
#   EXIM_LOG then has:
#   ... [31439] 1xaOqM-0008B5-1C <= alice@example.test H=(vm) [127.0.0.1]:39082 I=[127.0.0.1]:31125 P=esmtpsa X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=no A=LOGIN:alice@example.test S=515 id=20261207025246.031438@vm
#   ... [31440] 1xaOqM-0008B5-1C => :blackhole: <bob@example.test> R=discard
#   ... [31440] 1xaOqM-0008B5-1C Completed
#
# 2. Without --tls the EHLO is the first one above: STARTTLS, no AUTH; swaks --auth-user ...
#   without --tls stops with "*** Host did not advertise authentication". AUTH sent anyway:
#   503 AUTH command used when not advertised
#   (log: SMTP protocol error in "AUTH PLAIN ..." H=(probe) [127.0.0.1]:44628 I=[127.0.0.1]:31125 AUTH command used when not advertised)
#   A wrong password after STARTTLS: "<~* 535 Incorrect authentication data"
#   (log: PLAIN authenticator failed for (vm) [127.0.0.1]:39118 I=[127.0.0.1]:31125: 535 Incorrect authentication data (set_id=alice@example.test))
#
# 3. swaks --server 127.0.0.1 --port $EXIM_SMTP --to x@elsewhere.example --from alice@example.test
#   (exit 24)
#    -> MAIL FROM:<alice@example.test>
#   <-  250 OK
#    -> RCPT TO:<x@elsewhere.example>
#   <** 550 relay not permitted
#    -> QUIT
#   <-  221 mail.example.test closing connection
#   (log: H=(vm) [127.0.0.1]:39104 I=[127.0.0.1]:31125 F=<alice@example.test> rejected RCPT <x@elsewhere.example>: relay not permitted)
#   Unauthenticated to a local address (--to bob@example.test, any sender): 250 Accepted, delivered.
#
# 4. openssl s_client -connect 127.0.0.1:$EXIM_SMTPS -crlf  (then EHLO probe)
#   depth=0 CN = mail.example.test
#   verify error:num=18:self-signed certificate
#   ...
#   New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384
#   Verify return code: 18 (self-signed certificate)      [0 (ok) with -CAfile $EXIM_CERT]
#   220 mail.example.test ESMTP Exim 4.96 Mon, 07 Dec 2026 02:52:52 +0000
#   250-mail.example.test Hello probe [127.0.0.1]
#   250-SIZE 52428800
#   250-8BITMIME
#   250-PIPELINING
#   250-PIPECONNECT
#   250-AUTH PLAIN LOGIN
#   250-CHUNKING
#   250-SMTPUTF8
#   250 HELP
#
# Why there is no OpenSMTPD beside it: bookworm's opensmtpd 6.8.0p2-4+b4 can be unpacked and
# run the same way (dpkg -x; users opensmtpd/opensmtpq; its spool, control socket and helper
# paths are compiled in, so it needs a private mount namespace: unshare -m with DIR bound over
# /var, /usr/libexec and /etc/resolv.conf), and plain SMTP works, but its TLS is broken with
# OpenSSL 3 (upstream issues OpenSMTPD#1171, #1239): every STARTTLS handshake fails with a
# "tlsv1 alert internal error" (alert 80) on the client, logged as
#   smtp disconnected reason="io-error: error:0A080006:SSL routines::EVP lib"      (TLS 1.3)
#   smtp disconnected reason="io-error: error:0A0C0103:SSL routines::internal error" (TLS 1.2)
# and it never advertises AUTH without TLS, so no STARTTLS + AUTH listener is possible.
#
# Uses from scripts/testenv: DIR, PORT_BASE, TLS_NAME, ALICE, ALICE_PW, BOB, BOB_PW, die, log,
# pid_alive, port_open, python.

EXIM_ROOT=${MAILPROBE_TESTENV_EXIM_ROOT:-/opt/mailprobe-exim}
EXIM_PACKAGES="exim4-daemon-light exim4-base exim4-config"
EXIM_USER=Debian-exim

# the env keys of this part: a change in them restarts only this part
EXIM_KEYS='^(EXIM_[A-Z_]+)='

exim_set_ports() {
    P_EXIM_SMTP=$((PORT_BASE + 125))
    P_EXIM_SMTPS=$((PORT_BASE + 165))
    P_EXIM_SMTP_OLDTLS=$((PORT_BASE + 126))
    EXIM_PORTS="$P_EXIM_SMTP $P_EXIM_SMTPS $P_EXIM_SMTP_OLDTLS"
}

exim_bin() { echo "$EXIM_ROOT/usr/sbin/exim4"; }

exim_have_all() {
    [ -f "$EXIM_ROOT/.mailprobe-unpacked" ] || return 1
    getent passwd "$EXIM_USER" >/dev/null || return 1
    "$(exim_bin)" -C /dev/null -bV >/dev/null 2>&1
}

# unpack_debs ROOT PACKAGE...: `apt-get download` the packages and `dpkg -x` them into ROOT
# (replaced whole, so a half-unpacked tree never counts as done): they are not installed and
# none of their maintainer scripts runs. The library packages (lib*) they depend on that are
# not installed are `apt-get install`ed, so that the binaries run without LD_LIBRARY_PATH.
unpack_debs() {
    local root=$1; shift
    [ "$(id -u)" = 0 ] || die "unpacking $* into $root needs root"
    local tmp f lib libs= st
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailprobe-debs.XXXXXX")
    chmod 0755 "$tmp"
    chown _apt "$tmp" 2>/dev/null || true   # apt-get download runs as _apt where it can
    if ! (cd "$tmp" && apt-get -o DPkg::Lock::Timeout=300 download "$@" >&2); then
        apt-get -o DPkg::Lock::Timeout=300 update >&2
        (cd "$tmp" && apt-get -o DPkg::Lock::Timeout=300 download "$@" >&2) \
            || { rm -rf "$tmp"; die "apt-get download $* failed"; }
    fi
    for f in "$tmp"/*.deb; do
        for lib in $(dpkg-deb -f "$f" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/[[:space:]]//g' \
                     | grep -E '^lib'); do
            st=$(dpkg-query -W -f='${db:Status-Status}' "$lib" 2>/dev/null) || st=
            [ "$st" = installed ] || libs="$libs $lib"
        done
    done
    if [ -n "$libs" ]; then
        log "installing the libraries that $* need:$libs"
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y \
            --no-install-recommends $libs >&2 || { rm -rf "$tmp"; die "apt-get install$libs failed"; }
    fi
    rm -rf "$root.new"
    mkdir -p "$root.new"
    for f in "$tmp"/*.deb; do
        dpkg -x "$f" "$root.new" || { rm -rf "$tmp" "$root.new"; die "dpkg -x $f failed"; }
    done
    for f in "$tmp"/*.deb; do dpkg-deb -W --showformat='${Package} ${Version}\n' "$f"; done \
        >"$root.new/.mailprobe-unpacked"
    rm -rf "$tmp" "$root"
    mv "$root.new" "$root"
}

exim_install() {
    if [ ! -f "$EXIM_ROOT/.mailprobe-unpacked" ]; then
        log "unpacking Exim ($EXIM_PACKAGES) into $EXIM_ROOT (dpkg -x; not installed)"
        # shellcheck disable=SC2086
        unpack_debs "$EXIM_ROOT" $EXIM_PACKAGES
    fi
    if ! getent passwd "$EXIM_USER" >/dev/null; then
        [ "$(id -u)" = 0 ] || die "adding the user $EXIM_USER needs root"
        # as exim4-base's postinst does
        adduser --system --group --quiet --home /var/spool/exim4 --no-create-home \
            --disabled-login --force-badname "$EXIM_USER" >&2
    fi
    if ! exim_have_all; then
        ldd "$(exim_bin)" >&2 || true
        "$(exim_bin)" -C /dev/null -bV >&2 || true
        die "Exim is unpacked in $EXIM_ROOT but does not run"
    fi
}

exim_pid() {
    local f=$DIR/exim/exim.pid p
    [ -f "$f" ] || return 1
    p=$(tr -dc '0-9' <"$f")
    pid_alive "$p" || return 1
    # only ever the daemon of this DIR, should the pid have been reused
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "-C $DIR/exim/exim.conf " || return 1
    echo "$p"
}

# alive and not a zombie: a daemon that exited stays one until init reaps it (here ~1.5 s)
exim_running() {
    pid_alive "$1" || return 1
    [ "$(sed 's/^.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

exim_stop() {
    local p i
    if p=$(exim_pid); then
        kill -TERM "$p" 2>/dev/null || true
        for i in $(seq 1 100); do exim_running "$p" || break; sleep 0.1; done
        if exim_running "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
    fi
    rm -f "$DIR/exim/exim.pid"
    return 0
}

exim_make_config() {
    local e=$DIR/exim
    cat >"$e/exim.conf" <<EOF
# generated by testenv/exim.sh
primary_hostname = $TLS_NAME
qualify_domain = example.test
domainlist local_domains = example.test
exim_path = $(exim_bin)
spool_directory = $e/spool
log_file_path = $e/log/%slog
pid_file_path = $e/exim.pid
keep_environment =

# 127.0.0.1 only
local_interfaces = <; 127.0.0.1.$P_EXIM_SMTP ; 127.0.0.1.$P_EXIM_SMTPS ; 127.0.0.1.$P_EXIM_SMTP_OLDTLS
tls_on_connect_ports = $P_EXIM_SMTPS
disable_ipv6 = true

# no DNS, no ident
host_lookup =
rfc1413_hosts =
helo_lookup_domains =

# deliver in the receiving process, as $EXIM_USER (see testenv/exim.sh on -C)
deliver_drop_privilege = true
smtp_accept_queue_per_connection = 0
smtp_accept_max = 100

tls_advertise_hosts = *
tls_certificate = $e/cert.pem
tls_privatekey = $e/cert.key
# EXIM_SMTP_OLDTLS: a server TLS set-up that no current client can use (TLS 1.2 at most, static
# RSA key exchange only, as old appliances and hand-tuned servers have): it offers STARTTLS,
# answers 220, then ends every modern handshake with a handshake_failure alert.
tls_require_ciphers = \${if =={\$received_port}{$P_EXIM_SMTP_OLDTLS}{NORMAL:-VERS-TLS1.3:-KX-ALL:+RSA}{NORMAL}}
# Debian's default: AUTH only over TLS
auth_advertise_hosts = \${if eq{\$tls_in_cipher}{}{}{*}}

acl_smtp_rcpt = acl_check_rcpt
log_selector = +smtp_connection +smtp_protocol_error +smtp_syntax_error \\
  +smtp_incomplete_transaction +smtp_no_mail +tls_peerdn +incoming_port +incoming_interface +pid

begin acl

acl_check_rcpt:
  accept  authenticated = *
  require message = relay not permitted
          domains = +local_domains
  accept

begin routers

discard:
  driver = redirect
  data = :blackhole:

begin transports

begin authenticators

PLAIN:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if or{{and{{eq{\$auth2}{$ALICE}}{eq{\$auth3}{$ALICE_PW}}}}{and{{eq{\$auth2}{$BOB}}{eq{\$auth3}{$BOB_PW}}}}}}
  server_set_id = \$auth2

LOGIN:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_condition = \${if or{{and{{eq{\$auth1}{$ALICE}}{eq{\$auth2}{$ALICE_PW}}}}{and{{eq{\$auth1}{$BOB}}{eq{\$auth2}{$BOB_PW}}}}}}
  server_set_id = \$auth1
EOF
}

# Every listener answers: a 220 banner on EXIM_SMTP, a TLS handshake verified against EXIM_CERT
# (name $TLS_NAME) and then a 220 banner on EXIM_SMTPS. $1 = deadline (seconds since epoch).
exim_wait_ready() {
    python - "$1" "$P_EXIM_SMTP" "$P_EXIM_SMTPS" "$DIR/exim/cert.pem" "$TLS_NAME" <<'PY'
import socket, ssl, sys, time
deadline = float(sys.argv[1]); smtp, smtps = int(sys.argv[2]), int(sys.argv[3])
ctx = ssl.create_default_context(cafile=sys.argv[4]); name = sys.argv[5]

def readline(s):
    buf = b""
    while not buf.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            raise OSError("connection closed")
        buf += c
    return buf.decode("utf-8", "replace").rstrip("\r\n")

def banner(port, tls):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    if tls:
        s = ctx.wrap_socket(s, server_hostname=name)
    with s:
        line = readline(s)
        if not line.startswith("220 "):
            raise OSError("banner %r" % line)
        s.sendall(b"QUIT\r\n")

checks = {"exim smtp %d" % smtp: lambda: banner(smtp, False),
          "exim smtps %d" % smtps: lambda: banner(smtps, True)}
last = {}
while True:
    for label, fn in list(checks.items()):
        try:
            fn()
            del checks[label]
        except Exception as e:  # noqa
            last[label] = e
    if not checks:
        sys.exit(0)
    if time.time() > deadline:
        for label in checks:
            print("not ready: %s: %s" % (label, last.get(label)), file=sys.stderr)
        sys.exit(1)
    time.sleep(0.1)
PY
}

exim_healthy() {
    [ -f "$DIR/env" ] && [ "$(exim_env_lines)" = "$(grep -E "$EXIM_KEYS" "$DIR/env")" ] || return 1
    exim_pid >/dev/null || return 1
    exim_wait_ready "$(( $(date +%s) + 3 ))" 2>/dev/null
}

exim_dump_logs() {
    local f
    for f in "$DIR/exim/log/mainlog" "$DIR/exim/log/paniclog" "$DIR/exim/daemon.out"; do
        [ -s "$f" ] || continue
        echo "----- $f (last 40 lines) -----" >&2
        tail -n 40 "$f" >&2
    done
}

# (Re)starts Exim with a fresh certificate, spool and log. $1 = deadline.
exim_start() {
    local deadline=$1 e=$DIR/exim p
    exim_stop
    for p in $EXIM_PORTS; do
        port_open "$p" && die "port 127.0.0.1:$p is already in use (set MAILPROBE_TESTENV_PORT_BASE)"
    done
    rm -rf "$e"
    mkdir -p "$e/spool" "$e/log"
    chown "$EXIM_USER:$EXIM_USER" "$e/spool" "$e/log"
    chmod 0750 "$e/spool"
    # exactly as people make a certificate by hand: OpenSSL 3 makes it a CA (CA:TRUE)
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$TLS_NAME" \
        -addext "subjectAltName=DNS:$TLS_NAME" -keyout "$e/cert.key" -out "$e/cert.pem" 2>/dev/null \
        || die "cannot make Exim's certificate"
    chmod 0644 "$e/cert.pem"
    chgrp "$EXIM_USER" "$e/cert.key"; chmod 0640 "$e/cert.key"   # read after dropping root
    exim_make_config
    # stdio detached and the lock fd closed, like the other daemons; it forks into background
    if ! "$(exim_bin)" -C "$e/exim.conf" -bd -oP "$e/exim.pid" </dev/null >>"$e/daemon.out" 2>&1 9>&-; then
        exim_dump_logs; die "Exim failed to start"
    fi
    if ! exim_wait_ready "$deadline"; then
        exim_dump_logs; exim_stop; die "Exim did not become ready"
    fi
}

exim_env_lines() {
    local kv=(
        "EXIM_SMTP=$P_EXIM_SMTP"
        "EXIM_SMTPS=$P_EXIM_SMTPS"
        "EXIM_SMTP_OLDTLS=$P_EXIM_SMTP_OLDTLS"
        "EXIM_CERT=$DIR/exim/cert.pem"
        "EXIM_LOG=$DIR/exim/log/mainlog"
        # a changed configuration or package makes this part restart
        "EXIM_DIGEST=$(cat "${BASH_SOURCE[0]}" "$EXIM_ROOT/.mailprobe-unpacked" 2>/dev/null | sha256sum | cut -c1-16)"
    )
    printf '%s\n' "${kv[@]}"
}
