//! Postfix's mail log: smtpd sessions stitched back together by host and process id, from
//! `connect from` to `disconnect from`, with what the log says happened in between.
//!
//! Postfix does not log the dialogue. It logs the session's edges, TLS, failed logins,
//! rejections, the queue id of accepted mail, lost connections, and on disconnect how many of
//! each command the client sent and how many succeeded (`auth=0/1`). From those the client's
//! side of the dialogue is rebuilt: the commands in SMTP order, the replies Postfix logged, and
//! for steps that succeeded the fixed text Postfix answers them with.
//!
//! Speed matters (a busy server writes gigabytes): lines of other daemons are skipped after one
//! substring search; a session keeps the lines that say something of it as written, hashing
//! their shape as they come, and is rebuilt from them only when it ends (or, deferring, only
//! if its transcript is ever asked for). A line costs no allocation and no text.

use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::LazyLock;

use mailprobe_proto::{CloseReason, EventKind, Reply, Security, Stage, TlsFailure, TlsSession, Transcript};
use memchr::memmem;
use rustc_hash::FxHasher;

use super::{
    Building, CommonStart, OpenSessions, SyslogLine, client_ip, digits, empty_transcript, find, shown_auth,
    text,
};
use crate::analyze::{LogFormat, LogSession, SessionMeta, SessionParser, hash_bytes_shape, hash_text_shape};
use crate::paste::markers;
use crate::paste::mta::{self, Logged};

/// Sessions open at once before the oldest is flushed as incomplete: a server with more
/// concurrent smtpd processes than this is rare, and it keeps memory bounded on odd logs.
pub const MAX_OPEN_SESSIONS: usize = 10_000;
/// Facts kept per session; a session that logs more (a flood of rejects) keeps the first ones.
const MAX_FACTS: usize = 64;
/// Bytes of its lines a session keeps at most (besides its disconnect line): a few dozen long
/// lines, against a flood of them on one connection.
const MAX_KEPT: usize = 32 * 1024;

/// True when `head` looks like a Postfix log: a syslog line of a Postfix daemon.
pub fn detect(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n').take(200).filter_map(SyslogLine::parse).any(|l| {
        let daemon = l.daemon();
        matches!(daemon, b"smtpd" | b"qmgr" | b"cleanup" | b"pickup" | b"postscreen" | b"smtp" | b"master")
            && (l.program.windows(8).any(|w| w == b"postfix/")
                || l.program.contains(&b'/')
                || l.message.starts_with(b"connect from ")
                || l.message.starts_with(b"disconnect from "))
    })
}

/// What one log line said about a session, borrowed from the line.
#[derive(Clone, Copy, Debug)]
enum Fact<'a> {
    /// `Anonymous TLS connection established from NAME[IP]: TLSv1.3 with cipher ...`: the
    /// version, and the words after it, of which the cipher is read only for a transcript.
    Tls {
        version: &'a [u8],
        rest: &'a [u8],
    },
    TlsError(&'a [u8]),
    AuthFailed {
        mechanism: &'a [u8],
        reason: &'a [u8],
        user: Option<&'a [u8]>,
    },
    /// `QUEUEID: client=..., sasl_method=PLAIN, sasl_username=...`
    Accepted {
        queue_id: &'a [u8],
        mechanism: Option<&'a [u8]>,
        user: Option<&'a [u8]>,
    },
    Reject {
        command: &'a [u8],
        code: u16,
        /// The reply after its code: `5.7.1 <x>: Relay access denied`.
        text: &'a [u8],
        from: Option<&'a [u8]>,
        to: Option<&'a [u8]>,
        helo: Option<&'a [u8]>,
    },
    Lost {
        after: &'a [u8],
        timeout: bool,
    },
    NotSmtp {
        /// At most 60 bytes of what the client sent.
        preview: &'a [u8],
        tls_hello: bool,
    },
}

impl Fact<'_> {
    /// The login the line names.
    fn user(&self) -> Option<&[u8]> {
        match self {
            Fact::AuthFailed { user, .. } | Fact::Accepted { user, .. } => *user,
            _ => None,
        }
    }

    /// What of the fact the transcript's diagnosis depends on: its kind, codes, mechanisms,
    /// and the shape of its texts (addresses, ids and numbers set aside).
    fn hash_shape(&self, h: &mut FxHasher) {
        std::mem::discriminant(self).hash(h);
        match self {
            Fact::Tls { version, .. } => version.hash(h),
            Fact::TlsError(detail) => hash_bytes_shape(detail, h),
            Fact::AuthFailed { mechanism, reason, .. } => {
                mechanism.hash(h);
                hash_bytes_shape(reason, h);
            }
            Fact::Accepted { mechanism, .. } => mechanism.hash(h),
            Fact::Reject { command, code, text, from, to, .. } => {
                (command, code).hash(h);
                // the enhanced code, whole (the text's shape keeps only short words)
                text.split(|&b| b == b' ').next().hash(h);
                hash_bytes_shape(text, h);
                (from.is_some(), to.is_some()).hash(h);
            }
            Fact::Lost { after, timeout } => (after, timeout).hash(h),
            Fact::NotSmtp { tls_hello, .. } => tls_hello.hash(h),
        }
    }
}

/// An smtpd session between `connect from` and `disconnect from`: the lines that say
/// something of it, kept as Postfix wrote them, and its shape so far. Its transcript is built
/// from those lines when it ends or, when deferring, only if it is ever asked for; a line
/// costs a copy of its bytes, no allocation and no text.
#[derive(Clone)]
pub(crate) struct Open {
    /// The connect line, each line that gave a fact (the first [`MAX_FACTS`], up to
    /// [`MAX_KEPT`] bytes), and the disconnect line; each followed by `\n`.
    lines: Vec<u8>,
    /// Line numbers of the first line and of the latest.
    first: u64,
    last: u64,
    facts: usize,
    /// Where the disconnect line starts in `lines`, once read.
    end: Option<usize>,
    /// The length of the time the connect line and the disconnect line start with.
    times: (usize, usize),
    /// Where the client's name starts in the connect line (it ends with the line).
    client: usize,
    /// The facts' shape, hashed as they come.
    shape: FxHasher,
    user: bool,
    helo: bool,
}

impl std::fmt::Debug for Open {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Open")
            .field("first", &self.first)
            .field("last", &self.last)
            .field("facts", &self.facts)
            .finish()
    }
}

