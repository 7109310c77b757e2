//! `mailprobe analyze`: client and server logs (plain, gzip'd or on standard input) read into
//! one transcript per mail session by `mailprobe-logs`, each diagnosed by the same knowledge
//! base as a live probe, then summed up: how many sessions failed, why, which clients, which
//! replies; and each failed session with where it stopped.
//!
//! Streaming in bounded memory: parsing threads (one per core) read chunks of a log that can be
//! split (Postfix), whichever thread is free, apart from the others: byte ranges of a plain
//! file, which each thread reads itself, or chunks of whole lines that the calling thread reads
//! and decompresses from a gzip'd file or a pipe. One more thread finishes, in file order, the
//! sessions that cross chunk edges, and reads other formats whole. Each thread
//! diagnoses one session of each shape (the same steps, codes and reply texts once addresses
//! and numbers are set aside) and counts. Their counts are added up at the end, in file order.
//!
//! Nothing grows with the log (issue 17, item 9): the shapes remembered, the clients and
//! replies counted are bounded (`tally`, `top`: the first ten shown, and how many sessions the
//! others had), and the sessions listed go to a spill as they are counted and are read back
//! one at a time as the report is written (`listing`), in text, JSON or HTML alike.

mod input;
mod listing;
mod render;
mod tally;
mod top;

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::sync::{Arc, Mutex, mpsc};

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use mailprobe_kb::{Finding, KnowledgeBase, Severity};
use mailprobe_logs::analyze::{LogFormat, LogSession, hash_text_shape};
use mailprobe_proto::{EventKind, Step};
use serde::ser::{Error as _, SerializeSeq as _};
use serde::{Deserialize, Serialize, Serializer};

use crate::cli::{Format, GlobalArgs};
use mailprobe_report::Tool;

/// `mailprobe analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Log files or saved transcripts; `-` reads standard input. Gzip'd files are read as they are.
    #[arg(required = true, value_name = "FILE|-")]
    pub files: Vec<String>,
    /// The format, when detection should not decide (swaks, postfix, exchange-csv, ...).
    #[arg(long, value_name = "FORMAT", value_parser = parse_log_format)]
    pub input_format: Option<LogFormat>,
    /// The provider the sessions talk to (gmail, m365, ...), for provider-specific advice;
    /// otherwise taken from each session's server name where the log shows it.
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<String>,
    /// Which sessions to list after the summary.
    #[arg(long, value_enum, default_value_t = SessionsShown::Failed)]
    pub sessions: SessionsShown,
    /// At most this many sessions listed (the counts stay exact).
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: usize,
    /// Parsing threads (default: one per core, at most 8). Only Postfix logs are split
    /// between threads; other formats are read by one more thread, which also joins the
    /// chunks' sessions.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: Option<u16>,
}

/// Which sessions `analyze` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SessionsShown {
    /// Those with an error or warning finding.
    Failed,
    /// Every session.
    All,
    /// None: the summary only.
    None,
}

fn parse_log_format(s: &str) -> Result<LogFormat, String> {
    s.parse().map_err(|_| {
        let names: Vec<&str> = LogFormat::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format {s:?}; one of: {}", names.join(", "))
    })
}

/// One input file as read.
#[derive(Debug, Serialize)]
pub struct InputSummary {
    /// The path, or `-` for standard input.
    pub file: String,
    /// The format detected or forced.
    pub format: LogFormat,
    /// Whether the format was detected (false: forced or the dialogue fallback).
    pub detected: bool,
    /// Gzip'd.
    pub gzip: bool,
    /// Lines read.
    pub lines: u64,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Sessions found.
    pub sessions: u64,
    /// Lines longer than the limit, cut.
    #[serde(skip_serializing_if = "is_zero")]
    pub long_lines_cut: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A finding and how often it was seen.
#[derive(Debug, Serialize)]
pub struct FindingCount {
    /// Sessions with it.
    pub sessions: u64,
    /// The first session that had it.
    pub first_session: String,
    /// The finding as diagnosed for that session (causes and fixes shown once).
    #[serde(flatten)]
    pub finding: Finding,
}

/// Something counted among failed sessions.
#[derive(Debug, Serialize, Clone)]
pub struct Count {
    /// The client, reply code or finding.
    pub key: String,
    /// How many failed sessions.
    pub sessions: u64,
}

/// The numbers of a whole run.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Sessions read.
    pub sessions: u64,
    /// Sessions with an error finding.
    pub failed: u64,
    /// Sessions with warnings only.
    pub warnings: u64,
    /// Sessions whose end the log did not show.
    pub incomplete: u64,
    /// Distinct session shapes diagnosed (the rest reused a diagnosis). Exact up to about a
    /// million shapes; past that, the diagnoses run (a shape forgotten meanwhile counts again).
    pub diagnoses: u64,
    /// The failed sessions' clients, most failures first (at most 10). Exact for any log of
    /// up to thousands of distinct clients; past that, each count is at least the number
    /// shown, and a client failing more than a few in a thousand times is always there.
    pub top_clients: Vec<Count>,
    /// Failed sessions of the other clients (those not in `top_clients`).
    #[serde(skip_serializing_if = "is_zero")]
    pub other_clients: u64,
    /// The failed sessions' deciding replies (`535 5.7.8`), most first (at most 10), counted
    /// as the clients are.
    pub top_replies: Vec<Count>,
    /// Failed sessions ended by the other replies (those not in `top_replies`).
    #[serde(skip_serializing_if = "is_zero")]
    pub other_replies: u64,
    /// The first session's start, as the log writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// The last session's end (or start), as the log writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
}

