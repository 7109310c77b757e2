//! `mailprobe demo` on loopback: every simulated scenario is diagnosed live and shows its
//! finding. Needs no network and no test servers (the simulator runs in-process).

use std::process::{Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

fn demo(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("demo")
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run mailprobe demo")
}

#[test]
fn every_scenario_shows_its_finding() {
    let out = demo(&["--format", "json", "--timeout", "5"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let expected = [
        ("gmail-ok", None),
        ("gmail-app-password", Some("auth.app_password_required")),
        ("gmail-xoauth2-rejected", Some("oauth.wrong_scope")),
        ("m365-ok", None),
        ("m365-smtp-auth-disabled", Some("auth.smtp_auth_disabled")),
        ("m365-send-as-denied", Some("sender.send_as_denied")),
        ("m365-legacy-tls", Some("tls.version_too_old")),
        ("m365-direct-send-external", Some("direct_send.external_recipient")),
    ];
    let scenarios = doc["scenarios"].as_array().unwrap();
    for (name, id) in expected {
        let report = scenarios
            .iter()
            .find(|r| r["scenario"] == name)
            .unwrap_or_else(|| panic!("scenario {name} missing"));
        let ids: Vec<&str> =
            report["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
        match id {
            None => {
                assert_eq!(report["ok"], true, "{name}: {report:#}");
                let errors = report["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["severity"] == "error")
                    .count();
                assert_eq!(errors, 0, "{name}: {ids:?}");
            }
            Some(id) => {
                assert_eq!(report["ok"], false, "{name}");
                assert!(ids.contains(&id), "{name}: expected {id} in {ids:?}");
            }
        }
    }
}

#[test]
fn one_scenario_in_text_and_italian() {
    let out = demo(&["m365-smtp-auth-disabled", "--lang", "it"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("535 5.7.139"), "{text}");
    assert!(text.contains("Set-CASMailbox"), "{text}");
    assert!(text.contains("auth.smtp_auth_disabled"), "{text}");
    // Only that scenario ran.
    assert!(!text.contains("gmail-app-password"), "{text}");
}

#[test]
fn unknown_scenario_is_usage_error() {
    let out = demo(&["no-such-scenario"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gmail-app-password"));
}