/// The streaming Postfix reader.
pub struct PostfixParser {
    open: OpenSessions<(u64, u32), Open>,
    evicted: Vec<Open>,
    /// Leave transcripts unbuilt and give each session's shape ([`Self::deferring`]).
    defer: bool,
    /// Reading one chunk of a log ([`Self::chunk`]): what crosses its start is kept here.
    edges: Option<Edges>,
    /// Reading a chunk: the keys that connected in it (a line of any other key belongs to a
    /// session begun before the chunk).
    seen: rustc_hash::FxHashSet<(u64, u32)>,
    prefixes: Prefixes,
}

/// What of one chunk of a log its reader could not finish alone, for [`PostfixParser::stitch`]:
/// the lines of sessions that began before the chunk, and the sessions still open at its end.
#[derive(Debug, Default)]
pub struct Edges {
    /// In the order they were read.
    carried: Vec<Carried>,
    /// The carried lines' bytes.
    bytes: Vec<u8>,
    /// Sessions open at the chunk's end, oldest first.
    open: Vec<((u64, u32), Open)>,
    /// The chunk's last line.
    last: u64,
}

#[derive(Debug)]
enum Carried {
    /// Line `number`, `bytes[range]`.
    Line(u64, std::ops::Range<usize>),
    /// A connect of `key` on line `number`.
    Connect(u64, (u64, u32)),
}

impl Default for PostfixParser {
    fn default() -> Self {
        Self::with_limit(MAX_OPEN_SESSIONS)
    }
}

impl PostfixParser {
    /// A reader that keeps at most `max_open` sessions open.
    pub fn with_limit(max_open: usize) -> Self {
        Self {
            open: OpenSessions::with_limit(max_open),
            evicted: Vec::new(),
            defer: false,
            edges: None,
            seen: Default::default(),
            prefixes: Prefixes::default(),
        }
    }

    /// A reader whose sessions carry their shape and build their transcript only when asked
    /// ([`LogSession::materialize`]): most sessions of a big log are then never built.
    pub fn deferring() -> Self {
        Self { defer: true, ..Self::default() }
    }

    /// A deferring reader of one chunk of a log, read apart from the chunks before and after
    /// it: sessions wholly inside come out; lines of sessions begun before the chunk and
    /// sessions still open at its end are left for [`Self::edges`].
    pub fn chunk() -> Self {
        // one reader reads chunk after chunk: room made once for the sessions a chunk holds
        Self {
            edges: Some(Edges::default()),
            open: OpenSessions::with_room(MAX_OPEN_SESSIONS, 512),
            ..Self::deferring()
        }
    }

    /// What of the chunk read is left to [`Self::stitch`] (nothing for a reader not made by
    /// [`Self::chunk`]); the reader is then ready for the next chunk.
    pub fn edges(&mut self) -> Edges {
        let Some(edges) = &mut self.edges else { return Edges::default() };
        let mut edges = std::mem::take(edges);
        edges.open = self.open.drain_keyed();
        self.seen.clear();
        edges
    }

    /// Continues the sessions of the chunks before with `edges`, the next chunk's: its
    /// carried lines go to the sessions they belong to, and its open sessions stay open
    /// here. Sessions that end come out with the line they ended on.
    pub fn stitch(&mut self, edges: Edges, out: &mut Vec<(u64, LogSession)>) {
        let mut ended = Vec::new();
        for carried in edges.carried {
            match carried {
                Carried::Line(number, range) => {
                    self.line(number, &edges.bytes[range], &mut ended);
                    out.extend(ended.drain(..).map(|s| (number, s)));
                }
                Carried::Connect(number, key) => {
                    if let Some(old) = self.open.remove(&key) {
                        out.push((number, self.session(old, true)));
                    }
                }
            }
        }
        for (key, open) in edges.open {
            self.open.insert(key, open, &mut self.evicted);
        }
        let evicted = std::mem::take(&mut self.evicted);
        out.extend(evicted.into_iter().map(|o| (edges.last, self.session(o, true))));
    }

    fn session(&self, open: Open, incomplete: bool) -> LogSession {
        if self.defer { open.deferred(incomplete) } else { open.build(incomplete) }
    }

    /// Postfix as a client (`postfix/smtp`): a delivery that failed at a remote server, e.g. a
    /// relay through Microsoft 365 or Gmail refusing the login. One session per such line.
    fn delivery(&mut self, number: u64, line: &[u8], l: &SyslogLine<'_>, out: &mut Vec<LogSession>) {
        let m = l.message;
        let failed = DEFERRED.find(m).is_some() || BOUNCED.find(m).is_some() || m.starts_with(b"connect to ");
        if !failed {
            return;
        }
        let Ok(message) = std::str::from_utf8(m) else { return };
        // the common failure quotes the remote server's reply (`said: 550 5.1.1 ...`): that
        // always makes a session, so when deferring, the line is kept and read when built
        if self.defer
            && let Some(shape) = delivery_shape(message)
        {
            let meta = SessionMeta { first_line: number, last_line: number, ..SessionMeta::default() };
            let kept = DeliveryLine::new(number, line, l);
            out.push(pending(meta, empty_transcript(), shape, Deferred::Delivery(kept)));
            return;
        }
        out.extend(delivery_session(number, l, message));
    }
}

/// The session of a failed delivery's line, `None` when the line names no failure.
fn delivery_session(number: u64, l: &SyslogLine<'_>, message: &str) -> Option<LogSession> {
    let m = l.message;
    let mut b = Building::new(session_id(l.program, l.pid, number), number, l.time);
    b.meta.client = (!l.host.is_empty()).then(|| text(l.host));
    b.meta.server = field(m, b"relay=", b',').or_else(|| {
        m.strip_prefix(b"connect to ").map(|r| text(&r[..memchr::memchr(b':', r).unwrap_or(r.len())]))
    });
    delivered(&mut b, message).then(|| b.finish(LogFormat::Postfix, false))
}

/// A failed delivery's line, kept until its session is built.
#[derive(Clone, Debug)]
pub(crate) struct DeliveryLine {
    line: Vec<u8>,
    number: u64,
    /// The length of the time the line starts with, and where its host is.
    time: usize,
    host: std::ops::Range<usize>,
}

