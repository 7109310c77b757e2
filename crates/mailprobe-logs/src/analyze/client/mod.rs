//! Client-side logs: a sending program's record of its own session(s).
//!
//! Each program marks its dialogue its own way (swaks `->`/`<~`, curl `>`/`<`, PHPMailer
//! `CLIENT -> SERVER:`, smtplib `send:`/`reply:`, nodemailer `C:`/`S:`, Outlook `[tx]`/`[rx]`);
//! the paste reader already understands every one of those lines. What a log adds is several
//! sessions one after another: each format here says where a session starts and where its
//! server and times are written, and each session's lines go through the paste reader.
//! msmtp's log file is different: one line per mail, read on its own.

mod dialogue;

use memchr::memmem;

use mailprobe_proto::Stage;

use super::{LogFormat, LogSession, SessionMeta, SessionParser};
use crate::paste::{self, Options};

pub use dialogue::DialogueParser;

/// The most bytes kept of one session; the rest of a runaway session is dropped.
pub const MAX_SESSION_BYTES: usize = 512 * 1024;

/// Recognises a client program's log from its first bytes.
pub fn detect(head: &[u8]) -> Option<LogFormat> {
    let has = |needle: &str| memmem::find(head, needle.as_bytes()).is_some();
    // most specific first: several programs print `C:`/`S:` or `>`/`<` lines
    if has("=== Trying ") || (has("=== Connected to") && (has(" -> ") || has(" ~> "))) {
        Some(LogFormat::Swaks)
    } else if has("CLIENT -> SERVER:") || has("SERVER -> CLIENT:") {
        Some(LogFormat::Phpmailer)
    } else if has("DEBUG SMTP:") {
        Some(LogFormat::Javamail)
    } else if (has("] DEBUG [") || has("] INFO  ["))
        && (has("] C: ") || has("] S: ") || has("Connection established"))
    {
        Some(LogFormat::Nodemailer)
    } else if has("send: b'") || has("reply: b'") || has("reply: retcode (") {
        Some(LogFormat::PythonSmtplib)
    } else if has("smtpstatus=") && has("exitcode=") || has("--> EHLO") || has("<-- 220") {
        Some(LogFormat::Msmtp)
    } else if has("CONNECTED(0") || (has("verify return:") && has("---")) {
        Some(LogFormat::OpensslSClient)
    } else if (has("*   Trying ") || has("* Connected to ")) && (has("< 220") || has("> EHLO")) {
        Some(LogFormat::CurlVerbose)
    } else if has("): Begin execution") || (has("SMTP (") && (has("[tx]") || has("[rx]"))) {
        Some(LogFormat::OutlookWindows)
    } else if has("Outlook[") && (has("SMTP") || has("smtp")) {
        Some(LogFormat::OutlookMac)
    } else {
        None
    }
}

/// `openssl s_client` summarises the handshake it made (`New, TLSv1.3, Cipher is ...`) before
/// any reply it shows: that is the session's TLS, first in the transcript.
fn openssl_handshake(transcript: &mut mailprobe_proto::Transcript, text: &[u8]) {
    let Some(at) = memmem::find(text, b"New, TLSv") else { return };
    let line = &text[at + 5..];
    let line = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len())];
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(", Cipher is ");
    let (Some(version), Some(cipher)) = (parts.next(), parts.next()) else { return };
    let session = mailprobe_proto::TlsSession {
        version: version.trim().to_owned(),
        cipher: cipher.trim().to_owned(),
        certificates: Vec::new(),
    };
    let event = mailprobe_proto::Event {
        at_ms: 0,
        stage: Stage::Tls,
        kind: mailprobe_proto::EventKind::TlsEstablished { session },
    };
    transcript.events.insert(0, event);
}