/// A session listed in the report.
#[derive(Debug, Serialize)]
pub struct SessionReport {
    /// The file it came from.
    pub file: String,
    /// The format it was read as.
    pub format: LogFormat,
    /// Who, when, where.
    #[serde(flatten)]
    pub meta: mailprobe_logs::analyze::SessionMeta,
    /// Where it stopped: the first failed step, when one failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<Step>,
    /// The findings' ids, titles, severities (causes and fixes are in the top-level list).
    pub findings: Vec<SessionFinding>,
    /// The steps, for the timeline.
    pub steps: Vec<Step>,
    /// The events, redacted.
    pub events: Vec<mailprobe_proto::Event>,
}

/// A finding as listed with a session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionFinding {
    /// The finding id.
    pub id: String,
    /// error, warning or info.
    pub severity: Severity,
    /// Its title.
    pub title: String,
}

/// The whole `analyze` report (`--format json`).
#[derive(Serialize)]
pub struct AnalyzeReport {
    /// What made it.
    pub tool: Tool,
    /// `analyze`.
    pub command: &'static str,
    /// True when no session had an error finding.
    pub ok: bool,
    /// The files read.
    pub inputs: Vec<InputSummary>,
    /// The numbers.
    pub summary: Summary,
    /// Every distinct finding with how many sessions had it, most frequent first.
    pub findings: Vec<FindingCount>,
    /// The sessions listed (`--sessions`, `--limit`), read back as they are written.
    pub sessions: Sessions,
    /// Sessions that would have been listed but for `--limit`.
    pub sessions_not_listed: u64,
}

/// The sessions a report lists, read back from the parsing threads' spills one at a time as
/// the report is written: written once (JSON as an array of [`SessionReport`]).
pub struct Sessions(RefCell<listing::Listed>);

impl Sessions {
    /// How many are listed.
    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    /// None is listed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each one in file order, read back (once).
    pub fn read(&self) -> impl Iterator<Item = Result<SessionReport>> + '_ {
        std::iter::from_fn(|| self.0.borrow_mut().next())
    }
}

impl Serialize for Sessions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for session in self.read() {
            seq.serialize_element(&session.map_err(|e| S::Error::custom(format!("{e:#}")))?)?;
        }
        seq.end()
    }
}

/// Runs `analyze`.
pub async fn run(args: &AnalyzeArgs, global: &GlobalArgs) -> Result<u8> {
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        bail!("standard input (-) can be read only once");
    }
    // open every file first: a missing one is bad input before any work
    let mut sources = Vec::new();
    for file in &args.files {
        sources.push(input::Source::open(file)?);
    }
    let lang = crate::global::lang(global);
    let files: Vec<String> = args.files.iter().map(|f| input::shown_name(f)).collect();
    let threads = match args.threads {
        Some(n) => usize::from(n),
        None => std::thread::available_parallelism().map_or(1, |n| n.get()).min(8),
    };
    let events = global.format != Format::Text && global.format != Format::Markdown;
    let counting = tally::Counting { args, files: &files, lang, threads, events };
    // a few chunks in flight per thread: enough to keep them busy, little memory held
    let (jobs, queue) = mpsc::sync_channel(2 * threads);
    let (ordered, in_order) = mpsc::sync_channel(64);
    // nothing else runs on this runtime while a log is read: blocking here is fine
    let (read, tallies) = std::thread::scope(|scope| {
        let counting = &counting;
        // held by the parsing threads alone: were they all gone, the reader's next send fails
        // instead of waiting for ever
        let queue = Arc::new(Mutex::new(queue));
        let sequence = std::thread::Builder::new()
            .name("analyze-order".into())
            .spawn_scoped(scope, move || tally::sequence(&in_order, counting));
        let mut started = vec![sequence];
        for index in 0..threads {
            let (queue, ordered) = (Arc::clone(&queue), ordered.clone());
            let worker = std::thread::Builder::new()
                .name(format!("analyze-{index}"))
                .spawn_scoped(scope, move || tally::work(&queue, &ordered, counting));
            started.push(worker);
        }
        drop(queue);
        let read =
            input::read_all(sources, args.input_format, &input::Outlets { jobs: &jobs, ordered: &ordered });
        drop((jobs, ordered));
        let tallies: Result<Vec<tally::Tally>> = started
            .into_iter()
            .map(|w| w?.join().map_err(|_| anyhow::anyhow!("a log parsing thread stopped unexpectedly")))
            .collect();
        (read, tallies)
    });
    let mut inputs = read?;
    let mut tallies = tallies?;
    if let Some((file, e)) = tallies.iter_mut().find_map(tally::Tally::unread) {
        return Err(anyhow::Error::new(e).context(format!("cannot read {}", files[file])));
    }
    let merged = tally::merge(tallies, args, &files, KnowledgeBase::builtin(), lang)?;
    for (input, counted) in inputs.iter_mut().zip(&merged.per_file) {
        (input.sessions, input.lines, input.long_lines_cut) =
            (counted.sessions, counted.lines, counted.long_lines_cut);
        input.bytes += counted.bytes;
    }
    let report = AnalyzeReport {
        tool: Tool::this(),
        command: "analyze",
        ok: merged.summary.failed == 0,
        inputs,
        summary: merged.summary,
        findings: merged.findings,
        sessions: Sessions(RefCell::new(merged.listed)),
        sessions_not_listed: merged.not_listed,
    };
    let code = if report.ok { 0 } else { 1 };
    // written as the sessions are read back, never whole in memory
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written = match global.format {
        Format::Json => mailprobe_report::json::write(&mut out, &report).map_err(anyhow::Error::from),
        Format::Html => render::html(&report, lang, &mut out),
        Format::Text | Format::Markdown => render::text(&report, &crate::global::style(global), &mut out),
    }
    .and_then(|()| Ok(out.flush()?));
    match written {
        Ok(()) => Ok(code),
        // a reader that stops early (`| head`) is not an error of ours
        Err(e) if reader_gone(&e) => Ok(code),
        Err(e) => Err(e.context("cannot write the report")),
    }
}

