//! Live diagnoses that real servers of two MTA families proved wrong once (issue 16), each
//! checked against the real daemons `scripts/testenv` starts on loopback: Exim 4 (Debian's
//! defaults: AUTH only after STARTTLS, a self-signed CA:TRUE certificate from `openssl req
//! -x509`), Postfix, and Dovecot. Where an independent client can settle what is true
//! (`openssl s_client`, swaks), the test asks it too.

mod support;

use std::process::{Command, Stdio};

use serde_json::Value;
use support::testenv::TestEnv;

/// Runs `mailprobe diagnose ... --format json` with the test password in `MP_PASSWORD`.
fn diagnose(args: &[&str]) -> (Option<i32>, Value) {
    let env = TestEnv::get();
    let all = [&["diagnose", "--format", "json", "--timeout", "5"], args].concat();
    let out = support::cli::mailprobe(&all, None, &[("MP_PASSWORD", env.password.as_str())]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), doc)
}

fn ids(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

fn finding<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {doc:#}"))
}

/// The Exim listener at `port`, reached as `mail.example.test` (the only name on its certificate).
fn exim(port: u16) -> Vec<String> {
    let env = TestEnv::get();
    let port = port.to_string();
    ["--host", &env.tls_name, "--connect-to", &format!("{}:{port}", env.host), "--port", &port]
        .map(str::to_owned)
        .to_vec()
}

fn login(env: &TestEnv) -> Vec<&str> {
    vec!["--user", env.user.as_str(), "--password-env", "MP_PASSWORD"]
}

/// Does `openssl s_client -starttls smtp` verify Exim's certificate with `ca` trusted?
fn openssl_verifies(port: u16, ca: &str) -> bool {
    let out = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-starttls", "smtp"])
        .args(["-servername", "mail.example.test", "-verify_hostname", "mail.example.test", "-CAfile", ca])
        .args(["-verify_return_error"])
        .stdin(Stdio::null())
        .output()
        .expect("openssl is installed by scripts/testenv install");
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verify return code: 0 (ok)")
}

#[test]
fn a_ca_true_self_signed_certificate_is_untrusted_not_a_handshake_failure_without_ca_file() {
    let env = TestEnv::get();
    let (code, doc) = diagnose(
        &[&exim(env.exim_smtp).iter().map(String::as_str).collect::<Vec<_>>()[..], &login(env)].concat(),
    );
    assert_eq!(code, Some(1), "{doc:#}");
    let ids = ids(&doc);
    assert_eq!(ids.first().map(String::as_str), Some("tls.cert_untrusted"), "{ids:?}");
    assert!(!ids.iter().any(|i| i == "tls.handshake_failed"), "{ids:?}");
    let f = finding(&doc, "tls.cert_untrusted");
    assert!(f["summary"].as_str().unwrap().contains("self-signed"), "{f:#}");
    // Never the mode: the evidence shows a TLS server that sent its certificate.
    assert!(!f["summary"].as_str().unwrap().contains("encryption mode"), "{f:#}");
}

#[test]
fn a_ca_true_certificate_trusted_with_ca_file_passes_with_a_warning_as_openssl_agrees() {
    let env = TestEnv::get();
    let cert = env.exim_cert.display().to_string();
    assert!(openssl_verifies(env.exim_smtp, &cert), "openssl s_client does not accept the certificate");
    let target = exim(env.exim_smtp);
    let mut args: Vec<&str> = target.iter().map(String::as_str).collect();
    args.extend(["--ca-file", &cert]);
    args.extend(login(env));
    let (code, doc) = diagnose(&args);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(ids(&doc), ["tls.cert_is_ca"]);
    assert_eq!(finding(&doc, "tls.cert_is_ca")["severity"], "warning");
    // Every later step ran: the login and the envelope.
    let replies = doc.to_string();
    assert!(replies.contains("235 Authentication succeeded"), "{doc:#}");
    assert!(replies.contains("250 Accepted"), "{doc:#}");
    // The same on the implicit-TLS port.
    let target = exim(env.exim_smtps);
    let mut args: Vec<&str> = target.iter().map(String::as_str).collect();
    args.extend(["--security", "tls", "--ca-file", &cert]);
    let (code, doc) = diagnose(&args);
    assert_eq!((code, ids(&doc)), (Some(0), vec!["tls.cert_is_ca".to_owned()]), "{doc:#}");
}

#[test]
fn trusting_the_certificate_still_checks_its_name() {
    let env = TestEnv::get();
    let cert = env.exim_cert.display().to_string();
    let port = env.exim_smtp.to_string();
    // Reached by address, the certificate (for mail.example.test only) does not fit.
    let (code, doc) = diagnose(&["--host", &env.host, "--port", &port, "--ca-file", &cert]);
    assert_eq!(code, Some(1));
    assert_eq!(ids(&doc).first().map(String::as_str), Some("tls.cert_hostname_mismatch"), "{doc:#}");
}

#[test]
fn auth_offered_only_after_starttls_means_switch_on_starttls_on_exim_and_postfix() {
    let env = TestEnv::get();
    for target in [exim(env.exim_smtp), exim(env.smtp_starttls)] {
        let mut args: Vec<&str> = target.iter().map(String::as_str).collect();
        args.extend(["--security", "none"]);
        args.extend(login(env));
        let (code, doc) = diagnose(&args);
        assert_eq!(code, Some(1), "{doc:#}");
        assert_eq!(ids(&doc), ["auth.requires_tls"], "{target:?}: {doc:#}");
        let f = finding(&doc, "auth.requires_tls");
        assert!(f["fixes"][0]["text"].as_str().unwrap().contains("STARTTLS"), "{f:#}");
    }
    // swaks, an independent client, stops the same way on Exim: its transcript, analyzed, is
    // the same finding and never "no problem found".
    let swaks = Command::new("swaks")
        .args(["--server", &env.host, "--port", &env.exim_smtp.to_string(), "--timeout", "10"])
        .args([
            "--auth-user",
            &env.user,
            "--auth-password",
            &env.password,
            "--from",
            &env.user,
            "--to",
            &env.user2,
        ])
        .stdin(Stdio::null())
        .output()
        .expect("swaks is installed by scripts/testenv install");
    assert_eq!(swaks.status.code(), Some(28), "{}", String::from_utf8_lossy(&swaks.stdout));
    let transcript = [swaks.stdout, swaks.stderr].concat();
    let out = support::cli::mailprobe(&["analyze", "--format", "json", "-"], Some(&transcript), &[]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let text = doc.to_string();
    assert!(text.contains("auth.requires_tls"), "{doc:#}");
    assert!(!text.contains(&env.password), "the password leaked into the report");
    let plain = support::cli::mailprobe(&["analyze", "-"], Some(&transcript), &[]);
    let plain = String::from_utf8_lossy(&plain.stdout);
    assert!(!plain.contains("No problem found"), "{plain}");
    assert!(!plain.contains("ui-"), "a raw message key in: {plain}");
}

#[test]
fn exims_own_wording_of_a_wrong_password_gets_no_gmail_or_microsoft_causes() {
    let env = TestEnv::get();
    let cert = env.exim_cert.display().to_string();
    let target = exim(env.exim_smtp);
    let mut args: Vec<&str> = target.iter().map(String::as_str).collect();
    args.extend(["--ca-file", &cert, "--user", &env.user, "--password-env", "MP_WRONG"]);
    let all = [&["diagnose", "--format", "json", "--timeout", "5"], &args[..]].concat();
    let out = support::cli::mailprobe(&all, None, &[("MP_WRONG", "not-the-password")]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(ids(&doc).first().map(String::as_str), Some("auth.credentials_rejected"), "{doc:#}");
    let text = finding(&doc, "auth.credentials_rejected").to_string();
    for provider_word in ["Google", "Gmail", "Microsoft", "app password"] {
        assert!(!text.contains(provider_word), "{provider_word} in {text}");
    }
}

#[test]
fn exims_relay_refusal_is_a_relay_refusal() {
    let env = TestEnv::get();
    let cert = env.exim_cert.display().to_string();
    let target = exim(env.exim_smtp);
    let mut args: Vec<&str> = target.iter().map(String::as_str).collect();
    args.extend(["--ca-file", &cert, "--from", &env.user, "--to", "someone@elsewhere.example"]);
    let (code, doc) = diagnose(&args);
    assert_eq!(code, Some(1));
    assert_eq!(ids(&doc).first().map(String::as_str), Some("smtp.relay_denied"), "{doc:#}");
}

#[test]
fn a_server_tls_set_up_no_current_client_can_use_is_the_servers_problem_first() {
    let env = TestEnv::get();
    let cert = env.exim_cert.display().to_string();
    let target = exim(env.exim_smtp_oldtls);
    let mut args: Vec<&str> = target.iter().map(String::as_str).collect();
    args.extend(["--ca-file", &cert]);
    let (code, doc) = diagnose(&args);
    assert_eq!(code, Some(1));
    assert_eq!(ids(&doc), ["tls.server_refused_handshake"], "{doc:#}");
    // A TLS-1.0-only client would get in (the capped hello is answered with TLS 1.0): the old
    // version is not blamed.
    args.extend(["--client-tls-max", "1.0"]);
    let (_, doc) = diagnose(&args);
    let ids = ids(&doc);
    assert_eq!(ids.first().map(String::as_str), Some("tls.server_refused_handshake"), "{ids:?}");
    assert!(!ids.iter().any(|i| i == "tls.version_too_old"), "{ids:?}");
}

#[test]
fn a_tls_1_2_floor_blames_the_old_version_only_when_it_refuses_it() {
    let env = TestEnv::get();
    let port = env.smtp_starttls.to_string();
    let ca = env.ca_file.display().to_string();
    let (code, doc) =
        diagnose(&["--host", &env.host, "--port", &port, "--ca-file", &ca, "--client-tls-max", "1.0"]);
    assert_eq!(code, Some(1));
    assert_eq!(ids(&doc).first().map(String::as_str), Some("tls.version_too_old"), "{doc:#}");
    assert!(!ids(&doc).iter().any(|i| i == "tls.server_refused_handshake"), "{doc:#}");
}

#[test]
fn imap_on_a_non_standard_implicit_tls_port_is_a_mode_mismatch_with_the_working_pair() {
    let env = TestEnv::get();
    let ca = env.ca_file.display().to_string();
    let imap = format!("--imap={}:{}", env.host, env.imaps);
    let port = env.smtp_starttls.to_string();
    let mut args = vec!["--host", env.host.as_str(), "--port", &port, "--ca-file", &ca, &imap];
    args.extend(login(env));
    let (code, doc) = diagnose(&args);
    assert_eq!(code, Some(1), "{doc:#}");
    let f = finding(&doc, "tls.mode_mismatch");
    assert_eq!(f["params"]["working_port"], env.imaps.to_string(), "{f:#}");
    assert_eq!(f["params"]["working_security"], "tls", "{f:#}");
    assert_eq!(f["params"]["protocol"], "IMAP", "{f:#}");
    assert_eq!(ids(&doc).first().map(String::as_str), Some("tls.mode_mismatch"), "{doc:#}");
}

/// mailprobe's own report, pasted back into `explain`, is explained the way the probe explained
/// it: a user often has only the text a colleague sent.
#[test]
fn a_report_mailprobe_printed_is_explained_back_the_same_way() {
    let env = TestEnv::get();
    let cert = env.exim_cert.display().to_string();
    let cases: Vec<Vec<String>> = vec![
        exim(env.exim_smtp),
        [exim(env.exim_smtp_oldtls), vec!["--ca-file".into(), cert.clone()]].concat(),
        [
            exim(env.exim_smtp),
            vec![
                "--ca-file".into(),
                cert,
                "--from".into(),
                env.user.clone(),
                "--to".into(),
                "x@elsewhere.example".into(),
            ],
        ]
        .concat(),
        [
            "--host",
            &env.host,
            "--port",
            &env.smtp_wrongname.to_string(),
            "--ca-file",
            &env.ca_file.display().to_string(),
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, doc) = diagnose(&args);
        let probed = ids(&doc);
        let text = support::cli::mailprobe(&[&["diagnose", "--timeout", "5"], &args[..]].concat(), None, &[]);
        let out = support::cli::mailprobe(&["explain", "--format", "json", "-"], Some(&text.stdout), &[]);
        let explained: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(
            ids(&explained).first(),
            probed.first(),
            "{args:?}\n{}",
            String::from_utf8_lossy(&text.stdout)
        );
    }
}