/// `openssl s_client` prints the server's replies but not what was typed: each reply's step is
/// read from its shape (a capability list answers EHLO, 334 and 235 belong to AUTH, the enhanced
/// code's subject names the envelope step), and a failure after an AUTH exchange is AUTH's.
fn stage_replies_by_shape(transcript: &mut mailprobe_proto::Transcript) {
    let mut in_auth = false;
    for event in &mut transcript.events {
        let mailprobe_proto::EventKind::Received { reply } = &event.kind else { continue };
        if event.stage != Stage::Unknown {
            continue;
        }
        let enhanced = reply.enhanced.map(|e| (e.subject, e.detail));
        let stage = match (reply.code, enhanced) {
            (220, _) if !in_auth => Stage::Banner,
            (250, _) if reply.lines.len() > 1 => Stage::Ehlo,
            (334 | 235, _) | (_, Some((7, 8 | 9 | 11 | 12 | 139 | 3 | 57))) => Stage::Auth,
            (221, _) => Stage::Quit,
            (354, _) | (_, Some((6, _))) => Stage::Data,
            (_, Some((1, 0 | 7 | 8))) => Stage::MailFrom,
            (_, Some((1, 1..=6))) => Stage::RcptTo,
            (code, _) if in_auth && code >= 400 => Stage::Auth,
            _ => continue,
        };
        in_auth = reply.code == 334;
        event.stage = stage;
    }
}

/// The step an msmtp error message is about.
fn msmtp_stage(message: &str) -> Option<Stage> {
    const STAGES: &[(&str, Stage)] = &[
        ("authentication failed", Stage::Auth),
        ("does not support authentication", Stage::Auth),
        ("authentication method", Stage::Auth),
        ("envelope from address", Stage::MailFrom),
        ("recipient address", Stage::RcptTo),
        ("the server did not accept the mail", Stage::Data),
        ("starttls", Stage::Tls),
        ("tls handshake", Stage::Tls),
        ("cannot get initial os", Stage::Banner),
        ("cannot read greeting", Stage::Banner),
        ("cannot connect", Stage::Connect),
    ];
    let lower = message.to_ascii_lowercase();
    STAGES.iter().find(|(phrase, _)| lower.contains(phrase)).map(|(_, s)| *s)
}

/// A parser for a client-side `format`.
pub fn parser_for(format: LogFormat) -> Box<dyn SessionParser> {
    match format {
        LogFormat::Dialogue => Box::new(DialogueParser::new(format)),
        _ => Box::new(ClientLogParser::new(format)),
    }
}

fn has(line: &[u8], needle: &[u8]) -> bool {
    memmem::find(line, needle).is_some()
}

/// Where a new session starts in `format`'s output.
fn starts_session(format: LogFormat, line: &[u8]) -> bool {
    let starts = |p: &[u8]| line.starts_with(p);
    let has = |n: &[u8]| memmem::find(line, n).is_some();
    match format {
        LogFormat::Swaks => starts(b"=== Trying "),
        LogFormat::OpensslSClient => starts(b"CONNECTED("),
        LogFormat::CurlVerbose => starts(b"*   Trying ") || starts(b"* Trying "),
        // msmtp --debug: the system configuration file is always read (or reported missing) first
        LogFormat::Msmtp => {
            starts(b"ignoring system configuration file") || starts(b"loaded system configuration file")
        }
        LogFormat::PythonSmtplib => has(b"connect: ('") || has(b"connect: to ("),
        LogFormat::Phpmailer => has(b"Connection: opening to "),
        LogFormat::Nodemailer => has(b"Sending mail using") || has(b"Creating transport"),
        LogFormat::Javamail => has(b"DEBUG SMTP: trying to connect to host"),
        LogFormat::OutlookWindows => has(b"SMTP (") && has(b"): Begin execution"),
        LogFormat::OutlookMac => has(b"SMTP: Connecting to ") || has(b"Begin sending"),
        _ => false,
    }
}

