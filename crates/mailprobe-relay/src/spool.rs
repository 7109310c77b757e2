//! The durable spool: Postfix's contract. A message is in a file that was written, `fsync`'d,
//! renamed into `queue/` and whose directory was `fsync`'d before [`Draft::commit`] (or
//! [`Spool::enqueue`], the same in one call) returns, so the device gets `250` only for mail
//! that survives a crash or a power cut; a crash before that leaves at most a file in `tmp/`,
//! removed at the next start (the device never got `250` and sends again).
//!
//! A message is written while it arrives ([`Spool::draft`]) and read while it is sent
//! ([`Spool::open_message`]), a chunk at a time: memory does not grow with a message's size. A
//! draft's header has its `size:` zero-padded to 20 digits and filled in at commit, in place;
//! files from before (no padding) read the same.
//!
//! Layout under the spool directory:
//! - `tmp/`: files being written; whatever is here at start is discarded.
//! - `queue/ID.msg`: a complete message, never changed: a header (format, id, arrival, sender,
//!   recipients, device, size), a blank line, the message's bytes, and an end mark. A file whose
//!   size or end mark does not fit its header is moved to `corrupt/`, never delivered half.
//! - `state/ID.state`: the delivery state (attempts, next attempt, last error, recipients done),
//!   replaced atomically (written in `tmp/`, synced, renamed, directory synced).
//! - `corrupt/`: files that cannot be read, kept for a person to look at.
//!
//! Delivery is at least once: a crash after the upstream's `250` and before [`Spool::remove`]
//! delivers that message again at the next start.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The first line of every spool file this version writes.
const MAGIC: &str = "MAILPROBE-SPOOL 1";
/// What ends a message file after its bytes.
const END: &[u8] = b"\nEND\n";
/// How much of a message file is read at a time while looking for the end of its header.
const HEADER_CHUNK: usize = 4096;
/// How much of a message [`MessageReader`] reads at a time.
const READ_CHUNK: usize = 64 * 1024;
/// No header is longer: [`MAX_RECIPIENTS`] lines of at most 998 bytes, and a few more.
const MAX_HEADER: usize = (MAX_RECIPIENTS + 8) * 1004;
/// The most recipients one message may carry (RFC 5321 asks servers to take at least 100).
pub const MAX_RECIPIENTS: usize = 1000;

/// A spool error: the device is told to try again later (4xx), nothing accepted is lost.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// A file or directory could not be read or written (disk full, permissions).
    #[error("spool {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A spool file does not hold what its header says (moved to `corrupt/`).
    #[error("spool file {path} is damaged: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// An envelope value would break the spool's line format (a line break in an address).
    #[error("refused envelope: {0}")]
    BadEnvelope(String),
    /// No message with this id is queued.
    #[error("no queued message {0}")]
    NotQueued(String),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io { path: path.to_owned(), source }
}

/// Who sent a message to whom, as the device gave it (after the relay's sender policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The envelope sender (`MAIL FROM`); empty for a bounce.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub to: Vec<String>,
    /// The device it came from (its configured name, or its address when it did not sign in).
    pub device: String,
}

/// A queued message's id: time-ordered, unique across restarts of one spool.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(String);

impl QueueId {
    /// A new id: microseconds since the epoch, the process id and a counter, in hexadecimal.
    fn new(now_micros: u128) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        Self(format!("{now_micros:014X}{:06X}{n:06X}", std::process::id() & 0xFF_FFFF))
    }

    /// An id given by a person (`relay queue delete ID`), if it has the form of one.
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 26 && text.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()))
            .then(|| Self(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for QueueId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A queued message's fixed facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedMessage {
    /// Its id.
    pub id: QueueId,
    /// Sender, recipients, device.
    pub envelope: Envelope,
    /// When it was accepted, seconds since the epoch.
    pub arrived: u64,
    /// The message's size in bytes.
    pub size: u64,
}

/// Where a queued message's delivery stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryState {
    /// Delivery attempts so far.
    pub attempts: u32,
    /// Not before this time (seconds since the epoch); 0: at once.
    pub next_attempt: u64,
    /// Why the last attempt failed: a finding id and its summary, one line.
    pub last_error: Option<String>,
    /// Recipients already delivered (a partial success is not sent twice).
    pub delivered: Vec<String>,
}

/// The spool directory.
#[derive(Debug)]
pub struct Spool {
    root: PathBuf,
}

