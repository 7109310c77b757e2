//! The clock check against a local SNTP responder whose clock is off on purpose (0 s, 90 s,
//! 10 min): no problem, a warning, an error; and the HTTP Date fallback against a real server.

mod support;

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailprobe_proto::sntp_server_reply;
use support::oauth;
use support::testenv::TestEnv;

/// An SNTP server on 127.0.0.1 whose clock reads `offset` seconds ahead of this one (negative:
/// behind). Stops when dropped.
struct Responder {
    addr: String,
    stop: Arc<AtomicBool>,
}

impl Responder {
    fn start(offset: f64) -> Self {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        let addr = sock.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !flag.load(Ordering::Relaxed) {
                if let Ok((n, peer)) = sock.recv_from(&mut buf) {
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() + offset;
                    if let Some(reply) = sntp_server_reply(&buf[..n], now) {
                        let _ = sock.send_to(&reply, peer);
                    }
                }
            }
        });
        Self { addr, stop }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn clock(args: &[&str]) -> (i32, serde_json::Value) {
    let cfg = oauth::temp_dir("clock");
    let mut c = oauth::mailprobe(&cfg);
    c.args(["auth", "clock", "--format", "json", "--timeout", "3"]).args(args);
    let run = oauth::run(c);
    (run.code, run.json())
}

#[test]
fn sntp_offsets_of_0_90_and_600_seconds() {
    for (offset, level, code) in
        [(0.0, "ok", 0), (90.0, "warning", 0), (600.0, "error", 1), (-600.0, "error", 1)]
    {
        let r = Responder::start(offset);
        let (exit, doc) = clock(&["--ntp-server", &r.addr]);
        let measured = doc["offset_ms"].as_i64().unwrap_or_else(|| panic!("no offset: {doc}"));
        let want = (offset * 1000.0) as i64;
        assert!((measured - want).abs() < 500, "offset {offset}: measured {measured} ms ({doc})");
        assert_eq!(doc["level"], level, "offset {offset}: {doc}");
        assert_eq!(doc["checks"][0]["source"], "sntp");
        assert_eq!(exit, code, "offset {offset}");
    }
}

#[test]
fn no_sntp_answer_then_the_http_date() {
    let env = TestEnv::get();
    // a UDP port that answers nothing
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let (exit, doc) = clock(&[
        "--ntp-server",
        &addr,
        "--http-date",
        &format!("{}/.well-known/openid-configuration", env.oauth_issuer),
    ]);
    assert_eq!(exit, 0, "{doc}");
    assert_eq!(doc["checks"][0]["level"], "unknown");
    assert_eq!(doc["checks"][1]["source"], "http_date");
    // the server runs on this machine: within the Date header's one-second precision
    assert!(doc["offset_ms"].as_i64().unwrap().abs() <= 1500, "{doc}");
    assert_eq!(doc["level"], "ok");
}

/// `diagnose` of the working submission path, its clock compared with `ntp` (`--ntp-server`).
fn diagnose_with_clock(env: &TestEnv, ntp: &str, extra: &[&str]) -> oauth::Run {
    let cfg = oauth::temp_dir("clock-diagnose");
    let mut c = oauth::mailprobe(&cfg);
    c.env("MP_PW", &env.password).args([
        "diagnose",
        "--host",
        &env.host,
        "--port",
        &env.smtp_starttls.to_string(),
        "--ca-file",
        env.ca_file.to_str().unwrap(),
        "--user",
        &env.user,
        "--password-env",
        "MP_PW",
        "--ntp-server",
        ntp,
        "--timeout",
        "5",
    ]);
    c.args(extra);
    oauth::run(c)
}

#[test]
fn diagnose_ntp_server_offsets_of_0_90_and_600_seconds() {
    let env = TestEnv::get();
    for (offset, findings, severity, code) in [
        (0.0, vec![], None, 0),
        (90.0, vec!["clock.drift"], Some("warning"), 0),
        (-600.0, vec!["clock.skew"], Some("error"), 1),
        (600.0, vec!["clock.skew"], Some("error"), 1),
    ] {
        let r = Responder::start(offset);
        let run = diagnose_with_clock(env, &r.addr, &["--format", "json"]);
        assert_eq!(run.code, code, "offset {offset}: {}\n{}", run.stdout, run.stderr);
        let doc = run.json();
        // the check is evidence in the SMTP transcript, then the kb's reading of it
        let check = oauth::transcript(&doc, "smtp")
            .iter()
            .find(|e| e["event"] == "clock_checked")
            .unwrap_or_else(|| panic!("offset {offset}: no clock check in {doc:#}"))["check"]
            .clone();
        assert_eq!(check["source"], "sntp");
        let measured = check["offset_ms"].as_i64().unwrap();
        assert!((measured - (offset * 1000.0) as i64).abs() < 500, "offset {offset}: {check}");
        assert_eq!(oauth::finding_ids(&doc), findings, "offset {offset}");
        if let Some(severity) = severity {
            let f = &doc["findings"][0];
            assert_eq!(f["severity"], severity);
            let clock = if offset > 0.0 { "behind" } else { "ahead" };
            assert_eq!(f["params"]["clock"], clock, "{f}");
        }
    }
    // 90 s in the text report: a warning, the path still works
    let r = Responder::start(90.0);
    let run = diagnose_with_clock(env, &r.addr, &["--lang", "it"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("[clock.drift]"), "{}", run.stdout);
    assert!(run.stdout.contains("L'orologio di questo computer è indietro di"), "{}", run.stdout);
}
