//! `mailprobe diagnose` end to end against the real Postfix and Dovecot that
//! `scripts/testenv` starts on loopback. Each test asserts the exit status and the finding.

mod support;

use std::io::Read as _;
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use support::testenv::TestEnv;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

/// Runs mailprobe with the env's password in `MP_PASSWORD` (never in the arguments).
fn mailprobe(args: &[&str], password: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("NO_COLOR", "1").env("LANG", "C").env_remove("LC_ALL").env_remove("LC_MESSAGES");
    if let Some(p) = password {
        cmd.env("MP_PASSWORD", p);
    }
    cmd.stdin(Stdio::null()).output().expect("run mailprobe")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn finding_ids(doc: &Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

fn finding<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["findings"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap_or_else(|| {
        panic!("no finding {id} in {}", serde_json::to_string_pretty(&doc["findings"]).unwrap())
    })
}

fn port(p: u16) -> String {
    p.to_string()
}

fn assert_all_steps_ok(doc: &Value) {
    assert_eq!(doc["ok"], true, "{}", serde_json::to_string_pretty(doc).unwrap());
    for t in doc["transcripts"].as_array().unwrap() {
        for s in t["steps"].as_array().unwrap() {
            assert_eq!(s["ok"], true, "step {s} failed");
        }
    }
}

fn stages(doc: &Value, transcript: usize) -> Vec<String> {
    doc["transcripts"][transcript]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn good_login_over_starttls_works() {
    let env = TestEnv::get();
    let p = port(env.smtp_starttls);
    let mut args = env.login_args(&p, "starttls");
    args.extend(["--to", "bob@example.test", "--format", "json"]);
    let out = mailprobe(&args, Some(&env.password));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert_all_steps_ok(&doc);
    assert_eq!(
        stages(&doc, 0),
        ["connect", "banner", "ehlo", "tls", "ehlo", "auth", "mail_from", "rcpt_to", "quit"]
    );
    let tls = doc["transcripts"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "tls_established")
        .expect("a TLS session");
    assert!(tls["session"]["version"].as_str().unwrap().starts_with("TLSv1."), "{tls}");
    assert!(tls["session"]["certificates"][0]["names"].as_array().unwrap().iter().any(|n| n == "127.0.0.1"));
    assert!(finding_ids(&doc).is_empty(), "{:?}", finding_ids(&doc));

    // The text report shows each step with a tick and no cross.
    args.truncate(args.len() - 2);
    let out = mailprobe(&args, Some(&env.password));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("✓ Sign-in") && !text.contains('✗'), "{text}");
}

#[test]
fn good_login_over_implicit_tls_and_send() {
    let env = TestEnv::get();
    let p = port(env.smtp_implicit);
    let mut args = env.login_args(&p, "tls");
    args.extend(["--send", "--format", "json"]);
    let out = mailprobe(&args, Some(&env.password));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert_all_steps_ok(&doc);
    assert_eq!(
        stages(&doc, 0),
        ["connect", "tls", "banner", "ehlo", "auth", "mail_from", "rcpt_to", "data", "quit"]
    );
    // Postfix logged the delivery of the test message (discarded by its transport).
    let started = Instant::now();
    loop {
        let log = std::fs::read_to_string(&env.postfix_log).unwrap_or_default();
        if log.contains(&format!("from=<{}>", env.user)) && log.contains("status=sent") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "Postfix never logged the test message");
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn wrong_password_is_credentials_rejected() {
    let env = TestEnv::get();
    let p = port(env.smtp_starttls);
    let mut args = env.login_args(&p, "starttls");
    args.extend(["--format", "json"]);
    let out = mailprobe(&args, Some("Canary-Wrong-55e1c0de"));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "auth.credentials_rejected");
    let f = finding(&doc, "auth.credentials_rejected");
    assert!(
        f["evidence"].as_array().unwrap().iter().any(|e| e.as_str().unwrap().starts_with("535 5.7.8")),
        "{f:#}"
    );
    for key in ["id", "severity", "stage", "title", "evidence", "causes", "fixes"] {
        assert!(f.get(key).is_some(), "finding lacks {key}");
    }
    assert_eq!(f["severity"], "error");
}

#[test]
fn starttls_on_the_implicit_tls_port_is_a_mode_mismatch() {
    let env = TestEnv::get();
    let p = port(env.smtp_implicit);
    let mut args = env.login_args(&p, "starttls");
    args.extend(["--timeout", "2", "--format", "json"]);
    let out = mailprobe(&args, Some(&env.password));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "tls.mode_mismatch", "{:?}", finding_ids(&doc));
    let f = finding(&doc, "tls.mode_mismatch");
    assert_eq!(f["params"]["working_port"], p);
    assert_eq!(f["params"]["working_security"], "tls", "{f:#}");
    assert!(!finding_ids(&doc).contains(&"banner.timeout".to_owned()), "superseded");
}

#[test]
fn implicit_tls_on_the_starttls_port_is_a_mode_mismatch() {
    let env = TestEnv::get();
    let p = port(env.smtp_starttls);
    let mut args = env.login_args(&p, "tls");
    args.extend(["--timeout", "3", "--format", "json"]);
    let out = mailprobe(&args, Some(&env.password));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "tls.mode_mismatch", "{:?}", finding_ids(&doc));
    let f = finding(&doc, "tls.mode_mismatch");
    assert_eq!(f["params"]["working_port"], p);
    assert_eq!(f["params"]["working_security"], "starttls", "{f:#}");
}

