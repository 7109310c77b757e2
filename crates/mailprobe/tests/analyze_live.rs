//! One failing session seen three ways gives the same findings: mailprobe's own live probe,
//! swaks' output of the same login against the test Postfix, and Postfix's log of swaks'
//! session. The servers are the real Postfix and Dovecot of `scripts/testenv`, on loopback.
//! And the real Exim of `scripts/testenv`: two swaks clients at once, their sessions read
//! apart from Exim's mainlog.

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

/// Two clients of one address at once against the real Exim (`+pid +incoming_port`): a wrong
/// password after STARTTLS and a relay attempt without a login. Exim's mainlog interleaves
/// them (and logs each connection under the daemon's pid, the rest under the child's); analyze
/// reads two sessions, each with its own failure only.
#[test]
fn two_swaks_clients_at_once_against_exim_stay_apart_in_its_log() {
    let env = TestEnv::get();
    let port = env.exim_smtp.to_string();
    let log_path = env.exim_log.display().to_string();
    let size = || std::fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
    let swaks = |extra: &[&str]| {
        Command::new("swaks")
            .args(["--server", &env.host, "--port", &port, "--from", &env.user, "--timeout", "15"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("swaks runs (scripts/testenv install installs it)")
    };
    // both at once; Exim's `connection count = 2` shows they overlapped (tried again if the
    // first was done before the second connected)
    let mut log = String::new();
    for _attempt in 0..5 {
        let offset = size();
        let login = swaks(&[
            "--to",
            &env.user,
            "--tls",
            "--auth",
            "PLAIN",
            "--auth-user",
            &env.user,
            "--auth-password",
            WRONG,
            "--quit-after",
            "AUTH",
        ]);
        let relay = swaks(&["--to", "friend@elsewhere.example"]);
        let (login, relay) =
            (login.wait_with_output().expect("swaks"), relay.wait_with_output().expect("swaks"));
        let said = |o: &Output| {
            String::from_utf8_lossy(&[o.stdout.as_slice(), o.stderr.as_slice()].concat()).into_owned()
        };
        assert!(said(&login).contains("535 Incorrect authentication data"), "{}", said(&login));
        assert!(said(&relay).contains("550 relay not permitted"), "{}", said(&relay));
        // the child processes write their last lines after the clients have gone
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let all = std::fs::read(&log_path).expect("read Exim's log");
            log = String::from_utf8_lossy(all.get(offset as usize..).unwrap_or_default()).into_owned();
            if log.matches("closed by QUIT").count() >= 2 || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if log.contains("(TCP/IP connection count = 2)") {
            break;
        }
    }
    assert!(log.contains("(TCP/IP connection count = 2)"), "the two sessions never overlapped:\n{log}");

    let out = mailprobe(&["analyze", "--format", "json", "--sessions", "all", "-"], Some(log.as_bytes()));
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(!doc.to_string().contains(WRONG), "the password leaked into the report");
    assert_eq!(doc["inputs"][0]["format"], "exim", "detected as Exim's log");
    let sessions = doc["sessions"].as_array().expect("sessions");
    let with = |finding: &str| -> Vec<&Value> {
        sessions
            .iter()
            .filter(|s| s["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["id"] == finding)))
            .collect()
    };
    let (relay, login) = (with("smtp.relay_denied"), with("auth.credentials_rejected"));
    assert_eq!((relay.len(), login.len()), (1, 1), "{log}\n{sessions:#?}");
    let (relay, login) = (relay[0], login[0]);
    let sent = |s: &Value| -> String {
        s["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["line"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    // each with its own commands: the login's session has no RCPT, the relay's no AUTH
    assert!(
        sent(relay).contains("RCPT TO:<friend@elsewhere.example>") && !sent(relay).contains("AUTH"),
        "{}",
        sent(relay)
    );
    assert!(sent(login).contains("AUTH PLAIN") && !sent(login).contains("RCPT"), "{}", sent(login));
    // one address, two ports
    assert_eq!(
        (relay["client_ip"].as_str(), login["client_ip"].as_str()),
        (Some("127.0.0.1"), Some("127.0.0.1"))
    );
    assert_ne!(relay["client"], login["client"]);
    assert!(sessions.iter().all(|s| s["incomplete"].as_bool() != Some(true)), "{sessions:#?}");
}
