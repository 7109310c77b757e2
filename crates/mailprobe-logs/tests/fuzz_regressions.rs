//! Inputs the fuzz targets in `fuzz/` found wrong (issue 17), kept as tests: each fed as the
//! target fed it. The inputs are also in `fuzz/regressions/TARGET/`.

use mailprobe_logs::analyze::{self, LogFormat, LogSession, SessionParser};

fn read(mut parser: Box<dyn SessionParser>, log: &[u8]) -> Vec<LogSession> {
    let mut out = Vec::new();
    for (i, line) in log.split(|&b| b == b'\n').enumerate() {
        parser.line(i as u64 + 1, line, &mut out);
    }
    parser.finish(&mut out);
    out.iter_mut().for_each(LogSession::materialize);
    out
}

/// The `analyze` target's first find (`fuzz/regressions/analyze/crash-2ae664cd...`, minimized
/// to its first line here): a Postfix delivery line quoting a "reply" with three digits that
/// are no reply code (`said: 700`). The eager reader made no session of it; the deferring one,
/// which `analyze` uses, counted a session with no id and no events, because it deferred every
/// line quoting three digits, sure they would read as a reply. It now defers only lines that
/// do, and both readers agree.
#[test]
fn a_delivery_quoting_no_reply_code_makes_no_session_when_deferred() {
    let logs: [&[u8]; 3] = [
        b"v 9 /smtp[2]: status=bouncedsaid: 700",
        b"Nov 24 10:00:07 mx postfix/smtp[77]: 5B2C: to=<z@example.com>, relay=x[192.0.2.1]:25, delay=2, \
          dsn=5.0.0, status=bounced (host x[192.0.2.1] said: 700 odd (in reply to RCPT TO command))",
        b"Nov 24 10:00:07 mx postfix/smtp[77]: 5B2C: to=<z@example.com>, relay=x[192.0.2.1]:25, delay=2, \
          dsn=5.0.0, status=bounced (host x[192.0.2.1] said: 550x odd (in reply to RCPT TO command))",
    ];
    for log in logs {
        let eager = read(analyze::parser_for(LogFormat::Postfix), log);
        let deferred = read(analyze::deferring_parser_for(LogFormat::Postfix), log);
        let ids = |v: &[LogSession]| v.iter().map(|s| s.meta.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&deferred), ids(&eager), "{}", String::from_utf8_lossy(log));
        assert!(deferred.iter().all(|s| !s.meta.id.is_empty()), "a session with no id");
    }
    // a real reply is still deferred and read
    let log = b"Nov 24 10:00:07 mx postfix/smtp[77]: 5B2C: to=<z@example.com>, relay=x[192.0.2.1]:25, \
                delay=2, dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 no such user (in reply \
                to RCPT TO command))";
    let deferred = read(analyze::deferring_parser_for(LogFormat::Postfix), log);
    assert_eq!(deferred.len(), 1);
    assert_eq!(deferred[0].meta.id, read(analyze::parser_for(LogFormat::Postfix), log)[0].meta.id);
}