#[test]
fn private_ca_is_untrusted_without_ca_file() {
    let env = TestEnv::get();
    let p = port(env.smtp_starttls);
    let args = [
        "diagnose",
        "--host",
        &env.host,
        "--port",
        &p,
        "--user",
        &env.user,
        "--password-env",
        "MP_PASSWORD",
        "--format",
        "json",
    ];
    let out = mailprobe(&args, Some(&env.password));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "tls.cert_untrusted");
    // The chain presented is kept as evidence even though the handshake was aborted.
    let failed = doc["transcripts"][0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "tls_failed")
        .unwrap();
    assert!(failed["certificates"][0]["issuer"].as_str().unwrap().contains("mailprobe test CA"), "{failed}");
}

#[test]
fn expired_and_wrong_name_certificates() {
    let env = TestEnv::get();
    for (p, id) in
        [(env.smtp_expired, "tls.cert_expired"), (env.smtp_wrongname, "tls.cert_hostname_mismatch")]
    {
        let p = port(p);
        let mut args = env.login_args(&p, "starttls");
        args.extend(["--format", "json"]);
        let out = mailprobe(&args, Some(&env.password));
        let doc = json(&out);
        assert_eq!(out.status.code(), Some(1), "{doc:#}");
        assert_eq!(finding_ids(&doc)[0], id, "{doc:#}");
    }
}

#[test]
fn unauthenticated_relay_is_denied() {
    let env = TestEnv::get();
    let p = port(env.smtp_starttls);
    let args = [
        "diagnose",
        "--host",
        &env.host,
        "--port",
        &p,
        "--ca-file",
        env.ca_file.to_str().unwrap(),
        "--from",
        "someone@example.test",
        "--to",
        "friend@elsewhere.example",
        "--format",
        "json",
    ];
    let out = mailprobe(&args, None);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "smtp.relay_denied");
    let f = finding(&doc, "smtp.relay_denied");
    assert!(f["evidence"][0].as_str().unwrap().contains("Relay access denied"), "{f:#}");
}

#[test]
fn tls_required_first_without_starttls() {
    let env = TestEnv::get();
    let p = port(env.smtp_requiretls);
    let args = [
        "diagnose",
        "--host",
        &env.host,
        "--port",
        &p,
        "--security",
        "none",
        "--from",
        "a@example.test",
        "--format",
        "json",
    ];
    let out = mailprobe(&args, None);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "tls.required_first");
}

