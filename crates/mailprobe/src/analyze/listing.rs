//! The sessions `analyze` lists, kept out of memory until the report is written.
//!
//! A report lists its sessions after the summary, which is known only once every log is read,
//! and in file order, while the parsing threads finish sessions in whichever order they read
//! them. So each thread writes each session it may list, as soon as it is counted, to a spill
//! of its own — a few MiB in memory, then an unnamed temporary file — and the report reads
//! them back at the end, merged in file order, one at a time ([`Listed`]). Memory stays
//! bounded whatever `--limit` (issue 17, item 9); the file is as big as the sessions listed.
//!
//! A thread's sessions come out in file order, but for the thread working in file order,
//! which may finish a file read whole while it still stitches an earlier file's chunks: its
//! sessions make a few runs, each in order. Each run keeps at most `--limit` sessions (its
//! first, so its smallest), which is all the merge can take from it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, Write as _};

use anyhow::{Context as _, Result};
use mailprobe_logs::analyze::{LogFormat, SessionMeta};
use mailprobe_proto::{Event, Step};
use serde::{Deserialize, Serialize};

use super::tally::Order;
use super::{SessionFinding, SessionReport};

use crate::read_at::ReadAt as _;

/// Spilled bytes a thread holds in memory before they go to the file.
const IN_MEMORY: usize = 1 << 20;
/// What a run's reader reads at a time.
const READ_AHEAD: usize = 64 << 10;
/// A record's head: its order (file, line, reader, place) and the length of what follows.
const HEAD: usize = 8 + 8 + 1 + 8 + 4;

/// One thread's sessions to list.
pub struct Listing {
    limit: usize,
    runs: Vec<Run>,
    /// The order of the last session offered.
    last: Option<Order>,
    spill: Spill,
    /// Writing the spill failed: nothing more is kept, and the report says why.
    failed: Option<io::Error>,
}

/// Sessions in order, and where their records are in the spill.
#[derive(Clone, Copy)]
struct Run {
    start: u64,
    end: u64,
    kept: usize,
}

impl Listing {
    /// At most `limit` sessions of each run.
    pub fn new(limit: usize) -> Self {
        Self { limit, runs: Vec::new(), last: None, spill: Spill::default(), failed: None }
    }

    /// A session to list came out at `order`: whether it is kept (then [`Listing::keep`] it).
    pub fn offer(&mut self, order: Order) -> bool {
        if self.limit == 0 || self.failed.is_some() {
            return false;
        }
        if self.last.is_none_or(|last| order < last) {
            let at = self.spill.len();
            self.runs.push(Run { start: at, end: at, kept: 0 });
        }
        self.last = Some(order);
        self.runs.last().is_some_and(|r| r.kept < self.limit)
    }

    /// Keeps the session offered last.
    pub fn keep(&mut self, order: Order, session: &Stored) {
        let Some(run) = self.runs.last_mut() else { return };
        let mut record = Vec::with_capacity(1024);
        record.extend_from_slice(&[0; HEAD]);
        if let Err(e) = serde_json::to_writer(&mut record, session) {
            self.failed = Some(io::Error::other(e));
            return;
        }
        let (file, line, reader, place) = order;
        let len = u32::try_from(record.len() - HEAD).unwrap_or(u32::MAX);
        record[..8].copy_from_slice(&(file as u64).to_le_bytes());
        record[8..16].copy_from_slice(&line.to_le_bytes());
        record[16] = reader;
        record[17..25].copy_from_slice(&place.to_le_bytes());
        record[25..HEAD].copy_from_slice(&len.to_le_bytes());
        match self.spill.write(&record) {
            Ok(()) => {
                run.kept += 1;
                run.end = self.spill.len();
            }
            Err(e) => self.failed = Some(e),
        }
    }

    /// Why sessions could not be kept, if they could not.
    pub fn failed(&mut self) -> Option<io::Error> {
        self.failed.take()
    }
}

/// Bytes written in order: the first ones in an unnamed temporary file, the last in memory.
#[derive(Default)]
struct Spill {
    file: Option<File>,
    /// Bytes in the file.
    in_file: u64,
    buf: Vec<u8>,
}

impl Spill {
    fn len(&self) -> u64 {
        self.in_file + self.buf.len() as u64
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() < IN_MEMORY {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(temporary_file()?),
        };
        file.write_all(&self.buf)?;
        self.in_file += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Fills `out` with the bytes from `at` (all there: the caller reads within a run).
    fn read_at(&self, at: u64, out: &mut [u8]) -> io::Result<()> {
        let mut done = 0;
        if at < self.in_file {
            let from_file = usize::try_from(self.in_file - at).unwrap_or(usize::MAX).min(out.len());
            let file = self.file.as_ref().ok_or_else(|| io::Error::other("spill file missing"))?;
            file.read_exact_at(&mut out[..from_file], at)?;
            done = from_file;
            if done == out.len() {
                return Ok(());
            }
        }
        let rest = out.len() - done;
        let start = usize::try_from(at + done as u64 - self.in_file).map_err(io::Error::other)?;
        let there = self.buf.get(start..start + rest).ok_or_else(|| io::Error::other("spill cut short"))?;
        out[done..].copy_from_slice(there);
        Ok(())
    }
}

/// A new file in the temporary directory, unlinked at once: it goes when the process does,
/// however it ends.
fn temporary_file() -> io::Result<File> {
    let dir = std::env::temp_dir();
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    for attempt in 0..16u32 {
        let path = dir.join(format!(".mailprobe-analyze-{}-{nanos:x}-{attempt}", std::process::id()));
        match std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
            Ok(file) => {
                std::fs::remove_file(&path)?;
                return Ok(file);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create a temporary file in {} for the sessions to list: {e}",
                        dir.display()
                    ),
                ));
            }
        }
    }
    Err(io::Error::other(format!("cannot create a temporary file in {}", dir.display())))
}

