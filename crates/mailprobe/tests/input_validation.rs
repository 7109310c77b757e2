//! Careless and hostile inputs of issue 17: secrets and CA files read with a bound (item 3), an
//! EHLO name or addresses that would inject commands (item 6), `dns` when no lookup was answered
//! (item 7), an internationalized host name (item 8), and small validation gaps (item 11).
//!
//! Every peer is a small server on 127.0.0.1 written here; no test asks anything of any other
//! address. The runs that read endless inputs are capped with `ulimit -v`, so that the defect
//! (reading to the end of `/dev/zero`) fails the test instead of eating the machine's memory.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");
const CANARY: &str = "Canary-Input-5ec2e7";
/// Address space allowed to a run reading an endless input: far more than mailprobe needs, far
/// less than reading `/dev/zero` to its end takes.
const MEMORY_CAP_KB: u64 = 1024 * 1024;
/// Generous: the point is "it ends", not how fast.
const ENDS_WITHIN: Duration = Duration::from_secs(30);

/// Runs mailprobe with `stdin` (None: closed), English, no colour, under a memory cap.
fn run(args: &[&str], stdin: Option<Stdio>) -> (Output, Duration) {
    let started = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_CAP_KB}; exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .env("MP_PW", CANARY)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(stdin.unwrap_or_else(Stdio::null))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run mailprobe");
    (out, started.elapsed())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts bad input: exit 2, a message with `words`, in good time.
fn assert_refused(out: &Output, elapsed: Duration, words: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stdout: {}\nstderr: {err}", stdout(out));
    assert!(err.contains(words), "no {words:?} in: {err}");
    assert!(elapsed < ENDS_WITHIN, "took {elapsed:?}");
}

/// A file in a fresh temporary directory.
fn temp_file(name: &str, content: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mailprobe-input-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A probe of a closed loopback port: it ends at once when the input was accepted.
fn diagnose_closed(extra: &[&str]) -> Vec<String> {
    let port = closed_port().to_string();
    let mut args = vec!["diagnose", "--host", "127.0.0.1", "--port", &port, "--timeout", "2"];
    args.extend(extra);
    args.iter().map(|s| (*s).to_owned()).collect()
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

// ------------------------------------------------------------------ item 3: bounded reads

/// Issue 17 item 3: `--password-file /dev/zero` was read to its end (6-8 GB); now the first
/// line is read up to a few KB and the file is said to be too large.
#[test]
fn a_password_file_without_end_is_too_large() {
    let args = diagnose_closed(&["--user", "alice", "--password-file", "/dev/zero"]);
    let (out, elapsed) = run(&refs(&args), None);
    assert_refused(&out, elapsed, "too large");
    assert!(stderr(&out).contains("/dev/zero"), "{}", stderr(&out));
}

/// Issue 17 item 3: `--password-stdin` read standard input until its end.
#[test]
fn a_password_on_endless_standard_input_is_too_large() {
    let args = diagnose_closed(&["--user", "alice", "--password-stdin"]);
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let (out, elapsed) = run(&refs(&args), Some(Stdio::from(zero)));
    assert_refused(&out, elapsed, "too large");
}

/// Issue 17 item 3: `--token-file` (diagnose and `auth inspect`) read a big file whole; a file
/// whose first line is longer than a token can be is refused, while a short first line followed
/// by anything is the token.
#[test]
fn a_token_file_with_a_huge_first_line_is_too_large() {
    let big = temp_file("token-big", &vec![b'a'; 20 * 1024 * 1024]);
    let big = big.to_str().unwrap();
    let args = diagnose_closed(&["--user", "alice@example.test", "--auth", "xoauth2", "--token-file", big]);
    let (out, elapsed) = run(&refs(&args), None);
    assert_refused(&out, elapsed, "too large");
    let (out, elapsed) = run(&["auth", "inspect", "--token-file", big], None);
    assert_refused(&out, elapsed, "too large");
    let (out, elapsed) = run(&["auth", "inspect", "--token-file", "/dev/zero"], None);
    assert_refused(&out, elapsed, "too large");

    // The first line is the token, whatever follows it (never read).
    let mut content = format!("{CANARY}\n").into_bytes();
    content.extend(vec![b'x'; 8 * 1024 * 1024]);
    let ok = temp_file("token-first-line", &content);
    let (out, _) = run(&["auth", "inspect", "--token-file", ok.to_str().unwrap(), "--format", "json"], None);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains(CANARY), "the token was printed: {all}");
}

/// Issue 17 item 3: `--ca-file` was read whole; a CA file is a few hundred KB, so more than a
/// few MB is refused with a clear reason, /dev/zero included.
#[test]
fn a_ca_file_of_many_megabytes_is_too_large() {
    let big = temp_file("ca-big.pem", &vec![b'-'; 6 * 1024 * 1024]);
    for ca in [big.to_str().unwrap(), "/dev/zero"] {
        let args = diagnose_closed(&["--ca-file", ca]);
        let (out, elapsed) = run(&refs(&args), None);
        assert_refused(&out, elapsed, "too large");
        assert!(stderr(&out).contains(ca), "{}", stderr(&out));
    }
    let (out, elapsed) = run(&["guide", "--no-checks", "--ca-file", "/dev/zero"], None);
    assert_refused(&out, elapsed, "too large");
}

/// Issue 17 item 3: the guide's answers were read with an unbounded `read_line`.
#[test]
fn a_guide_answer_without_end_is_too_large() {
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let (out, elapsed) = run(&["guide", "--no-checks"], Some(Stdio::from(zero)));
    assert_refused(&out, elapsed, "too large");
}

// ------------------------------------------------------------------ item 6: command injection

/// An SMTP server that accepts everything and sends each line it received down `lines`.
fn recording_smtp_server() -> (u16, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let tx = tx.clone();
            thread::spawn(move || serve_smtp(conn, &tx));
        }
    });
    (port, rx)
}

