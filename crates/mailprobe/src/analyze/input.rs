//! Reading `analyze`'s inputs: files or standard input, gzip'd or not (by the magic bytes), the
//! format detected from the first 64 KiB, and the bytes cut into chunks of whole lines, their
//! lines counted. A chunk of a log that can be split goes to whichever parsing thread is free;
//! any other chunk goes, in order, to the one thread that reads such logs whole. Chunk buffers
//! are reused once their reader is done with them, so memory stays bounded whatever the size.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::mpsc::SyncSender;

use anyhow::{Context as _, Result};
use flate2::read::MultiGzDecoder;
use mailprobe_logs::analyze::{self, DETECT_BYTES, Edges, LogFormat};

use super::InputSummary;

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
}

/// The name shown for `file` (`-` stays `-`).
pub fn shown_name(file: &str) -> String {
    file.to_owned()
}

impl Source {
    /// Opens `file` (`-`: standard input).
    pub fn open(file: &str) -> Result<Self> {
        let reader: Box<dyn Read + Send> = if file == "-" {
            Box::new(io::stdin())
        } else {
            let f = File::open(file).with_context(|| format!("cannot open {file}"))?;
            if f.metadata().is_ok_and(|m| m.is_dir()) {
                anyhow::bail!("{file} is a directory");
            }
            Box::new(f)
        };
        Ok(Self { name: shown_name(file), reader })
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
    /// Lines of the file before the chunk.
    pub before: u64,
    pub chunk: Arc<Chunk>,
}

/// What the thread that works in file order receives: from the reader, each file's start,
/// end and (for a log that cannot be split) its chunks; from the parsing threads, the edges of
/// each chunk they read.
pub enum InOrder {
    /// A file starts, to be read as `format`.
    File { index: usize, format: LogFormat },
    /// The next lines of a file that cannot be split; `before` lines came before them.
    Chunk { file: usize, before: u64, chunk: Arc<Chunk> },
    /// What of chunk `seq` of `file` its parsing thread could not finish.
    Edges { file: usize, seq: u64, edges: Edges },
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
/// the reader knows them (name, format, gzip, bytes, lines).
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

/// Lines in `bytes`, as the parsing threads split them: one per `\n`, and a last one without.
fn lines_in(bytes: &[u8]) -> u64 {
    let ends = memchr::memchr_iter(b'\n', bytes).count() as u64;
    ends + u64::from(bytes.last().is_some_and(|&b| b != b'\n'))
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
            let lines = lines_in(sent.bytes());
            let (before, sent) = (summary.lines, Arc::new(sent));
            summary.lines += lines;
            pool.keep(&sent);
            let gone = if split {
                seq += 1;
                let job = Job { file: index, format, seq: seq - 1, before, chunk: sent };
                to.jobs.send(job).is_err()
            } else {
                to.ordered.send(InOrder::Chunk { file: index, before, chunk: sent }).is_err()
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

/// Reads until `buf` is full or the stream ends; the bytes read.
fn fill(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
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
