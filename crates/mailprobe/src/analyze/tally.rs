//! The parsing threads' shares of `analyze`: each reads whole chunks of a log that can be split
//! ([`work`]); one more thread works in file order ([`sequence`]), finishing the sessions that
//! cross chunk edges and reading logs that cannot be split. Each has the knowledge base
//! diagnose one session of each shape and counts; [`merge`] then adds the tallies up in the
//! order the sessions appear in the files, so the report is the same whatever the number of
//! threads.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender};

use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_logs::analyze::{self, ChunkReader, Edges, LogFormat, LogSession, SessionParser, Stitcher};
use rustc_hash::FxHashMap;

use super::input::{InOrder, Job, MAX_LINE};
use super::{
    AnalyzeArgs, Count, FindingCount, SessionFinding, SessionReport, SessionsShown, Summary, deciding_reply,
    provider_of, signature,
};

/// Where a session came out: file, the line being read when it ended, who ended it (a chunk's
/// reader, 0, or the thread in file order, 1), and its place among those ended there. Sessions
/// sort in this order whatever thread read them. Sessions still open at a file's end come last,
/// in the order they started.
pub type Order = (usize, u64, u8, u64);

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
    /// Sessions and lines cut, per file.
    per_file: Vec<(u64, u64)>,
    /// The times as the log wrote them (text only once merged).
    first_seen: Option<(Order, Vec<u8>)>,
    last_seen: Option<(Order, Vec<u8>)>,
    /// The first `--limit` sessions this thread would list.
    listed: Vec<(Order, SessionReport)>,
    /// Sessions this thread would list, `listed` or not.
    wanted: u64,
}

/// What a thread needs to count sessions.
pub struct Counting<'a> {
    pub args: &'a AnalyzeArgs,
    pub files: &'a [String],
    pub lang: Lang,
}

/// Runs a parsing thread: reads the chunks it takes from `jobs` until there are none, and
/// sends each one's edges on to the thread in file order.
pub fn work(jobs: &Mutex<Receiver<Job>>, ordered: &SyncSender<InOrder>, c: &Counting<'_>) -> Tally {
    let mut tally = Tally::new(c.files.len());
    let mut out: Vec<LogSession> = Vec::new();
    let mut readers: Vec<(LogFormat, ChunkReader)> = Vec::new();
    loop {
        // the lock is held while waiting: the others wait on it instead of on the channel
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => break,
        };
        let Ok(job) = job else { break };
        // one reader per format, reused chunk after chunk
        let reader = match readers.iter().position(|(f, _)| *f == job.format) {
            Some(i) => &mut readers[i].1,
            None => match ChunkReader::new(job.format) {
                Some(r) => {
                    readers.push((job.format, r));
                    &mut readers.last_mut().expect("just pushed").1
                }
                None => continue,
            },
        };
        let file = job.file;
        let cut = each_line(job.chunk.bytes(), job.before, |number, line| {
            reader.line(number, line, &mut out);
            tally.add_ended(c, (file, number, 0), &mut out);
        });
        tally.per_file[file].1 += cut;
        drop(job.chunk);
        if ordered.send(InOrder::Edges { file, seq: job.seq, edges: reader.edges() }).is_err() {
            break;
        }
    }
    tally
}

/// Calls `line` with each line of `bytes` and its number (`before` lines came before them),
/// lines longer than [`MAX_LINE`] cut; returns how many were.
fn each_line(bytes: &[u8], before: u64, mut line: impl FnMut(u64, &[u8])) -> u64 {
    let (mut number, mut cut, mut start) = (before, 0, 0);
    let mut one = |l: &[u8]| {
        number += 1;
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        let l = if l.len() > MAX_LINE {
            cut += 1;
            &l[..MAX_LINE]
        } else {
            l
        };
        line(number, l);
    };
    for end in memchr::memchr_iter(b'\n', bytes) {
        one(&bytes[start..end]);
        start = end + 1;
    }
    if start < bytes.len() {
        one(&bytes[start..]);
    }
    cut
}

/// A file as the thread in file order reads it.
enum InFile {
    /// A log split between the parsing threads: the edges of its chunks, stitched in order.
    Split { stitcher: Box<Stitcher>, next: u64, waiting: BTreeMap<u64, Edges>, chunks: Option<u64> },
    /// Any other log, read here whole.
    Whole(Box<dyn SessionParser>),
}

/// Runs the thread in file order until everything is read.
pub fn sequence(ordered: &Receiver<InOrder>, c: &Counting<'_>) -> Tally {
    let mut tally = Tally::new(c.files.len());
    let mut reading: HashMap<usize, InFile> = HashMap::new();
    let mut out: Vec<LogSession> = Vec::new();
    let mut stitched: Vec<(u64, LogSession)> = Vec::new();
    for item in ordered {
        let file = match item {
            InOrder::File { index, format } => {
                reading.insert(index, in_file(format));
                index
            }
            InOrder::Chunk { file, before, chunk } => {
                if let Some(InFile::Whole(parser)) = reading.get_mut(&file) {
                    let cut = each_line(chunk.bytes(), before, |number, line| {
                        parser.line(number, line, &mut out);
                        tally.add_ended(c, (file, number, 1), &mut out);
                    });
                    tally.per_file[file].1 += cut;
                }
                file
            }
            InOrder::Edges { file, seq, edges } => {
                if let Some(InFile::Split { waiting, .. }) = reading.get_mut(&file) {
                    waiting.insert(seq, edges);
                }
                file
            }
            InOrder::End { file, chunks } => {
                if let Some(InFile::Split { chunks: n, .. }) = reading.get_mut(&file) {
                    *n = Some(chunks);
                } else if let Some(InFile::Whole(mut parser)) = reading.remove(&file) {
                    parser.finish(&mut out);
                    tally.add_open_at_end(c, file, &mut out);
                }
                file
            }
        };
        // the split file's chunks that can now be stitched, in order; the file done when all were
        if let Some(InFile::Split { stitcher, next, waiting, chunks }) = reading.get_mut(&file) {
            while let Some(edges) = waiting.remove(next) {
                *next += 1;
                stitcher.stitch(edges, &mut stitched);
                // numbered among those ending on the same line (a chunk's lines come after the
                // ones before it, so one call's sessions are all there is of a line)
                let mut k = 0;
                let mut last = None;
                for (number, mut s) in stitched.drain(..) {
                    k = if last == Some(number) { k + 1 } else { 0 };
                    last = Some(number);
                    tally.add(c, (file, number, 1, k), &mut s);
                }
            }
            if *chunks == Some(*next) {
                stitcher.finish(&mut out);
                reading.remove(&file);
                tally.add_open_at_end(c, file, &mut out);
            }
        }
    }
    tally
}