impl Spool {
    /// Opens (creating) the spool at `root`: discards unfinished writes in `tmp/`, and moves
    /// state files without their message aside.
    pub fn open(root: &Path) -> Result<Self, SpoolError> {
        let spool = Self { root: root.to_owned() };
        for dir in ["tmp", "queue", "state", "corrupt"] {
            let path = root.join(dir);
            fs::create_dir_all(&path).map_err(io_err(&path))?;
        }
        let tmp = spool.dir("tmp");
        for entry in fs::read_dir(&tmp).map_err(io_err(&tmp))? {
            let path = entry.map_err(io_err(&tmp))?.path();
            fs::remove_file(&path).map_err(io_err(&path))?;
        }
        // A state whose message is gone: the message was delivered and removed first.
        let state = spool.dir("state");
        for entry in fs::read_dir(&state).map_err(io_err(&state))? {
            let path = entry.map_err(io_err(&state))?.path();
            let Some(id) = path.file_stem().and_then(|s| s.to_str()).and_then(QueueId::parse) else {
                continue;
            };
            if !spool.message_path(&id).exists() {
                fs::remove_file(&path).map_err(io_err(&path))?;
            }
        }
        sync_dir(&state)?;
        Ok(spool)
    }

    /// Opens a spool another process (the running relay) uses, without the start-up recovery
    /// of [`Spool::open`]: its `tmp/` may hold messages being written right now. For `relay
    /// queue` commands.
    pub fn attach(root: &Path) -> Result<Self, SpoolError> {
        let queue = root.join("queue");
        if !queue.is_dir() {
            return Err(SpoolError::Io {
                path: queue,
                source: io::Error::new(io::ErrorKind::NotFound, "not a spool (no queue/ directory)"),
            });
        }
        Ok(Self { root: root.to_owned() })
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn message_path(&self, id: &QueueId) -> PathBuf {
        self.dir("queue").join(format!("{id}.msg"))
    }

    fn state_path(&self, id: &QueueId) -> PathBuf {
        self.dir("state").join(format!("{id}.state"))
    }

    /// Stores a message durably; only when this returns `Ok` may the device get `250`.
    pub fn enqueue(
        &self,
        envelope: &Envelope,
        message: &[u8],
        now_micros: u128,
    ) -> Result<QueueId, SpoolError> {
        let mut draft = self.draft(envelope, now_micros)?;
        draft.write(message)?;
        draft.commit()
    }

    /// Starts storing a message for `envelope` while its bytes still arrive: a file in `tmp/`
    /// with the header written and the size left to fill in, so a message is never held whole
    /// in memory. Only [`Draft::commit`] puts it in the queue; a draft dropped before that is
    /// removed, and one left by a crash is discarded at the next [`Spool::open`].
    pub fn draft(&self, envelope: &Envelope, now_micros: u128) -> Result<Draft, SpoolError> {
        check_envelope(envelope)?;
        let id = QueueId::new(now_micros);
        let mut header =
            format!("{MAGIC}\nid: {id}\narrived: {}\nfrom: {}\n", now_micros / 1_000_000, envelope.from);
        for rcpt in &envelope.to {
            header.push_str(&format!("to: {rcpt}\n"));
        }
        header.push_str(&format!("device: {}\nsize: ", envelope.device));
        let size_at = header.len() as u64;
        // Zero-padded to the width of any u64 (the reader's `parse` takes leading zeros): the
        // real size is written over it at commit, in place.
        header.push_str(&format!("{:0SIZE_WIDTH$}\n\n", 0));
        let tmp = self.dir("tmp").join(format!("{id}.msg"));
        let file = OpenOptions::new().write(true).create_new(true).open(&tmp).map_err(io_err(&tmp))?;
        let mut draft =
            Draft { file, tmp, queue: self.dir("queue"), id, size_at, size: 0, state: DraftState::Open };
        draft.file.write_all(header.as_bytes()).map_err(|e| draft.failed(e))?;
        Ok(draft)
    }

    /// Every queued message with its state, oldest first. Damaged files are moved to `corrupt/`
    /// and left out.
    pub fn list(&self) -> Result<Vec<(QueuedMessage, DeliveryState)>, SpoolError> {
        let queue = self.dir("queue");
        let mut ids = Vec::new();
        for entry in fs::read_dir(&queue).map_err(io_err(&queue))? {
            let path = entry.map_err(io_err(&queue))?.path();
            if path.extension().is_some_and(|e| e == "msg")
                && let Some(id) = path.file_stem().and_then(|s| s.to_str()).and_then(QueueId::parse)
            {
                ids.push(id);
            }
        }
        ids.sort();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            match self.read_header(&id) {
                Ok(message) => {
                    let state = self.state(&id)?;
                    out.push((message, state));
                }
                Err(SpoolError::Corrupt { .. }) => self.quarantine(&id)?,
                // Removed meanwhile (delivered by another runner pass).
                Err(SpoolError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// One queued message with its state, its header checked as [`Spool::list`] checks it (a
    /// damaged file is moved to `corrupt/`): what the runner reads of a message just queued.
    pub fn queued(&self, id: &QueueId) -> Result<(QueuedMessage, DeliveryState), SpoolError> {
        match self.read_header(id) {
            Ok(message) => Ok((message, self.state(id)?)),
            Err(e @ SpoolError::Corrupt { .. }) => {
                self.quarantine(id)?;
                Err(e)
            }
            Err(SpoolError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                Err(SpoolError::NotQueued(id.to_string()))
            }
            Err(e) => Err(e),
        }
    }

    /// The messages whose next attempt is due at `now` (seconds since the epoch), oldest first.
    pub fn due(&self, now: u64) -> Result<Vec<(QueuedMessage, DeliveryState)>, SpoolError> {
        Ok(self.list()?.into_iter().filter(|(_, s)| s.next_attempt <= now).collect())
    }

    /// The message's bytes, checked against its header.
    pub fn read_message(&self, id: &QueueId) -> Result<Vec<u8>, SpoolError> {
        let path = self.message_path(id);
        let bytes = read_file(&path)?;
        let (_, body) = split(&path, &bytes)?;
        Ok(body.to_vec())
    }

    /// Opens a queued message to read its bytes a chunk at a time (a large message is never
    /// held whole in memory), checked against its header as [`Spool::list`] checks it. Whether
    /// it has 8-bit bytes (for `BODY=8BITMIME`) is found by reading it through once now.
    pub fn open_message(&self, id: &QueueId) -> Result<MessageReader, SpoolError> {
        let (mut file, message, body_start) = self.open_checked(id)?;
        let path = self.message_path(id);
        let mut first = Vec::new();
        (&mut file).take(READ_CHUNK as u64).read_to_end(&mut first).map_err(io_err(&path))?;
        first.truncate(usize::try_from(message.size).unwrap_or(usize::MAX));
        let mut eight_bit = first.iter().any(|&b| b >= 0x80);
        let rest = message.size - first.len() as u64;
        if rest > 0 {
            let mut chunk = vec![0u8; READ_CHUNK];
            let mut left = rest;
            while left > 0 && !eight_bit {
                let want = usize::try_from(left).unwrap_or(usize::MAX).min(READ_CHUNK);
                file.read_exact(&mut chunk[..want]).map_err(io_err(&path))?;
                eight_bit = chunk[..want].iter().any(|&b| b >= 0x80);
                left -= want as u64;
            }
            file.seek(SeekFrom::Start(body_start + first.len() as u64)).map_err(io_err(&path))?;
        }
        Ok(MessageReader { path, file, first, rest, size: message.size, eight_bit })
    }

    /// The first bytes of a queued message, at most `max` (what a DSN quotes of its headers).
    pub fn read_head(&self, id: &QueueId, max: usize) -> Result<Vec<u8>, SpoolError> {
        let (file, message, _) = self.open_checked(id)?;
        let want = message.size.min(max as u64);
        let mut head = Vec::new();
        file.take(want).read_to_end(&mut head).map_err(io_err(&self.message_path(id)))?;
        Ok(head)
    }

    /// The header of a queued message, read without its body: listing a queue of large
    /// messages costs a few KB per message. A file cut short or without its end mark is caught
    /// here too (its length and last bytes are checked against the header).
    fn read_header(&self, id: &QueueId) -> Result<QueuedMessage, SpoolError> {
        self.open_checked(id).map(|(_, message, _)| message)
    }

    /// A queued message's file positioned at the start of its body, its header, and where its
    /// body starts; the file's length and end mark are checked against the header.
    fn open_checked(&self, id: &QueueId) -> Result<(File, QueuedMessage, u64), SpoolError> {
        let path = self.message_path(id);
        let mut file = File::open(&path).map_err(io_err(&path))?;
        let length = file.metadata().map_err(io_err(&path))?.len();
        let mut head = Vec::new();
        let end = loop {
            let before = head.len();
            let want = u64::try_from(HEADER_CHUNK).unwrap_or(u64::MAX);
            (&mut file).take(want).read_to_end(&mut head).map_err(io_err(&path))?;
            // the blank line may straddle two chunks
            if let Some(end) = memfind(&head[before.saturating_sub(1)..], b"\n\n") {
                break before.saturating_sub(1) + end;
            }
            if head.len() == before || head.len() > MAX_HEADER {
                return Err(corrupt(&path, "no end of header"));
            }
        };
        let message = parse_header(&path, &head[..end])?;
        let body_start = u64::try_from(end + 2).unwrap_or(u64::MAX);
        let expected = body_start.checked_add(message.size).and_then(|n| n.checked_add(END.len() as u64));
        if expected != Some(length) {
            return Err(corrupt(&path, "the message is cut short or has no end mark"));
        }
        let mut tail = [0u8; END.len()];
        file.seek(SeekFrom::End(-(END.len() as i64)))
            .and_then(|_| file.read_exact(&mut tail))
            .map_err(io_err(&path))?;
        if tail != END {
            return Err(corrupt(&path, "the message is cut short or has no end mark"));
        }
        file.seek(SeekFrom::Start(body_start)).map_err(io_err(&path))?;
        Ok((file, message, body_start))
    }

    /// The delivery state of a queued message (the default before its first attempt).
    pub fn state(&self, id: &QueueId) -> Result<DeliveryState, SpoolError> {
        let path = self.state_path(id);
        match fs::read_to_string(&path) {
            Ok(text) => parse_state(&path, &text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(DeliveryState::default()),
            Err(source) => Err(SpoolError::Io { path, source }),
        }
    }

    /// Replaces a message's delivery state atomically.
    pub fn update(&self, id: &QueueId, state: &DeliveryState) -> Result<(), SpoolError> {
        if !self.message_path(id).exists() {
            return Err(SpoolError::NotQueued(id.to_string()));
        }
        let mut text = format!("{MAGIC}\nattempts: {}\nnext: {}\n", state.attempts, state.next_attempt);
        if let Some(e) = &state.last_error {
            text.push_str(&format!("error: {}\n", one_line(e)));
        }
        for rcpt in &state.delivered {
            text.push_str(&format!("delivered: {rcpt}\n"));
        }
        let tmp = self.dir("tmp").join(format!("{id}.state"));
        write_synced(&tmp, &[text.as_bytes()])?;
        let target = self.state_path(id);
        fs::rename(&tmp, &target).map_err(io_err(&target))?;
        sync_dir(&self.dir("state"))
    }

    /// Removes a delivered (or bounced, or deleted) message: the message first, so a crash in
    /// between leaves a state file that the next start discards, never a message without state
    /// that would be sent again... except at least once by design (see the module's doc).
    pub fn remove(&self, id: &QueueId) -> Result<(), SpoolError> {
        let msg = self.message_path(id);
        match fs::remove_file(&msg) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(SpoolError::NotQueued(id.to_string()));
            }
            Err(source) => return Err(SpoolError::Io { path: msg, source }),
        }
        sync_dir(&self.dir("queue"))?;
        let state = self.state_path(id);
        match fs::remove_file(&state) {
            Ok(()) => sync_dir(&self.dir("state")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SpoolError::Io { path: state, source }),
        }
    }

    /// Moves a damaged message (and its state) to `corrupt/`.
    fn quarantine(&self, id: &QueueId) -> Result<(), SpoolError> {
        for from in [self.message_path(id), self.state_path(id)] {
            if from.exists() {
                let to = self.dir("corrupt").join(from.file_name().unwrap_or_default());
                fs::rename(&from, &to).map_err(io_err(&to))?;
            }
        }
        sync_dir(&self.dir("queue"))?;
        sync_dir(&self.dir("corrupt"))
    }
}

/// A queued message's bytes, read a chunk at a time ([`Spool::open_message`]).
#[derive(Debug)]
pub struct MessageReader {
    path: PathBuf,
    file: File,
    /// The first chunk, read when the message was opened, not handed out yet.
    first: Vec<u8>,
    /// Bytes left in the file after `first`.
    rest: u64,
    size: u64,
    eight_bit: bool,
}

impl MessageReader {
    /// The message's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// True when the message has bytes of 0x80 and above.
    pub fn has_8bit(&self) -> bool {
        self.eight_bit
    }

    /// True when the next [`MessageReader::next_chunk`] reads no file (the bytes are in memory
    /// already, or there are none left): the caller need not move it off the async workers.
    pub fn next_is_ready(&self) -> bool {
        !self.first.is_empty() || self.rest == 0
    }

    /// The message's next bytes (at most 64 KiB); empty at its end.
    pub fn next_chunk(&mut self) -> Result<Vec<u8>, SpoolError> {
        if !self.first.is_empty() {
            return Ok(std::mem::take(&mut self.first));
        }
        let want = usize::try_from(self.rest).unwrap_or(usize::MAX).min(READ_CHUNK);
        let mut chunk = vec![0u8; want];
        self.file.read_exact(&mut chunk).map_err(io_err(&self.path))?;
        self.rest -= want as u64;
        Ok(chunk)
    }
}

/// How wide a draft's `size:` field is: the digits of `u64::MAX`.
const SIZE_WIDTH: usize = 20;

#[derive(Debug, PartialEq, Eq)]
enum DraftState {
    Open,
    /// A write failed: what is in the file is unknown, it must not be committed.
    Failed,
    Committed,
}

/// A message being stored while it arrives (see [`Spool::draft`]): written in chunks to a file in
/// `tmp/`; removed when dropped before [`Draft::commit`].
#[derive(Debug)]
pub struct Draft {
    file: File,
    tmp: PathBuf,
    queue: PathBuf,
    id: QueueId,
    /// Where the digits of the `size:` field start in the file.
    size_at: u64,
    size: u64,
    state: DraftState,
}

impl Draft {
    /// The id the message will have in the queue.
    pub fn id(&self) -> &QueueId {
        &self.id
    }

    /// The message's bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends the message's next bytes (not synced yet: [`Draft::commit`] does that once).
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), SpoolError> {
        if self.state != DraftState::Open {
            return Err(self.refused());
        }
        self.file.write_all(bytes).map_err(|e| self.failed(e))?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// Puts the message in the queue, Postfix's contract: the end mark and the real size
    /// written, the file synced, renamed into `queue/`, the directory synced. Only when this
    /// returns `Ok` may the device get `250`.
    pub fn commit(mut self) -> Result<QueueId, SpoolError> {
        if self.state != DraftState::Open {
            return Err(self.refused());
        }
        let digits = format!("{:0SIZE_WIDTH$}", self.size);
        let written = self
            .file
            .write_all(END)
            .and_then(|()| self.file.seek(SeekFrom::Start(self.size_at)))
            .and_then(|_| self.file.write_all(digits.as_bytes()))
            .and_then(|()| self.file.sync_all());
        written.map_err(|e| self.failed(e))?;
        let target = self.queue.join(format!("{}.msg", self.id));
        fs::rename(&self.tmp, &target).map_err(|e| self.failed(e))?;
        // In the queue now: whatever happens next, the file is not the draft's to remove.
        self.state = DraftState::Committed;
        sync_dir(&self.queue)?;
        Ok(self.id.clone())
    }

    fn failed(&mut self, source: io::Error) -> SpoolError {
        self.state = DraftState::Failed;
        SpoolError::Io { path: self.tmp.clone(), source }
    }

    fn refused(&self) -> SpoolError {
        SpoolError::Io {
            path: self.tmp.clone(),
            source: io::Error::other("an earlier write to this message failed"),
        }
    }
}

impl Drop for Draft {
    fn drop(&mut self) {
        if self.state != DraftState::Committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Refuses envelope values that would break a header line.
fn check_envelope(envelope: &Envelope) -> Result<(), SpoolError> {
    if envelope.to.is_empty() || envelope.to.len() > MAX_RECIPIENTS {
        return Err(SpoolError::BadEnvelope(format!("{} recipients", envelope.to.len())));
    }
    let all = std::iter::once(&envelope.from).chain(&envelope.to).chain(std::iter::once(&envelope.device));
    for value in all {
        if value.len() > 998 || value.chars().any(char::is_control) {
            return Err(SpoolError::BadEnvelope("a value with control characters or over 998 bytes".into()));
        }
    }
    Ok(())
}

fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(998).collect()
}

/// Writes `parts` to a new file at `path` and syncs it to disk before closing.
fn write_synced(path: &Path, parts: &[&[u8]]) -> Result<(), SpoolError> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path).map_err(io_err(path))?;
    let written = parts.iter().try_for_each(|p| file.write_all(p)).and_then(|()| file.sync_all());
    if let Err(source) = written {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(SpoolError::Io { path: path.to_owned(), source });
    }
    Ok(())
}

/// Makes a directory's entries (a rename, a removal) durable.
fn sync_dir(dir: &Path) -> Result<(), SpoolError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io_err(dir))
}

