//! Reading `analyze`'s inputs: files or standard input, gzip'd or not (by the magic bytes), the
//! format detected from the first 64 KiB. A plain file of a log that can be split is cut into
//! byte ranges that the parsing threads read themselves, each at its offset: the bytes are
//! copied once, by the thread that parses them, while they are in its cache. Any other input is
//! read here and cut into chunks of whole lines: a chunk of a log that can be split goes to
//! whichever parsing thread is free, any other chunk, in order, to the one thread that reads
//! such logs whole. Chunk buffers are reused once their reader is done with them, so memory
//! stays bounded whatever the size.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::SyncSender;

use anyhow::{Context as _, Result};
use flate2::read::MultiGzDecoder;
use mailprobe_logs::analyze::{self, DETECT_BYTES, Edges, LogFormat};

use super::InputSummary;

use crate::read_at::ReadAt as _;

/// The longest line kept whole; longer lines are cut (a log line is never this long, a binary
/// file's "line" may be anything).
pub const MAX_LINE: usize = 64 * 1024;
/// Bytes per chunk: big enough that passing one to the parsing threads costs nothing next to
/// reading it, small enough that a few in flight hold little memory.
const CHUNK: usize = 1 << 20;
/// Chunk buffers kept for reuse.
const POOL: usize = 16;

/// An input to read: its name and the opened stream.
pub struct Source {
    name: String,
    reader: Box<dyn Read + Send>,
    /// A regular file, which can be read at any offset.
    file: Option<Arc<File>>,
}

/// The name shown for `file` (`-` stays `-`).
pub fn shown_name(file: &str) -> String {
    file.to_owned()
}

impl Source {
    /// Opens `file` (`-`: standard input).
    pub fn open(file: &str) -> Result<Self> {
        if file == "-" {
            return Ok(Self { name: shown_name(file), reader: Box::new(io::stdin()), file: None });
        }
        let f = File::open(file).with_context(|| format!("cannot open {file}"))?;
        let meta = f.metadata().with_context(|| format!("cannot open {file}"))?;
        if meta.is_dir() {
            anyhow::bail!("{file} is a directory");
        }
        // a pipe or a device is read as a stream; only a regular file has offsets to read at
        let at = meta
            .is_file()
            .then(|| f.try_clone())
            .transpose()
            .with_context(|| format!("cannot open {file}"))?;
        Ok(Self { name: shown_name(file), reader: Box::new(f), file: at.map(Arc::new) })
    }
}

/// Whole lines of one file: every line ends with `\n`, except the file's last when the file
/// does not end with one.
pub struct Chunk {
    bytes: Vec<u8>,
    len: usize,
}

impl Chunk {
    /// The lines' bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// A chunk of a log that can be split, for any parsing thread.
pub struct Job {
    /// The file's index.
    pub file: usize,
    pub format: LogFormat,
    /// The chunk's place in the file: 0, 1, ...
    pub seq: u64,
    pub lines: JobLines,
}

/// Where a chunk's lines are.
pub enum JobLines {
    /// Read already.
    Read(Arc<Chunk>),
    /// The lines that start in this byte range of the file, to be read ([`LinesAt`]).
    At(Arc<File>, Range<u64>),
}

/// What the thread that works in file order receives: from the reader, each file's start,
/// end and (for a log that cannot be split) its chunks; from the parsing threads, the edges of
/// each chunk they read.
pub enum InOrder {
    /// A file starts, to be read as `format`.
    File { index: usize, format: LogFormat },
    /// The next lines of a file that cannot be split.
    Chunk { file: usize, chunk: Arc<Chunk> },
    /// What of chunk `seq` of `file` its parsing thread could not finish, and how many lines
    /// the chunk had.
    Edges { file: usize, seq: u64, edges: Edges, lines: u64 },
    /// The file ended after `chunks` chunks sent to the parsing threads.
    End { file: usize, chunks: u64 },
}

/// Where the reader sends what it reads.
pub struct Outlets<'a> {
    /// Chunks of logs that can be split, to the parsing threads.
    pub jobs: &'a SyncSender<Job>,
    /// Everything else, to the thread that works in file order.
    pub ordered: &'a SyncSender<InOrder>,
}

