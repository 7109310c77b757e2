//! The parsing threads' shares of `analyze`: each reads whole chunks of a log that can be split
//! ([`work`]); one more thread works in file order ([`sequence`]), finishing the sessions that
//! cross chunk edges and reading logs that cannot be split. Each has the knowledge base
//! diagnose one session of each shape and counts; [`merge`] then adds the tallies up in the
//! order the sessions appear in the files, so the report is the same whatever the number of
//! threads. What a thread holds is bounded whatever the log: the shapes it remembers, the
//! clients and replies it counts ([`Top`]); the sessions it may list go to a spill
//! ([`Listing`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender};

use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_logs::analyze::{
    self, ChunkReader, Edges, LogFormat, LogSession, SessionParser, Stitcher, renumbered_id,
};
use rustc_hash::{FxHashMap, FxHashSet};

use super::input::{InOrder, Job, JobLines, LinesAt, MAX_LINE};
use super::listing::{Listed, Listing, Stored};
use super::top::Top;
use super::{
    AnalyzeArgs, Count, FindingCount, SessionFinding, SessionsShown, Summary, deciding_reply, provider_of,
    signature,
};

/// Where a session came out: file, the line being read when it ended, who ended it (a chunk's
/// reader, 0, or the thread in file order, 1), and its place among those ended there. Sessions
/// sort in this order whatever thread read them. Sessions still open at a file's end come last,
/// in the order they started.
pub type Order = (usize, u64, u8, u64);

/// The number of the line before chunk `seq`'s first line, as the parsing threads number the
/// lines of a split log: its line `n` is `seq << 32 | n` (a chunk holds far fewer than 2^32
/// lines). Such numbers sort as the lines do, and need no count of the lines before the chunk,
/// which a parsing thread does not have; [`ChunkLines`] turns them into lines of the file.
fn chunk_start(seq: u64) -> u64 {
    seq << 32
}

/// How many lines came before each chunk of a split log: the line of the file that a number
/// of a chunk's line is ([`chunk_start`]).
#[derive(Default)]
struct ChunkLines(Vec<u64>);

impl ChunkLines {
    fn line(&self, number: u64) -> u64 {
        let seq = usize::try_from(number >> 32).unwrap_or(usize::MAX);
        self.0.get(seq).map_or(number, |before| before + (number & u64::from(u32::MAX)))
    }
}

/// One file's totals, as one thread counted them.
#[derive(Clone, Copy, Default)]
pub struct FileCounts {
    pub sessions: u64,
    pub lines: u64,
    pub long_lines_cut: u64,
    /// Bytes read by the parsing threads (a split plain file); the reader counts the others.
    pub bytes: u64,
}

impl FileCounts {
    fn add(&mut self, other: &FileCounts) {
        self.sessions += other.sessions;
        self.lines += other.lines;
        self.long_lines_cut += other.long_lines_cut;
        self.bytes += other.bytes;
    }
}

/// Shapes whose diagnosis the threads remember, all together (a few hundred bytes each): past
/// its share a thread forgets them all and starts again (the frequent ones come back at once),
/// so that a log of endless distinct shapes holds little memory.
const SHAPES_REMEMBERED: usize = 48 * 1024;
/// Distinct shapes counted exactly for the summary, all threads together (8 bytes each).
const SHAPES_COUNTED: usize = 1 << 20;
/// Clients and replies counted exactly, per thread, before the least counted are dropped.
const TOP_KEPT: usize = 4096;

/// What the diagnosis of one shape says, remembered for the next sessions of that shape.
struct Shape {
    /// Its findings, as places in the thread's [`FindingTally`]s, in the diagnosis' order.
    findings: Vec<usize>,
    /// The same as listed with a session: id, severity, title.
    listed: Vec<SessionFinding>,
    error: bool,
    warning: bool,
    /// The deciding reply (the same for the whole shape: codes are part of it).
    deciding: Option<String>,
}

/// One finding: how many sessions had it, and the diagnosis it is shown from — the one of the
/// earliest session (in file order) among the shapes diagnosed with it.
struct FindingTally {
    sessions: u64,
    /// That session's order and the finding's place in its diagnosis: findings tied on
    /// frequency and severity keep this order.
    first: (Order, usize),
    /// That session's id and first line.
    session: (String, u64),
    finding: Finding,
}

/// A failed session's client, counted without building a string per session.
#[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ClientKey {
    Ip(std::net::IpAddr),
    Name(String),
}

