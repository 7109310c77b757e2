//! Server-side logs: a mail server's record of every client session, stitched back together.

mod exchange;
mod exim;
mod opensmtpd;
mod postfix;
mod sendmail;

use std::collections::VecDeque;
use std::hash::Hash;
use std::net::IpAddr;

use mailprobe_proto::{Endpoint, EventKind, Protocol, Reply, Role, Security, Stage, Transcript};
use rustc_hash::FxHashMap;

use super::{LogFormat, LogSession, SessionMeta, SessionParser};

pub use exchange::ExchangeCsvParser;
pub use exim::EximParser;
pub use opensmtpd::OpensmtpdParser;
pub(crate) use postfix::Deferred;
pub use postfix::{Edges, MAX_OPEN_SESSIONS, PostfixParser};
pub use sendmail::SendmailParser;

/// Recognises a mail server's log from its first bytes.
pub fn detect(head: &[u8]) -> Option<LogFormat> {
    if exchange::detect(head) {
        Some(LogFormat::ExchangeCsv)
    } else if exim::detect(head) {
        Some(LogFormat::Exim)
    } else if sendmail::detect(head) {
        Some(LogFormat::Sendmail)
    } else if opensmtpd::detect(head) {
        // before Postfix: OpenSMTPD's daemon is `smtpd` too (its lines are told apart by the
        // session id they start with)
        Some(LogFormat::Opensmtpd)
    } else if postfix::detect(head) {
        Some(LogFormat::Postfix)
    } else {
        None
    }
}

/// A parser for a server-side `format`.
pub fn parser_for(format: LogFormat) -> Box<dyn SessionParser> {
    match format {
        LogFormat::Exim => Box::new(EximParser::default()),
        LogFormat::Sendmail => Box::new(SendmailParser::default()),
        LogFormat::ExchangeCsv => Box::new(ExchangeCsvParser::default()),
        LogFormat::Opensmtpd => Box::new(OpensmtpdParser::default()),
        _ => Box::new(PostfixParser::default()),
    }
}

/// The sessions of a server log still open, by the key that stitches their lines (a process
/// id, a session id), bounded: past the bound the oldest is flushed as incomplete.
pub(crate) struct OpenSessions<K, S> {
    map: FxHashMap<K, (u64, S)>,
    /// Keys in the order their sessions opened, with the sequence number each had: entries
    /// whose session has since ended are skipped when met, and swept out now and then, so
    /// finding the oldest costs O(1) amortised instead of a scan of every open session.
    order: VecDeque<(u64, K)>,
    opened: u64,
    max: usize,
}

impl<K: Hash + Eq + Clone, S> OpenSessions<K, S> {
    /// At most `max` sessions open at once.
    pub fn with_limit(max: usize) -> Self {
        Self::with_room(max, 0)
    }

