//! `diagnose ADDRESS`: the server is found the way mail programs do (against the test DNS
//! server and autoconfig HTTP server that `scripts/testenv` runs on loopback), settings that
//! differ from discovery are pointed out, and `--mode` changes what is probed.

mod support;

use std::process::{Command, Stdio};

use serde_json::Value;
use support::testenv::TestEnv;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

fn run(args: &[&str], format: &str) -> (Option<i32>, String) {
    let env = TestEnv::get();
    let dns = format!("127.0.0.1:{}", env.dns_port);
    let http = env.http_port.to_string();
    let out = Command::new(BIN)
        .args(args)
        .args(["--dns-server", &dns, "--autoconfig-http-port", &http, "--timeout", "3", "--format", format])
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let (code, out) = run(args, "json");
    (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}")))
}

#[test]
fn address_alone_is_tested_at_the_discovered_server() {
    let (_, doc) = json(&["diagnose", "alice@autoconfig-discovery.test"]);
    assert_eq!(doc["discovery"]["source"], "autoconfig", "{doc:#}");
    assert_eq!(doc["discovery"]["insecure"], true, "served over plain HTTP");
    assert_eq!(doc["context"]["host"], "smtp.autoconfig-discovery.test");
    assert_eq!(doc["context"]["port"], 465);
    assert_eq!(doc["context"]["security"], "tls");
    assert_eq!(doc["discovery"]["differs"], false);
    // No password and no terminal: the server is checked without signing in, sender = ADDRESS.
    assert_eq!(doc["context"]["from"], "alice@autoconfig-discovery.test");
    assert!(doc["context"].get("user").is_none(), "{:#}", doc["context"]);
}

#[test]
fn settings_that_differ_from_discovery_are_pointed_out() {
    let env = TestEnv::get();
    let p = env.smtp_starttls.to_string();
    let args = [
        "diagnose",
        "alice@srv-discovery.test",
        "--host",
        "127.0.0.1",
        "--port",
        &p,
        "--security",
        "starttls",
    ];
    let (_, doc) = json(&args);
    assert_eq!(doc["discovery"]["source"], "srv", "{:#}", doc["discovery"]);
    assert_eq!(doc["discovery"]["differs"], true);
    assert_eq!(doc["context"]["host"], "127.0.0.1", "the user's settings are what is tested");
    let (_, text) = run(&args, "text");
    assert!(text.contains("Your settings differ from what discovery found for srv-discovery.test"), "{text}");
}

#[test]
fn direct_send_mode_probes_port_25_without_signing_in() {
    let (_, doc) = json(&[
        "diagnose",
        "--host",
        "contoso-example.mail.protection.outlook.com",
        "--mode",
        "direct-send",
        "--user",
        "printer@contoso.example",
        "--from",
        "printer@contoso.example",
    ]);
    assert_eq!(doc["context"]["port"], 25, "{:#}", doc["context"]);
    assert_eq!(doc["context"]["mode"], "direct-send");
    assert!(doc["context"].get("user").is_none(), "direct send does not sign in: {:#}", doc["context"]);
    assert!(
        doc["findings"].as_array().unwrap().iter().any(|f| f["id"] == "m365.mode_detected"),
        "{:#}",
        doc["findings"]
    );
}