/// What one thread counted. Its memory is bounded whatever the log: shapes remembered,
/// clients and replies counted are bounded; sessions to list go to a spill ([`Listing`]).
pub struct Tally {
    shapes: FxHashMap<u64, Shape>,
    shapes_cap: usize,
    /// Shapes diagnosed by this thread (up to its share of [`SHAPES_COUNTED`]), and how many
    /// diagnoses were run past that.
    seen: FxHashSet<u64>,
    seen_cap: usize,
    unseen_diagnoses: u64,
    findings: Vec<FindingTally>,
    finding_ids: FxHashMap<String, usize>,
    sessions: u64,
    failed: u64,
    warnings: u64,
    incomplete: u64,
    clients: Top<ClientKey>,
    replies: Top<String>,
    per_file: Vec<FileCounts>,
    /// The lines before each chunk of each split file (the thread in file order counts them).
    chunk_lines: Vec<Option<ChunkLines>>,
    /// A file that could not be read.
    unread: Option<(usize, std::io::Error)>,
    /// The times as the log wrote them (text only once merged).
    first_seen: Option<(Order, Vec<u8>)>,
    last_seen: Option<(Order, Vec<u8>)>,
    /// The sessions this thread may list.
    listed: Listing,
    /// Sessions this thread would list, kept or not.
    wanted: u64,
}

/// What a thread needs to count sessions.
pub struct Counting<'a> {
    pub args: &'a AnalyzeArgs,
    pub files: &'a [String],
    pub lang: Lang,
    /// The threads that count (each counts its share of the distinct shapes).
    pub threads: usize,
    /// Listed sessions keep their steps and events (not for the text report, which does not
    /// show them).
    pub events: bool,
}

/// Runs a parsing thread: reads the chunks it takes from `jobs` until there are none, and
/// sends each one's edges on to the thread in file order.
pub fn work(jobs: &Mutex<Receiver<Job>>, ordered: &SyncSender<InOrder>, c: &Counting<'_>) -> Tally {
    let mut tally = Tally::new(c);
    let mut out: Vec<LogSession> = Vec::new();
    let mut readers: Vec<(LogFormat, ChunkReader)> = Vec::new();
    let mut at = LinesAt::default();
    loop {
        // the lock is held while waiting: the others wait on it instead of on the channel
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => break,
        };
        let Ok(job) = job else { break };
        let job_seq = job.seq;
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
        let bytes = match &job.lines {
            JobLines::Read(chunk) => chunk.bytes(),
            JobLines::At(f, range) => match at.read(f, range.clone()) {
                Ok((bytes, there)) => {
                    tally.per_file[file].bytes += there;
                    bytes
                }
                Err(e) => {
                    tally.unread = Some((file, e));
                    break;
                }
            },
        };
        let (lines, cut) = each_line(bytes, chunk_start(job.seq), |number, line| {
            reader.line(number, line, &mut out);
            tally.add_ended(c, (file, number, 0), &mut out);
        });
        tally.per_file[file].long_lines_cut += cut;
        drop(job);
        if ordered.send(InOrder::Edges { file, seq: job_seq, edges: reader.edges(), lines }).is_err() {
            break;
        }
    }
    tally
}

/// Calls `line` with each line of `bytes` and its number (the first is `before + 1`), lines
/// longer than [`MAX_LINE`] cut; returns how many lines there were, and how many were cut.
fn each_line(bytes: &[u8], before: u64, mut line: impl FnMut(u64, &[u8])) -> (u64, u64) {
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
    (number - before, cut)
}

/// A file as the thread in file order reads it.
enum InFile {
    /// A log split between the parsing threads: the edges of its chunks (and how many lines
    /// each had), stitched in order, and the lines before each chunk stitched.
    Split {
        stitcher: Box<Stitcher>,
        next: u64,
        waiting: BTreeMap<u64, (Edges, u64)>,
        chunks: Option<u64>,
        before: ChunkLines,
        lines: u64,
    },
    /// Any other log, read here whole; the lines read so far.
    Whole(Box<dyn SessionParser>, u64),
}

