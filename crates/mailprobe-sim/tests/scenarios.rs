//! Drives each scenario with a small tokio client and checks the reply code, enhanced code and
//! text at the step where each provider answers.

mod common;

use std::time::Duration;

use common::*;
use mailprobe_proto::{HelloAnswer, TlsVersion, client_hello, read_hello_answer};
use mailprobe_sim::{Provider, Scenario, SimOptions, Simulator, accounts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Connects to the submission port, says EHLO, does STARTTLS and EHLO again.
async fn tls_session(sim: &Simulator) -> Client {
    let (mut c, banner) = Client::connect(sim.submission_addr()).await;
    assert_eq!(banner.code, 220);
    assert_eq!(c.cmd("EHLO client.example").await.code, 250);
    c.starttls(sim.ca_pem(), sim.host_name()).await;
    assert_eq!(c.cmd("EHLO client.example").await.code, 250);
    c
}

/// Signs in with LOGIN.
async fn login(c: &mut Client, user: &str, password: &str) -> mailprobe_proto::Reply {
    let r = c.cmd("AUTH LOGIN").await;
    assert_eq!(wire(&r), "334 VXNlcm5hbWU6");
    let r = c.cmd(&b64(user)).await;
    assert_eq!(wire(&r), "334 UGFzc3dvcmQ6");
    c.cmd(&b64(password)).await
}

#[test]
fn scenario_names_round_trip() {
    let names: Vec<&str> = Scenario::all().iter().map(|s| s.name()).collect();
    assert_eq!(
        names,
        [
            "gmail-ok",
            "gmail-app-password",
            "gmail-xoauth2-rejected",
            "m365-ok",
            "m365-smtp-auth-disabled",
            "m365-send-as-denied",
            "m365-legacy-tls",
            "m365-direct-send-external"
        ]
    );
    for &s in Scenario::all() {
        assert_eq!(Scenario::from_name(s.name()), Some(s));
        assert!(s.description().ends_with('.'));
        let client = s.client();
        assert!(!format!("{client:?}").contains("sim-"), "Debug hides secrets");
        if client.mode == Some("direct-send") {
            assert!(client.user.is_none() && client.password.is_none() && client.token.is_none());
        } else {
            assert!(client.user.is_some() && client.mode.is_none());
            assert_eq!(client.password.is_some(), client.token.is_none());
        }
        assert_eq!(client.auth, client.token.as_ref().map(|_| "xoauth2"));
    }
    assert_eq!(Scenario::from_name("nope"), None);
    assert_eq!(Scenario::M365LegacyTlsRefused.client().client_tls_max, Some("1.0"));
    assert_eq!(Scenario::GmailOk.provider(), Provider::Gmail);
}

#[tokio::test]
async fn gmail_greeting_ehlo_and_starttls() {
    let sim = Simulator::start(Scenario::GmailOk).await.unwrap();
    assert_eq!(sim.host_name(), "smtp.gmail.com");
    assert!(sim.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    let (mut c, banner) = Client::connect(sim.submission_addr()).await;
    let text = wire(&banner);
    assert!(text.starts_with("220 smtp.gmail.com ESMTP ") && text.ends_with(" - gsmtp"), "{text}");
    let id = text["220 smtp.gmail.com ESMTP ".len()..text.len() - " - gsmtp".len()].to_owned();

    let ehlo = c.cmd("EHLO client.example").await;
    assert_eq!(
        ehlo.wire_lines(),
        [
            "250-smtp.gmail.com at your service, [127.0.0.1]",
            "250-SIZE 35882577",
            "250-8BITMIME",
            "250-STARTTLS",
            "250-ENHANCEDSTATUSCODES",
            "250-PIPELINING",
            "250-CHUNKING",
            "250 SMTPUTF8"
        ]
    );
    let r = c.cmd(&format!("AUTH PLAIN {}", plain(accounts::GMAIL_USER, accounts::GMAIL_APP_PASSWORD))).await;
    assert_eq!(wire(&r), format!("530 5.7.0 Must issue a STARTTLS command first. {id} - gsmtp"));
    let r = c.cmd("MAIL FROM:<pat.example@gmail.com>").await;
    assert_code(&r, 530, "5.7.0");

    let go = c.starttls(sim.ca_pem(), sim.host_name()).await;
    assert_eq!(wire(&go), "220 2.0.0 Ready to start TLS");
    assert!(c.tls_version().is_some());
    // State is reset by the handshake: EHLO again first.
    let r = c.cmd("MAIL FROM:<pat.example@gmail.com>").await;
    assert_code(&r, 503, "5.5.1");
    let ehlo = c.cmd("EHLO client.example").await;
    let lines = ehlo.wire_lines();
    assert_eq!(lines[3], "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH");
    assert!(!lines.iter().any(|l| l.contains("STARTTLS")));
    assert_eq!(lines.len(), 8);

    let r = c.cmd("MAIL FROM:<pat.example@gmail.com>").await;
    assert_eq!(
        r.wire_lines(),
        [
            "530-5.7.0 Authentication Required. For more information, go to".to_owned(),
            format!("530 5.7.0  https://support.google.com/mail/?p=WantAuthError {id} - gsmtp"),
        ]
    );
}

#[tokio::test]
async fn certificate_is_for_the_provider_name_only() {
    let sim = Simulator::start(Scenario::GmailOk).await.unwrap();
    let tcp = tokio::net::TcpStream::connect(sim.implicit_addr()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("smtp.example.com").unwrap();
    let err = connector(sim.ca_pem()).connect(name, tcp).await.unwrap_err();
    assert!(format!("{err:?}").contains("NotValidForName"), "{err:?}");
    // And a different simulator's CA is not trusted.
    let other = Simulator::start(Scenario::GmailOk).await.unwrap();
    let tcp = tokio::net::TcpStream::connect(sim.implicit_addr()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("smtp.gmail.com").unwrap();
    assert!(connector(other.ca_pem()).connect(name, tcp).await.is_err());
}

#[tokio::test]
async fn gmail_ok_sends_a_message() {
    let sim = Simulator::start(Scenario::GmailOk).await.unwrap();
    let setup = Scenario::GmailOk.client();
    let mut c = tls_session(&sim).await;
    let r = c
        .cmd(&format!(
            "AUTH PLAIN {}",
            plain(setup.user.as_deref().unwrap(), setup.password.as_deref().unwrap())
        ))
        .await;
    assert_eq!(wire(&r), "235 2.7.0 Accepted");
    let r = c.cmd(&format!("MAIL FROM:<{}>", setup.from)).await;
    let id = wire(&r)["250 2.1.0 OK ".len()..].trim_end_matches(" - gsmtp").to_owned();
    assert_eq!(wire(&r), format!("250 2.1.0 OK {id} - gsmtp"));
    let r = c.cmd(&format!("RCPT TO:<{}>", setup.to)).await;
    assert_eq!(wire(&r), format!("250 2.1.5 OK {id} - gsmtp"));
    let r = c.cmd("DATA").await;
    assert_eq!(wire(&r), format!("354  Go ahead {id} - gsmtp"));
    c.send_raw(b"Subject: hi\r\n\r\n..dot\r\nbody\r\n.\r\n").await;
    let r = c.read_reply().await;
    let text = wire(&r);
    assert!(text.starts_with("250 2.0.0 OK  ") && text.ends_with(&format!(" {id} - gsmtp")), "{text}");
    let r = c.cmd("RSET").await;
    assert_eq!(wire(&r), format!("250 2.1.5 Flushed {id} - gsmtp"));
    // BDAT (CHUNKING is advertised).
    c.cmd(&format!("MAIL FROM:<{}>", setup.from)).await;
    c.cmd(&format!("RCPT TO:<{}>", setup.to)).await;
    c.send_raw(b"BDAT 5\r\nabc\r\n").await;
    assert_code(&c.read_reply().await, 250, "2.0.0");
    c.send_raw(b"BDAT 5 LAST\r\nhello").await;
    assert!(wire(&c.read_reply().await).starts_with("250 2.0.0 OK  "));
    let r = c.cmd("QUIT").await;
    assert_eq!(wire(&r), format!("221 2.0.0 closing connection {id} - gsmtp"));
    assert!(c.try_read_reply().await.is_none());

    let accepted = sim.accepted_messages();
    assert_eq!(accepted.len(), 2);
    assert_eq!(accepted[0].from, setup.from);
    assert_eq!(accepted[0].to, std::slice::from_ref(&setup.to));
    assert_eq!(accepted[0].size, "Subject: hi\r\n\r\n.dot\r\nbody\r\n".len() as u64);
    assert_eq!(accepted[1].size, 10);
}

#[tokio::test]
async fn gmail_app_password_required() {
    let sim = Simulator::start(Scenario::GmailAppPasswordRequired).await.unwrap();
    let setup = Scenario::GmailAppPasswordRequired.client();
    let mut c = tls_session(&sim).await;
    let r = c
        .cmd(&format!(
            "AUTH PLAIN {}",
            plain(setup.user.as_deref().unwrap(), setup.password.as_deref().unwrap())
        ))
        .await;
    assert_code(&r, 534, "5.7.9");
    let lines = r.wire_lines();
    assert_eq!(lines[0], "534-5.7.9 Application-specific password required. For more information, go to");
    assert!(
        lines[1].starts_with("534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor ")
            && lines[1].ends_with(" - gsmtp")
    );
    // Any other wrong password: BadCredentials.
    let r = c.cmd(&format!("AUTH PLAIN {}", plain(setup.user.as_deref().unwrap(), "guess"))).await;
    assert_code(&r, 535, "5.7.8");
    assert_eq!(
        r.wire_lines()[0],
        "535-5.7.8 Username and Password not accepted. For more information, go to"
    );
    assert!(r.wire_lines()[1].starts_with("535 5.7.8  https://support.google.com/mail/?p=BadCredentials "));
    // The app password works, with LOGIN too, and with Google's display spaces.
    let r = login(&mut c, setup.user.as_deref().unwrap(), "sim-app -pass word-abcd").await;
    assert_eq!(wire(&r), "235 2.7.0 Accepted");
    let r = c.cmd("AUTH LOGIN").await;
    assert_code(&r, 503, "5.5.1");
    let r = c.cmd(&format!("MAIL FROM:<{}>", setup.from)).await;
    assert_code(&r, 250, "2.1.0");
}

#[tokio::test]
async fn gmail_xoauth2_without_mail_scope() {
    let sim = Simulator::start(Scenario::GmailXoauth2Rejected).await.unwrap();
    let setup = Scenario::GmailXoauth2Rejected.client();
    assert_eq!(setup.port_kind, mailprobe_sim::PortKind::Implicit);
    let (mut c, banner) = Client::connect_tls(sim.implicit_addr(), sim.ca_pem(), sim.host_name()).await;
    assert!(wire(&banner).starts_with("220 smtp.gmail.com ESMTP "));
    let ehlo = c.cmd("EHLO client.example").await;
    assert!(ehlo.wire_lines().iter().any(|l| l.contains("AUTH LOGIN PLAIN XOAUTH2")));
    let token = setup.token.as_deref().unwrap();
    let r = c.cmd(&format!("AUTH XOAUTH2 {}", xoauth2(setup.user.as_deref().unwrap(), token))).await;
    assert_eq!(r.code, 334);
    let json = unb64(&r.lines[0]);
    assert_eq!(json, r#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#);
    assert_eq!(
        r.lines[0],
        "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="
    );
    let r = c.cmd("").await;
    assert_code(&r, 535, "5.7.8");
    assert!(r.wire_lines()[1].contains("?p=BadCredentials"));

    // Without an initial response: "334 " then the response line.
    let r = c.cmd("AUTH XOAUTH2").await;
    assert_eq!((r.code, r.lines.as_slice()), (334, &[String::new()][..]));
    let r = c.cmd(&xoauth2(setup.user.as_deref().unwrap(), accounts::GMAIL_EXPIRED_TOKEN)).await;
    assert_eq!(r.code, 334);
    assert!(unb64(&r.lines[0]).contains(r#""status":"401""#));
    assert_code(&c.cmd("").await, 535, "5.7.8");

    // A malformed response.
    let r = c.cmd(&format!("AUTH XOAUTH2 {}", b64("user=x auth=Bearer y"))).await;
    assert_code(&r, 501, "5.5.2");
    assert!(wire(&r).starts_with("501 5.5.2 Cannot Decode response "));
    let r = c.cmd("AUTH XOAUTH2 !!!notbase64").await;
    assert_code(&r, 501, "5.5.2");

    // The right token is accepted.
    let r = c
        .cmd(&format!(
            "AUTH XOAUTH2 {}",
            xoauth2(setup.user.as_deref().unwrap(), accounts::GMAIL_VALID_TOKEN)
        ))
        .await;
    assert_eq!(wire(&r), "235 2.7.0 Accepted");
}

#[tokio::test]
async fn gmail_valid_token_for_another_account_is_status_400() {
    let sim = Simulator::start(Scenario::GmailXoauth2Rejected).await.unwrap();
    let (mut c, _) = Client::connect_tls(sim.implicit_addr(), sim.ca_pem(), sim.host_name()).await;
    c.cmd("EHLO x").await;
    let r =
        c.cmd(&format!("AUTH XOAUTH2 {}", xoauth2("someone@gmail.com", accounts::GMAIL_VALID_TOKEN))).await;
    assert!(unb64(&r.lines[0]).contains(r#""status":"400""#));
}

#[tokio::test]
async fn m365_greeting_and_order_errors() {
    let sim = Simulator::start(Scenario::M365Ok).await.unwrap();
    assert_eq!(sim.host_name(), "smtp.office365.com");
    let (mut c, banner) = Client::connect(sim.submission_addr()).await;
    let text = wire(&banner);
    let (server, date) = text
        .strip_prefix("220 ")
        .and_then(|t| t.split_once(" Microsoft ESMTP MAIL Service ready at "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(server.starts_with("BY1PR10CA") && server.ends_with(".outlook.office365.com"), "{server}");
    assert!(date.ends_with(" +0000") && date.contains(", "), "{date}");

    let ehlo = c.cmd("EHLO client.example").await;
    assert_eq!(
        ehlo.wire_lines(),
        [
            format!("250-{server} Hello [127.0.0.1]").as_str(),
            "250-SIZE 157286400",
            "250-PIPELINING",
            "250-DSN",
            "250-ENHANCEDSTATUSCODES",
            "250-STARTTLS",
            "250-8BITMIME",
            "250-BINARYMIME",
            "250-CHUNKING",
            "250 SMTPUTF8"
        ]
    );
    let r = c.cmd("AUTH LOGIN").await;
    assert_code(&r, 504, "5.7.4");
    let text = wire(&r);
    assert!(text.starts_with("504 5.7.4 Unrecognized authentication type [BY1PR10CA"), "{text}");
    assert!(text.ends_with(".namprd10.prod.outlook.com]"));
    let r = c.cmd("MAIL FROM:<printer@contoso.example>").await;
    assert_code(&r, 530, "5.7.57");
    assert!(wire(&r).starts_with("530 5.7.57 Client not authenticated to send mail. [BY1PR10CA"));

    let go = c.starttls(sim.ca_pem(), sim.host_name()).await;
    assert_eq!(wire(&go), "220 2.0.0 SMTP server ready");
    let ehlo = c.cmd("EHLO client.example").await;
    let lines = ehlo.wire_lines();
    assert_eq!(lines[5], "250-AUTH LOGIN XOAUTH2");
    assert!(!lines.iter().any(|l| l.contains("STARTTLS")));
    // Anonymous MAIL after TLS: still 5.7.57.
    assert_code(&c.cmd("MAIL FROM:<printer@contoso.example>").await, 530, "5.7.57");
    // PLAIN is not offered by Exchange Online.
    assert_code(&c.cmd("AUTH PLAIN").await, 504, "5.7.4");
    // Unknown verbs are not echoed (they may be a password sent out of step).
    let r = c.cmd("FROB nicate").await;
    assert!(wire(&r).starts_with("500 5.3.3 Unrecognized command [BY1PR10CA"), "{}", wire(&r));
}

#[tokio::test]
async fn m365_ok_sends_a_message() {
    let sim = Simulator::start(Scenario::M365Ok).await.unwrap();
    let setup = Scenario::M365Ok.client();
    let mut c = tls_session(&sim).await;
    let r = login(&mut c, setup.user.as_deref().unwrap(), "wrong").await;
    assert_code(&r, 535, "5.7.3");
    assert!(wire(&r).starts_with("535 5.7.3 Authentication unsuccessful [BY1PR10CA"));
    let r = login(&mut c, setup.user.as_deref().unwrap(), setup.password.as_deref().unwrap()).await;
    assert_eq!(wire(&r), "235 2.7.0 Authentication successful");
    assert_eq!(wire(&c.cmd(&format!("MAIL FROM:<{}>", setup.from)).await), "250 2.1.0 Sender OK");
    assert_eq!(wire(&c.cmd(&format!("RCPT TO:<{}>", setup.to)).await), "250 2.1.5 Recipient OK");
    assert_eq!(wire(&c.cmd("DATA").await), "354 Start mail input; end with <CRLF>.<CRLF>");
    c.send_raw(b"Subject: scan\r\n\r\nattached\r\n.\r\n").await;
    let text = wire(&c.read_reply().await);
    assert!(text.starts_with("250 2.0.0 OK <") && text.contains("> [Hostname=BY5PR10MB"), "{text}");
    assert!(text.ends_with(".namprd10.prod.outlook.com]"));
    assert_eq!(wire(&c.cmd("QUIT").await), "221 2.0.0 Service closing transmission channel");
    assert_eq!(sim.accepted_messages().len(), 1);
    assert_eq!(sim.accepted_messages()[0].user, setup.user.as_deref().unwrap());
}

#[tokio::test]
async fn m365_xoauth2() {
    let sim = Simulator::start(Scenario::M365Ok).await.unwrap();
    let mut c = tls_session(&sim).await;
    let r = c.cmd(&format!("AUTH XOAUTH2 {}", xoauth2(accounts::M365_USER, "not-a-token"))).await;
    assert_code(&r, 535, "5.7.3");
    let r =
        c.cmd(&format!("AUTH XOAUTH2 {}", xoauth2(accounts::M365_USER, accounts::M365_VALID_TOKEN))).await;
    assert_eq!(wire(&r), "235 2.7.0 Authentication successful");
}

#[tokio::test]
async fn m365_smtp_auth_disabled() {
    let sim = Simulator::start(Scenario::M365SmtpAuthDisabled).await.unwrap();
    let setup = Scenario::M365SmtpAuthDisabled.client();
    let mut c = tls_session(&sim).await;
    let r = login(&mut c, setup.user.as_deref().unwrap(), setup.password.as_deref().unwrap()).await;
    assert_code(&r, 535, "5.7.139");
    let text = wire(&r);
    assert!(
        text.starts_with(
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. \
             Visit https://aka.ms/smtp_auth_disabled for more information. [BY1PR10CA"
        ),
        "{text}"
    );
    // A token does not help either.
    let r =
        c.cmd(&format!("AUTH XOAUTH2 {}", xoauth2(accounts::M365_USER, accounts::M365_VALID_TOKEN))).await;
    assert_code(&r, 535, "5.7.139");
    assert_code(&c.cmd(&format!("MAIL FROM:<{}>", setup.from)).await, 530, "5.7.57");
}

#[tokio::test]
async fn m365_send_as_denied() {
    let sim = Simulator::start(Scenario::M365SendAsDenied).await.unwrap();
    let setup = Scenario::M365SendAsDenied.client();
    assert_eq!(setup.from, "scanner@contoso.example");
    let mut c = tls_session(&sim).await;
    let r = login(&mut c, setup.user.as_deref().unwrap(), setup.password.as_deref().unwrap()).await;
    assert_eq!(r.code, 235);
    let r = c.cmd(&format!("MAIL FROM:<{}>", setup.from)).await;
    assert_code(&r, 550, "5.7.60");
    assert!(
        wire(&r).starts_with(
            "550 5.7.60 SMTP; Client does not have permissions to send as this sender [BY1PR10CA"
        ),
        "{}",
        wire(&r)
    );
    // Its own address is fine.
    assert_code(&c.cmd("MAIL FROM:<Printer@Contoso.example>").await, 250, "2.1.0");
}

#[tokio::test]
async fn m365_direct_send_to_the_mx_endpoint() {
    let sim = Simulator::start(Scenario::M365DirectSendExternal).await.unwrap();
    assert_eq!(sim.host_name(), "contoso-example.mail.protection.outlook.com");
    assert_eq!(sim.provider(), Provider::Microsoft365);
    let setup = Scenario::M365DirectSendExternal.client();
    assert_eq!(setup.mode, Some("direct-send"));
    assert_eq!(setup.to, accounts::M365_EXTERNAL_RECIPIENT);
    let (mut c, banner) = Client::connect(sim.submission_addr()).await;
    let text = wire(&banner);
    let (server, _date) = text
        .strip_prefix("220 ")
        .and_then(|t| t.split_once(" Microsoft ESMTP MAIL Service ready at "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(server.ends_with(".mail.protection.outlook.com"), "{server}");

    // No AUTH before TLS or after; STARTTLS offered; mail goes without signing in.
    let ehlo = c.cmd("EHLO client.example").await;
    let lines = ehlo.wire_lines();
    assert_eq!(lines[0], format!("250-{server} Hello [127.0.0.1]"));
    assert!(lines.iter().any(|l| l == "250-STARTTLS"), "{lines:?}");
    assert!(!lines.iter().any(|l| l.contains("AUTH")), "{lines:?}");
    assert_code(&c.cmd("AUTH LOGIN").await, 504, "5.7.4");
    let r = c.cmd(&format!("MAIL FROM:<{}>", setup.from)).await;
    assert_eq!(wire(&r), "250 2.1.0 Sender OK");
    let r = c.cmd(&format!("RCPT TO:<{}>", setup.to)).await;
    assert_code(&r, 550, "5.7.54");
    let text = wire(&r);
    assert!(
        text.starts_with("550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain [")
            && text.ends_with(".eop-nam02.prod.protection.outlook.com]"),
        "{text}"
    );
    let r = c.cmd(&format!("RCPT TO:<{}>", accounts::M365_RECIPIENT)).await;
    assert_eq!(wire(&r), "250 2.1.5 Recipient OK");

    let go = c.starttls(sim.ca_pem(), sim.host_name()).await;
    assert_eq!(wire(&go), "220 2.0.0 SMTP server ready");
    let lines = c.cmd("EHLO client.example").await.wire_lines();
    assert!(!lines.iter().any(|l| l.contains("AUTH") || l.contains("STARTTLS")), "{lines:?}");
    assert_code(&c.cmd("AUTH LOGIN").await, 504, "5.7.4");
    assert_eq!(wire(&c.cmd(&format!("MAIL FROM:<{}>", setup.from)).await), "250 2.1.0 Sender OK");
    assert_code(&c.cmd("RCPT TO:<partner@FABRIKAM.example>").await, 550, "5.7.54");
    assert_eq!(wire(&c.cmd("RCPT TO:<frontdesk@Contoso.Example>").await), "250 2.1.5 Recipient OK");
    assert_eq!(c.cmd("DATA").await.code, 354);
    c.send_raw(b"Subject: hi\r\n\r\nbody\r\n.\r\n").await;
    let r = c.try_read_reply().await.expect("reply after DATA");
    assert_eq!(r.code, 250, "{}", wire(&r));
    let accepted = sim.accepted_messages();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].user, "");
    assert_eq!(accepted[0].to, ["frontdesk@Contoso.Example"]);
}

/// Sends a hand-made ClientHello for `version` and reads the server's first record.
async fn send_hello(tcp: &mut tokio::net::TcpStream, version: TlsVersion, host: &str) -> HelloAnswer {
    tcp.write_all(&client_hello(version, Some(host), [42; 32])).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(WAIT, tcp.read(&mut buf)).await.unwrap().unwrap_or(0);
        got.extend_from_slice(&buf[..n]);
        match read_hello_answer(&got) {
            HelloAnswer::Incomplete if n > 0 => continue,
            answer => return answer,
        }
    }
}

/// EHLO, STARTTLS, then a hand-made ClientHello on the submission port.
async fn starttls_hello(sim: &Simulator, version: TlsVersion) -> HelloAnswer {
    let (mut c, _) = Client::connect(sim.submission_addr()).await;
    c.cmd("EHLO scanner").await;
    assert_eq!(c.cmd("STARTTLS").await.code, 220);
    let mut tcp = c.into_tcp();
    send_hello(&mut tcp, version, sim.host_name()).await
}

#[tokio::test]
async fn m365_legacy_tls_10_client_hello_gets_protocol_version_alert() {
    let sim = Simulator::start(Scenario::M365LegacyTlsRefused).await.unwrap();
    assert_eq!(Scenario::M365LegacyTlsRefused.client().client_tls_max, Some("1.0"));
    // STARTTLS, then a hand-made TLS 1.0 ClientHello, as the old scanner sends it.
    assert_eq!(
        starttls_hello(&sim, TlsVersion::Tls10).await,
        HelloAnswer::Alert { level: 2, description: 70 },
        "protocol_version"
    );
    assert_eq!(
        starttls_hello(&sim, TlsVersion::Tls11).await,
        HelloAnswer::Alert { level: 2, description: 70 }
    );
    // A TLS 1.2 device of the same make gets a ServerHello.
    assert_eq!(starttls_hello(&sim, TlsVersion::Tls12).await, HelloAnswer::Accepted(TlsVersion::Tls12));

    // The same on the implicit-TLS port.
    let mut tcp = tokio::net::TcpStream::connect(sim.implicit_addr()).await.unwrap();
    let answer = send_hello(&mut tcp, TlsVersion::Tls10, sim.host_name()).await;
    assert_eq!(answer, HelloAnswer::Alert { level: 2, description: 70 });

    // A modern client on the same simulator gets through and may sign in.
    let mut c = tls_session(&sim).await;
    assert_eq!(c.tls_version().map(|v| format!("{v:?}")).as_deref(), Some("TLSv1_3"));
    let r = login(&mut c, accounts::M365_USER, accounts::M365_PASSWORD).await;
    assert_eq!(r.code, 235);
}

#[tokio::test]
async fn idle_connections_time_out() {
    let options = SimOptions { idle_timeout: Duration::from_millis(300), ..SimOptions::default() };
    let sim = Simulator::start_with(Scenario::M365Ok, options).await.unwrap();
    let (mut c, _) = Client::connect(sim.submission_addr()).await;
    let r = c.read_reply().await;
    assert_code(&r, 421, "4.4.2");
    assert!(wire(&r).contains("timeout"));
    assert!(c.try_read_reply().await.is_none());
    // Also inside DATA.
    let sim = Simulator::start_with(Scenario::GmailOk, options).await.unwrap();
    let (mut c, _) = Client::connect_tls(sim.implicit_addr(), sim.ca_pem(), sim.host_name()).await;
    c.cmd("EHLO x").await;
    c.cmd(&format!("AUTH PLAIN {}", plain(accounts::GMAIL_USER, accounts::GMAIL_APP_PASSWORD))).await;
    c.cmd("MAIL FROM:<a@b.example>").await;
    c.cmd("RCPT TO:<c@d.example>").await;
    assert_eq!(c.cmd("DATA").await.code, 354);
    c.send_raw(b"partial line").await;
    assert_code(&c.read_reply().await, 421, "4.4.2");
}

#[tokio::test]
async fn garbage_gets_errors_not_crashes() {
    let sim = Simulator::start(Scenario::GmailOk).await.unwrap();
    let (mut c, _) = Client::connect(sim.submission_addr()).await;
    // An overlong line (10 kB), then binary junk, then a valid command still works.
    let mut long = vec![b'A'; 10_000];
    long.extend_from_slice(b"\r\n");
    c.send_raw(&long).await;
    assert_code(&c.read_reply().await, 500, "5.5.2");
    c.send_raw(b"\x00\xff\xfe garbage \x01\r\n").await;
    assert_code(&c.read_reply().await, 502, "5.5.1");
    assert_code(&c.cmd("MAIL FROM:<x@y>").await, 503, "5.5.1");
    assert_code(&c.cmd("NOOP").await, 250, "2.0.0");
    assert_eq!(c.cmd("EHLO x").await.code, 250);
    c.starttls(sim.ca_pem(), sim.host_name()).await;
    c.cmd("EHLO x").await;
    c.cmd(&format!("AUTH PLAIN {}", plain(accounts::GMAIL_USER, accounts::GMAIL_APP_PASSWORD))).await;
    assert_code(&c.cmd("MAIL FROM:no-brackets").await, 555, "5.5.2");
    assert_code(&c.cmd("RCPT TO:<a@b>").await, 503, "5.5.1");
    assert_code(&c.cmd("DATA").await, 503, "5.5.1");
    assert_code(&c.cmd("BDAT x").await, 555, "5.5.2");
    // Repeated errors end the session with 421.
    let mut last = None;
    for _ in 0..10 {
        c.send_raw(b"WHAT\r\n").await;
        match c.try_read_reply().await {
            Some(r) => last = Some(r),
            None => break,
        }
    }
    assert_code(&last.unwrap(), 421, "4.7.0");
    assert!(c.try_read_reply().await.is_none());

    // Plaintext on the implicit-TLS port: the handshake fails and the connection closes.
    let mut tcp = tokio::net::TcpStream::connect(sim.implicit_addr()).await.unwrap();
    tcp.write_all(b"EHLO x\r\n").await.unwrap();
    let mut buf = [0u8; 256];
    let mut total = 0;
    while let Ok(n) = tokio::time::timeout(WAIT, tcp.read(&mut buf)).await.unwrap() {
        if n == 0 {
            break;
        }
        total += n;
    }
    assert!(total < 256);

    // Garbage instead of a ClientHello after STARTTLS, and an empty EHLO on Gmail.
    let (mut c, _) = Client::connect(sim.submission_addr()).await;
    c.cmd("EHLO x").await;
    c.cmd("STARTTLS").await;
    c.send_raw(&[0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3]).await;
    let (mut c, _) = Client::connect(sim.submission_addr()).await;
    let r = c.cmd("EHLO").await;
    assert_code(&r, 501, "5.5.4");
    assert!(c.try_read_reply().await.is_none(), "Gmail closes after an empty EHLO");

    // The simulator still serves.
    let (_, banner) = Client::connect(sim.submission_addr()).await;
    assert_eq!(banner.code, 220);
}

#[tokio::test]
async fn shutdown_closes_listeners() {
    let sim = Simulator::start(Scenario::GmailOk).await.unwrap();
    let addr = sim.submission_addr();
    let (mut open, _) = Client::connect(addr).await;
    sim.shutdown();
    // Aborted tasks are dropped by the runtime shortly after.
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "listener still open");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The open connection was aborted too.
    let mut buf = [0u8; 16];
    assert!(matches!(open.read_some(&mut buf).await, Ok(0) | Err(_)));
}

#[tokio::test]
async fn secrets_never_appear_in_replies() {
    let secrets = [
        accounts::GMAIL_ACCOUNT_PASSWORD,
        accounts::GMAIL_APP_PASSWORD,
        accounts::GMAIL_VALID_TOKEN,
        accounts::GMAIL_TOKEN_WITHOUT_MAIL_SCOPE,
        accounts::M365_PASSWORD,
        accounts::M365_VALID_TOKEN,
    ];
    let mut seen = String::new();
    for &scenario in Scenario::all() {
        let sim = Simulator::start(scenario).await.unwrap();
        let setup = scenario.client();
        let mut c = tls_session(&sim).await;
        // Direct send signs in with nothing: try the M365 mailbox's secret there anyway.
        let secret =
            setup.password.clone().or(setup.token.clone()).unwrap_or_else(|| accounts::M365_PASSWORD.into());
        let user = setup.user.clone().unwrap_or_else(|| accounts::M365_USER.into());
        for line in [
            format!("AUTH PLAIN {}", plain(&user, &secret)),
            format!("AUTH XOAUTH2 {}", xoauth2(&user, &secret)),
            String::new(),
            format!("AUTH LOGIN {}", b64(&user)),
            b64(&secret),
            format!("MAIL FROM:<{secret}>"),
            secret.clone(),
        ] {
            c.send_raw(format!("{line}\r\n").as_bytes()).await;
            match c.try_read_reply().await {
                Some(r) => seen.push_str(&wire(&r)),
                None => break,
            }
        }
    }
    for s in secrets {
        assert!(!seen.contains(s), "a secret was echoed");
    }
}