/// A session to list as the spill holds it: its line numbers still those the parsing thread
/// gave it (numbered by chunk), its file not yet named.
#[derive(Serialize, Deserialize)]
pub struct Stored {
    format: String,
    meta: SessionMeta,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped_at: Option<Step>,
    findings: Vec<SessionFinding>,
    steps: Vec<Step>,
    events: Vec<Event>,
}

impl Stored {
    /// A session as the spill keeps it.
    pub fn new(
        format: LogFormat,
        meta: SessionMeta,
        stopped_at: Option<Step>,
        findings: Vec<SessionFinding>,
        steps: Vec<Step>,
        events: Vec<Event>,
    ) -> Self {
        Self { format: format.name().to_owned(), meta, stopped_at, findings, steps, events }
    }

    fn report(self, file: String) -> Result<SessionReport> {
        let format = self.format.parse().with_context(|| format!("unknown format {:?}", self.format))?;
        Ok(SessionReport {
            file,
            format,
            meta: self.meta,
            stopped_at: self.stopped_at,
            findings: self.findings,
            steps: self.steps,
            events: self.events,
        })
    }
}

/// Every thread's sessions to list, read back merged in file order: at most `limit`.
pub struct Listed {
    spills: Vec<Spill>,
    cursors: Vec<Cursor>,
    next: BinaryHeap<Reverse<(Order, usize)>>,
    left: usize,
    /// How many will be read.
    count: usize,
    /// The name of each file and how each file's line numbers are made the file's own.
    files: Vec<String>,
    renumber: Box<dyn Fn(usize, u64) -> u64>,
}

/// Where one run is read.
struct Cursor {
    spill: usize,
    at: u64,
    end: u64,
    /// The bytes from `buf_at`.
    buf: Vec<u8>,
    buf_at: u64,
}

impl Cursor {
    /// `n` bytes from `at` (within the run).
    fn bytes<'a>(&'a mut self, spills: &[Spill], at: u64, n: usize) -> io::Result<&'a [u8]> {
        let have = at >= self.buf_at && at + n as u64 <= self.buf_at + self.buf.len() as u64;
        if !have {
            let want = usize::try_from(self.end - at).unwrap_or(usize::MAX).min(n.max(READ_AHEAD));
            self.buf.resize(want, 0);
            spills[self.spill].read_at(at, &mut self.buf)?;
            self.buf_at = at;
        }
        let start = usize::try_from(at - self.buf_at).map_err(io::Error::other)?;
        Ok(&self.buf[start..start + n])
    }

    /// The order of the next record, and its length; `None` at the run's end.
    fn head(&mut self, spills: &[Spill]) -> io::Result<Option<(Order, usize)>> {
        if self.at >= self.end {
            return Ok(None);
        }
        let h = self.bytes(spills, self.at, HEAD)?;
        let u64_at = |i: usize| u64::from_le_bytes(h[i..i + 8].try_into().unwrap_or_default());
        let file = usize::try_from(u64_at(0)).map_err(io::Error::other)?;
        let order = (file, u64_at(8), h[16], u64_at(17));
        let len = u32::from_le_bytes(h[25..HEAD].try_into().unwrap_or_default());
        Ok(Some((order, len as usize)))
    }
}

impl Listed {
    /// The threads' listings, merged; `renumber(file, line)` gives a line its number in the file.
    pub fn new(
        listings: Vec<Listing>,
        limit: usize,
        files: Vec<String>,
        renumber: Box<dyn Fn(usize, u64) -> u64>,
    ) -> Result<Self> {
        let mut listed = Self {
            spills: Vec::new(),
            cursors: Vec::new(),
            next: BinaryHeap::new(),
            left: 0,
            count: 0,
            files,
            renumber,
        };
        let mut kept = 0;
        for (spill, mut listing) in listings.into_iter().enumerate() {
            if let Some(e) = listing.failed() {
                return Err(anyhow::Error::new(e).context("cannot keep the sessions to list"));
            }
            for run in listing.runs.iter().filter(|r| r.kept > 0) {
                kept += run.kept;
                let cursor =
                    Cursor { spill, at: run.start, end: run.end, buf: Vec::new(), buf_at: run.start };
                listed.cursors.push(cursor);
            }
            listed.spills.push(listing.spill);
        }
        for (i, cursor) in listed.cursors.iter_mut().enumerate() {
            if let Some((order, _)) = cursor.head(&listed.spills)? {
                listed.next.push(Reverse((order, i)));
            }
        }
        listed.count = kept.min(limit);
        listed.left = listed.count;
        Ok(listed)
    }

