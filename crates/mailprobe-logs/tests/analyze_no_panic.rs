//! Property tests: every log parser, fed any bytes line by line (and format detection on any
//! head), never panics, returns only sessions with bounded events, and keeps its open sessions
//! bounded. Arbitrary bytes, and "log soup" made of the prefixes, keywords and fields each
//! format's parser looks for, in any order.

use mailprobe_logs::analyze::{self, LogFormat, LogSession};
use mailprobe_logs::paste::MAX_EVENTS;
use proptest::prelude::*;

/// Pieces the log parsers react to; their soups reach the parsers' branches in odd orders.
const FRAGMENTS: &[&str] = &[
    "Nov 24 10:00:00 mx postfix/smtpd[1]: ",
    "Nov 24 10:00:00 mx postfix/submission/smtpd[2]: ",
    "Nov 24 10:00:00 mx postfix/smtp[3]: ",
    "connect from a[192.0.2.1]",
    "disconnect from a[192.0.2.1] ehlo=1 auth=0/1 mail=1 rcpt=0/1 starttls=1 commands=2/4",
    "lost connection after AUTH from a[192.0.2.1]",
    "warning: a[192.0.2.1]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=x",
    "NOQUEUE: reject: RCPT from a[192.0.2.1]: 554 5.7.1 <x@y>: Relay access denied; from=<a> to=<b> proto=ESMTP helo=<h>",
    "Anonymous TLS connection established from a[192.0.2.1]: TLSv1.3 with cipher X",
    "improper command pipelining after CONNECT from a[192.0.2.1]: \\026\\003\\001",
    "status=bounced (host h[1.2.3.4] said: 535 5.7.139 x (in reply to AUTH command))",
    "2026-11-24 10:00:00 ",
    "2026-11-24 10:00:00 [1234] ",
    "SMTP connection from [192.0.2.1]:5000 I=[10.0.0.1]:587",
    "login authenticator failed for (h) [192.0.2.1]: 535 Incorrect authentication data (set_id=u)",
    "SMTP connection from (h) [192.0.2.1] lost",
    "sendmail[123]: ",
    "Nov 24 10:00:00 mx smtpd[4101]: ",
    "7a3b1c2d4e5f6a7b smtp connected address=192.0.2.7 host=client.example",
    "7a3b1c2d4e5f6a7b smtp authentication user=alice result=permfail",
    "7a3b1c2d4e5f6a7b smtp failed-command command=\"RCPT TO:<x@elsewhere.example>\" result=\"550 Invalid recipient: <x@elsewhere.example>\"",
    "7a3b1c2d4e5f6a7b smtp message msgid=0badcafe size=1 nrcpt=1 proto=ESMTP",
    "7a3b1c2d4e5f6a7b smtp envelope evpid=0badcafe00000001 from=<a@b> to=<c@d>",
    "7a3b1c2d4e5f6a7b smtp disconnected reason=\"io-error: handshake failed: wrong version number\"",
    "0000000000000000 mta delivery evpid=1 from=<a@b> to=<c@d> result=\"TempFail\" stat=\"AUTH rejected: 535 x\"",
    "7a3b1c2d4e5f6a7b mta connecting address=smtp+tls://[2001:db8::1]:25 host=mx.example",
    "AUTH failure (LOGIN): authentication failure (-13) SASL(-13)",
    "relay=a [192.0.2.1]",
    "2026-11-24T09:05:12.080Z,EX01\\Client Frontend EX01,08DD,",
    "10.0.0.5:587,198.51.100.20:60211,",
    "+,,\n",
    "-,,Remote\n",
    "<,EHLO x,\n",
    ">,535 5.7.3 Authentication unsuccessful,\n",
    "#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context",
    "=== Trying 127.0.0.1:25...",
    "=== Connected to",
    " -> AUTH PLAIN AGFAYgBj",
    "<~  535 5.7.8 x",
    "CONNECTED(00000003)",
    "New, TLSv1.3, Cipher is X",
    "*   Trying 127.0.0.1:25...",
    "* Connected to h (1.2.3.4) port 25",
    "* TLSv1.3 (IN), TLS handshake, Finished (20):",
    "< 220 x",
    "> EHLO x",
    "ignoring system configuration file",
    "host=h tls=on auth=on user=u smtpstatus=535 smtpmsg='535 x' errormsg='authentication failed (method PLAIN)' exitcode=EX_NOPERM",
    "msmtp: server message: 535 x",
    "connect: ('127.0.0.1', 25)",
    "send: 'AUTH PLAIN AGFAYgBj\\r\\n'",
    "reply: b'535 x\\r\\n'",
    "reply: retcode (535); Msg: b'x'",
    "Connection: opening to h:587",
    "CLIENT -> SERVER: EHLO x",
    "SERVER -> CLIENT: 535 x",
    "[2026-11-24 10:00:00] DEBUG [abc] ",
    "[2026-11-24 10:00:00] INFO  [abc] ",
    "Sending mail using SMTP",
    "C: AUTH PLAIN AGFAYgBj",
    "S: 535 x",
    "DEBUG SMTP: trying to connect to host \"h\", port 587, isSSL false",
    "DEBUG SMTP: ",
    "2026.11.24 09:12:05 SMTP (h): Begin execution",
    "2026.11.24 09:12:05 IMAP (h): Begin execution",
    "[tx] AUTH LOGIN",
    "[rx] 334 VXNlcm5hbWU6",
    "hr=0x800CCC90",
    "Outlook[1:2] SMTP: Connecting to h:587",
    "Outlook[1:2] SMTP: <- 334 eyJ9",
    "Expected 235, actual 334",
    "\"",
    ",",
    "[",
    "]",
    "(",
    ")",
    "=",
    "'",
    ": ",
    " ",
    "\n",
    "\r\n",
    "\u{fffd}",
    "é",
];

fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..12),
            1 => (0u32..100_000).prop_map(|n| n.to_string().into_bytes()),
        ],
        0..120,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Reads `bytes` as `format` line by line, as `mailprobe analyze` does.
fn read(format: LogFormat, bytes: &[u8]) -> Vec<LogSession> {
    let mut parser = analyze::parser_for(format);
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        parser.line(i as u64 + 1, line, &mut out);
    }
    parser.finish(&mut out);
    out
}

fn check(bytes: &[u8]) {
    let _ = analyze::detect(bytes);
    for format in LogFormat::ALL {
        for session in read(format, bytes) {
            assert!(session.transcript.events.len() <= MAX_EVENTS, "{format:?}");
            // the steps and the failed step are what the report shows: they must not panic either
            let _ = session.failed_step();
            let _ = session.context(None);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes);
    }

    #[test]
    fn log_soup_never_panics(bytes in soup()) {
        check(&bytes);
    }
}

/// The server parsers keep only a bounded number of sessions open: a log of connections that
/// never disconnect flushes the oldest as incomplete instead of growing.
#[test]
fn unending_connections_are_flushed_not_kept() {
    let mut parser = analyze::parser_for(LogFormat::Postfix);
    let mut out = Vec::new();
    let n = 200_000u64;
    for pid in 0..n {
        let line = format!("Nov 24 10:00:00 mx postfix/smtpd[{pid}]: connect from a[192.0.2.1]");
        parser.line(pid + 1, line.as_bytes(), &mut out);
    }
    let flushed_before_end = out.len() as u64;
    parser.finish(&mut out);
    assert!(flushed_before_end > 0, "no open session was ever flushed");
    assert_eq!(out.len() as u64, n, "every connection still becomes a session");
    assert!(out.iter().all(|s| s.meta.incomplete));
}

/// One connection that never stops (a client retrying on the same session) stays bounded.
#[test]
fn a_runaway_session_stays_bounded() {
    let mut parser = analyze::parser_for(LogFormat::Postfix);
    let mut out = Vec::new();
    parser.line(1, b"Nov 24 10:00:00 mx postfix/smtpd[7]: connect from a[192.0.2.1]", &mut out);
    for i in 0..50_000u64 {
        let line = format!(
            "Nov 24 10:00:01 mx postfix/smtpd[7]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 554 5.7.1 <x{i}@y>: Relay access denied; from=<a@b> to=<x{i}@y> proto=ESMTP helo=<h>"
        );
        parser.line(i + 2, line.as_bytes(), &mut out);
    }
    parser.finish(&mut out);
    assert_eq!(out.len(), 1);
    assert!(out[0].transcript.events.len() <= MAX_EVENTS, "{}", out[0].transcript.events.len());
}
