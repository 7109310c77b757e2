//! What a network in the way does to TLS, against real Postfix listeners started by
//! `scripts/testenv`: a firewall that masks STARTTLS in EHLO (a small rewriting TCP proxy in
//! front of the real Postfix: the only stand-in here, because no such firewall can run on this
//! machine), a server whose TLS is broken (454), and an antivirus that re-signs the provider's
//! certificate with its own CA.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::thread;

use serde_json::Value;
use support::testenv::TestEnv;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

fn mailprobe(args: &[&str]) -> (Option<i32>, Value) {
    let out = Command::new(BIN)
        .args(args)
        .args(["--format", "json"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run mailprobe");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e})"));
    (out.status.code(), doc)
}

fn ids(doc: &Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

/// A proxy to `upstream` that replaces `STARTTLS` with `XXXXXXXA` in what the server says, as
/// Cisco's "SMTP inspection" does. Returns the port it listens on.
fn masking_proxy(upstream: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { continue };
            let (mut c_read, mut s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            thread::spawn(move || {
                let _ = std::io::copy(&mut c_read, &mut s_write);
                let _ = s_write.shutdown(std::net::Shutdown::Write);
            });
            let (mut s_read, mut c_write) = (server, client);
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s_read.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    // Same length, so line framing is untouched (EHLO lines arrive whole here).
                    let text = String::from_utf8_lossy(&buf[..n]).replace("STARTTLS", "XXXXXXXA");
                    if c_write.write_all(text.as_bytes()).is_err() {
                        break;
                    }
                }
                let _ = c_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    port
}

#[test]
fn starttls_masked_by_a_firewall_is_stripped() {
    let env = TestEnv::get();
    let port = masking_proxy(env.smtp_starttls).to_string();
    let (code, doc) = mailprobe(&[
        "diagnose",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--security",
        "starttls",
        "--timeout",
        "5",
    ]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(ids(&doc)[0], "tls.starttls_stripped", "{:#}", doc["findings"]);
    assert!(doc["findings"][0]["evidence"].to_string().contains("XXXXXXXA"), "{:#}", doc["findings"][0]);
}

#[test]
fn broken_server_tls_is_454_tls_unavailable() {
    let env = TestEnv::get();
    let p = env.smtp_tls_broken.to_string();
    let (code, doc) = mailprobe(&["diagnose", "--host", "127.0.0.1", "--port", &p, "--security", "starttls"]);
    assert_eq!(code, Some(1), "{doc:#}");
    assert_eq!(ids(&doc)[0], "tls.unavailable", "{:#}", doc["findings"]);
    assert!(doc["findings"][0]["evidence"].to_string().contains("454 4.7.0"), "{:#}", doc["findings"][0]);
}

#[test]
fn antivirus_interception_is_named() {
    let env = TestEnv::get();
    let addr = format!("127.0.0.1:{}", env.smtp_intercept);
    // Untrusted (as on a machine without the antivirus's root) and trusted (as on the machine
    // where the antivirus installed its root): both are interception, and the product is named.
    for extra in [None, Some(env.intercept_ca_file.to_str().unwrap())] {
        let mut args = vec!["diagnose", "--host", "smtp.gmail.com", "--port", "587", "--connect-to", &addr];
        if let Some(ca) = extra {
            args.extend(["--ca-file", ca]);
        }
        let (code, doc) = mailprobe(&args);
        assert_eq!(code, Some(1), "{doc:#}");
        assert_eq!(ids(&doc)[0], "tls.intercepted", "{:?}: {:#}", extra, doc["findings"]);
        let f = doc["findings"][0].to_string();
        assert!(f.contains("Avast"), "the product is named: {f}");
    }
}
