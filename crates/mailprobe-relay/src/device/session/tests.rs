use std::path::Path;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use proptest::prelude::{Just, Strategy as _};

use super::*;
use crate::RelayConfig;
use crate::device::data::{DATA_CHUNK, DataReader};
use crate::device::policy::LoginLimits;

const ID: &str = "0000000000000A00000100000B";

/// A hash with tiny argon2 parameters: these tests check the dialogue, not the cost.
fn hash(password: &str) -> String {
    use argon2::password_hash::PasswordHasher as _;
    let params = argon2::Params::new(256, 1, 1, None).unwrap();
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    argon.hash_password(password.as_bytes()).unwrap().to_string()
}

const DEVICES: &str = r#"
[[device]]
name = "scanner"
password_hash = "HASH"
senders = ["@contoso.test"]

[[device]]
name = "erp"
networks = ["10.0.0.7"]
rewrite_sender = "erp@contoso.test"
per_minute = 1
"#;

struct Harness {
    session: Session,
    policy: Arc<Policy>,
    peer: IpAddr,
    now: Instant,
    stored: Vec<StoreRequest>,
    /// The message being written in parts, as the spool's draft holds it.
    draft: Option<StoreRequest>,
    /// Parts written before the message ended ([`Action::Begin`] and [`Action::Write`]).
    parts: usize,
    /// Drafts dropped ([`Action::Discard`]).
    discarded: usize,
    spool_fails: bool,
    closed: bool,
}

impl Harness {
    fn new(peer: &str, tls: ListenerTls, auth_requires_tls: bool) -> Self {
        Self::with(peer, tls, auth_requires_tls, "")
    }

    fn with(peer: &str, tls: ListenerTls, auth_requires_tls: bool, limits: &str) -> Self {
        let text = format!(
            "spool = \"/tmp/x\"\nhostname = \"relay.test\"\n[[listener]]\nbind = \"127.0.0.1:2525\"\ntls = \"none\"\n\
             {}\n{limits}\n[upstream]\nhost = \"h\"\nport = 25\nsecurity = \"none\"\n[upstream.auth]\nmethod = \"none\"\n",
            DEVICES.replace("HASH", &hash("s3cret-Canary"))
        );
        let config = RelayConfig::parse(&text, Path::new("t")).unwrap();
        let login =
            LoginLimits { max_failures: 5, window: Duration::from_secs(600), max_failures_per_session: 3 };
        let policy = Arc::new(Policy::new(&config, login).unwrap());
        let peer: IpAddr = peer.parse().unwrap();
        let mode = ListenerMode { tls, auth_requires_tls };
        let session = Session::new(Arc::clone(&policy), &config.hostname, mode, &config.limits, peer);
        let mut h = Self {
            session,
            policy,
            peer,
            now: Instant::now(),
            stored: Vec::new(),
            draft: None,
            parts: 0,
            discarded: 0,
            spool_fails: false,
            closed: false,
        };
        if tls == ListenerTls::Implicit {
            h.session.tls_started(tls_info());
        }
        h
    }

    /// Runs the session until it waits for input, resolving its requests like the driver does.
    fn run(&mut self) -> String {
        let mut out = Vec::new();
        loop {
            match self.session.next_action(self.now) {
                Action::Send(bytes) => out.extend_from_slice(&bytes),
                Action::Read => break,
                Action::Close => {
                    self.closed = true;
                    self.session.disconnected();
                    break;
                }
                Action::StartTls => self.session.tls_started(tls_info()),
                Action::CheckLogin(request) => {
                    let check = self.policy.login_check(&request.user, self.peer);
                    let outcome = Policy::verify(&check, &request.password);
                    self.session.login_checked(outcome, &request.user, self.now);
                }
                Action::Begin(request) => {
                    assert!(self.draft.is_none(), "a second draft for one message");
                    self.parts += 1;
                    self.draft = Some(request);
                }
                Action::Write(bytes) => {
                    self.parts += 1;
                    self.draft.as_mut().expect("a write without a draft").message.extend_from_slice(&bytes);
                }
                Action::Discard => {
                    assert!(self.draft.take().is_some(), "a discard without a draft");
                    self.discarded += 1;
                }
                Action::Store(mut request) => {
                    if let Some(mut draft) = self.draft.take() {
                        assert_eq!(draft.envelope, request.envelope);
                        draft.message.append(&mut request.message);
                        request = draft;
                    }
                    if self.spool_fails {
                        self.session
                            .stored(Err(StoreFailure::Temporary("No space left on device".into())), self.now);
                    } else {
                        self.stored.push(request);
                        self.session.stored(Ok(QueueId::parse(ID).unwrap()), self.now);
                    }
                }
            }
        }
        String::from_utf8(out).unwrap()
    }

