//! The relay's crash soak, short version (issue 18): `scripts/soak-relay` with 300 messages from
//! 8 devices, paced over about ten seconds so that the relay is killed with SIGKILL a dozen
//! times while they send, and the upstream (a Python SMTP sink on 127.0.0.1 that fsyncs each
//! message before its 250) is killed too now and then, so deliveries are deferred and retried
//! across the relay's crashes; every message that got `250` must reach the sink uncorrupted. A second run checks the checker: with
//! one message dropped and one byte changed at the sink, the soak must fail and say so.
//! The full soak (10,000 messages) is `scripts/soak-relay` without arguments.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs scripts/soak-relay with `args` and `env`, killed if it outlives `limit`.
fn soak(args: &[&str], env: &[(&str, &str)], limit: Duration) -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("relay-soak-test-{}-{}", std::process::id(), args.join("-")));
    std::fs::create_dir_all(&dir).unwrap();
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = Command::new("python3")
        .arg(root.join("scripts/soak-relay"))
        .args(args)
        .env("MAILPROBE_BIN", BIN)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("python3 runs scripts/soak-relay");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > limit {
            // the script's own deadline should have stopped it first
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let run = Run {
        code: status.and_then(|s| s.code()),
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.is_some(), "the soak ran over {limit:?}\n{}\n{}", run.stdout, run.stderr);
    run
}

/// The numbers of the summary line `soak: N sent, N accepted, N delivered, N lost, N
/// duplicates, N corrupted, N kills`, by name.
fn summary(stdout: &str) -> std::collections::HashMap<String, u64> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("soak: ") && l.ends_with(" kills"))
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    line.trim_start_matches("soak: ")
        .split(", ")
        .map(|part| {
            let (n, name) = part.split_once(' ').unwrap();
            (name.to_owned(), n.parse().unwrap())
        })
        .collect()
}

#[test]
fn a_relay_killed_again_and_again_loses_and_corrupts_nothing() {
    let run = soak(
        &["300", "8"],
        &[
            ("SOAK_RATE", "30"),
            ("SOAK_KILL_INTERVAL", "0.2,1"),
            ("SOAK_SINK_KILL_INTERVAL", "1,4"),
            ("SOAK_DEADLINE", "100"),
        ],
        Duration::from_secs(150),
    );
    let all = format!("{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(0), "{all}");
    let s = summary(&run.stdout);
    assert_eq!((s["sent"], s["accepted"], s["delivered"]), (300, 300, 300), "{all}");
    assert_eq!((s["lost"], s["corrupted"]), (0, 0), "{all}");
    assert!(s["kills"] >= 5, "too few kills to mean anything: {all}");
    // the kills fell while devices were sending
    let detail = run.stdout.lines().find(|l| l.starts_with("soak: duplicates by cause")).unwrap();
    let while_sending: u64 = detail
        .split(", ")
        .find_map(|p| p.strip_suffix(" kills while devices sent"))
        .and_then(|p| p.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{detail}"));
    assert!(while_sending >= 3, "{detail}");
    // the upstream went down at least once, and deliveries were deferred and retried
    let number_before = |suffix: &str| -> u64 {
        detail
            .split([',', ';'])
            .find_map(|p| p.trim().strip_suffix(suffix))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {suffix:?} in {detail}"))
    };
    assert!(number_before(" sink outages") >= 1, "{detail}");
    assert!(number_before(" deliveries deferred") >= 1, "{detail}");
}

#[test]
fn the_soak_fails_when_a_message_is_lost_or_corrupted() {
    let run = soak(
        &["40", "4"],
        &[("SOAK_TAMPER", "1"), ("SOAK_KILL_INTERVAL", "1000,1000"), ("SOAK_DEADLINE", "60")],
        Duration::from_secs(120),
    );
    let all = format!("{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.code, Some(1), "{all}");
    let s = summary(&run.stdout);
    assert_eq!((s["sent"], s["accepted"]), (40, 40), "{all}");
    assert_eq!(s["corrupted"], 1, "{all}");
    assert!(s["lost"] >= 1, "{all}");
    assert!(run.stdout.contains("soak: FAILED: lost (got 250, never delivered)"), "{all}");
    assert!(run.stdout.contains("body differs from what the device sent"), "{all}");
}
