//! Exim's mainlog: `2026-11-24 10:00:01 [1234] ...`. A session's lines are stitched by what
//! names the connection in them: the client's address and port (`H=host [ip]:port`,
//! `log_selector = +incoming_port`), whichever process wrote the line; else the process id
//! (`+pid`) of the process Exim forks for each connection; else the address alone, when two
//! connections from one address can only be told apart by their order. The daemon itself logs
//! the connection (`SMTP connection from ... (TCP/IP connection count = 1)`, `+smtp_connection`)
//! under its own pid: without a port, that session waits under its address for the child's
//! first line. Sessions open there or at the first line that names the client, and end at
//! `closed by QUIT`, `lost`, `no MAIL in SMTP connection`, `dropped` or a rejected connection.

use std::collections::VecDeque;

use mailprobe_proto::{CloseReason, EventKind, Reply, Stage, TlsFailure, TlsSession};
use memchr::memmem;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Building, MAX_OPEN_SESSIONS, OpenSessions, digits, shown_auth, text};
use crate::analyze::{LogFormat, LogSession, SessionParser};
use crate::paste::mta::{self, Logged};

/// True when `head` looks like an Exim mainlog.
pub fn detect(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n').take(200).filter_map(EximLine::parse).any(|l| {
        let m = l.message;
        m.starts_with(b"SMTP connection from ")
            || memmem::find(m, b" <= ").is_some()
            || memmem::find(m, b"authenticator failed for ").is_some()
            || (memmem::find(m, b" H=").is_some() && memmem::find(m, b" rejected ").is_some())
            || memmem::find(m, b"Completed").is_some() && m.len() < 40
    })
}

/// An Exim log line: time, optional pid, message.
struct EximLine<'a> {
    time: &'a [u8],
    pid: Option<u32>,
    message: &'a [u8],
}

impl<'a> EximLine<'a> {
    fn parse(line: &'a [u8]) -> Option<Self> {
        // `YYYY-MM-DD HH:MM:SS[.ddd] [+ZZZZ] [[PID]] message`
        let date = line.get(..10)?;
        if !(date[4] == b'-' && date[7] == b'-' && date[..4].iter().all(u8::is_ascii_digit)) {
            return None;
        }
        let mut rest = line.get(11..)?;
        let time_end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
        if time_end < 8 || rest[2] != b':' {
            return None;
        }
        let time = &line[..11 + time_end];
        rest = rest.get(time_end + 1..).unwrap_or_default();
        if rest.first().is_some_and(|&b| b == b'+' || b == b'-') && rest.get(5) == Some(&b' ') {
            rest = &rest[6..];
        }
        let mut pid = None;
        if rest.first() == Some(&b'[') {
            let close = memchr::memchr(b']', rest)?;
            pid = digits(&rest[1..close]);
            rest = rest.get(close + 2..).unwrap_or_default();
        }
        Some(Self { time, pid, message: rest })
    }
}

/// The key a session's lines share.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Pid(u32),
    /// The client's address, and its port when the log shows it (`+incoming_port`): one
    /// address may hold several connections at once (a NAT, a multi-threaded sender).
    Client(String, Option<u16>),
    /// A connection the daemon logged (`+pid`, no port), by address and line, until the first
    /// line of the process it forked for it names that process.
    Pending(String, u64),
}

/// The streaming Exim reader.
pub struct EximParser {
    open: OpenSessions<Key, Building>,
    evicted: Vec<Building>,
    /// The keys of the sessions that ended last, oldest first (and as a set): Exim writes a
    /// line or two after `closed by QUIT` (`no MAIL in SMTP connection from ... C=EHLO,QUIT`
    /// with `+smtp_no_mail`), which are the ended session's, not a new one.
    ended: VecDeque<Key>,
    ended_set: FxHashSet<Key>,
    /// By address, the lines of the daemon's connection lines whose sessions wait for their
    /// process ([`Key::Pending`]), oldest first: the oldest connection's child speaks first.
    pending: FxHashMap<String, VecDeque<u64>>,
}

