//! Server logs read into sessions and diagnosed by the knowledge base, from samples: Postfix's
//! log of real clients against the test Postfix (tests/samples/server/make-postfix-sample.sh),
//! Exim, Sendmail and Exchange logs built from those programs' documented formats, and an
//! OpenSMTPD log built from the formats of its source's `log_info` calls (none of them can run
//! here next to Postfix; the samples say so in their first line).

mod samples;

use mailprobe_logs::analyze::{LogFormat, SessionParser, server::PostfixParser};
use samples::{Read, read, sample};

/// (failed stage, first finding) of every session, in order.
fn outcomes(r: &Read) -> Vec<(Option<String>, Option<String>)> {
    r.sessions.iter().map(|s| (s.failed.as_ref().map(|f| f.0.clone()), s.findings.first().cloned())).collect()
}

fn o(stage: Option<&str>, finding: Option<&str>) -> (Option<String>, Option<String>) {
    (stage.map(str::to_owned), finding.map(str::to_owned))
}

#[test]
fn postfix_sessions_of_real_clients() {
    let r = read(&sample("server/postfix.log"), None);
    assert_eq!(r.format, LogFormat::Postfix);
    assert_eq!(
        outcomes(&r),
        [
            o(None, None),                                      // good login, one message
            o(Some("auth"), Some("auth.credentials_rejected")), // wrong password, STARTTLS
            o(Some("auth"), Some("auth.credentials_rejected")), // wrong password, implicit TLS
            o(Some("rcpt_to"), Some("smtp.relay_denied")),      // no login, outside recipient
            o(Some("mail_from"), Some("tls.required_first")),   // MAIL before STARTTLS
            o(Some("rcpt_to"), Some("sender.not_owned")),       // sender not the login's
            o(None, None),                                      // TLS client on the STARTTLS port, gave up
            o(None, None),                                      // hung up after EHLO
            o(Some("auth"), Some("auth.credentials_rejected")), // refused, left without QUIT
            o(Some("tls"), Some("tls.mode_mismatch")),          // ClientHello on a plain port
            o(None, None),                                      // EHLO, QUIT
        ]
    );
    let s = &r.sessions;
    assert!(s.iter().all(|s| s.client_ip.as_deref() == Some("127.0.0.1") && !s.incomplete));
    assert_eq!(s[0].user.as_deref(), Some("alice@example.test"));
    assert_eq!(s[1].user.as_deref(), Some("alice@example.test"));
    // the implicit-TLS session starts with TLS; the STARTTLS one with EHLO
    assert!(s[2].dialogue.starts_with("   tls: TlsEstablished"), "{}", s[2].dialogue);
    assert!(s[1].dialogue.starts_with("C: EHLO"), "{}", s[1].dialogue);
    assert!(s[1].dialogue.contains("C: AUTH PLAIN <redacted: PLAIN user=alice@example.test>"));
    assert!(s[0].dialogue.contains("S: 250 2.0.0 Ok: queued as 67BA7A6200B"), "{}", s[0].dialogue);
    assert!(s[3].dialogue.contains("C: RCPT TO:<someone@outside.example>"), "{}", s[3].dialogue);
    // time: the LOGIN failure came 4 s after connect
    let auth = s[2].session.transcript.events.iter().find(|e| e.stage.as_str() == "auth").unwrap();
    assert_eq!(auth.at_ms, 4000);
}

