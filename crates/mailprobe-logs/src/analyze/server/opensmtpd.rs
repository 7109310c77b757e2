//! OpenSMTPD's log (`smtpd[1234]: 7a3b1c2d4e5f6a7b smtp connected address=192.0.2.7 ...`), in
//! syslog or as `smtpd -d` prints it (the message alone). Every line of a session starts with
//! its id, 16 hex digits, so sessions are stitched by that id whatever interleaves them.
//!
//! The formats are OpenSMTPD's own `log_info` calls (usr.sbin/smtpd in the OpenSMTPD
//! repository): the incoming side from smtp_session.c (`smtp connected`, `smtp tls`,
//! `smtp authentication`, `smtp failed-command`, `smtp bad-input`, `smtp message`,
//! `smtp envelope`, `smtp disconnected`), the replies it quotes from smtp_session.c and
//! lka_session.c (`550 Invalid recipient` when no `match` rule takes the recipient, as for a
//! client relaying without a login), the outgoing side from mta_session.c and mta.c
//! (`mta connecting`, `mta tls`, `mta error`, `mta delivery ... result="TempFail" stat="..."`,
//! `mta disconnected`, `smtp-out: Error on session ...`), and the ciphers from to.c
//! (`tls_to_text`, `VERSION:CIPHER:BITS`). Three generations are read: 7.x and 6.6+ as above,
//! 6.4 (`address=` and `host=` on every line, `starttls ciphers="version=..., cipher=..."`,
//! one `message` line per recipient with `from=` and `to=`) and 6.0 (`event=NAME`, `closed`).
//!
//! OpenSMTPD as a client (`mta`) makes a session only when a delivery failed, as Postfix's
//! deliveries do: a relay that went well is not what `analyze` looks for.

use std::net::{IpAddr, SocketAddr};

use mailprobe_proto::{CloseReason, EventKind, Reply, Security, Stage, TlsFailure, TlsSession};
use memchr::memmem;

use super::{Building, MAX_OPEN_SESSIONS, OpenSessions, SyslogLine, find, shown_auth, text};
use crate::analyze::{LogFormat, LogSession, SessionParser};
use crate::paste::mta::{self, Logged};
use crate::paste::redact;

/// True when `head` looks like OpenSMTPD's log: a line of a session it knows the event of.
pub fn detect(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n').take(200).filter_map(OpenLine::parse).any(|l| l.event != Event::Other)
}

/// Which side of OpenSMTPD wrote a line: the server (`smtp`) or the client relaying (`mta`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Smtp,
    Mta,
}

/// What a line says happened (the word after `smtp `/`mta `, `event=` stripped in 6.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    Connecting,
    Connected,
    Tls,
    Authentication,
    FailedCommand,
    BadInput,
    Message,
    Envelope,
    Delivery,
    Error,
    Closing,
    Disconnected,
    /// A line of the session that says nothing `analyze` reads (`cert-check`, ...).
    Other,
}

impl Event {
    fn of(word: &[u8]) -> Self {
        match word {
            b"connecting" => Self::Connecting,
            b"connected" => Self::Connected,
            b"tls" | b"starttls" => Self::Tls,
            b"authentication" => Self::Authentication,
            b"failed-command" => Self::FailedCommand,
            b"bad-input" => Self::BadInput,
            b"message" => Self::Message,
            b"envelope" => Self::Envelope,
            b"delivery" => Self::Delivery,
            b"error" => Self::Error,
            b"closing" => Self::Closing,
            b"disconnected" | b"closed" => Self::Disconnected,
            _ => Self::Other,
        }
    }
}

/// One line of an OpenSMTPD session, borrowed from the line.
struct OpenLine<'a> {
    time: &'a [u8],
    /// The syslog host: the server that wrote the line (empty for `smtpd -d` output).
    host: &'a [u8],
    id: u64,
    side: Side,
    event: Event,
    /// What follows the event word: `name=value` fields (for `smtp-out: Error on session`, the
    /// error itself).
    fields: &'a [u8],
}

impl<'a> OpenLine<'a> {
    fn parse(line: &'a [u8]) -> Option<Self> {
        // `smtpd -d` prints the message alone; syslog puts `TIME HOST smtpd[PID]: ` before it
        if session_id(line).is_some() || line.starts_with(b"smtp-out: ") {
            return Self::message(b"", b"", line);
        }
        let l = SyslogLine::parse(line)?;
        Self::message(l.time, l.host, l.message)
    }

    /// `ID smtp|mta [event=]EVENT FIELDS`, or `smtp-out: Error on session ID...: ERROR`.
    fn message(time: &'a [u8], host: &'a [u8], m: &'a [u8]) -> Option<Self> {
        if let Some(rest) = m.strip_prefix(b"smtp-out: Error on session ") {
            // mta_session.c, mta_error after a message went: `ID after N messages sent: ERROR`
            let id = session_id(rest)?;
            let colon = find(rest, b": ")?;
            let fields = &rest[colon + 2..];
            return Some(Self { time, host, id, side: Side::Mta, event: Event::Error, fields });
        }
        let id = session_id(m)?;
        let rest = &m[17..];
        let (side, rest) = if let Some(r) = rest.strip_prefix(b"smtp ") {
            (Side::Smtp, r)
        } else {
            (Side::Mta, rest.strip_prefix(b"mta ")?)
        };
        let rest = rest.strip_prefix(b"event=").unwrap_or(rest);
        let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        let fields = rest.get(end + 1..).unwrap_or_default();
        Some(Self { time, host, id, side, event: Event::of(&rest[..end]), fields })
    }
}

/// The session id a message starts with: 16 hex digits (`%016" PRIx64`) and a space.
fn session_id(m: &[u8]) -> Option<u64> {
    let hex = m.get(..16)?;
    if m.get(16) != Some(&b' ') || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

/// Where field `name=` starts its value: the whole name, at the start or after a space.
fn value_start(fields: &[u8], name: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = fields.get(from..).and_then(|f| memmem::find(f, name)) {
        let at = from + i;
        if (at == 0 || fields[at - 1] == b' ') && fields.get(at + name.len()) == Some(&b'=') {
            return Some(at + name.len() + 1);
        }
        from = at + name.len();
    }
    None
}

/// Field `name`'s value: up to the next space, or inside its quotes.
fn field<'a>(fields: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let v = &fields[value_start(fields, name)?..];
    match v.strip_prefix(b"\"") {
        Some(q) => Some(&q[..memchr::memchr(b'"', q).unwrap_or(q.len())]),
        None => Some(&v[..memchr::memchr(b' ', v).unwrap_or(v.len())]),
    }
}