impl DeliveryLine {
    fn new(number: u64, line: &[u8], l: &SyslogLine<'_>) -> Self {
        // the parts are slices of `line`: where they are in it
        let at = |part: &[u8]| (part.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
        let host = at(l.host)..at(l.host) + l.host.len();
        Self { line: line.to_vec(), number, time: l.time.len(), host }
    }

    /// The session, read from the line as when not deferring.
    fn build(&self) -> Option<LogSession> {
        let Some(Daemon::Smtp(l)) = daemon_line(&self.line) else { return None };
        delivery_session(self.number, &l, std::str::from_utf8(l.message).ok()?)
    }
}

impl SessionParser for PostfixParser {
    fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        if let Some(edges) = &mut self.edges {
            edges.last = number;
        }
        self.read(number, line, out);
        if !self.evicted.is_empty() {
            let evicted = std::mem::take(&mut self.evicted);
            out.extend(evicted.into_iter().map(|o| self.session(o, true)));
        }
    }

    fn finish(&mut self, out: &mut Vec<LogSession>) {
        let open = self.open.drain();
        out.extend(open.into_iter().map(|o| self.session(o, true)));
    }
}

/// Find the lines of smtpd and smtp when a line does not start the common way.
static SMTPD: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"/smtpd["));
static SMTP: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"/smtp["));

/// What a Postfix log line is to this reader.
enum Daemon<'a> {
    /// A line of `.../smtpd`, split into its parts.
    Smtpd(SyslogLine<'a>),
    /// A line of `.../smtp` (Postfix delivering as a client).
    Smtp(SyslogLine<'a>),
}

/// The smtpd or smtp line `line` is; `None` for any other line. A line that starts the common
/// way is decided by its program, read forwards (most lines, and the cheapest); any other is
/// found by the daemon's name.
fn daemon_line(line: &[u8]) -> Option<Daemon<'_>> {
    if let Some(start) = SyslogLine::common_start(line) {
        return Kind::of(start.program).daemon(start.read()?);
    }
    match SMTPD.find(line) {
        Some(at) => SyslogLine::parse_at(line, at).map(Daemon::Smtpd),
        None => SyslogLine::parse_at(line, SMTP.find(line)?).map(Daemon::Smtp),
    }
}

/// What a program is to this reader.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Smtpd,
    Smtp,
    Other,
}

impl Kind {
    fn of(program: &[u8]) -> Kind {
        if program.ends_with(b"/smtpd") {
            Kind::Smtpd
        } else if program.ends_with(b"/smtp") {
            Kind::Smtp
        } else {
            Kind::Other
        }
    }

    fn daemon(self, l: SyslogLine<'_>) -> Option<Daemon<'_>> {
        match self {
            Kind::Smtpd => Some(Daemon::Smtpd(l)),
            Kind::Smtp => Some(Daemon::Smtp(l)),
            Kind::Other => None,
        }
    }
}

/// The starts of lines seen lately (`HOST PROGRAM[`), each with what its program is to this
/// reader: a log has a handful, and a line that starts like one of them needs no search for
/// where its host and program end. Gives what [`daemon_line`] gives, only sooner.
#[derive(Default)]
struct Prefixes {
    recent: Vec<Prefix>,
}

struct Prefix {
    /// `HOST PROGRAM[`
    bytes: Vec<u8>,
    host: usize,
    kind: Kind,
}

/// Prefixes remembered at most.
const PREFIXES: usize = 8;

impl Prefixes {
    fn daemon_line<'a>(&mut self, line: &'a [u8]) -> Option<Daemon<'a>> {
        let Some(start) = SyslogLine::host_start(line) else { return daemon_line(line) };
        let rest = &line[start..];
        if let Some(p) = self.recent.iter().find(|p| starts_with(rest, &p.bytes)) {
            if p.kind == Kind::Other {
                return None;
            }
            let common = CommonStart {
                time: &line[..start - 1],
                host: &rest[..p.host],
                program: &rest[p.host + 1..p.bytes.len() - 1],
                pid: &rest[p.bytes.len()..],
            };
            return p.kind.daemon(common.read()?);
        }
        if self.recent.len() < PREFIXES
            && let Some(common) = SyslogLine::common_start(line)
        {
            let bytes = rest[..common.host.len() + 1 + common.program.len() + 1].to_vec();
            self.recent.push(Prefix { bytes, host: common.host.len(), kind: Kind::of(common.program) });
        }
        daemon_line(line)
    }
}

/// Whether `hay` starts with `prefix`, compared eight bytes at a time: a line start is a few
/// dozen bytes, which a call to the C library's comparison costs more than comparing.
fn starts_with(hay: &[u8], prefix: &[u8]) -> bool {
    let Some(hay) = hay.get(..prefix.len()) else { return false };
    let word = |c: &[u8]| u64::from_ne_bytes(<[u8; 8]>::try_from(c).unwrap_or_default());
    let (a, b) = (hay.chunks_exact(8), prefix.chunks_exact(8));
    let same_tail = a.remainder().iter().zip(b.remainder()).all(|(x, y)| x == y);
    same_tail && a.zip(b).all(|(x, y)| word(x) == word(y))
}

/// An smtpd line split into its parts; `None` for any other line.
fn smtpd_line(line: &[u8]) -> Option<SyslogLine<'_>> {
    match daemon_line(line)? {
        Daemon::Smtpd(l) => Some(l),
        Daemon::Smtp(_) => None,
    }
}

impl PostfixParser {
    fn read(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        let l = match self.prefixes.daemon_line(line) {
            Some(Daemon::Smtpd(l)) => l,
            Some(Daemon::Smtp(l)) => return self.delivery(number, line, &l, out),
            None => return,
        };
        let key = (host_key(l.host), l.pid);
        let m = l.message;
        if m.starts_with(b"connect from ") {
            // the key's first connect in a chunk: a session of its still open from before ended
            // unlogged (every session open in the chunk was opened here, so its key is seen)
            if let Some(edges) = &mut self.edges
                && self.seen.insert(key)
            {
                edges.carried.push(Carried::Connect(number, key));
            }
            // the client: the rest of the line after `connect from `
            let client = line.len() - m.len() + b"connect from ".len();
            self.open.insert(key, Open::new(number, line, l.time.len(), client), &mut self.evicted);
            return;
        }
        if m.starts_with(b"disconnect from ") {
            match self.open.remove(&key) {
                Some(mut s) => {
                    s.end = Some(s.lines.len());
                    s.times.1 = l.time.len();
                    // the command counts as written: `auth=1` and `auth=1/1` make two shapes of
                    // one, which only costs one more diagnosis
                    Some(disconnect_counts(m)).hash(&mut s.shape);
                    s.keep(number, line);
                    out.push(self.session(s, false));
                }
                None => self.carry(number, line, key),
            }
            return;
        }
        let Some(session) = self.open.get_mut(&key) else {
            self.carry(number, line, key);
            return;
        };
        session.last = number;
        if session.facts < MAX_FACTS
            && session.lines.len() < MAX_KEPT
            && let Some(fact) = read_fact(m)
        {
            fact.hash_shape(&mut session.shape);
            session.user |= fact.user().is_some();
            session.helo |= matches!(fact, Fact::Reject { helo: Some(_), .. });
            session.facts += 1;
            session.keep(number, line);
        }
    }

