//! `mailprobe relay` as a person runs it, against real peers on 127.0.0.1: `add-device` makes a
//! password, `serve` runs with that device on loopback listeners, swaks sends through it (over
//! STARTTLS, signing in as the device), the relay delivers to the test Postfix with XOAUTH2
//! (client-credentials tokens from the local OpenID provider), Postfix logs the message as
//! sent, `queue list` is empty after; `check` passes against that upstream and fails with a
//! finding against a closed port or a refused client secret; a message to an upstream that is
//! down waits in the queue with its reason and `queue retry|delete|flush` act on it; SIGTERM
//! stops the relay cleanly. No secret (the client secret, the device password, a token) shows
//! in any output or log, plain or base64.

mod support;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use support::cli::{BIN, mailprobe};
use support::testenv::TestEnv;

/// The test environment's `KEY=VALUE` file (its app-only OAuth client is not in `TestEnv`).
fn env_file(env: &TestEnv) -> HashMap<String, String> {
    let path = env.dir.join("env");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn get<'a>(vars: &'a HashMap<String, String>, key: &str) -> &'a str {
    vars.get(key).unwrap_or_else(|| panic!("{key} missing from the test environment"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailprobe-relay-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loopback port nothing listens on now (bound, then closed).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts no secret (plain or base64) is in `text`.
fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "secret {secret:?} leaked:\n{text}");
        let b64 = BASE64.encode(secret);
        assert!(!text.contains(b64.trim_end_matches('=')), "base64 of {secret:?} leaked:\n{text}");
    }
    assert!(!text.contains("eyJ"), "a token (JWT) leaked:\n{text}");
}

/// The upstream table for the test Postfix with XOAUTH2, its client secret read from
/// `secret_file`; `port` is where the relay connects (the real one, or a closed one).
fn oauth_upstream(env: &TestEnv, vars: &HashMap<String, String>, port: u16, secret_file: &Path) -> String {
    format!(
        r#"[upstream]
host = "{name}"
port = {port}
security = "starttls"
connect_to = "127.0.0.1:{port}"
ca_file = "{ca}"
timeout_secs = 5

[upstream.auth]
method = "xoauth2"
user = "{user}"
token_url = "{issuer}/token"
client_id = "{client}"
client_secret_file = "{secret}"
scope = "https://outlook.office365.com/.default"
"#,
        name = env.tls_name,
        ca = env.ca_file.display(),
        user = get(vars, "OAUTH_APP_MAILBOX"),
        issuer = get(vars, "OAUTH_ISSUER"),
        client = get(vars, "OAUTH_CLIENT_APP"),
        secret = secret_file.display(),
    )
}