    /// At most `max` sessions open at once, room for `room` made at once.
    pub fn with_room(max: usize, room: usize) -> Self {
        let map = FxHashMap::with_capacity_and_hasher(room, Default::default());
        Self { map, order: VecDeque::with_capacity(room), opened: 0, max: max.max(1) }
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut S> {
        self.map.get_mut(key).map(|(_, s)| s)
    }

    pub fn remove(&mut self, key: &K) -> Option<S> {
        self.map.remove(key).map(|(_, s)| s)
    }

    /// Opens a session; pushes onto `evicted` one still open under the same key (its end was
    /// not logged) and, past the bound, the oldest.
    pub fn insert(&mut self, key: K, session: S, evicted: &mut Vec<S>) {
        // at the bound (rarely), the key's own session goes first, then the oldest if still
        // needed; below it, the insert alone finds the key's session (one look-up)
        if self.map.len() >= self.max {
            evicted.extend(self.remove(&key));
            if self.map.len() >= self.max {
                while let Some((seq, oldest)) = self.order.pop_front() {
                    if self.map.get(&oldest).is_some_and(|(s, _)| *s == seq) {
                        evicted.extend(self.remove(&oldest));
                        break;
                    }
                }
            }
        }
        self.opened += 1;
        self.order.push_back((self.opened, key.clone()));
        if let Some((_, old)) = self.map.insert(key, (self.opened, session)) {
            evicted.push(old);
        }
        // rarely: each sweep looks every entry up (64 Ki stale entries are 1.5 MiB at most)
        if self.order.len() > 2 * self.map.len() + 65_536 {
            let map = &self.map;
            self.order.retain(|(seq, k)| map.get(k).is_some_and(|(s, _)| s == seq));
        }
    }

    /// Every session still open, oldest first.
    pub fn drain(&mut self) -> Vec<S> {
        self.drain_keyed().into_iter().map(|(_, s)| s).collect()
    }

    /// Every session still open with its key, oldest first.
    pub fn drain_keyed(&mut self) -> Vec<(K, S)> {
        self.order.clear();
        let mut rest: Vec<(u64, K, S)> = self.map.drain().map(|(k, (seq, s))| (seq, k, s)).collect();
        rest.sort_by_key(|(seq, ..)| *seq);
        rest.into_iter().map(|(_, k, s)| (k, s)).collect()
    }
}

/// A session being read: its meta and the client's side of the dialogue so far.
#[derive(Clone, Debug)]
pub(crate) struct Building {
    pub meta: SessionMeta,
    pub transcript: Transcript,
    /// Seconds since midnight of its first line, for event times.
    start: Option<u32>,
    /// The time of the latest event, in ms since the start.
    pub at: u64,
}

impl Building {
    /// A session whose first line is `number`, written at `time`.
    pub fn new(id: String, number: u64, time: &[u8]) -> Self {
        let transcript = empty_transcript();
        let started = (!time.is_empty()).then(|| text(time));
        let meta =
            SessionMeta { id, started, first_line: number, last_line: number, ..SessionMeta::default() };
        Self { meta, transcript, start: clock_seconds(time), at: 0 }
    }

    /// Moves the clock to the line written at `time` (line `number`).
    pub fn seen(&mut self, number: u64, time: &[u8]) {
        self.meta.last_line = number;
        if let (Some(start), Some(now)) = (self.start, clock_seconds(time)) {
            // a session running over midnight
            let secs = if now >= start { now - start } else { now + 86_400 - start };
            self.at = self.at.max(u64::from(secs) * 1000);
        }
    }

    pub fn sent(&mut self, stage: Stage, line: impl Into<String>) {
        self.event(stage, EventKind::Sent { line: line.into() });
    }

    pub fn received(&mut self, stage: Stage, code: u16, line: impl Into<String>) {
        self.reply(stage, Reply::new(code, [line.into()]));
    }

    pub fn reply(&mut self, stage: Stage, reply: Reply) {
        self.event(stage, EventKind::Received { reply });
    }

    pub fn event(&mut self, stage: Stage, kind: EventKind) {
        // a runaway session (a client looping on one connection) stops growing; its first
        // events hold where it went wrong
        if self.transcript.events.len() < crate::paste::MAX_EVENTS {
            self.transcript.push(self.at, stage, kind);
        }
    }

    /// A remark on the session (what the log shows that is no SMTP line).
    pub fn note(&mut self, stage: Stage, text: impl Into<String>) {
        self.event(stage, EventKind::Note { text: text.into() });
    }