#[test]
fn postfix_interleaved_sessions_pid_reuse_and_the_open_bound() {
    let log = b"\
Nov 24 10:00:00 mx postfix/smtpd[1]: connect from a.example[192.0.2.1]
Nov 24 10:00:00 mx postfix/smtpd[2]: connect from b.example[192.0.2.2]
Nov 24 10:00:01 mx postfix/smtpd[2]: warning: b.example[192.0.2.2]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=bob
Nov 24 10:00:01 mx postfix/qmgr[9]: 4F1A: removed
Nov 24 10:00:02 mx postfix/submission/smtpd[1]: NOQUEUE: reject: RCPT from a.example[192.0.2.1]: 550 5.1.1 <x@example.net>: Recipient address rejected: User unknown in local recipient table; from=<a@example.org> to=<x@example.net> proto=ESMTP helo=<a>
Nov 24 10:00:03 mx postfix/smtpd[2]: disconnect from b.example[192.0.2.2] ehlo=1 auth=0/1 commands=1/2
Nov 24 10:00:04 mx postfix/smtpd[1]: disconnect from a.example[192.0.2.1] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4
Nov 24 10:00:05 mx postfix/smtpd[1]: connect from c.example[192.0.2.3]
Nov 24 10:00:06 mx postfix/smtpd[3]: connect from d.example[192.0.2.4]
Nov 24 10:00:07 mx postfix/smtp[77]: 5B2C: to=<z@example.com>, relay=smtp.office365.com[52.97.1.1]:587, delay=2, delays=0/0/1/1, dsn=5.7.139, status=bounced (host smtp.office365.com[52.97.1.1] said: 535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. (in reply to AUTH command))
";
    let r = read(log, None);
    let by_ip = |ip: &str| r.sessions.iter().find(|s| s.client_ip.as_deref() == Some(ip)).unwrap();
    let b = by_ip("192.0.2.2");
    assert_eq!(b.user.as_deref(), Some("bob"));
    assert_eq!(b.findings[0], "auth.credentials_rejected");
    assert!(!b.dialogue.contains("UGFzc3dvcmQ6") || b.dialogue.contains("failed: UGFzc3dvcmQ6"));
    let a = by_ip("192.0.2.1");
    assert_eq!(a.failed.as_ref().unwrap().0, "rcpt_to");
    assert!(a.dialogue.contains("C: EHLO a"), "{}", a.dialogue);
    // pid 1 reused for c: a new session, open at the end
    let c = by_ip("192.0.2.3");
    assert!(c.incomplete && c.id != a.id);
    assert!(by_ip("192.0.2.4").incomplete);
    // Postfix as a client relaying through Microsoft 365: its own session
    let relay = r
        .sessions
        .iter()
        .find(|s| s.session.meta.server.as_deref() == Some("smtp.office365.com[52.97.1.1]:587"));
    let relay = relay.expect("the delivery failure is a session");
    assert_eq!(relay.failed.as_ref().unwrap().0, "auth");
    assert!(relay.findings.iter().any(|f| f.starts_with("auth.")), "{:?}", relay.findings);

    // a bound of 2 open sessions: the third connect flushes the oldest as incomplete
    let mut p = PostfixParser::with_limit(2);
    let mut out = Vec::new();
    for (n, pid) in [1, 2, 3].into_iter().enumerate() {
        let line = format!("Nov 24 10:00:0{n} mx postfix/smtpd[{pid}]: connect from h{pid}[192.0.2.{pid}]");
        p.line(n as u64 + 1, line.as_bytes(), &mut out);
    }
    assert_eq!(out.len(), 1);
    assert!(out[0].meta.incomplete);
    assert_eq!(out[0].meta.client_ip.unwrap().to_string(), "192.0.2.1");
    p.finish(&mut out);
    assert_eq!(out.len(), 3);
}

#[test]
fn exim_sessions_from_the_documented_format() {
    let r = read(&sample("server/exim-mainlog.log"), None);
    assert_eq!(r.format, LogFormat::Exim);
    assert_eq!(
        outcomes(&r),
        [
            o(Some("auth"), Some("auth.credentials_rejected")),
            o(None, None),
            o(Some("rcpt_to"), Some("smtp.relay_denied")),
            o(Some("tls"), Some("tls.mode_mismatch")),
            o(Some("tls"), Some("tls.mode_mismatch")),
        ]
    );
    assert_eq!(r.sessions[0].user.as_deref(), Some("scanner@example.it"));
    assert!(r.sessions[0].dialogue.contains("C: AUTH LOGIN <redacted: LOGIN user=scanner@example.it>"));
    assert_eq!(r.sessions[1].user.as_deref(), Some("app@example.it"));
    assert!(r.sessions[1].dialogue.contains("TLS1.3"), "{}", r.sessions[1].dialogue);
    assert_eq!(r.sessions[2].client_ip.as_deref(), Some("203.0.113.99"));
}

