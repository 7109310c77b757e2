//! Exchange's SMTP protocol logs (Receive and Send connectors; Exchange Server and the same
//! format from Exchange Online message traces): CSV with the header
//! `#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context`.
//! Events: `+` connect, `-` disconnect, `>` sent, `<` received, `*` information. In a Receive
//! log the server writes it, so `<` is what the client sent; in a Send log Exchange is the
//! client. Sessions are stitched by session id.

use mailprobe_proto::{CloseReason, Endpoint, EventKind, Reply, Security, Stage, TlsFailure, TlsSession};
use memchr::memmem;

use super::{Building, MAX_OPEN_SESSIONS, OpenSessions, text};
use crate::analyze::{LogFormat, LogSession, SessionParser};
use crate::paste::redact;

/// True when `head` is an Exchange protocol log.
pub fn detect(head: &[u8]) -> bool {
    memmem::find(head, b"#Fields: date-time,connector-id,session-id,sequence-number").is_some()
        || (memmem::find(head, b"#Software: Microsoft Exchange").is_some()
            && memmem::find(head, b"Protocol Log").is_some())
}

/// One open session: what it has read and the reply lines still coming (`250-...`).
struct Session {
    b: Building,
    pending: Vec<String>,
    pending_code: u16,
    stage: Stage,
    mechanism: Option<String>,
}

/// The streaming Exchange CSV reader.
pub struct ExchangeCsvParser {
    open: OpenSessions<String, Session>,
    evicted: Vec<Session>,
    /// A Send connector log: Exchange was the client.
    send_log: bool,
}

impl Default for ExchangeCsvParser {
    fn default() -> Self {
        Self { open: OpenSessions::with_limit(MAX_OPEN_SESSIONS), evicted: Vec::new(), send_log: false }
    }
}