fn read_file(path: &Path) -> Result<Vec<u8>, SpoolError> {
    let mut bytes = Vec::new();
    File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map_err(io_err(path))?;
    Ok(bytes)
}

fn corrupt(path: &Path, reason: &str) -> SpoolError {
    SpoolError::Corrupt { path: path.to_owned(), reason: reason.to_owned() }
}

/// Splits a message file into its header and body, checking the size and the end mark.
fn split<'a>(path: &Path, bytes: &'a [u8]) -> Result<(QueuedMessage, &'a [u8]), SpoolError> {
    let end = memfind(bytes, b"\n\n").ok_or_else(|| corrupt(path, "no end of header"))?;
    let message = parse_header(path, &bytes[..end])?;
    let body_start = end + 2;
    let body_end = usize::try_from(message.size)
        .ok()
        .and_then(|s| body_start.checked_add(s))
        .ok_or_else(|| corrupt(path, "size"))?;
    if bytes.len() != body_end + END.len() || &bytes[body_end..] != END {
        return Err(corrupt(path, "the message is cut short or has no end mark"));
    }
    Ok((message, &bytes[body_start..body_end]))
}

/// Reads a message file's header (the bytes before its blank line).
fn parse_header(path: &Path, bytes: &[u8]) -> Result<QueuedMessage, SpoolError> {
    let header = std::str::from_utf8(bytes).map_err(|_| corrupt(path, "header is not UTF-8"))?;
    let mut lines = header.lines();
    if lines.next() != Some(MAGIC) {
        return Err(corrupt(path, "not a spool file of this version"));
    }
    let (mut id, mut arrived, mut from, mut to, mut device, mut size) =
        (None, None, None, Vec::new(), None, None);
    for line in lines {
        let (key, value) = line.split_once(": ").unwrap_or((line.trim_end_matches(':'), ""));
        match key {
            "id" => id = QueueId::parse(value),
            "arrived" => arrived = value.parse().ok(),
            "from" => from = Some(value.to_owned()),
            "to" => to.push(value.to_owned()),
            "device" => device = Some(value.to_owned()),
            "size" => size = value.parse::<u64>().ok(),
            _ => return Err(corrupt(path, "unknown header field")),
        }
    }
    let (Some(id), Some(arrived), Some(from), Some(device), Some(size)) = (id, arrived, from, device, size)
    else {
        return Err(corrupt(path, "a header field is missing"));
    };
    if to.is_empty() {
        return Err(corrupt(path, "no recipient"));
    }
    Ok(QueuedMessage { id, envelope: Envelope { from, to, device }, arrived, size })
}