/// How many ended sessions' keys are kept for their trailing lines.
const ENDED_KEPT: usize = 256;

impl Default for EximParser {
    fn default() -> Self {
        Self {
            open: OpenSessions::with_limit(MAX_OPEN_SESSIONS),
            evicted: Vec::new(),
            ended: VecDeque::with_capacity(ENDED_KEPT),
            ended_set: FxHashSet::default(),
            pending: FxHashMap::default(),
        }
    }
}

impl EximParser {
    fn remember_ended(&mut self, key: Key) {
        if self.ended.len() == ENDED_KEPT
            && let Some(old) = self.ended.pop_front()
        {
            self.ended_set.remove(&old);
        }
        if self.ended_set.insert(key.clone()) {
            self.ended.push_back(key);
        }
    }

    /// Waits a session the daemon opened for `ip` for its process.
    fn wait_for_process(&mut self, ip: &str, number: u64) {
        // rarely: sessions flushed while they waited (a log cut short) leave their lines here
        if self.pending.len() > MAX_OPEN_SESSIONS {
            let open = &mut self.open;
            self.pending.retain(|ip, lines| {
                lines.retain(|&n| open.get_mut(&Key::Pending(ip.clone(), n)).is_some());
                !lines.is_empty()
            });
        }
        self.pending.entry(ip.to_owned()).or_default().push_back(number);
    }

    /// The oldest session of `ip` still waiting for its process, taken out.
    fn take_waiting(&mut self, ip: &str) -> Option<Building> {
        let lines = self.pending.get_mut(ip)?;
        let mut found = None;
        while let Some(n) = lines.pop_front() {
            found = self.open.remove(&Key::Pending(ip.to_owned(), n));
            if found.is_some() {
                break;
            }
        }
        if lines.is_empty() {
            self.pending.remove(ip);
        }
        found
    }
}

/// `HOST [IP]:PORT` or `(HELO) [IP]:PORT` after `from `/`H=`: the client as written, and its
/// address.
fn client_after<'m>(m: &'m [u8], marker: &[u8]) -> Option<&'m [u8]> {
    let i = memmem::find(m, marker)? + marker.len();
    let rest = &m[i..];
    let close = memchr::memchr(b']', rest)?;
    let end = rest[close..].iter().position(|&b| b == b' ' || b == b',').map_or(rest.len(), |p| close + p);
    Some(&rest[..end])
}

fn client_ip_text(client: &[u8]) -> Option<String> {
    let open = memchr::memchr(b'[', client)?;
    let close = memchr::memchr(b']', client)?;
    (close > open).then(|| text(&client[open + 1..close]))
}

/// The port of `... [IP]:PORT` (`+incoming_port`), when written.
fn client_port(client: &[u8]) -> Option<u16> {
    let close = memchr::memrchr(b']', client)?;
    let rest = client.get(close + 1..)?.strip_prefix(b":")?;
    let end = rest.iter().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
    u16::try_from(digits(&rest[..end])?).ok()
}

