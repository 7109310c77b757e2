//! A large message through `mailprobe relay serve` (issue 18): a device sends 50 MB (a scan
//! as a scanner sends one: 8-bit bytes, lines that start with a dot) in many writes; the relay
//! streams it to its spool as it arrives and from the spool to the upstream, so it arrives at
//! the upstream sink (testenv/relay_sink.py on 127.0.0.1) byte for byte, while the relay
//! process's peak resident memory (VmHWM, read from /proc) stays far below the message's size.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");
/// How long any one network step may take.
const STEP: Duration = Duration::from_secs(60);
/// The message's size: well above the relay's own footprint, so holding it would show.
const MESSAGE_BYTES: usize = 50_000_000;
const MIB: u64 = 1024 * 1024;

/// Child processes killed when the test ends, however it ends.
struct Killed(Vec<Child>);

impl Drop for Killed {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailprobe-relay-large-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loopback port nothing listens on now (bound, then closed).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until `done` holds, checking every 50 ms; panics with `what` after `limit`.
fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A field of /proc/PID/status, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// The message: MIME headers, then 76-character lines of printable and 8-bit bytes, some
/// starting with a dot, up to [`MESSAGE_BYTES`].
fn large_message() -> Vec<u8> {
    let mut message = b"From: Scanner <scan@contoso.test>\r\nTo: <office@example.test>\r\n\
        Subject: a 50 MB scan\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n\r\n"
        .to_vec();
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut line = 0u64;
    while message.len() < MESSAGE_BYTES {
        if line.is_multiple_of(5000) {
            message.extend_from_slice(format!(".{line:010} starts with a dot\r\n").as_bytes());
        } else {
            for _ in 0..76 {
                // xorshift: any byte but CR, LF and NUL, 8-bit ones included
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let b = (seed % 254) as u8 + 1;
                message.push(if b == b'\r' || b == b'\n' { b'=' } else { b });
            }
            message.extend_from_slice(b"\r\n");
        }
        line += 1;
    }
    message
}

/// Sends `message` through the relay at `addr` as a device does (dot-stuffed, in 64 KiB
/// writes); returns the reply to the final dot.
fn send(addr: SocketAddr, message: &[u8]) -> String {
    let tcp = TcpStream::connect_timeout(&addr, STEP).unwrap();
    tcp.set_read_timeout(Some(STEP)).unwrap();
    tcp.set_write_timeout(Some(STEP)).unwrap();
    let mut reader = BufReader::new(tcp.try_clone().unwrap());
    let mut writer = tcp;
    let mut reply = || {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            assert!(reader.read_line(&mut line).unwrap() > 0, "the relay closed the connection: {text}");
            text.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return text;
            }
        }
    };
    assert!(reply().starts_with("220 "));
    for (command, expected) in [
        ("EHLO scanner.contoso.test", "250 "),
        ("MAIL FROM:<scan@contoso.test> SIZE=50000200", "250 "),
        ("RCPT TO:<office@example.test>", "250 "),
        ("DATA", "354 "),
    ] {
        writer.write_all(format!("{command}\r\n").as_bytes()).unwrap();
        let text = reply();
        assert!(text.lines().last().unwrap_or("").starts_with(expected), "{command}: {text}");
    }
    let mut wire = Vec::with_capacity(64 * 1024 + 1024);
    for line in message.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b".") {
            wire.push(b'.');
        }
        wire.extend_from_slice(line);
        if wire.len() >= 64 * 1024 {
            writer.write_all(&wire).unwrap();
            wire.clear();
        }
    }
    wire.extend_from_slice(b".\r\n");
    writer.write_all(&wire).unwrap();
    let text = reply();
    writer.write_all(b"QUIT\r\n").unwrap();
    text
}

/// The messages the sink recorded so far (`MSG <ns> <size> <from> <rcpts>\n<bytes>\n`).
fn recorded(sink_dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(sink_dir) else { return out };
    for entry in entries.flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        let mut rest = &bytes[..];
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let head = String::from_utf8_lossy(&rest[..end]).into_owned();
            let Some(size) = head.split(' ').nth(2).and_then(|s| s.parse::<usize>().ok()) else { break };
            let body = &rest[end + 1..];
            if body.len() < size + 1 {
                break;
            }
            out.push(body[..size].to_vec());
            rest = &body[size + 1..];
        }
    }
    out
}