/// The error is standard output closed by its reader.
fn reader_gone(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// The provider a session's server belongs to, when the log names the server.
fn provider_of(s: &LogSession) -> Option<String> {
    if let Some(p) = &s.meta.provider {
        return Some(p.clone());
    }
    let server = s.meta.server.as_deref().filter(|_| !s.format.is_server_log())?;
    let host = server.split([':', '[']).next().unwrap_or(server);
    mailprobe_checks::provider::for_host(host).map(|p| p.id.to_owned())
}

/// `535 5.7.8` of the first failed reply, or the failure's kind.
fn deciding_reply(s: &LogSession) -> Option<String> {
    s.transcript.events.iter().filter(|e| e.is_failure()).find_map(|e| match &e.kind {
        EventKind::Received { reply } => Some(match reply.enhanced {
            Some(enhanced) => format!("{} {enhanced}", reply.code),
            None => reply.code.to_string(),
        }),
        EventKind::TlsFailed { failure, .. } => Some(format!("TLS {}", mailprobe_proto::snake(failure))),
        EventKind::ConnectFailed { failure, .. } => {
            Some(format!("connect {}", mailprobe_proto::snake(failure)))
        }
        EventKind::TimedOut { .. } => Some("timeout".to_owned()),
        EventKind::ClientError { code, program, .. } => {
            Some(code.clone().or_else(|| program.clone()).unwrap_or_else(|| "client error".into()))
        }
        _ => None,
    })
}

/// A hash of what the diagnosis depends on: each event's stage and kind, reply codes, and
/// texts with addresses, numbers and names set aside (so `<alice@x>` and `<bob@y>`, or two
/// queue ids, do not make two shapes).
fn signature(s: &LogSession, provider: Option<&str>) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    provider.hash(&mut h);
    s.meta.user.is_some().hash(&mut h);
    s.transcript.endpoint.security.hash(&mut h);
    s.transcript.endpoint.host.hash(&mut h);
    for e in &s.transcript.events {
        e.stage.hash(&mut h);
        std::mem::discriminant(&e.kind).hash(&mut h);
        match &e.kind {
            EventKind::Sent { line } => {
                // the verb and, for AUTH, the mechanism
                let mut words = line.split_ascii_whitespace();
                let verb = words.next().unwrap_or_default();
                verb.to_ascii_uppercase().hash(&mut h);
                if verb.eq_ignore_ascii_case("AUTH") {
                    words.next().hash(&mut h);
                }
            }
            EventKind::Received { reply } => {
                reply.code.hash(&mut h);
                reply.enhanced.hash(&mut h);
                for line in &reply.lines {
                    hash_text_shape(line, &mut h);
                }
            }
            EventKind::TlsFailed { failure, detail, .. } => {
                std::mem::discriminant(failure).hash(&mut h);
                hash_text_shape(detail, &mut h);
            }
            EventKind::TlsEstablished { session } => {
                session.version.hash(&mut h);
                session.certificates.len().hash(&mut h);
            }
            EventKind::ClientError { program, code, message } => {
                program.hash(&mut h);
                code.hash(&mut h);
                hash_text_shape(message, &mut h);
            }
            EventKind::Closed { reason } => std::mem::discriminant(reason).hash(&mut h),
            EventKind::Note { .. } => {}
            other => hash_text_shape(&format!("{other:?}"), &mut h),
        }
    }
    h.finish()
}