    /// The session read from a `format` log; `incomplete` when its end was not seen.
    pub fn finish(mut self, format: LogFormat, incomplete: bool) -> LogSession {
        self.meta.incomplete = incomplete;
        self.transcript.started_at = self.meta.started.clone();
        LogSession::new(format, self.meta, self.transcript)
    }
}

/// The transcript of a server-side session before anything is known of it: SMTP, the server
/// as far as the log tells (host empty, port 0).
pub(crate) fn empty_transcript() -> Transcript {
    let endpoint = Endpoint { host: String::new(), port: 0, security: Security::Starttls };
    Transcript::new(Protocol::Smtp, Role::Primary, endpoint)
}

/// A syslog line split into its parts, borrowed from the line:
/// `TIME HOST PROGRAM[PID]: MESSAGE`, where TIME is `Nov 24 10:00:01` or RFC 3339.
#[derive(Debug)]
pub(crate) struct SyslogLine<'a> {
    pub time: &'a [u8],
    pub host: &'a [u8],
    /// `postfix/submission/smtpd`, `sendmail`.
    pub program: &'a [u8],
    pub pid: u32,
    pub message: &'a [u8],
}

impl<'a> SyslogLine<'a> {
    /// Any syslog line with a `PROGRAM[PID]: ` tag.
    pub fn parse(line: &'a [u8]) -> Option<Self> {
        let open = find(line, b"]: ")?;
        let bracket = memchr::memrchr(b'[', &line[..open])?;
        Self::parse_at(line, bracket)
    }

    /// How `line` starts, when it starts the common way, read forwards: a `Mmm dd hh:mm:ss`
    /// time (15 bytes) or an RFC 3339 one (up to the first space), one space, the host, one
    /// space, then `PROGRAM[`. `None` for any other line (see [`Self::parse`]).
    pub fn common_start(line: &'a [u8]) -> Option<CommonStart<'a>> {
        let host_start = Self::host_start(line)?;
        let rest = &line[host_start..];
        let host_end = memchr::memchr(b' ', rest)?;
        let (host, rest) = (&rest[..host_end], &rest[host_end + 1..]);
        // the program ends at `[`; a space first: not this shape
        let bracket = memchr::memchr2(b'[', b' ', rest).filter(|&i| rest[i] == b'[')?;
        let program = &rest[..bracket];
        if program.is_empty() || host.is_empty() {
            return None;
        }
        Some(CommonStart { time: &line[..host_start - 1], host, program, pid: &rest[bracket + 1..] })
    }

    /// Where the host starts in a line whose time is written the common way: after a
    /// `Mmm dd hh:mm:ss` time (15 bytes) or an RFC 3339 one (up to the first space), and a space.
    pub fn host_start(line: &[u8]) -> Option<usize> {
        let time_end = if line.first()?.is_ascii_digit() {
            memchr::memchr(b' ', line)?
        } else {
            (line.get(15) == Some(&b' ')).then_some(15)?
        };
        Some(time_end + 1)
    }

    /// The line whose `[PID]: ` starts at `bracket` or, for a marker like `/smtpd[`, at the
    /// marker's `[` (`at` may point anywhere in the program name before it).
    pub fn parse_at(line: &'a [u8], at: usize) -> Option<Self> {
        let bracket = at + memchr::memchr(b'[', line.get(at..)?)?;
        let close = bracket + memchr::memchr(b']', &line[bracket..])?;
        let pid = digits(&line[bracket + 1..close])?;
        let message = line.get(close + 1..)?.strip_prefix(b": ")?;
        let space = memchr::memrchr(b' ', &line[..bracket])?;
        let program = &line[space + 1..bracket];
        let before = line[..space].trim_ascii_end();
        let host_start = memchr::memrchr(b' ', before).map_or(0, |i| i + 1);
        let host = &before[host_start..];
        let time = before[..host_start].trim_ascii();
        if time.is_empty() || program.is_empty() {
            return None;
        }
        Some(Self { time, host, program, pid, message })
    }

    /// The daemon: the last part of the program (`smtpd` of `postfix/submission/smtpd`).
    pub fn daemon(&self) -> &'a [u8] {
        let p = self.program;
        memchr::memrchr(b'/', p).map_or(p, |i| &p[i + 1..])
    }
}

/// The start of a syslog line written the common way: `TIME HOST PROGRAM[`, and what follows.
pub(crate) struct CommonStart<'a> {
    pub time: &'a [u8],
    pub host: &'a [u8],
    pub program: &'a [u8],
    /// The rest of the line after `[`: `PID]: MESSAGE`.
    pub pid: &'a [u8],
}