    /// How many sessions are listed.
    pub fn len(&self) -> usize {
        self.count
    }

    /// The next session in file order.
    fn read_next(&mut self) -> Result<Option<SessionReport>> {
        if self.left == 0 {
            return Ok(None);
        }
        let Some(Reverse((order, i))) = self.next.pop() else { return Ok(None) };
        self.left -= 1;
        let cursor = &mut self.cursors[i];
        let Some((_, len)) = cursor.head(&self.spills)? else { return Ok(None) };
        let body = cursor.bytes(&self.spills, cursor.at + HEAD as u64, len)?;
        let stored: Stored = serde_json::from_slice(body).context("cannot read back a session to list")?;
        cursor.at += (HEAD + len) as u64;
        if let Some((next, _)) = cursor.head(&self.spills)? {
            self.next.push(Reverse((next, i)));
        }
        if cursor.at >= cursor.end {
            // read to its end: its buffer is not needed any more
            cursor.buf = Vec::new();
        }
        let file = order.0;
        let mut report = stored.report(self.files.get(file).cloned().unwrap_or_default())?;
        report.meta.renumber(|n| (self.renumber)(file, n));
        Ok(Some(report))
    }
}

impl Iterator for Listed {
    type Item = Result<SessionReport>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.read_next() {
            Ok(r) => r.map(Ok),
            Err(e) => {
                self.left = 0;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use mailprobe_logs::analyze::SessionMeta;

    use super::*;

    fn stored(id: &str, line: u64) -> Stored {
        let meta = SessionMeta {
            id: id.to_owned(),
            first_line: line,
            last_line: line + 1,
            ..SessionMeta::default()
        };
        Stored::new(LogFormat::Postfix, meta, None, Vec::new(), Vec::new(), Vec::new())
    }

    fn listed(listings: Vec<Listing>, limit: usize) -> Vec<String> {
        let files = vec!["a.log".to_owned(), "b.log".to_owned()];
        Listed::new(listings, limit, files, Box::new(|file, n| n + 1000 * file as u64))
            .unwrap()
            .map(|r| {
                let r = r.unwrap();
                format!("{}:{}:{}", r.file, r.meta.id, r.meta.first_line)
            })
            .collect()
    }

    /// Runs out of order within a thread and across threads come out in file order, each run
    /// cut at the limit; big enough to go through the temporary file.
    #[test]
    fn merged_in_file_order_through_the_file() {
        let (mut a, mut b) = (Listing::new(usize::MAX), Listing::new(usize::MAX));
        let mut expected = Vec::new();
        // thread a: file 0 lines 0, 2, 4..., then (a new run) file 0 lines 1, 5, 9...
        for line in (0..40_000u64).step_by(2) {
            assert!(a.offer((0, line, 0, 0)));
            a.keep((0, line, 0, 0), &stored(&format!("s{line}"), line));
        }
        for line in (1..40_000u64).step_by(4) {
            assert!(a.offer((0, line, 1, 0)));
            a.keep((0, line, 1, 0), &stored(&format!("s{line}"), line));
        }
        // thread b: lines 3, 7, 11... of file 0, then file 1
        for line in (3..40_000u64).step_by(4) {
            assert!(b.offer((0, line, 0, 0)));
            b.keep((0, line, 0, 0), &stored(&format!("s{line}"), line));
        }
        for line in 0..10u64 {
            assert!(b.offer((1, line, 0, 0)));
            b.keep((1, line, 0, 0), &stored(&format!("t{line}"), line));
        }
        assert!(a.spill.file.is_some(), "spilled to the file");
        for line in 0..40_000u64 {
            expected.push(format!("a.log:s{line}:{line}"));
        }
        for line in 0..10u64 {
            expected.push(format!("b.log:t{line}:{}", line + 1000));
        }
        assert_eq!(listed(vec![a, b], usize::MAX), expected);
    }

    /// `--limit`: each run keeps its first; the merge gives the smallest of all.
    #[test]
    fn the_limit_keeps_the_first_in_file_order() {
        let mut a = Listing::new(3);
        let mut kept = 0;
        for (line, reader) in [(10, 0), (11, 0), (12, 0), (13, 0), (1, 1), (2, 1), (14, 1), (15, 1)] {
            if a.offer((0, line, reader, 0)) {
                kept += 1;
                a.keep((0, line, reader, 0), &stored(&format!("s{line}"), line));
            }
        }
        assert_eq!(kept, 6, "two runs of three");
        assert_eq!(listed(vec![a], 4), ["a.log:s1:1", "a.log:s2:2", "a.log:s10:10", "a.log:s11:11"]);
    }
}