fn serve_smtp(mut conn: TcpStream, lines: &mpsc::Sender<String>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    if conn.write_all(b"220 record.example ESMTP\r\n").is_err() {
        return;
    }
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while conn.read(&mut byte).ok() == Some(1) {
        line.push(byte[0]);
        if byte[0] != b'\n' {
            continue;
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        line.clear();
        let upper = text.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-record.example\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("QUIT") {
            b"221 bye\r\n"
        } else {
            b"250 ok\r\n"
        };
        let _ = lines.send(text);
        if conn.write_all(reply).is_err() || upper.starts_with("QUIT") {
            return;
        }
    }
}

/// Issue 17 item 6: `--ehlo "x\r\nMAIL FROM:<...>"` sent a second command of the user's making.
/// The name is now checked like the addresses: refused before anything is sent.
#[test]
fn an_ehlo_name_with_crlf_is_refused_and_nothing_is_injected() {
    let (port, lines) = recording_smtp_server();
    let port = port.to_string();
    let injected = "client.example\r\nMAIL FROM:<injected@evil.example>";
    let args = ["diagnose", "--host", "127.0.0.1", "--port", &port, "--security", "none"];
    let (out, elapsed) = run(&[&args[..], &["--timeout", "3", "--ehlo", injected]].concat(), None);
    assert_refused(&out, elapsed, "--ehlo");
    let seen: Vec<String> = lines.try_iter().collect();
    assert!(!seen.iter().any(|l| l.contains("injected@evil.example")), "injected: {seen:?}");
    for bad in ["", "a b", "name\x1b[2J", "<x>", "[192.0.2.1"] {
        let (out, elapsed) = run(&[&args[..], &["--timeout", "3", "--ehlo", bad]].concat(), None);
        assert_refused(&out, elapsed, "--ehlo");
    }

    // A good name goes out as given; a Unicode one in its ASCII (IDNA) form.
    let (out, _) = run(&[&args[..], &["--timeout", "3", "--ehlo", "bücher.example"]].concat(), None);
    assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
    let seen: Vec<String> = lines.recv_timeout(Duration::from_secs(10)).into_iter().collect();
    assert_eq!(seen, ["EHLO xn--bcher-kva.example"]);
}

/// Issue 17 item 6: control characters in `--from` / `--to` (ESC, TAB, NUL, DEL, C1) went into
/// MAIL FROM / RCPT TO; only CR, LF, space and angle brackets were refused.
#[test]
fn control_characters_in_from_and_to_are_refused() {
    for bad in ["a@b.example\x1b[2J", "a\t@b.example", "a@b.example\x7f", "a@b.example\u{85}"] {
        for flag in ["--from", "--to"] {
            let args = diagnose_closed(&[flag, bad]);
            let (out, elapsed) = run(&refs(&args), None);
            assert_refused(&out, elapsed, flag);
        }
    }
}

// ------------------------------------------------------------------ item 7: dns could not check

/// A DNS server on loopback (UDP and TCP on one port): `servfail` answers every query with
/// SERVFAIL; otherwise it never answers.
fn dns_server(servfail: bool) -> u16 {
    // The same port for UDP and TCP: retry until both binds succeed.
    let (udp, tcp) = loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)) {
            break (udp, tcp);
        }
    };
    let port = udp.local_addr().unwrap().port();
    thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = udp.recv_from(&mut buf) {
            if servfail && let Some(reply) = servfail_reply(&buf[..n]) {
                let _ = udp.send_to(&reply, from);
            }
        }
    });
    thread::spawn(move || {
        for mut conn in tcp.incoming().flatten() {
            thread::spawn(move || {
                let _ = conn.set_read_timeout(Some(Duration::from_secs(20)));
                let mut len = [0u8; 2];
                while conn.read_exact(&mut len).is_ok() {
                    let mut query = vec![0u8; usize::from(u16::from_be_bytes(len))];
                    if conn.read_exact(&mut query).is_err() {
                        return;
                    }
                    if let Some(reply) = servfail.then(|| servfail_reply(&query)).flatten() {
                        let mut framed = u16::try_from(reply.len()).unwrap().to_be_bytes().to_vec();
                        framed.extend(reply);
                        let _ = conn.write_all(&framed);
                    }
                }
            });
        }
    });
    port
}