impl<'a> CommonStart<'a> {
    /// The whole line, when `PID]: ` follows.
    pub fn read(self) -> Option<SyslogLine<'a>> {
        let close = self.pid.iter().position(|&b| b == b']')?;
        let pid = digits(&self.pid[..close])?;
        let message = self.pid[close + 1..].strip_prefix(b": ")?;
        Some(SyslogLine { time: self.time, host: self.host, program: self.program, pid, message })
    }
}

/// Seconds since midnight of a syslog (`Nov 24 10:00:01`) or RFC 3339 time, for durations.
pub(crate) fn clock_seconds(time: &[u8]) -> Option<u32> {
    // the time of day is the first `HH:MM:SS` in either form
    let i = memchr::memchr(b':', time)?;
    let hms = time.get(i.checked_sub(2)?..i + 6)?;
    let n = |a: usize| digits(&hms[a..a + 2]);
    if hms[5] != b':' {
        return None;
    }
    let (h, m, s) = (n(0)?, n(3)?, n(6)?);
    (h < 24 && m < 60 && s < 61).then_some(h * 3600 + m * 60 + s)
}

/// The address of `NAME[IP]` (Postfix, Sendmail's `relay=NAME [IP]`), when it has one.
pub(crate) fn client_ip(client: &[u8]) -> Option<IpAddr> {
    let open = memchr::memchr(b'[', client)?;
    let close = memchr::memchr(b']', &client[open..]).map_or(client.len(), |c| open + c);
    let ip = client[open + 1..close].trim_ascii();
    if let Some(v4) = ipv4(ip) {
        return Some(IpAddr::V4(v4));
    }
    let ip = std::str::from_utf8(ip).ok()?;
    ip.strip_prefix("IPv6:").unwrap_or(ip).parse().ok()
}

/// A dotted-quad address as the standard parser reads it (no leading zeros), in one pass:
/// half the sessions of a busy log are counted by their client's address.
fn ipv4(b: &[u8]) -> Option<std::net::Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = b.split(|&c| c == b'.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.len() > 1 && part[0] == b'0' {
            return None;
        }
        *octet = u8::try_from(digits(part).filter(|_| part.len() <= 3)?).ok()?;
    }
    parts.next().is_none().then_some(std::net::Ipv4Addr::from(octets))
}

/// An AUTH command as a transcript shows it when the log names only the mechanism (and the
/// user): mail servers never log the payload, and nothing of it is invented.
pub(crate) fn shown_auth(mechanism: &str, user: Option<&str>) -> String {
    match user {
        Some(u) => format!("AUTH {mechanism} <redacted: {mechanism} user={u}>"),
        None => format!("AUTH {mechanism} <redacted: {mechanism}>"),
    }
}

/// Log bytes as text (invalid UTF-8 replaced).
pub(crate) fn text(b: &[u8]) -> String {
    super::lossy(b).into_owned()
}

/// Where `needle` (a short literal) first occurs in `haystack`. Cheaper than a `memmem`
/// searcher for the few bytes of a log line: no setup, a `memchr` on one of its bytes.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    // anchor on the first byte, or the second when the first is a space (common in text)
    let k = usize::from(needle.len() > 1 && needle[0] == b' ');
    let anchor = *needle.get(k)?;
    memchr::memchr_iter(anchor, haystack)
        .filter_map(|i| i.checked_sub(k))
        .find(|&start| haystack.get(start..start + needle.len()) == Some(needle))
}