fn in_file(format: LogFormat) -> InFile {
    match Stitcher::new(format) {
        Some(stitcher) => {
            InFile::Split { stitcher: Box::new(stitcher), next: 0, waiting: BTreeMap::new(), chunks: None }
        }
        None => InFile::Whole(analyze::deferring_parser_for(format)),
    }
}

impl Tally {
    fn new(files: usize) -> Self {
        Self {
            diagnoses: Vec::new(),
            memo: FxHashMap::default(),
            sessions: 0,
            failed: 0,
            warnings: 0,
            incomplete: 0,
            clients: FxHashMap::default(),
            per_file: vec![(0, 0); files],
            first_seen: None,
            last_seen: None,
            listed: Vec::new(),
            wanted: 0,
        }
    }

    /// Counts the sessions that ended on line `at.1` of file `at.0`, read by `at.2` (see
    /// [`Order`]), in the order they came out; leaves `ended` empty.
    fn add_ended(&mut self, c: &Counting<'_>, at: (usize, u64, u8), ended: &mut Vec<LogSession>) {
        for (k, s) in ended.iter_mut().enumerate() {
            self.add(c, (at.0, at.1, at.2, k as u64), s);
        }
        ended.clear();
    }

    /// Counts the sessions still open at the end of `file`, in the order they started.
    fn add_open_at_end(&mut self, c: &Counting<'_>, file: usize, open: &mut Vec<LogSession>) {
        for mut s in open.drain(..) {
            let first = s.meta.first_line;
            self.add(c, (file, u64::MAX, 1, first), &mut s);
        }
    }

    /// Counts session `s`, which came out at `order` (and takes what a listed session keeps).
    fn add(&mut self, c: &Counting<'_>, order: Order, s: &mut LogSession) {
        let (kb, args, lang) = (KnowledgeBase::builtin(), c.args, c.lang);
        let found = provider_of(s);
        let provider = args.provider.as_deref().or(found.as_deref());
        let key = match s.shape {
            // the parser's shape: the transcript is built only for the first of each
            Some(shape) => {
                let mut h = rustc_hash::FxHasher::default();
                (1u8, shape, provider).hash(&mut h);
                h.finish()
            }
            None => signature(s, provider),
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
                    deciding: deciding_reply(s),
                });
                self.memo.insert(key, self.diagnoses.len() - 1);
                self.diagnoses.len() - 1
            }
        };
        let d = &mut self.diagnoses[index];
        d.sessions += 1;
        self.sessions += 1;
        if let Some(n) = self.per_file.get_mut(order.0) {
            n.0 += 1;
        }
        self.incomplete += u64::from(s.meta.incomplete);
        if self.first_seen.as_ref().is_none_or(|(o, _)| order < *o)
            && let Some(t) = s.started()
        {
            self.first_seen = Some((order, t.to_vec()));
        }
        if d.error {
            self.failed += 1;
            let client = match s.client_ip() {
                Some(ip) => ClientKey::Ip(ip),
                None => ClientKey::Name(s.client().0.map(Cow::into_owned).unwrap_or_default()),
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
                Some((o, _)) if order < *o => {}
                Some((o, last)) => {
                    *o = order;
                    last.clear();
                    last.extend_from_slice(t);
                }
                None => self.last_seen = Some((order, t.to_vec())),
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
            events: std::mem::take(&mut s.transcript.events),
            meta: std::mem::take(&mut s.meta),
        };
        self.listed.push((order, report));
    }
}

/// The threads' tallies added up: the summary, the findings with their counts (most frequent
/// first), the sessions to list and how many were not, and each file's sessions and lines cut.
pub struct Merged {
    pub summary: Summary,
    pub findings: Vec<FindingCount>,
    pub listed: Vec<SessionReport>,
    pub not_listed: u64,
    pub per_file: Vec<(u64, u64)>,
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
    let mut per_file = vec![(0, 0); files.len()];
    let mut clients: HashMap<String, u64> = HashMap::new();
    let mut shapes: FxHashMap<u64, Diagnosis> = FxHashMap::default();
    let mut listed = Vec::new();
    let mut wanted = 0;
    let mut first_seen: Option<(Order, Vec<u8>)> = None;
    let mut last_seen: Option<(Order, Vec<u8>)> = None;
    for t in tallies {
        summary.sessions += t.sessions;
        summary.failed += t.failed;
        summary.warnings += t.warnings;
        summary.incomplete += t.incomplete;
        for (f, (sessions, cut)) in t.per_file.iter().enumerate() {
            per_file[f].0 += sessions;
            per_file[f].1 += cut;
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
    summary.first_seen = first_seen.map(|s| String::from_utf8_lossy(&s.1).into_owned());
    summary.last_seen = last_seen.map(|s| String::from_utf8_lossy(&s.1).into_owned());
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