/// The server a line names, as `host:port`, when it is the line that says where the program
/// connects.
fn server_named(line: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(line);
    let after = |marker: &str| text.find(marker).map(|i| &text[i + marker.len()..]);
    let clean = |s: &str| s.trim_end_matches(['.', ',', ')', '"', '\'']).to_owned();
    if let Some(rest) = after("=== Trying ").or_else(|| after("Connection: opening to ")) {
        return Some(clean(rest.split_whitespace().next().unwrap_or_default().trim_end_matches("...")));
    }
    if let Some(rest) = after("Connection established to ") {
        return Some(clean(rest.split_whitespace().next().unwrap_or_default()));
    }
    if let Some(rest) = after("* Connected to ") {
        // `* Connected to host (ip) port 25`
        let host = rest.split_whitespace().next().unwrap_or_default();
        let port = rest.split("port ").nth(1).and_then(|p| p.split_whitespace().next());
        return Some(match port {
            Some(p) => format!("{host}:{}", clean(p)),
            None => host.to_owned(),
        });
    }
    if let Some(rest) = after("trying to connect to host \"") {
        // JavaMail: `trying to connect to host "smtp.x", port 587, isSSL false`
        let host = rest.split('"').next().unwrap_or_default();
        let port = rest.split("port ").nth(1).and_then(|p| p.split(',').next());
        return Some(match port {
            Some(p) => format!("{host}:{}", p.trim()),
            None => host.to_owned(),
        });
    }
    if let Some(rest) = after("connect: ('").or_else(|| after("connect: to ('")) {
        // smtplib: `connect: ('127.0.0.1', 25)`
        let host = rest.split('\'').next().unwrap_or_default();
        let port = rest.split(", ").nth(1).map(|p| clean(p.split(')').next().unwrap_or_default()));
        return Some(match port {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        });
    }
    if let Some(rest) = after("SMTP: Connecting to ") {
        // Outlook for Mac: `SMTP: Connecting to smtp.gmail.com:587 (STARTTLS)`
        return Some(clean(rest.split_whitespace().next().unwrap_or_default()));
    }
    if let Some(rest) = after("SMTP (") {
        // Outlook: `SMTP (smtp.office365.com): Begin execution`
        return rest.split(')').next().map(str::to_owned);
    }
    None
}

/// A leading timestamp: `[2026-11-24 10:00:01]`, `2026-11-24 10:00:01`, `10:00:01.123`,
/// `Nov 24 10:00:01`.
fn timestamp(line: &[u8]) -> Option<String> {
    let l = line.strip_prefix(b"[").unwrap_or(line);
    let len = l.iter().position(|&b| b == b']' || b == b'\t').unwrap_or(l.len()).min(32);
    let candidate = &l[..len];
    // `2026-11-24 10:00:01` or Outlook's `2026.11.24 10:00:01`
    let iso = candidate.len() >= 19
        && matches!(candidate[4], b'-' | b'.')
        && candidate[7] == candidate[4]
        && candidate[13] == b':';
    let clock = candidate.len() >= 8 && candidate[2] == b':' && candidate[5] == b':';
    let syslog =
        candidate.len() >= 15 && candidate[3] == b' ' && candidate[9] == b':' && candidate[12] == b':';
    if iso {
        return Some(String::from_utf8_lossy(&candidate[..19]).into_owned());
    }
    if clock {
        let end = candidate.iter().position(|&b| b == b' ').unwrap_or(candidate.len());
        return Some(String::from_utf8_lossy(&candidate[..end]).into_owned());
    }
    if syslog {
        return Some(String::from_utf8_lossy(&candidate[..15]).into_owned());
    }
    None
}

/// A program's log read session by session.
pub struct ClientLogParser {
    format: LogFormat,
    text: Vec<u8>,
    first_line: u64,
    last_line: u64,
    server: Option<String>,
    started: Option<String>,
    ended: Option<String>,
    /// Whether the text held has reached a session's start line (lines before it are a
    /// preamble that belongs to the session that follows).
    started_session: bool,
    /// msmtp's own error lines: it writes them to stderr, so in a captured log they often come
    /// before the debug dialogue they conclude; they are read after it.
    trailer: Vec<u8>,
    sessions: u64,
}

impl ClientLogParser {
    /// A parser for `format`'s output.
    pub fn new(format: LogFormat) -> Self {
        Self {
            format,
            text: Vec::new(),
            first_line: 0,
            last_line: 0,
            server: None,
            started: None,
            ended: None,
            started_session: false,
            trailer: Vec::new(),
            sessions: 0,
        }
    }

    fn flush(&mut self, out: &mut Vec<LogSession>) {
        if self.text.is_empty() && self.trailer.is_empty() {
            return;
        }
        let mut text = std::mem::take(&mut self.text);
        text.append(&mut self.trailer);
        let known = SessionMeta {
            server: self.server.take(),
            started: self.started.take(),
            ended: self.ended.take(),
            first_line: self.first_line,
            last_line: self.last_line,
            ..SessionMeta::default()
        };
        self.first_line = 0;
        self.started_session = false;
        self.session_from(&text, &Options { skip_prose: true, ..Options::default() }, &known, out);
    }

