//! Sendmail's syslog lines (`sendmail[1234]:`, `sm-mta[1234]:`). Sendmail forks one process
//! per incoming connection, so a session is the lines of one pid; it logs no connect or
//! disconnect, so a session ends at a line that closes it (`did not issue MAIL`, `lost input
//! channel`), when its pid shows another client, or at the end of the input.

use mailprobe_proto::{CloseReason, EventKind, Reply, Stage, TlsFailure, TlsSession};
use memchr::memmem;

use super::{Building, MAX_OPEN_SESSIONS, OpenSessions, SyslogLine, client_ip, shown_auth, text};
use crate::analyze::{LogFormat, LogSession, SessionParser};

/// True when `head` looks like Sendmail's log.
pub fn detect(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n').take(200).filter_map(SyslogLine::parse).any(|l| {
        matches!(l.daemon(), b"sendmail" | b"sm-mta")
            && (memmem::find(l.message, b"relay=").is_some()
                || memmem::find(l.message, b"STARTTLS=").is_some())
    })
}

/// The streaming Sendmail reader.
pub struct SendmailParser {
    open: OpenSessions<(u64, u32), Building>,
    evicted: Vec<Building>,
}

impl Default for SendmailParser {
    fn default() -> Self {
        Self { open: OpenSessions::with_limit(MAX_OPEN_SESSIONS), evicted: Vec::new() }
    }
}

/// `relay=NAME [IP]` (or `relay=[IP]`) up to the next comma.
fn relay(m: &[u8]) -> Option<&[u8]> {
    let i = memmem::find(m, b"relay=")? + 6;
    let v = &m[i..];
    Some(&v[..memchr::memchr(b',', v).unwrap_or(v.len())]).filter(|r| memchr::memchr(b'[', r).is_some())
}

impl SessionParser for SendmailParser {
    fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        let Some(l) = SyslogLine::parse(line) else { return };
        if !matches!(l.daemon(), b"sendmail" | b"sm-mta") {
            return;
        }
        let key = (l.host.iter().fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b))), l.pid);
        // the message may start with a queue id: `4AOA01xx001234: ...`
        let m = match memmem::find(l.message, b": ") {
            Some(i) if l.message[..i].iter().all(u8::is_ascii_alphanumeric) => &l.message[i + 2..],
            _ => l.message,
        };
        let client = relay(m).or_else(|| lost_or_idle_client(m));
        let same_client = |b: &Building| match client {
            Some(c) => b.meta.client.as_deref() == Some(text(c.trim_ascii()).as_str()),
            None => true,
        };
        let open_here = self.open.get_mut(&key).is_some_and(|b| same_client(b));
        if !open_here {
            // a delivery line (`to=`, `stat=`) of a queue runner: not a client session
            let Some(c) = client else { return };
            if memmem::find(m, b"to=").is_some_and(|i| i == 0) || memmem::find(m, b"stat=").is_some() {
                return;
            }
            let id = format!("{}[{}]:{number}", text(l.program), l.pid);
            let mut b = Building::new(id, number, l.time);
            b.meta.server = (!l.host.is_empty()).then(|| text(l.host));
            b.meta.client = Some(text(c.trim_ascii()));
            b.meta.client_ip = client_ip(c);
            self.open.insert(key, b, &mut self.evicted);
        }
        let b = self.open.get_mut(&key).expect("open");
        b.seen(number, l.time);
        if read(b, m) {
            let mut b = self.open.remove(&key).expect("present");
            b.meta.ended = Some(text(l.time));
            out.push(b.finish(LogFormat::Sendmail, false));
        }
        // a session its pid's next client replaced is over, not cut off
        out.extend(self.evicted.drain(..).map(|b| b.finish(LogFormat::Sendmail, false)));
    }

    fn finish(&mut self, out: &mut Vec<LogSession>) {
        // Sendmail logs no disconnect: a session without a closing line is complete as logged
        out.extend(self.open.drain().into_iter().map(|b| b.finish(LogFormat::Sendmail, false)));
    }
}

/// `NAME [IP] did not issue ...` / `lost input channel from NAME [IP] to MTA after rcpt`.
fn lost_or_idle_client(m: &[u8]) -> Option<&[u8]> {
    if let Some(i) = memmem::find(m, b" did not issue ") {
        return Some(&m[..i]);
    }
    let i = memmem::find(m, b"lost input channel from ")? + 24;
    let v = &m[i..];
    Some(&v[..memmem::find(v, b" to ").unwrap_or(v.len())])
}