/// Runs the thread in file order until everything is read.
pub fn sequence(ordered: &Receiver<InOrder>, c: &Counting<'_>) -> Tally {
    let mut tally = Tally::new(c);
    let mut reading: HashMap<usize, InFile> = HashMap::new();
    let mut out: Vec<LogSession> = Vec::new();
    let mut stitched: Vec<(u64, LogSession)> = Vec::new();
    for item in ordered {
        let file = match item {
            InOrder::File { index, format } => {
                reading.insert(index, in_file(format));
                index
            }
            InOrder::Chunk { file, chunk } => {
                if let Some(InFile::Whole(parser, read)) = reading.get_mut(&file) {
                    let (lines, cut) = each_line(chunk.bytes(), *read, |number, line| {
                        parser.line(number, line, &mut out);
                        tally.add_ended(c, (file, number, 1), &mut out);
                    });
                    *read += lines;
                    tally.per_file[file].lines += lines;
                    tally.per_file[file].long_lines_cut += cut;
                }
                file
            }
            InOrder::Edges { file, seq, edges, lines } => {
                if let Some(InFile::Split { waiting, .. }) = reading.get_mut(&file) {
                    waiting.insert(seq, (edges, lines));
                }
                file
            }
            InOrder::End { file, chunks } => {
                if let Some(InFile::Split { chunks: n, .. }) = reading.get_mut(&file) {
                    *n = Some(chunks);
                } else if let Some(InFile::Whole(mut parser, _)) = reading.remove(&file) {
                    parser.finish(&mut out);
                    tally.add_open_at_end(c, file, &mut out);
                }
                file
            }
        };
        // the split file's chunks that can now be stitched, in order; the file done when all were
        if let Some(InFile::Split { stitcher, next, waiting, chunks, before, lines }) = reading.get_mut(&file)
        {
            while let Some((edges, chunk_lines)) = waiting.remove(next) {
                *next += 1;
                before.0.push(*lines);
                *lines += chunk_lines;
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
                tally.per_file[file].lines += *lines;
                tally.chunk_lines[file] = Some(std::mem::take(before));
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
            let (next, waiting, chunks, lines) = (0, BTreeMap::new(), None, 0);
            let before = ChunkLines::default();
            InFile::Split { stitcher: Box::new(stitcher), next, waiting, chunks, before, lines }
        }
        None => InFile::Whole(analyze::deferring_parser_for(format), 0),
    }
}

impl Tally {
    fn new(c: &Counting<'_>) -> Self {
        let files = c.files.len();
        Self {
            shapes: FxHashMap::default(),
            // shares of the threads that count, the one in file order too
            shapes_cap: (SHAPES_REMEMBERED / (c.threads + 1)).max(1024),
            seen: FxHashSet::default(),
            seen_cap: SHAPES_COUNTED / (c.threads + 1),
            unseen_diagnoses: 0,
            findings: Vec::new(),
            finding_ids: FxHashMap::default(),
            sessions: 0,
            failed: 0,
            warnings: 0,
            incomplete: 0,
            clients: Top::new(TOP_KEPT),
            replies: Top::new(TOP_KEPT),
            per_file: vec![FileCounts::default(); files],
            chunk_lines: (0..files).map(|_| None).collect(),
            unread: None,
            first_seen: None,
            last_seen: None,
            listed: Listing::new(c.args.limit),
            wanted: 0,
        }
    }

    /// The file this thread could not read, and why.
    pub fn unread(&mut self) -> Option<(usize, std::io::Error)> {
        self.unread.take()
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

    /// Has the knowledge base diagnose session `s` (which came out at `order`), the first of
    /// its shape `key` here, and remembers what it says.
    fn diagnose(
        &mut self,
        c: &Counting<'_>,
        key: u64,
        order: Order,
        s: &mut LogSession,
        provider: Option<&str>,
    ) {
        s.materialize();
        let found = KnowledgeBase::builtin().diagnose(
            &s.context(provider),
            std::slice::from_ref(&s.transcript),
            c.lang,
        );
        if self.seen.len() < self.seen_cap {
            self.seen.insert(key);
        } else if !self.seen.contains(&key) {
            self.unseen_diagnoses += 1;
        }
        let mut shape = Shape {
            findings: Vec::with_capacity(found.len()),
            listed: found
                .iter()
                .map(|f| SessionFinding { id: f.id.clone(), severity: f.severity, title: f.title.clone() })
                .collect(),
            error: found.iter().any(Finding::is_error),
            warning: found.iter().any(|f| f.severity == Severity::Warning),
            deciding: deciding_reply(s),
        };
        for (place, f) in found.into_iter().enumerate() {
            let first = (order, place);
            let index = match self.finding_ids.get(&f.id) {
                Some(&i) => {
                    let t = &mut self.findings[i];
                    if first < t.first {
                        (t.first, t.session) = (first, (s.meta.id.clone(), s.meta.first_line));
                        t.finding = f;
                    }
                    i
                }
                None => {
                    self.finding_ids.insert(f.id.clone(), self.findings.len());
                    let session = (s.meta.id.clone(), s.meta.first_line);
                    self.findings.push(FindingTally { sessions: 0, first, session, finding: f });
                    self.findings.len() - 1
                }
            };
            shape.findings.push(index);
        }
        if self.shapes.len() >= self.shapes_cap {
            self.shapes.clear();
        }
        self.shapes.insert(key, shape);
    }

    /// Counts session `s`, which came out at `order` (and takes what a listed session keeps).
    fn add(&mut self, c: &Counting<'_>, order: Order, s: &mut LogSession) {
        let args = c.args;
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
        if !self.shapes.contains_key(&key) {
            self.diagnose(c, key, order, s, provider);
        }
        let Some(d) = self.shapes.get(&key) else { return };
        for &i in &d.findings {
            self.findings[i].sessions += 1;
        }
        self.sessions += 1;
        if let Some(n) = self.per_file.get_mut(order.0) {
            n.sessions += 1;
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
            self.clients.add(client, 1);
            if let Some(reply) = &d.deciding {
                self.replies.add_borrowed(reply.as_str(), 1);
            }
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
        if !wanted || !self.listed.offer(order) {
            return;
        }
        s.materialize();
        let stopped_at = s.failed_step();
        let (steps, events) = if c.events {
            (s.transcript.steps(), std::mem::take(&mut s.transcript.events))
        } else {
            (Vec::new(), Vec::new())
        };
        let meta = std::mem::take(&mut s.meta);
        let stored = Stored::new(s.format, meta, stopped_at, d.listed.clone(), steps, events);
        self.listed.keep(order, &stored);
    }
}

/// The threads' tallies added up: the summary, the findings with their counts (most frequent
/// first), the sessions to list and how many were not, and each file's totals.
pub struct Merged {
    pub summary: Summary,
    pub findings: Vec<FindingCount>,
    pub listed: Listed,
    pub not_listed: u64,
    pub per_file: Vec<FileCounts>,
}

/// Adds up `tallies` in file order.
pub fn merge(
    tallies: Vec<Tally>,
    args: &AnalyzeArgs,
    files: &[String],
    kb: &KnowledgeBase,
    lang: Lang,
) -> anyhow::Result<Merged> {
    let mut summary = Summary::default();
    let mut per_file = vec![FileCounts::default(); files.len()];
    let mut chunk_lines: Vec<Option<ChunkLines>> = (0..files.len()).map(|_| None).collect();
    let mut clients: Top<String> = Top::new(TOP_KEPT);
    let mut replies: Top<String> = Top::new(TOP_KEPT);
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    let mut unseen_diagnoses = 0;
    let mut findings: Vec<FindingTally> = Vec::new();
    let mut listings = Vec::new();
    let mut wanted = 0;
    let mut first_seen: Option<(Order, Vec<u8>)> = None;
    let mut last_seen: Option<(Order, Vec<u8>)> = None;
    let unknown = kb.text(lang, "ui-unknown", &[]);
    for t in tallies {
        summary.sessions += t.sessions;
        summary.failed += t.failed;
        summary.warnings += t.warnings;
        summary.incomplete += t.incomplete;
        for (total, counted) in per_file.iter_mut().zip(&t.per_file) {
            total.add(counted);
        }
        for (lines, counted) in chunk_lines.iter_mut().zip(t.chunk_lines) {
            if counted.is_some() {
                *lines = counted;
            }
        }
        clients.merge(t.clients, |k| match k {
            ClientKey::Ip(ip) => ip.to_string(),
            ClientKey::Name(name) if name.is_empty() => unknown.clone(),
            ClientKey::Name(name) => name,
        });
        replies.merge(t.replies, |k| k);
        let mut other = t.seen;
        if other.len() > seen.len() {
            std::mem::swap(&mut seen, &mut other);
        }
        seen.extend(other);
        unseen_diagnoses += t.unseen_diagnoses;
        for f in t.findings {
            // a finding is shown as diagnosed for its first session in the files, as when one
            // thread reads them all
            match findings.iter_mut().find(|m| m.finding.id == f.finding.id) {
                Some(m) => {
                    let sessions = m.sessions + f.sessions;
                    if f.first < m.first {
                        *m = f;
                    }
                    m.sessions = sessions;
                }
                None => findings.push(f),
            }
        }
        first_seen = [first_seen, t.first_seen].into_iter().flatten().min_by(|a, b| a.0.cmp(&b.0));
        last_seen = [last_seen, t.last_seen].into_iter().flatten().max_by(|a, b| a.0.cmp(&b.0));
        wanted += t.wanted;
        listings.push(t.listed);
    }
    // the lines of split logs, numbered by chunk until now
    let line_of = move |file: usize, number: u64| match chunk_lines.get(file) {
        Some(Some(lines)) => lines.line(number),
        _ => number,
    };
    summary.diagnoses = seen.len() as u64 + unseen_diagnoses;
    // most frequent first; errors before warnings before info at equal counts; then in the
    // order they first appeared
    findings.sort_by(|a, b| {
        b.sessions.cmp(&a.sessions).then(rank(&a.finding).cmp(&rank(&b.finding))).then(a.first.cmp(&b.first))
    });
    let findings = findings
        .into_iter()
        .map(|f| {
            let (id, first) = &f.session;
            FindingCount {
                sessions: f.sessions,
                first_session: renumbered_id(id, *first, line_of(f.first.0.0, *first)),
                finding: f.finding,
            }
        })
        .collect();
    (summary.top_clients, summary.other_clients) = top(clients);
    (summary.top_replies, summary.other_replies) = top(replies);
    summary.first_seen = first_seen.map(|s| String::from_utf8_lossy(&s.1).into_owned());
    summary.last_seen = last_seen.map(|s| String::from_utf8_lossy(&s.1).into_owned());
    let listed = Listed::new(listings, args.limit, files.to_vec(), Box::new(line_of))?;
    let not_listed = wanted - listed.len() as u64;
    Ok(Merged { summary, findings, listed, not_listed, per_file })
}

fn rank(f: &Finding) -> u8 {
    match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// The ten counted most, and how many sessions the others had.
fn top(counts: Top<String>) -> (Vec<Count>, u64) {
    let (top, others) = counts.top(10);
    (top.into_iter().map(|c| Count { key: c.key, sessions: c.count }).collect(), others)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `bytes` with its number, as [`each_line`] gives them; how many there were
    /// and how many were cut.
    fn lines_of(bytes: &[u8], before: u64, out: &mut Vec<(u64, Vec<u8>)>) -> (u64, u64) {
        each_line(bytes, before, |n, l| out.push((n, l.to_vec())))
    }

    #[test]
    fn ranges_read_at_their_offsets_give_the_lines_of_the_whole_file() {
        // lines short and empty, CRLF, one longer than a line may be, one longer than several
        // ranges, and no newline at the end
        let mut bytes = b"a\n\nbb\r\nccc\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        bytes.extend(b"\nd\n");
        bytes.extend(std::iter::repeat_n(b'y', 3 * MAX_LINE));
        bytes.extend(b"\ne\nlast");
        let path = std::env::temp_dir().join(format!("mailprobe-lines-at-{}", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mut whole = Vec::new();
        let (lines, cut) = lines_of(&bytes, 0, &mut whole);
        assert_eq!((lines, cut), (9, 2));
        let size = bytes.len() as u64;
        for step in
            [1, 2, 3, 5, 64, 4096, MAX_LINE as u64 - 1, MAX_LINE as u64 + 1, 2 * MAX_LINE as u64, size]
        {
            let mut at = LinesAt::default();
            let (mut ranged, mut counted, mut there) = (Vec::new(), (0, 0), 0);
            let mut before = ChunkLines::default();
            for (seq, start) in (0..size).step_by(usize::try_from(step).unwrap()).enumerate() {
                let (chunk, n) = at.read(&file, start..(start + step).min(size)).unwrap();
                there += n;
                before.0.push(counted.0);
                let (l, c) = lines_of(chunk, chunk_start(seq as u64), &mut ranged);
                counted = (counted.0 + l, counted.1 + c);
            }
            assert_eq!(there, size, "ranges of {step}");
            assert_eq!(counted, (lines, cut), "ranges of {step}");
            // numbered by chunk, the lines are the file's once renumbered
            let renumbered: Vec<(u64, Vec<u8>)> =
                ranged.into_iter().map(|(n, l)| (before.line(n), l)).collect();
            assert!(renumbered == whole, "ranges of {step}");
        }
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn ids_follow_their_first_line() {
        assert_eq!(renumbered_id("postfix/smtpd[7]:4294967298", 4_294_967_298, 120), "postfix/smtpd[7]:120");
        // an id that does not end with the line stays as it is
        assert_eq!(renumbered_id("session 3", 3, 9), "session 3");
        assert_eq!(renumbered_id("x:13", 3, 9), "x:13");
    }
}