    fn send(&mut self, bytes: &[u8]) -> String {
        self.session.receive(bytes);
        self.run()
    }

    fn log(&mut self) -> String {
        self.session.take_log().join("\n")
    }
}

fn tls_info() -> TlsInfo {
    TlsInfo { version: "TLSv1.3".into(), cipher: "TLS13_AES_256_GCM_SHA384".into() }
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

fn login(h: &mut Harness) {
    h.run();
    h.send(b"EHLO printer\r\n");
    let reply = h.send(format!("AUTH PLAIN {}\r\n", b64(b"\0scanner\0s3cret-Canary")).as_bytes());
    assert_eq!(reply, "235 2.7.0 Authentication successful\r\n");
}

#[test]
fn the_greeting_and_ehlo_offer_what_the_listener_has() {
    let mut h = Harness::new("192.0.2.1", ListenerTls::Starttls, true);
    assert_eq!(h.run(), "220 relay.test ESMTP mailprobe relay\r\n");
    let ehlo = h.send(b"EHLO printer.lan\r\n");
    assert!(ehlo.starts_with("250-relay.test Hello printer.lan [192.0.2.1]\r\n"), "{ehlo}");
    for want in ["250-PIPELINING\r\n", "250-SIZE 35000000\r\n", "250-8BITMIME\r\n", "250 STARTTLS\r\n"] {
        assert!(ehlo.contains(want), "{want} in {ehlo}");
    }
    assert!(!ehlo.contains("AUTH"), "AUTH before TLS: {ehlo}");
    assert_eq!(
        h.send(b"AUTH PLAIN\r\n"),
        "538 5.7.11 Encryption required for requested authentication mechanism\r\n"
    );
    assert_eq!(h.send(b"STARTTLS\r\n"), "220 2.0.0 Ready to start TLS\r\n");
    let ehlo = h.send(b"EHLO printer.lan\r\n");
    assert!(
        ehlo.contains("250-AUTH PLAIN LOGIN\r\n") && ehlo.ends_with("250 AUTH=PLAIN LOGIN\r\n"),
        "{ehlo}"
    );
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(
        h.log().contains("Anonymous TLS connection established from unknown[192.0.2.1]: TLSv1.3 with cipher")
    );
}

#[test]
fn auth_in_the_clear_only_where_the_listener_allows_it() {
    let mut h = Harness::new("192.0.2.1", ListenerTls::None, false);
    h.run();
    let ehlo = h.send(b"EHLO x\r\n");
    assert!(ehlo.contains("AUTH PLAIN LOGIN") && !ehlo.contains("STARTTLS"), "{ehlo}");
    assert_eq!(h.send(b"STARTTLS\r\n"), "502 5.5.1 Error: command not implemented\r\n");
    let mut h = Harness::new("192.0.2.1", ListenerTls::None, true);
    h.run();
    assert!(!h.send(b"EHLO x\r\n").contains("AUTH"));
}

#[test]
fn an_address_no_device_may_use_is_refused_at_connect() {
    let text = "spool = \"/tmp/x\"\n[[listener]]\nbind = \"127.0.0.1:2525\"\ntls = \"none\"\n\
                [[device]]\nname = \"erp\"\nnetworks = [\"10.0.0.7\"]\n\
                [upstream]\nhost = \"h\"\nport = 25\nsecurity = \"none\"\n[upstream.auth]\nmethod = \"none\"\n";
    let config = RelayConfig::parse(text, Path::new("t")).unwrap();
    let policy = Arc::new(Policy::new(&config, LoginLimits::default()).unwrap());
    let mode = ListenerMode { tls: ListenerTls::None, auth_requires_tls: true };
    let mut s = Session::new(policy, "relay.test", mode, &config.limits, "10.0.0.8".parse().unwrap());
    let Action::Send(bytes) = s.next_action(Instant::now()) else { panic!() };
    assert!(String::from_utf8(bytes).unwrap().starts_with("554 5.7.1 <10.0.0.8>: Client host rejected"));
    assert!(matches!(s.next_action(Instant::now()), Action::Close));
    assert!(
        s.take_log().iter().any(|l| l.contains("NOQUEUE: reject: CONNECT from unknown[10.0.0.8]: 554 5.7.1"))
    );
}

#[test]
fn without_signing_in_an_unknown_address_cannot_send() {
    let mut h = Harness::new("192.0.2.1", ListenerTls::None, false);
    h.run();
    h.send(b"EHLO x\r\n");
    let reply = h.send(b"MAIL FROM:<a@contoso.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n");
    assert_eq!(
        reply,
        "530 5.7.0 Authentication required\r\n503 5.5.1 Error: need MAIL command\r\n503 5.5.1 Error: need MAIL command\r\n"
    );
    assert!(h.stored.is_empty());
    assert!(h.log().contains("NOQUEUE: reject: MAIL from unknown[192.0.2.1]: 530 5.7.0 Authentication required; from=<a@contoso.test> proto=ESMTP helo=<x>"));
}

#[test]
fn a_device_known_by_its_address_sends_with_its_rewritten_sender() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::None, true);
    h.run();
    let reply = h.send(
        b"HELO erp\r\nMAIL FROM:<root@erp.local>\r\nRCPT TO:<boss@contoso.test>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n",
    );
    assert_eq!(
        reply,
        format!(
            "250 relay.test\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n\
             250 2.0.0 Ok: queued as {ID}\r\n221 2.0.0 Bye\r\n"
        )
    );
    assert!(h.closed);
    let stored = &h.stored[0];
    assert_eq!(stored.envelope.from, "erp@contoso.test");
    assert_eq!(stored.envelope.to, ["boss@contoso.test"]);
    assert_eq!(stored.envelope.device, "erp");
    let text = String::from_utf8(stored.message.clone()).unwrap();
    assert!(text.starts_with("Received: from erp (device erp [10.0.0.7])\r\n\tby relay.test (mailprobe relay) with SMTP\r\n\tfor <boss@contoso.test>;\r\n\t"), "{text}");
    assert!(text.ends_with("\r\nSubject: x\r\n\r\nbody\r\n"), "{text}");
    let log = h.log();
    assert!(
        log.contains(&format!("{ID}: from=<erp@contoso.test>, orig_from=<root@erp.local>, size=")),
        "{log}"
    );
    assert!(
        log.contains("disconnect from unknown[10.0.0.7] helo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"),
        "{log}"
    );
}

