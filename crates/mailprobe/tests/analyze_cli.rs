//! `mailprobe analyze` as a user runs it: files, stdin and gzip; text, JSON and HTML; which
//! sessions are listed; Italian; bad input; and no secret from a log in any output. The logs are
//! the samples in crates/mailprobe-logs/tests/samples (real Postfix and client logs, and
//! documented-format Exchange ones).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

mod support;

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mailprobe-logs/tests/samples").join(name)
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    support::cli::mailprobe(&[&["analyze"], args].concat(), stdin, &[])
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}):\n{}\n{}", text(out), String::from_utf8_lossy(&out.stderr))
    })
}

fn ids(doc: &Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
}

/// The report without what names the input (file, gzip, bytes read).
fn comparable(mut doc: Value) -> Value {
    doc.as_object_mut().unwrap().remove("inputs");
    for s in doc["sessions"].as_array_mut().unwrap() {
        s.as_object_mut().unwrap().remove("file");
    }
    doc
}

#[test]
fn postfix_log_text_report() {
    let path = sample("server/postfix.log");
    let out = run(&[path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1), "a log with failed sessions exits 1");
    let t = text(&out);
    assert!(t.contains("postfix, 45 lines, 11 sessions"), "{t}");
    assert!(t.contains("11 sessions: 7 failed"), "{t}");
    assert!(t.contains("3  The server rejected the login  [auth.credentials_rejected]"), "{t}");
    assert!(t.contains("Stopped at: Sign-in: 535 5.7.8"), "{t}");
    assert!(t.contains("7  127.0.0.1"), "top failing client: {t}");

    let it = run(&["--lang", "it", path.to_str().unwrap()], None);
    let t = text(&it);
    assert!(t.contains("11 sessioni: 7 non riuscite"), "{t}");
    assert!(t.contains("Il server ha rifiutato l'accesso"), "{t}");
}

#[test]
fn json_report_sessions_and_limits() {
    let path = sample("server/postfix.log");
    let doc = json(&run(&["--format", "json", path.to_str().unwrap()], None));
    assert_eq!(doc["command"], "analyze");
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["inputs"][0]["format"], "postfix");
    assert_eq!(doc["inputs"][0]["detected"], true);
    assert_eq!(doc["summary"]["sessions"], 11);
    assert_eq!(doc["summary"]["failed"], 7);
    assert_eq!(doc["summary"]["top_replies"][0]["key"], "535 5.7.8");
    assert_eq!(doc["summary"]["top_replies"][0]["sessions"], 3);
    let found = ids(&doc);
    for id in ["auth.credentials_rejected", "smtp.relay_denied", "tls.required_first", "tls.mode_mismatch"] {
        assert!(found.contains(&id.to_owned()), "{id} missing from {found:?}");
    }
    // failed sessions by default, each with where it stopped and its steps
    let sessions = doc["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 7);
    assert!(sessions.iter().all(|s| s["steps"].as_array().unwrap().iter().any(|st| st["ok"] == false)));

    let all =
        json(&run(&["--format", "json", "--sessions", "all", "--limit", "3", path.to_str().unwrap()], None));
    assert_eq!(all["sessions"].as_array().unwrap().len(), 3);
    assert_eq!(all["sessions_not_listed"], 8);
    assert_eq!(all["summary"]["sessions"], 11, "counts stay exact");
    let none = json(&run(&["--format", "json", "--sessions", "none", path.to_str().unwrap()], None));
    assert!(none["sessions"].as_array().is_none_or(Vec::is_empty), "{none:#}");
    assert_eq!(none["summary"]["failed"], 7);
}