/// A decimal number of at most 9 digits.
pub(crate) fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    let mut n = 0;
    for &d in b {
        let v = d.wrapping_sub(b'0');
        if v > 9 {
            return None;
        }
        n = n * 10 + u32::from(v);
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_needles_found_like_memmem() {
        let hay: &[u8] = b"x[1.2.3.4]: 535 a]:b ]: authentication failed, sasl_username=u";
        for needle in
            [&b"]: "[..], b" authentication failed", b", sasl_username=", b"u", b"zz", b" ", b"]: a"]
        {
            assert_eq!(find(hay, needle), memchr::memmem::find(hay, needle), "{needle:?}");
        }
        assert_eq!(find(b"", b"]: "), None);
        assert_eq!(find(b" a", b" a"), Some(0));
        assert_eq!(find(b"abc", b""), None);
    }

    proptest::proptest! {
        // for any needle, the first place memmem finds
        #[test]
        fn any_needle_found_like_memmem(
            hay in proptest::collection::vec(proptest::sample::select(b"ab =<]:".to_vec()), 0..40),
            needle in proptest::collection::vec(proptest::sample::select(b"ab =<]:".to_vec()), 1..5),
        ) {
            proptest::prop_assert_eq!(find(&hay, &needle), memchr::memmem::find(&hay, &needle));
        }
    }

    #[test]
    fn syslog_lines_of_both_time_forms() {
        let l = SyslogLine::parse(
            b"Nov 24 03:04:56 mail postfix/submission/smtpd[12141]: connect from x[1.2.3.4]",
        )
        .unwrap();
        assert_eq!(
            (l.time, l.host, l.program, l.pid),
            (&b"Nov 24 03:04:56"[..], &b"mail"[..], &b"postfix/submission/smtpd"[..], 12141)
        );
        assert_eq!(l.daemon(), b"smtpd");
        assert_eq!(clock_seconds(l.time), Some(3 * 3600 + 4 * 60 + 56));
        let l = SyslogLine::parse(b"2026-11-24T10:00:01.123+01:00 mx1 sendmail[77]: x: from=<a>").unwrap();
        assert_eq!((l.time, l.host, l.pid), (&b"2026-11-24T10:00:01.123+01:00"[..], &b"mx1"[..], 77));
        assert_eq!(clock_seconds(l.time), Some(36001));
        // read forwards, the common forms give the same parts
        for line in [
            &b"Nov 24 03:04:56 mail postfix/submission/smtpd[12141]: connect from x[1.2.3.4]"[..],
            b"Nov  1 03:04:56 mail postfix/smtpd[7]: warning: a]: b",
            b"2026-11-24T10:00:01.123+01:00 mx1 sendmail[77]: x: from=<a>",
        ] {
            let (a, b) =
                (SyslogLine::parse(line).unwrap(), SyslogLine::common_start(line).unwrap().read().unwrap());
            assert_eq!(
                (a.time, a.host, a.program, a.pid, a.message),
                (b.time, b.host, b.program, b.pid, b.message)
            );
        }
        for odd in [
            &b"Nov 1 03:04:56 mail postfix/smtpd[7]: x"[..],
            b"Nov 24 03:04:56 postfix/smtpd[7]: x",
            b"",
            b"1",
        ] {
            assert!(SyslogLine::common_start(odd).and_then(CommonStart::read).is_none(), "{odd:?}");
        }
        assert!(SyslogLine::parse(b"smtpd[1]: no time").is_none());
        assert!(SyslogLine::parse(b"]: ").is_none());
    }

    #[test]
    fn clients() {
        assert_eq!(client_ip(b"printer.lan[192.0.2.7]"), "192.0.2.7".parse().ok());
        assert_eq!(client_ip(b" relay.example [ 192.0.2.8 ] "), "192.0.2.8".parse().ok());
        assert_eq!(client_ip(b"unknown[IPv6:2001:db8::1]"), "2001:db8::1".parse().ok());
        assert_eq!(client_ip(b"unknown"), None);
        assert_eq!(client_ip(b"["), None);
        // the quick IPv4 reading agrees with the standard one
        for ip in [
            "192.0.2.7",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            "",
            "1.2.3.a",
        ] {
            assert_eq!(ipv4(ip.as_bytes()), ip.parse().ok(), "{ip}");
        }
    }
}