impl SessionParser for EximParser {
    fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        let Some(l) = EximLine::parse(line) else { return };
        let m = l.message;
        let client = client_after(m, b"SMTP connection from ")
            .or_else(|| client_after(m, b" H="))
            .or_else(|| client_after(m, b"H="))
            .or_else(|| client_after(m, b"authenticator failed for "))
            .or_else(|| client_after(m, b"connection from "))
            .or_else(|| client_after(m, b"SMTP call from "));
        let opens = m.starts_with(b"SMTP connection from ") && memmem::find(m, b"connection count").is_some();
        let ip = client.and_then(client_ip_text);
        let key = match (&ip, client.and_then(client_port), l.pid) {
            (Some(ip), Some(port), _) => Key::Client(ip.clone(), Some(port)),
            // the daemon's pid, not the session's
            (Some(ip), None, Some(_)) if opens => Key::Pending(ip.clone(), number),
            (_, _, Some(pid)) => Key::Pid(pid),
            (Some(ip), None, None) => Key::Client(ip.clone(), None),
            (None, _, None) => return,
        };
        if !opens && self.open.get_mut(&key).is_none() && self.ended_set.contains(&key) {
            // a trailing line of a session that has ended
            return;
        }
        if let (Key::Pid(_), Some(ip)) = (&key, &ip)
            && self.open.get_mut(&key).is_none()
            && let Some(b) = self.take_waiting(ip)
        {
            // the child's first line: the session the daemon opened for its address is its own
            self.open.insert(key.clone(), b, &mut self.evicted);
        }
        if opens || self.open.get_mut(&key).is_none() {
            // deliveries (`=>`, `->`, `**`, `==`) are Exim as a client: not a client session
            let delivery =
                [&b" => "[..], b" -> ", b" ** ", b" == "].iter().any(|d| memmem::find(m, d).is_some());
            if client.is_none() || delivery {
                return;
            }
            let id = match &key {
                Key::Pid(pid) => format!("exim[{pid}]:{number}"),
                Key::Client(ip, Some(port)) => format!("exim [{ip}]:{port}:{number}"),
                Key::Client(ip, None) | Key::Pending(ip, _) => format!("exim {ip}:{number}"),
            };
            let mut b = Building::new(id, number, l.time);
            let c = client.unwrap_or_default();
            b.meta.client = Some(text(c));
            b.meta.client_ip = client_ip_text(c).and_then(|s| s.parse().ok());
            self.open.insert(key.clone(), b, &mut self.evicted);
            if let (Key::Pending(..), Some(ip)) = (&key, &ip) {
                self.wait_for_process(ip, number);
            }
            if opens {
                out.extend(self.evicted.drain(..).map(|b| b.finish(LogFormat::Exim, true)));
                return;
            }
        }
        let Some(b) = self.open.get_mut(&key) else { return };
        b.seen(number, l.time);
        if read(b, m, line) {
            let mut b = self.open.remove(&key).expect("present");
            b.meta.ended = Some(text(l.time));
            out.push(b.finish(LogFormat::Exim, false));
            self.remember_ended(key);
        }
        out.extend(self.evicted.drain(..).map(|b| b.finish(LogFormat::Exim, true)));
    }

    fn finish(&mut self, out: &mut Vec<LogSession>) {
        out.extend(self.open.drain().into_iter().map(|b| b.finish(LogFormat::Exim, true)));
    }
}