/// The last field of a line, quoted, whose value may hold quotes itself (a reply, a status):
/// everything after `name="` but the closing quote.
fn last_field<'a>(fields: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let v = &fields[value_start(fields, name)?..];
    let v = v.strip_prefix(b"\"").unwrap_or(v);
    Some(v.strip_suffix(b"\"").unwrap_or(v))
}

/// A `failed-command`'s command: between `command="` and the last `" result="` (a command may
/// hold quotes: OpenSMTPD escapes only unsafe bytes in it, not `"`).
fn command_field(fields: &[u8]) -> Option<&[u8]> {
    let start = value_start(fields, b"command")?;
    let v = fields[start..].strip_prefix(b"\"")?;
    let end = memmem::rfind(v, b"\" result=\"")?;
    Some(&v[..end])
}

/// The stage a command opens, by its verb.
fn command_stage(command: &[u8]) -> Stage {
    let end = command.iter().position(|&b| b == b' ' || b == b':').unwrap_or(command.len());
    match command[..end].to_ascii_uppercase().as_slice() {
        b"" => Stage::Banner,
        b"EHLO" | b"HELO" | b"LHLO" => Stage::Ehlo,
        b"STARTTLS" => Stage::Tls,
        b"AUTH" => Stage::Auth,
        b"MAIL" => Stage::MailFrom,
        b"RCPT" => Stage::RcptTo,
        b"DATA" | b"BDAT" => Stage::Data,
        b"QUIT" | b"RSET" => Stage::Quit,
        _ => Stage::Unknown,
    }
}

/// `CODE TEXT` as a reply; `None` when the text starts with no reply code.
fn reply_of(result: &[u8]) -> Option<Reply> {
    let code =
        result.get(..3).filter(|c| c.iter().all(u8::is_ascii_digit) && (b'2'..=b'5').contains(&c[0]))?;
    if !matches!(result.get(3), None | Some(b' ' | b'-')) {
        return None;
    }
    let code = u16::from(code[0] - b'0') * 100 + u16::from(code[1] - b'0') * 10 + u16::from(code[2] - b'0');
    Some(Reply::new(code, [text(result.get(4..).unwrap_or_default().trim_ascii())]))
}

/// `ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256` (to.c), or 6.4's `version=TLSv1.2, cipher=...,
/// bits=256`.
fn tls_session(ciphers: &[u8]) -> TlsSession {
    let (version, cipher) = if let Some(v) = value_start(ciphers, b"version") {
        let part = |from: usize| {
            let v = &ciphers[from..];
            text(&v[..memchr::memchr(b',', v).unwrap_or(v.len())])
        };
        (part(v), value_start(ciphers, b"cipher").map(part).unwrap_or_default())
    } else {
        let mut parts = ciphers.split(|&b| b == b':');
        (text(parts.next().unwrap_or_default()), text(parts.next().unwrap_or_default()))
    };
    TlsSession { version, cipher, certificates: Vec::new() }
}

/// An address as OpenSMTPD writes it (sa_to_text: `192.0.2.7`, `[2001:db8::1]`, `local`).
fn address(a: &[u8]) -> Option<IpAddr> {
    let a = a.strip_prefix(b"[").and_then(|a| a.strip_suffix(b"]")).unwrap_or(a);
    let a = std::str::from_utf8(a).ok()?;
    a.strip_prefix("IPv6:").unwrap_or(a).parse().ok()
}

/// A message accepted, waiting for its recipients' lines before it goes into the transcript
/// (MAIL, RCPT, DATA in the order the client sent them, though OpenSMTPD logs them after).
struct Accepted {
    msgid: Vec<u8>,
    from: Option<String>,
    /// The first [`MAX_RCPTS`] recipients; `more` counts the rest.
    rcpts: Vec<String>,
    more: usize,
}

/// Recipients of one message shown one by one; the rest are counted.
const MAX_RCPTS: usize = 32;

/// A session being read.
struct Open {
    b: Building,
    side: Side,
    /// A login refused (`permfail`) or failed (`tempfail`), until the reply's own line comes.
    auth_failed: Option<Vec<u8>>,
    message: Option<Accepted>,
    /// The server's last reply ended the session (STATE_QUIT in smtp_session.c): a 421, or a
    /// 500 to bad input. Its `disconnected reason=quit` then follows no QUIT of the client.
    hung_up: bool,
    /// OpenSMTPD as a client: something failed (only such sessions are shown).
    failed: bool,
    /// The last failure text recorded, so that a delivery line repeating the `mta error` before
    /// it (mta_error, then mta_flush_task with the same text) is not recorded twice.
    last_failure: Vec<u8>,
}

impl Open {
    fn new(l: &OpenLine<'_>, number: u64) -> Self {
        let mut b = Building::new(format!("{:016x}", l.id), number, l.time);
        let server = (!l.host.is_empty()).then(|| text(l.host));
        match l.side {
            // the log's host is the server the client spoke to...
            Side::Smtp => b.meta.server = server,
            // ...or the one relaying, a client itself
            Side::Mta => b.meta.client = server,
        }
        let (auth_failed, message, last_failure) = (None, None, Vec::new());
        Self { b, side: l.side, auth_failed, message, hung_up: false, failed: false, last_failure }
    }

    /// The session as read, `None` for OpenSMTPD as a client when nothing failed.
    fn finish(mut self, incomplete: bool) -> Option<LogSession> {
        self.flush();
        match self.side {
            Side::Smtp => Some(self.b.finish(LogFormat::Opensmtpd, incomplete)),
            // after an error OpenSMTPD logs no end of the session: it is whole as logged
            Side::Mta => self.failed.then(|| self.b.finish(LogFormat::Opensmtpd, false)),
        }
    }

    /// Writes what waited for lines that did not come: a refused login's reply, a message's
    /// recipients.
    fn flush(&mut self) {
        self.flush_auth();
        self.flush_message();
    }

    fn flush_auth(&mut self) {
        if let Some(result) = self.auth_failed.take() {
            // the reply OpenSMTPD sends (smtp_session.c): its own line did not come
            self.b.sent(Stage::Auth, redacted_auth(None, self.b.meta.user.as_deref()));
            let (code, line) = if result == b"tempfail" {
                (421, "4.3.0 Temporary failure")
            } else {
                (535, "Authentication failed")
            };
            self.b.received(Stage::Auth, code, line);
        }
    }