#[test]
fn the_device_rate_limit_defers_with_451() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::None, true);
    h.run();
    h.send(b"HELO erp\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\n");
    assert_eq!(h.stored.len(), 1);
    assert_eq!(
        h.send(b"MAIL FROM:<a@b.test>\r\n"),
        "451 4.7.1 Error: device erp sent its 1 messages for this minute, try again later\r\n"
    );
    h.now += Duration::from_secs(61);
    assert_eq!(h.send(b"MAIL FROM:<a@b.test>\r\n"), "250 2.1.0 Ok\r\n");
}

#[test]
fn auth_plain_both_ways_and_auth_login_with_the_standard_prompts() {
    let mut h = Harness::new("192.0.2.1", ListenerTls::Implicit, true);
    login(&mut h);

    let mut h = Harness::new("192.0.2.1", ListenerTls::Implicit, true);
    h.run();
    h.send(b"EHLO x\r\n");
    assert_eq!(h.send(b"AUTH PLAIN\r\n"), "334 \r\n");
    assert_eq!(
        h.send(format!("{}\r\n", b64(b"scanner\0scanner\0s3cret-Canary")).as_bytes()),
        "235 2.7.0 Authentication successful\r\n"
    );
    assert_eq!(h.send(b"AUTH PLAIN\r\n"), "503 5.5.1 Error: already authenticated\r\n");

    let mut h = Harness::new("192.0.2.1", ListenerTls::Implicit, true);
    h.run();
    h.send(b"EHLO x\r\n");
    assert_eq!(h.send(b"AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
    assert_eq!(h.send(format!("{}\r\n", b64(b"scanner")).as_bytes()), "334 UGFzc3dvcmQ6\r\n");
    assert_eq!(
        h.send(format!("{}\r\n", b64(b"s3cret-Canary")).as_bytes()),
        "235 2.7.0 Authentication successful\r\n"
    );

    // Konica Minolta, Veeam: the user name on the AUTH line; some leave out the padding.
    let mut h = Harness::new("192.0.2.1", ListenerTls::Implicit, true);
    h.run();
    h.send(b"EHLO x\r\n");
    assert_eq!(h.send(b"AUTH LOGIN c2Nhbm5lcg\r\n"), "334 UGFzc3dvcmQ6\r\n");
    assert_eq!(
        h.send(format!("{}\r\n", b64(b"s3cret-Canary")).as_bytes()),
        "235 2.7.0 Authentication successful\r\n"
    );

    let mut h = Harness::new("192.0.2.1", ListenerTls::Implicit, true);
    h.run();
    h.send(b"EHLO x\r\n");
    h.send(b"AUTH LOGIN\r\n");
    assert_eq!(h.send(b"*\r\n"), "501 5.7.0 Error: authentication aborted\r\n");
    assert_eq!(h.send(b"AUTH LOGIN\r\n"), "334 VXNlcm5hbWU6\r\n");
    assert_eq!(
        h.send(b"not base64!\r\n"),
        "501 5.5.2 Error: cannot decode the response (base64 expected)\r\n"
    );
}

#[test]
fn wrong_passwords_get_535_then_the_session_and_the_address_are_cut_off() {
    let mut h = Harness::new("192.0.2.1", ListenerTls::Implicit, true);
    h.run();
    h.send(b"EHLO x\r\n");
    let wrong = format!("AUTH PLAIN {}\r\n", b64(b"\0scanner\0wrong-Canary"));
    let expected = "535 5.7.8 Error: authentication failed: bad device name or password\r\n";
    assert_eq!(h.send(wrong.as_bytes()), expected);
    // Someone else's name as authzid does not help.
    assert_eq!(
        h.send(format!("AUTH PLAIN {}\r\n", b64(b"erp\0scanner\0s3cret-Canary")).as_bytes()),
        expected
    );
    let third = h.send(wrong.as_bytes());
    assert_eq!(third, format!("{expected}421 4.7.0 relay.test Error: too many failed logins\r\n"));
    assert!(h.closed);
    let log = h.log();
    assert!(log.contains("warning: unknown[192.0.2.1]: SASL PLAIN authentication failed: wrong password, sasl_username=scanner"), "{log}");
    assert!(log.contains("auth=0/3"), "{log}");
    assert!(!log.contains("Canary") && !log.contains(&b64(b"\0scanner\0wrong-Canary")), "{log}");

    // Two more failures from the same address reach its limit of 5: AUTH is refused unchecked.
    let mut h2 = Harness {
        session: Session::new(
            Arc::clone(&h.policy),
            "relay.test",
            ListenerMode { tls: ListenerTls::None, auth_requires_tls: false },
            &crate::config::Limits::default(),
            h.peer,
        ),
        ..h
    };
    h2.closed = false;
    h2.run();
    h2.send(b"EHLO x\r\n");
    h2.send(wrong.as_bytes());
    h2.send(wrong.as_bytes());
    let right = format!("AUTH PLAIN {}\r\n", b64(b"\0scanner\0s3cret-Canary"));
    assert_eq!(
        h2.send(right.as_bytes()),
        "421 4.7.0 relay.test Error: too many failed logins from your address, try again later\r\n"
    );
}

#[test]
fn a_device_may_not_use_a_sender_it_is_not_allowed() {
    let mut h = Harness::new("192.0.2.1", ListenerTls::Implicit, true);
    login(&mut h);
    assert_eq!(
        h.send(b"MAIL FROM:<ceo@fabrikam.test>\r\n"),
        "553 5.7.1 <ceo@fabrikam.test>: Sender address rejected: not allowed for device scanner\r\n"
    );
    assert_eq!(h.send(b"MAIL FROM:<scan@CONTOSO.test> SIZE=100\r\n"), "250 2.1.0 Ok\r\n");
}

#[test]
fn data_is_unstuffed_bare_lf_taken_8bit_kept_and_crlf_written() {
    let mut h = Harness::new("192.0.2.1", ListenerTls::Implicit, true);
    login(&mut h);
    h.send(b"MAIL FROM:<scan@contoso.test>\r\nRCPT TO:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nRCPT TO:<A@example.test>\r\nDATA\r\n");
    let body: &[u8] = b"Subject: Scansione \xe8 pronta\nX-Mixed: yes\r\n\n..leading dot\nbare\rcr\n.\n";
    let reply = h.send(body);
    assert_eq!(reply, format!("250 2.0.0 Ok: queued as {ID}\r\n"));
    let stored = &h.stored[0];
    assert_eq!(stored.envelope.to, ["a@example.test", "b@example.test"]);
    let expected: &[u8] =
        b"Subject: Scansione \xe8 pronta\r\nX-Mixed: yes\r\n\r\n.leading dot\r\nbare\rcr\r\n";
    assert!(stored.message.ends_with(expected), "{:?}", String::from_utf8_lossy(&stored.message));
    let text = String::from_utf8_lossy(&stored.message);
    assert!(text.starts_with("Received: from printer (device scanner [192.0.2.1])\r\n\tby relay.test (mailprobe relay) with ESMTPSA (TLSv1.3 TLS13_AES_256_GCM_SHA384);\r\n"), "{text}");
    // A bare-LF `.` line ended it: what follows is a command again.
    assert_eq!(h.send(b"NOOP\n"), "250 2.0.0 Ok\r\n");
}

#[test]
fn a_message_over_the_limit_is_read_to_its_end_and_refused() {
    let mut h = Harness::with(
        "10.0.0.7",
        ListenerTls::None,
        true,
        "[limits]\nmax_message_bytes = 100\nmax_recipients = 2\n",
    );
    h.run();
    assert!(h.send(b"EHLO x\r\n").contains("250-SIZE 100\r\n"));
    assert_eq!(
        h.send(b"MAIL FROM:<a@b.test> SIZE=101\r\n"),
        "552 5.3.4 Message size exceeds fixed limit\r\n"
    );
    let reply = h.send(
        b"MAIL FROM:<a@b.test>\r\nRCPT TO:<1@x.test>\r\nRCPT TO:<2@x.test>\r\nRCPT TO:<3@x.test>\r\nDATA\r\n",
    );
    assert!(
        reply.ends_with(
            "250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
        ),
        "{reply}"
    );
    let mut big = Vec::new();
    for _ in 0..50 {
        big.extend_from_slice(b"0123456789\r\n");
    }
    assert_eq!(h.send(&big), "");
    assert_eq!(h.send(b".\r\nNOOP\r\n"), "552 5.3.4 Error: message file too big\r\n250 2.0.0 Ok\r\n");
    assert!(h.stored.is_empty());
}

#[test]
fn a_message_of_many_chunks_goes_to_the_spool_in_parts_and_arrives_whole() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::None, true);
    h.run();
    h.send(b"HELO x\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
    // 1 MiB of numbered lines, sent in reads of 16 KiB as the driver does
    let mut body = Vec::new();
    let mut line = 0u32;
    while body.len() < 1 << 20 {
        body.extend_from_slice(
            format!("line {line:08} .. {}\r\n", "x".repeat(line as usize % 90)).as_bytes(),
        );
        line += 1;
    }
    let mut wire = body.clone();
    wire.extend_from_slice(b".\r\n");
    let mut replies = String::new();
    for read in wire.chunks(16 * 1024) {
        replies.push_str(&h.send(read));
        // the session never holds more than a chunk and a read of the message
        let Phase::Data(reader) = &h.session.phase else { continue };
        assert!(reader.message.len() < WRITE_CHUNK + 2 * 16 * 1024, "{}", reader.message.len());
    }
    assert_eq!(replies, format!("250 2.0.0 Ok: queued as {ID}\r\n"));
    // chunks of 64 to 96 KiB
    assert!(h.parts >= (1 << 20) / (WRITE_CHUNK + 2 * 16 * 1024), "{} parts", h.parts);
    let stored = h.stored[0].message.clone();
    assert!(stored.starts_with(b"Received: from x (device erp [10.0.0.7])"));
    assert!(stored.ends_with(&body));
    let log = h.log();
    assert!(log.contains(&format!("size={}", stored.len())), "{log}");
}

#[test]
fn a_message_that_grows_past_the_limit_after_its_first_parts_is_discarded() {
    let mut h = Harness::with("10.0.0.7", ListenerTls::None, true, "[limits]\nmax_message_bytes = 300000\n");
    h.run();
    h.send(b"HELO x\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
    let line = [b"y".repeat(998), b"\r\n".to_vec()].concat();
    for _ in 0..400 {
        assert_eq!(h.send(&line), "");
    }
    assert!(h.parts >= 2 && h.draft.is_some(), "{} parts", h.parts);
    assert_eq!(h.send(b".\r\nNOOP\r\n"), "552 5.3.4 Error: message file too big\r\n250 2.0.0 Ok\r\n");
    assert_eq!((h.discarded, h.stored.len()), (1, 0));
    assert!(h.draft.is_none());
}

#[test]
fn a_spool_failure_is_a_451_and_the_session_goes_on() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::None, true);
    h.spool_fails = true;
    h.run();
    let reply =
        h.send(b"HELO x\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nhello\r\n.\r\nRSET\r\n");
    assert!(
        reply.ends_with("354 End data with <CR><LF>.<CR><LF>\r\n451 4.3.0 Error: queue file write error; the message was not accepted, try again later\r\n250 2.0.0 Ok\r\n"),
        "{reply}"
    );
    assert!(!reply.contains("queued as"));
    assert!(h.log().contains("warning: queue file write error: No space left on device"));
}

