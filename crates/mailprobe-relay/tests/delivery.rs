//! The queue runner and upstream delivery against real peers on 127.0.0.1: the test Postfix +
//! Dovecot (`oauth2` passdb, XOAUTH2) with the local OpenID provider issuing client-credentials
//! tokens (scripts/testenv), mailprobe's simulator playing Microsoft 365's replies, a capturing
//! SMTP sink for the no-auth path, and faults (refused, stalled, 4xx, 5xx, token endpoint down
//! or refusing the client). Every test fails rather than skips when a peer is missing.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use mailprobe_relay::upstream::{RcptOutcome, UpstreamClient};
use mailprobe_relay::{Envelope, Log, Queue, RelayConfig, Runner, Spool};
use mailprobe_sim::{Scenario, Simulator, accounts};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

// ------------------------------------------------------------------ the test environment

/// `scripts/testenv start` once per test binary, then its `KEY=VALUE` file.
fn testenv() -> &'static HashMap<String, String> {
    static ENV: OnceLock<HashMap<String, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let out = std::env::temp_dir().join(format!("relay-testenv-{}.out", std::process::id()));
        let status = Command::new("bash")
            .arg(root.join("scripts/testenv"))
            .arg("start")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(Stdio::inherit())
            .status()
            .expect("run scripts/testenv");
        assert!(status.success(), "scripts/testenv start failed");
        let file = std::fs::read_to_string(&out).unwrap();
        let _ = std::fs::remove_file(&out);
        let path = file.lines().last().unwrap_or_default().trim().to_owned();
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    })
}

fn env(key: &str) -> String {
    testenv().get(key).unwrap_or_else(|| panic!("{key} missing from the test environment")).clone()
}

// ------------------------------------------------------------------ helpers

/// A log kept in memory.
#[derive(Default)]
struct MemLog(Mutex<Vec<String>>);

impl Log for MemLog {
    fn line(&self, daemon: &str, text: &str) {
        self.0.lock().unwrap().push(format!("{daemon}: {text}"));
    }
}

