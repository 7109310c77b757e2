//! TLS inspection against real Postfix listeners started by `scripts/testenv`: the versions
//! table agrees with `openssl s_client` (an independent client) on the same listener, the
//! certificate chain is reported, and a capped legacy client is told why it cannot get in.

mod support;

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::testenv::TestEnv;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

fn mailprobe(args: &[&str]) -> (Option<i32>, Value) {
    let out: Output = Command::new(BIN)
        .args(args)
        .args(["--format", "json"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run mailprobe");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), doc)
}

/// Does `openssl s_client` complete a handshake with only this version? OpenSSL 3 offers TLS
/// 1.0/1.1 only at security level 0, so the cipher string lowers it (as a legacy client would).
fn openssl_accepts(port: u16, starttls: bool, flag: &str) -> bool {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}"), flag, "-cipher", "DEFAULT:@SECLEVEL=0"]);
    if starttls {
        cmd.args(["-starttls", "smtp"]);
    }
    let out = cmd.stdin(Stdio::null()).output().expect("openssl is installed by scripts/testenv install");
    out.status.success()
}

fn versions(doc: &Value) -> Vec<(String, Option<bool>)> {
    doc["tls"]["versions"]
        .as_array()
        .unwrap_or_else(|| panic!("no versions table: {doc:#}"))
        .iter()
        .map(|r| (r["version"].as_str().unwrap().to_owned(), r["accepted"].as_bool()))
        .collect()
}

#[test]
fn versions_table_matches_openssl() {
    let env = TestEnv::get();
    let listeners = [
        ("modern STARTTLS", env.smtp_starttls, "starttls"),
        ("legacy STARTTLS", env.smtp_weaktls, "starttls"),
        ("implicit TLS", env.smtp_implicit, "tls"),
        ("legacy implicit TLS", env.smtps_weaktls, "tls"),
        ("TLS 1.3 only", env.smtp_tls13_only, "starttls"),
    ];
    for (what, port, security) in listeners {
        let p = port.to_string();
        let (_, doc) = mailprobe(&[
            "diagnose",
            "--host",
            "127.0.0.1",
            "--port",
            &p,
            "--security",
            security,
            "--ca-file",
            env.ca_file.to_str().unwrap(),
            "--tls-scan",
            "--timeout",
            "5",
        ]);
        let table = versions(&doc);
        assert_eq!(table.len(), 4, "{what}: {table:?}");
        for ((version, accepted), flag) in table.iter().zip(["-tls1", "-tls1_1", "-tls1_2", "-tls1_3"]) {
            let openssl = openssl_accepts(port, security == "starttls", flag);
            assert_eq!(
                *accepted,
                Some(openssl),
                "{what} port {port}: TLS {version}: mailprobe {accepted:?}, openssl {openssl}"
            );
        }
        // The listeners really differ, so the comparison means something.
        let accepted: Vec<bool> = table.iter().map(|r| r.1 == Some(true)).collect();
        let expected = if port == env.smtp_weaktls || port == env.smtps_weaktls {
            [true, true, true, true]
        } else if port == env.smtp_tls13_only {
            [false, false, false, true]
        } else {
            [false, false, true, true]
        };
        assert_eq!(accepted, expected, "{what}: {table:?}");
    }
}

#[test]
fn chain_is_reported_with_key_and_verdicts() {
    let env = TestEnv::get();
    let p = env.smtp_starttls.to_string();
    let (code, doc) = mailprobe(&[
        "diagnose",
        "--host",
        "127.0.0.1",
        "--port",
        &p,
        "--ca-file",
        env.ca_file.to_str().unwrap(),
        "--tls-scan",
    ]);
    assert_eq!(code, Some(0), "{doc:#}");
    let tls = &doc["tls"];
    assert_eq!(tls["verified"], true);
    let leaf = &tls["chain"][0];
    assert_eq!(leaf["subject"], "CN=mail.example.test");
    assert!(
        leaf["key"].as_str().unwrap().starts_with("RSA") || leaf["key"].as_str().unwrap().starts_with("EC")
    );
    assert!(leaf["signature_algorithm"].as_str().unwrap().contains("sha256"), "{leaf}");
    assert_eq!(tls["assessment"]["name_matches"], true);
    assert!(tls["assessment"]["days_left"].as_i64().unwrap() > 30);
    // Against the wrong name, the same chain does not match.
    let p = env.smtp_wrongname.to_string();
    let (_, doc) = mailprobe(&[
        "diagnose",
        "--host",
        "127.0.0.1",
        "--port",
        &p,
        "--ca-file",
        env.ca_file.to_str().unwrap(),
    ]);
    assert_eq!(doc["tls"]["assessment"]["name_matches"], false, "{:#}", doc["tls"]);
    assert_eq!(doc["tls"]["verified"], false);
}

#[test]
fn tls_1_0_client_against_a_tls_1_2_floor() {
    let env = TestEnv::get();
    let p = env.smtp_starttls.to_string();
    let (code, doc) = mailprobe(&[
        "diagnose",
        "--host",
        "127.0.0.1",
        "--port",
        &p,
        "--ca-file",
        env.ca_file.to_str().unwrap(),
        "--client-tls-max",
        "1.0",
    ]);
    assert_eq!(code, Some(1), "{doc:#}");
    let f = &doc["findings"][0];
    assert_eq!(f["id"], "tls.version_too_old", "{:#}", doc["findings"]);
    assert!(f["evidence"].to_string().contains("protocol_version"), "{f:#}");
    assert!(f["fixes"].as_array().unwrap().len() >= 2, "{f:#}");
    // The same device against the listener that still speaks TLS 1.0 gets through.
    let p = env.smtp_weaktls.to_string();
    let (code, doc) = mailprobe(&[
        "diagnose",
        "--host",
        "127.0.0.1",
        "--port",
        &p,
        "--ca-file",
        env.ca_file.to_str().unwrap(),
        "--client-tls-max",
        "1.0",
    ]);
    assert_eq!(code, Some(0), "{doc:#}");
}

#[test]
fn chain_missing_its_intermediate() {
    let env = TestEnv::get();
    let ca = env.ca_file.to_str().unwrap();
    let p = env.smtp_chain_incomplete.to_string();
    let (code, doc) = mailprobe(&["diagnose", "--host", "127.0.0.1", "--port", &p, "--ca-file", ca]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(doc["findings"][0]["id"], "tls.cert_untrusted", "{:#}", doc["findings"]);
    assert_eq!(doc["tls"]["chain"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["tls"]["assessment"]["issuer_not_sent"], "CN=mailprobe test intermediate CA",
        "{:#}",
        doc["tls"]
    );
    // The same leaf with its intermediate sent is trusted, and the chain is in order.
    let p = env.smtp_chain_full.to_string();
    let (code, doc) = mailprobe(&["diagnose", "--host", "127.0.0.1", "--port", &p, "--ca-file", ca]);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(doc["tls"]["chain"].as_array().unwrap().len(), 2);
    assert_eq!(doc["tls"]["assessment"]["in_order"], true);
    assert_eq!(doc["tls"]["verified"], true);
}
