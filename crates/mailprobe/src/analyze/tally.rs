//! One parsing thread's share of `analyze`: it parses its part of every file's sessions, has
//! the knowledge base diagnose one session of each shape, and counts; [`merge`] then adds the
//! threads' tallies up in the order the sessions appear in the files, so the report is the
//! same whatever the number of threads.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::mpsc::Receiver;

use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_logs::analyze::{self, LogSession, SessionParser, Shard};
use rustc_hash::FxHashMap;

use super::input::{Feed, MAX_LINE};
use super::{
    AnalyzeArgs, Count, FindingCount, SessionFinding, SessionReport, SessionsShown, Summary, deciding_reply,
    provider_of, signature,
};

/// Where a session came out: file, the line being read when its parser ended it, and a
/// counter for several on one line. Sessions sort in this order whatever thread read them.
pub type Order = (usize, u64, u64);

/// A diagnosis shared by every session of one shape, and how many had it.
struct Diagnosis {
    key: u64,
    findings: Vec<Finding>,
    error: bool,
    warning: bool,
    sessions: u64,
    /// The first session of this shape.
    first: (Order, String),
    /// Their deciding reply (the same for the whole shape: codes are part of it).
    deciding: Option<String>,
}

/// A failed session's client, counted without building a string per session.
#[derive(PartialEq, Eq, Hash)]
enum ClientKey {
    Ip(std::net::IpAddr),
    Name(String),
}

/// What one thread counted.
pub struct Tally {
    diagnoses: Vec<Diagnosis>,
    memo: FxHashMap<u64, usize>,
    sessions: u64,
    failed: u64,
    warnings: u64,
    incomplete: u64,
    clients: FxHashMap<ClientKey, u64>,
    /// Sessions per file.
    per_file: Vec<u64>,
    /// Lines and lines cut per file (counted by the first thread only).
    lines: Vec<(u64, u64)>,
    first_seen: Option<(Order, String)>,
    last_seen: Option<(Order, String)>,
    /// The first `--limit` sessions this thread would list.
    listed: Vec<(Order, SessionReport)>,
    /// Sessions this thread would list, `listed` or not.
    wanted: u64,
}

/// Runs one parsing thread: reads `feed` to its end as `shard` of every file.
pub fn work(feed: &Receiver<Feed>, shard: Shard, args: &AnalyzeArgs, files: &[String], lang: Lang) -> Tally {
    let kb = KnowledgeBase::builtin();
    let mut tally = Tally {
        diagnoses: Vec::new(),
        memo: FxHashMap::default(),
        sessions: 0,
        failed: 0,
        warnings: 0,
        incomplete: 0,
        clients: FxHashMap::default(),
        per_file: vec![0; files.len()],
        lines: vec![(0, 0); files.len()],
        first_seen: None,
        last_seen: None,
        listed: Vec::new(),
        wanted: 0,
    };
    let mut parser: Option<Box<dyn SessionParser>> = None;
    let mut file = 0;
    let mut number = 0u64;
    let mut cut = 0u64;
    let mut out: Vec<LogSession> = Vec::new();
    let mut seq = 0u64;
    for item in feed {
        match item {
            Feed::File { index, format } => {
                // a format that cannot be split is read whole by the first thread
                parser = if format.can_shard() {
                    Some(analyze::deferring_parser_for(format, shard))
                } else if shard.index == 0 {
                    Some(analyze::deferring_parser_for(format, Shard::WHOLE))
                } else {
                    None
                };
                (file, number, cut) = (index, 0, 0);
            }
            Feed::Chunk(chunk) => {
                let Some(p) = parser.as_mut() else { continue };
                let bytes = chunk.bytes();
                let mut start = 0;
                let mut line = |line: &[u8], number: &mut u64| {
                    *number += 1;
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    let line = if line.len() > MAX_LINE {
                        cut += 1;
                        &line[..MAX_LINE]
                    } else {
                        line
                    };
                    p.line(*number, line, &mut out);
                    for s in out.drain(..) {
                        seq += 1;
                        tally.add(kb, args, lang, (file, *number, seq), s);
                    }
                };
                for end in memchr::memchr_iter(b'\n', bytes) {
                    line(&bytes[start..end], &mut number);
                    start = end + 1;
                }
                if start < bytes.len() {
                    line(&bytes[start..], &mut number);
                }
            }
            Feed::End => {
                if let Some(mut p) = parser.take() {
                    p.finish(&mut out);
                }
                // sessions still open at the end come in the order they started
                for s in out.drain(..) {
                    let first = s.meta.first_line;
                    tally.add(kb, args, lang, (file, u64::MAX, first), s);
                }
                if let Some(l) = tally.lines.get_mut(file) {
                    *l = (number, cut);
                }
            }
        }
    }
    tally
}

