//! Issue 17, item 9: `analyze`'s memory does not grow with what it lists or counts. Before the
//! fix, `--sessions all` with a large `--limit` held every listed session (events and all) and
//! then the whole report as one string: hundreds of MB for a few thousand sessions, in text,
//! JSON and HTML alike; and every distinct client was counted in a map of its own. Now listed
//! sessions are written as they are read back from a spill, and clients and replies are
//! counted in bounded memory, the first ten shown with how many sessions the others had.
//!
//! The peak is the kernel's high-water mark of the process' resident memory (`VmHWM`), read
//! while it runs: a report built in memory shows there long before the process ends.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use serde::de::IgnoredAny;

mod support;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mp-analyze-bounded-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A Postfix log of `n` sessions one after the other, each refused at RCPT with the same
/// long reply (one shape: one diagnosis), each from its own client.
fn long_replies_log(n: u32, heavy_every: u32) -> String {
    let words: Vec<String> = (0..400).map(|i| format!("policy{}", i % 7)).collect();
    let words = words.join(" ");
    let mut log = String::new();
    for i in 0..n {
        // one client in `heavy_every` is the same printer
        let ip = if heavy_every > 0 && i % heavy_every == 0 {
            "192.0.2.99".to_owned()
        } else {
            format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255)
        };
        let pre = format!("Nov  1 08:{:02}:{:02} mx1 postfix/smtpd[{}]:", i / 60 % 60, i % 60, 20_000 + i);
        log.push_str(&format!("{pre} connect from client{i}.example[{ip}]\n"));
        log.push_str(&format!(
            "{pre} NOQUEUE: reject: RCPT from client{i}.example[{ip}]: 554 5.7.1 <bob@example.org>: Relay \
             access denied: {words}; from=<alice@example.com> to=<bob@example.org> proto=ESMTP helo=<c{i}>\n"
        ));
        log.push_str(&format!(
            "{pre} disconnect from client{i}.example[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n"
        ));
    }
    log
}

/// The peak resident memory of the process so far, KiB (`None` once it is gone).
fn high_water_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `mailprobe analyze ARGS LOG`, its report written to `out`; its exit status and the
/// peak of its resident memory, KiB.
fn analyze_peak(args: &[&str], log: &Path, out: &Path) -> (Option<i32>, u64) {
    let mut child = Command::new(support::cli::BIN)
        .arg("analyze")
        .args(args)
        .arg(log)
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let peak = Arc::new(Mutex::new(0u64));
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(kib) = high_water_kib(pid) {
                    let mut p = peak.lock().unwrap();
                    *p = (*p).max(kib);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    done.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    assert!(stderr.is_empty() || status.code() == Some(1), "{stderr}");
    let peak = *peak.lock().unwrap();
    assert!(peak > 0, "the peak was read");
    (status.code(), peak)
}

#[derive(Deserialize)]
struct Doc {
    summary: Summary,
    sessions: Vec<IgnoredAny>,
    sessions_not_listed: u64,
}

#[derive(Deserialize)]
struct Summary {
    sessions: u64,
    failed: u64,
    top_clients: Vec<Count>,
    #[serde(default)]
    other_clients: u64,
}

#[derive(Deserialize)]
struct Count {
    key: String,
    sessions: u64,
}

fn read_doc(path: &Path) -> Doc {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    serde_json::from_reader(file).unwrap_or_else(|e| panic!("{}: not the JSON report: {e}", path.display()))
}

/// Memory above what listing ten sessions takes that listing every one may take: the spills'
/// buffers (a few MiB per thread) and the allocator's slack, not the sessions.
const LISTING_MAY_ADD_KIB: u64 = 48 * 1024;

#[test]
fn listing_every_session_takes_no_more_memory_than_listing_ten() {
    let dir = temp_dir("listing");
    let log = dir.join("postfix.log");
    // ~4 KiB of reply a session: before the fix, ~20 KiB held per session listed in JSON
    let sessions = 4000;
    std::fs::write(&log, long_replies_log(sessions, 0)).unwrap();
    let out = dir.join("report");
    let (code, ten) = analyze_peak(&["--format", "json", "--sessions", "all", "--limit", "10"], &log, &out);
    assert_eq!(code, Some(1));
    for format in ["json", "text", "html"] {
        let (code, all) =
            analyze_peak(&["--format", format, "--sessions", "all", "--limit", "1000000"], &log, &out);
        assert_eq!(code, Some(1), "{format}");
        assert!(
            all < ten + LISTING_MAY_ADD_KIB,
            "--format {format}: listing {sessions} sessions peaked at {all} KiB, listing ten at {ten} KiB"
        );
        let size = std::fs::metadata(&out).unwrap().len();
        assert!(
            size > u64::from(sessions) * 300,
            "--format {format}: every session is in the report ({size} bytes)"
        );
        if format == "json" {
            let doc = read_doc(&out);
            assert_eq!(doc.summary.sessions, u64::from(sessions));
            assert_eq!(doc.sessions.len(), sessions as usize, "every session listed");
            assert_eq!(doc.sessions_not_listed, 0);
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// More distinct failing clients than are counted exactly (thousands per thread): the ten
/// shown, how many sessions the others had, and a client that stands out is still first.
#[test]
fn many_distinct_clients_are_counted_in_bounded_memory_with_the_others_summed() {
    let dir = temp_dir("clients");
    let log = dir.join("postfix.log");
    let (sessions, heavy_every) = (24_000u32, 16);
    std::fs::write(&log, long_replies_log(sessions, heavy_every)).unwrap();
    let out = dir.join("report.json");
    let heavy = u64::from(sessions.div_ceil(heavy_every));
    for threads in ["1", "3"] {
        let (code, _) =
            analyze_peak(&["--format", "json", "--sessions", "none", "--threads", threads], &log, &out);
        assert_eq!(code, Some(1));
        let s = read_doc(&out).summary;
        assert_eq!(s.failed, u64::from(sessions));
        assert_eq!(s.top_clients.len(), 10);
        assert_eq!(s.top_clients[0].key, "192.0.2.99", "--threads {threads}");
        // a count is never overstated; past the exact bound it may be understated a little
        let first = s.top_clients[0].sessions;
        assert!(first <= heavy && first > heavy / 2, "--threads {threads}: {first} of {heavy}");
        let shown: u64 = s.top_clients.iter().map(|c| c.sessions).sum();
        assert_eq!(shown + s.other_clients, s.failed, "--threads {threads}: the others add up");
    }
    // and the text report says so, on a line of its own after the ten
    let others = read_doc(&out).summary.other_clients;
    let text = support::cli::mailprobe(&["analyze", "--sessions", "none", log.to_str().unwrap()], None, &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    let clients: Vec<&str> =
        text.lines().skip_while(|l| !l.starts_with("Clients")).skip(1).take(11).collect();
    assert!(clients[0].ends_with("  192.0.2.99"), "{text}");
    assert!(clients[10].starts_with(&format!("  {others:>7}  ")), "{text}");
    std::fs::remove_dir_all(dir).unwrap();
}