    /// Keeps line `number` of no open session, when reading a chunk and the line's key has
    /// not connected in it: the line belongs to a session begun before the chunk.
    fn carry(&mut self, number: u64, line: &[u8], key: (u64, u32)) {
        if let Some(edges) = &mut self.edges
            && !self.seen.contains(&key)
        {
            let start = edges.bytes.len();
            edges.bytes.extend_from_slice(line);
            edges.carried.push(Carried::Line(number, start..edges.bytes.len()));
        }
    }
}

/// The command counts of a disconnect message (`disconnect from NAME[IP] ehlo=1 ...`), as
/// written.
fn disconnect_counts(m: &[u8]) -> &[u8] {
    let rest = m.strip_prefix(b"disconnect from ").unwrap_or(m);
    rest.iter().position(|&b| b == b' ').map_or(&b""[..], |i| &rest[i + 1..])
}

/// A session's id: the program and process id, and the line it starts on (unique in a file,
/// and the same whichever thread reads the session).
fn session_id(program: &[u8], pid: u32, line: u64) -> String {
    format!("{}[{pid}]:{line}", text(program))
}

/// The value of `name` up to `end` in a `name=value, ...` message.
fn value<'a>(m: &'a [u8], name: &[u8], end: u8) -> Option<&'a [u8]> {
    find(m, name).map(|i| {
        let v = &m[i + name.len()..];
        &v[..memchr::memchr(end, v).unwrap_or(v.len())]
    })
}

/// [`value`] as text.
fn field(m: &[u8], name: &[u8], end: u8) -> Option<String> {
    value(m, name, end).map(text)
}

/// Searchers for the needles every smtpd line may be tested for, built once.
static DEFERRED: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"status=deferred"));
static BOUNCED: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b"status=bounced"));
static SASL: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(b": SASL "));
static REFUSED_TALK: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"refused to talk to me"));
static SASL_FAILED: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"SASL authentication failed"));

fn host_key(host: &[u8]) -> u64 {
    // FNV-1a: a stable key for the few host names one file holds
    host.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Reads the smtpd message of an open session into a fact.
fn read_fact(m: &[u8]) -> Option<Fact<'_>> {
    if let Some(rest) = m.strip_prefix(b"warning: ") {
        return read_warning(rest);
    }
    // `Anonymous TLS connection established from ...` (or Trusted, Untrusted, Verified): the
    // first word, then these
    const TLS_ESTABLISHED: &[u8] = b" TLS connection established from ";
    if let Some(i) = m.iter().take(16).position(|&b| b == b' ')
        && m[i..].starts_with(TLS_ESTABLISHED)
    {
        let rest = &m[i + TLS_ESTABLISHED.len()..];
        let after = find(rest, b"]: ").map_or(rest, |i| &rest[i + 3..]);
        let (version, rest) = after.split_at(memchr::memchr(b' ', after).unwrap_or(after.len()));
        return Some(Fact::Tls { version, rest });
    }
    for (prefix, timeout) in [(&b"lost connection after "[..], false), (b"timeout after ", true)] {
        if let Some(rest) = m.strip_prefix(prefix) {
            let after = rest.split(|&b| b == b' ').next().unwrap_or_default();
            return Some(Fact::Lost { after, timeout });
        }
    }
    if let Some(rest) = m.strip_prefix(b"improper command pipelining after ") {
        let preview = find(rest, b"]: ").map_or(&b""[..], |i| &rest[i + 3..]);
        // `\026\003` (a TLS handshake record, as Postfix escapes it): TLS spoken to a plain port
        let tls_hello = preview.starts_with(b"\\026\\003") || preview.starts_with(&[0x16, 0x03]);
        return Some(Fact::NotSmtp { preview: &preview[..preview.len().min(60)], tls_hello });
    }
    if m.starts_with(b"SSL_accept error from ") {
        return Some(Fact::TlsError(m));
    }
    // `NOQUEUE: reject: RCPT from ...` or `QUEUEID: reject: ...` / `QUEUEID: client=...`
    let colon = memchr::memchr(b':', m)?;
    let (queue_id, rest) = (&m[..colon], m.get(colon + 2..)?);
    if !queue_id.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    if let Some(rest) = rest.strip_prefix(b"reject: ") {
        return read_reject(rest);
    }
    if let Some(rest) = rest.strip_prefix(b"client=") {
        return Some(Fact::Accepted {
            queue_id,
            mechanism: value(rest, b"sasl_method=", b','),
            user: value(rest, b"sasl_username=", b','),
        });
    }
    None
}

fn read_warning(rest: &[u8]) -> Option<Fact<'_>> {
    if let Some(i) = SASL.find(rest) {
        let after = &rest[i + b": SASL ".len()..];
        let j = find(after, b" authentication failed")?;
        let mechanism = &after[..j];
        let mut reason = after[j + b" authentication failed".len()..].strip_prefix(b":").unwrap_or_default();
        let mut user = None;
        if let Some(u) = find(reason, b", sasl_username=") {
            user = Some(&reason[u + b", sasl_username=".len()..]);
            reason = &reason[..u];
        }
        // LOGIN's failure reason can be the base64 prompt it was at (`UGFzc3dvcmQ6`, Password:):
        // harmless, but never a client's payload, which Postfix does not log
        return Some(Fact::AuthFailed { mechanism, reason: reason.trim_ascii(), user });
    }
    if let Some(i) = find(rest, b"non-SMTP command from ") {
        let after = &rest[i..];
        let preview = find(after, b"]: ").map_or(&b""[..], |j| &after[j + 3..]);
        return Some(Fact::NotSmtp { preview: &preview[..preview.len().min(60)], tls_hello: false });
    }
    if rest.starts_with(b"TLS library problem: ") {
        return Some(Fact::TlsError(rest));
    }
    None
}

