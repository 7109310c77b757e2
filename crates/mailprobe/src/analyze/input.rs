//! Reading `analyze`'s inputs: files or standard input, gzip'd or not (by the magic bytes), the
//! format detected from the first 64 KiB, and the bytes cut into chunks of whole lines that
//! every parsing thread receives. Runs on its own thread; chunk buffers are reused once every
//! thread is done with them, so memory stays bounded whatever the file size.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::mpsc::SyncSender;

use anyhow::{Context as _, Result};
use flate2::read::MultiGzDecoder;
use mailprobe_logs::analyze::{self, DETECT_BYTES, LogFormat};

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

/// What the parsing threads receive, in order.
pub enum Feed {
    /// A new file starts, to be read as `format`.
    File { index: usize, format: LogFormat },
    /// The file's next lines.
    Chunk(Arc<Chunk>),
    /// The file ended.
    End,
}

/// Reads every source in turn and feeds it to every parsing thread; returns each file's
/// totals as far as the reader knows them (name, format, gzip, bytes).
pub fn read_all(
    sources: Vec<Source>,
    forced: Option<LogFormat>,
    workers: &[SyncSender<Feed>],
) -> Result<Vec<InputSummary>> {
    let mut pool = Pool::default();
    let mut inputs = Vec::new();
    for (index, source) in sources.into_iter().enumerate() {
        let name = source.name.clone();
        let summary = read_one(index, source, forced, workers, &mut pool)
            .with_context(|| format!("cannot read {name}"))?;
        inputs.push(summary);
    }
    Ok(inputs)
}

/// Sends `feed` to every worker; false when they are gone.
fn broadcast(workers: &[SyncSender<Feed>], feed: impl Fn() -> Feed) -> bool {
    workers.iter().all(|w| w.send(feed()).is_ok())
}

fn read_one(
    index: usize,
    source: Source,
    forced: Option<LogFormat>,
    workers: &[SyncSender<Feed>],
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
    if !broadcast(workers, || Feed::File { index, format }) {
        return Ok(summary);
    }
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
            if !broadcast(workers, || Feed::Chunk(Arc::clone(&sent))) {
                return Ok(summary);
            }
        }
        if eof {
            break;
        }
    }
    broadcast(workers, || Feed::End);
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