/// Reads every source in turn and sends its chunks on; returns each file's totals as far as
/// the reader knows them (name, format, gzip, and the bytes it read itself).
pub fn read_all(
    sources: Vec<Source>,
    forced: Option<LogFormat>,
    to: &Outlets<'_>,
) -> Result<Vec<InputSummary>> {
    let mut pool = Pool::default();
    let mut inputs = Vec::new();
    for (index, source) in sources.into_iter().enumerate() {
        let name = source.name.clone();
        let summary =
            read_one(index, source, forced, to, &mut pool).with_context(|| format!("cannot read {name}"))?;
        inputs.push(summary);
    }
    Ok(inputs)
}

fn read_one(
    index: usize,
    source: Source,
    forced: Option<LogFormat>,
    to: &Outlets<'_>,
    pool: &mut Pool,
) -> Result<InputSummary> {
    // small: reads of a chunk's size then go straight into the chunk, not through this buffer
    let mut raw = BufReader::with_capacity(64 * 1024, source.reader);
    let gzip = raw.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn Read> = if gzip { Box::new(MultiGzDecoder::new(raw)) } else { Box::new(raw) };
    let mut chunk = pool.take();
    // the head, for detection: up to 64 KiB, whatever the stream's chunking
    chunk.len = fill(&mut reader, &mut chunk.bytes[..DETECT_BYTES])?;
    let detected = if forced.is_none() { analyze::detect(chunk.bytes()) } else { None };
    let format = forced.or(detected).unwrap_or(LogFormat::Dialogue);
    let mut summary = InputSummary {
        file: source.name,
        format,
        detected: detected.is_some(),
        gzip,
        lines: 0,
        bytes: chunk.len as u64,
        sessions: 0,
        long_lines_cut: 0,
    };
    if to.ordered.send(InOrder::File { index, format }).is_err() {
        return Ok(summary);
    }
    let split = format.can_split();
    if split
        && !gzip
        && let Some(file) = source.file
    {
        // the parsing threads read it: nothing more here than cutting it into ranges
        summary.bytes = 0;
        let size = file.metadata()?.len();
        let mut seq = 0;
        for start in (0..size).step_by(CHUNK) {
            let range = start..(start + CHUNK as u64).min(size);
            let job = Job { file: index, format, seq, lines: JobLines::At(Arc::clone(&file), range) };
            if to.jobs.send(job).is_err() {
                return Ok(summary);
            }
            seq += 1;
        }
        let _ = to.ordered.send(InOrder::End { file: index, chunks: seq });
        return Ok(summary);
    }
    let mut seq = 0;
    // inside a line longer than a whole chunk: its start was sent, the rest is dropped
    let mut skipping = false;
    loop {
        let read = fill(&mut reader, &mut chunk.bytes[chunk.len..CHUNK])?;
        summary.bytes += read as u64;
        let end = chunk.len + read;
        let eof = read == 0 || end < CHUNK;
        let mut start = 0;
        if skipping {
            match memchr::memchr(b'\n', &chunk.bytes[..end]) {
                Some(i) => {
                    skipping = false;
                    start = i + 1;
                }
                None => {
                    chunk.len = 0;
                    if eof {
                        break;
                    }
                    continue;
                }
            }
        }
        // whole lines go now; a line cut by the chunk's end starts the next chunk
        let cut = if eof {
            end
        } else {
            memchr::memrchr(b'\n', &chunk.bytes[start..end]).map_or(start, |i| start + i + 1)
        };
        let mut next = pool.take();
        if cut == 0 && !eof {
            // no line ends in a whole chunk: keep the line's start, drop the rest (one byte
            // more than a line may have, so the parsing thread counts the line as cut)
            chunk.bytes[MAX_LINE + 1] = b'\n';
            chunk.len = MAX_LINE + 2;
            skipping = true;
        } else {
            let rest = end - cut;
            next.bytes[..rest].copy_from_slice(&chunk.bytes[cut..end]);
            next.len = rest;
            if start > 0 {
                chunk.bytes.copy_within(start..cut, 0);
            }
            chunk.len = cut - start;
        }
        let sent = std::mem::replace(&mut chunk, next);
        if sent.len > 0 {
            let sent = Arc::new(sent);
            pool.keep(&sent);
            let gone = if split {
                seq += 1;
                let job = Job { file: index, format, seq: seq - 1, lines: JobLines::Read(sent) };
                to.jobs.send(job).is_err()
            } else {
                to.ordered.send(InOrder::Chunk { file: index, chunk: sent }).is_err()
            };
            if gone {
                return Ok(summary);
            }
        }
        if eof {
            break;
        }
    }
    // (the threads being gone is reported by whoever stopped them)
    let _ = to.ordered.send(InOrder::End { file: index, chunks: seq });
    Ok(summary)
}

