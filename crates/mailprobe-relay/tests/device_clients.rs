//! Real clients send through the relay's device side and the message lands in the spool byte
//! for byte: swaks and Python's smtplib over plain SMTP, STARTTLS and implicit TLS with AUTH
//! PLAIN and LOGIN; `openssl s_client -tls1` and `-tls1_1` (a TLS-1.0-only device) through a
//! legacy listener; the same client refused by a default listener with a protocol_version alert.

mod support;

use support::{TestRelay, assert_stored, device, run, sample_message, swaks, temp_dir};

const LISTENERS: &str = r#"
[[listener]]
bind = "127.0.0.1:0"
tls = "none"
auth_requires_tls = false

[[listener]]
bind = "127.0.0.1:0"
tls = "starttls"
certificate = "CERT"
key = "KEY"

[[listener]]
bind = "127.0.0.1:0"
tls = "implicit"
certificate = "CERT"
key = "KEY"

[[listener]]
bind = "127.0.0.1:0"
tls = "starttls"
certificate = "CERT"
key = "KEY"
legacy_tls = true

[[listener]]
bind = "127.0.0.1:0"
tls = "implicit"
certificate = "CERT"
key = "KEY"
legacy_tls = true
"#;

/// Listener indexes in [`LISTENERS`].
const PLAIN: usize = 0;
const STARTTLS: usize = 1;
const IMPLICIT: usize = 2;
const LEGACY_STARTTLS: usize = 3;
const LEGACY_IMPLICIT: usize = 4;

