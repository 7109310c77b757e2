//! Helpers for the OAuth tests: tokens from the test authorization server (through its real
//! sign-in pages, driven by `testenv/oauth-server/token.mjs`), and `mailprobe auth login` runs
//! completed the way a person at a browser would.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::testenv::TestEnv;

/// The scopes of a Google-style (opaque) token for mail.
pub const GOOGLE_SCOPES: &str = "openid email offline_access https://mail.google.com/";
/// The scopes of a Microsoft-style (JWT) token for SMTP and IMAP.
pub const OUTLOOK_SCOPES: &str = "openid offline_access https://outlook.office.com/SMTP.Send https://outlook.office.com/IMAP.AccessAsUser.All";
/// The scopes of a token for Microsoft Graph (a JWT whose audience is no mail server).
pub const GRAPH_SCOPES: &str = "openid offline_access https://graph.microsoft.com/Mail.Send";

/// A token response from the test server.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub scope: String,
}

fn node(env: &TestEnv) -> Command {
    let mut c = Command::new(&env.node);
    // the HTTPS issuer's certificate comes from the private test CA
    c.arg(&env.oauth_token_tool).env("NODE_EXTRA_CA_CERTS", &env.ca_file).stdin(Stdio::null());
    c
}

fn check(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{what} failed: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// Signs `user` in with `client` for `scope` and returns the tokens; `revoke` = "access" or
/// "refresh" revokes that token at the server first.
pub fn token(env: &TestEnv, user: &str, client: &str, scope: &str, revoke: Option<&str>) -> Tokens {
    let mut c = node(env);
    c.args(["token", "--issuer", &env.oauth_issuer, "--user", user, "--client", client, "--scope", scope]);
    if let Some(r) = revoke {
        c.args(["--revoke", r]);
    }
    let out = c.output().expect("run node");
    let v: serde_json::Value =
        serde_json::from_str(check(&out, "token.mjs token").trim()).expect("token JSON");
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    Tokens {
        access_token: s("access_token").expect("access_token"),
        refresh_token: s("refresh_token"),
        id_token: s("id_token"),
        scope: s("scope").unwrap_or_default(),
    }
}

/// Revokes a token at the server's revocation endpoint (as a public client).
pub fn revoke(env: &TestEnv, client: &str, token: &str) {
    let script = r#"
const [issuer, client, token] = process.argv.slice(1);
const r = await fetch(issuer + '/token/revocation', { method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ token, client_id: client }).toString() });
if (!r.ok) { console.error('HTTP', r.status, await r.text()); process.exit(1); }
"#;
    let out = Command::new(&env.node)
        .args(["--input-type=module", "-e", script, &env.oauth_issuer, client, token])
        .stdin(Stdio::null())
        .output()
        .expect("run node");
    check(&out, "revocation");
}

/// A `mailprobe` command whose config (and so its token store) is `config_dir`, without a
/// session bus (so the OS keyring is unavailable, as on the test machines).
pub fn mailprobe(config_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mailprobe"));
    c.env("MAILPROBE_CONFIG_DIR", config_dir)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("MAILPROBE_TOKEN_STORE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

/// What a finished command printed.
#[derive(Debug, Clone)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

pub fn run(mut c: Command) -> Run {
    let out = c.output().expect("run mailprobe");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a `mailprobe auth login` that prints a sign-in prompt on stderr; `answer` gets the
/// stderr line that `wanted` accepts and plays the person (approves in the "browser"). Returns
/// everything the command printed.
pub fn login_interactive(mut c: Command, wanted: impl Fn(&str) -> bool, answer: impl FnOnce(&str)) -> Run {
    let mut child = c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn mailprobe");
    let stderr = child.stderr.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            all.push_str(&line);
            all.push('\n');
            let _ = tx.send(line);
        }
        all
    });
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut answer = Some(answer);
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) if wanted(&line) => {
                if let Some(a) = answer.take() {
                    a(&line);
                }
                break;
            }
            Ok(_) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: reader.join().unwrap_or_default(),
    }
}