    fn flush_message(&mut self) {
        let Some(m) = self.message.take() else { return };
        let b = &mut self.b;
        b.sent(Stage::MailFrom, format!("MAIL FROM:<{}>", m.from.as_deref().unwrap_or("...")));
        b.received(Stage::MailFrom, 250, "2.0.0 Ok");
        let rcpt_ok = "2.1.5 Destination address valid: Recipient ok";
        for to in &m.rcpts {
            b.sent(Stage::RcptTo, format!("RCPT TO:<{to}>"));
            b.received(Stage::RcptTo, 250, rcpt_ok);
        }
        if m.more > 0 {
            b.note(Stage::RcptTo, format!("{} more recipients accepted", m.more));
        } else if m.rcpts.is_empty() {
            b.sent(Stage::RcptTo, "RCPT TO:<...>");
            b.received(Stage::RcptTo, 250, rcpt_ok);
        }
        b.sent(Stage::Data, "DATA");
        b.received(Stage::Data, 354, "Enter mail, end with \".\" on a line by itself");
        b.received(Stage::Data, 250, format!("2.0.0 {} Message accepted for delivery", text(&m.msgid)));
    }

    /// Reads a line of the incoming side; true when it ends the session.
    fn smtp(&mut self, l: &OpenLine<'_>) -> bool {
        let f = l.fields;
        if self.b.meta.client.is_none()
            && let Some(a) = field(f, b"address")
        {
            // 6.4 names the client on every line; 7.x only when it connects
            self.b.meta.client_ip = address(a);
            // `<unknown>` when the address has no name (smtp_session.c)
            self.b.meta.client = Some(match field(f, b"host") {
                Some(h) if h != a && h != b"<unknown>" => format!("{} [{}]", text(h), text(a)),
                _ => text(a),
            });
        }
        if !matches!(l.event, Event::Message | Event::Envelope) {
            self.flush_message();
        }
        let auth_reply = l.event == Event::FailedCommand
            && command_field(f).is_some_and(|c| command_stage(c) == Stage::Auth);
        if !auth_reply {
            self.flush_auth();
        }
        if l.event != Event::Disconnected {
            self.hung_up = false;
        }
        match l.event {
            Event::Tls => {
                let session = tls_session(field(f, b"ciphers").unwrap_or_default());
                self.b.event(Stage::Tls, EventKind::TlsEstablished { session });
            }
            Event::Authentication => {
                if let Some(user) = field(f, b"user") {
                    self.b.meta.user = Some(text(user));
                }
                match field(f, b"result") {
                    Some(b"ok") => {
                        self.b.sent(Stage::Auth, redacted_auth(None, self.b.meta.user.as_deref()));
                        self.b.received(Stage::Auth, 235, "2.0.0 Authentication succeeded");
                    }
                    // the reply comes on its own line (a failed-command), after a pause
                    Some(result) => self.auth_failed = Some(result.to_vec()),
                    None => {}
                }
            }
            Event::FailedCommand => self.failed_command(f),
            Event::BadInput => {
                // a line too long, or commands pipelined without PIPELINING: no command named
                self.b.note(Stage::Unknown, "the server refused what the client sent (bad input)");
                if let Some(reply) = last_field(f, b"result").and_then(reply_of) {
                    self.b.reply(Stage::Unknown, reply);
                }
                self.hung_up = true;
            }
            Event::Message | Event::Envelope => self.accepted(f),
            Event::Disconnected => {
                self.disconnected(field(f, b"reason").unwrap_or_default(), f);
                return true;
            }
            _ => {}
        }
        false
    }

    /// `failed-command command="RCPT TO:<x@elsewhere.example>" result="550 Invalid recipient:
    /// <x@elsewhere.example>"`: the command and the reply refusing it.
    fn failed_command(&mut self, f: &[u8]) {
        let command = command_field(f).unwrap_or_default();
        let stage = command_stage(command);
        // a refused login's reply is this line, whatever it says
        self.auth_failed = None;
        let b = &mut self.b;
        if stage == Stage::Auth {
            // `AUTH PLAIN (...)`, `AUTH LOGIN (password)` (the secret never logged); any other
            // mechanism's line could carry its initial response, shown only by its name
            let mechanism = command.split(|&c| c == b' ').nth(1).map(|m| text(m).to_ascii_uppercase());
            b.sent(stage, redacted_auth(mechanism.as_deref(), b.meta.user.as_deref()));
        } else if !command.is_empty() {
            // after a refused AUTH step (a 501 ends the dialogue) a client may still send its
            // answer to the challenge: OpenSMTPD logs that secret as an unknown command
            let after_auth = b.transcript.events.iter().rev().find_map(|e| match e.kind {
                EventKind::Sent { .. } => Some(e.stage == Stage::Auth),
                _ => None,
            });
            if stage == Stage::Unknown && after_auth == Some(true) {
                b.sent(stage, "<redacted: a line sent during AUTH>");
            } else {
                b.sent(stage, redact::scrub(&text(command)));
            }
        }
        match last_field(f, b"result").and_then(reply_of) {
            Some(reply) => {
                self.hung_up = reply.code == 421;
                b.reply(stage, reply);
            }
            None => b.note(stage, text(last_field(f, b"result").unwrap_or_default())),
        }
    }

    /// `message msgid=... nrcpt=...` and its `envelope ... from=<> to=<>` lines (7.x), or 6.4's
    /// one `message ... from=<> to=<>` line per recipient.
    fn accepted(&mut self, f: &[u8]) {
        let msgid = field(f, b"msgid").map(<[u8]>::to_vec);
        // an envelope's id starts with its message's (msgid_to_evpid): both name the message
        let evpid = field(f, b"evpid").and_then(|e| e.get(..8)).map(<[u8]>::to_vec);
        let id = msgid.or(evpid).unwrap_or_default();
        if self.message.as_ref().is_some_and(|m| m.msgid != id) {
            self.flush_message();
        }
        let m = self.message.get_or_insert_with(|| Accepted {
            msgid: id,
            from: None,
            rcpts: Vec::new(),
            more: 0,
        });
        let angle = |v: &[u8]| text(unbracket(v));
        if let Some(from) = field(f, b"from") {
            m.from = Some(angle(from));
        }
        if let Some(to) = field(f, b"to") {
            if m.rcpts.len() < MAX_RCPTS {
                m.rcpts.push(angle(to));
            } else {
                m.more += 1;
            }
        }
    }