/// Reads one message into the session; true when it ends the session.
fn read(b: &mut Building, m: &[u8], line: &[u8]) -> bool {
    if let Some(c) = memmem::find(m, b" C=") {
        // `no MAIL in SMTP connection from ... D=5s C=EHLO,STARTTLS,EHLO,AUTH,QUIT`
        for command in m[c + 3..].split(|&b| b == b',') {
            let command = text(command.split(|&b| b == b' ').next().unwrap_or_default());
            let stage = match command.as_str() {
                "EHLO" | "HELO" => Stage::Ehlo,
                "STARTTLS" => Stage::Tls,
                "AUTH" => Stage::Auth,
                "MAIL" => Stage::MailFrom,
                "RCPT" => Stage::RcptTo,
                "DATA" | "BDAT" => Stage::Data,
                "QUIT" => Stage::Quit,
                _ => Stage::Unknown,
            };
            if command == "AUTH" {
                // the failed login was its own line (authenticator failed): already recorded
                if !b.transcript.events.iter().any(|e| e.stage == Stage::Auth) {
                    b.sent(stage, "AUTH <redacted>");
                }
            } else if !command.is_empty() {
                b.sent(stage, command);
            }
        }
    }
    if m.starts_with(b"SMTP connection from ") {
        if memmem::find(m, b"closed by QUIT").is_some() {
            b.sent(Stage::Quit, "QUIT");
            b.received(Stage::Quit, 221, "closing connection");
            b.event(Stage::Quit, EventKind::Closed { reason: CloseReason::Done });
            return true;
        }
        if memmem::find(m, b" lost").is_some() {
            b.note(Stage::Unknown, "the client closed the connection without QUIT");
            b.event(Stage::Unknown, EventKind::Closed { reason: CloseReason::Done });
            return true;
        }
        return false;
    }
    if m.starts_with(b"no MAIL in SMTP connection from ")
        || m.starts_with(b"no host name found")
        || memmem::find(m, b"unexpected disconnection while reading SMTP command").is_some()
    {
        let ended = !m.starts_with(b"no host name found");
        if ended {
            b.event(Stage::Quit, EventKind::Closed { reason: CloseReason::Done });
        }
        return ended;
    }
    if let Some(i) = memmem::find(m, b"TLS error on connection from ") {
        let detail = text(&m[i..]);
        let failure = if memmem::find(m, b"wrong version number").is_some()
            || memmem::find(m, b"http request").is_some()
        {
            TlsFailure::NotTls
        } else {
            TlsFailure::HandshakeRejected
        };
        b.event(Stage::Tls, EventKind::TlsFailed { failure, detail, certificates: Vec::new() });
        return false;
    }
    if memmem::find(m, b"SMTP protocol synchronization error").is_some() {
        // a TLS ClientHello (`input="\026\003...`) where the greeting should have been awaited
        if memmem::find(m, b"input=\"\\026\\003").is_some() {
            b.event(
                Stage::Tls,
                EventKind::TlsFailed {
                    failure: TlsFailure::NotTls,
                    detail: "the server read a TLS handshake before its greeting: the client started \
                             TLS at once on a port that speaks plain SMTP first (from the server's log)"
                        .into(),
                    certificates: Vec::new(),
                },
            );
        } else {
            b.note(Stage::Banner, text(m));
        }
        return memmem::find(m, b"rejected connection").is_some();
    }
    if m.starts_with(b"SMTP command timeout on connection from ")
        || m.starts_with(b"SMTP data timeout")
        || m.starts_with(b"SMTP call from ")
    {
        b.note(Stage::Unknown, text(m));
        b.event(Stage::Unknown, EventKind::Closed { reason: CloseReason::PeerClosed });
        return true;
    }
    if let Some(i) = memmem::find(m, b" <= ") {
        arrival(b, &m[i + 4..]);
        return false;
    }
    if memmem::find(m, b"authenticator failed for ").is_some() {
        let mechanism = m
            .split(|&c| c == b' ')
            .next()
            .map(|a| text(a.rsplit(|&c| c == b'_').next().unwrap_or(a)).to_ascii_uppercase())
            .unwrap_or_default();
        if let Some(user) = memmem::find(m, b"(set_id=").map(|i| &m[i + 8..]) {
            b.meta.user = Some(text(&user[..memchr::memchr(b')', user).unwrap_or(user.len())]));
        }
        b.sent(Stage::Auth, shown_auth(&mechanism, b.meta.user.as_deref()));
    } else if let Some(i) = memmem::find(m, b" rejected ") {
        let what = &m[i + 10..];
        let command = if what.starts_with(b"RCPT") {
            Some((Stage::RcptTo, "RCPT TO:"))
        } else if what.starts_with(b"MAIL") {
            Some((Stage::MailFrom, "MAIL FROM:"))
        } else if what.starts_with(b"after DATA") {
            Some((Stage::Data, "DATA"))
        } else {
            None
        };
        if let Some((stage, verb)) = command {
            let arg = memchr::memchr(b'<', what)
                .and_then(|s| memchr::memchr(b'>', &what[s..]).map(|e| text(&what[s..=s + e])));
            b.sent(stage, format!("{verb}{}", arg.unwrap_or_default()));
        }
    }
    if let Ok(line) = std::str::from_utf8(line) {
        match mta::read(line) {
            Some(Logged::Reply { code, lines, stage, .. }) => {
                b.reply(stage.unwrap_or(Stage::Unknown), Reply::new(code, lines));
            }
            Some(Logged::Event(stage, kind)) => b.event(stage.unwrap_or(Stage::Unknown), kind),
            _ => {}
        }
    }
    false
}