fn read_reject(rest: &[u8]) -> Option<Fact<'_>> {
    // `RCPT from NAME[IP]: 554 5.7.1 <x>: Relay access denied; from=<a> to=<b> proto=ESMTP helo=<h>`
    let space = memchr::memchr(b' ', rest)?;
    let command = &rest[..space];
    let i = find(rest, b"]: ")?;
    let said = &rest[i + 3..];
    let (reply_text, fields) = match find(said, b"; from=<") {
        Some(j) => (&said[..j], &said[j + 2..]),
        None => (said, &b""[..]),
    };
    let code = digits(reply_text.get(..3)?).and_then(|c| u16::try_from(c).ok())?;
    Some(Fact::Reject {
        command,
        code,
        text: reply_text.get(4..).unwrap_or_default(),
        from: value(fields, b"from=<", b'>'),
        to: value(fields, b"to=<", b'>'),
        helo: value(fields, b"helo=<", b'>'),
    })
}

/// The cipher of the words after a TLS version: ` with cipher TLS_AES_256_GCM_SHA384 ...`.
fn tls_cipher(rest: &[u8]) -> &[u8] {
    let Some(named) = rest.strip_prefix(b" with cipher ") else { return b"" };
    &named[..memchr::memchr(b' ', named).unwrap_or(named.len())]
}

/// The commands a disconnect line counts that the transcript is rebuilt from.
const COUNTED: [&[u8]; 8] = [b"ehlo", b"helo", b"starttls", b"auth", b"mail", b"rcpt", b"data", b"quit"];

/// The command counts of a disconnect line, `ehlo=2 starttls=1 auth=0/1 ... commands=4/5`:
/// (succeeded, sent) for each of [`COUNTED`]; zero when not logged.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counts([(u32, u32); COUNTED.len()]);

impl Counts {
    fn read(counts: &[u8]) -> Self {
        let mut out = Self::default();
        for w in counts.split(|&b| b == b' ') {
            let Some(eq) = memchr::memchr(b'=', w) else { continue };
            let (name, value) = (&w[..eq], &w[eq + 1..]);
            let Some(i) = Self::index(name) else { continue };
            let pair = match memchr::memchr(b'/', value) {
                Some(s) => digits(&value[..s]).zip(digits(&value[s + 1..])),
                None => digits(value).map(|n| (n, n)),
            };
            if let Some(pair) = pair {
                out.0[i] = pair;
            }
        }
        out
    }

    /// (succeeded, sent) for `name`.
    fn get(&self, name: &[u8]) -> (u32, u32) {
        Self::index(name).map_or((0, 0), |i| self.0[i])
    }

    /// Where `name` is in [`COUNTED`].
    #[inline]
    fn index(name: &[u8]) -> Option<usize> {
        match name {
            b"ehlo" => Some(0),
            b"helo" => Some(1),
            b"starttls" => Some(2),
            b"auth" => Some(3),
            b"mail" => Some(4),
            b"rcpt" => Some(5),
            b"data" => Some(6),
            b"quit" => Some(7),
            _ => None,
        }
    }
}

fn stage_of(command: &str) -> Stage {
    match command {
        "CONNECT" => Stage::Banner,
        "EHLO" | "HELO" => Stage::Ehlo,
        "STARTTLS" => Stage::Tls,
        "AUTH" => Stage::Auth,
        "MAIL" => Stage::MailFrom,
        "RCPT" => Stage::RcptTo,
        "DATA" | "BDAT" | "END-OF-MESSAGE" => Stage::Data,
        "QUIT" => Stage::Quit,
        _ => Stage::Unknown,
    }
}

/// A Postfix session read but not yet rebuilt into a transcript.
#[derive(Clone, Debug)]
pub(crate) enum Deferred {
    /// An smtpd session: the lines the log wrote of it.
    Smtpd(Open),
    /// A failed delivery: its line, to be read as evidence.
    Delivery(DeliveryLine),
}

impl Deferred {
    /// The transcript, as [`PostfixParser`] builds it for every session when not deferring,
    /// and the parts of `meta` left unwritten until now.
    pub fn build(self, meta: &mut SessionMeta) -> Transcript {
        let built = match self {
            Deferred::Smtpd(open) => Some(open.build(meta.incomplete)),
            Deferred::Delivery(kept) => kept.build(),
        };
        match built {
            Some(built) => {
                *meta = built.meta;
                built.transcript
            }
            // cannot be: a delivery line gave a shape only when it quotes a reply
            None => empty_transcript(),
        }
    }

    /// The time of the session's first line, as written (for a session not yet built).
    pub fn started(&self) -> Option<&[u8]> {
        match self {
            Deferred::Smtpd(open) => open.lines.get(..open.times.0),
            Deferred::Delivery(kept) => kept.line.get(..kept.time).filter(|t| !t.is_empty()),
        }
    }

    /// The time of its disconnect line, as written.
    pub fn ended(&self) -> Option<&[u8]> {
        match self {
            Deferred::Smtpd(open) => open.lines.get(open.end?..open.end? + open.times.1),
            Deferred::Delivery(_) => None,
        }
    }

    /// The client as the connect line names it (`printer.lan[192.0.2.7]`).
    pub fn client(&self) -> Option<&[u8]> {
        match self {
            Deferred::Smtpd(open) => open.client(),
            Deferred::Delivery(kept) => kept.line.get(kept.host.clone()).filter(|h| !h.is_empty()),
        }
    }

    /// The client's address, as the built session will have it.
    pub fn client_ip(&self) -> Option<IpAddr> {
        match self {
            Deferred::Smtpd(open) => open.client().and_then(client_ip),
            // the host that logged the delivery: a name, never an address read from the log
            Deferred::Delivery(_) => None,
        }
    }
}

/// A session whose transcript `deferred` builds when asked: its meta now, with `shell` (the
/// empty transcript of its endpoint) standing in until then.
fn pending(meta: SessionMeta, shell: Transcript, shape: u64, deferred: Deferred) -> LogSession {
    let mut session = LogSession::new(LogFormat::Postfix, meta, shell);
    session.shape = Some(shape);
    session.deferred = Some(Box::new(deferred));
    session
}