    /// `disconnected reason=quit|disconnect|timeout|"io-error: ..."|tls-accept-failed|...`.
    fn disconnected(&mut self, reason: &[u8], f: &[u8]) {
        let b = &mut self.b;
        match reason {
            // STATE_QUIT: after QUIT's 221, or after a 421/500 that made the server hang up
            b"quit" if self.hung_up => {
                b.event(Stage::Unknown, EventKind::Closed { reason: CloseReason::PeerClosed })
            }
            b"quit" => {
                b.sent(Stage::Quit, "QUIT");
                b.received(Stage::Quit, 221, "2.0.0 Bye");
                b.event(Stage::Quit, EventKind::Closed { reason: CloseReason::Done });
            }
            b"disconnect" => {
                b.note(Stage::Unknown, "the client closed the connection without QUIT");
                b.event(Stage::Unknown, EventKind::Closed { reason: CloseReason::Done });
            }
            b"timeout" => {
                b.note(Stage::Unknown, "the server closed the connection: the client sent nothing in time");
                b.event(Stage::Unknown, EventKind::Closed { reason: CloseReason::PeerClosed });
            }
            _ if reason.starts_with(b"io-error") => {
                let detail = last_field(f, b"reason").unwrap_or(reason);
                let detail = detail.strip_prefix(b"io-error: ").unwrap_or(detail);
                let words = String::from_utf8_lossy(detail);
                // libtls (7.x) writes `handshake failed: error:...`, OpenSSL itself (6.x) only
                // `error:0A080006:SSL routines::EVP lib`: both a TLS failure
                let tls = words.starts_with("handshake failed") || words.contains("SSL routines");
                match mta::event(&words) {
                    Logged::Event(stage, kind @ EventKind::TlsFailed { .. }) => {
                        b.event(stage.unwrap_or(Stage::Tls), kind);
                    }
                    _ if tls => {
                        let (failure, detail) = (TlsFailure::Other, words.into_owned());
                        b.event(
                            Stage::Tls,
                            EventKind::TlsFailed { failure, detail, certificates: Vec::new() },
                        );
                    }
                    _ => {
                        b.note(Stage::Unknown, format!("the connection failed: {words}"));
                        b.event(Stage::Unknown, EventKind::Closed { reason: CloseReason::Reset });
                    }
                }
            }
            // the server's own TLS setup or its check of the client's certificate
            b"tls-accept-failed" | b"ca-failure" | b"cert-check-failed" | b"no-client-cert" => {
                let detail =
                    format!("the server ended the TLS session ({}; from the server's log)", text(reason));
                b.event(
                    Stage::Tls,
                    EventKind::TlsFailed { failure: TlsFailure::Other, detail, certificates: Vec::new() },
                );
            }
            other => {
                b.note(Stage::Unknown, format!("disconnected: {}", text(other)));
                b.event(Stage::Unknown, EventKind::Closed { reason: CloseReason::Done });
            }
        }
    }

    /// Reads a line of OpenSMTPD as a client; true when it ends the session.
    fn mta(&mut self, l: &OpenLine<'_>) -> bool {
        let f = l.fields;
        match l.event {
            Event::Connecting => self.connecting(f),
            Event::Connected => {
                let port = self.b.transcript.endpoint.port;
                if let Some(ip) = self.b.meta.server.as_deref().and_then(endpoint_ip) {
                    let address = SocketAddr::new(ip, port);
                    self.b.event(Stage::Connect, EventKind::Connected { address });
                }
            }
            Event::Tls => {
                let session = tls_session(field(f, b"ciphers").unwrap_or_default());
                self.b.event(Stage::Tls, EventKind::TlsEstablished { session });
            }
            // `reason=` runs to the end of the line: the error's words, spaces and all
            Event::Error => {
                let reason = value_start(f, b"reason").map_or(f, |i| &f[i..]);
                self.failure(reason, None, None);
            }
            // `result="TempFail"` or `"PermFail"` (mta.c, mta_delivery_log); `"Ok"` went well
            Event::Delivery if field(f, b"result").is_some_and(|r| r != b"Ok") => {
                let stat = last_field(f, b"stat").unwrap_or_default();
                self.failure(stat, field(f, b"from"), field(f, b"to"));
            }
            Event::Closing => {
                let reason = field(f, b"reason").unwrap_or_default();
                let detail =
                    format!("the relay could not set up TLS ({}; from the server's log)", text(reason));
                self.b.event(
                    Stage::Tls,
                    EventKind::TlsFailed { failure: TlsFailure::Other, detail, certificates: Vec::new() },
                );
                self.failed = true;
            }
            Event::Disconnected => {
                self.b.event(Stage::Quit, EventKind::Closed { reason: CloseReason::Done });
                return true;
            }
            _ => {}
        }
        false
    }

    /// `connecting address=smtp+tls://192.0.2.9:25 host=mx.example.net` (mta_session.c): the
    /// server relayed to, and how.
    fn connecting(&mut self, f: &[u8]) {
        let address = field(f, b"address").unwrap_or_default();
        let (scheme, at) = match memmem::find(address, b"://") {
            Some(i) => (&address[..i], &address[i + 3..]),
            None => (&b""[..], address),
        };
        let colon = memchr::memrchr(b':', at).filter(|&i| at[i + 1..].iter().all(u8::is_ascii_digit));
        let (ip, port) = match colon {
            Some(i) => {
                (&at[..i], super::digits(&at[i + 1..]).and_then(|p| u16::try_from(p).ok()).unwrap_or(0))
            }
            None => (at, 0),
        };
        let name = field(f, b"host").filter(|h| !h.is_empty() && *h != b"(null)");
        // an IPv6 address is bracketed (sa_to_text)
        let ip = text(ip.strip_prefix(b"[").and_then(|i| i.strip_suffix(b"]")).unwrap_or(ip));
        let endpoint = &mut self.b.transcript.endpoint;
        endpoint.host = name.map_or_else(|| ip.clone(), text);
        endpoint.port = port;
        // `smtp://` tries STARTTLS and may fall back to plain text (mta_session.c)
        endpoint.security = match scheme {
            b"smtps" => Security::Tls,
            b"smtp+notls" => Security::None,
            _ => Security::Starttls,
        };
        self.b.meta.server = Some(match name {
            Some(name) => format!("{}[{ip}]:{port}", text(name)),
            None => format!("[{ip}]:{port}"),
        });
    }

