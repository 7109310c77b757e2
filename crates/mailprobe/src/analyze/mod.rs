//! `mailprobe analyze`: client and server logs (plain, gzip'd or on standard input) read into
//! one transcript per mail session by `mailprobe-logs`, each diagnosed by the same knowledge
//! base as a live probe, then summed up: how many sessions failed, why, which clients, which
//! replies; and each failed session with where it stopped.
//!
//! Streaming in constant memory: one thread reads, decompresses and parses; the calling thread
//! diagnoses and counts. Sessions of the same shape (the same steps, codes and reply texts once
//! addresses and numbers are set aside) are diagnosed once.

mod input;
mod render;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::mpsc;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_logs::analyze::{LogFormat, LogSession};
use mailprobe_proto::{EventKind, Step};
use serde::Serialize;

use crate::cli::{Format, GlobalArgs};
use crate::report::Tool;

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
    /// Distinct session shapes diagnosed (the rest reused a diagnosis).
    pub diagnoses: u64,
    /// The failed sessions' clients, most failures first (at most 10).
    pub top_clients: Vec<Count>,
    /// The failed sessions' deciding replies (`535 5.7.8`), most first (at most 10).
    pub top_replies: Vec<Count>,
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
#[derive(Debug, Serialize)]
pub struct SessionFinding {
    /// The finding id.
    pub id: String,
    /// error, warning or info.
    pub severity: Severity,
    /// Its title.
    pub title: String,
}

/// The whole `analyze` report (`--format json`).
#[derive(Debug, Serialize)]
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
    /// The sessions listed (`--sessions`, `--limit`).
    pub sessions: Vec<SessionReport>,
    /// Sessions that would have been listed but for `--limit`.
    pub sessions_not_listed: u64,
}

/// What the reading thread sends: finished sessions, and a file's totals when it is done.
pub(crate) enum Batch {
    Sessions(usize, Vec<LogSession>),
    Done(InputSummary),
}

/// A diagnosis shared by every session of one shape.
struct Diagnosis {
    findings: Vec<Finding>,
    error: bool,
    warning: bool,
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
    let lang = crate::lang(global);
    let forced = args.input_format;
    // a few batches in flight: enough to keep both threads busy, little memory held
    let (tx, rx) = mpsc::sync_channel::<Result<Batch>>(4);
    let reader = std::thread::Builder::new()
        .name("analyze-reader".into())
        .spawn(move || input::read_all(sources, forced, &tx))?;
    // nothing else runs on this runtime while a log is read: blocking here is fine
    let report = aggregate(args, &rx, lang);
    let read = reader.join().map_err(|_| anyhow::anyhow!("the log reader stopped unexpectedly"))?;
    read?;
    let report = report?;
    let code = if report.ok { 0 } else { 1 };
    match global.format {
        Format::Json => crate::render::json::print(&report),
        Format::Html => print!("{}", render::html(&report, lang)),
        Format::Text | Format::Markdown => print!("{}", render::text(&report, &crate::style(global))),
    }
    Ok(code)
}