#[test]
fn starttls_not_offered_stops_before_credentials() {
    let env = TestEnv::get();
    let p = port(env.smtp_notls);
    let mut args = env.login_args(&p, "starttls");
    args.extend(["--format", "json"]);
    let out = mailprobe(&args, Some(&env.password));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "tls.starttls_not_offered");
    assert!(!stages(&doc, 0).contains(&"auth".to_owned()), "no AUTH without TLS");
}

#[test]
fn sender_not_owned_by_login() {
    let env = TestEnv::get();
    let p = port(env.smtp_sendercheck);
    let mut args = env.login_args(&p, "starttls");
    args.extend(["--from", &env.user2, "--format", "json"]);
    let out = mailprobe(&args, Some(&env.password));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "sender.not_owned");
}

#[test]
fn requested_mechanism_not_offered() {
    let env = TestEnv::get();
    let p = port(env.smtp_starttls);
    let mut args = env.login_args(&p, "starttls");
    args.extend(["--auth", "xoauth2", "--token-env", "MP_PASSWORD", "--format", "json"]);
    // --password-env and --token-env together: the token is what XOAUTH2 uses.
    let out = mailprobe(&args, Some("not-a-real-token"));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "auth.mechanism_unsupported");
}

#[test]
fn closed_port_is_connection_refused() {
    // Bind then drop: the port is free and nothing listens on it.
    let free = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let out = mailprobe(&["diagnose", "--host", "127.0.0.1", "--port", &free, "--format", "json"], None);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "connect.refused");
}

#[tokio::test]
async fn silent_port_is_connect_timeout_within_the_timeout() {
    // A listener with a backlog of 0 and one connection queued: the kernel drops further SYNs,
    // so a connect hangs exactly like a firewall that drops packets (no other host involved).
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let _filler = std::net::TcpStream::connect(addr).unwrap();
    let p = addr.port().to_string();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        mailprobe(
            &["diagnose", "--host", "127.0.0.1", "--port", &p, "--timeout", "2", "--format", "json"],
            None,
        )
    })
    .await
    .unwrap();
    let elapsed = started.elapsed();
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "connect.timeout");
    // Correctness, not speed: the probe gives up at its timeout rather than hanging.
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
    drop(listener);
}

#[test]
fn server_that_never_greets_is_banner_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // Accept every connection and say nothing, holding the sockets open.
    thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    let p = addr.port().to_string();
    let out = mailprobe(
        &["diagnose", "--host", "127.0.0.1", "--port", &p, "--timeout", "1", "--format", "json"],
        None,
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "banner.timeout", "{:?}", finding_ids(&doc));
}

#[test]
fn non_smtp_server_is_banner_not_smtp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            use std::io::Write as _;
            let _ = conn.write_all(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
            let mut sink = [0u8; 512];
            let _ = conn.read(&mut sink);
        }
    });
    let p = addr.port().to_string();
    let out = mailprobe(
        &["diagnose", "--host", "127.0.0.1", "--port", &p, "--timeout", "2", "--format", "json"],
        None,
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(finding_ids(&doc)[0], "banner.not_smtp");
}

#[test]
fn unknown_host_is_dns_no_such_host() {
    // `.invalid` never resolves (RFC 6761); the resolver answers from its own rules or the
    // hosts file, and no query needs to leave the machine for the finding to be right.
    let out = mailprobe(
        &["diagnose", "--host", "no-such-host.invalid", "--timeout", "3", "--format", "json"],
        None,
    );
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    let ids = finding_ids(&doc);
    assert!(ids[0] == "dns.no_such_host" || ids[0] == "dns.timeout", "{ids:?}");
}

