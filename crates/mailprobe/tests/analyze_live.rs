//! One failing session seen three ways gives the same findings: mailprobe's own live probe,
//! swaks' output of the same login against the test Postfix, and Postfix's log of swaks'
//! session. The servers are the real Postfix and Dovecot of `scripts/testenv`, on loopback.

mod support;

use std::collections::BTreeSet;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::testenv::TestEnv;

const WRONG: &str = "Canary-Live-7f3e1d";

fn mailprobe(args: &[&str], stdin: Option<&[u8]>) -> Output {
    support::cli::mailprobe(args, stdin, &[("MP_PASSWORD", WRONG)])
}

/// The ids of the error findings in a JSON report.
fn errors(out: &Output) -> BTreeSet<String> {
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let text = doc.to_string();
    assert!(!text.contains(WRONG), "the password leaked into the report");
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

/// What Postfix logged from `offset` on, once the session from `port` has disconnected.
fn postfix_log_since(env: &TestEnv, offset: u64) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let all = std::fs::read(&env.postfix_log).expect("read the Postfix log");
        let new = all.get(offset as usize..).unwrap_or_default().to_vec();
        if String::from_utf8_lossy(&new).contains(" disconnect from ") || Instant::now() > deadline {
            return new;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn swaks_output_postfix_log_and_live_probe_agree_on_a_wrong_password() {
    let env = TestEnv::get();
    let server = env.addr(env.smtp_starttls);
    let offset = std::fs::metadata(&env.postfix_log).map(|m| m.len()).unwrap_or(0);

    // 1. swaks, the way an admin would test the login by hand
    let swaks = Command::new("swaks")
        .args(["--server", &server, "--tls", "--auth", "PLAIN", "--auth-user", &env.user])
        .args(["--auth-password", WRONG, "--from", &env.user, "--to", &env.user, "--timeout", "15"])
        .args(["--quit-after", "AUTH"])
        .stdin(Stdio::null())
        .output()
        .expect("swaks runs (scripts/testenv install installs it)");
    let swaks_output = [swaks.stdout.as_slice(), swaks.stderr.as_slice()].concat();
    assert!(
        String::from_utf8_lossy(&swaks_output).contains("535 5.7.8"),
        "{}",
        String::from_utf8_lossy(&swaks_output)
    );

    // 2. Postfix's log of that session
    let log = postfix_log_since(env, offset);
    assert!(
        String::from_utf8_lossy(&log).contains("authentication failed"),
        "{}",
        String::from_utf8_lossy(&log)
    );

    // 3. mailprobe's live probe of the same login
    let port = env.smtp_starttls.to_string();
    let mut args = env.login_args(&port, "starttls");
    args.extend(["--format", "json"]);
    let live = mailprobe(&args, None);
    assert_eq!(live.status.code(), Some(1));
    let live = errors(&live);
    assert!(live.contains("auth.credentials_rejected"), "{live:?}");

    let from_swaks = mailprobe(&["analyze", "--format", "json", "-"], Some(&swaks_output));
    assert_eq!(from_swaks.status.code(), Some(1));
    let from_postfix =
        mailprobe(&["analyze", "--format", "json", "--input-format", "postfix", "-"], Some(&log));
    assert_eq!(from_postfix.status.code(), Some(1));
    assert_eq!(errors(&from_swaks), live, "swaks' output");
    assert_eq!(errors(&from_postfix), live, "Postfix's log");
}
