//! Exim's mainlog: `2026-11-24 10:00:01 [1234] ...`. Sessions are stitched by the process id
//! (`log_selector = +pid`), which Exim gives each incoming connection, or else by the client's
//! address; they open at `SMTP connection from` (`+smtp_connection`) or at the first line that
//! names the client, and end at `closed by QUIT`, `lost`, `no MAIL in SMTP connection`,
//! `dropped` or a rejected connection.

use mailprobe_proto::{CloseReason, EventKind, Reply, Stage, TlsFailure, TlsSession};
use memchr::memmem;

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
    Client(String),
}

/// The streaming Exim reader.
pub struct EximParser {
    open: OpenSessions<Key, Building>,
    evicted: Vec<Building>,
}

impl Default for EximParser {
    fn default() -> Self {
        Self { open: OpenSessions::with_limit(MAX_OPEN_SESSIONS), evicted: Vec::new() }
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
        let key = match (l.pid, client.and_then(client_ip_text)) {
            (Some(pid), _) => Key::Pid(pid),
            (None, Some(ip)) => Key::Client(ip),
            (None, None) => return,
        };
        let opens = m.starts_with(b"SMTP connection from ") && memmem::find(m, b"connection count").is_some();
        if opens || self.open.get_mut(&key).is_none() {
            // deliveries (`=>`, `->`, `**`, `==`) are Exim as a client: not a client session
            let delivery =
                [&b" => "[..], b" -> ", b" ** ", b" == "].iter().any(|d| memmem::find(m, d).is_some());
            if client.is_none() || delivery {
                return;
            }
            let id = match &key {
                Key::Pid(pid) => format!("exim[{pid}]:{number}"),
                Key::Client(ip) => format!("exim {ip}:{number}"),
            };
            let mut b = Building::new(id, number, l.time);
            let c = client.unwrap_or_default();
            b.meta.client = Some(text(c));
            b.meta.client_ip = client_ip_text(c).and_then(|s| s.parse().ok());
            self.open.insert(key.clone(), b, &mut self.evicted);
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