    /// A failure of the relay: `AUTH rejected: 535 ...` (mta_session.c names the step), a
    /// remote server's reply to a message, or an error of the connection.
    fn failure(&mut self, what: &[u8], from: Option<&[u8]>, to: Option<&[u8]>) {
        self.failed = true;
        if what == self.last_failure.as_slice() {
            return;
        }
        self.last_failure = what.to_vec();
        let b = &mut self.b;
        let named = [
            (&b"BANNER rejected: "[..], Stage::Banner, None),
            (b"EHLO rejected: ", Stage::Ehlo, None),
            (b"HELO rejected: ", Stage::Ehlo, None),
            (b"LHLO rejected: ", Stage::Ehlo, None),
            (b"STARTTLS rejected: ", Stage::Tls, Some("STARTTLS")),
            (b"AUTH rejected: ", Stage::Auth, Some("AUTH <redacted>")),
        ];
        for (prefix, stage, command) in named {
            if let Some(rest) = what.strip_prefix(prefix)
                && let Some(reply) = reply_of(rest)
            {
                if let Some(command) = command {
                    b.sent(stage, command);
                }
                b.reply(stage, reply);
                return;
            }
        }
        if let Some(reply) = reply_of(what) {
            // the step a delivery's reply answered is not logged; an enhanced code about an
            // address tells it (RFC 3463: X.1.1-X.1.6 the recipient, X.1.7-X.1.8 the sender)
            let stage = match reply.enhanced.map(|e| (e.subject, e.detail)) {
                Some((1, 1..=6)) => Stage::RcptTo,
                Some((1, 7 | 8)) => Stage::MailFrom,
                _ => Stage::Unknown,
            };
            let angle = |a: &[u8]| format!("<{}>", text(unbracket(a)));
            match (stage, from, to) {
                (Stage::RcptTo, _, Some(to)) => b.sent(stage, format!("RCPT TO:{}", angle(to))),
                (Stage::MailFrom, Some(from), _) => b.sent(stage, format!("MAIL FROM:{}", angle(from))),
                _ => {}
            }
            b.reply(stage, reply);
            return;
        }
        let words = String::from_utf8_lossy(what);
        match mta::event(&words) {
            Logged::Event(stage, kind) => b.event(stage.unwrap_or(Stage::Unknown), kind),
            _ if words == "Connection closed unexpectedly" => {
                b.event(Stage::Unknown, EventKind::Closed { reason: CloseReason::PeerClosed });
            }
            _ => b.note(Stage::Unknown, words.into_owned()),
        }
    }
}

/// The address of a relay session's server, `NAME[IP]:PORT`.
fn endpoint_ip(server: &str) -> Option<IpAddr> {
    let open = server.find('[')?;
    let close = server.rfind(']')?;
    server.get(open + 1..close)?.parse().ok()
}

/// A mail address without its angle brackets (`<a@b>` as `a@b`).
fn unbracket(a: &[u8]) -> &[u8] {
    a.strip_prefix(b"<").and_then(|a| a.strip_suffix(b">")).unwrap_or(a)
}

/// An AUTH command as shown: the mechanism when the log names it, never a secret.
fn redacted_auth(mechanism: Option<&str>, user: Option<&str>) -> String {
    match (mechanism, user) {
        (Some(m), _) => shown_auth(m, user),
        (None, Some(u)) => format!("AUTH <redacted: user={u}>"),
        (None, None) => "AUTH <redacted>".to_owned(),
    }
}

/// The streaming OpenSMTPD reader.
pub struct OpensmtpdParser {
    /// By the syslog host (logs of several servers merged) and the session id.
    open: OpenSessions<(u64, u64), Open>,
    evicted: Vec<Open>,
}

impl Default for OpensmtpdParser {
    fn default() -> Self {
        Self { open: OpenSessions::with_limit(MAX_OPEN_SESSIONS), evicted: Vec::new() }
    }
}

