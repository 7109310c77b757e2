//! Reading `analyze`'s inputs: files or standard input, gzip'd or not (by the magic bytes),
//! split into lines with a bounded buffer, the format detected from the first 64 KiB, and every
//! line handed to that format's parser. Runs on its own thread.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::mpsc::SyncSender;

use anyhow::{Context as _, Result};
use flate2::read::MultiGzDecoder;
use mailprobe_logs::analyze::{self, DETECT_BYTES, LogFormat, LogSession};

use super::{Batch, InputSummary};

/// The longest line kept whole; longer lines are cut (a log line is never this long, a binary
/// file's "line" may be anything).
const MAX_LINE: usize = 64 * 1024;
/// Sessions sent to the diagnosing thread at once.
const BATCH: usize = 256;
/// Read buffer size.
const BUFFER: usize = 1 << 20;

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

/// Reads every source in turn, sending sessions and, per file, its totals.
pub fn read_all(
    sources: Vec<Source>,
    forced: Option<LogFormat>,
    tx: &SyncSender<Result<Batch>>,
) -> Result<()> {
    for (index, source) in sources.into_iter().enumerate() {
        let name = source.name.clone();
        match read_one(index, source, forced, tx) {
            Ok(summary) => {
                if tx.send(Ok(Batch::Done(summary))).is_err() {
                    return Ok(());
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e.context(format!("cannot read {name}"))));
                return Ok(());
            }
        }
    }
    Ok(())
}

fn read_one(
    index: usize,
    source: Source,
    forced: Option<LogFormat>,
    tx: &SyncSender<Result<Batch>>,
) -> Result<InputSummary> {
    let mut raw = BufReader::with_capacity(BUFFER, source.reader);
    let gzip = raw.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let mut reader: Box<dyn BufRead> = if gzip {
        Box::new(BufReader::with_capacity(BUFFER, MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    // the head, for detection: up to 64 KiB, whatever the stream's chunking
    let mut head = Vec::with_capacity(DETECT_BYTES);
    (&mut reader).take(DETECT_BYTES as u64).read_to_end(&mut head)?;
    let detected = if forced.is_none() { analyze::detect(&head) } else { None };
    let format = forced.or(detected).unwrap_or(LogFormat::Dialogue);
    let mut summary = InputSummary {
        file: source.name,
        format,
        detected: detected.is_some(),
        gzip,
        lines: 0,
        bytes: 0,
        sessions: 0,
        long_lines_cut: 0,
    };
    let mut parser = analyze::parser_for(format);
    let mut out: Vec<LogSession> = Vec::new();
    // a line split across buffer refills (or cut at MAX_LINE) is gathered here; whole lines are
    // parsed straight from the read buffer
    let mut partial: Vec<u8> = Vec::new();
    let mut cut = false;
    let mut chained = io::Cursor::new(head).chain(reader);
    let mut feed = |line: &[u8], summary: &mut InputSummary, out: &mut Vec<LogSession>| {
        summary.lines += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        parser.line(summary.lines, line, out);
    };
    loop {
        let buf = match chained.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if buf.is_empty() {
            break;
        }
        let len = buf.len();
        summary.bytes += len as u64;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', buf) {
            if partial.is_empty() && !cut {
                feed(&buf[start..end], &mut summary, &mut out);
            } else {
                keep(&mut partial, &buf[start..end], &mut cut);
                summary.long_lines_cut += u64::from(cut);
                feed(&partial, &mut summary, &mut out);
                partial.clear();
                cut = false;
            }
            start = end + 1;
        }
        keep(&mut partial, &buf[start..], &mut cut);
        chained.consume(len);
        if out.len() >= BATCH {
            summary.sessions += out.len() as u64;
            if tx.send(Ok(Batch::Sessions(index, std::mem::take(&mut out)))).is_err() {
                return Ok(summary);
            }
        }
    }
    if !partial.is_empty() {
        summary.long_lines_cut += u64::from(cut);
        feed(&partial, &mut summary, &mut out);
    }
    parser.finish(&mut out);
    summary.sessions += out.len() as u64;
    if !out.is_empty() {
        let _ = tx.send(Ok(Batch::Sessions(index, out)));
    }
    Ok(summary)
}

/// Appends `bytes` to a partial line, keeping at most [`MAX_LINE`] bytes (`cut` says it lost some).
fn keep(partial: &mut Vec<u8>, bytes: &[u8], cut: &mut bool) {
    let room = MAX_LINE.saturating_sub(partial.len());
    if bytes.len() > room {
        *cut = true;
    }
    partial.extend_from_slice(&bytes[..bytes.len().min(room)]);
}