#[test]
fn sendmail_sessions_from_the_documented_format() {
    let mut r = read(&sample("server/sendmail-maillog.log"), None);
    // Sendmail logs no disconnect: the accepted session ends with the input, after the others
    r.sessions.sort_by_key(|s| s.session.meta.first_line);
    assert_eq!(r.format, LogFormat::Sendmail);
    assert_eq!(
        outcomes(&r),
        [
            o(Some("auth"), Some("auth.credentials_rejected")),
            o(None, None),
            o(Some("rcpt_to"), Some("smtp.relay_denied")),
            o(Some("tls"), Some("tls.mode_mismatch")),
        ]
    );
    assert_eq!(r.sessions[0].user.as_deref(), Some("scanner"));
    assert_eq!(r.sessions[1].user.as_deref(), Some("app"));
    assert_eq!(r.sessions[0].client_ip.as_deref(), Some("192.0.2.7"));
}

#[test]
fn exchange_sessions_from_the_documented_format() {
    let bytes = sample("server/exchange-receive.log");
    let r = read(&bytes, None);
    assert_eq!(r.format, LogFormat::ExchangeCsv);
    assert_eq!(outcomes(&r)[1], o(Some("auth"), Some("auth.credentials_rejected")));
    assert_eq!(r.sessions[0].failed.as_ref().unwrap().0, "tls");
    let s = &r.sessions[1];
    assert_eq!(s.client_ip.as_deref(), Some("198.51.100.20"));
    // the client's side: EHLO sent, the multi-line EHLO reply whole, the AUTH answers redacted
    assert!(s.dialogue.contains("C: EHLO app01"));
    assert!(
        s.dialogue.contains("S: 250 EX01.contoso.com Hello [198.51.100.20] / AUTH GSSAPI NTLM LOGIN"),
        "{}",
        s.dialogue
    );
    assert!(s.dialogue.contains("S: 535 5.7.3 Authentication unsuccessful"));
    for secret in ["Q2FuYXJ5LUV4Y2hhbmdlLTlhOGI=", "Canary-Exchange-9a8b"] {
        assert!(!format!("{:?}", s.session).contains(secret), "{secret} kept");
    }
    assert_eq!(s.session.transcript.endpoint.port, 587);
}

#[test]
fn detect_tells_the_server_formats_apart() {
    for (file, format) in [
        ("server/postfix.log", LogFormat::Postfix),
        ("server/exim-mainlog.log", LogFormat::Exim),
        ("server/sendmail-maillog.log", LogFormat::Sendmail),
        ("server/exchange-receive.log", LogFormat::ExchangeCsv),
        ("server/opensmtpd.log", LogFormat::Opensmtpd),
    ] {
        assert_eq!(mailprobe_logs::analyze::detect(&sample(file)), Some(format), "{file}");
    }
}