#[test]
fn a_50_mb_message_arrives_byte_for_byte_and_the_relay_never_holds_it_whole() {
    let dir = temp_dir("50mb");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sink_dir = dir.join("sink");
    let port_file = dir.join("sink.port");
    let sink = Command::new("python3")
        .arg(root.join("testenv/relay_sink.py"))
        .arg("--dir")
        .arg(&sink_dir)
        .arg("--port-file")
        .arg(&port_file)
        .stdin(Stdio::null())
        .spawn()
        .expect("python3 runs testenv/relay_sink.py");
    let mut children = Killed(vec![sink]);
    wait_until(Duration::from_secs(30), "the sink writes its port", || {
        std::fs::read_to_string(&port_file).is_ok_and(|p| p.trim().parse::<u16>().is_ok())
    });
    let sink_port: u16 = std::fs::read_to_string(&port_file).unwrap().trim().parse().unwrap();
    let port = free_port();
    let config = dir.join("relay.toml");
    std::fs::write(
        &config,
        format!(
            r#"spool = "{spool}"
hostname = "relay.test"
log_file = "{log}"

[[listener]]
bind = "127.0.0.1:{port}"
tls = "none"

[[device]]
name = "scanner"
networks = ["127.0.0.1/32"]

[limits]
max_message_bytes = 60000000

[upstream]
host = "127.0.0.1"
port = {sink_port}
security = "none"
timeout_secs = 60

[upstream.auth]
method = "none"
"#,
            spool = dir.join("spool").display(),
            log = dir.join("relay.log").display(),
        ),
    )
    .unwrap();
    let relay = Command::new(BIN)
        .args(["relay", "serve", "--config"])
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("serve.err")).unwrap())
        .spawn()
        .expect("mailprobe relay serve");
    let pid = relay.id();
    children.0.push(relay);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_until(Duration::from_secs(30), "the relay listens", || {
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
    });
    let started_kib = status_kib(pid, "VmHWM");

    let message = large_message();
    let reply = send(addr, &message);
    assert!(reply.starts_with("250 2.0.0 Ok: queued as "), "{reply}");
    wait_until(Duration::from_secs(300), "the message reaches the sink", || !recorded(&sink_dir).is_empty());
    let queue = dir.join("spool/queue");
    wait_until(Duration::from_secs(60), "the relay removes the delivered message", || {
        std::fs::read_dir(&queue).is_ok_and(|mut d| d.next().is_none())
    });
    let peak_kib = status_kib(pid, "VmHWM");

    let arrived = recorded(&sink_dir);
    assert_eq!(arrived.len(), 1);
    let arrived = &arrived[0];
    // the relay's Received: header, then exactly what the device sent
    assert!(arrived.len() > message.len() && arrived.ends_with(&message), "the message arrived changed");
    let trace = std::str::from_utf8(&arrived[..arrived.len() - message.len()]).unwrap();
    assert!(trace.starts_with("Received: from scanner.contoso.test (device scanner [127.0.0.1])"), "{trace}");
    assert!(!trace.contains("\r\n\r\n"), "{trace}");

    let log = std::fs::read_to_string(dir.join("relay.log")).unwrap();
    assert!(log.contains(&format!("size={}", arrived.len())) && log.contains("status=sent"), "{log}");
    eprintln!(
        "relay VmHWM: {:.1} MiB after start, {:.1} MiB after a {} MB message in and out",
        started_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0,
        MESSAGE_BYTES / 1_000_000
    );
    // Holding the message once would add 48 MiB (the relay before streaming held it three
    // times: received, read back, dot-stuffed); its buffers now are a few chunks of 64 KiB. The
    // peak after start includes the (debug) binary's own pages.
    assert!(
        peak_kib * 1024 < MESSAGE_BYTES as u64 && (peak_kib - started_kib) * 1024 < 12 * MIB,
        "the relay's peak memory grew with the message: {started_kib} KiB after start, {peak_kib} KiB at the end"
    );
    drop(children);
    let _ = std::fs::remove_dir_all(&dir);
}