/// Records a delivery line's failure in `b`; false when the line names none.
fn delivered(b: &mut Building, message: &str) -> bool {
    match mta::postfix("smtp", message) {
        Logged::Reply { code, lines, stage, .. } => {
            b.reply(stage.unwrap_or(Stage::Unknown), Reply::new(code, lines));
            true
        }
        Logged::Event(stage, kind) => {
            b.event(stage.unwrap_or(Stage::Unknown), kind);
            true
        }
        Logged::Nothing => false,
    }
}

/// The shape of a delivery line that quotes a reply starting with its code (so that reading it
/// is sure to give a reply): the code and enhanced code as written, the command it answered,
/// what decides the step, and the reply's words with addresses and ids set aside. `None` for
/// any other line (read at once).
fn delivery_shape(message: &str) -> Option<u64> {
    let (said, command) = mta::said(message)?;
    // a reply line's code, as reading the line will take it (three digits are not enough:
    // found by fuzzing, `said: 700` was deferred and then read as no session at all)
    markers::reply_line(said)?;
    let mut h = FxHasher::default();
    2u8.hash(&mut h);
    // `550 5.7.1` or `550-5.7.1 [ip]`: the codes are in the first two words, kept whole
    let mut words = said.split_ascii_whitespace();
    (words.next(), words.next()).hash(&mut h);
    command.hash(&mut h);
    let m = message.as_bytes();
    REFUSED_TALK.find(m).is_some().hash(&mut h);
    SASL_FAILED.find(m).is_some().hash(&mut h);
    hash_text_shape(said, &mut h);
    Some(h.finish())
}

impl Open {
    /// A session opened by its connect line, line `number`.
    fn new(number: u64, line: &[u8], time: usize, client: usize) -> Self {
        // most sessions keep a handful of lines: one allocation, rarely a regrowth (and under
        // 1 KiB, the allocator's cheap sizes)
        let mut lines = Vec::with_capacity(1000);
        lines.extend_from_slice(line);
        lines.push(b'\n');
        Self {
            lines,
            first: number,
            last: number,
            facts: 0,
            end: None,
            times: (time, 0),
            client,
            shape: FxHasher::default(),
            user: false,
            helo: false,
        }
    }

    /// Keeps line `number` for the transcript.
    fn keep(&mut self, number: u64, line: &[u8]) {
        self.last = number;
        self.lines.extend_from_slice(line);
        self.lines.push(b'\n');
    }

    /// The kept lines, in order.
    fn kept(&self) -> impl Iterator<Item = &[u8]> {
        self.lines.split(|&b| b == b'\n').filter(|l| !l.is_empty())
    }

    /// The client the connect line names.
    fn client(&self) -> Option<&[u8]> {
        let line = &self.lines[..memchr::memchr(b'\n', &self.lines)?];
        line.get(self.client..)
    }

    /// The session with its transcript left unbuilt, and its shape: what the transcript and
    /// its diagnosis depend on (the command counts, which facts in which order, their codes
    /// and the shape of their texts, whether the login and the HELO name are known; not
    /// times, addresses, ids or names).
    fn deferred(mut self, incomplete: bool) -> LogSession {
        if self.end.is_none() {
            // no disconnect line, no counts (hashed with the line when it came)
            None::<&[u8]>.hash(&mut self.shape);
        }
        (self.user, self.helo, incomplete).hash(&mut self.shape);
        let shape = self.shape.finish();
        let meta = SessionMeta {
            first_line: self.first,
            last_line: self.last,
            incomplete,
            ..SessionMeta::default()
        };
        pending(meta, empty_transcript(), shape, Deferred::Smtpd(self))
    }

    /// The session, its transcript rebuilt from the kept lines.
    fn build(&self, incomplete: bool) -> LogSession {
        let mut lines = self.kept().filter_map(smtpd_line);
        let Some(connect) = lines.next() else {
            // cannot be: a session opens on its connect line
            return Building::new(String::new(), self.first, b"").finish(LogFormat::Postfix, incomplete);
        };
        let mut b =
            Building::new(session_id(connect.program, connect.pid, self.first), self.first, connect.time);
        b.meta.server = (!connect.host.is_empty()).then(|| text(connect.host));
        let client = self.client().unwrap_or_default();
        b.meta.client = Some(text(client));
        b.meta.client_ip = client_ip(client);
        let (mut facts, mut helo, mut counts) = (Vec::with_capacity(self.facts), None, Counts::default());
        for l in lines {
            b.seen(self.first, l.time);
            if l.message.starts_with(b"disconnect from ") {
                b.meta.ended = Some(text(l.time));
                counts = Counts::read(disconnect_counts(l.message));
            } else if let Some(fact) = read_fact(l.message) {
                if let Some(user) = fact.user() {
                    b.meta.user = Some(text(user));
                }
                if let Fact::Reject { helo: Some(name), .. } = fact {
                    helo = Some(text(name));
                }
                facts.push((b.at, fact));
            }
        }
        b.meta.last_line = self.last;
        b.meta.incomplete = incomplete;
        let meta = std::mem::take(&mut b.meta);
        let transcript = transcript(b, helo, &facts, &meta, &counts);
        LogSession::new(LogFormat::Postfix, meta, transcript)
    }
}

