//! `mailprobe serve` end to end: the real binary on a free loopback port, the page driven by a
//! real browser (Debian's Chromium through playwright-core, scripts in `tests/browser/`),
//! checks against the provider simulator and the test Postfix. Plain HTTP requests show that a
//! request without the secret, from another web page, or under another host name is refused.
//! After each run, no password may be in the server's output, the browser scripts' output, or
//! any file under the temporary directory and HOME the test gave the server and the browser.
//!
//! `scripts/testenv install` installs Chromium and playwright-core; without them these tests
//! fail (they never skip).

mod sim_support;
mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mailprobe_sim::Scenario;
use mailprobe_sim::accounts::*;
use serde_json::{Value, json};
use sim_support::Sim;
use support::testenv::{TestEnv, repo_root};

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");
const CHROMIUM: &str = "/usr/bin/chromium";

/// One browser at a time: two cores are shared by every test binary.
static BROWSER: Mutex<()> = Mutex::new(());

/// A wrong password for the test Postfix: refused, and like every password never to be shown.
const WRONG_PASSWORD: &str = "Wrong-Canary-5d81f0a3";

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("browser")
}

/// A fresh directory for one test: the server's and the browser's TMPDIR and HOME.
fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mailprobe-serve-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["home", "out", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).expect("scratch directory");
    }
    dir
}

/// A running `mailprobe serve --no-browser`, its output going to files in its scratch dir.
struct Serve {
    child: Child,
    url: String,
    port: u16,
    dir: PathBuf,
}

impl Serve {
    fn start(dir: &Path, ca_files: &[&Path]) -> Serve {
        Self::start_with(dir, ca_files, &[])
    }

    fn start_with(dir: &Path, ca_files: &[&Path], flags: &[&str]) -> Serve {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--no-browser", "--listen", "127.0.0.1:0", "--timeout", "5"]).args(flags);
        for ca in ca_files {
            cmd.arg("--ca-file").arg(ca);
        }
        let out = std::fs::File::create(dir.join("serve.stdout")).unwrap();
        let err = std::fs::File::create(dir.join("serve.stderr")).unwrap();
        let child = cmd
            .env("HOME", dir.join("home"))
            .env("XDG_CONFIG_HOME", dir.join("home").join(".config"))
            .env("TMPDIR", dir.join("tmp"))
            .env("LANG", "C")
            .env_remove("LC_ALL")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start mailprobe serve");
        let started = Instant::now();
        let url = loop {
            let text = std::fs::read_to_string(dir.join("serve.stdout")).unwrap_or_default();
            if let Some(url) = text.split_whitespace().find(|w| w.starts_with("http://127.0.0.1:")) {
                break url.to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "mailprobe serve printed no address in 20 s:\n{text}\n{}",
                std::fs::read_to_string(dir.join("serve.stderr")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let port = url["http://127.0.0.1:".len()..]
            .split('/')
            .next()
            .unwrap()
            .parse()
            .expect("a port in the address");
        assert!(url.contains("/?token="), "{url}");
        let token = url.split("token=").nth(1).unwrap();
        assert!(token.len() >= 32 && token.bytes().all(|b| b.is_ascii_hexdigit()), "a short token: {url}");
        Serve { child, url, port, dir: dir.to_owned() }
    }

    /// Stops the server with SIGTERM (it must exit 0) and returns what it printed.
    fn stop(mut self) -> String {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let out = std::fs::read_to_string(self.dir.join("serve.stdout")).unwrap_or_default();
        let err = std::fs::read_to_string(self.dir.join("serve.stderr")).unwrap_or_default();
        assert!(
            status.is_some_and(|s| s.success()),
            "serve did not exit 0 on SIGTERM ({status:?}):\n{out}\n{err}"
        );
        format!("{out}\n{err}")
    }
}

/// Runs a browser script with `config` (plus the address, the scratch dirs and the passwords it
/// must never find in the page). Fails the test when the script fails.
fn run_script(script: &str, serve: &Serve, mut config: Value, secrets: &[&str]) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: `scripts/testenv install` installs Debian's chromium for these tests"
    );
    assert!(
        browser_dir().join("node_modules/playwright-core/package.json").exists(),
        "playwright-core is missing in {}: `scripts/testenv install` runs npm ci there",
        browser_dir().display()
    );
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    config["url"] = json!(serve.url);
    config["tmp"] = json!(serve.dir.join("tmp"));
    config["out"] = json!(serve.dir.join("out"));
    config["chromium"] = json!(CHROMIUM);
    config["secrets"] = json!(secrets);
    let out: Output = Command::new("timeout")
        .args(["300", "node", script])
        .current_dir(browser_dir())
        .env("MAILPROBE_BROWSER_CONFIG", config.to_string())
        .env("HOME", serve.dir.join("home"))
        .env("TMPDIR", serve.dir.join("tmp"))
        .stdin(Stdio::null())
        .output()
        .expect("run node");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{script} failed ({}):\n{text}", out.status);
    text
}

/// Every file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => files(&path, out),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}

/// No password in the outputs given nor in any file under the scratch directory (the server's
/// and the browser's HOME and TMPDIR, the pages and downloads saved).
fn assert_no_secret(dir: &Path, outputs: &[&str], secrets: &[&str]) {
    let mut all = Vec::new();
    files(dir, &mut all);
    assert!(all.len() > 10, "the scratch directory is nearly empty: {all:?}");
    for secret in secrets {
        for (i, text) in outputs.iter().enumerate() {
            assert!(!text.contains(secret), "a password is in output {i}:\n{text}");
        }
        for path in &all {
            let bytes = std::fs::read(path).unwrap_or_default();
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "a password is in {}", path.display());
        }
    }
}