impl MemLog {
    fn text(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailprobe-relay-delivery-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A relay configuration whose `[upstream]` is `upstream` (TOML lines), with a short retry
/// schedule (seconds) and no pacing to speak of.
fn config(dir: &Path, upstream: &str, retry: &str) -> RelayConfig {
    let text = format!(
        r#"
spool = "{spool}"
hostname = "relay.test"
language = "en"

[[listener]]
bind = "127.0.0.1:0"
tls = "none"

[[device]]
name = "printer"
networks = ["127.0.0.1"]

[retry]
{retry}

[upstream]
per_minute = 100000
timeout_secs = 5
{upstream}
"#,
        spool = dir.join("spool").display()
    );
    RelayConfig::parse(&text, Path::new("relay.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

const FAST_RETRY: &str =
    "first_after_secs = 1\nmax_backoff_secs = 2\nlifetime_secs = 3600\nqueue_run_secs = 1";

fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn now_micros() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros()
}

fn message(subject: &str, message_id: &str, from: &str) -> Vec<u8> {
    format!(
        "From: <{from}>\r\nTo: <someone@example.test>\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\r\n\
         A scan from the printer.\r\n.a line that starts with a dot\r\n"
    )
    .into_bytes()
}

struct Relay {
    spool: Arc<Spool>,
    runner: Arc<Runner>,
    log: Arc<MemLog>,
}

fn relay(config: RelayConfig) -> Relay {
    let spool = Arc::new(Spool::open(&config.spool).unwrap());
    let log = Arc::new(MemLog::default());
    let runner = Arc::new(Runner::new(config, spool.clone(), Arc::new(Notify::new()), log.clone()).unwrap());
    Relay { spool, runner, log }
}

impl Relay {
    fn enqueue(&self, from: &str, to: &[&str], body: &[u8]) -> mailprobe_relay::QueueId {
        let envelope = Envelope {
            from: from.into(),
            to: to.iter().map(|s| s.to_string()).collect(),
            device: "printer".into(),
        };
        self.spool.enqueue(&envelope, body, now_micros()).unwrap()
    }

    /// Runs passes until the queue is empty or `limit` passes; a pause between them lets a
    /// deferred message become due (first_after_secs = 1).
    async fn drain(&self, limit: usize) -> usize {
        for pass in 0..limit {
            self.runner.clone().run_once().await.unwrap();
            if self.spool.list().unwrap().is_empty() {
                return pass + 1;
            }
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
        limit
    }
}

/// Asserts no secret (plain or base64) is in `text`.
fn assert_no_secret(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "secret {secret:?} leaked:\n{text}");
        let b64 = BASE64.encode(secret);
        assert!(!text.contains(b64.trim_end_matches('=')), "base64 of {secret:?} leaked:\n{text}");
    }
}

// ------------------------------------------------------------------ a capturing SMTP sink

/// What the sink received: envelope and body (dot-stuffing removed).
#[derive(Clone, Debug)]
struct Received {
    from: String,
    to: Vec<String>,
    body: Vec<u8>,
}

/// A plain SMTP server that accepts everything and keeps it; `connections` counts sessions.
struct Sink {
    received: Arc<Mutex<Vec<Received>>>,
    connections: Arc<Mutex<usize>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn sink_on(listener: TcpListener, data_delay: Duration) -> Sink {
    let received: Arc<Mutex<Vec<Received>>> = Arc::default();
    let connections: Arc<Mutex<usize>> = Arc::default();
    let (r, c) = (received.clone(), connections.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            *c.lock().unwrap() += 1;
            let r = r.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
                let (mut from, mut to) = (String::new(), Vec::new());
                loop {
                    let mut line = Vec::new();
                    match tokio::time::timeout(Duration::from_secs(10), lines.read_until(b'\n', &mut line))
                        .await
                    {
                        Ok(Ok(n)) if n > 0 => {}
                        _ => return,
                    }
                    let text = String::from_utf8_lossy(&line).trim_end().to_owned();
                    let upper = text.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink.test\r\n250-SIZE 10000000\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        from = text[10..].trim_start_matches('<').split('>').next().unwrap_or("").to_owned();
                        b"250 2.1.0 ok\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(text[8..].trim_start_matches('<').split('>').next().unwrap_or("").to_owned());
                        b"250 2.1.5 ok\r\n"
                    } else if upper == "DATA" {
                        let _ = write.write_all(b"354 go ahead\r\n").await;
                        let mut body = Vec::new();
                        loop {
                            let mut l = Vec::new();
                            if lines.read_until(b'\n', &mut l).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if l == b".\r\n" {
                                break;
                            }
                            body.extend_from_slice(l.strip_prefix(b".").unwrap_or(&l));
                        }
                        tokio::time::sleep(data_delay).await;
                        r.lock().unwrap().push(Received {
                            from: std::mem::take(&mut from),
                            to: std::mem::take(&mut to),
                            body,
                        });
                        b"250 2.0.0 queued in the sink\r\n"
                    } else if upper == "RSET" {
                        from.clear();
                        to.clear();
                        b"250 ok\r\n"
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"502 5.5.2 not here\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Sink { received, connections, task }
}

fn plain_upstream(addr: SocketAddr) -> String {
    format!(
        "host = \"sink.test\"\nport = {}\nsecurity = \"none\"\nconnect_to = \"{addr}\"\nconcurrency = 1\n\n[upstream.auth]\nmethod = \"none\"\n",
        addr.port()
    )
}

// ------------------------------------------------------------------ Postfix + Dovecot, XOAUTH2

fn oauth_upstream(dir: &Path, secret: &str, token_url: &str) -> String {
    let secret_file = write_file(dir, "client-secret", &format!("{secret}\n"));
    format!(
        r#"host = "{name}"
port = {port}
security = "starttls"
connect_to = "127.0.0.1:{port}"
ca_file = "{ca}"
concurrency = 2

[upstream.auth]
method = "xoauth2"
user = "{user}"
token_url = "{token_url}"
client_id = "{client}"
client_secret_file = "{secret_file}"
scope = "https://outlook.office365.com/.default"
"#,
        name = env("TLS_NAME"),
        port = env("SMTP_OAUTH"),
        ca = env("CA_FILE"),
        user = env("OAUTH_APP_MAILBOX"),
        client = env("OAUTH_CLIENT_APP"),
        secret_file = secret_file.display(),
    )
}

/// Waits for Postfix's log to show the message with `message_id` delivered (`status=sent`).
fn postfix_delivered(message_id: &str) -> bool {
    let log_path = env("POSTFIX_OAUTH_LOG");
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_only_xoauth2_delivers_through_postfix_and_dovecot() {
    let dir = temp_dir("xoauth2");
    let token_url = format!("{}/token", env("OAUTH_ISSUER"));
    let config = config(&dir, &oauth_upstream(&dir, &env("OAUTH_APP_SECRET"), &token_url), FAST_RETRY);
    let r = relay(config);
    let from = env("OAUTH_APP_MAILBOX");
    let stamp = now_micros();
    let ids: Vec<String> = (0..4).map(|i| format!("relay-xoauth2-{stamp}-{i}@relay.test")).collect();
    for id in &ids {
        r.enqueue(&from, &[&env("USER2")], &message("app-only", id, &from));
    }
    let start = Instant::now();
    let passes = r.drain(3).await;
    let log = r.log.text();
    assert!(r.spool.list().unwrap().is_empty(), "still queued after {passes} passes:\n{log}");
    eprintln!("4 messages over XOAUTH2 (client credentials) in {:?}, {passes} pass(es)", start.elapsed());
    for id in &ids {
        assert!(postfix_delivered(id), "Postfix did not log {id} as sent\n{log}");
    }
    assert_eq!(log.matches("status=sent (250 2.0.0 Ok: queued as").count(), 4, "{log}");
    assert_no_secret(&log, &[&env("OAUTH_APP_SECRET")]);
    assert!(!log.contains("eyJ"), "a token in the log:\n{log}");
}

/// The Postfix session (its smtpd process, and the log line) that received `message_id`.
fn postfix_session_of(log: &str, message_id: &str) -> (String, usize) {
    let qid = log
        .lines()
        .find(|l| l.contains(&format!("message-id=<{message_id}>")))
        .and_then(|l| l.split("]: ").nth(1)?.split(':').next())
        .unwrap_or_else(|| panic!("no queue id for {message_id}"));
    let (index, line) = log
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(&format!("]: {qid}: client=")))
        .unwrap_or_else(|| panic!("no smtpd line for {qid}"));
    let pid = line.split("smtpd[").nth(1).and_then(|r| r.split(']').next()).unwrap_or_default();
    (pid.to_owned(), index)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_soon_after_a_pass_goes_out_on_the_connection_that_pass_left_open() {
    let dir = temp_dir("idle-reuse");
    let token_url = format!("{}/token", env("OAUTH_ISSUER"));
    let config = config(&dir, &oauth_upstream(&dir, &env("OAUTH_APP_SECRET"), &token_url), FAST_RETRY);
    let r = relay(config);
    let from = env("OAUTH_APP_MAILBOX");
    let stamp = now_micros();
    let ids: Vec<String> = (0..2).map(|i| format!("relay-idle-{stamp}-{i}@relay.test")).collect();
    for id in &ids {
        // one message per pass, as a printer sending a scan now and then
        r.enqueue(&from, &[&env("USER2")], &message("idle reuse", id, &from));
        r.runner.clone().run_once().await.unwrap();
    }
    let log = r.log.text();
    for id in &ids {
        assert!(postfix_delivered(id), "Postfix did not log {id} as sent\n{log}");
    }
    let postfix = std::fs::read_to_string(env("POSTFIX_OAUTH_LOG")).unwrap();
    let (first_pid, first_line) = postfix_session_of(&postfix, &ids[0]);
    let (second_pid, second_line) = postfix_session_of(&postfix, &ids[1]);
    // one session: the same smtpd process took both, and did not end a session in between
    assert_eq!(first_pid, second_pid, "two sessions:\n{postfix}");
    let between = postfix.lines().skip(first_line).take(second_line - first_line);
    let ended = between.filter(|l| l.contains(&format!("smtpd[{first_pid}]: disconnect from"))).count();
    assert_eq!(ended, 0, "the session ended between the two messages");
    assert!(log.matches("status=sent").count() == 2, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_connection_carries_several_messages_and_long_tokens_go_in_a_continuation() {
    let dir = temp_dir("reuse");
    let token_url = format!("{}/token", env("OAUTH_ISSUER"));
    let config = config(&dir, &oauth_upstream(&dir, &env("OAUTH_APP_SECRET"), &token_url), FAST_RETRY);
    let client = UpstreamClient::new(&config.upstream, "relay.test").unwrap();
    let mut conn =
        client.connect().await.unwrap_or_else(|f| panic!("{:?}\n{:#?}", f.failure, f.transcript.events));
    let from = env("OAUTH_APP_MAILBOX");
    let stamp = now_micros();
    let mut transcripts = Vec::new();
    for i in 0..3 {
        let id = format!("relay-reuse-{stamp}-{i}@relay.test");
        let delivery = conn.deliver(&from, &[env("USER2")], &message("reuse", &id, &from)).await;
        assert!(
            matches!(delivery.recipients[0].1, RcptOutcome::Delivered { .. }),
            "{:?}",
            delivery.recipients
        );
        assert!(postfix_delivered(&id));
        transcripts.push(delivery.transcript);
    }
    assert_eq!(conn.messages(), 3);
    let sent: Vec<String> = transcripts[2]
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            mailprobe_proto::EventKind::Sent { line } => Some(line.clone()),
            _ => None,
        })
        .collect();
    // the Microsoft-style JWT makes the AUTH line too long for 512 bytes: sent after a 334
    let auth = sent.iter().position(|l| l == "AUTH XOAUTH2").unwrap_or_else(|| panic!("{sent:?}"));
    assert!(sent[auth + 1].starts_with("<redacted: XOAUTH2 user="), "{sent:?}");
    // one session: a single EHLO pair (before and after STARTTLS), then this message only
    assert_eq!(sent.iter().filter(|l| l.starts_with("EHLO")).count(), 2, "{sent:?}");
    assert_eq!(sent.iter().filter(|l| l.starts_with("MAIL FROM")).count(), 1, "{sent:?}");
    let transcript = conn.quit().await;
    let json = serde_json::to_string(&transcripts).unwrap() + &serde_json::to_string(&transcript).unwrap();
    assert!(!json.contains("eyJ"), "a token in a transcript");
    assert_no_secret(&json, &[&env("OAUTH_APP_SECRET")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_that_refuses_the_client_defers_and_says_invalid_client() {
    let dir = temp_dir("invalid-client");
    let canary = "Canary-WrongSecret-93e1f0";
    let token_url = format!("{}/token", env("OAUTH_ISSUER"));
    let config = config(&dir, &oauth_upstream(&dir, canary, &token_url), FAST_RETRY);
    let r = relay(config);
    let from = env("OAUTH_APP_MAILBOX");
    let id =
        r.enqueue(&from, &[&env("USER2")], &message("bad secret", "relay-invalid-client@relay.test", &from));
    r.runner.clone().run_once().await.unwrap();
    let state = r.spool.state(&id).unwrap();
    let log = r.log.text();
    assert_eq!(state.attempts, 1, "{log}");
    let error = state.last_error.clone().unwrap_or_default();
    assert!(error.contains("invalid_client"), "{error}\n{log}");
    assert!(log.contains("status=deferred") && log.contains("invalid_client"), "{log}");
    let stored = std::fs::read_to_string(dir.join(format!("spool/state/{id}.state"))).unwrap();
    assert_no_secret(&format!("{log}\n{error}\n{stored}"), &[canary]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_that_is_down_defers_the_message() {
    let dir = temp_dir("token-down");
    // a port nothing listens on: bound, then closed
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let token_url = format!("http://127.0.0.1:{port}/token");
    let config = config(&dir, &oauth_upstream(&dir, &env("OAUTH_APP_SECRET"), &token_url), FAST_RETRY);
    let r = relay(config);
    let from = env("OAUTH_APP_MAILBOX");
    let id = r.enqueue(&from, &[&env("USER2")], &message("token down", "relay-token-down@relay.test", &from));
    let start = Instant::now();
    r.runner.clone().run_once().await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(15));
    let state = r.spool.state(&id).unwrap();
    let log = r.log.text();
    assert_eq!(state.attempts, 1);
    assert!(state.next_attempt > 0);
    assert!(log.contains("unreachable"), "{log}");
    assert_no_secret(&log, &[&env("OAUTH_APP_SECRET")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_cached_until_near_expiry_and_fetched_again_after_invalidation() {
    let dir = temp_dir("token-cache");
    let token_url = format!("{}/token", env("OAUTH_ISSUER"));
    let config = config(&dir, &oauth_upstream(&dir, &env("OAUTH_APP_SECRET"), &token_url), FAST_RETRY);
    let client = UpstreamClient::new(&config.upstream, "relay.test").unwrap();
    let tokens = client.token_source().unwrap();
    let a = tokens.token().await.unwrap();
    let b = tokens.token().await.unwrap();
    assert_eq!(a.expose(), b.expose(), "the second call must use the cache");
    tokens.invalidate().await;
    let c = tokens.token().await.unwrap();
    assert_ne!(a.expose(), c.expose(), "after invalidation a new token is fetched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegated_refresh_token_delivers_and_a_rotated_one_is_kept() {
    let dir = temp_dir("refresh");
    let user = env("USER");
    // a real sign-in (authorization code + PKCE through the server's login form) for alice
    let out = Command::new(env("NODE"))
        .args([&env("OAUTH_TOKEN_TOOL"), "token", "--issuer", &env("OAUTH_ISSUER"), "--user", &user])
        .args(["--client", &env("OAUTH_CLIENT_INSTALLED")])
        .args(["--scope", "openid email offline_access https://outlook.office.com/SMTP.Send"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refresh = response["refresh_token"].as_str().unwrap().to_owned();
    let refresh_file = write_file(&dir, "refresh-token", &format!("{refresh}\n"));
    let upstream = format!(
        r#"host = "{name}"
port = {port}
security = "starttls"
connect_to = "127.0.0.1:{port}"
ca_file = "{ca}"

[upstream.auth]
method = "xoauth2"
user = "{user}"
token_url = "{issuer}/token"
client_id = "{client}"
refresh_token_file = "{file}"
scope = "https://outlook.office.com/SMTP.Send"
"#,
        name = env("TLS_NAME"),
        port = env("SMTP_OAUTH"),
        ca = env("CA_FILE"),
        issuer = env("OAUTH_ISSUER"),
        client = env("OAUTH_CLIENT_INSTALLED"),
        file = refresh_file.display(),
    );
    let r = relay(config(&dir, &upstream, FAST_RETRY));
    let id = format!("relay-refresh-{}@relay.test", now_micros());
    r.enqueue(&user, &[&env("USER2")], &message("delegated", &id, &user));
    r.drain(3).await;
    let log = r.log.text();
    assert!(r.spool.list().unwrap().is_empty(), "{log}");
    assert!(postfix_delivered(&id), "{log}");
    // the server rotated the refresh token (a public client's): the new one is in the file
    let stored = std::fs::read_to_string(&refresh_file).unwrap();
    assert_ne!(stored.trim(), refresh, "the rotated refresh token was not kept");
    assert!(!stored.trim().is_empty());
    assert_no_secret(&log, &[&refresh, stored.trim()]);
}

// ------------------------------------------------------------------ faults with a plain sink

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_down_then_a_restart_with_a_full_queue_delivers_everything() {
    let dir = temp_dir("restart");
    // reserve a port, close it: the upstream is down
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let config = config(&dir, &plain_upstream(addr), FAST_RETRY);
    let first = relay(config.clone());
    let body =
        b"Subject: dots and bytes\nX-Caf\xc3\xa9: 8-bit header\n\n.leading dot\n..two dots\nbare LF end"
            .to_vec();
    for i in 0..5 {
        first.enqueue("printer@example.test", &[&format!("r{i}@example.test")], &body);
    }
    first.runner.clone().run_once().await.unwrap();
    let queued = first.spool.list().unwrap();
    assert_eq!(queued.len(), 5);
    let log = first.log.text();
    for (_, state) in &queued {
        assert_eq!(state.attempts, 1);
        let error = state.last_error.as_deref().unwrap_or_default();
        assert!(error.starts_with("connect.refused: "), "{error}\n{log}");
    }
    // the first message's connection failed; the other four were deferred without trying
    assert_eq!(log.matches("relay=none").count(), 5, "{log}");
    // a second runner on the same spool is refused while the first lives
    let second = Runner::new(
        config.clone(),
        first.spool.clone(),
        Arc::new(Notify::new()),
        Arc::new(MemLog::default()),
    );
    assert!(second.is_err());
    // The pass's last tasks (a worker leaving its connection idle, an outcome's record) hold the
    // runner, and so its lock, a moment after `run_once` returned: wait for them, as a process
    // that exits would.
    let runner = Arc::clone(&first.runner);
    drop(first);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while Arc::strong_count(&runner) > 1 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(runner);

    // restart: the upstream is back, a new runner on the same spool delivers them all
    let sink = sink_on(TcpListener::bind(addr).await.unwrap(), Duration::ZERO).await;
    let restarted = relay(config);
    assert_eq!(Queue::open(&dir.join("spool")).unwrap().flush().unwrap(), 5);
    restarted.drain(3).await;
    assert!(restarted.spool.list().unwrap().is_empty(), "{}", restarted.log.text());
    let got = sink.received.lock().unwrap().clone();
    assert_eq!(got.len(), 5);
    let expected = b"Subject: dots and bytes\r\nX-Caf\xc3\xa9: 8-bit header\r\n\r\n.leading dot\r\n..two dots\r\nbare LF end\r\n";
    let mut rcpts: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    rcpts.sort();
    assert_eq!(rcpts, (0..5).map(|i| format!("r{i}@example.test")).collect::<Vec<_>>());
    for m in &got {
        assert_eq!(m.from, "printer@example.test");
        assert_eq!(m.body, expected, "{}", String::from_utf8_lossy(&m.body));
    }
    // concurrency 1: one connection carried all five
    assert_eq!(*sink.connections.lock().unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_stalls_times_out_and_the_message_waits() {
    let dir = temp_dir("stall");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // accepts and never says a word
    let stall = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let mut config = config(&dir, &plain_upstream(addr), FAST_RETRY);
    config.upstream.timeout_secs = 1;
    let r = relay(config);
    let id = r.enqueue("printer@example.test", &["a@example.test"], b"Subject: x\r\n\r\ny\r\n");
    let start = Instant::now();
    r.runner.clone().run_once().await.unwrap();
    let took = start.elapsed();
    stall.abort();
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "{took:?}");
    let state = r.spool.state(&id).unwrap();
    let error = state.last_error.unwrap_or_default();
    assert!(error.starts_with("banner.timeout: "), "{error}\n{}", r.log.text());
}

// ------------------------------------------------------------------ Microsoft 365, simulated

async fn m365(scenario: Scenario, dir: &Path, auth: &str, language: &str, retry: &str) -> (Simulator, Relay) {
    let sim = Simulator::start(scenario).await.unwrap();
    let ca = write_file(dir, "sim-ca.pem", sim.ca_pem());
    let upstream = format!(
        "host = \"{host}\"\nport = 587\nsecurity = \"starttls\"\nconnect_to = \"{addr}\"\nca_file = \"{ca}\"\nconcurrency = 1\n\n{auth}",
        host = sim.host_name(),
        addr = sim.submission_addr(),
        ca = ca.display(),
    );
    let mut config = config(dir, &upstream, retry);
    config.language = language.into();
    (sim, relay(config))
}

fn printer_auth(dir: &Path) -> String {
    let pw = write_file(dir, "printer-password", &format!("{}\n", accounts::M365_PASSWORD));
    format!(
        "[upstream.auth]\nmethod = \"plain\"\nuser = \"{}\"\npassword_file = \"{}\"\n",
        accounts::M365_USER,
        pw.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_recipients_defers_the_rest_and_the_next_attempt_sends_only_them() {
    let dir = temp_dir("m365-452");
    let (sim, r) = m365(Scenario::M365Ok, &dir, &printer_auth(&dir), "en", FAST_RETRY).await;
    let rcpts: Vec<String> = (0..101).map(|i| format!("user{i}@contoso.example")).collect();
    let rcpt_refs: Vec<&str> = rcpts.iter().map(String::as_str).collect();
    let id = r.enqueue(accounts::M365_USER, &rcpt_refs, b"Subject: to everyone\r\n\r\nhello\r\n");
    r.runner.clone().run_once().await.unwrap();
    let state = r.spool.state(&id).unwrap();
    let log = r.log.text();
    assert_eq!(state.delivered.len(), 100, "{log}");
    assert_eq!(state.attempts, 1);
    assert!(log.contains("status=deferred (upstream said: 452 4.5.3 Too many recipients"), "{log}");
    eprintln!("deferral: {}", state.last_error.as_deref().unwrap_or_default());
    r.drain(4).await;
    assert!(r.spool.list().unwrap().is_empty(), "{}", r.log.text());
    let accepted = sim.accepted_messages();
    assert_eq!(accepted.len(), 2);
    assert_eq!(accepted[0].to.len(), 100);
    assert_eq!(accepted[1].to, ["user100@contoso.example"], "only the deferred recipient is sent again");
}

/// Finds the DSN the simulator accepted for `sender`.
fn dsn_for(sim: &Simulator, sender: &str) -> Option<String> {
    sim.accepted_messages()
        .into_iter()
        .find(|m| m.from.is_empty() && m.to == [sender])
        .map(|m| String::from_utf8_lossy(&m.body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_bounces_with_a_dsn_that_arrives_and_names_the_finding() {
    let dir = temp_dir("m365-550");
    let (sim, r) = m365(Scenario::M365Ok, &dir, &printer_auth(&dir), "it", FAST_RETRY).await;
    // the printer's mailbox may not send as the scanner's: 550 5.7.60 at MAIL FROM
    let original = message("scansione", "relay-sendas@relay.test", accounts::M365_OTHER_SENDER);
    r.enqueue(accounts::M365_OTHER_SENDER, &[accounts::M365_RECIPIENT], &original);
    r.drain(3).await;
    let log = r.log.text();
    assert!(r.spool.list().unwrap().is_empty(), "{log}");
    assert!(log.contains("status=bounced (upstream said: 550 5.7.60"), "{log}");
    assert!(log.contains("sender non-delivery notification"), "{log}");
    let dsn = dsn_for(&sim, accounts::M365_OTHER_SENDER).unwrap_or_else(|| panic!("no DSN arrived\n{log}"));
    eprintln!("{dsn}");
    assert!(dsn.contains("Content-Type: multipart/report; report-type=delivery-status;"), "{dsn}");
    assert!(
        dsn.contains(
            "Final-Recipient: rfc822; frontdesk@contoso.example\r\nAction: failed\r\nStatus: 5.7.60"
        ),
        "{dsn}"
    );
    assert!(dsn.contains("X-Mailprobe-Finding: sender.send_as_denied"), "{dsn}");
    assert!(dsn.contains("Perch=C3=A9 (diagnosi di mailprobe): sender.send_as_denied"), "{dsn}");
    assert!(
        dsn.contains("Content-Type: text/rfc822-headers\r\n\r\nFrom: <scanner@contoso.example>"),
        "{dsn}"
    );
    assert!(!dsn.contains("A scan from the printer"), "the body is not returned");
    assert_no_secret(&format!("{dsn}\n{log}"), &[accounts::M365_PASSWORD]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_send_partial_failure_bounces_one_recipient_and_never_bounces_a_bounce() {
    let dir = temp_dir("m365-direct");
    let (sim, r) = m365(
        Scenario::M365DirectSendExternal,
        &dir,
        "[upstream.auth]\nmethod = \"none\"\n",
        "en",
        FAST_RETRY,
    )
    .await;
    let inside = accounts::M365_RECIPIENT;
    let outside = accounts::M365_EXTERNAL_RECIPIENT;
    r.enqueue(
        accounts::M365_USER,
        &[inside, outside],
        &message("mixed", "relay-mixed@relay.test", accounts::M365_USER),
    );
    // a bounce (empty sender) to an outside address: refused, and no DSN for it
    r.enqueue("", &[outside], &message("a bounce", "relay-bounce@relay.test", "MAILER-DAEMON@relay.test"));
    r.drain(3).await;
    let log = r.log.text();
    assert!(r.spool.list().unwrap().is_empty(), "{log}");
    let accepted = sim.accepted_messages();
    assert!(accepted.iter().any(|m| m.from == accounts::M365_USER && m.to == [inside]), "{accepted:?}");
    let dsn = dsn_for(&sim, accounts::M365_USER).unwrap_or_else(|| panic!("no DSN\n{log}"));
    assert!(dsn.contains(&format!("Final-Recipient: rfc822; {outside}")), "{dsn}");
    assert!(!dsn.contains(&format!("Final-Recipient: rfc822; {inside}")), "{dsn}");
    assert!(dsn.contains("X-Mailprobe-Finding: direct_send.external_recipient"), "{dsn}");
    assert!(log.contains("not returned: it is itself a bounce"), "{log}");
    assert_eq!(accepted.iter().filter(|m| m.from.is_empty()).count(), 1, "exactly one DSN: {accepted:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sign_in_defers_then_expires_into_a_dsn_naming_the_finding() {
    let dir = temp_dir("m365-auth-off");
    let retry = "first_after_secs = 1\nmax_backoff_secs = 1\nlifetime_secs = 2\nqueue_run_secs = 1";
    let (_sim, r) = m365(Scenario::M365SmtpAuthDisabled, &dir, &printer_auth(&dir), "en", retry).await;
    let id = r.enqueue(
        accounts::M365_USER,
        &[accounts::M365_RECIPIENT],
        &message("auth off", "relay-authoff@relay.test", accounts::M365_USER),
    );
    r.runner.clone().run_once().await.unwrap();
    let state = r.spool.state(&id).unwrap();
    let error = state.last_error.clone().unwrap_or_default();
    assert_eq!(state.attempts, 1, "a refused sign-in is not a bounce");
    assert!(error.starts_with("auth.smtp_auth_disabled: "), "{error}");
    assert!(error.contains("Fix: "), "{error}");
    // past the lifetime, the next failure returns it to the sender; the DSN cannot go out
    // either (same upstream), it waits in the queue like any message
    tokio::time::sleep(Duration::from_millis(2100)).await;
    r.runner.clone().run_once().await.unwrap();
    let log = r.log.text();
    assert!(log.contains("status=expired, returned to sender"), "{log}");
    let queued = r.spool.list().unwrap();
    assert_eq!(queued.len(), 1, "only the DSN: {log}");
    let (dsn_msg, _) = &queued[0];
    assert_eq!(
        (dsn_msg.envelope.from.as_str(), dsn_msg.envelope.to.as_slice()),
        ("", &[accounts::M365_USER.to_owned()][..])
    );
    let dsn = String::from_utf8(r.spool.read_message(&dsn_msg.id).unwrap()).unwrap();
    assert!(
        dsn.contains("Status: 5.7.139") && dsn.contains("X-Mailprobe-Finding: auth.smtp_auth_disabled"),
        "{dsn}"
    );
    assert!(dsn.contains("within 2 seconds"), "{dsn}");
    // the DSN expires too, and is dropped without a DSN of its own
    tokio::time::sleep(Duration::from_millis(2100)).await;
    r.drain(2).await;
    assert!(r.spool.list().unwrap().is_empty(), "{}", r.log.text());
    assert!(r.log.text().contains("not returned: it is itself a bounce"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_runner_wakes_for_arrivals_and_flushes_uses_both_connections_and_stops() {
    let dir = temp_dir("run");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // each message takes 300 ms at the sink: two connections halve the time
    let sink = sink_on(listener, Duration::from_millis(300)).await;
    let upstream = plain_upstream(addr).replace("concurrency = 1", "concurrency = 2");
    // a queue run only every 5 minutes: whatever happens sooner is a wake-up
    let retry = "first_after_secs = 300\nmax_backoff_secs = 600\nlifetime_secs = 3600\nqueue_run_secs = 300";
    let config = config(&dir, &upstream, retry);
    let spool = Arc::new(Spool::open(&config.spool).unwrap());
    let log = Arc::new(MemLog::default());
    let wake = Arc::new(Notify::new());
    let runner = Arc::new(Runner::new(config, spool.clone(), wake.clone(), log.clone()).unwrap());
    let envelope = |i: usize| Envelope {
        from: "printer@example.test".into(),
        to: vec![format!("n{i}@example.test")],
        device: "printer".into(),
    };
    for i in 0..6 {
        spool.enqueue(&envelope(i), b"Subject: batch\r\n\r\nx\r\n", now_micros()).unwrap();
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let start = Instant::now();
    let task = tokio::spawn(runner.run(async move {
        let _ = stopped.await;
    }));
    let wait_for = |n: usize, within: Duration| {
        let received = sink.received.clone();
        async move {
            let deadline = Instant::now() + within;
            while received.lock().unwrap().len() < n && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            received.lock().unwrap().len()
        }
    };
    assert_eq!(wait_for(6, Duration::from_secs(10)).await, 6, "{}", log.text());
    let batch = start.elapsed();
    eprintln!("6 messages, 300 ms each at the sink, 2 connections: {batch:?}");
    assert!(batch < Duration::from_millis(1500), "not concurrent: {batch:?}");
    assert_eq!(*sink.connections.lock().unwrap(), 2);

    // a device queues a message and notifies: out at once, not at the next queue run
    let t = Instant::now();
    spool.enqueue(&envelope(6), b"Subject: now\r\n\r\nx\r\n", now_micros()).unwrap();
    wake.notify_one();
    assert_eq!(wait_for(7, Duration::from_secs(5)).await, 7, "{}", log.text());
    eprintln!("woken by an arrival: delivered {:?} after queueing", t.elapsed());

    // a message waiting for its retry in an hour: `relay queue flush` (another process) wakes
    // the runner through the spool's wake-up file
    let id = spool.enqueue(&envelope(7), b"Subject: later\r\n\r\nx\r\n", now_micros()).unwrap();
    let later = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    spool
        .update(
            &id,
            &mailprobe_relay::DeliveryState { attempts: 1, next_attempt: later, ..Default::default() },
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received.lock().unwrap().len(), 7, "not due yet");
    let t = Instant::now();
    assert_eq!(Queue::open(&dir.join("spool")).unwrap().flush().unwrap(), 1);
    assert_eq!(wait_for(8, Duration::from_secs(5)).await, 8, "{}", log.text());
    eprintln!("woken by a flush: delivered {:?} after it", t.elapsed());

    // shutdown: run returns
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task).await.unwrap().unwrap().unwrap();
    assert!(spool.list().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_drains_at_a_measured_rate() {
    let dir = temp_dir("backlog");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sink = sink_on(listener, Duration::ZERO).await;
    let upstream = plain_upstream(addr).replace("concurrency = 1", "concurrency = 2");
    let r = relay(config(&dir, &upstream, FAST_RETRY));
    let body = vec![b'x'; 4000];
    let n = 300;
    for i in 0..n {
        r.enqueue("printer@example.test", &[&format!("b{i}@example.test")], &body);
    }
    let start = Instant::now();
    let summary = r.runner.clone().run_once().await.unwrap();
    let took = start.elapsed();
    eprintln!(
        "{n} messages of 4 kB from the spool to a loopback sink, 2 connections, removal fsync'd: {took:?} ({:.0} messages/s)",
        n as f64 / took.as_secs_f64()
    );
    assert_eq!(summary.delivered, n, "{}", r.log.text());
    assert_eq!(sink.received.lock().unwrap().len(), n);
    // at most 100 messages per connection, then a new one: 300 messages over two workers
    // need 3 or 4 (e.g. 150 + 150 → 2 + 2; 100 + 200 → 1 + 2)
    let connections = *sink.connections.lock().unwrap();
    assert!((3..=4).contains(&connections), "{connections} connections");
    assert!(r.spool.list().unwrap().is_empty());
}

/// An idle connection is reused without a round trip only while nothing waits on it: one the
/// server ended (a `421` and a close, as a server's idle timeout does) is dropped and the next
/// message goes out on a new connection, delivered, not deferred.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_the_server_closed_is_not_reused() {
    let dir = temp_dir("idle-closed");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let delivered: Arc<Mutex<usize>> = Arc::default();
    let d = delivered.clone();
    tokio::spawn(async move {
        // each connection carries one message, then the server says 421 and closes
        while let Ok((stream, _)) = listener.accept().await {
            let d = d.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                let _ = write.write_all(b"220 sink.test ESMTP\r\n").await;
                loop {
                    let mut line = Vec::new();
                    if lines.read_until(b'\n', &mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let upper = String::from_utf8_lossy(&line).trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250 sink.test\r\n"
                    } else if upper == "DATA" {
                        let _ = write.write_all(b"354 go ahead\r\n").await;
                        loop {
                            let mut l = Vec::new();
                            if lines.read_until(b'\n', &mut l).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if l == b".\r\n" {
                                break;
                            }
                        }
                        *d.lock().unwrap() += 1;
                        let _ = write.write_all(b"250 2.0.0 queued\r\n").await;
                        let _ = write.write_all(b"421 4.4.2 sink.test idle timeout\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let r = relay(config(&dir, &plain_upstream(addr), FAST_RETRY));
    for i in 0..2 {
        r.enqueue("printer@example.test", &[&format!("c{i}@example.test")], b"Subject: x\r\n\r\nx\r\n");
        let summary = r.runner.clone().run_once().await.unwrap();
        assert_eq!(summary.delivered, 1, "message {i}: {summary:?}\n{}", r.log.text());
        // the server's 421 and close reach the idle connection
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(*delivered.lock().unwrap(), 2);
    assert!(!r.log.text().contains("status=deferred"), "{}", r.log.text());
}