/// The authorization URL in a line `mailprobe auth login` printed.
pub fn url_in(line: &str) -> Option<String> {
    line.split_whitespace()
        .find(|w| (w.starts_with("http://") || w.starts_with("https://")) && w.contains("/auth?"))
        .map(str::to_owned)
}

/// Approves an authorization URL as `user` and lets the redirect reach the client.
pub fn approve(env: &TestEnv, url: &str, user: &str) {
    let out =
        node(env).args(["approve", "--user", user, "--url", url, "--deliver"]).output().expect("run node");
    let text = check(&out, "token.mjs approve");
    assert!(text.contains("delivered: HTTP 200"), "{text}");
}

/// Enters a device flow's user code as `user`.
pub fn approve_device(env: &TestEnv, code: &str, user: &str) {
    let out = node(env)
        .args(["device", "--issuer", &env.oauth_issuer, "--user", user, "--code", code])
        .output()
        .expect("run node");
    check(&out, "token.mjs device");
}

/// `mailprobe auth login --provider custom --issuer ISSUER --client-id CLIENT --no-browser`,
/// asking for `scopes`.
pub fn login_command(config: &Path, issuer: &str, client: &str, scopes: &str) -> Command {
    let mut c = mailprobe(config);
    c.args([
        "auth",
        "login",
        "--provider",
        "custom",
        "--issuer",
        issuer,
        "--client-id",
        client,
        "--no-browser",
    ]);
    for s in scopes.split_whitespace() {
        c.args(["--scope", s]);
    }
    c
}

/// `mailprobe auth login --provider custom --issuer … --client-id CLIENT` with `scopes`, signed
/// in as `user` through the browser flow.
pub fn login_browser(
    env: &TestEnv,
    config: &Path,
    client: &str,
    scopes: &str,
    user: &str,
    extra: &[&str],
) -> Run {
    let mut c = login_command(config, &env.oauth_issuer, client, scopes);
    c.args(extra);
    login_browser_with(env, c, user)
}

/// Runs a `mailprobe auth login` command (browser flow) and approves it as `user`.
pub fn login_browser_with(env: &TestEnv, c: Command, user: &str) -> Run {
    let env2 = env.clone();
    let user = user.to_owned();
    login_interactive(c, |l| url_in(l).is_some(), move |l| approve(&env2, &url_in(l).unwrap(), &user))
}

/// `mailprobe diagnose` against SMTP_OAUTH (STARTTLS, the test CA trusted), and IMAPS_OAUTH
/// too with `imap`; the caller adds the user, the secrets and the format.
pub fn diagnose_oauth(env: &TestEnv, config: &Path, imap: bool) -> Command {
    let mut c = mailprobe(config);
    c.args([
        "diagnose",
        "--host",
        &env.host,
        "--port",
        &env.smtp_oauth.to_string(),
        "--security",
        "starttls",
        "--ca-file",
        env.ca_file.to_str().unwrap(),
        "--timeout",
        "20",
    ]);
    if imap {
        c.args(["--imap", &format!("{}:{}", env.host, env.imaps_oauth), "--imap-security", "tls"]);
    }
    c
}

/// The stored sign-in `profile` of the file fallback, as JSON (tokens included: tests only).
pub fn stored_file(config: &Path, profile: &str) -> serde_json::Value {
    let path = config.join("auth").join(format!("{profile}.token.json"));
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

/// The events of the primary transcript of `protocol` (`smtp`, `imap`) in a JSON report.
pub fn transcript<'a>(doc: &'a serde_json::Value, protocol: &str) -> &'a [serde_json::Value] {
    doc["transcripts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["protocol"] == protocol && t["role"] == "primary")
        .unwrap_or_else(|| panic!("no {protocol} transcript in {doc:#}"))["events"]
        .as_array()
        .unwrap()
}

/// The finding ids of a JSON report, in order.
pub fn finding_ids(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "mailprobe-{tag}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