#[test]
fn commands_pipelined_after_starttls_are_dropped() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::Starttls, true);
    h.run();
    h.send(b"EHLO x\r\n");
    let reply = h.send(b"STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
    assert_eq!(reply, "220 2.0.0 Ready to start TLS\r\n");
    // After the handshake the session starts over: no HELO yet, and no MAIL was taken.
    assert_eq!(h.send(b"RCPT TO:<a@b.test>\r\n"), "503 5.5.1 Error: need MAIL command\r\n");
    assert_eq!(h.send(b"MAIL FROM:<a@b.test>\r\n"), "503 5.5.1 Error: send HELO/EHLO first\r\n");
}

#[test]
fn long_lines_are_refused_and_the_session_recovers() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::None, true);
    h.run();
    let long = vec![b'A'; MAX_LINE + 10];
    assert_eq!(h.send(&long), "500 5.5.2 Error: line too long\r\n");
    assert_eq!(h.send(b"still the same line\r\nNOOP\r\n"), "250 2.0.0 Ok\r\n");
    let mut line = b"NOOP ".to_vec();
    line.extend(vec![b'x'; MAX_LINE]);
    line.extend_from_slice(b"\r\nNOOP\r\n");
    assert_eq!(h.send(&line), "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
}

#[test]
fn a_300_character_user_name_signs_in_with_both_mechanisms() {
    let name = format!("{}@contoso.onmicrosoft.test", "p".repeat(275));
    assert!(name.len() >= 300);
    let text = format!(
        "spool = \"/tmp/x\"\n[[listener]]\nbind = \"127.0.0.1:2525\"\ntls = \"none\"\n\
         [[device]]\nname = \"{name}\"\npassword_hash = \"{}\"\n\
         [upstream]\nhost = \"h\"\nport = 25\nsecurity = \"none\"\n[upstream.auth]\nmethod = \"none\"\n",
        hash("pw")
    );
    let config = RelayConfig::parse(&text, Path::new("t")).unwrap();
    let policy = Arc::new(Policy::new(&config, LoginLimits::default()).unwrap());
    let mode = ListenerMode { tls: ListenerTls::None, auth_requires_tls: false };
    for auth in [
        format!("AUTH PLAIN {}\r\n", b64(format!("\0{name}\0pw").as_bytes())),
        format!("AUTH LOGIN {}\r\n{}\r\n", b64(name.as_bytes()), b64(b"pw")),
    ] {
        let session = Session::new(
            Arc::clone(&policy),
            "relay.test",
            mode,
            &config.limits,
            "127.0.0.1".parse().unwrap(),
        );
        let mut h = Harness {
            session,
            policy: Arc::clone(&policy),
            peer: "127.0.0.1".parse().unwrap(),
            now: Instant::now(),
            stored: Vec::new(),
            draft: None,
            parts: 0,
            discarded: 0,
            spool_fails: false,
            closed: false,
        };
        h.run();
        h.send(b"EHLO x\r\n");
        assert!(h.send(auth.as_bytes()).ends_with("235 2.7.0 Authentication successful\r\n"), "{auth}");
    }
}