#[test]
fn imap_login_good_and_bad() {
    let env = TestEnv::get();
    let p = port(env.smtp_starttls);
    for (imap_port, security) in [(env.imaps, "tls"), (env.imap_starttls, "starttls")] {
        let imap = format!("{}:{imap_port}", env.host);
        let mut args = env.login_args(&p, "starttls");
        args.extend(["--imap", &imap, "--imap-security", security, "--format", "json"]);
        let out = mailprobe(&args, Some(&env.password));
        let doc = json(&out);
        assert_eq!(out.status.code(), Some(0), "{security}: {doc:#}");
        let imap_t = doc["transcripts"].as_array().unwrap().iter().find(|t| t["protocol"] == "imap").unwrap();
        assert_eq!(imap_t["endpoint"]["security"], security);
        assert!(imap_t["steps"].as_array().unwrap().iter().any(|s| s["stage"] == "auth" && s["ok"] == true));

        let out = mailprobe(&args, Some("Canary-Wrong-55e1c0de"));
        let doc = json(&out);
        assert_eq!(out.status.code(), Some(1), "{doc:#}");
        let imap_rejections = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["id"] == "auth.credentials_rejected")
            .flat_map(|f| f["evidence"].as_array().unwrap().iter())
            .filter(|e| e.as_str().unwrap().contains("AUTHENTICATIONFAILED"))
            .count();
        assert!(imap_rejections > 0, "IMAP rejection not reported: {:#}", doc["findings"]);
    }
}

#[test]
fn usage_errors_exit_2_and_json_stays_json() {
    let out = mailprobe(&["diagnose", "--port", "notaport", "--host", "x", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_eq!(doc["ok"], false);
    assert!(doc["findings"].as_array().unwrap().is_empty());
    let out = mailprobe(
        &["diagnose", "--host", "127.0.0.1", "--password-env", "MP_NOT_SET_ANYWHERE", "--user", "u"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MP_NOT_SET_ANYWHERE"));
    // No password source and no terminal: a clear error, not a hang.
    let out = mailprobe(&["diagnose", "--host", "127.0.0.1", "--user", "u", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(json(&out)["error"].as_str().unwrap().contains("--password-env"));
}

/// Every way the canary password travels: plain, PLAIN's base64 blob, LOGIN's base64 line.
fn canary_forms(user: &str, password: &str) -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    vec![
        password.to_owned(),
        b64(password),
        b64(&format!("\0{user}\0{password}")),
        // Substrings of the PLAIN blob that do not depend on alignment with the user name.
        b64(&format!("\0{password}"))[4..].to_owned(),
    ]
}

#[test]
fn canary_password_never_appears_in_any_output() {
    let env = TestEnv::get();
    let canary = env.password.clone();
    let imaps = format!("{}:{}", env.host, env.imaps);
    let imap_args = ["--imap", imaps.as_str(), "--imap-security", "tls"];
    let (s, i, n, w) =
        (port(env.smtp_starttls), port(env.smtp_implicit), port(env.smtp_notls), port(env.smtp_starttls));
    let scenarios: Vec<Vec<&str>> = vec![
        [env.login_args(&s, "starttls"), imap_args.to_vec()].concat(),
        [env.login_args(&s, "starttls"), vec!["--auth", "login"]].concat(),
        [env.login_args(&i, "tls"), vec!["--send", "-v"]].concat(),
        // Plaintext with --security none really sends the password: the transcript must not show it.
        [env.login_args(&n, "none"), vec!["--auth", "plain"]].concat(),
        [env.login_args(&w, "tls"), vec!["--timeout", "2"]].concat(),
    ];
    for args in &scenarios {
        for format in ["text", "json"] {
            let mut a = args.clone();
            a.extend(["--format", format]);
            let out = mailprobe(&a, Some(&canary));
            let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
            let all = String::from_utf8_lossy(&all);
            for form in canary_forms(&env.user, &canary) {
                assert!(!all.contains(&form), "{form:?} leaked with {a:?}:\n{all}");
            }
        }
    }
    // And the wrong-password path (the secret then appears in a failing exchange).
    let mut a = env.login_args(&s, "starttls");
    a.extend(["--format", "json", "-v"]);
    let out = mailprobe(&a, Some("Canary-Wrong-55e1c0de"));
    let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    for form in canary_forms(&env.user, "Canary-Wrong-55e1c0de") {
        assert!(!all.contains(&form), "{form:?} leaked");
    }
}