#[test]
fn gzip_and_stdin_read_the_same_sessions() {
    let path = sample("server/postfix.log");
    let plain = std::fs::read(&path).unwrap();
    let dir = tempfile_dir();
    let gz = dir.join("postfix.log.1.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&plain).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();

    let args = ["--format", "json", "--sessions", "all"];
    let from_file = json(&run(&[&args[..], &[path.to_str().unwrap()]].concat(), None));
    let from_gz = json(&run(&[&args[..], &[gz.to_str().unwrap()]].concat(), None));
    let from_stdin = json(&run(&[&args[..], &["-"]].concat(), Some(&plain)));
    assert_eq!(from_gz["inputs"][0]["gzip"], true);
    assert_eq!(from_gz["inputs"][0]["lines"], 45);
    assert_eq!(comparable(from_file.clone()), comparable(from_gz));
    assert_eq!(comparable(from_file), comparable(from_stdin));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn several_files_and_a_forced_format() {
    let a = sample("client/swaks-wrong-password.log");
    let b = sample("client/swaks-ok.log");
    let doc = json(&run(&["--format", "json", a.to_str().unwrap(), b.to_str().unwrap()], None));
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(doc["summary"]["sessions"], 2);
    assert_eq!(doc["summary"]["failed"], 1);
    assert_eq!(ids(&doc), ["auth.credentials_rejected"]);

    // a log that works exits 0
    assert_eq!(run(&[b.to_str().unwrap()], None).status.code(), Some(0));

    // forced: the same bytes read as a plain C:/S: dialogue still find the failure
    let forced = json(&run(&["--format", "json", "--input-format", "swaks", a.to_str().unwrap()], None));
    assert_eq!(forced["inputs"][0]["detected"], false);
    assert_eq!(ids(&forced), ["auth.credentials_rejected"]);
}

#[test]
fn html_is_one_self_contained_escaped_page() {
    let log = "C: EHLO x\nS: 250 ok\nC: MAIL FROM:<a@example.org>\n\
               S: 550 5.7.1 <script>alert(1)</script> rejected\n";
    let out = run(&["--format", "html", "-"], Some(log.as_bytes()));
    let page = text(&out);
    assert_eq!(out.status.code(), Some(1), "{page}");
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..page.len().min(200)]);
    assert!(page.trim_end().ends_with("</html>"));
    assert!(!page.contains("<script>alert"), "reply text must be escaped");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // nothing fetched from elsewhere
    for outside in ["src=\"http", "href=\"http", "<link ", "@import", "url(http"] {
        assert!(!page.contains(outside), "{outside} in the page");
    }
    // a timeline of the session's steps
    assert!(page.contains("MAIL FROM"), "{page}");

    // html is for the commands that write a report; `auth` is not one of them
    let auth = support::cli::mailprobe(&["auth", "status", "--format", "html"], None, &[]);
    assert_eq!(auth.status.code(), Some(2));
}