/// Splits a CSV line into at most `N` fields (RFC 4180 quoting; the last field keeps the rest).
fn csv_fields<const N: usize>(line: &[u8]) -> Option<[String; N]> {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    let mut field = Vec::new();
    let (mut i, mut n, mut quoted) = (0, 0, false);
    while i < line.len() {
        let c = line[i];
        if quoted {
            if c == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    field.push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == b'"' && field.is_empty() {
            quoted = true;
        } else if c == b',' && n + 1 < N {
            out[n] = text(&field);
            field.clear();
            n += 1;
        } else {
            field.push(c);
        }
        i += 1;
    }
    out[n] = text(&field);
    (n + 1 >= 7).then_some(out)
}

impl Session {
    fn flush_reply(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let lines = std::mem::take(&mut self.pending);
        let reply = Reply::new(self.pending_code, lines);
        self.b.reply(self.stage, reply);
    }

    /// A line the server sent (`250-SIZE`, `535 5.7.3 Authentication unsuccessful`).
    fn server_line(&mut self, data: &str) {
        let code = data.get(..3).and_then(|c| c.parse::<u16>().ok());
        let Some(code) = code.filter(|_| data.len() == 3 || matches!(data.as_bytes()[3], b' ' | b'-')) else {
            self.flush_reply();
            self.b.note(self.stage, format!("server: {data}"));
            return;
        };
        if !self.pending.is_empty() && code != self.pending_code {
            self.flush_reply();
        }
        self.pending_code = code;
        self.pending.push(data.get(4..).unwrap_or_default().to_owned());
        if data.as_bytes().get(3) != Some(&b'-') {
            self.flush_reply();
        }
    }

    /// A line the client sent; AUTH payloads never kept.
    fn client_line(&mut self, data: &str) {
        self.flush_reply();
        let verb = data.split_ascii_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let (stage, shown) = match verb.as_str() {
            "EHLO" | "HELO" => (Stage::Ehlo, data.to_owned()),
            "STARTTLS" => (Stage::Tls, data.to_owned()),
            "AUTH" => {
                self.mechanism = data.split_ascii_whitespace().nth(1).map(str::to_ascii_uppercase);
                (Stage::Auth, redact::command(data))
            }
            "MAIL" => (Stage::MailFrom, data.to_owned()),
            "RCPT" => (Stage::RcptTo, data.to_owned()),
            "DATA" | "BDAT" => (Stage::Data, data.to_owned()),
            "QUIT" => (Stage::Quit, data.to_owned()),
            "RSET" | "NOOP" => (self.stage, data.to_owned()),
            // an answer to a 334 challenge (Exchange writes `<authentication response>`)
            _ if self.stage == Stage::Auth => {
                (Stage::Auth, redact::response(data, self.mechanism.as_deref(), None))
            }
            _ => (self.stage, "<a line that is not a command>".to_owned()),
        };
        self.stage = stage;
        self.b.sent(stage, shown);
    }

    /// An information line: TLS results and the server's reasons.
    fn information(&mut self, data: &str, context: &str) {
        self.flush_reply();
        let lower = context.to_ascii_lowercase();
        if lower.starts_with("tls negotiation succeeded") {
            let session =
                TlsSession { version: tls_version(data), cipher: String::new(), certificates: Vec::new() };
            self.b.event(Stage::Tls, EventKind::TlsEstablished { session });
        } else if lower.starts_with("tls negotiation failed") {
            let failure = if lower.contains("unsupported") || lower.contains("version") {
                TlsFailure::ProtocolVersion
            } else {
                TlsFailure::HandshakeRejected
            };
            let detail = format!("{context} {data}").trim().to_owned();
            self.b.event(Stage::Tls, EventKind::TlsFailed { failure, detail, certificates: Vec::new() });
        } else if !context.is_empty() || !data.is_empty() {
            // Exchange's reason for a refusal (`Inbound authentication failed because of
            // LogonDenied`) or the session's permissions: context for a person
            let said = format!("{context} {data}");
            self.b.note(self.stage, said.trim().to_owned());
        }
    }
}

/// `TLS protocol SP_PROT_TLS1_2_SERVER ...` → `TLSv1.2`, when the data names it.
fn tls_version(data: &str) -> String {
    for (needle, name) in [
        ("TLS1_3", "TLSv1.3"),
        ("TLS1_2", "TLSv1.2"),
        ("TLS1_1", "TLSv1.1"),
        ("TLS1_0", "TLSv1"),
        ("TLS1_", "TLSv1"),
    ] {
        if data.contains(needle) {
            return name.to_owned();
        }
    }
    String::new()
}

impl SessionParser for ExchangeCsvParser {
    fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        if line.first() == Some(&b'#') {
            if memmem::find(line, b"Send Protocol Log").is_some() {
                self.send_log = true;
            }
            return;
        }
        let Some([time, _connector, session, _seq, local, remote, event, data, context]) =
            csv_fields::<9>(line)
        else {
            return;
        };
        // the endpoints as seen by the client: the server is local in a Receive log
        let (server, client) = if self.send_log { (remote, local) } else { (local, remote) };
        let from_client = if self.send_log { ">" } else { "<" };
        let from_server = if self.send_log { "<" } else { ">" };
        if event == "+" || self.open.get_mut(&session).is_none() {
            let id = format!("exchange {session}");
            let mut b = Building::new(id, number, time.as_bytes());
            let client_ip = client.rsplit_once(':').map_or(client.as_str(), |(ip, _)| ip);
            b.meta.client = Some(client.clone());
            b.meta.client_ip = client_ip.trim_matches(['[', ']']).parse().ok();
            b.meta.server = Some(server.clone());
            if let Ok(address) = server.parse::<std::net::SocketAddr>() {
                b.transcript.endpoint = Endpoint {
                    host: address.ip().to_string(),
                    port: address.port(),
                    security: Security::Starttls,
                };
                b.event(Stage::Connect, EventKind::Connected { address });
            }
            let s =
                Session { b, pending: Vec::new(), pending_code: 0, stage: Stage::Banner, mechanism: None };
            self.open.insert(session.clone(), s, &mut self.evicted);
        }
        let s = self.open.get_mut(&session).expect("open");
        s.b.seen(number, time.as_bytes());
        match event.as_str() {
            e if e == from_client => s.client_line(&data),
            e if e == from_server => s.server_line(&data),
            "*" => s.information(&data, &context),
            "-" => {
                let mut s = self.open.remove(&session).expect("present");
                s.flush_reply();
                let quit = s.b.transcript.events.iter().any(|e| e.stage == Stage::Quit);
                let reason = if quit || !self.send_log && context.contains("Remote") {
                    CloseReason::Done
                } else {
                    CloseReason::PeerClosed
                };
                let stage = if quit { Stage::Quit } else { s.stage };
                s.b.event(stage, EventKind::Closed { reason });
                s.b.meta.ended = Some(time);
                out.push(s.b.finish(LogFormat::ExchangeCsv, false));
            }
            _ => {}
        }
        out.extend(self.evicted.drain(..).map(|mut s| {
            s.flush_reply();
            s.b.finish(LogFormat::ExchangeCsv, true)
        }));
    }

    fn finish(&mut self, out: &mut Vec<LogSession>) {
        out.extend(self.open.drain().into_iter().map(|mut s| {
            s.flush_reply();
            s.b.finish(LogFormat::ExchangeCsv, true)
        }));
    }
}