#[test]
fn shutdown_waits_for_the_message_then_says_421() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::None, true);
    h.run();
    h.send(b"HELO x\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\npart one\r\n");
    h.session.shutdown();
    let reply = h.send(b"part two\r\n.\r\n");
    assert_eq!(
        reply,
        format!("250 2.0.0 Ok: queued as {ID}\r\n421 4.3.2 relay.test Service shutting down\r\n")
    );
    assert!(h.closed && h.stored.len() == 1);

    let mut idle = Harness::new("10.0.0.7", ListenerTls::None, true);
    idle.run();
    idle.session.shutdown();
    assert_eq!(idle.run(), "421 4.3.2 relay.test Service shutting down\r\n");
}

#[test]
fn a_timeout_says_421_and_logs_the_last_command() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::None, true);
    h.run();
    h.send(b"HELO x\r\nMAIL FROM:<a@b.test>\r\n");
    h.session.timed_out();
    assert_eq!(h.run(), "421 4.4.2 relay.test Error: timeout exceeded\r\n");
    h.session.disconnected();
    let log = h.log();
    assert!(
        log.contains("timeout after MAIL from unknown[10.0.0.7]")
            && log.contains("disconnect from unknown[10.0.0.7] helo=1 mail=1 commands=2"),
        "{log}"
    );
}

