//! The DNS and HTTP servers of `scripts/testenv` (nsd with the test zones, the autoconfig HTTP
//! server), for the tests of `mailprobe dns`, `advise` and provider discovery. Every query goes
//! to that server on 127.0.0.1 (`--dns-server`): no test ever asks a real resolver.
#![allow(dead_code)]

use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

#[path = "../support/testenv.rs"]
mod testenv;

/// The environment's ports.
#[derive(Debug, Clone)]
pub struct DnsEnv {
    /// `127.0.0.1:PORT` of nsd.
    pub dns_server: String,
    /// Port of the autoconfig HTTP server.
    pub http_port: u16,
}

/// The shared test environment's DNS and HTTP servers (started once per test binary).
pub fn env() -> &'static DnsEnv {
    static ENV: OnceLock<DnsEnv> = OnceLock::new();
    ENV.get_or_init(|| {
        let env = testenv::TestEnv::get();
        DnsEnv { dns_server: format!("127.0.0.1:{}", env.dns_port), http_port: env.http_port }
    })
}

/// Runs mailprobe with `--dns-server` pointing at the test server and a short timeout.
pub fn mailprobe(args: &[&str]) -> Output {
    let env = env();
    Command::new(env!("CARGO_BIN_EXE_mailprobe"))
        .args(args)
        .args(["--dns-server", &env.dns_server, "--timeout", "3"])
        .env("NO_COLOR", "1")
        .env_remove("LC_ALL")
        .env_remove("LANG")
        .stdin(Stdio::null())
        .output()
        .expect("run mailprobe")
}

/// Runs mailprobe with `--format json` and parses stdout.
pub fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = mailprobe(&all);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap_or(-1), v)
}

/// The ids of a document's findings.
pub fn ids(v: &serde_json::Value) -> Vec<String> {
    v["findings"].as_array().expect("findings").iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

/// Text output.
pub fn text(args: &[&str]) -> (i32, String) {
    let out = mailprobe(args);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}