/// The query with QR set and RCODE 2 (SERVFAIL), no records.
fn servfail_reply(query: &[u8]) -> Option<Vec<u8>> {
    if query.len() < 12 {
        return None;
    }
    let mut reply = query.to_vec();
    reply[2] = 0x80 | (query[2] & 0x79); // QR, the opcode and RD of the query
    reply[3] = 0x80 | 0x02; // RA, SERVFAIL
    reply[6..12].fill(0); // no answer, authority or additional records
    Some(reply)
}

fn dns(port: u16, format: &str) -> (Output, Duration) {
    let server = format!("127.0.0.1:{port}");
    run(&["dns", "example.test", "--dns-server", &server, "--timeout", "1", "--format", format], None)
}

fn finding_ids(doc: &Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

/// Issue 17 item 7: with no DNS answer at all, `dns` printed "nothing wrong found" and exited 0.
/// It must say DNS could not be checked, with the DNS finding, and exit 1.
#[test]
fn dns_with_no_answer_says_it_could_not_check() {
    let port = dns_server(false);
    let (out, _) = dns(port, "json");
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false, "{doc:#}");
    assert_eq!(finding_ids(&doc), ["dns.timeout"], "{doc:#}");
    let (out, _) = dns(port, "text");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(!text.contains("nothing wrong found") && !text.contains("No problems found"), "{text}");
    assert!(text.contains("dns.timeout"), "{text}");
}

/// Issue 17 item 7: every lookup answered SERVFAIL: the same, with the DNS failure finding.
#[test]
fn dns_with_only_servfail_says_it_could_not_check() {
    let port = dns_server(true);
    let (out, _) = dns(port, "json");
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false, "{doc:#}");
    assert_eq!(doc["mx"]["status"], "server_failure", "{doc:#}");
    assert_eq!(finding_ids(&doc), ["dns.failed"], "{doc:#}");
    let summary = doc["findings"][0]["summary"].as_str().unwrap();
    assert!(summary.contains("example.test") && summary.contains("SERVFAIL"), "{summary}");
}

// ------------------------------------------------------------------ item 8: IDNA

/// The server name (SNI) of a TLS ClientHello, if the bytes hold one.
fn sni(hello: &[u8]) -> Option<String> {
    let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
        let s = hello.get(*at..*at + n)?;
        *at += n;
        Some(s)
    };
    let len16 = |b: &[u8]| usize::from(u16::from_be_bytes([b[0], b[1]]));
    let mut at = 5 + 4 + 2 + 32; // record header, handshake header, version, random
    let session = usize::from(take(&mut at, 1)?[0]);
    take(&mut at, session)?;
    let suites = len16(take(&mut at, 2)?);
    take(&mut at, suites)?;
    let compression = usize::from(take(&mut at, 1)?[0]);
    take(&mut at, compression)?;
    let end = at + 2 + len16(take(&mut at, 2)?);
    while at + 4 <= end {
        let kind = len16(take(&mut at, 2)?);
        let len = len16(take(&mut at, 2)?);
        let data = take(&mut at, len)?;
        if kind == 0 && data.len() > 5 {
            return String::from_utf8(data[5..].to_vec()).ok();
        }
    }
    None
}