#[test]
fn too_many_bad_commands_close_the_session() {
    let mut h = Harness::new("10.0.0.7", ListenerTls::None, true);
    h.run();
    let reply = h.send(&b"BOGUS\r\n".repeat(12));
    assert_eq!(reply.matches("500 5.5.2").count(), 10);
    assert!(reply.ends_with("421 4.7.0 relay.test Error: too many errors\r\n") && h.closed);
}

proptest::proptest! {
    /// Any body, dot-stuffed and sent with CRLF or bare LF line ends in any chunks, is stored
    /// as the same lines with CRLF.
    #[test]
    fn any_body_in_any_chunks_is_stored_line_for_line(
        lines in proptest::collection::vec(proptest::collection::vec(proptest::prop_oneof![Just(b'.'), Just(b'\r'), proptest::num::u8::ANY.prop_filter("no LF", |b| *b != b'\n')], 0..40), 0..30),
        bare_lf in proptest::collection::vec(proptest::bool::ANY, 30),
        cuts in proptest::collection::vec(1usize..64, 1..20),
    ) {
        // A line ending in CR would have that CR taken as part of its line end.
        let lines: Vec<Vec<u8>> = lines.into_iter().filter(|l| l.last() != Some(&b'\r')).collect();
        let mut wire = Vec::new();
        let mut expected = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if line.first() == Some(&b'.') {
                wire.push(b'.');
            }
            wire.extend_from_slice(line);
            wire.extend_from_slice(if bare_lf[i % bare_lf.len()] { b"\n" } else { b"\r\n" });
            expected.extend_from_slice(line);
            expected.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(b".\r\n");
        let mut reader = DataReader::new(1 << 20);
        let mut input = Vec::new();
        let mut rest = wire.as_slice();
        let mut done = false;
        for cut in cuts.iter().cycle() {
            if rest.is_empty() { break; }
            let n = (*cut).min(rest.len());
            input.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            done = reader.feed(&mut input);
            if done { break; }
        }
        proptest::prop_assert!(done);
        proptest::prop_assert!(rest.is_empty() && input.is_empty());
        proptest::prop_assert_eq!(reader.message, expected);
    }
}

#[test]
fn a_line_longer_than_a_chunk_keeps_its_crlf_and_its_dot() {
    let mut reader = DataReader::new(1 << 20);
    let mut line = b"..".to_vec();
    line.extend(vec![b'x'; DATA_CHUNK + 5]);
    line.push(b'\r');
    let mut input = line.clone();
    assert!(!reader.feed(&mut input));
    // The trailing CR is held back until the LF shows whether it ends the line.
    assert_eq!(input, b"\r");
    input.extend_from_slice(b"\n.\r\n");
    assert!(reader.feed(&mut input));
    let mut expected = line[1..line.len() - 1].to_vec();
    expected.extend_from_slice(b"\r\n");
    assert_eq!(reader.message, expected);
}
