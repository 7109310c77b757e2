//! `mailprobe guide` against the real Postfix + Dovecot of `scripts/testenv`: a mail server of
//! "another" provider has no playbook, and the guide still checks it and says what it found.

mod support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use support::testenv::TestEnv;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

fn guide(env: &TestEnv, port: u16, input: &str) -> (Output, String, String) {
    let connect_to = env.addr(port);
    let ca_file = env.ca_file.display().to_string();
    let args = [
        "guide",
        "--host",
        &env.tls_name,
        "--port",
        &port.to_string(),
        "--connect-to",
        &connect_to,
        "--ca-file",
        &ca_file,
        "--timeout",
        "5",
    ];
    let mut child = Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailprobe guide");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    (out, stdout, stderr)
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn another_providers_server_is_checked_and_its_findings_shown() {
    let env = TestEnv::get();
    // Outlook on Windows, another provider, Alice's address and right password: it works.
    let (out, stdout, stderr) =
        guide(env, env.smtp_starttls, &format!("2\n3\n{}\n{}\n", env.user, env.password));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let text = flat(&stdout);
    assert!(text.contains("There is no step-by-step guide for this combination yet"), "{stdout}");
    assert!(text.contains("The checks found no problem"), "{stdout}");
    assert!(text.contains("Found: no problem."), "{stdout}");
    assert!(!stdout.contains(&env.password) && !stderr.contains(&env.password));

    // A wrong password: Postfix's 535 is shown with what to do.
    let wrong = "wrong-guide-password-1c7d";
    let (out, stdout, stderr) = guide(env, env.smtp_starttls, &format!("2\n3\n{}\n{wrong}\n", env.user));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let text = flat(&stdout);
    assert!(text.contains("[auth.credentials_rejected]") && text.contains("535"), "{stdout}");
    assert!(text.contains("What to do:"), "{stdout}");
    assert!(!stdout.contains(wrong) && !stderr.contains(wrong), "{stdout}\n{stderr}");
}