impl Tally {
    fn add(&mut self, kb: &KnowledgeBase, args: &AnalyzeArgs, lang: Lang, order: Order, mut s: LogSession) {
        let found = provider_of(&s);
        let provider = args.provider.as_deref().or(found.as_deref());
        let key = match s.shape {
            // the parser's shape: the transcript is built only for the first of each
            Some(shape) => {
                let mut h = rustc_hash::FxHasher::default();
                (1u8, shape, provider).hash(&mut h);
                h.finish()
            }
            None => signature(&s, provider),
        };
        let index = match self.memo.get(&key) {
            Some(&index) => index,
            None => {
                s.materialize();
                let found = kb.diagnose(&s.context(provider), std::slice::from_ref(&s.transcript), lang);
                self.diagnoses.push(Diagnosis {
                    key,
                    error: found.iter().any(Finding::is_error),
                    warning: found.iter().any(|f| f.severity == Severity::Warning),
                    findings: found,
                    sessions: 0,
                    first: (order, s.meta.id.clone()),
                    deciding: deciding_reply(&s),
                });
                self.memo.insert(key, self.diagnoses.len() - 1);
                self.diagnoses.len() - 1
            }
        };
        let d = &mut self.diagnoses[index];
        d.sessions += 1;
        self.sessions += 1;
        if let Some(n) = self.per_file.get_mut(order.0) {
            *n += 1;
        }
        self.incomplete += u64::from(s.meta.incomplete);
        if self.first_seen.is_none()
            && let Some(t) = s.started()
        {
            self.first_seen = Some((order, t.into_owned()));
        }
        if d.error {
            self.failed += 1;
            let client = match s.client() {
                (_, Some(ip)) => ClientKey::Ip(ip),
                (Some(name), None) => ClientKey::Name(name.into_owned()),
                (None, None) => ClientKey::Name(String::new()),
            };
            *self.clients.entry(client).or_default() += 1;
        } else if d.warning {
            self.warnings += 1;
        }
        let wanted = match args.sessions {
            SessionsShown::All => true,
            SessionsShown::Failed => d.error || d.warning,
            SessionsShown::None => false,
        };
        self.wanted += u64::from(wanted);
        // the last session's time, written over the one before (no allocation per session)
        if let Some(t) = s.ended().or_else(|| s.started()) {
            match &mut self.last_seen {
                Some((o, last)) => {
                    *o = order;
                    last.clear();
                    last.push_str(&t);
                }
                None => self.last_seen = Some((order, t.into_owned())),
            }
        }
        if !wanted || self.listed.len() >= args.limit {
            return;
        }
        s.materialize();
        let findings = d
            .findings
            .iter()
            .map(|f| SessionFinding { id: f.id.clone(), severity: f.severity, title: f.title.clone() })
            .collect();
        let report = SessionReport {
            file: String::new(),
            format: s.format,
            stopped_at: s.failed_step(),
            findings,
            steps: s.transcript.steps(),
            events: s.transcript.events,
            meta: s.meta,
        };
        self.listed.push((order, report));
    }
}

/// The threads' tallies added up: the summary, the findings with their counts (most frequent
/// first), the sessions to list and how many were not, and each file's sessions, lines and
/// lines cut.
pub struct Merged {
    pub summary: Summary,
    pub findings: Vec<FindingCount>,
    pub listed: Vec<SessionReport>,
    pub not_listed: u64,
    pub per_file: Vec<(u64, u64, u64)>,
}