    /// The sessions the paste reader finds in `text`, with what the log itself said of them
    /// (`known`: server, times, lines, login) before what the text suggests.
    fn session_from(
        &mut self,
        text: &[u8],
        options: &Options,
        known: &SessionMeta,
        out: &mut Vec<LogSession>,
    ) {
        let pasted = paste::parse(text, options);
        let hint_server = pasted.hints.host.as_ref().map(|h| match pasted.hints.port {
            Some(p) => format!("{h}:{p}"),
            None => h.clone(),
        });
        let provider = pasted.hints.provider.clone();
        let program = pasted.understood.iter().find_map(|u| u.program.clone());
        for mut transcript in pasted.transcripts {
            if transcript.events.is_empty() {
                continue;
            }
            if self.format == LogFormat::OpensslSClient {
                openssl_handshake(&mut transcript, text);
                stage_replies_by_shape(&mut transcript);
            }
            self.sessions += 1;
            let user = transcript.events.iter().find_map(|e| match &e.kind {
                mailprobe_proto::EventKind::Sent { line } => {
                    let i = line.find(" user=")?;
                    Some(line[i + 6..].trim_end_matches('>').to_owned())
                }
                _ => None,
            });
            let meta = SessionMeta {
                id: format!("session {}", self.sessions),
                client: Some(program.clone().unwrap_or_else(|| self.format.name().to_owned())),
                server: known.server.clone().or_else(|| hint_server.clone()),
                user: known.user.clone().or(user),
                provider: provider.clone(),
                ..known.clone()
            };
            out.push(LogSession::new(self.format, meta, transcript));
        }
    }

    /// msmtp's log file: `host=... user=... smtpstatus=535 smtpmsg='...' errormsg='...'
    /// exitcode=EX_NOPERM`, one line per mail.
    fn msmtp_logfile_line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        let text = String::from_utf8_lossy(line);
        let field = |name: &str| paste::msmtp_field(&text, name).map(str::to_owned);
        // msmtp's own message and the server's last reply, as msmtp prints them on stderr: the
        // paste reader knows which step "authentication failed" or "envelope from address" is
        let mut evidence = String::new();
        if let Some(error) = field("errormsg") {
            evidence.push_str(&format!("msmtp: {error}\n"));
        }
        if let Some(reply) = field("smtpmsg") {
            evidence.push_str(&format!("msmtp: server message: {reply}\n"));
        }
        let known = SessionMeta {
            server: field("host"),
            user: field("user"),
            started: timestamp(line),
            first_line: number,
            last_line: number,
            ..SessionMeta::default()
        };
        // the log line shows no command: msmtp's message says which one the reply answered
        let options = Options { stage: field("errormsg").as_deref().and_then(msmtp_stage), skip_prose: true };
        self.session_from(evidence.as_bytes(), &options, &known, out);
    }
}

impl SessionParser for ClientLogParser {
    fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        if self.format == LogFormat::Msmtp
            && memmem::find(line, b"exitcode=").is_some()
            && memmem::find(line, b"host=").is_some()
        {
            self.flush(out);
            self.msmtp_logfile_line(number, line, out);
            return;
        }
        // Outlook logs every account's IMAP and POP3 work too; only SMTP is sending
        if self.format == LogFormat::OutlookWindows && (has(line, b" IMAP (") || has(line, b" POP3 (")) {
            return;
        }
        if starts_session(self.format, line) {
            if self.started_session {
                self.flush(out);
            } else {
                // a preamble's times are not the session's
                self.started = None;
            }
            self.started_session = true;
        }
        if self.first_line == 0 {
            self.first_line = number;
        }
        self.last_line = number;
        if self.server.is_none() {
            self.server = server_named(line);
        }
        if let Some(t) = timestamp(line) {
            self.started.get_or_insert_with(|| t.clone());
            self.ended = Some(t);
        }
        // Outlook for Windows writes its time and `SMTP (host): ` before every line: what
        // follows is the dialogue or the error, which reads better alone (its `hr=0x800CCC..`
        // codes still name Outlook; on the Mac the `Outlook[pid]` prefix is what names it)
        let line = match memmem::find(line, b"): ") {
            Some(i) if self.format == LogFormat::OutlookWindows && has(line, b"SMTP (") => &line[i + 3..],
            _ => line,
        };
        let keep = if self.format == LogFormat::Msmtp && line.starts_with(b"msmtp: ") {
            &mut self.trailer
        } else {
            &mut self.text
        };
        if keep.len() + line.len() < MAX_SESSION_BYTES {
            keep.extend_from_slice(line);
            keep.push(b'\n');
        }
    }

    fn finish(&mut self, out: &mut Vec<LogSession>) {
        self.flush(out);
    }
}
