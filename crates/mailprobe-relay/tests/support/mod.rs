//! A relay's device side started on 127.0.0.1 for a test, with a spool in a temporary
//! directory, a memory log, an RSA certificate made by `openssl req`, and real clients (swaks,
//! Python's smtplib, `openssl s_client`) run with a timeout.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use mailprobe_relay::{
    Arrivals, MailLog, NewDevice, QueuedMessage, Relay, RelayConfig, ServeOptions, ServeSummary, Spool,
};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long any client command or network step in a test may take.
pub const STEP: Duration = Duration::from_secs(30);

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailprobe-relay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An RSA certificate and key for `relay.test` and 127.0.0.1 (RSA: what TLS 1.0 devices know).
pub fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=relay.test"])
        .args(["-addext", "subjectAltName=DNS:relay.test,IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl req");
    assert!(out.status.success(), "openssl req: {}", String::from_utf8_lossy(&out.stderr));
    (cert, key)
}

/// A device that signs in, made the way `mailprobe relay add-device` makes one.
pub fn device(name: &str) -> NewDevice {
    mailprobe_relay::add_device(name).unwrap()
}

/// A running device side.
pub struct TestRelay {
    pub dir: PathBuf,
    pub spool: Arc<Spool>,
    pub log: MailLog,
    pub addrs: Vec<SocketAddr>,
    pub arrivals: Arrivals,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<ServeSummary>>,
}

impl TestRelay {
    /// Starts a relay whose configuration is `body` (listeners, devices, limits; `CERT` and
    /// `KEY` stand for the test certificate) with a spool under `dir`.
    pub async fn start(dir: &Path, body: &str) -> Self {
        Self::start_with(dir, body, |_| {}).await
    }

    /// Same, with the serve options changed by `tune`.
    pub async fn start_with(dir: &Path, body: &str, tune: impl FnOnce(&mut ServeOptions)) -> Self {
        let (cert, key) = certificate(dir);
        let spool_dir = dir.join("spool");
        let text = format!(
            "spool = \"{}\"\nhostname = \"relay.test\"\n{}\n\
             [upstream]\nhost = \"upstream.invalid\"\nport = 25\nsecurity = \"none\"\n[upstream.auth]\nmethod = \"none\"\n",
            spool_dir.display(),
            body.replace("CERT", &cert.display().to_string()).replace("KEY", &key.display().to_string())
        );
        let config = RelayConfig::parse(&text, Path::new("relay.toml")).unwrap();
        Self::start_config(dir, &config, tune).await
    }

    /// Starts a relay for a parsed configuration.
    pub async fn start_config(
        dir: &Path,
        config: &RelayConfig,
        tune: impl FnOnce(&mut ServeOptions),
    ) -> Self {
        let spool = Arc::new(Spool::open(&config.spool).unwrap());
        let log = MailLog::memory("relay.test");
        let mut options = ServeOptions::new(log.clone());
        // A short wait after a failed login keeps the tests quick; its effect is tested apart.
        options.failed_login_delay = Duration::from_millis(200);
        tune(&mut options);
        let arrivals = Arrivals::new();
        let relay = Relay::bind(config, Arc::clone(&spool), arrivals.clone(), options).await.unwrap();
        let addrs = relay.local_addrs();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(relay.run(async move {
            let _ = stopped.await;
        }));
        Self { dir: dir.to_owned(), spool, log, addrs, arrivals, stop: Some(stop), task: Some(task) }
    }

    /// Asks the relay to stop and waits until it has.
    pub async fn stop(&mut self) -> ServeSummary {
        self.begin_stop();
        self.stopped().await
    }

    /// Asks the relay to stop (as on SIGTERM), without waiting.
    pub fn begin_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits until the relay has stopped.
    pub async fn stopped(&mut self) -> ServeSummary {
        let task = self.task.take().expect("stopped twice");
        tokio::time::timeout(Duration::from_secs(60), task).await.expect("relay did not stop").unwrap()
    }

