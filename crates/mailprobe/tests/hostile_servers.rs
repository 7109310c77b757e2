//! Servers that misbehave on purpose: mailprobe must end with a finding, never hang, panic or
//! leak the password. These peers are small scripted TCP servers in the test, because no real
//! mail server can be made to misbehave this way on demand.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");
const CANARY: &str = "Canary-Hostile-0b5e55ed";

/// Serves every connection with `script` on its own thread.
fn serve(script: fn(TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            thread::spawn(move || script(conn));
        }
    });
    port
}

/// Reads one line (up to LF) from the client, or gives up.
fn read_line(conn: &mut TcpStream) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while conn.read(&mut byte).ok()? == 1 {
        line.push(byte[0]);
        if byte[0] == b'\n' {
            return Some(String::from_utf8_lossy(&line).into_owned());
        }
    }
    None
}

/// Runs a probe with a 2 s step timeout and returns exit code, JSON and how long it took.
fn probe(port: u16, extra: &[&str]) -> (Option<i32>, Value, Duration) {
    let p = port.to_string();
    let started = Instant::now();
    let out = Command::new(BIN)
        .args(["diagnose", "--host", "127.0.0.1", "--port", &p, "--timeout", "2", "--format", "json"])
        .args(extra)
        .env("MP_PW", CANARY)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let all = String::from_utf8_lossy(&[out.stdout.as_slice(), &out.stderr].concat()).into_owned();
    assert!(!all.contains(CANARY), "the password leaked");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {all}"));
    (out.status.code(), doc, elapsed)
}

fn first_id(doc: &Value) -> String {
    doc["findings"][0]["id"].as_str().unwrap_or_else(|| panic!("no finding: {doc:#}")).to_owned()
}

/// Generous: the point is "it ends", not how fast (no speed assertions in tests).
const ENDS_WITHIN: Duration = Duration::from_secs(30);

#[test]
fn endless_multiline_ehlo_reply_ends_at_the_deadline() {
    let port = serve(|mut c| {
        let _ = c.write_all(b"220 endless.example ESMTP\r\n");
        let _ = read_line(&mut c);
        while c.write_all(b"250-PIPELINING and more and more\r\n").is_ok() {}
    });
    let (code, doc, elapsed) = probe(port, &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert!(elapsed < ENDS_WITHIN, "took {elapsed:?}");
    let ehlo =
        doc["transcripts"][0]["steps"].as_array().unwrap().iter().find(|s| s["stage"] == "ehlo").unwrap();
    assert_eq!(ehlo["ok"], false, "{ehlo}");
}

#[test]
fn banner_trickled_a_byte_at_a_time_times_out() {
    let port = serve(|mut c| {
        for b in b"220 slow".iter().cycle() {
            if c.write_all(&[*b]).is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(300));
        }
    });
    let (code, doc, elapsed) = probe(port, &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert!(elapsed < ENDS_WITHIN, "took {elapsed:?}");
    assert_eq!(first_id(&doc), "banner.timeout", "{:#}", doc["findings"]);
}

#[test]
fn reset_after_greeting_is_a_finding() {
    let port = serve(|mut c| {
        let _ = c.write_all(b"220 flaky.example ESMTP\r\n");
        let _ = read_line(&mut c);
        // Drop without QUIT: the client sees the connection closed under it.
    });
    let (code, doc, _) = probe(port, &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert!(!doc["findings"].as_array().unwrap().is_empty(), "{doc:#}");
}

#[test]
fn garbage_after_starttls_go_ahead_fails_tls_without_sending_the_password() {
    let port = serve(|mut c| {
        let _ = c.write_all(b"220 mitm.example ESMTP\r\n");
        let _ = read_line(&mut c);
        let _ = c.write_all(b"250-mitm.example\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n");
        let _ = read_line(&mut c);
        let _ = c.write_all(b"220 go ahead\r\nthis is not TLS at all\r\n");
        let mut sink = [0u8; 4096];
        while matches!(c.read(&mut sink), Ok(n) if n > 0) {
            // Whatever comes next must not be the password in clear.
            assert!(!String::from_utf8_lossy(&sink).contains(CANARY));
        }
    });
    let (code, doc, elapsed) = probe(port, &["--user", "u@example.test", "--password-env", "MP_PW"]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert!(elapsed < ENDS_WITHIN, "took {elapsed:?}");
    let tls =
        doc["transcripts"][0]["steps"].as_array().unwrap().iter().find(|s| s["stage"] == "tls").unwrap();
    assert_eq!(tls["ok"], false, "{tls}");
    assert!(!doc["transcripts"][0]["steps"].as_array().unwrap().iter().any(|s| s["stage"] == "auth"));
}

#[test]
fn binary_noise_instead_of_a_banner_is_not_smtp() {
    let port = serve(|mut c| {
        let noise: Vec<u8> = (0..=255u8).cycle().take(9000).collect();
        let _ = c.write_all(&noise);
        thread::sleep(Duration::from_secs(3));
    });
    let (code, doc, _) = probe(port, &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(first_id(&doc), "banner.not_smtp", "{:#}", doc["findings"]);
}

#[test]
fn starttls_accepted_then_connection_dropped_is_a_tls_finding() {
    let port = serve(|mut c| {
        let _ = c.write_all(b"220 box.example ESMTP\r\n");
        let _ = read_line(&mut c);
        let _ = c.write_all(b"250-box.example\r\n250 STARTTLS\r\n");
        let _ = read_line(&mut c);
        let _ = c.write_all(b"220 2.0.0 Ready to start TLS\r\n");
        // Read the ClientHello, then hang up: what a middlebox that blocks TLS does.
        let mut hello = [0u8; 512];
        let _ = c.read(&mut hello);
    });
    let (code, doc, _) = probe(port, &[]);
    assert_eq!(code, Some(1), "{doc:#}");
    let id = first_id(&doc);
    assert!(id.starts_with("tls."), "{id}: {:#}", doc["findings"]);
}