/// A `name=value` of a Sendmail message, up to the next comma.
fn field<'m>(m: &'m [u8], name: &[u8]) -> Option<&'m [u8]> {
    let mut from = 0;
    while let Some(i) = memmem::find(&m[from..], name) {
        let at = from + i;
        // a whole name: at the start or after ", "
        if at == 0 || m[at - 1] == b' ' {
            let v = &m[at + name.len()..];
            return Some(&v[..memchr::memchr(b',', v).unwrap_or(v.len())]);
        }
        from = at + name.len();
    }
    None
}

/// Reads one message into the session; true when it ends the session.
fn read(b: &mut Building, m: &[u8]) -> bool {
    if m.starts_with(b"STARTTLS=server") {
        if let Some(version) = field(m, b"version=") {
            let cipher = field(m, b"cipher=").map(text).unwrap_or_default();
            b.sent(Stage::Tls, "STARTTLS");
            b.received(Stage::Tls, 220, "2.0.0 Ready to start TLS");
            let session = TlsSession { version: text(version), cipher, certificates: Vec::new() };
            b.event(Stage::Tls, EventKind::TlsEstablished { session });
        } else if memmem::find(m, b"error").is_some() {
            let failure = if memmem::find(m, b"wrong version number").is_some()
                || memmem::find(m, b"http request").is_some()
            {
                TlsFailure::NotTls
            } else {
                TlsFailure::HandshakeRejected
            };
            b.event(Stage::Tls, EventKind::TlsFailed { failure, detail: text(m), certificates: Vec::new() });
        }
        return false;
    }
    if m.starts_with(b"AUTH=server") {
        let mechanism = field(m, b"mech=").map(text).unwrap_or_else(|| "PLAIN".into());
        if let Some(user) = field(m, b"authid=") {
            b.meta.user = Some(text(user));
        }
        b.sent(Stage::Auth, shown_auth(&mechanism, b.meta.user.as_deref()));
        b.received(Stage::Auth, 235, "2.0.0 OK Authenticated");
        return false;
    }
    if let Some(rest) = m.strip_prefix(b"AUTH failure (") {
        let mechanism = text(&rest[..memchr::memchr(b')', rest).unwrap_or(0)]);
        if let Some(user) = field(m, b"user=") {
            b.meta.user = Some(text(user));
        }
        b.sent(Stage::Auth, shown_auth(&mechanism, b.meta.user.as_deref()));
        b.received(Stage::Auth, 535, "5.7.0 authentication failed");
        return false;
    }
    if let Some(ruleset) = field(m, b"ruleset=") {
        let (stage, verb) = match ruleset {
            b"check_rcpt" => (Stage::RcptTo, "RCPT TO:"),
            b"check_mail" => (Stage::MailFrom, "MAIL FROM:"),
            b"check_relay" => (Stage::Banner, ""),
            _ => (Stage::Unknown, ""),
        };
        if !verb.is_empty() {
            b.sent(stage, format!("{verb}{}", field(m, b"arg1=").map(text).unwrap_or_default()));
        }
        if let Some(reject) = memmem::find(m, b"reject=").map(|i| &m[i + 7..]) {
            let code = reject.get(..3).and_then(|c| std::str::from_utf8(c).ok()?.parse::<u16>().ok());
            if let Some(code) = code {
                b.reply(stage, Reply::new(code, [text(reject.get(4..).unwrap_or_default())]));
            }
        }
        return false;
    }
    if m.starts_with(b"from=") {
        if field(m, b"nrcpts=") == Some(b"0") {
            // no recipient accepted: the refusals were their own lines
            return false;
        }
        b.sent(Stage::MailFrom, format!("MAIL FROM:{}", field(m, b"from=").map(text).unwrap_or_default()));
        b.received(Stage::MailFrom, 250, "2.1.0 Sender ok");
        b.sent(Stage::RcptTo, "RCPT TO:<...>");
        b.received(Stage::RcptTo, 250, "2.1.5 Recipient ok");
        b.sent(Stage::Data, "DATA");
        b.received(Stage::Data, 354, "Enter mail, end with \".\" on a line by itself");
        b.received(Stage::Data, 250, "2.0.0 Message accepted for delivery");
        return false;
    }
    if memmem::find(m, b" did not issue ").is_some() {
        b.note(Stage::MailFrom, "the client left without sending a message (did not issue MAIL)");
        b.event(Stage::Quit, EventKind::Closed { reason: CloseReason::Done });
        return true;
    }
    if m.starts_with(b"lost input channel from ") {
        let after = memmem::find(m, b" after ").map(|i| text(&m[i + 7..])).unwrap_or_default();
        let stage = match after.as_str() {
            "rcpt" | "mail" => Stage::Data,
            "data" => Stage::Data,
            "auth" => Stage::Auth,
            _ => Stage::Unknown,
        };
        b.note(stage, format!("the client closed the connection after {after} without QUIT"));
        b.event(stage, EventKind::Closed { reason: CloseReason::Done });
        return true;
    }
    false
}