/// Adds up `tallies` in file order.
pub fn merge(
    tallies: Vec<Tally>,
    args: &AnalyzeArgs,
    files: &[String],
    kb: &KnowledgeBase,
    lang: Lang,
) -> Merged {
    let mut summary = Summary::default();
    let mut per_file = vec![(0, 0, 0); files.len()];
    let mut clients: HashMap<String, u64> = HashMap::new();
    let mut shapes: FxHashMap<u64, Diagnosis> = FxHashMap::default();
    let mut listed = Vec::new();
    let mut wanted = 0;
    let mut first_seen: Option<(Order, String)> = None;
    let mut last_seen: Option<(Order, String)> = None;
    for (i, t) in tallies.into_iter().enumerate() {
        summary.sessions += t.sessions;
        summary.failed += t.failed;
        summary.warnings += t.warnings;
        summary.incomplete += t.incomplete;
        for (f, n) in t.per_file.iter().enumerate() {
            per_file[f].0 += n;
            if i == 0 {
                (per_file[f].1, per_file[f].2) = t.lines[f];
            }
        }
        for (k, n) in t.clients {
            let name = match k {
                ClientKey::Ip(ip) => ip.to_string(),
                ClientKey::Name(name) if name.is_empty() => kb.text(lang, "ui-unknown", &[]),
                ClientKey::Name(name) => name,
            };
            *clients.entry(name).or_default() += n;
        }
        for d in t.diagnoses {
            match shapes.get_mut(&d.key) {
                Some(m) => {
                    // the shape's diagnosis is the one of its first session in the files, as
                    // when one thread reads them all
                    let sessions = m.sessions + d.sessions;
                    if d.first.0 < m.first.0 {
                        *m = d;
                    }
                    m.sessions = sessions;
                }
                None => {
                    shapes.insert(d.key, d);
                }
            }
        }
        first_seen = [first_seen, t.first_seen].into_iter().flatten().min_by(|a, b| a.0.cmp(&b.0));
        last_seen = [last_seen, t.last_seen].into_iter().flatten().max_by(|a, b| a.0.cmp(&b.0));
        wanted += t.wanted;
        listed.extend(t.listed);
    }
    listed.sort_by_key(|l| l.0);
    listed.truncate(args.limit);
    let listed: Vec<SessionReport> = listed
        .into_iter()
        .map(|(order, mut r)| {
            r.file = files.get(order.0).cloned().unwrap_or_default();
            r
        })
        .collect();
    let not_listed = wanted - listed.len() as u64;

    // shapes in the order they first appeared: a finding's first session is the first session
    // of the first shape that has it
    let mut diagnoses: Vec<Diagnosis> = shapes.into_values().collect();
    diagnoses.sort_by_key(|d| d.first.0);
    summary.diagnoses = diagnoses.len() as u64;
    let mut findings: Vec<FindingCount> = Vec::new();
    let mut replies: HashMap<String, u64> = HashMap::new();
    for d in &diagnoses {
        if d.error
            && let Some(code) = &d.deciding
        {
            *replies.entry(code.clone()).or_default() += d.sessions;
        }
        for f in &d.findings {
            match findings.iter_mut().find(|c| c.finding.id == f.id) {
                Some(c) => c.sessions += d.sessions,
                None => findings.push(FindingCount {
                    sessions: d.sessions,
                    first_session: d.first.1.clone(),
                    finding: f.clone(),
                }),
            }
        }
    }
    // most frequent first; errors before warnings before info at equal counts
    findings.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(rank(&a.finding).cmp(&rank(&b.finding))));
    summary.top_clients = top(clients);
    summary.top_replies = top(replies);
    summary.first_seen = first_seen.map(|s| s.1);
    summary.last_seen = last_seen.map(|s| s.1);
    Merged { summary, findings, listed, not_listed, per_file }
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