impl SessionParser for OpensmtpdParser {
    fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        let Some(l) = OpenLine::parse(line) else { return };
        let host = l.host.iter().fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let key = (host, l.id);
        if self.open.get_mut(&key).is_none() {
            // a delivery refused before any session (mta.c: no MX, no route) has id 0: a
            // session of its own line
            if l.id == 0 && l.side == Side::Mta {
                let mut o = Open::new(&l, number);
                o.mta(&l);
                out.extend(o.finish(false));
                return;
            }
            // an end or a certificate check alone shows nothing; mta_session.c logs a relay's
            // `cert-check` as `smtp`, so it never opens a session of the other side either
            if matches!(l.event, Event::Disconnected | Event::Other) {
                return;
            }
            self.open.insert(key, Open::new(&l, number), &mut self.evicted);
        }
        let o = self.open.get_mut(&key).expect("open");
        o.b.seen(number, l.time);
        // the side the session was opened as: a relay's stray `smtp cert-check` stays a relay's
        let ended = match o.side {
            Side::Smtp => o.smtp(&l),
            Side::Mta => o.mta(&l),
        };
        if ended {
            let mut o = self.open.remove(&key).expect("present");
            o.b.meta.ended = (!l.time.is_empty()).then(|| text(l.time));
            out.extend(o.finish(false));
        }
        out.extend(self.evicted.drain(..).filter_map(|o| o.finish(true)));
    }

    fn finish(&mut self, out: &mut Vec<LogSession>) {
        out.extend(self.open.drain().into_iter().filter_map(|o| o.finish(true)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sessions a log gives, read line by line.
    fn read(log: &str) -> Vec<LogSession> {
        let mut p = OpensmtpdParser::default();
        let mut out = Vec::new();
        for (i, line) in log.lines().enumerate() {
            p.line(i as u64 + 1, line.as_bytes(), &mut out);
        }
        p.finish(&mut out);
        out
    }

    /// A transcript as `C:`/`S:` lines and events.
    fn dialogue(s: &LogSession) -> Vec<String> {
        s.transcript
            .events
            .iter()
            .map(|e| match &e.kind {
                EventKind::Sent { line } => format!("{} C: {line}", e.stage.as_str()),
                EventKind::Received { reply } => {
                    format!("{} S: {} {}", e.stage.as_str(), reply.code, reply.lines.join(" / "))
                }
                EventKind::Note { text } => format!("{} note: {text}", e.stage.as_str()),
                EventKind::Closed { reason } => format!("{} closed {reason:?}", e.stage.as_str()),
                EventKind::TlsFailed { failure, .. } => {
                    format!("{} tls failed {failure:?}", e.stage.as_str())
                }
                EventKind::TlsEstablished { session } => {
                    format!("{} tls {}", e.stage.as_str(), session.version)
                }
                other => format!("{} {other:?}", e.stage.as_str()),
            })
            .collect()
    }

    #[test]
    fn lines_of_every_generation_and_form() {
        // 7.x in syslog, `smtpd -d` (the message alone), RFC 3339 syslog, 6.4, 6.0
        for (line, id, side, event) in [
            (
                "Nov 24 10:00:01 mx smtpd[4101]: 7a3b1c2d4e5f6a7b smtp connected address=192.0.2.7 host=client.example",
                0x7a3b_1c2d_4e5f_6a7b,
                Side::Smtp,
                Event::Connected,
            ),
            (
                "7a3b1c2d4e5f6a7b smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256",
                0x7a3b_1c2d_4e5f_6a7b,
                Side::Smtp,
                Event::Tls,
            ),
            (
                "2026-11-24T10:00:01.123456+01:00 mx smtpd[77]: 00000000000000ff mta delivery evpid=1 result=\"Ok\" stat=\"250 Ok\"",
                0xff,
                Side::Mta,
                Event::Delivery,
            ),
            (
                "Nov 24 10:00:01 mx smtpd[4101]: 7a3b1c2d4e5f6a7b smtp starttls address=192.0.2.7 host=client.example ciphers=\"version=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256\"",
                0x7a3b_1c2d_4e5f_6a7b,
                Side::Smtp,
                Event::Tls,
            ),
            (
                "Nov 24 10:00:01 mx smtpd[4101]: 7a3b1c2d4e5f6a7b smtp event=closed address=192.0.2.7 host=client.example reason=quit",
                0x7a3b_1c2d_4e5f_6a7b,
                Side::Smtp,
                Event::Disconnected,
            ),
            (
                "Nov 24 10:00:01 mx smtpd[4101]: smtp-out: Error on session 00000000000000aa after 2 messages sent: Connection timeout",
                0xaa,
                Side::Mta,
                Event::Error,
            ),
        ] {
            let l = OpenLine::parse(line.as_bytes()).unwrap_or_else(|| panic!("{line}"));
            assert_eq!((l.id, l.side, l.event), (id, side, event), "{line}");
        }
        for other in [
            "Nov 24 10:00:01 mx postfix/smtpd[7]: connect from a[192.0.2.1]",
            "Nov 24 10:00:01 mx smtpd[7]: 7a3b1c2d4e5f6a7 smtp connected address=192.0.2.7",
            "Nov 24 10:00:01 mx smtpd[7]: 7a3b1c2d4e5f6a7g smtp connected address=192.0.2.7",
            "7a3b1c2d4e5f6a7b imap connected",
            "",
        ] {
            assert!(OpenLine::parse(other.as_bytes()).is_none(), "{other}");
        }
        let l = OpenLine::parse(b"7a3b1c2d4e5f6a7b smtp starttls ciphers=\"version=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256\"").unwrap();
        let tls = tls_session(field(l.fields, b"ciphers").unwrap());
        assert_eq!((tls.version.as_str(), tls.cipher.as_str()), ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"));
        assert!(detect(
            b"Nov 24 10:00:01 mx smtpd[4101]: 7a3b1c2d4e5f6a7b smtp connected address=192.0.2.7 host=x\n"
        ));
        assert!(!detect(b"Nov 24 10:00:01 mx postfix/smtpd[7]: connect from a[192.0.2.1]\n"));
        assert!(
            !detect(b"7a3b1c2d4e5f6a7b smtp cert-check result=\"verified\"\n"),
            "an unknown event alone is no proof"
        );
    }

    #[test]
    fn fields_quoted_and_not() {
        let f = br#"command="MAIL FROM:<"john smith"@example.org>" result="553 5.1.7 Sender address syntax error: "x"""#;
        assert_eq!(command_field(f), Some(&br#"MAIL FROM:<"john smith"@example.org>"#[..]));
        assert_eq!(last_field(f, b"result"), Some(&br#"553 5.1.7 Sender address syntax error: "x""#[..]));
        let f = b"evpid=1 from=<a@b> to=<c@d> rcpt=<-> relay=\"192.0.2.9 (mx.example)\" result=\"TempFail\" stat=\"451 4.7.1 Try later\"";
        assert_eq!(field(f, b"to"), Some(&b"<c@d>"[..]));
        assert_eq!(field(f, b"relay"), Some(&b"192.0.2.9 (mx.example)"[..]));
        assert_eq!(field(f, b"result"), Some(&b"TempFail"[..]));
        assert_eq!(field(f, b"pid"), None, "a name only as a whole");
        assert_eq!(field(b"xuser=a user=b", b"user"), Some(&b"b"[..]));
        assert_eq!(command_stage(b"rcpt to:<a@b>"), Stage::RcptTo);
        assert_eq!(command_stage(b""), Stage::Banner);
        assert_eq!(command_stage(b"NOOP"), Stage::Unknown);
        let reply = reply_of(b"550 Invalid recipient: <x@elsewhere.example>").unwrap();
        assert_eq!((reply.code, reply.lines[0].as_str()), (550, "Invalid recipient: <x@elsewhere.example>"));
        assert!(reply_of(b"Invalid recipient").is_none() && reply_of(b"5501 x").is_none());
        assert_eq!(address(b"[2001:db8::1]"), "2001:db8::1".parse().ok());
        assert_eq!(address(b"local"), None);
    }

    /// Two sessions interleaved line by line keep their own lines: the relay refusal of the one
    /// without a login carries its RCPT and OpenSMTPD's reply.
    #[test]
    fn interleaved_sessions_and_the_relay_refusal() {
        let s = read(
            "\
Nov 24 10:00:01 mx smtpd[4101]: 00000000000000a1 smtp connected address=203.0.113.99 host=<unknown>
Nov 24 10:00:01 mx smtpd[4101]: 00000000000000b2 smtp connected address=203.0.113.99 host=<unknown>
Nov 24 10:00:02 mx smtpd[4101]: 00000000000000b2 smtp authentication user=alice result=ok
Nov 24 10:00:02 mx smtpd[4101]: 00000000000000a1 smtp failed-command command=\"RCPT TO:<x@elsewhere.example>\" result=\"550 Invalid recipient: <x@elsewhere.example>\"
Nov 24 10:00:03 mx smtpd[4101]: 00000000000000b2 smtp message msgid=0badcafe size=300 nrcpt=1 proto=ESMTP
Nov 24 10:00:03 mx smtpd[4101]: 00000000000000b2 smtp envelope evpid=0badcafe00000001 from=<alice@example.org> to=<x@elsewhere.example>
Nov 24 10:00:04 mx smtpd[4101]: 00000000000000a1 smtp disconnected reason=disconnect
Nov 24 10:00:04 mx smtpd[4101]: 00000000000000b2 smtp disconnected reason=quit
",
        );
        assert_eq!(s.len(), 2);
        let (refused, sent) = (&s[0], &s[1]);
        assert_eq!(refused.meta.id, "00000000000000a1");
        assert_eq!(refused.meta.client.as_deref(), Some("203.0.113.99"));
        assert_eq!(refused.meta.server.as_deref(), Some("mx"));
        assert_eq!((refused.meta.first_line, refused.meta.last_line), (1, 7));
        assert_eq!(
            dialogue(refused),
            [
                "rcpt_to C: RCPT TO:<x@elsewhere.example>",
                "rcpt_to S: 550 Invalid recipient: <x@elsewhere.example>",
                "unknown note: the client closed the connection without QUIT",
                "unknown closed Done",
            ]
        );
        assert_eq!(refused.failed_step().unwrap().stage, Stage::RcptTo);
        assert_eq!(refused.meta.user, None);
        assert_eq!(sent.meta.user.as_deref(), Some("alice"));
        assert_eq!(
            dialogue(sent),
            [
                "auth C: AUTH <redacted: user=alice>",
                "auth S: 235 2.0.0 Authentication succeeded",
                "mail_from C: MAIL FROM:<alice@example.org>",
                "mail_from S: 250 2.0.0 Ok",
                "rcpt_to C: RCPT TO:<x@elsewhere.example>",
                "rcpt_to S: 250 2.1.5 Destination address valid: Recipient ok",
                "data C: DATA",
                "data S: 354 Enter mail, end with \".\" on a line by itself",
                "data S: 250 2.0.0 0badcafe Message accepted for delivery",
                "quit C: QUIT",
                "quit S: 221 2.0.0 Bye",
                "quit closed Done",
            ]
        );
        assert!(sent.failed_step().is_none());
        assert_eq!(sent.meta.ended.as_deref(), Some("Nov 24 10:00:04"));
        assert!(sent.transcript.events.iter().any(|e| e.at_ms == 3000));
    }

    /// Logins: the mechanism from the failed command's line, never a secret, also when a client
    /// put its initial response on a line OpenSMTPD logs whole; a refusal whose reply never came.
    #[test]
    fn logins_without_secrets() {
        let s = read(
            "\
00000000000000c1 smtp connected address=192.0.2.7 host=printer.lan
00000000000000c1 smtp authentication user=scanner result=permfail
00000000000000c1 smtp failed-command command=\"AUTH LOGIN (password)\" result=\"535 Authentication failed\"
00000000000000c1 smtp failed-command command=\"AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciBzZWNyZXQBAQ==\" result=\"504 5.7.4 Security features not supported: AUTH method \"XOAUTH2\" not supported\"
00000000000000c1 smtp failed-command command=\"AUTH LOGIN (username)\" result=\"501 5.5.2 Syntax error: Syntax error\"
00000000000000c1 smtp failed-command command=\"U2VjcmV0LVBhc3N3b3Jk\" result=\"500 5.5.1 Invalid command: Command unrecognized\"
00000000000000c1 smtp authentication user=scanner result=tempfail
00000000000000c1 smtp disconnected reason=timeout
",
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].meta.client.as_deref(), Some("printer.lan [192.0.2.7]"));
        let d = dialogue(&s[0]);
        assert_eq!(
            d,
            [
                "auth C: AUTH LOGIN <redacted: LOGIN user=scanner>",
                "auth S: 535 Authentication failed",
                "auth C: AUTH XOAUTH2 <redacted: XOAUTH2 user=scanner>",
                "auth S: 504 5.7.4 Security features not supported: AUTH method \"XOAUTH2\" not supported",
                "auth C: AUTH LOGIN <redacted: LOGIN user=scanner>",
                "auth S: 501 5.5.2 Syntax error: Syntax error",
                "unknown C: <redacted: a line sent during AUTH>",
                "unknown S: 500 5.5.1 Invalid command: Command unrecognized",
                "auth C: AUTH <redacted: user=scanner>",
                "auth S: 421 4.3.0 Temporary failure",
                "unknown note: the server closed the connection: the client sent nothing in time",
                "unknown closed PeerClosed",
            ]
        );
        let all = format!("{:?}", s[0].transcript);
        assert!(!all.contains("dXNlcj1") && !all.contains("U2VjcmV0"), "a secret was kept");
        assert!(s[0].context(None).has_password);
    }

    #[test]
    fn how_sessions_end() {
        let s = read(
            "\
00000000000000d1 smtp connected address=192.0.2.50 host=<unknown>
00000000000000d1 smtp disconnected reason=\"io-error: handshake failed: error:0A00010B:SSL routines::wrong version number\"
00000000000000d2 smtp connected address=192.0.2.51 host=<unknown>
00000000000000d2 smtp bad-input result=\"500 5.5.1 Invalid command: Pipelining not supported\"
00000000000000d2 smtp disconnected reason=quit
00000000000000d3 smtp connected address=192.0.2.52 host=<unknown>
00000000000000d3 smtp disconnected reason=\"io-error: Connection reset by peer\"
00000000000000d4 smtp connected address=127.0.0.1 host=localhost
00000000000000d4 smtp disconnected reason=\"io-error: error:0A080006:SSL routines::EVP lib\"
00000000000000d5 smtp failed-command command=\"VRFY x\" result=\"500 5.5.1 Invalid command: Command unrecognized\"
00000000000000d5 smtp disconnected reason=quit
00000000000000d6 smtp failed-command command=\"MAIL FROM:<a@b.example>\" result=\"421 4.3.0 Temporary Error\"
00000000000000d6 smtp disconnected reason=quit
00000000000000d7 smtp connected address=192.0.2.53 host=<unknown>
00000000000000d7 smtp failed-command command=\"\" result=\"554 5.7.1 Connection refused by filter\"
00000000000000d8 smtp tls ciphers=TLSv1.3:TLS_AES_128_GCM_SHA256:128
00000000000000d9 smtp disconnected reason=quit
",
        );
        let d: Vec<Vec<String>> = s.iter().map(dialogue).collect();
        assert_eq!(d[0], ["tls tls failed NotTls"]);
        assert_eq!(
            d[1],
            [
                "unknown note: the server refused what the client sent (bad input)",
                "unknown S: 500 5.5.1 Invalid command: Pipelining not supported",
                "unknown closed PeerClosed",
            ],
            "the 500 made the server hang up: no QUIT"
        );
        assert_eq!(d[2][0], "unknown note: the connection failed: Connection reset by peer");
        // 6.8 with OpenSSL 3 failing every handshake (OpenSMTPD issue 1171): OpenSSL's words
        assert_eq!(d[3], ["tls tls failed Other"]);
        // a 500 the session goes on after, and a 421 the server hangs up after
        assert_eq!(d[4][2..], ["quit C: QUIT", "quit S: 221 2.0.0 Bye", "quit closed Done"]);
        assert_eq!(d[5][2..], ["unknown closed PeerClosed"]);
        // open at the end: a filter's refusal at connect, and a session whose start is not in
        // the log (its end alone, d9, makes none)
        assert_eq!(d[6], ["banner S: 554 5.7.1 Connection refused by filter"]);
        assert_eq!(d[7], ["tls tls TLSv1.3"]);
        assert!(s[..6].iter().all(|s| !s.meta.incomplete) && s[6].meta.incomplete && s[7].meta.incomplete);
        assert_eq!(s.len(), 8);
    }

    /// 6.4 logged one `message` line per recipient, with the sender and the client.
    #[test]
    fn messages_as_6_4_logged_them() {
        let s = read(
            "\
Nov 24 10:00:01 mx smtpd[1]: 00000000000000e1 smtp message address=192.0.2.7 host=h.example msgid=1234abcd from=<a@example.org> to=<b@example.net> size=100 ndest=1 proto=ESMTP
Nov 24 10:00:01 mx smtpd[1]: 00000000000000e1 smtp message address=192.0.2.7 host=h.example msgid=1234abcd from=<a@example.org> to=<c@example.net> size=100 ndest=1 proto=ESMTP
",
        );
        assert_eq!(s[0].meta.client_ip, "192.0.2.7".parse().ok());
        let d = dialogue(&s[0]);
        assert_eq!(d.iter().filter(|l| l.contains("C: RCPT TO:")).count(), 2, "{d:?}");
        assert_eq!(d.iter().filter(|l| l.contains("C: MAIL FROM:<a@example.org>")).count(), 1, "{d:?}");
        assert!(d.last().unwrap().ends_with("1234abcd Message accepted for delivery"), "{d:?}");
    }

    /// OpenSMTPD relaying: a session only when something failed, at the step the failure names.
    #[test]
    fn relays_that_failed() {
        let s = read(
            "\
00000000000000f1 mta connecting address=smtp+tls://192.0.2.9:587 host=smtp.example.net
00000000000000f1 mta connected
00000000000000f1 mta error reason=AUTH rejected: 535 5.7.8 Username and Password not accepted
00000000000000f1 mta delivery evpid=1 from=<a@example.org> to=<b@example.net> rcpt=<-> source=\"192.0.2.1\" relay=\"192.0.2.9 (smtp.example.net)\" delay=1s result=\"TempFail\" stat=\"AUTH rejected: 535 5.7.8 Username and Password not accepted\"
00000000000000f2 mta connecting address=smtps://[2001:db8::9]:465 host=(null)
00000000000000f2 mta delivery evpid=2 from=<a@example.org> to=<c@example.net> rcpt=<-> source=\"192.0.2.1\" relay=\"2001:db8::9\" delay=1s result=\"PermFail\" stat=\"550 5.1.8 <a@example.org>: Sender address rejected: Domain not found\"
00000000000000f2 mta disconnected reason=quit messages=0
00000000000000f3 mta connecting address=smtp://192.0.2.10:25 host=mx.example.com
00000000000000f3 mta delivery evpid=3 from=<a@example.org> to=<d@example.com> rcpt=<-> source=\"192.0.2.1\" relay=\"192.0.2.10 (mx.example.com)\" delay=1s result=\"Ok\" stat=\"250 2.0.0 Ok\"
00000000000000f3 mta disconnected reason=quit messages=1
0000000000000000 mta delivery evpid=4 from=<a@example.org> to=<e@nowhere.example> rcpt=<-> source=\"-\" relay=\"nowhere.example\" delay=4h result=\"PermFail\" stat=\"No MX found for domain\"
",
        );
        let d: Vec<Vec<String>> = s.iter().map(dialogue).collect();
        // f2 ends first, the lone id-0 delivery at once; f1 (no end logged after an error) at
        // the end; f3 went well: no session
        assert_eq!(s.len(), 3, "{d:?}");
        assert_eq!(s[0].meta.server.as_deref(), Some("[2001:db8::9]:465"));
        assert_eq!(s[0].transcript.endpoint.security, Security::Tls);
        assert_eq!(s[0].transcript.endpoint.host, "2001:db8::9");
        assert_eq!(
            d[0],
            [
                "mail_from C: MAIL FROM:<a@example.org>",
                "mail_from S: 550 5.1.8 <a@example.org>: Sender address rejected: Domain not found",
                "quit closed Done",
            ]
        );
        // the words as the paste reader's recognizer takes them (a note, or a DNS failure)
        assert!(d[1].len() == 1 && d[1][0].contains("No MX found for domain"), "{:?}", d[1]);
        assert_eq!(s[2].meta.server.as_deref(), Some("smtp.example.net[192.0.2.9]:587"));
        assert_eq!(
            d[2],
            [
                "connect Connected { address: 192.0.2.9:587 }",
                "auth C: AUTH <redacted>",
                "auth S: 535 5.7.8 Username and Password not accepted",
            ],
            "the delivery line repeating the error is not a second failure"
        );
        assert!(s.iter().all(|s| !s.meta.incomplete));
        assert_eq!(s[2].context(None).host, "smtp.example.net");
    }
}