fn aggregate(args: &AnalyzeArgs, rx: &mpsc::Receiver<Result<Batch>>, lang: Lang) -> Result<AnalyzeReport> {
    let kb = KnowledgeBase::builtin();
    let mut memo: rustc_hash::FxHashMap<u64, usize> = rustc_hash::FxHashMap::default();
    let mut diagnoses: Vec<Diagnosis> = Vec::new();
    let mut findings: Vec<FindingCount> = Vec::new();
    let mut summary = Summary::default();
    let mut clients: HashMap<String, u64> = HashMap::new();
    let mut replies: HashMap<String, u64> = HashMap::new();
    let mut inputs = Vec::new();
    let mut listed = Vec::new();
    let mut not_listed = 0;
    let files: Vec<String> = args.files.iter().map(|f| input::shown_name(f)).collect();
    for batch in rx {
        let sessions = match batch? {
            Batch::Done(summary) => {
                inputs.push(summary);
                continue;
            }
            Batch::Sessions(file, sessions) => (file, sessions),
        };
        let (file, sessions) = sessions;
        for s in sessions {
            let provider = args.provider.clone().or_else(|| provider_of(&s));
            let key = signature(&s, provider.as_deref());
            let index = *memo.entry(key).or_insert_with(|| {
                let found =
                    kb.diagnose(&s.context(provider.as_deref()), std::slice::from_ref(&s.transcript), lang);
                let error = found.iter().any(Finding::is_error);
                let warning = found.iter().any(|f| f.severity == Severity::Warning);
                diagnoses.push(Diagnosis { findings: found, error, warning });
                diagnoses.len() - 1
            });
            let d = &diagnoses[index];
            summary.sessions += 1;
            summary.incomplete += u64::from(s.meta.incomplete);
            if summary.first_seen.is_none() {
                summary.first_seen = s.meta.started.clone();
            }
            if let Some(t) = s.meta.ended.as_ref().or(s.meta.started.as_ref()) {
                summary.last_seen = Some(t.clone());
            }
            if d.error {
                summary.failed += 1;
                let client = s
                    .meta
                    .client_ip
                    .map(|ip| ip.to_string())
                    .or_else(|| s.meta.client.clone())
                    .unwrap_or_else(|| kb.text(lang, "ui-unknown", &[]));
                *clients.entry(client).or_default() += 1;
                if let Some(code) = deciding_reply(&s) {
                    *replies.entry(code).or_default() += 1;
                }
            } else if d.warning {
                summary.warnings += 1;
            }
            for f in &d.findings {
                match findings.iter_mut().find(|c| c.finding.id == f.id) {
                    Some(c) => c.sessions += 1,
                    None => findings.push(FindingCount {
                        sessions: 1,
                        first_session: s.meta.id.clone(),
                        finding: f.clone(),
                    }),
                }
            }
            let wanted = match args.sessions {
                SessionsShown::All => true,
                SessionsShown::Failed => d.error || d.warning,
                SessionsShown::None => false,
            };
            if !wanted {
                continue;
            }
            if listed.len() >= args.limit {
                not_listed += 1;
                continue;
            }
            listed.push(SessionReport {
                file: files.get(file).cloned().unwrap_or_default(),
                format: s.format,
                stopped_at: s.failed_step(),
                findings: d
                    .findings
                    .iter()
                    .map(|f| SessionFinding {
                        id: f.id.clone(),
                        severity: f.severity,
                        title: f.title.clone(),
                    })
                    .collect(),
                steps: s.transcript.steps(),
                events: s.transcript.events,
                meta: s.meta,
            });
        }
    }
    summary.diagnoses = diagnoses.len() as u64;
    summary.top_clients = top(clients);
    summary.top_replies = top(replies);
    // most frequent first; errors before warnings before info at equal counts
    findings.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(rank(&a.finding).cmp(&rank(&b.finding))));
    Ok(AnalyzeReport {
        tool: Tool::this(),
        command: "analyze",
        ok: summary.failed == 0,
        inputs,
        summary,
        findings,
        sessions: listed,
        sessions_not_listed: not_listed,
    })
}

fn rank(f: &Finding) -> u8 {
    match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

fn top(counts: HashMap<String, u64>) -> Vec<Count> {
    let mut v: Vec<Count> = counts.into_iter().map(|(key, sessions)| Count { key, sessions }).collect();
    v.sort_by(|a, b| b.sessions.cmp(&a.sessions).then_with(|| a.key.cmp(&b.key)));
    v.truncate(10);
    v
}

/// The provider a session's server belongs to, when the log names the server.
fn provider_of(s: &LogSession) -> Option<String> {
    if let Some(p) = &s.meta.provider {
        return Some(p.clone());
    }
    let server = s.meta.server.as_deref().filter(|_| !s.format.is_server_log())?;
    let host = server.split([':', '[']).next().unwrap_or(server);
    crate::provider::for_host(host).map(|p| p.id.to_owned())
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
                    shape(line, &mut h);
                }
            }
            EventKind::TlsFailed { failure, detail, .. } => {
                std::mem::discriminant(failure).hash(&mut h);
                shape(detail, &mut h);
            }
            EventKind::TlsEstablished { session } => {
                session.version.hash(&mut h);
                session.certificates.len().hash(&mut h);
            }
            EventKind::ClientError { program, code, message } => {
                program.hash(&mut h);
                code.hash(&mut h);
                shape(message, &mut h);
            }
            EventKind::Closed { reason } => std::mem::discriminant(reason).hash(&mut h),
            EventKind::Note { .. } => {}
            other => shape(&format!("{other:?}"), &mut h),
        }
    }
    h.finish()
}

/// Hashes `text` with what varies between sessions of one kind set aside: `<...>` addresses,
/// runs of digits, and words with digits or `@` (ids, hosts, addresses).
fn shape(text: &str, h: &mut impl Hasher) {
    let mut in_angle = false;
    for word in text.split_ascii_whitespace() {
        if in_angle || word.starts_with('<') {
            in_angle = !word.contains('>');
            h.write_u8(b'<');
            continue;
        }
        if word.contains(['@', '[']) || word.bytes().any(|b| b.is_ascii_digit()) && word.len() > 5 {
            h.write_u8(b'#');
            continue;
        }
        word.hash(h);
    }
}