/// The deferring parser's sessions, once built, are the eager parser's, read whole or in
/// chunks of any size; and sessions it gives the same shape got the same findings from the
/// eager read.
#[test]
fn deferred_and_chunked_postfix_sessions_match_the_eager_ones() {
    use mailprobe_logs::analyze::{self, ChunkReader, LogSession, Stitcher};
    // the real sample, and failed deliveries of Postfix as a client (read at once or deferred)
    let mut bytes = sample("server/postfix.log");
    bytes.extend_from_slice(b"\
Nov 24 10:00:07 mx postfix/smtp[77]: 5B2C: to=<z@example.com>, relay=smtp.office365.com[52.97.1.1]:587, delay=2, delays=0/0/1/1, dsn=5.7.139, status=bounced (host smtp.office365.com[52.97.1.1] said: 535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. (in reply to AUTH command))
Nov 24 10:00:08 mx postfix/smtp[78]: 5B2D: to=<y@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.1]:25, delay=1, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[142.250.1.1] said: 550-5.7.1 [198.51.100.7] Our system has detected an unusual rate of 550-5.7.1 unsolicited mail. 550 5.7.1 More at https://support.google.com/mail/?p=UnsolicitedRateLimitError (in reply to end of DATA command))
Nov 24 10:00:09 mx postfix/smtp[79]: 5B2E: to=<x@example.org>, relay=none, delay=30, dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.9]:25: Connection timed out)
Nov 24 10:00:10 mx postfix/smtp[80]: 5B2F: to=<w@example.org>, relay=mx.example.org[192.0.2.9]:25, delay=3, dsn=4.4.2, status=deferred (lost connection with mx.example.org[192.0.2.9] while receiving the initial server greeting)
");
    let run = |mut parser: Box<dyn SessionParser>| {
        let mut out: Vec<LogSession> = Vec::new();
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            parser.line(i as u64 + 1, line, &mut out);
        }
        parser.finish(&mut out);
        out
    };
    let eager = run(analyze::parser_for(LogFormat::Postfix));
    let mut deferred = run(analyze::deferring_parser_for(LogFormat::Postfix));
    assert_eq!(eager.len(), 11 + 4, "11 smtpd sessions, 4 failed deliveries");
    // all but the two deliveries that quote no reply wait to be built
    assert_eq!(deferred.iter().filter(|s| s.is_deferred()).count(), 11 + 2);
    assert!(deferred.iter().filter(|s| s.is_deferred()).all(|s| s.transcript.events.is_empty()));
    let shapes: Vec<Option<u64>> = deferred.iter().map(|s| s.shape).collect();
    // before it is built, a deferred session tells its times and client as the built one has them
    for (e, d) in eager.iter().zip(&deferred) {
        assert_eq!(d.started(), e.meta.started.as_deref().map(str::as_bytes), "{}", e.meta.id);
        assert_eq!(d.ended(), e.meta.ended.as_deref().map(str::as_bytes), "{}", e.meta.id);
        assert_eq!(d.client_ip(), e.meta.client_ip, "{}", e.meta.id);
        assert_eq!(d.client().0.as_deref(), e.meta.client.as_deref(), "{}", e.meta.id);
    }
    deferred.iter_mut().for_each(LogSession::materialize);
    assert_eq!(eager.len(), deferred.len());
    for (e, d) in eager.iter().zip(&deferred) {
        assert_eq!(e.meta, d.meta);
        assert_eq!(e.transcript, d.transcript, "{}", e.meta.id);
    }
    // equal shapes, equal findings
    let findings = read(&bytes, None);
    for (i, a) in shapes.iter().enumerate() {
        for (j, b) in shapes.iter().enumerate() {
            if a.is_some() && a == b {
                assert_eq!(findings.sessions[i].findings, findings.sessions[j].findings);
            }
        }
    }
    assert!(
        shapes.iter().flatten().collect::<std::collections::HashSet<_>>().len() >= 10,
        "shapes tell sessions apart"
    );
    // chunks of every size, each read apart and stitched in order, are the whole
    let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let built = |mut s: LogSession| {
        s.materialize();
        s
    };
    let whole: Vec<LogSession> = deferred.iter().cloned().map(built).collect();
    let by_id = |mut v: Vec<LogSession>| {
        v.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        v
    };
    for size in 1..=lines.len() {
        let mut stitcher = Stitcher::new(LogFormat::Postfix).expect("Postfix logs split");
        let (mut sessions, mut stitched) = (Vec::new(), Vec::new());
        // one reader for every chunk, as a parsing thread uses it
        let mut reader = ChunkReader::new(LogFormat::Postfix).expect("Postfix logs split");
        for (c, chunk) in lines.chunks(size).enumerate() {
            for (i, line) in chunk.iter().enumerate() {
                reader.line((c * size + i) as u64 + 1, line, &mut sessions);
            }
            stitcher.stitch(reader.edges(), &mut stitched);
        }
        sessions.extend(stitched.into_iter().map(|(_, s)| s));
        stitcher.finish(&mut sessions);
        let sessions = by_id(sessions.into_iter().map(built).collect());
        let expected = by_id(whole.clone());
        assert_eq!(sessions.len(), expected.len(), "chunks of {size} lines");
        for (a, b) in sessions.iter().zip(&expected) {
            assert_eq!(a.meta, b.meta, "chunks of {size} lines");
            assert_eq!(a.transcript, b.transcript, "chunks of {size} lines");
            assert_eq!(a.shape, b.shape, "chunks of {size} lines: {}", a.meta.id);
        }
    }
}