fn parse_state(path: &Path, text: &str) -> Result<DeliveryState, SpoolError> {
    let mut lines = text.lines();
    if lines.next() != Some(MAGIC) {
        return Err(corrupt(path, "not a state file of this version"));
    }
    let mut state = DeliveryState::default();
    for line in lines {
        let (key, value) = line.split_once(": ").ok_or_else(|| corrupt(path, "a line without a value"))?;
        match key {
            "attempts" => state.attempts = value.parse().map_err(|_| corrupt(path, "attempts"))?,
            "next" => state.next_attempt = value.parse().map_err(|_| corrupt(path, "next"))?,
            "error" => state.last_error = Some(value.to_owned()),
            "delivered" => state.delivered.push(value.to_owned()),
            _ => return Err(corrupt(path, "unknown state field")),
        }
    }
    Ok(state)
}

fn memfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mailprobe-spool-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn envelope() -> Envelope {
        Envelope {
            from: "printer@example.test".into(),
            to: vec!["a@example.test".into(), "b@example.test".into()],
            device: "hp-2nd-floor".into(),
        }
    }

    #[test]
    fn a_queued_message_reads_back_exactly_with_its_envelope() {
        let dir = temp_dir("roundtrip");
        let spool = Spool::open(&dir).unwrap();
        let body = b"Subject: scan\r\n\r\n\x00\xff binary and\n\nblank lines\r\n.\r\n";
        let id = spool.enqueue(&envelope(), body, 1_700_000_000_123_456).unwrap();
        let listed = spool.list().unwrap();
        assert_eq!(listed.len(), 1);
        let (m, state) = &listed[0];
        assert_eq!(m.id, id);
        assert_eq!(m.envelope, envelope());
        assert_eq!((m.arrived, m.size), (1_700_000_000, body.len() as u64));
        assert_eq!(*state, DeliveryState::default());
        assert_eq!(spool.read_message(&id).unwrap(), body);
        // Reopening (a restart) finds it again.
        let again = Spool::open(&dir).unwrap();
        assert_eq!(again.read_message(&id).unwrap(), body);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unfinished_writes_are_discarded_and_damaged_files_quarantined() {
        let dir = temp_dir("damage");
        let spool = Spool::open(&dir).unwrap();
        let good = spool.enqueue(&envelope(), b"hello", 1).unwrap();
        let cut = spool.enqueue(&envelope(), b"a longer message", 2).unwrap();
        // A crash while writing leaves a file in tmp/; a disk fault cuts a queued file short.
        fs::write(dir.join("tmp/0000000000000300000000000.msg"), b"MAILPROBE-SPOOL 1\nid: half").unwrap();
        let path = dir.join(format!("queue/{cut}.msg"));
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let spool = Spool::open(&dir).unwrap();
        assert_eq!(fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        let ids: Vec<QueueId> = spool.list().unwrap().into_iter().map(|(m, _)| m.id).collect();
        assert_eq!(ids, [good]);
        assert!(dir.join(format!("corrupt/{cut}.msg")).exists());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn state_is_replaced_atomically_and_removal_cleans_up() {
        let dir = temp_dir("state");
        let spool = Spool::open(&dir).unwrap();
        let id = spool.enqueue(&envelope(), b"x", 5).unwrap();
        let state = DeliveryState {
            attempts: 2,
            next_attempt: 600,
            last_error: Some("rate.throttled: 451 4.7.500 Server busy\r\nsecond line".into()),
            delivered: vec!["a@example.test".into()],
        };
        spool.update(&id, &state).unwrap();
        let read = spool.state(&id).unwrap();
        assert_eq!(read.attempts, 2);
        assert_eq!(read.last_error.as_deref(), Some("rate.throttled: 451 4.7.500 Server busy  second line"));
        assert_eq!(read.delivered, ["a@example.test"]);
        assert!(spool.due(599).unwrap().is_empty());
        assert_eq!(spool.due(600).unwrap().len(), 1);
        spool.remove(&id).unwrap();
        assert!(spool.list().unwrap().is_empty());
        assert!(matches!(spool.remove(&id), Err(SpoolError::NotQueued(_))));
        assert!(matches!(spool.update(&id, &state), Err(SpoolError::NotQueued(_))));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn envelopes_that_would_break_the_format_are_refused() {
        let dir = temp_dir("envelope");
        let spool = Spool::open(&dir).unwrap();
        let mut bad = envelope();
        bad.to.push("x@example.test\nto: evil@example.net".into());
        assert!(matches!(spool.enqueue(&bad, b"x", 1), Err(SpoolError::BadEnvelope(_))));
        let none = Envelope { to: Vec::new(), ..envelope() };
        assert!(matches!(spool.enqueue(&none, b"x", 1), Err(SpoolError::BadEnvelope(_))));
        assert!(spool.list().unwrap().is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_header_longer_than_one_read_is_listed_whole() {
        let dir = temp_dir("long-header");
        let spool = Spool::open(&dir).unwrap();
        // 300 recipients: a header of about 12 KB, read in several chunks by list()
        let to: Vec<String> = (0..300).map(|i| format!("recipient-number-{i:04}@example.test")).collect();
        let long = Envelope { to: to.clone(), ..envelope() };
        let body = vec![b'x'; 3 * HEADER_CHUNK];
        let id = spool.enqueue(&long, &body, 9).unwrap();
        let listed = spool.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (&listed[0].0.id, &listed[0].0.envelope.to, listed[0].0.size),
            (&id, &to, body.len() as u64)
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_draft_written_in_chunks_is_queued_only_at_commit_and_reads_back_in_chunks() {
        let dir = temp_dir("draft");
        let spool = Spool::open(&dir).unwrap();
        let body: Vec<u8> = (0..3 * READ_CHUNK + 123).map(|i| (i % 251) as u8).collect();
        let mut draft = spool.draft(&envelope(), 42_000_000).unwrap();
        for chunk in body.chunks(10_000) {
            draft.write(chunk).unwrap();
        }
        assert_eq!(draft.size(), body.len() as u64);
        // not queued before the commit: a crash now leaves only the file in tmp/
        assert!(spool.list().unwrap().is_empty());
        assert_eq!(fs::read_dir(dir.join("tmp")).unwrap().count(), 1);
        let id = draft.commit().unwrap();
        assert_eq!(fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        let listed = spool.list().unwrap();
        assert_eq!((&listed[0].0.id, listed[0].0.size), (&id, body.len() as u64));
        assert_eq!(spool.read_message(&id).unwrap(), body);
        let mut reader = spool.open_message(&id).unwrap();
        assert_eq!(reader.size(), body.len() as u64);
        assert!(reader.has_8bit());
        let mut read = Vec::new();
        loop {
            let chunk = reader.next_chunk().unwrap();
            if chunk.is_empty() {
                break;
            }
            assert!(chunk.len() <= READ_CHUNK);
            read.extend_from_slice(&chunk);
        }
        assert_eq!(read, body);
        assert_eq!(spool.read_head(&id, 10).unwrap(), &body[..10]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_draft_dropped_or_failed_before_its_commit_leaves_nothing() {
        let dir = temp_dir("draft-drop");
        let spool = Spool::open(&dir).unwrap();
        let mut draft = spool.draft(&envelope(), 1).unwrap();
        draft.write(b"half a message").unwrap();
        drop(draft);
        assert_eq!(fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        assert!(spool.list().unwrap().is_empty());
        // a write that failed (the disk filled up) is never committed
        let mut draft = spool.draft(&envelope(), 2).unwrap();
        draft.state = DraftState::Failed;
        assert!(matches!(draft.write(b"more"), Err(SpoolError::Io { .. })));
        assert!(matches!(draft.commit(), Err(SpoolError::Io { .. })));
        assert_eq!(fs::read_dir(dir.join("tmp")).unwrap().count(), 0);
        assert!(spool.list().unwrap().is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn files_written_before_drafts_still_read() {
        // the format before streaming: `size:` without leading zeros
        let dir = temp_dir("old-format");
        let spool = Spool::open(&dir).unwrap();
        let id = "0000000000000100000100000A";
        let old = format!(
            "{MAGIC}\nid: {id}\narrived: 1\nfrom: printer@example.test\nto: a@example.test\ndevice: hp\nsize: 5\n\nhello\nEND\n"
        );
        fs::write(dir.join(format!("queue/{id}.msg")), old).unwrap();
        let listed = spool.list().unwrap();
        assert_eq!((listed[0].0.id.as_str(), listed[0].0.size), (id, 5));
        let id = QueueId::parse(id).unwrap();
        assert_eq!(spool.read_message(&id).unwrap(), b"hello");
        let mut reader = spool.open_message(&id).unwrap();
        assert!(!reader.has_8bit());
        assert_eq!(reader.next_chunk().unwrap(), b"hello");
        assert!(reader.next_chunk().unwrap().is_empty());
        // and a new file's padded size reads with the same parser
        let new = spool.enqueue(&envelope(), b"hi", 3).unwrap();
        let text = fs::read_to_string(dir.join(format!("queue/{new}.msg"))).unwrap();
        assert!(text.contains("\nsize: 00000000000000000002\n\nhi\nEND\n"), "{text}");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn ids_are_unique_and_ordered_by_time() {
        let a = QueueId::new(10);
        let b = QueueId::new(10);
        let c = QueueId::new(11);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(QueueId::parse(a.as_str()), Some(a.clone()));
        assert_eq!(QueueId::parse("../../etc/passwd"), None);
    }

    proptest::proptest! {
        /// Any bytes are stored and read back unchanged; any cut of the file is caught.
        #[test]
        fn any_message_survives_and_any_cut_is_caught(body in proptest::collection::vec(proptest::num::u8::ANY, 0..2000), cut in 1usize..50) {
            let dir = temp_dir("prop");
            let spool = Spool::open(&dir).unwrap();
            let id = spool.enqueue(&envelope(), &body, 7).unwrap();
            proptest::prop_assert_eq!(spool.read_message(&id).unwrap(), body.clone());
            let path = dir.join(format!("queue/{id}.msg"));
            let bytes = fs::read(&path).unwrap();
            let keep = bytes.len().saturating_sub(cut);
            fs::write(&path, &bytes[..keep]).unwrap();
            let caught = matches!(spool.read_message(&id), Err(SpoolError::Corrupt { .. }));
            proptest::prop_assert!(caught, "a cut of {} bytes was not caught", cut);
            // listing reads only the header, and still catches the cut (and quarantines it)
            proptest::prop_assert!(spool.list().unwrap().is_empty(), "a cut of {} bytes was listed", cut);
            fs::remove_dir_all(dir).unwrap();
        }
    }
}
