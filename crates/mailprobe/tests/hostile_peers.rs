//! Hostile peers of issue 17: servers that repeat the secrets they are sent, flood untagged IMAP
//! lines, keep the banner waiting, or send a certificate message too large for any client. Each
//! is a small scripted server on 127.0.0.1 in the test (no real server misbehaves on demand),
//! probed by the real binary; every output (text, verbose, quiet, JSON; stdout and stderr) is
//! searched for the canary secrets in every form.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use support::cli::mailprobe;

const USER: &str = "alice@example.test";
const PASSWORD: &str = "Canary-Peer-Pw-5ec7e7";
const TOKEN: &str = "ya29.Canary-Peer-Token-0b5e55ed";

fn b64(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// Serves every connection with `script` on its own thread.
fn serve<F: Fn(TcpStream) + Send + Sync + 'static>(script: F) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = Arc::new(script);
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let script = script.clone();
            thread::spawn(move || script(conn));
        }
    });
    port
}

/// A loopback port nothing listens on (for the SMTP side of an IMAP test).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Reads one line (up to LF) from the client, without the line ending, or gives up.
fn read_line(conn: &mut TcpStream) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while conn.read(&mut byte).ok()? == 1 {
        if byte[0] == b'\n' {
            let text = String::from_utf8_lossy(&line).into_owned();
            return Some(text.trim_end_matches('\r').to_owned());
        }
        line.push(byte[0]);
    }
    None
}

/// The secret in the forms a careless server repeats it: plain, base64 alone, and base64 at
/// the two other byte alignments inside a longer text.
fn echo_forms(secret: &str) -> String {
    format!(
        "plain={secret} alone={} after1={} after2={}",
        b64(secret),
        b64(format!("x{secret}y")),
        b64(format!("xy{secret}"))
    )
}