/// `<= sender H=... P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_plain:alice ...`:
/// a message accepted, and with it TLS, the login and MAIL/RCPT/DATA.
fn arrival(b: &mut Building, m: &[u8]) {
    let field = |name: &[u8]| {
        memmem::find(m, name).map(|i| {
            let v = &m[i + name.len()..];
            &v[..memchr::memchr(b' ', v).unwrap_or(v.len())]
        })
    };
    let started_tls = b.transcript.events.iter().any(|e| matches!(e.kind, EventKind::TlsEstablished { .. }));
    if let Some(x) = field(b" X=").filter(|_| !started_tls) {
        let mut parts = x.split(|&c| c == b':');
        let version = text(parts.next().unwrap_or_default());
        let cipher = text(parts.next().unwrap_or_default());
        b.event(
            Stage::Tls,
            EventKind::TlsEstablished { session: TlsSession { version, cipher, certificates: Vec::new() } },
        );
    }
    let authenticated = b.transcript.events.iter().any(
        |e| matches!(&e.kind, EventKind::Received { reply } if e.stage == Stage::Auth && reply.code == 235),
    );
    if let Some(a) = field(b" A=").filter(|_| !authenticated) {
        let (authenticator, user) = match memchr::memchr(b':', a) {
            Some(i) => (&a[..i], Some(text(&a[i + 1..]))),
            None => (a, None),
        };
        let mechanism =
            text(authenticator.rsplit(|&c| c == b'_').next().unwrap_or(authenticator)).to_ascii_uppercase();
        b.meta.user = user.or(b.meta.user.take());
        b.sent(Stage::Auth, shown_auth(&mechanism, b.meta.user.as_deref()));
        b.received(Stage::Auth, 235, "Authentication succeeded");
    }
    let sender = text(&m[..memchr::memchr(b' ', m).unwrap_or(m.len())]);
    b.sent(Stage::MailFrom, format!("MAIL FROM:<{}>", sender.trim_matches(['<', '>'])));
    b.received(Stage::MailFrom, 250, "OK");
    b.sent(Stage::RcptTo, "RCPT TO:<...>");
    b.received(Stage::RcptTo, 250, "Accepted");
    b.sent(Stage::Data, "DATA");
    b.received(Stage::Data, 354, "Enter message, ending with \".\" on a line by itself");
    b.received(Stage::Data, 250, "OK");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(log: &str) -> Vec<LogSession> {
        let mut p = EximParser::default();
        let mut out = Vec::new();
        for (i, line) in log.lines().enumerate() {
            p.line(i as u64 + 1, line.as_bytes(), &mut out);
        }
        p.finish(&mut out);
        out
    }

    /// The client's side of a session: its commands and the replies' codes and texts.
    fn dialogue(s: &LogSession) -> Vec<String> {
        s.transcript
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Sent { line } => Some(format!("C: {line}")),
                EventKind::Received { reply } => {
                    Some(format!("S: {} {}", reply.code, reply.lines.join(" / ")))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn ports_of_the_documented_forms() {
        // `H=host (helo) [ip]:port` with +incoming_port; `[ip]` alone without it
        assert_eq!(client_port(b"printer.lan [192.0.2.7]:40112"), Some(40112));
        assert_eq!(client_port(b"printer.lan [192.0.2.7]:40112:"), Some(40112));
        assert_eq!(client_port(b"(desktop-7) [2001:db8::7]:587"), Some(587));
        assert_eq!(client_port(b"printer.lan [192.0.2.7]"), None);
        assert_eq!(client_port(b"[192.0.2.7]:99999"), None);
        assert_eq!(client_port(b"[192.0.2.7]:"), None);
    }

    /// Without `+pid`, two connections from one address at once are told apart by their ports;
    /// an ACL message's own code is the reply's, quoted once.
    #[test]
    fn interleaved_connections_of_one_address() {
        let s = read(
            "\
2026-11-24 10:00:01 SMTP connection from [198.51.100.7]:40112 (TCP/IP connection count = 1)
2026-11-24 10:00:01 SMTP connection from [198.51.100.7]:40113 (TCP/IP connection count = 2)
2026-11-24 10:00:02 H=(desktop-7) [198.51.100.7]:40112 rejected MAIL <someone@example.org>: 530 5.7.0 Authentication required
2026-11-24 10:00:02 H=(desktop-8) [198.51.100.7]:40113 F=<other@example.org> rejected RCPT <friend@elsewhere.example>: relay not permitted
2026-11-24 10:00:03 SMTP connection from (desktop-8) [198.51.100.7]:40113 closed by QUIT
2026-11-24 10:00:03 SMTP connection from (desktop-7) [198.51.100.7]:40112 closed by QUIT
",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].meta.id, "exim [198.51.100.7]:40113:2");
        assert_eq!(
            dialogue(&s[0]),
            [
                "C: RCPT TO:<friend@elsewhere.example>",
                "S: 550 relay not permitted",
                "C: QUIT",
                "S: 221 closing connection"
            ]
        );
        assert_eq!(
            dialogue(&s[1]),
            [
                "C: MAIL FROM:<someone@example.org>",
                "S: 530 5.7.0 Authentication required",
                "C: QUIT",
                "S: 221 closing connection"
            ]
        );
        assert!(s.iter().all(|s| !s.meta.incomplete));
    }

    /// Exim 4.96's own lines (Debian bookworm, `+pid +incoming_port +smtp_connection
    /// +smtp_no_mail +smtp_incomplete_transaction`), two swaks clients at once: the daemon logs
    /// each connection under its own pid, the process it forks the rest, and `no MAIL` comes
    /// after `closed by QUIT`.
    const REAL: &str = "\
2026-12-07 03:03:52 [20009] SMTP connection from [127.0.0.1]:45232 I=[127.0.0.1]:24125 (TCP/IP connection count = 1)
2026-12-07 03:03:52 [20009] SMTP connection from [127.0.0.1]:45244 I=[127.0.0.1]:24125 (TCP/IP connection count = 2)
2026-12-07 03:03:52 [21832] H=(vm) [127.0.0.1]:45244 I=[127.0.0.1]:24125 F=<alice@example.test> rejected RCPT <x@elsewhere.example>: relay not permitted
2026-12-07 03:03:52 [21832] H=(vm) [127.0.0.1]:45244 I=[127.0.0.1]:24125 incomplete transaction (QUIT) from <alice@example.test>
2026-12-07 03:03:52 [21832] SMTP connection from (vm) [127.0.0.1]:45244 I=[127.0.0.1]:24125 closed by QUIT
2026-12-07 03:03:52 [21827] PLAIN authenticator failed for (vm) [127.0.0.1]:45232 I=[127.0.0.1]:24125: 535 Incorrect authentication data (set_id=alice@example.test)
2026-12-07 03:03:52 [21827] SMTP connection from (vm) [127.0.0.1]:45232 I=[127.0.0.1]:24125 closed by QUIT
2026-12-07 03:03:52 [21827] no MAIL in SMTP connection from (vm) [127.0.0.1]:45232 I=[127.0.0.1]:24125 D=0s X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=no C=EHLO,STARTTLS,EHLO,AUTH,QUIT
2026-12-07 03:03:53 [20009] SMTP connection from [127.0.0.1]:45246 I=[127.0.0.1]:24125 (TCP/IP connection count = 1)
2026-12-07 03:03:53 [22005] SMTP connection from [127.0.0.1]:45246 I=[127.0.0.1]:24125 closed by QUIT
2026-12-07 03:03:53 [22005] no MAIL in SMTP connection from [127.0.0.1]:45246 I=[127.0.0.1]:24125 D=0s C=QUIT
";

    /// The two refusals of [`REAL`] and the QUIT-only probe after them, each whole and once.
    fn check_real(s: &[LogSession]) {
        assert_eq!(s.len(), 3, "{:?}", s.iter().map(|s| &s.meta.id).collect::<Vec<_>>());
        assert_eq!(
            dialogue(&s[0]),
            [
                "C: RCPT TO:<x@elsewhere.example>",
                "S: 550 relay not permitted",
                "C: QUIT",
                "S: 221 closing connection"
            ]
        );
        assert_eq!(
            dialogue(&s[1]),
            [
                "C: AUTH PLAIN <redacted: PLAIN user=alice@example.test>",
                "S: 535 Incorrect authentication data (set_id=alice@example.test)",
                "C: QUIT",
                "S: 221 closing connection"
            ]
        );
        assert_eq!(dialogue(&s[2]), ["C: QUIT", "S: 221 closing connection"]);
        assert_eq!((s[0].meta.first_line, s[0].meta.last_line), (2, 5));
        assert_eq!((s[1].meta.first_line, s[1].meta.last_line), (1, 7));
        assert!(s.iter().all(|s| !s.meta.incomplete));
    }

    #[test]
    fn real_exim_log_with_pid_and_port() {
        let s = read(REAL);
        check_real(&s);
        assert_eq!(s[0].meta.client.as_deref(), Some("[127.0.0.1]:45244"));
    }

    /// The same log without `+incoming_port`: the daemon's connection lines wait under their
    /// address, oldest first, for the first line of a forked process.
    #[test]
    fn real_exim_log_with_pid_only() {
        let no_ports = REAL.replace(":45232", "").replace(":45244", "").replace(":45246", "");
        // the first child to speak took the oldest connection: the one that was refused relay
        // came second, so its session starts at line 1 here
        let s = read(&no_ports);
        assert_eq!(s.len(), 3);
        assert_eq!(dialogue(&s[0])[..2], ["C: RCPT TO:<x@elsewhere.example>", "S: 550 relay not permitted"]);
        assert_eq!(dialogue(&s[1])[1], "S: 535 Incorrect authentication data (set_id=alice@example.test)");
        assert_eq!(dialogue(&s[2]), ["C: QUIT", "S: 221 closing connection"]);
        assert!(s.iter().all(|s| !s.meta.incomplete));
        assert_eq!((s[0].meta.first_line, s[1].meta.first_line), (1, 2));
    }

    /// Without `+incoming_port` the address alone keys a session: one after another still works.
    #[test]
    fn address_alone_when_no_port_is_logged() {
        let s = read(
            "\
2026-11-24 10:00:01 SMTP connection from [198.51.100.7] (TCP/IP connection count = 1)
2026-11-24 10:00:02 H=(desktop-7) [198.51.100.7] F=<a@example.org> rejected RCPT <b@elsewhere.example>: relay not permitted
2026-11-24 10:00:03 SMTP connection from (desktop-7) [198.51.100.7] closed by QUIT
2026-11-24 10:00:04 SMTP connection from [198.51.100.7] (TCP/IP connection count = 1)
2026-11-24 10:00:05 SMTP connection from [198.51.100.7] lost
",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].meta.id, "exim 198.51.100.7:1");
        assert_eq!(s[0].failed_step().unwrap().stage, Stage::RcptTo);
        assert!(s[1].failed_step().is_none() && !s[1].meta.incomplete);
    }
}
