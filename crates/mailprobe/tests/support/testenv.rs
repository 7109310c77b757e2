//! Access to the real Postfix + Dovecot test environment made by `scripts/testenv`.
//!
//! `TestEnv::get()` runs `scripts/testenv start` once per test binary (the script is
//! idempotent and serialised with `flock`, so parallel test binaries share one environment)
//! and parses the `KEY=VALUE` file it writes. If the environment cannot start, `get()`
//! panics with the script's output: tests that need real servers fail, they never skip.
//!
//! Set `MAILPROBE_TESTENV_DIR` / `MAILPROBE_TESTENV_PORT_BASE` to move the environment.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// One running test environment (all servers listen on `host`, i.e. 127.0.0.1).
#[derive(Debug, Clone)]
pub struct TestEnv {
    pub dir: PathBuf,
    pub host: String,
    /// Plain + STARTTLS (TLS >= 1.2), AUTH only after STARTTLS.
    pub smtp_starttls: u16,
    /// Implicit TLS (submissions style), AUTH allowed.
    pub smtp_implicit: u16,
    /// STARTTLS required: MAIL before it gets `530 5.7.0 Must issue a STARTTLS command first`.
    pub smtp_requiretls: u16,
    /// No TLS at all; AUTH PLAIN/LOGIN offered in clear.
    pub smtp_notls: u16,
    /// Like `smtp_starttls` plus `reject_sender_login_mismatch` (553 5.7.1 at RCPT).
    pub smtp_sendercheck: u16,
    /// STARTTLS accepting TLS 1.0+ and weak ciphers.
    pub smtp_weaktls: u16,
    /// STARTTLS with an expired (2020-01-01..2020-02-01) CA-signed certificate.
    pub smtp_expired: u16,
    /// STARTTLS with a CA-signed certificate for `wrong.example.net` only.
    pub smtp_wrongname: u16,
    /// IMAP with STARTTLS.
    pub imap_starttls: u16,
    /// IMAP over implicit TLS.
    pub imaps: u16,
    /// The test CA that signed every server certificate.
    pub ca_file: PathBuf,
    /// alice@example.test; her password is a canary that must never appear in output.
    pub user: String,
    pub password: String,
    /// bob@example.test
    pub user2: String,
    pub password2: String,
    pub postfix_log: PathBuf,
    pub dovecot_log: PathBuf,
    /// Name the server certificates are valid for (`mail.example.test`).
    pub tls_name: String,
}

static ENV: OnceLock<TestEnv> = OnceLock::new();

impl TestEnv {
    /// Starts (or reuses) the environment and returns it. Panics if it cannot start.
    pub fn get() -> &'static TestEnv {
        ENV.get_or_init(|| match start() {
            Ok(env) => env,
            Err(msg) => panic!("mailprobe test environment failed to start:\n{msg}"),
        })
    }

    /// `host:port` for one of the ports above.
    pub fn addr(&self, port: u16) -> String {
        format!("{}:{}", self.host, port)
    }
}

/// Repository root: `crates/mailprobe/../..`.
pub fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("..").join("..");
    root.canonicalize().unwrap_or(root)
}

fn start() -> Result<TestEnv, String> {
    let script = repo_root().join("scripts").join("testenv");
    // Output goes to files, not pipes, so that a daemon that kept an inherited descriptor
    // could never make us wait forever for end-of-file.
    let tmp = std::env::temp_dir();
    let tag = format!("mailprobe-testenv-start.{}", std::process::id());
    let out_path = tmp.join(format!("{tag}.out"));
    let err_path = tmp.join(format!("{tag}.err"));
    let open = |p: &Path| fs::File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()));
    let status = Command::new("bash")
        .arg(&script)
        .arg("start")
        .stdin(Stdio::null())
        .stdout(open(&out_path)?)
        .stderr(open(&err_path)?)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()));
    let stdout = fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = fs::read_to_string(&err_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    let status = status?;
    if !status.success() {
        return Err(format!(
            "`{} start` exited with {status}\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}",
            script.display()
        ));
    }
    let env_file = stdout
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| format!("`testenv start` printed no env file path\n{stderr}"))?;
    let text = fs::read_to_string(&env_file)
        .map_err(|e| format!("cannot read {}: {e}\n{stderr}", env_file.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", env_file.display()))
}

/// Parses the `KEY=VALUE` lines of `DIR/env`.
pub fn parse(text: &str) -> Result<TestEnv, String> {
    let mut kv = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line.split_once('=').ok_or_else(|| format!("bad line {line:?}"))?;
        kv.insert(k.trim().to_string(), v.to_string());
    }
    let s =
        |k: &str| -> Result<String, String> { kv.get(k).cloned().ok_or_else(|| format!("missing key {k}")) };
    let port = |k: &str| -> Result<u16, String> {
        let v = s(k)?;
        v.parse().map_err(|_| format!("key {k}: bad port {v:?}"))
    };
    Ok(TestEnv {
        dir: PathBuf::from(s("MAILPROBE_TESTENV_DIR")?),
        host: s("HOST")?,
        smtp_starttls: port("SMTP_STARTTLS")?,
        smtp_implicit: port("SMTP_IMPLICIT")?,
        smtp_requiretls: port("SMTP_REQUIRETLS")?,
        smtp_notls: port("SMTP_NOTLS")?,
        smtp_sendercheck: port("SMTP_SENDERCHECK")?,
        smtp_weaktls: port("SMTP_WEAKTLS")?,
        smtp_expired: port("SMTP_EXPIRED")?,
        smtp_wrongname: port("SMTP_WRONGNAME")?,
        imap_starttls: port("IMAP_STARTTLS")?,
        imaps: port("IMAPS")?,
        ca_file: PathBuf::from(s("CA_FILE")?),
        user: s("USER")?,
        password: s("PASSWORD")?,
        user2: s("USER2")?,
        password2: s("PASSWORD2")?,
        postfix_log: PathBuf::from(s("POSTFIX_LOG")?),
        dovecot_log: PathBuf::from(s("DOVECOT_LOG")?),
        tls_name: s("TLS_NAME")?,
    })
}