/// Issue 17 item 8: `--host bücher.example` asked DNS for the punycode form but gave TLS the
/// Unicode form, which no TLS stack takes: the handshake never started and the finding blamed
/// the port. One IDNA form now serves both: the ClientHello names `xn--bcher-kva.example`.
#[test]
fn an_internationalized_host_name_reaches_tls_in_its_ascii_form() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
            let mut hello = vec![0u8; 5];
            let mut name = None;
            if conn.read_exact(&mut hello).is_ok() && hello[0] == 0x16 {
                let len = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
                hello.resize(5 + len, 0);
                if conn.read_exact(&mut hello[5..]).is_ok() {
                    name = sni(&hello);
                }
            }
            let _ = tx.send(name);
        }
    });
    let addr = format!("127.0.0.1:{port}");
    let p = port.to_string();
    let args = ["diagnose", "--host", "bücher.example", "--port", &p, "--security", "tls"];
    let (out, _) =
        run(&[&args[..], &["--connect-to", &addr, "--timeout", "3", "--format", "json"]].concat(), None);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    let name = rx.recv_timeout(Duration::from_secs(10)).ok().flatten();
    assert_eq!(name.as_deref(), Some("xn--bcher-kva.example"), "{doc:#}");
    // The name the report (and DNS, and the provider rules) use is the same.
    assert_eq!(doc["context"]["host"], "xn--bcher-kva.example", "{doc:#}");

    // A name IDNA refuses is bad input, not a network failure.
    let (out, elapsed) = run(&["diagnose", "--host", "bü<cher.example", "--port", &p], None);
    assert_refused(&out, elapsed, "not a host name");
}

// ------------------------------------------------------------------ item 11: small gaps

/// Issue 17 item 11: `--host H:PORT` was taken as a host name (and failed DNS); it now means
/// that port, and a different `--port` beside it is bad usage.
#[test]
fn host_with_a_port_is_that_port() {
    let (port, lines) = recording_smtp_server();
    let host = format!("127.0.0.1:{port}");
    let (out, _) =
        run(&["diagnose", "--host", &host, "--security", "none", "--timeout", "3", "--format", "json"], None);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)));
    assert_eq!(doc["context"]["host"], "127.0.0.1", "{doc:#}");
    assert_eq!(doc["context"]["port"], port, "{doc:#}");
    assert_ne!(out.status.code(), Some(2), "{doc:#}");
    assert!(lines.try_iter().any(|l| l.starts_with("EHLO")));

    let v6 = format!("[::1]:{port}");
    let (out, _) =
        run(&["diagnose", "--host", &v6, "--security", "none", "--timeout", "1", "--format", "json"], None);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (doc["context"]["host"].as_str(), doc["context"]["port"].as_u64()),
        (Some("::1"), Some(u64::from(port)))
    );

    let other = (port % 60000 + 1).to_string();
    let (out, elapsed) = run(&["diagnose", "--host", &host, "--port", &other], None);
    assert_refused(&out, elapsed, "give the port once");
    for bad in ["mail.example.test:0", "mail.example.test:x", "mail.example.test:70000", "[::1]x"] {
        let (out, elapsed) = run(&["diagnose", "--host", bad], None);
        assert_refused(&out, elapsed, "--host");
    }
}

/// Issue 17 item 11: `--timeout 1e-12` was accepted while 0 was refused; port 0 was accepted
/// for `--dns-server` and `--connect-to`.
#[test]
fn zero_in_disguise_is_refused() {
    let port = closed_port().to_string();
    for extra in [
        &["--port", &port, "--timeout", "1e-12"][..],
        &["--port", &port, "--timeout", "0"],
        &["--port", &port, "--dns-server", "127.0.0.1:0"],
        &["--port", &port, "--connect-to", "127.0.0.1:0"],
        &["--port", "0"],
    ] {
        let (out, elapsed) = run(&[&["diagnose", "--host", "127.0.0.1"][..], extra].concat(), None);
        assert_refused(&out, elapsed, extra[extra.len() - 2]);
    }
    let (out, elapsed) = run(&["dns", "example.test", "--dns-server", "127.0.0.1:0"], None);
    assert_refused(&out, elapsed, "--dns-server");
}
