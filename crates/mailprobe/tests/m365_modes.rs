//! `mailprobe diagnose --mode ...` against Microsoft 365 as the simulator plays it: direct send to
//! the tenant's MX endpoint, direct send aimed at the submission host or at an IP address, and a
//! signed-in device sending as another mailbox. The real binary runs against simulators started
//! in this process. Needs no network and no test servers.

use std::process::{Command, Output, Stdio};

mod sim_support;

use mailprobe_sim::{Scenario, accounts};
use serde_json::Value;
use sim_support::Sim;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

/// The simulator's flags for `host`, and JSON output.
fn sim_flags(sim: &Sim, host: &str) -> Vec<String> {
    let mut f = sim.flags_as(host);
    f.extend(["--format".to_owned(), "json".to_owned()]);
    f
}

/// Runs `mailprobe diagnose ARGS` with `env` added, and parses its JSON document.
fn diagnose(args: &[String], env: &[(&str, &str)]) -> (Output, Value) {
    let out = Command::new(BIN)
        .arg("diagnose")
        .args(args)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run mailprobe diagnose");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not one JSON document ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, doc)
}

fn ids(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {doc:#}"))
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn direct_send_to_an_outside_recipient_is_external_recipient() {
    let sim = Sim::start(Scenario::M365DirectSendExternal);
    let client = Scenario::M365DirectSendExternal.client();
    assert_eq!(sim.sim.host_name(), "contoso-example.mail.protection.outlook.com");
    let mut args = sim_flags(&sim, sim.sim.host_name());
    args.extend(strings(&["--mode", "direct-send", "--from", &client.from, "--to", &client.to]));
    let (out, doc) = diagnose(&args, &[]);
    let ids = ids(&doc);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(doc["ok"], false, "{doc:#}");
    assert_eq!(ids.first().map(String::as_str), Some("direct_send.external_recipient"), "{ids:?}");
    assert!(!ids.iter().any(|i| i == "direct_send.wrong_endpoint"), "{ids:?}");

    // The same device writing inside the tenant gets through: no error finding.
    let mut args = sim_flags(&sim, sim.sim.host_name());
    args.extend(strings(&[
        "--mode",
        "direct-send",
        "--from",
        &client.from,
        "--to",
        accounts::M365_RECIPIENT,
    ]));
    let (out, doc) = diagnose(&args, &[]);
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    let errors = doc["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "error").count();
    assert_eq!(errors, 0, "{doc:#}");
}

#[test]
fn direct_send_aimed_at_the_submission_host_is_wrong_endpoint() {
    let sim = Sim::start(Scenario::M365Ok);
    assert_eq!(sim.sim.host_name(), "smtp.office365.com");
    let mut args = sim_flags(&sim, sim.sim.host_name());
    args.extend(strings(&[
        "--mode",
        "direct-send",
        "--from",
        accounts::M365_USER,
        "--to",
        accounts::M365_RECIPIENT,
    ]));
    let (out, doc) = diagnose(&args, &[]);
    let ids = ids(&doc);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(ids.first().map(String::as_str), Some("direct_send.wrong_endpoint"), "{ids:?}");
    // It supersedes the plain "not signed in" finding.
    assert!(!ids.iter().any(|i| i == "auth.not_authenticated"), "{ids:?}");
}

#[test]
fn an_ip_address_where_the_mx_name_belongs_is_noticed() {
    let sim = Sim::start(Scenario::M365DirectSendExternal);
    let mut args = sim_flags(&sim, "127.0.0.1");
    args.extend(strings(&[
        "--mode",
        "direct-send",
        "--from",
        accounts::M365_USER,
        "--to",
        accounts::M365_RECIPIENT,
    ]));
    let (out, doc) = diagnose(&args, &[]);
    let ids = ids(&doc);
    // The certificate names the MX host, not the address typed: the name check fails because an
    // IP was typed, and that is what the report says first. Nobody is intercepting.
    assert_eq!(ids.first().map(String::as_str), Some("direct_send.ip_instead_of_mx"), "{doc:#}");
    assert!(!ids.iter().any(|i| i == "tls.intercepted"), "{ids:?}");
    assert!(!ids.iter().any(|i| i == "tls.cert_hostname_mismatch"), "explained by the IP: {ids:?}");
    let first = &doc["findings"][0];
    assert_eq!(first["severity"], "error", "{first:#}");
    assert_eq!(first["stage"], "connect", "{first:#}");
    let summary = first["summary"].as_str().unwrap();
    assert!(
        summary.contains("127.0.0.1") && summary.contains("contoso-example.mail.protection.outlook.com"),
        "{summary}"
    );
    // The certificate is for the MX name, not the address: the session fails, so exit 1.
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
}

#[test]
fn send_as_another_mailbox_is_send_as_denied_and_the_warning_is_superseded() {
    let sim = Sim::start(Scenario::M365SendAsDenied);
    let client = Scenario::M365SendAsDenied.client();
    let user = client.user.as_deref().unwrap();
    assert_eq!(user, accounts::M365_USER);
    assert_eq!(client.from, accounts::M365_OTHER_SENDER);
    let mut args = sim_flags(&sim, sim.sim.host_name());
    args.extend(strings(&[
        "--user",
        user,
        "--password-env",
        "MAILPROBE_TEST_M365_PASSWORD",
        "--from",
        &client.from,
        "--to",
        &client.to,
    ]));
    let (out, doc) = diagnose(&args, &[("MAILPROBE_TEST_M365_PASSWORD", accounts::M365_PASSWORD)]);
    let ids = ids(&doc);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(ids.first().map(String::as_str), Some("sender.send_as_denied"), "{ids:?}");
    assert!(!ids.iter().any(|i| i == "sender.send_as_needed"), "{ids:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(accounts::M365_PASSWORD));
}

/// Client submission (smtp.office365.com) by a device that does not sign in: Microsoft 365
/// answers MAIL FROM with 530 5.7.57, the finding is `auth.not_authenticated`, and the detected
/// mode is reported with what it needs.
#[test]
fn client_submission_without_signing_in_is_not_authenticated() {
    let sim = Sim::start(Scenario::M365Ok);
    assert_eq!(sim.sim.host_name(), "smtp.office365.com");
    let mut args = sim_flags(&sim, sim.sim.host_name());
    args.extend(strings(&["--from", accounts::M365_USER, "--to", accounts::M365_RECIPIENT]));
    let (out, doc) = diagnose(&args, &[]);
    let ids = ids(&doc);
    assert_eq!(out.status.code(), Some(1), "{doc:#}");
    assert_eq!(ids.first().map(String::as_str), Some("auth.not_authenticated"), "{ids:?}");
    let finding =
        doc["findings"].as_array().unwrap().iter().find(|f| f["id"] == "auth.not_authenticated").unwrap();
    assert!(
        finding["evidence"].as_array().unwrap().iter().any(|e| e.as_str().unwrap().starts_with("530 5.7.57")),
        "{finding:#}"
    );
    let mode = doc["findings"].as_array().unwrap().iter().find(|f| f["id"] == "m365.mode_detected");
    let mode = mode.unwrap_or_else(|| panic!("no m365.mode_detected in {ids:?}"));
    assert_eq!(mode["severity"], "info");
    assert!(mode["title"].as_str().unwrap().to_lowercase().contains("client submission"), "{mode:#}");
}