/// A configuration: a STARTTLS listener with the test certificate on `port`, `devices`
/// (TOML), a short retry schedule, and `upstream` (TOML).
fn config(dir: &Path, env: &TestEnv, port: u16, devices: &str, upstream: &str) -> PathBuf {
    let tls = env.ca_file.parent().unwrap();
    let text = format!(
        r#"spool = "{spool}"
hostname = "relay.test"
log_file = "{log}"

[[listener]]
bind = "127.0.0.1:{port}"
tls = "starttls"
certificate = "{cert}"
key = "{key}"

{devices}

[retry]
first_after_secs = 60
max_backoff_secs = 120
queue_run_secs = 60

{upstream}"#,
        spool = dir.join("spool").display(),
        log = dir.join("relay.log").display(),
        cert = tls.join("server.pem").display(),
        key = tls.join("server.key").display(),
    );
    let path = dir.join("relay.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `mailprobe relay serve` running in the background, its output in files.
struct Serve {
    child: Child,
    dir: PathBuf,
}

impl Serve {
    fn start(config: &Path, dir: &Path, port: u16) -> Self {
        let child = Command::new(BIN)
            .args(["relay", "serve", "--config"])
            .arg(config)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("serve.out")).unwrap())
            .stderr(std::fs::File::create(dir.join("serve.err")).unwrap())
            .spawn()
            .expect("start mailprobe relay serve");
        let serve = Self { child, dir: dir.to_owned() };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < deadline, "the relay did not listen on {addr}:\n{}", serve.output());
            std::thread::sleep(Duration::from_millis(100));
        }
        serve
    }

    /// Its stdout, stderr and log file.
    fn output(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!("{}{}{}", read("serve.out"), read("serve.err"), read("relay.log"))
    }

    /// Sends SIGTERM and waits for the exit status (at most 40 s: the drain time is 30 s).
    fn terminate(mut self) -> (Option<i32>, Duration) {
        let start = Instant::now();
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = start + Duration::from_secs(40);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), start.elapsed());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("the relay did not stop within 40 s of SIGTERM:\n{}", self.output());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        // a test that failed half-way must not leave its relay running
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// swaks sending one message through the relay over STARTTLS, signed in as `device`.
fn swaks(port: u16, device: &str, password: &str, from: &str, to: &str, message_id: &str) -> (bool, String) {
    let out = Command::new("swaks")
        .args(["--server", &format!("127.0.0.1:{port}"), "--tls", "--timeout", "15"])
        .args(["--auth", "LOGIN", "--auth-user", device, "--auth-password", password])
        .args(["--from", from, "--to", to])
        .args(["--header", &format!("Message-Id: <{message_id}>"), "--header", "Subject: relay cli test"])
        .stdin(Stdio::null())
        .output()
        .expect("run swaks");
    (out.status.success(), format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

/// Waits for Postfix's log to show the message with `message_id` delivered (`status=sent`).
fn postfix_delivered(log: &Path, message_id: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let log = std::fs::read_to_string(log).unwrap_or_default();
        let queue_id =
            log.lines().find(|l| l.contains(&format!("message-id=<{message_id}>"))).and_then(|l| {
                let after = l.split("]: ").nth(1)?;
                Some(after.split(':').next()?.to_owned())
            });
        if let Some(qid) = queue_id
            && log.lines().any(|l| l.contains(&format!("{qid}: to=<")) && l.contains("status=sent"))
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// `relay add-device NAME`: the password and the `[[device]]` block from its text output.
fn add_device(name: &str) -> (String, String, String) {
    let out = mailprobe(&["relay", "add-device", name], None, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let password = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("password:"))
        .map(|p| p.trim().to_owned())
        .unwrap_or_else(|| panic!("no password line:\n{stdout}"));
    let block =
        stdout[stdout.find("[[device]]").unwrap_or_else(|| panic!("no block:\n{stdout}"))..].to_owned();
    (password, block, stdout)
}

fn now_micros() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros()
}

#[test]
fn add_device_serve_deliver_through_postfix_with_xoauth2_then_sigterm() {
    let env = TestEnv::get();
    let vars = env_file(env);
    let dir = temp_dir("deliver");
    let secret = get(&vars, "OAUTH_APP_SECRET");
    let secret_file = dir.join("client-secret");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();

    // add-device: a 24-character password, printed once, and a block without it
    let (password, block, add_out) = add_device("printer-cli");
    assert_eq!(password.len(), 24, "{add_out}");
    assert_eq!(add_out.matches(&password).count(), 1, "the password is printed once:\n{add_out}");
    assert!(!block.contains(&password) && block.contains("password_hash = \"$argon2id$"), "{block}");
    let json = mailprobe(&["relay", "add-device", "printer-json", "--format", "json"], None, &[]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["name"], "printer-json");
    assert_eq!(doc["password"].as_str().unwrap().len(), 24);
    assert!(doc["toml"].as_str().unwrap().contains("name = \"printer-json\""));
    let bad = mailprobe(&["relay", "add-device", "two words"], None, &[]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));

    let port = free_port();
    let upstream = oauth_upstream(env, &vars, env.smtp_oauth, &secret_file);
    let config = config(&dir, env, port, &block, &upstream);
    let serve = Serve::start(&config, &dir, port);
    let from = get(&vars, "OAUTH_APP_MAILBOX");
    let message_id = format!("relay-cli-{}@relay.test", now_micros());
    let start = Instant::now();
    let (ok, swaks_out) = swaks(port, "printer-cli", &password, from, &env.user2, &message_id);
    assert!(ok && swaks_out.contains("250 2.0.0 Ok: queued as"), "{swaks_out}\n{}", serve.output());
    assert!(
        postfix_delivered(&env.postfix_oauth_log, &message_id),
        "Postfix did not log {message_id} as sent\n{}",
        serve.output()
    );
    eprintln!("swaks -> relay -> Postfix (XOAUTH2) delivered in {:?}", start.elapsed());
    // the relay logged the delivery as Postfix does (sent, then removed)
    let deadline = Instant::now() + Duration::from_secs(10);
    while !serve.output().contains("removed") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = serve.output();
    assert!(log.contains("status=sent (250 2.0.0 Ok: queued as"), "{log}");
    assert!(log.contains("sasl_username=printer-cli"), "{log}");

    // the queue is empty after, in text and JSON
    let list = mailprobe(&["relay", "queue", "list", "--config", config.to_str().unwrap()], None, &[]);
    assert_eq!(list.status.code(), Some(0), "{}", text(&list.stderr));
    assert_eq!(text(&list.stdout), "The queue is empty.\n");
    let list =
        mailprobe(&["relay", "queue", "--config", config.to_str().unwrap(), "--format", "json"], None, &[]);
    let doc: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(doc["messages"], serde_json::json!([]), "{doc}");

    // SIGTERM: a clean stop, said in the log
    let (code, took) = serve.terminate();
    let log = std::fs::read_to_string(dir.join("relay.log")).unwrap();
    assert_eq!(code, Some(0), "{log}");
    assert!(took < Duration::from_secs(10), "stopping took {took:?}");
    // two sessions: the readiness probe's connection and swaks
    assert!(
        log.contains("SIGTERM: stopping") && log.contains("stopped: 2 sessions served, 0 cut off"),
        "{log}"
    );
    eprintln!("SIGTERM to exit: {took:?}");
    // a stopped relay listens no more
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());

    let everything = format!("{log}\n{}", std::fs::read_to_string(dir.join("serve.err")).unwrap());
    assert_no_secret(&everything, &[secret, &password]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_passes_against_the_upstream_and_fails_with_a_finding_against_a_closed_port() {
    let env = TestEnv::get();
    let vars = env_file(env);
    let dir = temp_dir("check");
    let secret = get(&vars, "OAUTH_APP_SECRET");
    let secret_file = dir.join("client-secret");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    let (_, block, _) = add_device("scanner-check");
    let port = free_port();
    let run = |config: &Path, format: &str| {
        let out = mailprobe(
            &["relay", "check", "--config", config.to_str().unwrap(), "--format", format, "--timeout", "5"],
            None,
            &[],
        );
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert_no_secret(&all, &[secret]);
        (out.status.code(), text(&out.stdout), all)
    };

    // the real upstream, with the relay's own credentials: token, sign-in, MAIL FROM, RCPT TO
    let good = config(&dir, env, port, &block, &oauth_upstream(env, &vars, env.smtp_oauth, &secret_file));
    let (code, stdout, all) = run(&good, "text");
    assert_eq!(code, Some(0), "{all}");
    assert!(
        stdout.contains("OAuth 2.0 token (client_credentials)") && stdout.contains("obtained"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(starttls): ok: certificate and key load: ")
            && stdout.contains("mail.example.test, "),
        "{stdout}"
    );
    assert!(stdout.contains("235 2.7.0") && stdout.contains("No problem found"), "{stdout}");
    let (code, stdout, all) = run(&good, "json");
    assert_eq!(code, Some(0), "{all}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["token"]["ok"], true);
    assert_eq!(doc["listeners"][0]["ok"], true);
    assert_eq!(doc["upstream"]["findings"], serde_json::json!([]), "{doc}");

    // a closed port: exit 1 and the knowledge base's finding
    let closed = config(&dir, env, port, &block, &oauth_upstream(env, &vars, free_port(), &secret_file));
    let (code, stdout, all) = run(&closed, "json");
    assert_eq!(code, Some(1), "{all}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["upstream"]["findings"][0]["id"], "connect.refused", "{doc}");
    let (code, stdout, _) = run(&closed, "text");
    assert_eq!(code, Some(1));
    assert!(stdout.contains("[connect.refused]"), "{stdout}");

    // a client secret the token endpoint refuses: no token, and why, from the same engine
    let canary = "Canary-Relay-Check-4d2e9a";
    let wrong = dir.join("wrong-secret");
    std::fs::write(&wrong, format!("{canary}\n")).unwrap();
    let refused = config(&dir, env, port, &block, &oauth_upstream(env, &vars, env.smtp_oauth, &wrong));
    let (code, stdout, all) = run(&refused, "json");
    assert_eq!(code, Some(1), "{all}");
    assert_no_secret(&all, &[canary]);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["token"]["ok"], false);
    assert!(doc["token"]["error"].as_str().unwrap().contains("invalid_client"), "{doc}");
    assert_eq!(doc["upstream"]["findings"][0]["id"], "oauth.client_rejected", "{doc}");

    // a listener certificate that has expired is a problem before any device connects
    let tls = env.ca_file.parent().unwrap();
    let expired = std::fs::read_to_string(&good)
        .unwrap()
        .replace("server.pem", "expired.pem")
        .replace("server.key", "expired.key");
    let expired_path = dir.join("expired.toml");
    std::fs::write(&expired_path, expired).unwrap();
    assert!(tls.join("expired.pem").exists());
    let (code, stdout, all) = run(&expired_path, "text");
    assert_eq!(code, Some(1), "{all}");
    assert!(stdout.contains("PROBLEM: the certificate") && stdout.contains("expired on"), "{stdout}");

    // a configuration that does not parse is bad input (2), named with its line
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "spool = \"/tmp/x\"\nlisteners = 3\n").unwrap();
    let (code, _, all) = run(&broken, "text");
    assert_eq!(code, Some(2), "{all}");
    assert!(all.contains("broken.toml"), "{all}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_message_for_an_upstream_that_is_down_waits_and_queue_retry_delete_flush_act_on_it() {
    let env = TestEnv::get();
    let vars = env_file(env);
    let dir = temp_dir("queue");
    let secret = get(&vars, "OAUTH_APP_SECRET");
    let secret_file = dir.join("client-secret");
    std::fs::write(&secret_file, format!("{secret}\n")).unwrap();
    let (password, block, _) = add_device("copier-queue");
    let port = free_port();
    // the upstream is a port nothing listens on: every attempt defers
    let config = config(&dir, env, port, &block, &oauth_upstream(env, &vars, free_port(), &secret_file));
    let cfg = config.to_str().unwrap();
    let serve = Serve::start(&config, &dir, port);
    let from = get(&vars, "OAUTH_APP_MAILBOX");
    let (ok, out) = swaks(port, "copier-queue", &password, from, &env.user2, "relay-cli-queue@relay.test");
    assert!(ok, "{out}\n{}", serve.output());

    // the first attempt fails at once; the listing says why, with the finding
    let deadline = Instant::now() + Duration::from_secs(15);
    let doc = loop {
        let list = mailprobe(&["relay", "queue", "--config", cfg, "--format", "json"], None, &[]);
        let doc: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        if doc["messages"][0]["attempts"].as_u64().unwrap_or(0) >= 1 {
            break doc;
        }
        assert!(Instant::now() < deadline, "no attempt recorded:\n{doc}\n{}", serve.output());
        std::thread::sleep(Duration::from_millis(200));
    };
    let message = &doc["messages"][0];
    let id = message["id"].as_str().unwrap().to_owned();
    assert_eq!(message["device"], "copier-queue");
    assert_eq!(message["recipients"], serde_json::json!([env.user2]));
    assert!(message["last_error"].as_str().unwrap().starts_with("connect.refused: "), "{message}");
    let list = mailprobe(&["relay", "queue", "--config", cfg], None, &[]);
    let listing = text(&list.stdout);
    assert!(listing.contains(&id) && listing.contains("last error: connect.refused"), "{listing}");
    assert!(listing.contains("-- 1 message(s)") && listing.contains("next attempt in"), "{listing}");

    // retry: due now, and the running relay tries again within a few seconds
    let retry = mailprobe(&["relay", "queue", "retry", &id, "--config", cfg], None, &[]);
    assert_eq!(retry.status.code(), Some(0), "{}", text(&retry.stderr));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let list = mailprobe(&["relay", "queue", "--config", cfg, "--format", "json"], None, &[]);
        let doc: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        if doc["messages"][0]["attempts"].as_u64().unwrap_or(0) >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "retry did not lead to a second attempt:\n{doc}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let flush = mailprobe(&["relay", "queue", "flush", "--config", cfg], None, &[]);
    assert_eq!(flush.status.code(), Some(0));
    assert!(text(&flush.stdout).contains("due now"), "{}", text(&flush.stdout));

    // bad ids are bad input; an unknown one is not queued
    let bad = mailprobe(&["relay", "queue", "delete", "nonsense", "--config", cfg], None, &[]);
    assert_eq!(bad.status.code(), Some(2));
    let unknown =
        mailprobe(&["relay", "queue", "delete", "0123456789ABCDEF0123456789", "--config", cfg], None, &[]);
    assert_eq!(unknown.status.code(), Some(1));
    let delete = mailprobe(&["relay", "queue", "delete", &id, "--config", cfg], None, &[]);
    assert_eq!(delete.status.code(), Some(0), "{}", text(&delete.stderr));
    let list = mailprobe(&["relay", "queue", "--config", cfg], None, &[]);
    assert_eq!(text(&list.stdout), "The queue is empty.\n");

    let (code, _) = serve.terminate();
    let log = std::fs::read_to_string(dir.join("relay.log")).unwrap();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("status=deferred") && log.contains("connect.refused"), "{log}");
    assert_no_secret(&log, &[secret, &password]);
    let _ = std::fs::remove_dir_all(&dir);
}