    /// The queued messages with their bytes, oldest first.
    pub fn messages(&self) -> Vec<(QueuedMessage, Vec<u8>)> {
        self.spool
            .list()
            .unwrap()
            .into_iter()
            .map(|(m, _)| {
                let bytes = self.spool.read_message(&m.id).unwrap();
                (m, bytes)
            })
            .collect()
    }

    /// The log so far, one string.
    pub fn log_text(&self) -> String {
        self.log.lines().join("\n")
    }
}

impl Drop for TestRelay {
    fn drop(&mut self) {
        // A failed test keeps its directory (spool, certificate) to look at.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A message a device sends: CRLF line ends, a stuffed-looking dot line, 8-bit text.
pub fn sample_message(subject: &str) -> Vec<u8> {
    format!(
        "From: Scanner <scan@contoso.test>\r\nTo: <office@example.test>\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@scanner.contoso.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Scansione pronta: perch\u{e9} no.\r\n.a line that starts with a dot\r\n..two dots\r\n\r\nend\r\n"
    )
    .into_bytes()
}

/// Checks that `stored` is `sent` with exactly one `Received:` header before it, naming the
/// device and the address.
pub fn assert_stored(stored: &[u8], sent: &[u8], device: &str) {
    assert!(
        stored.len() > sent.len() && stored.ends_with(sent),
        "stored:\n{}",
        String::from_utf8_lossy(stored)
    );
    let header = std::str::from_utf8(&stored[..stored.len() - sent.len()]).unwrap();
    assert!(header.starts_with("Received: from "), "{header}");
    assert!(header.contains(&format!("(device {device} [127.0.0.1])")), "{header}");
    // One header: every line after the first is a continuation.
    assert!(header.split("\r\n").skip(1).filter(|l| !l.is_empty()).all(|l| l.starts_with('\t')), "{header}");
}

/// A client program's exit status and its output (stdout then stderr).
pub struct Ran {
    pub ok: bool,
    pub output: String,
}

/// Runs `program` with `args`, `stdin` and `env`, killed after [`STEP`].
pub async fn run(program: &str, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Ran {
    let mut command = tokio::process::Command::new(program);
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{program}: {e}"));
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let feeder = tokio::spawn(async move {
        let _ = input.write_all(&stdin).await;
        // s_client must see the end of its input only after the server has answered; the
        // callers use -ign_eof, so closing here is fine.
        drop(input);
    });
    let out = tokio::time::timeout(STEP, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{program} {args:?} did not finish in {STEP:?}"))
        .unwrap();
    let _ = feeder.await;
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    Ran { ok: out.status.success(), output }
}

/// swaks against `addr` with extra arguments, sending `data` (a file) as the whole DATA.
pub async fn swaks(addr: SocketAddr, data: &Path, extra: &[&str]) -> Ran {
    let port = addr.port().to_string();
    let data = format!("@{}", data.display());
    let mut args = vec!["--server", "127.0.0.1", "--port", &port, "--timeout", "20", "--data", &data];
    args.extend_from_slice(extra);
    run("swaks", &args, b"", &[]).await
}

/// A hand-driven SMTP client over plain TCP, for what no tool does (bare LF, odd timing).
pub struct RawClient {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl RawClient {
    /// Connects and returns the client with the greeting.
    pub async fn connect(addr: SocketAddr) -> (Self, String) {
        let tcp = tokio::time::timeout(STEP, TcpStream::connect(addr)).await.unwrap().unwrap();
        let (r, w) = tcp.into_split();
        let mut client = Self { reader: BufReader::new(r), writer: w };
        let greeting = client.reply().await;
        (client, greeting)
    }

    /// Writes raw bytes.
    pub async fn send(&mut self, bytes: &[u8]) {
        tokio::time::timeout(STEP, self.writer.write_all(bytes)).await.unwrap().unwrap();
    }

    /// Reads one reply (all its lines); empty at the end of the stream.
    pub async fn reply(&mut self) -> String {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(STEP, self.reader.read_line(&mut line)).await.unwrap().unwrap_or(0);
            if n == 0 {
                return text;
            }
            text.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return text;
            }
        }
    }

    /// Sends a line (CRLF added) and reads the reply.
    pub async fn command(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }
}