#[test]
fn opensmtpd_sessions_from_its_source_formats() {
    let r = read(&sample("server/opensmtpd.log"), None);
    assert_eq!(r.format, LogFormat::Opensmtpd);
    assert_eq!(
        outcomes(&r),
        [
            o(Some("auth"), Some("auth.credentials_rejected")), // permfail, then its 535
            o(None, None),                                      // login, one message, two recipients
            o(Some("rcpt_to"), Some("smtp.relay_denied")),      // no login, outside recipient
            o(Some("tls"), Some("tls.mode_mismatch")),          // plain SMTP on the TLS port
            o(Some("rcpt_to"), Some("recipient.unknown")),      // relaying: the remote refused
            o(Some("auth"), Some("auth.credentials_rejected")), // relaying: Microsoft 365's login
        ]
    );
    let s = &r.sessions;
    // interleaved sessions stay apart, each with its own client
    let ips: Vec<Option<&str>> = s[..4].iter().map(|s| s.client_ip.as_deref()).collect();
    assert_eq!(ips, [Some("192.0.2.7"), Some("198.51.100.20"), Some("203.0.113.99"), Some("192.0.2.50")]);
    assert_eq!(s[0].user.as_deref(), Some("scanner@example.it"));
    assert!(
        s[0].dialogue.contains(
            "C: AUTH PLAIN <redacted: PLAIN user=scanner@example.it>\nS: 535 Authentication failed"
        )
    );
    assert!(s[1].dialogue.contains("C: RCPT TO:<carol@example.org>"), "{}", s[1].dialogue);
    assert!(
        s[1].dialogue.contains("S: 250 2.0.0 5e6f7081 Message accepted for delivery"),
        "{}",
        s[1].dialogue
    );
    // the relay refusal carries its command and reply at the RCPT stage
    assert!(
        s[2].dialogue.starts_with(
            "C: RCPT TO:<friend@elsewhere.example>\nS: 550 Invalid recipient: <friend@elsewhere.example>"
        ),
        "{}",
        s[2].dialogue
    );
    assert_eq!(s[2].failed.as_ref().unwrap().1, "550 Invalid recipient: <friend@elsewhere.example>");
    // OpenSMTPD as a client: the server it relayed to
    let relay = &s[5].session;
    assert_eq!(relay.meta.server.as_deref(), Some("smtp.office365.com[52.97.1.1]:587"));
    assert_eq!(
        (relay.transcript.endpoint.host.as_str(), relay.transcript.endpoint.port),
        ("smtp.office365.com", 587)
    );
    assert!(s.iter().all(|s| !s.incomplete));
}

/// Two connections from one address at once, told apart by their ports (no `+pid`): Exim's
/// `H=host [ip]:port` with `log_selector = +incoming_port`.
#[test]
fn exim_sessions_from_one_address_stay_apart_by_port() {
    let log = b"\
2026-11-24 10:00:01 SMTP connection from office-nat.example [198.51.100.7]:40112 (TCP/IP connection count = 1)
2026-11-24 10:00:01 SMTP connection from office-nat.example [198.51.100.7]:40113 (TCP/IP connection count = 2)
2026-11-24 10:00:02 dovecot_login authenticator failed for office-nat.example [198.51.100.7]:40112: 535 Incorrect authentication data (set_id=scanner@example.it)
2026-11-24 10:00:02 H=office-nat.example [198.51.100.7]:40113 F=<app@example.it> rejected RCPT <friend@elsewhere.example>: relay not permitted
2026-11-24 10:00:03 SMTP connection from office-nat.example [198.51.100.7]:40113 closed by QUIT
2026-11-24 10:00:03 SMTP connection from office-nat.example [198.51.100.7]:40112 closed by QUIT
";
    let r = read(log, None);
    assert_eq!(r.format, LogFormat::Exim);
    assert_eq!(
        outcomes(&r),
        [o(Some("rcpt_to"), Some("smtp.relay_denied")), o(Some("auth"), Some("auth.credentials_rejected"))]
    );
    let (relay, login) = (&r.sessions[0], &r.sessions[1]);
    assert_ne!(relay.id, login.id);
    assert!(!relay.dialogue.contains("AUTH"), "{}", relay.dialogue);
    assert!(!login.dialogue.contains("RCPT"), "{}", login.dialogue);
    assert_eq!(login.user.as_deref(), Some("scanner@example.it"));
    assert!(r.sessions.iter().all(|s| !s.incomplete && s.client_ip.as_deref() == Some("198.51.100.7")));
}