/// The client's side of the dialogue and the server's replies, rebuilt from the facts and the
/// disconnect line's counts.
fn transcript(
    mut r: Building,
    helo: Option<String>,
    facts: &[(u64, Fact<'_>)],
    meta: &SessionMeta,
    counts: &Counts,
) -> Transcript {
    // a server-side session is about 15 events: grow once, not four times
    r.transcript.events.reserve(16);
    r.transcript.started_at = meta.started.clone();
    let end_ms = r.at;
    r.at = 0;
    let count = |name: &[u8]| counts.get(name);
    let when = |pred: &dyn Fn(&Fact) -> bool| facts.iter().find(|(_, f)| pred(f)).map(|(at, _)| *at);
    let rejects = |cmd: &str| {
        facts
            .iter()
            .filter_map(move |(at, f)| match f {
                Fact::Reject { command, code, text: said, from, to, .. } if *command == cmd.as_bytes() => {
                    Some((*at, Reply::new(*code, [text(said)]), from.map(text), to.map(text)))
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    };

    // what was sent before any command: a TLS hello or HTTP on the SMTP port
    for (at, f) in facts {
        if let Fact::NotSmtp { preview, tls_hello } = f {
            let preview = text(preview);
            r.at = *at;
            if *tls_hello {
                r.event(
                    Stage::Tls,
                    EventKind::TlsFailed {
                        failure: TlsFailure::NotTls,
                        detail: "the server read a TLS handshake where an SMTP command belongs: \
                                 the client started TLS at once on a port that speaks plain SMTP \
                                 first (from the server's log)"
                            .into(),
                        certificates: Vec::new(),
                    },
                );
            } else {
                r.note(Stage::Banner, format!("the client sent something that is not SMTP: {preview}"));
            }
        }
    }
    for (_, reply, ..) in rejects("CONNECT") {
        r.reply(Stage::Banner, reply);
    }
    let helo = helo.unwrap_or_else(|| "(name not in the log)".into());
    let (_, ehlo_sent) = count(b"ehlo");
    let (_, helo_sent) = count(b"helo");
    let greet = if helo_sent > 0 && ehlo_sent == 0 { "HELO" } else { "EHLO" };
    let (tls_ok, tls_sent) = count(b"starttls");
    let tls_fact = facts.iter().find_map(|(at, f)| match f {
        Fact::Tls { version, rest } => {
            let cipher = text(tls_cipher(rest));
            Some((*at, TlsSession { version: text(version), cipher, certificates: Vec::new() }))
        }
        _ => None,
    });
    // TLS without STARTTLS: implicit TLS (smtps, port 465), before any command
    let implicit = tls_sent == 0 && tls_fact.is_some();
    if let Some((at, session)) = tls_fact.clone().filter(|_| implicit) {
        r.transcript.endpoint.security = Security::Tls;
        r.at = at;
        r.event(Stage::Tls, EventKind::TlsEstablished { session });
    }
    if ehlo_sent + helo_sent > 0 {
        r.sent(Stage::Ehlo, format!("{greet} {helo}"));
        for (at, reply, ..) in rejects(greet) {
            r.at = at;
            r.reply(Stage::Ehlo, reply);
        }
    }
    if tls_sent > 0 {
        r.sent(Stage::Tls, "STARTTLS");
        if tls_ok > 0 {
            r.received(Stage::Tls, 220, "2.0.0 Ready to start TLS");
        } else if !facts.iter().any(|(_, f)| matches!(f, Fact::TlsError(_))) {
            r.received(Stage::Tls, 454, "4.7.0 TLS not available due to local problem");
        }
    }
    if let Some(at) = when(&|f| matches!(f, Fact::TlsError(_))) {
        r.at = at;
        let detail = facts.iter().find_map(|(_, f)| match f {
            Fact::TlsError(d) => Some(text(d)),
            _ => None,
        });
        r.event(
            Stage::Tls,
            EventKind::TlsFailed {
                failure: TlsFailure::HandshakeRejected,
                detail: detail.unwrap_or_default(),
                certificates: Vec::new(),
            },
        );
    }
    if let Some((at, session)) = tls_fact.clone().filter(|_| !implicit) {
        r.at = at;
        r.event(Stage::Tls, EventKind::TlsEstablished { session });
        if ehlo_sent + helo_sent > 1 {
            r.sent(Stage::Ehlo, format!("{greet} {helo}"));
        }
    }

    // AUTH: the failures the log names, then the success the queue line shows
    let (auth_ok, auth_sent) = count(b"auth");
    let shown = |mechanism: &str| shown_auth(mechanism, meta.user.as_deref());
    let mut auth_failed = 0;
    for (at, f) in facts {
        if let Fact::AuthFailed { mechanism, reason, .. } = f {
            r.at = *at;
            auth_failed += 1;
            r.sent(Stage::Auth, shown(&text(mechanism)));
            let reason = text(reason);
            let why = if reason.is_empty() || reason == "(reason unavailable)" {
                "authentication failure"
            } else {
                reason.as_str()
            };
            r.received(Stage::Auth, 535, format!("5.7.8 Error: authentication failed: {why}"));
        }
    }
    for _ in auth_failed..auth_sent.saturating_sub(auth_ok) {
        r.sent(Stage::Auth, "AUTH <redacted>");
        r.received(Stage::Auth, 535, "5.7.8 Error: authentication failed: authentication failure");
    }
    if auth_ok > 0 {
        let mechanism = facts
            .iter()
            .find_map(|(_, f)| match f {
                Fact::Accepted { mechanism: Some(m), .. } => Some(text(m)),
                _ => None,
            })
            .unwrap_or_else(|| "PLAIN".into());
        r.sent(Stage::Auth, shown(&mechanism));
        r.received(Stage::Auth, 235, "2.7.0 Authentication successful");
    }

    // MAIL, RCPT, DATA
    let (mail_ok, mail_sent) = count(b"mail");
    let rcpt_rejects = rejects("RCPT");
    let mail_rejects = rejects("MAIL");
    let from = rcpt_rejects
        .iter()
        .chain(&mail_rejects)
        .find_map(|r| r.2.clone())
        .map_or_else(|| "MAIL FROM:<...>".to_owned(), |f| format!("MAIL FROM:<{f}>"));
    for (at, reply, ..) in &mail_rejects {
        r.at = *at;
        r.sent(Stage::MailFrom, from.clone());
        r.reply(Stage::MailFrom, reply.clone());
    }
    let unexplained = mail_sent.saturating_sub(mail_ok) as usize;
    for _ in mail_rejects.len()..unexplained {
        r.sent(Stage::MailFrom, from.clone());
        if tls_sent == 0 && tls_fact.is_none() {
            // not logged by Postfix: with smtpd_tls_security_level=encrypt, MAIL before
            // STARTTLS is refused with this reply
            r.received(Stage::MailFrom, 530, "5.7.0 Must issue a STARTTLS command first");
        } else {
            r.event(
                Stage::MailFrom,
                EventKind::Note { text: "MAIL FROM refused; Postfix did not log the reply".into() },
            );
        }
    }
    for _ in 0..mail_ok {
        r.sent(Stage::MailFrom, from.clone());
        r.received(Stage::MailFrom, 250, "2.1.0 Ok");
    }
    let (rcpt_ok, _) = count(b"rcpt");
    for (at, reply, _, to) in &rcpt_rejects {
        r.at = *at;
        r.sent(Stage::RcptTo, format!("RCPT TO:<{}>", to.as_deref().unwrap_or("...")));
        r.reply(Stage::RcptTo, reply.clone());
    }
    for _ in 0..rcpt_ok {
        r.sent(Stage::RcptTo, "RCPT TO:<...>");
        r.received(Stage::RcptTo, 250, "2.1.5 Ok");
    }
    let (data_ok, data_sent) = count(b"data");
    let data_rejects: Vec<_> = rejects("DATA").into_iter().chain(rejects("END-OF-MESSAGE")).collect();
    if data_sent > 0 {
        r.sent(Stage::Data, "DATA");
        if data_ok > 0 || !rejects("END-OF-MESSAGE").is_empty() {
            r.received(Stage::Data, 354, "End data with <CR><LF>.<CR><LF>");
        }
        for (at, reply, ..) in &data_rejects {
            r.at = *at;
            r.reply(Stage::Data, reply.clone());
        }
        if data_ok > 0 {
            let queue_id = facts.iter().rev().find_map(|(_, f)| match f {
                Fact::Accepted { queue_id, .. } => Some(text(queue_id)),
                _ => None,
            });
            r.received(Stage::Data, 250, format!("2.0.0 Ok: queued as {}", queue_id.unwrap_or_default()));
        }
    }

    // how it ended
    r.at = r.at.max(end_ms);
    let (quit_ok, _) = count(b"quit");
    if quit_ok > 0 {
        r.sent(Stage::Quit, "QUIT");
        r.received(Stage::Quit, 221, "2.0.0 Bye");
        r.event(Stage::Quit, EventKind::Closed { reason: CloseReason::Done });
    } else if let Some((after, timeout)) = facts.iter().find_map(|(_, f)| match f {
        Fact::Lost { after, timeout } => Some((text(after), *timeout)),
        _ => None,
    }) {
        let stage = next_stage(&after);
        if timeout {
            // the server waited for the client and gave up: to the client, the server hung up
            let text = format!("the client sent nothing after {after} until the server's timeout");
            r.event(stage, EventKind::Note { text });
            r.event(stage, EventKind::Closed { reason: CloseReason::PeerClosed });
        } else {
            // the client hung up: its own choice (often a certificate or a reply it did not
            // like), not a failure the server's side shows
            let text = format!("the client closed the connection after {after} without QUIT");
            r.event(stage, EventKind::Note { text });
            r.event(stage, EventKind::Closed { reason: CloseReason::Done });
        }
    }
    r.transcript
}

/// The step a client that left after `command` did not reach.
fn next_stage(command: &str) -> Stage {
    match command {
        "CONNECT" => Stage::Ehlo,
        "EHLO" | "HELO" | "STARTTLS" => Stage::Auth,
        "AUTH" => Stage::Auth,
        "MAIL" => Stage::RcptTo,
        "RCPT" | "DATA" | "BDAT" => Stage::Data,
        "END-OF-MESSAGE" => Stage::Quit,
        other => stage_of(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_line_starts_read_like_the_full_parse() {
        let parts = |d: Option<Daemon<'_>>| {
            d.map(|d| {
                let (kind, l) = match d {
                    Daemon::Smtpd(l) => (1, l),
                    Daemon::Smtp(l) => (2, l),
                };
                (kind, l.time.to_vec(), l.host.to_vec(), l.program.to_vec(), l.pid, l.message.to_vec())
            })
        };
        let lines: [&[u8]; 12] = [
            b"Nov 24 10:00:01 mx postfix/smtpd[1]: connect from a[192.0.2.1]",
            b"Nov 24 10:00:01 mx postfix/qmgr[2]: 5B2C: removed",
            b"Nov 24 10:00:02 mx postfix/smtpd[33]: disconnect from a[192.0.2.1] ehlo=1",
            b"Nov 24 10:00:02 mx postfix/smtpd[x]: not a pid",
            b"Nov 24 10:00:02 mx postfix/smtpd[4] no colon /smtpd[5]: hidden",
            b"Nov 24 10:00:02 mx postfix/qmgr[2] x /smtp[6]: hidden",
            b"Nov 24 10:00:03 mx postfix/smtp[7]: 5B2C: to=<a@b>, status=bounced",
            b"2026-11-24T10:00:01.5+01:00 mx postfix/smtpd[8]: connect from b[192.0.2.2]",
            b"2026-11-24T10:00:01.5+01:00 mx postfix/smtpd[9]: lost connection after EHLO",
            b"Nov 24 10:00:03 mx postfix/smtpd[10]",
            b"Nov 24 10:00:03 mx postfix/smtpd[11]: ",
            b"Nov 24 10:00:03 other postfix/smtpd[12]: connect from c[192.0.2.3]",
        ];
        let mut p = Prefixes::default();
        for _ in 0..2 {
            for line in lines {
                assert_eq!(
                    parts(p.daemon_line(line)),
                    parts(daemon_line(line)),
                    "{}",
                    String::from_utf8_lossy(line)
                );
            }
        }
        assert!(p.recent.len() >= 4, "the starts were remembered");
    }

    #[test]
    fn starts_compared_by_words_like_bytes() {
        let hay: &[u8] = b"mx1 postfix/submission/smtpd[10066]: connect";
        for n in 0..=hay.len() {
            assert!(starts_with(hay, &hay[..n]));
            let mut other = hay[..n].to_vec();
            if let Some(last) = other.last_mut() {
                *last ^= 1;
                assert!(!starts_with(hay, &other), "{n}");
            }
        }
        assert!(!starts_with(b"mx1", b"mx1 "));
    }

    #[test]
    fn counted_names_and_their_places_agree() {
        for (i, name) in COUNTED.iter().enumerate() {
            assert_eq!(Counts::index(name), Some(i));
        }
        let c = Counts::read(b"ehlo=2 starttls=1 auth=0/1 mail=1 rcpt=0/2 bdat=1 commands=5/8 quit=x");
        assert_eq!(
            (c.get(b"ehlo"), c.get(b"auth"), c.get(b"rcpt"), c.get(b"quit")),
            ((2, 2), (0, 1), (0, 2), (0, 0))
        );
    }
}