/// An SMTP server (no TLS) offering `AUTH offer`; `auth` answers every line from AUTH on
/// while its replies are 334.
fn smtp(mut c: TcpStream, offer: &str, mut auth: impl FnMut(&str) -> String) {
    let _ = c.write_all(b"220 hostile.example ESMTP\r\n");
    let mut in_auth = false;
    while let Some(line) = read_line(&mut c) {
        let upper = line.to_ascii_uppercase();
        let reply = if in_auth || upper.starts_with("AUTH ") {
            auth(&line)
        } else if upper.starts_with("EHLO") {
            format!("250-hostile.example\r\n250 AUTH {offer}\r\n")
        } else if upper.starts_with("QUIT") {
            let _ = c.write_all(b"221 2.0.0 Bye\r\n");
            return;
        } else {
            "250 2.0.0 OK\r\n".to_owned()
        };
        in_auth = reply.starts_with("334");
        if c.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// An IMAP server (no TLS) whose greeting carries `caps`; `on` answers every command but
/// LOGOUT, given the line and its tag.
fn imap(mut c: TcpStream, caps: &str, mut on: impl FnMut(&str, &str) -> String) {
    let _ = c.write_all(format!("* OK [CAPABILITY {caps}] hostile ready\r\n").as_bytes());
    while let Some(line) = read_line(&mut c) {
        let tag = line.split(' ').next().unwrap_or("*").to_owned();
        let reply = if line.to_ascii_uppercase().ends_with(" LOGOUT") {
            format!("* BYE logging out\r\n{tag} OK LOGOUT completed\r\n")
        } else {
            on(&line, &tag)
        };
        if c.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// The forms of `secret` that must appear nowhere: plain, and the base64 characters that
/// depend only on it at each byte alignment (the last four dropped: they may mix in what
/// follows), standard and URL-safe.
fn forbidden_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    for offset in 0..3 {
        let mut bytes = vec![0u8; offset];
        bytes.extend_from_slice(secret.as_bytes());
        let encoded = URL_SAFE_NO_PAD.encode(&bytes);
        let core = &encoded[[0, 2, 3][offset]..encoded.len() - 4];
        forms.push(core.to_owned());
        forms.push(core.replace('-', "+").replace('_', "/"));
    }
    forms
}

/// What a run printed, with every output searched for the canaries.
struct Run {
    code: Option<i32>,
    json: Value,
    text: String,
}

/// Runs `diagnose ARGS` in JSON, text, verbose and quiet form; panics if any output holds a
/// canary in any form; returns the JSON report and the verbose text.
fn diagnose(args: &[&str]) -> Run {
    let env = [("MP_PW", PASSWORD), ("MP_TOKEN", TOKEN)];
    let mut forms = forbidden_forms(PASSWORD);
    forms.extend(forbidden_forms(TOKEN));
    // the payloads mailprobe sends, whole
    forms.push(b64(format!("\0{USER}\0{PASSWORD}")));
    forms.push(b64(PASSWORD));
    forms.push(b64(format!("user={USER}\x01auth=Bearer {TOKEN}\x01\x01")));
    let mut runs = Vec::new();
    for extra in [&["--format", "json"][..], &[], &["-v"], &["-q"]] {
        let mut all: Vec<&str> = vec!["diagnose", "--timeout", "3"];
        all.extend_from_slice(args);
        all.extend_from_slice(extra);
        let out = mailprobe(&all, None, &env);
        let printed = String::from_utf8_lossy(&[out.stdout.as_slice(), &out.stderr].concat()).into_owned();
        for form in &forms {
            assert!(!printed.contains(form.as_str()), "{form:?} leaked with {extra:?}:\n{printed}");
        }
        runs.push((out, printed));
    }
    let json =
        serde_json::from_slice(&runs[0].0.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", runs[0].1));
    Run { code: runs[0].0.status.code(), json, text: runs[2].1.clone() }
}

/// Every event of every transcript.
fn events(doc: &Value) -> Vec<&Value> {
    doc["transcripts"].as_array().unwrap().iter().flat_map(|t| t["events"].as_array().unwrap()).collect()
}

fn smtp_args(port: u16) -> Vec<String> {
    ["--host", "127.0.0.1", "--port", &port.to_string(), "--security", "none", "--user", USER]
        .map(str::to_owned)
        .to_vec()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Issue 17 item 1, PLAIN: Sendmail's `500 5.5.1 Command unrecognized: "AUTH PLAIN <payload>"`
/// (and a server that decodes it) printed the password in base64 and plain, in the step line,
/// the transcript, the finding's evidence and the JSON.
#[test]
fn sendmail_style_echo_of_auth_plain_is_redacted() {
    let port = serve(|c| {
        smtp(c, "PLAIN LOGIN", |line| {
            let payload = line.split(' ').nth(2).unwrap_or("");
            let decoded =
                String::from_utf8_lossy(&STANDARD.decode(payload).unwrap_or_default()).replace('\0', "|");
            format!(
                "500-5.5.1 Command unrecognized: \"{line}\"\r\n500-5.5.1 decoded {decoded}\r\n500 5.5.1 {}\r\n",
                echo_forms(PASSWORD)
            )
        });
    });
    let mut args = smtp_args(port);
    args.extend(["--password-env", "MP_PW", "--auth", "plain"].map(str::to_owned));
    let run = diagnose(&strs(&args));
    assert_eq!(run.code, Some(1));
    let json = run.json.to_string();
    assert!(json.contains(r#"Command unrecognized: \"AUTH PLAIN <redacted: AUTH data>\""#), "{json}");
    assert!(json.contains("decoded |alice@example.test|<redacted: password>"), "{json}");
    assert!(run.text.contains("the server sent back a secret mailprobe had sent"), "{}", run.text);
}

/// Issue 17 item 1, LOGIN: a server echoing each step (the user name's and the password's
/// base64, the password decoded, and base64 texts holding it) in 334 challenges and the 535.
#[test]
fn login_server_echoing_each_step_is_redacted() {
    let port = serve(|c| {
        let mut step = 0;
        smtp(c, "LOGIN", move |line| {
            step += 1;
            match step {
                1 => "334 VXNlcm5hbWU6\r\n".to_owned(),
                2 => format!("334 {}\r\n", b64(format!("Password for {line}:"))),
                _ => format!(
                    "535-5.7.8 You sent {line}\r\n535-5.7.8 {}\r\n535 5.7.8 {}\r\n",
                    echo_forms(PASSWORD),
                    b64(format!("The password {PASSWORD} is wrong"))
                ),
            }
        });
    });
    let mut args = smtp_args(port);
    args.extend(["--password-env", "MP_PW", "--auth", "login"].map(str::to_owned));
    let run = diagnose(&strs(&args));
    assert_eq!(run.code, Some(1));
    let json = run.json.to_string();
    // the password step's payload is the password's own base64
    assert!(json.contains("You sent <redacted: password>"), "{json}");
    // the user name is no secret: its step stays as it was
    assert!(json.contains(&b64(format!("Password for {}:", b64(USER)))), "{json}");
    // a base64 text holding the password is decoded, scrubbed and encoded again: still readable
    assert!(json.contains(&b64("The password <redacted: password> is wrong")), "{json}");
}

/// The XOAUTH2/OAUTHBEARER server: its 334 error document repeats the token and the payload,
/// and its final 535 the token in every form.
fn bearer_server(mechanism: &'static str) -> u16 {
    serve(move |c| {
        smtp(c, mechanism, |line| {
            if line.to_ascii_uppercase().starts_with("AUTH ") {
                let payload = line.split(' ').nth(2).unwrap_or("");
                let doc = format!(
                    r#"{{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/","token":"{TOKEN}","echo":"{payload}"}}"#
                );
                format!("334 {}\r\n", b64(doc))
            } else {
                format!(
                    "535-5.7.8 Username and Password not accepted. {line}\r\n535 5.7.8 {}\r\n",
                    echo_forms(TOKEN)
                )
            }
        });
    })
}

/// Issue 17 item 1, XOAUTH2 and OAUTHBEARER: the token reached the output through the
/// decoded-challenge note and the replies. The error document stays readable (status 401).
#[test]
fn bearer_token_repeated_in_the_error_challenge_is_redacted() {
    for (mechanism, auth) in [("XOAUTH2", "xoauth2"), ("OAUTHBEARER", "oauthbearer")] {
        let port = bearer_server(mechanism);
        let mut args = smtp_args(port);
        args.extend(["--token-env", "MP_TOKEN", "--auth", auth].map(str::to_owned));
        let run = diagnose(&strs(&args));
        assert_eq!(run.code, Some(1), "{mechanism}");
        let note = events(&run.json)
            .into_iter()
            .find_map(|e| e["text"].as_str().filter(|t| t.starts_with("the 334 challenge decodes to")))
            .unwrap_or_else(|| panic!("{mechanism}: no decoded challenge: {:#}", run.json));
        assert!(
            note.contains(r#""status":"401""#) && note.contains(r#""token":"<redacted: token>""#),
            "{note}"
        );
        assert!(note.contains(r#""echo":"<redacted: AUTH data>""#), "{note}");
        // the 334 line was encoded again without the token: diagnosis still reads its status
        let statuses: Vec<&Value> =
            run.json["findings"].as_array().unwrap().iter().map(|f| &f["params"]["status"]).collect();
        assert!(statuses.iter().any(|s| *s == "401"), "{mechanism}: {:#}", run.json["findings"]);
    }
}

fn imap_args(port: u16) -> Vec<String> {
    let imap = format!("127.0.0.1:{port}");
    let mut args = smtp_args(closed_port());
    args.extend(["--imap", &imap, "--imap-security", "none"].map(str::to_owned));
    args
}

/// The IMAP transcript of a report.
fn imap_transcript(doc: &Value) -> &Value {
    doc["transcripts"].as_array().unwrap().iter().find(|t| t["protocol"] == "imap").expect("IMAP transcript")
}

/// Issue 17 item 1, IMAP: `NO` replies repeating AUTHENTICATE PLAIN's payload and a LOGIN
/// command's quoted password, with the password in every form.
#[test]
fn imap_no_replies_repeating_the_password_are_redacted() {
    let plain = serve(|c| {
        imap(c, "IMAP4rev1 AUTH=PLAIN SASL-IR", |line, tag| {
            format!("* BAD echo {line}\r\n{tag} NO [AUTHENTICATIONFAILED] {}\r\n", echo_forms(PASSWORD))
        });
    });
    let login = serve(|c| {
        imap(c, "IMAP4rev1", |line, tag| {
            format!("{tag} NO [AUTHENTICATIONFAILED] {line} {}\r\n", echo_forms(PASSWORD))
        });
    });
    for port in [plain, login] {
        let mut args = imap_args(port);
        args.extend(["--password-env", "MP_PW"].map(str::to_owned));
        let run = diagnose(&strs(&args));
        let imap = imap_transcript(&run.json).to_string();
        assert!(imap.contains("NO [AUTHENTICATIONFAILED]") && imap.contains("<redacted: "), "{imap}");
    }
}

/// Issue 17 item 1, IMAP bearer: `+` continuations repeating the token (in base64 JSON) and the
/// payload, and a `NO` with the token in every form.
#[test]
fn imap_continuations_repeating_the_token_are_redacted() {
    let port = serve(|c| {
        let mut step = 0;
        imap(c, "IMAP4rev1 AUTH=XOAUTH2", move |line, tag| {
            step += 1;
            match step {
                1 => "+ \r\n".to_owned(),
                2 => {
                    let doc =
                        format!(r#"{{"status":"400","schemes":"Bearer","token":"{TOKEN}","echo":"{line}"}}"#);
                    format!("+ {}\r\n", b64(doc))
                }
                _ => format!("{tag} NO [AUTHENTICATIONFAILED] {}\r\n", echo_forms(TOKEN)),
            }
        });
    });
    let mut args = imap_args(port);
    args.extend(["--token-env", "MP_TOKEN"].map(str::to_owned));
    let run = diagnose(&strs(&args));
    let imap = imap_transcript(&run.json).to_string();
    assert!(imap.contains(r#"\"status\":\"400\""#) && imap.contains("<redacted: token>"), "{imap}");
}

/// An IMAP server that answers the login with lines of `line_len` bytes starting with
/// `prefix` until the client goes away.
fn imap_flood(prefix: &'static str, line_len: usize) -> u16 {
    serve(move |mut c| {
        let _ = c.write_all(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] flood ready\r\n");
        let _ = read_line(&mut c);
        let head = format!("{prefix} flood ");
        let line = format!("{head}{}\r\n", "x".repeat(line_len.saturating_sub(head.len() + 2)));
        let batch = line.repeat((256 * 1024 / line.len()).max(1));
        while c.write_all(batch.as_bytes()).is_ok() {}
    })
}

/// Issue 17 item 2: every line before the tagged reply was kept (1.5 GB in 3 s, a report of
/// hundreds of MB). Now at most 256 lines or 64 KiB per response are kept, whether untagged,
/// tagged for another command or stray continuations; the rest are counted in a note, and the
/// report stays small.
#[test]
fn imap_flood_before_the_tagged_reply_keeps_a_bounded_prefix() {
    // (line start, line length, lines kept): short lines hit the line cap; lines over the
    // 8 KiB line limit are cut to 8192 bytes and hit the 64 KiB cap after 8
    for (prefix, line_len, kept) in
        [("* OK", 40, 256), ("* OK", 20_000, 8), ("x9 OK", 40, 256), ("+", 40, 256)]
    {
        let port = imap_flood(prefix, line_len);
        let mut args = imap_args(port);
        args.extend(["--password-env", "MP_PW"].map(str::to_owned));
        let out = mailprobe(
            &[&["diagnose", "--timeout", "2", "--format", "json"][..], &strs(&args)].concat(),
            None,
            &[("MP_PW", PASSWORD)],
        );
        assert!(out.stdout.len() < 256 * 1024, "{prefix}: report of {} bytes", out.stdout.len());
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let imap = imap_transcript(&doc);
        let events = imap["events"].as_array().unwrap();
        let head = format!("{prefix} flood");
        let floods =
            events.iter().filter(|e| e["line"].as_str().is_some_and(|l| l.starts_with(&head))).count();
        assert_eq!(floods, kept, "{prefix} {line_len}-byte lines");
        let note = events.iter().find_map(|e| {
            e["text"].as_str().filter(|t| t.contains("further lines dropped before the tagged reply"))
        });
        assert!(note.is_some(), "{prefix}: no note of the dropped lines: {imap:#}");
        let text = mailprobe(
            &[&["diagnose", "--timeout", "2"][..], &strs(&args)].concat(),
            None,
            &[("MP_PW", PASSWORD)],
        );
        assert!(text.stdout.len() < 256 * 1024, "{prefix}: text report of {} bytes", text.stdout.len());
    }
}

/// Issue 17 item 10: a 1.5 s wait for the banner showed as a 1.5 s connection (a step lasted
/// until the next stage's first event, and the banner is recorded when it arrives).
#[test]
fn banner_wait_is_the_banners_time_not_the_connections() {
    let port = serve(|mut c| {
        thread::sleep(Duration::from_millis(1500));
        let _ = c.write_all(b"220 slow.example ESMTP\r\n");
        while let Some(line) = read_line(&mut c) {
            let reply: &[u8] =
                if line.to_ascii_uppercase().starts_with("QUIT") { b"221 Bye\r\n" } else { b"250 OK\r\n" };
            if c.write_all(reply).is_err() || reply.starts_with(b"221") {
                return;
            }
        }
    });
    let p = port.to_string();
    let out = mailprobe(
        &["diagnose", "--host", "127.0.0.1", "--port", &p, "--security", "none", "--format", "json"],
        None,
        &[],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = doc["transcripts"][0]["steps"].as_array().unwrap();
    let duration = |stage: &str| {
        steps.iter().find(|s| s["stage"] == stage).and_then(|s| s["duration_ms"].as_u64()).unwrap()
    };
    // The server starts its 1.5 s wait when it accepts, which is within the connect step: the
    // banner step holds nearly all of it (a loaded machine takes a few ms to connect).
    assert!(duration("banner") >= 1300, "{steps:#?}");
    assert!(duration("connect") < duration("banner"), "{steps:#?}");
}

/// A server that answers the ClientHello with a TLS 1.2 ServerHello, then a Certificate
/// message whose header says `length` bytes (sent in full, in 16 KiB records).
fn oversized_certificate_server(length: usize) -> u16 {
    serve(move |mut c| {
        let mut hello = [0u8; 4096];
        let _ = c.read(&mut hello);
        let mut server_hello = vec![0x03, 0x03];
        server_hello.extend_from_slice(&[0x42; 32]); // random
        server_hello.push(0); // no session id
        server_hello.extend_from_slice(&[0xc0, 0x2f]); // ECDHE-RSA-AES128-GCM-SHA256
        server_hello.push(0); // no compression
        server_hello.extend_from_slice(&[0, 0]); // no extensions
        let mut flight = handshake(2, &server_hello);
        let mut certificate = vec![0u8; length];
        let list = (length - 3).to_be_bytes();
        certificate[..3].copy_from_slice(&list[list.len() - 3..]);
        flight.extend(handshake(11, &certificate));
        let mut records = Vec::new();
        for chunk in flight.chunks(16_384) {
            records.extend_from_slice(&[0x16, 0x03, 0x03]);
            records.extend_from_slice(&u16::try_from(chunk.len()).unwrap().to_be_bytes());
            records.extend_from_slice(chunk);
        }
        let _ = c.write_all(&records);
        // until the client has given up
        let mut sink = [0u8; 4096];
        while matches!(c.read(&mut sink), Ok(n) if n > 0) {}
    })
}

/// A handshake message: type, 24-bit length, body.
fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = body.len().to_be_bytes();
    let mut out = vec![kind];
    out.extend_from_slice(&len[len.len() - 3..]);
    out.extend_from_slice(body);
    out
}

/// Issue 17 item 12: a certificate message over 64 KiB was reported as "not TLS" (and set off
/// a mode-mismatch check); it is a chain too large. 70000 bytes trips rustls's size check;
/// 65535 bytes fills its 64 KiB handshake buffer (with the record headers) first.
#[test]
fn certificate_message_over_64k_is_a_chain_too_large() {
    for length in [70_000, 65_535] {
        let port = oversized_certificate_server(length);
        let p = port.to_string();
        let out = mailprobe(
            &[
                "diagnose",
                "--host",
                "127.0.0.1",
                "--port",
                &p,
                "--security",
                "tls",
                "--timeout",
                "3",
                "--format",
                "json",
            ],
            None,
            &[],
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let failed = events(&doc)
            .into_iter()
            .find(|e| e["event"] == "tls_failed")
            .unwrap_or_else(|| panic!("{length}: no TLS failure: {doc:#}"));
        assert_eq!(failed["failure"], "cert_chain_too_large", "{length}: {failed:#}");
        let roles: Vec<&Value> = doc["transcripts"].as_array().unwrap().iter().map(|t| &t["role"]).collect();
        assert_eq!(roles, ["primary"], "{length}: no mode check for a TLS server");
        assert!(!doc.to_string().contains("not_tls"), "{length}: {doc:#}");
        let first = doc["findings"][0]["id"].as_str();
        assert_eq!(first, Some("tls.cert_chain_too_large"), "{length}: {doc:#}");
    }
}

/// Issue 17 item 4: a server that answers every AUTH step with another 334 got "✓ Sign-in", "The
/// path works", exit 0. The sign-in never completed: a failed step, a finding, exit 1.
#[test]
fn an_auth_exchange_that_never_finishes_is_a_failure() {
    let port = serve(|c| smtp(c, "PLAIN LOGIN", |_| format!("334 {}\r\n", b64("Password:"))));
    for mechanism in ["login", "plain"] {
        let args = [
            smtp_args(port),
            vec!["--password-env".into(), "MP_PW".into(), "--auth".into(), mechanism.into()],
        ]
        .concat();
        let run = diagnose(&strs(&args));
        assert_eq!(run.code, Some(1), "{mechanism}: {}", run.text);
        assert_eq!(run.json["findings"][0]["id"], "auth.never_completed", "{mechanism}: {:#}", run.json);
        let steps = run.json["transcripts"][0]["steps"].as_array().unwrap();
        let auth = steps.iter().find(|s| s["stage"] == "auth").expect("an auth step");
        assert_eq!(auth["ok"], false, "{mechanism}: {auth:#}");
        assert!(run.text.contains("✗ Sign-in"), "{mechanism}: {}", run.text);
        assert!(!run.text.contains("The path works"), "{mechanism}: {}", run.text);
    }
}

/// Issue 17 item 13: a LOGIN server whose prompts say "Username for ..." and "Password for ..."
/// was reported as a failed OAuth challenge. Prompts of a password mechanism are prompts.
#[test]
fn login_prompts_in_other_words_are_prompts_not_oauth_challenges() {
    let port = serve(|c| {
        let mut step = 0;
        smtp(c, "LOGIN", move |_| {
            step += 1;
            match step {
                1 => format!("334 {}\r\n", b64("Username for hostile.example:")),
                2 => format!("334 {}\r\n", b64(format!("Password for {USER}:"))),
                _ => "235 2.7.0 Authentication successful\r\n".to_owned(),
            }
        })
    });
    let args =
        [smtp_args(port), vec!["--password-env".into(), "MP_PW".into(), "--auth".into(), "login".into()]]
            .concat();
    let run = diagnose(&strs(&args));
    assert_eq!(run.code, Some(0), "{}", run.text);
    assert!(!run.json.to_string().contains("auth.oauth_challenge_failed"), "{:#}", run.json);
}