async fn relay(name: &str) -> (TestRelay, mailprobe_relay::NewDevice) {
    let dir = temp_dir(name);
    let scanner = device("scanner");
    let body = format!("{LISTENERS}\n{}senders = [\"@contoso.test\"]\n", scanner.toml);
    (TestRelay::start(&dir, &body).await, scanner)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaks_sends_over_plain_smtp_starttls_and_implicit_tls() {
    let (mut relay, scanner) = relay("swaks").await;
    let cases: [(usize, &[&str], &str); 4] = [
        (PLAIN, &["--auth", "LOGIN"], "ESMTPA"),
        (STARTTLS, &["--tls", "--auth", "PLAIN"], "ESMTPSA"),
        (IMPLICIT, &["--tlsc", "--auth", "LOGIN"], "ESMTPSA"),
        // A legacy listener still serves a modern client with TLS 1.2 or 1.3.
        (LEGACY_STARTTLS, &["--tls", "--auth", "PLAIN"], "ESMTPSA"),
    ];
    for (i, (listener, flags, protocol)) in cases.iter().enumerate() {
        let message = sample_message(&format!("swaks-{i}"));
        let file = relay.dir.join(format!("swaks-{i}.eml"));
        // swaks ends the data with CRLF . CRLF itself: the file leaves out the last line end.
        std::fs::write(&file, &message[..message.len() - 2]).unwrap();
        let mut args =
            vec!["--from", "scan@contoso.test", "--to", "office@example.test", "--auth-user", "scanner"];
        args.extend_from_slice(&["--auth-password", &scanner.password]);
        args.extend_from_slice(flags);
        let out = swaks(relay.addrs[*listener], &file, &args).await;
        assert!(out.ok && out.output.contains(" 250 2.0.0 Ok: queued as "), "{flags:?}:\n{}", out.output);
        let messages = relay.messages();
        let (queued, stored) = messages.last().unwrap();
        assert_eq!(messages.len(), i + 1);
        assert_stored(stored, &message, "scanner");
        assert!(String::from_utf8_lossy(stored).contains(&format!("with {protocol}")), "{protocol}");
        assert!(out.output.contains(&format!("queued as {}", queued.id)), "{}", out.output);
        assert_eq!(queued.envelope.from, "scan@contoso.test");
        assert_eq!(queued.envelope.to, ["office@example.test"]);
        assert_eq!(queued.envelope.device, "scanner");
    }
    let log = relay.log_text();
    assert!(
        log.contains(
            "Anonymous TLS connection established from unknown[127.0.0.1]: TLSv1.3 with cipher TLS13_"
        ),
        "{log}"
    );
    assert!(
        log.contains("sasl_method=LOGIN, sasl_username=scanner") && log.contains("sasl_method=PLAIN"),
        "{log}"
    );
    assert!(!log.contains(&scanner.password));
    relay.stop().await;
}

const SMTPLIB: &str = r#"
import os, smtplib, ssl
ctx = ssl.create_default_context(cafile=os.environ["CA"])
port = int(os.environ["PORT"])
user, password = os.environ["DEVICE_USER"], os.environ["DEVICE_PASSWORD"]
mode = os.environ["MODE"]
if mode == "implicit":
    s = smtplib.SMTP_SSL("127.0.0.1", port, timeout=20, context=ctx)
else:
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.ehlo("smtplib-device")
if mode == "starttls":
    s.starttls(context=ctx)
    s.ehlo("smtplib-device")
if os.environ["MECH"] == "LOGIN":
    # smtplib sends the user name on the AUTH line: AUTH LOGIN <base64 user>.
    s.user, s.password = user, password
    code, text = s.auth("LOGIN", s.auth_login)
else:
    code, text = s.login(user, password)
print("auth", code)
s.mail("scan@contoso.test")
s.rcpt("office@example.test")
code, text = s.data(open(os.environ["DATA"], "rb").read())
print("data", code, text.decode())
s.quit()
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_smtplib_sends_with_plain_and_login_over_tls() {
    let (mut relay, scanner) = relay("smtplib").await;
    let ca = relay.dir.join("cert.pem").display().to_string();
    for (i, (listener, mode, mech)) in [
        (STARTTLS, "starttls", "PLAIN"),
        (IMPLICIT, "implicit", "LOGIN"),
        (PLAIN, "plain", "LOGIN"),
        (LEGACY_IMPLICIT, "implicit", "PLAIN"),
    ]
    .into_iter()
    .enumerate()
    {
        let message = sample_message(&format!("smtplib-{i}"));
        let file = relay.dir.join(format!("smtplib-{i}.eml"));
        std::fs::write(&file, &message).unwrap();
        let port = relay.addrs[listener].port().to_string();
        let file = file.display().to_string();
        let env = [
            ("CA", ca.as_str()),
            ("PORT", port.as_str()),
            ("DEVICE_USER", "scanner"),
            ("DEVICE_PASSWORD", scanner.password.as_str()),
            ("MODE", mode),
            ("MECH", mech),
            ("DATA", file.as_str()),
        ];
        let out = run("python3", &["-c", SMTPLIB], b"", &env).await;
        assert!(out.ok && out.output.contains("auth 235"), "{mode} {mech}:\n{}", out.output);
        let messages = relay.messages();
        let (queued, stored) = messages.last().unwrap();
        assert!(
            out.output.contains(&format!("data 250 2.0.0 Ok: queued as {}", queued.id)),
            "{}",
            out.output
        );
        assert_stored(stored, &message, "scanner");
        assert!(String::from_utf8_lossy(stored).starts_with("Received: from smtplib-device "));
    }
    assert_eq!(relay.messages().len(), 4);
    relay.stop().await;
}

/// An SMTP dialogue for `openssl s_client` (after its own EHLO and STARTTLS, if any).
fn s_client_dialogue(password: &str, message: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("\0scanner\0{password}"));
    let mut script = format!(
        "EHLO old-printer\r\nAUTH PLAIN {auth}\r\nMAIL FROM:<scan@contoso.test>\r\nRCPT TO:<office@example.test>\r\nDATA\r\n"
    )
    .into_bytes();
    // Dot-stuffing, as the device does.
    for line in message.split_inclusive(|&b| b == b'\n') {
        if line.first() == Some(&b'.') {
            script.push(b'.');
        }
        script.extend_from_slice(line);
    }
    script.extend_from_slice(b".\r\nQUIT\r\n");
    script
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_0_and_1_1_clients_send_through_a_legacy_listener() {
    let (mut relay, scanner) = relay("legacy").await;
    for (i, (listener, version)) in
        [(LEGACY_STARTTLS, "-tls1"), (LEGACY_IMPLICIT, "-tls1_1")].into_iter().enumerate()
    {
        let message = sample_message(&format!("legacy-{i}"));
        let connect = relay.addrs[listener].to_string();
        let mut args = vec!["s_client", "-connect", &connect, version, "-cipher", "DEFAULT@SECLEVEL=0"];
        if listener == LEGACY_STARTTLS {
            args.extend_from_slice(&["-starttls", "smtp"]);
        }
        // -quiet also waits for the server to close after QUIT (-ign_eof); -nocommands keeps
        // the lines starting with R and Q (RCPT, QUIT) from being read as s_client commands.
        args.extend_from_slice(&["-quiet", "-nocommands"]);
        let out = run("openssl", &args, &s_client_dialogue(&scanner.password, &message), &[]).await;
        assert!(out.output.contains("235 2.7.0 Authentication successful"), "{version}:\n{}", out.output);
        assert!(
            out.output.contains("250 2.0.0 Ok: queued as ") && out.output.contains("221 2.0.0 Bye"),
            "{}",
            out.output
        );
        let messages = relay.messages();
        assert_eq!(messages.len(), i + 1);
        assert_stored(&messages[i].1, &message, "scanner");
    }
    let log = relay.log_text();
    // OpenSSL's names: TLSv1 and TLSv1.1, with a SHA-1 CBC suite (all these protocols have).
    assert!(log.contains("from unknown[127.0.0.1]: TLSv1 with cipher ECDHE-RSA-AES256-SHA"), "{log}");
    assert!(log.contains("from unknown[127.0.0.1]: TLSv1.1 with cipher ECDHE-RSA-AES256-SHA"), "{log}");
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_default_listener_refuses_tls_1_0_with_a_protocol_version_alert() {
    let (mut relay, scanner) = relay("modern-only").await;
    for (listener, version) in [(STARTTLS, "-tls1"), (IMPLICIT, "-tls1"), (STARTTLS, "-tls1_1")] {
        let connect = relay.addrs[listener].to_string();
        let mut args = vec!["s_client", "-connect", &connect, version, "-cipher", "DEFAULT@SECLEVEL=0"];
        if listener == STARTTLS {
            args.extend_from_slice(&["-starttls", "smtp"]);
        }
        args.extend_from_slice(&["-quiet", "-nocommands"]);
        let out =
            run("openssl", &args, &s_client_dialogue(&scanner.password, b"Subject: x\r\n\r\nx\r\n"), &[])
                .await;
        assert!(!out.ok, "{}", out.output);
        assert!(
            out.output.contains("alert protocol version") && out.output.contains("SSL alert number 70"),
            "{version} on {listener}:\n{}",
            out.output
        );
        assert!(!out.output.contains("235 "));
    }
    assert!(relay.messages().is_empty());
    let log = relay.log_text();
    assert_eq!(log.matches("SSL_accept error from unknown[127.0.0.1]").count(), 3, "{log}");
    relay.stop().await;
}