/// A parsing thread's reader of byte ranges of files, its buffer reused range after range.
#[derive(Default)]
pub struct LinesAt {
    buf: Vec<u8>,
}

impl LinesAt {
    /// The lines that start in `range` of `file`: from the first line start in it (the line
    /// the range's start cuts belongs to the range before) to the end of the line its end cuts,
    /// of which at most [`MAX_LINE`] + 1 bytes (any more is cut anyway). Also the bytes of the
    /// range there were (fewer than asked if the file was cut short meanwhile).
    pub fn read(&mut self, file: &File, range: Range<u64>) -> io::Result<(&[u8], u64)> {
        // one byte before the range tells whether a line starts with it
        let from = range.start.saturating_sub(1);
        let len = usize::try_from(range.end - from).map_err(io::Error::other)?;
        self.buf.resize(len, 0);
        let n = fill_at(file, &mut self.buf, from)?;
        self.buf.truncate(n);
        let there = (from + n as u64).min(range.end).saturating_sub(range.start);
        let first = if range.start == 0 { 0 } else { memchr::memchr(b'\n', &self.buf).map_or(n, |i| i + 1) };
        if first >= n {
            return Ok((&[], there));
        }
        if n == len && self.buf.last() != Some(&b'\n') {
            // the last line goes on past the range: read on to its end
            let start = memchr::memrchr(b'\n', &self.buf[first..]).map_or(first, |i| first + i + 1);
            while self.buf.len() - start <= MAX_LINE {
                let old = self.buf.len();
                let want = (MAX_LINE + 1 - (old - start)).min(16 * 1024);
                self.buf.resize(old + want, 0);
                let k = fill_at(file, &mut self.buf[old..], from + old as u64)?;
                self.buf.truncate(old + k);
                if let Some(i) = memchr::memchr(b'\n', &self.buf[old..]) {
                    self.buf.truncate(old + i + 1);
                    break;
                }
                if k < want {
                    break;
                }
            }
        }
        Ok((&self.buf[first..], there))
    }
}

/// Reads `buf.len()` bytes of `file` from `offset`, fewer where the file ends; the bytes read.
fn fill_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    fill_by(buf, |done, rest| file.read_at(rest, offset + done as u64))
}

/// Reads until `buf` is full or the stream ends; the bytes read.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    fill_by(buf, |_, rest| reader.read(rest))
}

/// Fills `buf` by calls of `read` (given the bytes read so far and the rest of `buf`) until it
/// is full or `read` gives nothing more; the bytes read.
fn fill_by(buf: &mut [u8], mut read: impl FnMut(usize, &mut [u8]) -> io::Result<usize>) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match read(n, &mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Chunk buffers sent earlier, reused once no thread holds them any more.
#[derive(Default)]
struct Pool {
    sent: Vec<Arc<Chunk>>,
}

impl Pool {
    fn take(&mut self) -> Chunk {
        let free = self.sent.iter().position(|c| Arc::strong_count(c) == 1);
        if let Some(i) = free
            && let Ok(mut chunk) = Arc::try_unwrap(self.sent.swap_remove(i))
        {
            chunk.len = 0;
            return chunk;
        }
        Chunk { bytes: vec![0; CHUNK], len: 0 }
    }

    fn keep(&mut self, chunk: &Arc<Chunk>) {
        if self.sent.len() >= POOL {
            // forget the oldest: it is freed by whichever thread drops it last
            self.sent.remove(0);
        }
        self.sent.push(Arc::clone(chunk));
    }
}
