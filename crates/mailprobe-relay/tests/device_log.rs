//! The device side's log reads back like a Postfix log: `mailprobe analyze`'s reader finds
//! each session, and the knowledge base names why each failed one failed.

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_logs::analyze::{self, LogFormat};
use support::{RawClient, TestRelay, device, temp_dir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyze_reads_the_relay_log_and_names_each_failure() {
    let dir = temp_dir("log-analyze");
    let scanner = device("scanner");
    let body = format!(
        "[[listener]]\nbind = \"127.0.0.1:0\"\ntls = \"none\"\nauth_requires_tls = false\n{}senders = [\"@contoso.test\"]\n",
        scanner.toml
    );
    let mut relay = TestRelay::start(&dir, &body).await;
    let addr = relay.addrs[0];
    let plain = |password: &str| format!("AUTH PLAIN {}", STANDARD.encode(format!("\0scanner\0{password}")));

    // 1: a wrong password.
    let (mut c, _) = RawClient::connect(addr).await;
    c.command("EHLO printer").await;
    assert!(c.command(&plain("not-the-password")).await.starts_with("535 "));
    c.command("QUIT").await;
    // 2: no login at all.
    let (mut c, _) = RawClient::connect(addr).await;
    c.command("EHLO printer").await;
    assert!(c.command("MAIL FROM:<scan@contoso.test>").await.starts_with("530 "));
    c.command("QUIT").await;
    // 3: a sender the device may not use.
    let (mut c, _) = RawClient::connect(addr).await;
    c.command("EHLO printer").await;
    assert!(c.command(&plain(&scanner.password)).await.starts_with("235 "));
    assert!(c.command("MAIL FROM:<ceo@fabrikam.test>").await.starts_with("553 "));
    c.command("QUIT").await;
    // 4: a message sent.
    let (mut c, _) = RawClient::connect(addr).await;
    c.command("EHLO printer").await;
    assert!(c.command(&plain(&scanner.password)).await.starts_with("235 "));
    c.command("MAIL FROM:<scan@contoso.test>").await;
    c.command("RCPT TO:<office@example.test>").await;
    c.command("DATA").await;
    assert!(c.command("Subject: ok\r\n\r\nok\r\n.").await.starts_with("250 2.0.0 Ok: queued as "));
    c.command("QUIT").await;
    relay.stop().await;

    let log = relay.log_text();
    assert_eq!(analyze::detect(log.as_bytes()), Some(LogFormat::Postfix), "{log}");
    let mut parser = analyze::parser_for(LogFormat::Postfix);
    let mut sessions = Vec::new();
    for (i, line) in log.lines().enumerate() {
        parser.line(i as u64 + 1, line.as_bytes(), &mut sessions);
    }
    parser.finish(&mut sessions);
    assert_eq!(sessions.len(), 4, "{log}");
    let kb = KnowledgeBase::builtin();
    let mut first_findings = Vec::new();
    for session in &mut sessions {
        session.materialize();
        let findings =
            kb.diagnose(&session.context(None), std::slice::from_ref(&session.transcript), Lang::En);
        first_findings.push(findings.first().map(|f| f.id.clone()));
    }
    assert_eq!(
        first_findings,
        [
            Some("auth.credentials_rejected".to_owned()),
            Some("auth.not_authenticated".to_owned()),
            Some("smtp.rejected".to_owned()),
            None
        ],
        "{log}"
    );
    assert!(sessions[3].failed_step().is_none());
}