#[test]
fn bad_input_is_a_clear_error() {
    let unknown = run(&["--input-format", "bogus", "-"], Some(b""));
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("one of: "), "lists the formats");

    let missing = run(&["/nonexistent/mail.log"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/mail.log"));
    let missing = json(&run(&["--format", "json", "/nonexistent/mail.log"], None));
    assert_eq!(missing["ok"], false);
    assert!(missing["error"].as_str().unwrap().contains("/nonexistent/mail.log"));

    // a truncated gzip and binary noise: errors or findings, never a crash
    let dir = tempfile_dir();
    let gz = dir.join("cut.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b]).unwrap();
    let cut = run(&[gz.to_str().unwrap()], None);
    assert_eq!(cut.status.code(), Some(2), "{cut:?}");
    assert!(String::from_utf8_lossy(&cut.stderr).contains("cannot read"), "{cut:?}");
    let noise: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let noisy = run(&["-"], Some(&noise));
    assert!(matches!(noisy.status.code(), Some(0..=2)), "{noisy:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn no_secret_from_a_log_reaches_any_output() {
    let exchange = sample("server/exchange-receive.log");
    let swaks = sample("client/smtplib-debug1-wrong-password.log");
    for format in ["text", "json", "html"] {
        let out = run(
            &[
                "--format",
                format,
                "--sessions",
                "all",
                "-v",
                exchange.to_str().unwrap(),
                swaks.to_str().unwrap(),
            ],
            None,
        );
        let shown = format!("{}{}", text(&out), String::from_utf8_lossy(&out.stderr));
        for secret in [
            "Q2FuYXJ5LUV4Y2hhbmdlLTlhOGI=",
            "Canary-Exchange-9a8b",
            "Canary-Wrong-smtplib",
            "Q2FuYXJ5LVdyb25nLXNtdHBsaWI",
            "AGFsaWNlQGV4YW1wbGUudGVzdABDYW5hcnktV3Jvbmctc210cGxpYg",
        ] {
            assert!(!shown.contains(secret), "{secret} in the {format} output");
        }
    }
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "mp-analyze-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Postfix log bigger than one read chunk, its sessions interleaved across processes:
/// `copies` copies of the real sample with every process id shifted.
fn big_postfix_log(copies: u32) -> Vec<u8> {
    let sample = std::fs::read_to_string(sample("server/postfix.log")).unwrap();
    let mut out = String::new();
    for copy in 0..copies {
        for line in sample.lines() {
            // `smtpd[12141]` → `smtpd[1214100 + copy]`
            let shifted = match line.find("d[") {
                Some(i) => {
                    let end = line[i + 2..].find(']').map_or(line.len(), |j| i + 2 + j);
                    let pid: u64 = line[i + 2..end].parse().unwrap_or(0);
                    format!("{}{}{}", &line[..i + 2], pid * 1000 + u64::from(copy), &line[end..])
                }
                None => line.to_owned(),
            };
            out.push_str(&shifted);
            out.push('\n');
        }
    }
    out.into_bytes()
}

#[test]
fn any_number_of_threads_gives_the_same_report() {
    let dir = tempfile_dir();
    let log = dir.join("big.log");
    let bytes = big_postfix_log(400);
    assert!(bytes.len() > 2 << 20, "{} bytes: must span several chunks", bytes.len());
    std::fs::write(&log, &bytes).unwrap();
    let report = |threads: &str| {
        let out = run(
            &[
                "--format",
                "json",
                "--sessions",
                "all",
                "--limit",
                "30",
                "--threads",
                threads,
                log.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        json(&out)
    };
    let one = report("1");
    assert_eq!(one["summary"]["sessions"], 4400);
    assert_eq!(one["summary"]["failed"], 2800);
    assert_eq!(one["inputs"][0]["lines"], 45 * 400);
    assert_eq!(one["sessions"].as_array().unwrap().len(), 30);
    assert_eq!(one["sessions_not_listed"], 4400 - 30);
    // session ids name the line a session starts on, so they do not depend on the threads
    assert_eq!(one["sessions"][0]["id"], "mailprobe-testenv/smtpd[12141000]:2");
    let one = one.to_string();
    for threads in ["2", "3"] {
        let other = report(threads).to_string();
        let same = one.bytes().zip(other.bytes()).take_while(|(a, b)| a == b).count();
        assert!(
            one == other,
            "--threads {threads} differs at byte {same}: {}",
            &other[same.saturating_sub(200)..(same + 200).min(other.len())]
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Logs split between threads and logs read whole, in one run: each file's sessions are the
/// ones it has alone, whatever the number of threads.
#[test]
fn split_and_whole_logs_mixed_in_one_run() {
    let dir = tempfile_dir();
    let big = dir.join("big.log");
    std::fs::write(&big, big_postfix_log(300)).unwrap();
    let files = [
        big.clone(),
        sample("server/exim-mainlog.log"),
        sample("client/swaks-wrong-password.log"),
        sample("server/postfix.log"),
    ];
    let names: Vec<&str> = files.iter().map(|f| f.to_str().unwrap()).collect();
    let report = |threads: &str, files: &[&str]| {
        let mut args =
            vec!["--format", "json", "--sessions", "failed", "--limit", "40", "--threads", threads];
        args.extend_from_slice(files);
        json(&run(&args, None))
    };
    let one = report("1", &names);
    let formats: Vec<&str> =
        one["inputs"].as_array().unwrap().iter().map(|i| i["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["postfix", "exim", "swaks", "postfix"]);
    for (i, name) in names.iter().enumerate() {
        let alone = report("2", &[name]);
        assert_eq!(one["inputs"][i]["sessions"], alone["summary"]["sessions"], "{name}");
        assert_eq!(one["inputs"][i]["lines"], alone["inputs"][0]["lines"], "{name}");
    }
    for threads in ["2", "3"] {
        assert!(one == report(threads, &names), "--threads {threads} differs");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn overlong_lines_are_cut_and_counted() {
    let sample = std::fs::read(sample("server/postfix.log")).unwrap();
    let mut log = sample.clone();
    log.extend(std::iter::repeat_n(b'x', 100_000)); // longer than a line may be
    log.push(b'\n');
    log.extend(std::iter::repeat_n(b'y', 3 << 20)); // longer than a whole read chunk
    log.push(b'\n');
    log.extend(&sample);
    let args = ["--format", "json", "--sessions", "all", "--input-format", "postfix"];
    let doc = json(&run(&[&args[..], &["-"]].concat(), Some(&log)));
    assert_eq!(doc["inputs"][0]["long_lines_cut"], 2, "{:#}", doc["inputs"]);
    assert_eq!(doc["inputs"][0]["lines"], 45 * 2 + 2);
    assert_eq!(doc["summary"]["sessions"], 22, "the sessions after the long lines are read too");
    // a file is read in ranges by the parsing threads: the 3 MiB line crosses several
    let dir = tempfile_dir();
    let file = dir.join("long.log");
    std::fs::write(&file, &log).unwrap();
    for threads in ["1", "2"] {
        let from_file =
            json(&run(&[&args[..], &["--threads", threads, file.to_str().unwrap()]].concat(), None));
        assert_eq!(from_file["inputs"][0]["long_lines_cut"], 2);
        assert_eq!(from_file["inputs"][0]["lines"], 45 * 2 + 2);
        assert_eq!(from_file["inputs"][0]["bytes"], log.len());
        assert_eq!(comparable(from_file), comparable(doc.clone()), "--threads {threads}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A log of many chunks read from a file (ranges read by the parsing threads), gzip'd and from
/// standard input (chunks read by the calling thread): the same sessions, on the same lines.
#[test]
fn big_log_read_alike_from_a_file_gzip_and_stdin() {
    let dir = tempfile_dir();
    let bytes = big_postfix_log(400);
    assert!(bytes.len() > 2 << 20, "{} bytes: must span several chunks", bytes.len());
    let (plain, gz) = (dir.join("big.log"), dir.join("big.log.gz"));
    std::fs::write(&plain, &bytes).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&bytes).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    // every session listed: the ones of the last chunks name their lines too
    let args = ["--format", "json", "--sessions", "all", "--limit", "5000", "--threads", "2"];
    let from_file = json(&run(&[&args[..], &[plain.to_str().unwrap()]].concat(), None));
    let from_gz = json(&run(&[&args[..], &[gz.to_str().unwrap()]].concat(), None));
    let from_stdin = json(&run(&[&args[..], &["-"]].concat(), Some(&bytes)));
    assert_eq!(from_file["inputs"][0]["lines"], 45 * 400);
    assert_eq!(from_file["inputs"][0]["bytes"], bytes.len());
    let last = from_file["sessions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["id"], "mailprobe-testenv/smtpd[12172399]:17999", "{last:#}");
    assert_eq!(comparable(from_file.clone()), comparable(from_gz));
    assert_eq!(comparable(from_file), comparable(from_stdin));
    std::fs::remove_dir_all(dir).unwrap();
}