/// A raw HTTP/1.1 request to the server; returns the status code and the whole response.
fn http(port: u16, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to serve");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let code = response.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, response)
}

/// The session cookie the printed address hands out.
fn session_cookie(serve: &Serve) -> String {
    let path = &serve.url[serve.url.find("/?").unwrap()..];
    let host = format!("127.0.0.1:{}", serve.port);
    let (code, response) =
        http(serve.port, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
    assert_eq!(code, 303, "{response}");
    let line =
        response.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).expect("a cookie");
    assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict"), "{line}");
    line.split_once(':').unwrap().1.trim().split(';').next().unwrap().to_owned()
}

#[test]
fn requests_without_the_secret_or_from_elsewhere_are_refused() {
    let dir = scratch("guard");
    let serve = Serve::start(&dir, &[]);
    let port = serve.port;
    let host = format!("127.0.0.1:{port}");
    let cookie = session_cookie(&serve);
    let get = |path: &str, headers: &str| {
        http(port, &format!("GET {path} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n"))
    };
    let post = |path: &str, headers: &str, body: &str| {
        http(
            port,
            &format!(
                "POST {path} HTTP/1.1\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    };
    let explain = r#"{"text":"535 5.7.8 Username and Password not accepted","lang":"en"}"#;

    // With the cookie, from the page's own origin: answered, with the security headers.
    let ok = format!("Host: {host}\r\nCookie: {cookie}\r\n");
    let (code, response) = post("/api/explain", &format!("{ok}Origin: http://{host}\r\n"), explain);
    assert_eq!(code, 200, "{response}");
    let lower = response.to_ascii_lowercase();
    for header in [
        "content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'",
        "frame-ancestors 'none'",
        "x-content-type-options: nosniff",
        "referrer-policy: no-referrer",
    ] {
        assert!(lower.contains(header), "no {header:?} in\n{response}");
    }
    let (code, _) = get("/", &ok);
    assert_eq!(code, 200);

    // No secret: the page, the assets and the API are refused alike.
    for path in ["/", "/assets/app.js", "/api/info"] {
        let (code, response) = get(path, &format!("Host: {host}\r\n"));
        assert_eq!(code, 403, "{path} without the secret: {response}");
    }
    let (code, _) = post("/api/explain", &format!("Host: {host}\r\n"), explain);
    assert_eq!(code, 403, "a check without the secret");
    let (code, _) = get("/?token=0123456789abcdef0123456789abcdef", &format!("Host: {host}\r\n"));
    assert_eq!(code, 403, "a wrong token");
    let wrong_cookie = format!("Host: {host}\r\nCookie: mailprobe-session-{port}=00ff\r\n");
    assert_eq!(get("/api/info", &wrong_cookie).0, 403, "a wrong cookie");

    // Another web page driving it (its Origin), even with the cookie: refused.
    for origin in ["http://evil.example", "null", &format!("http://localhost.evil.example:{port}")] {
        let (code, response) = post("/api/explain", &format!("{ok}Origin: {origin}\r\n"), explain);
        assert_eq!(code, 403, "Origin {origin}: {response}");
    }
    let (code, _) = post("/api/explain", &format!("{ok}Sec-Fetch-Site: cross-site\r\n"), explain);
    assert_eq!(code, 403, "a cross-site fetch");

    // DNS rebinding: the right cookie and address, but another host name.
    for bad in [format!("evil.example:{port}"), "127.0.0.1".to_owned(), format!("127.0.0.1:{}", port ^ 1)] {
        let (code, response) = get("/api/info", &format!("Host: {bad}\r\nCookie: {cookie}\r\n"));
        assert_eq!(code, 403, "Host {bad}: {response}");
    }
    // `localhost` is this server too.
    assert_eq!(get("/api/info", &format!("Host: localhost:{port}\r\nCookie: {cookie}\r\n")).0, 200);

    // Checks run on POST only; bad input is a clear 4xx, never a crash.
    assert_eq!(get("/api/explain", &ok).0, 405);
    let (code, response) = post("/api/diagnose", &ok, r#"{"preset":"other"}"#);
    assert_eq!(code, 400, "{response}");
    assert!(response.contains("which server"), "{response}");
    assert_eq!(post("/api/explain", &ok, "{not json").0, 400);
    assert_eq!(post("/api/explain", &ok, r#"{"text":"   "}"#).0, 400);

    let printed = serve.stop();
    assert!(printed.contains("mailprobe serve: open http://127.0.0.1:"), "{printed}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_non_loopback_address_needs_allow_remote() {
    let out = Command::new(BIN)
        .args(["serve", "--no-browser", "--listen", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .output()
        .expect("run serve");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--allow-remote"), "{err}");
}

#[test]
fn simulated_gmail_and_microsoft_365_in_the_browser() {
    let gmail = Sim::start(Scenario::GmailAppPasswordRequired);
    let m365 = Sim::start(Scenario::M365LegacyTlsRefused);
    let direct = Sim::start(Scenario::M365DirectSendExternal);
    let dir = scratch("sim");
    let ca = dir.join("sim-ca.pem");
    std::fs::write(&ca, format!("{}\n{}\n{}", gmail.sim.ca_pem(), m365.sim.ca_pem(), direct.sim.ca_pem()))
        .unwrap();
    let serve = Serve::start(&dir, &[&ca]);
    let secrets = [GMAIL_ACCOUNT_PASSWORD, M365_PASSWORD];
    let config = json!({ "scenarios": [
        {
            "name": "gmail-app-password",
            "form": {
                "preset": "gmail", "user": GMAIL_USER, "password": GMAIL_ACCOUNT_PASSWORD,
                "from": GMAIL_USER, "to": GMAIL_RECIPIENT,
                "connect_to": gmail.sim.submission_addr().to_string(),
            },
            "expect": {
                "ok": false,
                "steps": [["connect", "✓"], ["tls", "✓"], ["auth", "✗"]],
                "ids": ["auth.app_password_required"],
                "first": "auth.app_password_required",
                "fixes": ["myaccount.google.com/apppasswords"],
            },
            "audience": {
                "id": "google-account",
                "shown": ["myaccount.google.com/apppasswords"],
                "hidden": ["File > Account Settings"],
            },
            "italian": "Google chiede una password per le app",
        },
        {
            "name": "m365-legacy-tls",
            "form": {
                "preset": "m365-submission", "user": M365_USER, "password": M365_PASSWORD,
                "from": M365_USER, "to": M365_RECIPIENT, "old_tls": true,
                "connect_to": m365.sim.submission_addr().to_string(),
            },
            "expect": {
                "ok": false,
                "steps": [["tls", "✓"], ["rcpt_to", "✓"], ["tls", "✗"]],
                "ids": ["tls.version_too_old"],
                "first": "tls.version_too_old",
                "fixes": ["smtp-legacy.office365.com"],
            },
            "audience": {
                "id": "m365-admin",
                "shown": ["Set-TransportConfig -AllowLegacyTLSClients"],
                "hidden": ["Update the device's firmware"],
            },
        },
        {
            // direct send: no sign-in asked, the tenant's MX endpoint from the sender's domain
            "name": "m365-direct-send-external",
            "form": {
                "preset": "m365-direct-send", "from": M365_USER, "to": M365_EXTERNAL_RECIPIENT,
                "connect_to": direct.sim.submission_addr().to_string(),
            },
            "expect": {
                "ok": false,
                "steps": [["connect", "✓"], ["mail_from", "✓"], ["rcpt_to", "✗"]],
                "ids": ["direct_send.external_recipient"],
                "first": "direct_send.external_recipient",
                "connections": [[M365_MX_HOST, []]],
                "signs_in": false,
            },
        },
    ],
    // Outlook for Mac sending through Gmail: the guide's checks against the simulated Gmail.
    "guide": {
        "playbook": "outlook-gmail-macos",
        "address": GMAIL_USER,
        "password": GMAIL_ACCOUNT_PASSWORD,
        "connect_to": gmail.sim.submission_addr().to_string(),
        "id": "auth.app_password_required",
    },
    });
    let script = run_script("mailbox.mjs", &serve, config, &secrets);
    let printed = serve.stop();
    assert_no_secret(&dir, &[&script, &printed], &secrets);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn good_and_wrong_password_against_the_test_postfix_in_the_browser() {
    let env = TestEnv::get();
    let dir = scratch("postfix");
    let serve = Serve::start(&dir, &[&env.ca_file]);
    let secrets = [env.password.as_str(), WRONG_PASSWORD];
    let form = |password: &str| {
        json!({
            "preset": "other", "host": env.host, "port": env.smtp_starttls, "security": "starttls",
            "user": env.user, "password": password, "to": env.user2,
        })
    };
    let config = json!({ "scenarios": [
        {
            "name": "postfix-good-password",
            "form": form(&env.password),
            "expect": {
                "ok": true,
                "steps": [["connect", "✓"], ["tls", "✓"], ["auth", "✓"], ["mail_from", "✓"], ["rcpt_to", "✓"]],
                "ids": [],
                "absent": ["auth.credentials_rejected"],
            },
        },
        {
            "name": "postfix-wrong-password",
            "form": form(WRONG_PASSWORD),
            "expect": {
                "ok": false,
                "steps": [["connect", "✓"], ["tls", "✓"], ["auth", "✗"]],
                "ids": ["auth.credentials_rejected"],
                "first": "auth.credentials_rejected",
                "fixes": [],
            },
        },
    ]});
    let script = run_script("mailbox.mjs", &serve, config, &secrets);
    let printed = serve.stop();
    assert_no_secret(&dir, &[&script, &printed], &secrets);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The command line's JSON for `args`.
fn cli_json(args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .args(args)
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .output()
        .expect("run mailprobe");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: no JSON ({e})"))
}

#[test]
fn dns_and_advise_in_the_browser() {
    let env = TestEnv::get();
    let dir = scratch("dns");
    let dns_server = format!("127.0.0.1:{}", env.dns_port);
    let serve = Serve::start_with(&dir, &[], &["--dns-server", &dns_server]);
    let dns = cli_json(&["dns", "contoso.test", "--dns-server", &dns_server, "--lang", "en"]);
    assert_eq!(dns["mx"]["provider"]["id"], "m365", "{dns}");
    let advise = ["advise", "--tls", "1.0", "--can-login", "no", "--static-ip", "yes"];
    let en = cli_json(&[&advise[..], &["--lang", "en"]].concat());
    let it = cli_json(&[&advise[..], &["--lang", "it"]].concat());
    let config = json!({
        "dns": { "domain": "contoso.test", "shows": [dns["mx"]["records"][0]["host"], "v=DMARC1"] },
        "advise": {
            "tls": "1.0", "can_login": "no", "static_ip": "yes",
            "shows": [en["title"], en["recommendation"]],
            "italian": it["title"],
        },
    });
    run_script("dns_advise.mjs", &serve, config, &[]);
    serve.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_a_log_and_italian_in_the_browser() {
    let dir = scratch("tools");
    let serve = Serve::start(&dir, &[]);
    let paste = "535-5.7.8 Username and Password not accepted. For more information, go to\n\
                 535 5.7.8  https://support.google.com/mail/?p=BadCredentials d2-20020a05 - gsmtp";
    // What the command line says about the same paste: the page must say the same.
    let cli = Command::new(BIN)
        .args(["explain", "--format", "json", "--lang", "en", paste])
        .stdin(Stdio::null())
        .output()
        .expect("run explain");
    let doc: Value = serde_json::from_slice(&cli.stdout).expect("explain's JSON");
    let first = &doc["findings"][0];
    let id = first["id"].as_str().expect("a finding").to_owned();
    let fix = first["fixes"][0]["text"].as_str().unwrap_or_default().chars().take(30).collect::<String>();
    let it = Command::new(BIN)
        .args(["explain", "--format", "json", "--lang", "it", paste])
        .stdin(Stdio::null())
        .output()
        .expect("run explain --lang it");
    let it: Value = serde_json::from_slice(&it.stdout).expect("explain's JSON");
    let italian = it["findings"][0]["title"].as_str().expect("an Italian title").to_owned();
    assert_ne!(italian, first["title"].as_str().unwrap_or_default());
    let log = repo_root().join("crates/mailprobe-logs/tests/samples/server/postfix.log");
    let config = json!({
        "explain": { "text": paste, "id": id, "fix": fix, "italian": italian },
        "log": {
            "path": log,
            // the counts `mailprobe analyze` prints for this log (tests/analyze_cli.rs)
            "summary": ["postfix, 45 lines, 11 sessions", "11 sessions: 7 failed"],
            "id": "auth.credentials_rejected",
            "count": 3,
            "failed": 7,
        },
    });
    run_script("tools.mjs", &serve, config, &[]);
    serve.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// What `mailprobe diagnose` says for the same test: the page must show the same TLS table and
/// chain (and, for IMAP over implicit TLS on a port that is not 993, the same finding).
fn cli_diagnose(env: &TestEnv, password: &str, imap: &str, tls_scan: bool) -> Value {
    let mut cmd = Command::new(BIN);
    cmd.args(["diagnose", "--format", "json", "--lang", "en", "--security", "starttls"])
        .args(["--host", &env.host, "--port", &env.smtp_starttls.to_string(), "--user", &env.user])
        .args(["--password-env", "MAILPROBE_TEST_PW", "--to", &env.user2, "--imap", imap])
        .arg("--ca-file")
        .arg(&env.ca_file)
        .env("MAILPROBE_TEST_PW", password)
        .stdin(Stdio::null());
    if tls_scan {
        cmd.arg("--tls-scan");
    }
    let out = cmd.output().expect("run diagnose");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("diagnose gave no JSON ({e})"))
}

/// Optional IMAP with its own server, the TLS scan and certificate chain under the encryption
/// step, and the page on a phone-sized screen, against the test Postfix and Dovecot.
#[test]
fn imap_tls_scan_and_a_phone_against_the_test_postfix_in_the_browser() {
    let env = TestEnv::get();
    let dir = scratch("imap-tls");
    let serve = Serve::start(&dir, &[&env.ca_file]);
    let secrets = [env.password.as_str()];
    let starttls_imap = format!("{}:{}", env.host, env.imap_starttls);
    let implicit_imap = format!("{}:{}", env.host, env.imaps);
    let cli = cli_diagnose(env, &env.password, &starttls_imap, true);
    let tls = &cli["tls"];
    let versions: serde_json::Map<String, Value> = tls["versions"]
        .as_array()
        .expect("a versions table")
        .iter()
        .map(|v| {
            let accepted = match v["accepted"].as_bool() {
                Some(b) => b.to_string(),
                None => "unknown".to_owned(),
            };
            (v["version"].as_str().unwrap().to_owned(), json!(accepted))
        })
        .collect();
    assert_eq!(versions.len(), 4, "{tls}");
    assert!(versions.values().any(|v| v == "false"), "the test Postfix refuses TLS 1.0: {tls}");
    let chain: Vec<Value> = tls["chain"].as_array().unwrap().iter().map(|c| c["subject"].clone()).collect();
    assert!(!chain.is_empty(), "{tls}");
    // IMAP over implicit TLS on a port that is not 993: "automatic" talks plain text to it
    let mismatch = cli_diagnose(env, &env.password, &implicit_imap, false);
    let mismatch_id = mismatch["findings"][0]["id"].as_str().expect("a finding").to_owned();
    let smtp = format!("{}:{}", env.host, env.smtp_starttls);
    let form = |imap_server: &str, tls_scan: bool| {
        json!({
            "preset": "other", "host": env.host, "port": env.smtp_starttls, "security": "starttls",
            "user": env.user, "password": env.password, "to": env.user2,
            "imap": true, "imap_server": imap_server, "tls_scan": tls_scan,
        })
    };
    let config = json!({ "scenarios": [
        {
            "name": "postfix-imap-tls-scan",
            "form": form(&starttls_imap, true),
            "phone": true,
            "expect": {
                "ok": true,
                "steps": [["tls", "✓"], ["auth", "✓"], ["rcpt_to", "✓"], ["tls", "✓"], ["auth", "✓"]],
                "ids": [],
                "connections": [
                    [smtp, ["✓ tls", "✓ auth", "✓ rcpt_to"]],
                    [format!("IMAP: {starttls_imap}"), ["✓ tls", "✓ capability", "✓ auth"]],
                ],
                "tls": {
                    "versions": versions,
                    "chain": chain,
                    "negotiated": tls["negotiated"],
                },
            },
        },
        {
            "name": "postfix-imap-implicit-tls-elsewhere",
            "form": form(&implicit_imap, false),
            "expect": {
                "ok": false,
                "steps": [["auth", "✓"], ["rcpt_to", "✓"], ["banner", "✗"]],
                "ids": [mismatch_id],
                "first": mismatch_id,
                "connections": [[format!("IMAP: {implicit_imap}"), ["✓ connect", "✗ banner"]]],
            },
        },
    ]});
    let script = run_script("mailbox.mjs", &serve, config, &secrets);
    let printed = serve.stop();
    assert_no_secret(&dir, &[&script, &printed], &secrets);
    let _ = std::fs::remove_dir_all(&dir);
}

/// OAuth sign-in from the page (mailprobe's browser flow against the test authorization server,
/// the provider's pages in a new tab), then a test that signs in to the OAuth Postfix with the
/// token: no password typed, nothing saved (no sign-in file under the server's HOME); then the
/// device flow (an address and a code shown, entered in another tab).
#[test]
fn oauth_sign_in_from_the_page_then_a_test_with_it() {
    let env = TestEnv::get();
    let dir = scratch("signin");
    let serve = Serve::start(&dir, &[&env.ca_file]);
    let config = json!({ "signin": {
        "host": env.host, "port": env.smtp_oauth, "user": env.user, "to": env.user2,
        "issuer": env.oauth_issuer, "client_id": env.oauth_client_installed,
        "device_client_id": env.oauth_client_device,
        "scopes": "openid email offline_access https://mail.google.com/",
    }});
    let script = run_script("signin.mjs", &serve, config, &[]);
    let printed = serve.stop();
    let mut saved = Vec::new();
    files(&dir.join("home"), &mut saved);
    assert!(!saved.iter().any(|p| p.to_string_lossy().contains("token")), "serve saved a sign-in: {saved:?}");
    assert!(!printed.contains("access_token"), "{printed}");
    assert!(script.contains(&env.user), "{script}");
    let _ = std::fs::remove_dir_all(&dir);
}
