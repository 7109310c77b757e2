//! Turn text a person pastes into Transcripts.
//!
//! Whatever a person can paste — a server reply with or without its continuation lines, several
//! replies, a whole SMTP dialogue (`C:`/`S:`, swaks' `->`/`<-`, `>>>`/`<<<`, curl `-v`,
//! PHPMailer's debug output, smtplib's `send:`/`reply:`), a bare code (`535`, `5.7.60`,
//! `550 5.1.8`, Outlook's `4af4` or `0x800CCC0E`), a 334 challenge, a client library's error
//! message around a reply, a Postfix or Exim log line — becomes the proto events a live probe
//! would have recorded, so the same knowledge base diagnoses it:
//!
//! - replies become [`EventKind::Received`] at the stage of the command before them when the
//!   paste shows it (or the library's words do: "Password command failed", "after RCPT TO"),
//!   else at [`Options::stage`], else at [`Stage::Unknown`]; a 334 is always an AUTH challenge;
//! - TLS, connection, name-resolution and timeout errors become [`EventKind::TlsFailed`],
//!   [`EventKind::ConnectFailed`], [`EventKind::ResolveFailed`], [`EventKind::TimedOut`] and
//!   [`EventKind::Closed`] with the failure kind the probe would have named;
//! - anything recognisable but without a reply becomes [`EventKind::ClientError`] with the
//!   program that reported it (`outlook`, `phpmailer`, `nodemailer`, `python-smtplib`, ...).
//!
//! Secrets stay out: AUTH payloads in a pasted dialogue are replaced as a live transcript shows
//! them (`<redacted: PLAIN user=alice@example.com>`), and `password=...` in a message is cut.
//!
//! Input is bounded: at most [`MAX_INPUT_BYTES`] bytes and [`MAX_LINES`] lines are read (the
//! rest is dropped and a note says so), lines are cut at [`MAX_LINE_CHARS`], at most
//! [`MAX_EVENTS`] events are kept, and bytes that are not UTF-8 are replaced.

mod catalogue;
mod embedded;
mod hints;
mod input;
pub(crate) use input::msmtp_field;
mod literal;
pub(crate) mod markers;
pub(crate) mod mta;
mod phrases;
mod recognize;
pub(crate) mod redact;

use std::sync::LazyLock;

use mailprobe_proto::{
    CertificateInfo, Context, EhloCapabilities, Endpoint, EnhancedCode, EventKind, EvidenceSource,
    MAX_REPLY_LINES, Protocol, Reply, Role, Security, Stage, TlsFailure, TlsSession, Transcript,
    decode_challenge, snake,
};
use regex::Regex;
use serde::Serialize;

pub use hints::Hints;

use markers::Dir;

/// The most bytes read from a paste (1 MiB); the rest is ignored and a note says so.
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// The most lines read from a paste.
pub const MAX_LINES: usize = 10_000;
/// The longest line kept, in characters; longer lines are cut.
pub const MAX_LINE_CHARS: usize = 4096;
/// The most events kept from one paste.
pub const MAX_EVENTS: usize = 2_000;

/// How to read a paste.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The stage of evidence whose command the paste does not show (`--stage`); `None` leaves
    /// it at [`Stage::Unknown`], which rules match whatever their stage.
    pub stage: Option<Stage>,
    /// Keep text no reader recognised as a message of no known program (for the knowledge
    /// base's phrases, see [`Parser::finish`]). `explain` wants it; a log's sessions do not:
    /// a log's own chatter between sessions is no failure.
    pub skip_prose: bool,
}

/// Something the reader had to repair or leave out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// The input was longer than [`MAX_INPUT_BYTES`]; only that much was read.
    InputCut {
        /// Bytes read.
        bytes_read: usize,
    },
    /// The input had more than [`MAX_LINES`] lines; only that many were read.
    LinesCut {
        /// Lines read.
        lines_read: usize,
    },
    /// Lines longer than [`MAX_LINE_CHARS`] were cut.
    LongLinesCut {
        /// How many.
        count: usize,
        /// The length kept.
        max_chars: usize,
    },
    /// Bytes that are not UTF-8 were replaced with U+FFFD.
    NotUtf8,
    /// More than [`MAX_EVENTS`] pieces of evidence; the rest were left out.
    EvidenceCut {
        /// Pieces kept.
        kept: usize,
        /// Pieces left out.
        dropped: usize,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InputCut { bytes_read } => {
                write!(f, "the input is longer than 1 MiB: only its first {bytes_read} bytes were read")
            }
            Self::LinesCut { lines_read } => write!(f, "only the first {lines_read} lines were read"),
            Self::LongLinesCut { count, max_chars } => {
                write!(f, "{count} lines longer than {max_chars} characters were cut")
            }
            Self::NotUtf8 => f.write_str("bytes that are not UTF-8 were replaced with U+FFFD"),
            Self::EvidenceCut { kept, dropped } => {
                write!(f, "only the first {kept} pieces of evidence were kept ({dropped} more left out)")
            }
        }
    }
}

/// What a piece of understood evidence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// An SMTP reply.
    Reply,
    /// An IMAP `NO` / `BAD` / `BYE` response.
    ImapReply,
    /// A TLS handshake failure.
    TlsFailed,
    /// A TCP connection failure.
    ConnectFailed,
    /// A name-resolution failure.
    ResolveFailed,
    /// A wait that ended with nothing.
    TimedOut,
    /// The connection ended under the client.
    Closed,
    /// An error a client program reported without a server reply.
    ClientError,
}

/// One piece of evidence read from the paste, for the reader ("understood: reply 535 5.7.8 at
/// auth (from python-smtplib)") and for `--format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Understood {
    /// What it is.
    pub kind: EvidenceKind,
    /// The stage it was put at.
    pub stage: Stage,
    /// The program that reported it, when the paste shows one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// The reply code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// The enhanced status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enhanced: Option<EnhancedCode>,
    /// The failure kind (`cert_untrusted`, `refused`) or the client's error code (`4af4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The reply's text, the failure's detail or the client's message.
    pub text: String,
    /// The 1-based input line it starts on.
    pub line: usize,
    /// The reply code was not in the paste: inferred from the enhanced code or rebuilt from a
    /// server log's words.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

/// A paste read into evidence.
#[derive(Clone, Debug, Default)]
pub struct Pasted {
    /// The evidence: an SMTP transcript, and an IMAP one when IMAP responses were pasted.
    /// Empty when nothing was recognised.
    pub transcripts: Vec<Transcript>,
    /// What the paste says about the context (provider, host, port).
    pub hints: Hints,
    /// Each piece of evidence, in input order. Replies of a dialogue are counted in
    /// [`Pasted::replies`] and listed here only when they failed (or are an AUTH challenge).
    pub understood: Vec<Understood>,
    /// Client commands read from a dialogue.
    pub commands: usize,
    /// Server replies read.
    pub replies: usize,
    /// Bytes given.
    pub bytes: usize,
    /// Lines read.
    pub lines: usize,
    /// Part of the input was not read (see [`MAX_INPUT_BYTES`], [`MAX_LINES`]).
    pub truncated: bool,
    /// The input held nothing but white space.
    pub blank: bool,
    /// What had to be repaired or left out while reading.
    pub notes: Vec<Note>,
}

impl Pasted {
    /// True when anything in the paste was recognised as evidence.
    pub fn recognised(&self) -> bool {
        !self.understood.is_empty() || self.commands > 0 || self.replies > 0
    }

    /// The diagnosis context: `provider` (as the user named it) or the one the paste shows,
    /// and the host, port and security it names. The sending mode stays unknown: a host name
    /// does not tell it (a device meant for direct send that points at `smtp.office365.com` is
    /// the very mistake to find).
    pub fn context(&self, provider: Option<&str>) -> Context {
        Context {
            provider: provider.map(str::to_owned).or_else(|| self.hints.provider.clone()),
            host: self.hints.host.clone().unwrap_or_default(),
            port: self.hints.port.unwrap_or(0),
            security: self.hints.security,
            // Another program's messages: the knowledge base reads some of them differently
            // from the same event in mailprobe's own probe (see `EvidenceSource`).
            evidence: EvidenceSource::Pasted,
            ..Context::default()
        }
    }
}

/// Reads a paste. Never fails and never panics: what cannot be read is ignored.
pub fn parse(bytes: &[u8], options: &Options) -> Pasted {
    let input = input::read(bytes);
    let dialogue = input.lines.iter().any(|(_, l)| is_command_line(l));
    let mut parser = Parser::new(options, dialogue);
    let findings_at = own_findings_heading(&input.lines);
    for (n, line) in input.lines.iter().take_while(|(n, _)| findings_at.is_none_or(|at| *n < at)) {
        parser.line(*n, line);
    }
    parser.finish(input)
}

/// The line number of the findings heading of mailprobe's own report pasted back, when the paste
/// is one (its step lines come first). What follows are mailprobe's explanations, not evidence:
/// a fix that quotes a server's log ("no shared cipher") must not read as that log.
fn own_findings_heading(lines: &[(usize, String)]) -> Option<usize> {
    // `ui-findings` in every language the report is written in.
    const HEADINGS: [&str; 2] = ["Findings", "Diagnosi"];
    let mut seen_steps = false;
    for (n, line) in lines {
        let heading = line.trim().trim_start_matches('#').trim();
        if seen_steps && HEADINGS.contains(&heading) {
            return Some(*n);
        }
        seen_steps = seen_steps || recognize::own_report_line(line).is_some() || own_step_line(line);
    }
    None
}

/// A passed step of mailprobe's own report (`✓ Greeting  0 ms  220 ...`).
fn own_step_line(line: &str) -> bool {
    let t = line.trim_start();
    (t.starts_with('✓') || t.starts_with('✗')) && t.contains(" ms ")
}

fn is_command_line(line: &str) -> bool {
    match markers::split(line) {
        Some(m) => m.dir == Dir::Client && markers::command(m.content.trim(), true).is_some(),
        None => markers::command(markers::strip_prefixes(line), false).is_some(),
    }
}

// At most MAX_EVENTS of these live for one paste; boxing the event would only make the
// matches on it harder to read.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Kind {
    Sent(String),
    Reply(Reply),
    Imap(String),
    Event(EventKind),
}

#[derive(Debug)]
struct Piece {
    line: usize,
    block: usize,
    stage: Option<Stage>,
    program: Option<&'static str>,
    kind: Kind,
    /// Part of a dialogue (listed only when it failed).
    dialogue: bool,
    /// Reply code inferred or reply rebuilt.
    inferred: bool,
    /// A client error that stands even when more precise evidence is in the paste.
    strong: bool,
    /// A reply whose end the paste marks (the closing quote of a Python tuple): the next line
    /// is never more of it.
    closed: bool,
}

impl Piece {
    fn is_failure(&self) -> bool {
        match &self.kind {
            Kind::Sent(_) => false,
            Kind::Reply(r) => r.is_failure(),
            Kind::Imap(_) => true,
            Kind::Event(e) => !matches!(e, EventKind::TlsEstablished { .. } | EventKind::Note { .. }),
        }
    }

    fn is_client_error(&self) -> bool {
        matches!(self.kind, Kind::Event(EventKind::ClientError { .. }))
    }

    /// A program's header line that names no cause: Thunderbird's "Sending of the message
    /// failed." and .NET's "Failure sending mail." (what they found is on the lines under it).
    fn only_says_sending_failed(&self) -> bool {
        const HEADERS: [&str; 2] = ["sending of the message failed", "failure sending mail"];
        let Kind::Event(EventKind::ClientError { message, .. }) = &self.kind else { return false };
        let said = message.trim().trim_end_matches('.').to_ascii_lowercase();
        HEADERS.iter().any(|h| said.ends_with(h) && said.len() < h.len() + 40)
    }
}

/// A reply being assembled from its lines.
struct Pending {
    code: u16,
    lines: Vec<String>,
    stage: Option<Stage>,
    line: usize,
    program: Option<&'static str>,
    dialogue: bool,
    inferred: bool,
    quoted: bool,
}

struct Parser {
    default_stage: Option<Stage>,
    skip_prose: bool,
    dialogue: bool,
    pieces: Vec<Piece>,
    dropped: usize,
    pending: Option<Pending>,
    cmd_stage: Option<Stage>,
    auth_mechanism: Option<String>,
    last_challenge: Option<String>,
    in_auth: bool,
    in_body: bool,
    sent_starttls: bool,
    /// The server accepted STARTTLS; the next command shows the handshake worked.
    tls_pending: bool,
    ehlo_without_starttls: bool,
    block: usize,
    block_start: usize,
    block_programs: Vec<Option<&'static str>>,
    block_stage: Option<Stage>,
    block_head: Option<String>,
    skip_source: bool,
    imap_stage: Option<Stage>,
    certificate: Option<CertificateInfo>,
    scanner: hints::Scanner,
    commands: usize,
    replies: usize,
    /// The English texts of translated messages read (see [`catalogue`]), for the prose.
    glosses: Vec<String>,
}

impl Parser {
    fn new(options: &Options, dialogue: bool) -> Self {
        Self {
            default_stage: options.stage,
            skip_prose: options.skip_prose,
            dialogue,
            pieces: Vec::new(),
            dropped: 0,
            pending: None,
            cmd_stage: None,
            auth_mechanism: None,
            last_challenge: None,
            in_auth: false,
            in_body: false,
            sent_starttls: false,
            tls_pending: false,
            ehlo_without_starttls: false,
            block: 0,
            block_start: 0,
            block_programs: vec![None],
            block_stage: None,
            block_head: None,
            skip_source: false,
            imap_stage: None,
            certificate: None,
            scanner: hints::Scanner::default(),
            commands: 0,
            replies: 0,
            glosses: Vec::new(),
        }
    }

    fn line(&mut self, n: usize, raw: &str) {
        if raw.trim().is_empty() {
            self.flush();
            self.new_block();
            return;
        }
        self.scanner.scan(raw);
        if let Some(p) = program_of(raw) {
            self.set_block_program(p);
        }
        if self.skip(raw) {
            return;
        }
        if self.continues_quoted_reply(n, raw) {
            return;
        }
        if let Some(logged) = mta::read(raw) {
            self.flush();
            let program = if raw.contains("postfix") { "postfix" } else { "exim" };
            self.logged(n, logged, program);
            return;
        }
        if let Some(m) = markers::split(raw) {
            if let Some(p) = m.program {
                self.set_block_program(p);
            }
            let content = m.content.trim_end_matches(['\r', '\n']).trim_end();
            match m.dir {
                // A reply under Sendmail's client marker (a bounce's `>>> 501 ... unrecognized
                // address` quoting the answer on the command's side): a reply, not a command.
                Dir::Client
                    if markers::strip_prefixes(raw).starts_with(">>>")
                        && markers::command(content.trim_start(), false).is_none()
                        && markers::reply_line(content.trim_start()).is_some() =>
                {
                    if let Some((code, last, text)) = markers::reply_line(content.trim_start()) {
                        self.server_line(n, code, last, text, true);
                    }
                }
                Dir::Client => self.client(n, content),
                Dir::Server => match markers::reply_line(content.trim_start()) {
                    Some((code, last, text)) => self.server_line(n, code, last, text, true),
                    None if self.imap(n, content.trim_start()) => {}
                    None => self.free_text(n, content, m.program),
                },
                Dir::Info if content.is_empty() => {}
                Dir::Info => self.info(n, content, m.program),
            }
            return;
        }
        let stripped = markers::strip_prefixes(raw);
        if let Some((code, last, text)) = markers::reply_line(stripped) {
            self.server_line(n, code, last, text, self.dialogue);
            return;
        }
        if self.imap(n, stripped) {
            return;
        }
        if self.dialogue && markers::command(stripped, false).is_some() {
            self.client(n, stripped);
            return;
        }
        self.free_text(n, raw, None);
    }

    /// A bounce or log wraps a long reply it quotes ("said: 550\n    5.1.1 ... has sent to too
    /// many\n    recipients"): a line right after a quoted reply that is indented, or that
    /// follows a reply cut mid-sentence, continues it unless it is evidence of its own.
    fn continues_quoted_reply(&mut self, n: usize, raw: &str) -> bool {
        let Some(last) = self.pieces.last() else { return false };
        let Kind::Reply(reply) = &last.kind else { return false };
        if last.dialogue
            || last.closed
            || last.line + 1 != n
            || last.block != self.block
            || self.pending.is_some()
        {
            return false;
        }
        let text = raw.trim();
        let tail = reply.lines.last().map(|l| l.trim_end()).unwrap_or_default();
        let indented = raw.starts_with([' ', '\t']);
        let cut = !tail.is_empty() && !tail.ends_with(['.', '!', '?', ')', ']', '>', ':', ';', '"', '\'']);
        if !(indented || cut || tail.is_empty())
            || reply.lines.concat().len() + text.len() > MAX_LINE_CHARS
            || mta::read(raw).is_some()
            || markers::starts_log_record(raw)
            || markers::split(raw).is_some()
            || markers::reply_line(markers::strip_prefixes(raw)).is_some()
            || field(raw).is_some()
            || starts_dsn_field(raw)
        {
            return false;
        }
        let mut lines = reply.lines.clone();
        // Go's textproto.Error keeps each further line's enhanced code: a line of its own.
        let own_line = reply.enhanced.is_some_and(|e| text.starts_with(&format!("{e} ")))
            && lines.len() < MAX_REPLY_LINES;
        match lines.last_mut() {
            _ if own_line => lines.push(redact::scrub(text)),
            Some(l) if !l.trim().is_empty() => {
                l.push(' ');
                l.push_str(&redact::scrub(text));
            }
            Some(l) => *l = redact::scrub(text),
            None => lines.push(redact::scrub(text)),
        }
        let rebuilt = Reply::new(reply.code, lines);
        if let Some(last) = self.pieces.last_mut() {
            last.kind = Kind::Reply(rebuilt);
            last.line = n;
            // Postfix's bounce wraps "(in reply to RCPT TO command)" onto the continuation
            if last.stage.is_none() {
                last.stage = context_stage(text);
            }
        }
        true
    }

    fn new_block(&mut self) {
        self.block += 1;
        self.block_start = self.pieces.len();
        self.block_programs.push(None);
        self.block_stage = None;
        self.block_head = None;
        self.skip_source = false;
    }

    fn set_block_program(&mut self, program: &'static str) {
        if let Some(slot) = self.block_programs.last_mut() {
            *slot = Some(merge_program(*slot, program));
        }
    }

    /// Stack frames and source lines of tracebacks: they name programs, never evidence.
    fn skip(&mut self, raw: &str) -> bool {
        let t = raw.trim();
        if std::mem::take(&mut self.skip_source) && raw.starts_with("    ") {
            return true;
        }
        if t.starts_with("File \"") {
            self.skip_source = true;
            return true;
        }
        t.starts_with("Traceback (most recent call last)")
            || (t.starts_with("at ") && (t.contains('(') || t.contains(".js:") || t.contains(".java:")))
            || (t.starts_with("...") && t.ends_with("more"))
            || t.trim_start_matches(['^', '~', ' ']).is_empty()
            || matches!(t, "{" | "}" | "}," | "[" | "]")
            || t.starts_with("During handling of the above exception")
            || t.starts_with("The above exception was the direct cause")
    }

    fn push(
        &mut self,
        n: usize,
        stage: Option<Stage>,
        program: Option<&'static str>,
        kind: Kind,
    ) -> Option<usize> {
        if self.pieces.len() >= MAX_EVENTS {
            self.dropped += 1;
            return None;
        }
        self.pieces.push(Piece {
            line: n,
            block: self.block,
            stage,
            program,
            kind,
            dialogue: false,
            inferred: false,
            strong: false,
            closed: false,
        });
        Some(self.pieces.len() - 1)
    }

    // ─── dialogues ───────────────────────────────────────────────────────────────────────

    fn client(&mut self, n: usize, content: &str) {
        self.flush();
        let content = content.trim();
        // smtplib prints a whole message body as one `send:`; it is not evidence.
        if content.contains(['\n', '\r']) {
            return;
        }
        if self.in_body {
            if content == "." {
                self.in_body = false;
            }
            return;
        }
        match markers::command(content, true) {
            Some((verb, stage)) => {
                self.commands += 1;
                if std::mem::take(&mut self.tls_pending) {
                    // The dialogue went on after the server accepted STARTTLS: the handshake
                    // worked, even if the tool did not print it.
                    let session = TlsSession {
                        version: String::new(),
                        cipher: String::new(),
                        certificates: Vec::new(),
                    };
                    self.push(n, Some(Stage::Tls), None, Kind::Event(EventKind::TlsEstablished { session }));
                }
                if let Some(s) = stage {
                    self.cmd_stage = Some(s);
                }
                self.in_auth = verb == "AUTH";
                if verb == "AUTH" {
                    self.auth_mechanism =
                        content.split_ascii_whitespace().nth(1).map(str::to_ascii_uppercase);
                    self.last_challenge = None;
                }
                if verb == "STARTTLS" {
                    self.sent_starttls = true;
                }
                let shown = redact::scrub(&redact::command(content));
                let stage = self.cmd_stage;
                if let Some(i) = self.push(n, stage, None, Kind::Sent(shown)) {
                    self.pieces[i].dialogue = true;
                }
            }
            None if self.in_auth => {
                let shown =
                    redact::response(content, self.auth_mechanism.as_deref(), self.last_challenge.as_deref());
                if let Some(i) = self.push(n, Some(Stage::Auth), None, Kind::Sent(shown)) {
                    self.pieces[i].dialogue = true;
                }
            }
            None => {
                self.imap_command(content);
            }
        }
    }

    fn server_line(&mut self, n: usize, code: u16, last: bool, text: &str, dialogue: bool) {
        let text = text.trim_end();
        // A multi-line reply flattened onto one line outside a dialogue ("552-5.7.0 This message
        // ... potential 552-5.7.0 security issue. ...", as bounces' Diagnostic-Code and logs
        // join it): its lines, split at the repeated code and enhanced code.
        // (Only a line that holds its code again can be one: most lines are not looked at.)
        if !dialogue && self.pending.is_none() && text.contains(code.to_string().as_str()) {
            let whole = format!("{code}{}{text}", if last { ' ' } else { '-' });
            let found = embedded::flattened(&whole, 0);
            if found.lines.len() > 1 {
                self.pending = Some(Pending {
                    code,
                    lines: found.lines,
                    stage: None,
                    line: n,
                    program: None,
                    dialogue,
                    inferred: false,
                    quoted: false,
                });
                if found.last {
                    self.flush();
                }
                return;
            }
        }
        if let Some(p) = self.pending.as_mut() {
            if p.code == code {
                if p.lines.len() < MAX_REPLY_LINES {
                    p.lines.push(text.to_owned());
                }
                if last {
                    self.flush();
                }
                return;
            }
            self.flush();
        }
        let stage = dialogue.then(|| self.cmd_stage.unwrap_or(Stage::Banner));
        self.pending = Some(Pending {
            code,
            lines: vec![text.to_owned()],
            stage,
            line: n,
            program: None,
            dialogue,
            inferred: false,
            quoted: false,
        });
        if last {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let Some(p) = self.pending.take() else { return };
        let reply = Reply::new(p.code, p.lines);
        self.reply(p.line, reply, p.stage, p.program, p.dialogue, p.inferred, p.quoted);
    }

    /// Records a complete reply. `quoted`: found inside other text, so it may repeat a reply
    /// already recorded (a library quoting what its debug output showed).
    #[allow(clippy::too_many_arguments)]
    fn reply(
        &mut self,
        n: usize,
        reply: Reply,
        stage: Option<Stage>,
        program: Option<&'static str>,
        dialogue: bool,
        inferred: bool,
        quoted: bool,
    ) {
        if quoted
            && let Some(existing) = self
                .pieces
                .iter_mut()
                .rev()
                .find(|p| matches!(&p.kind, Kind::Reply(r) if same_reply(r, &reply)))
        {
            existing.program = existing.program.or(program);
            existing.stage = existing.stage.or(stage);
            return;
        }
        // Secrets pasted on the same line as a quoted reply stay out of it. A 334's base64 is
        // the server's challenge, not a secret, and is kept as it is (the scrubber could take
        // a long one for a token); a 334 with anything else on it is scrubbed like any reply.
        let challenge_only = reply.code == 334
            && reply.lines.iter().all(|l| {
                // base64 (or base64url): `=` only as the padding at its end
                let body = l.trim().trim_end_matches('=');
                body.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
            });
        let reply = if challenge_only {
            reply
        } else {
            let notes = reply.notes;
            let mut scrubbed = Reply::new(reply.code, reply.lines.iter().map(|l| redact::scrub(l)));
            scrubbed.notes = notes;
            scrubbed
        };
        // A 334 is only ever an AUTH challenge.
        let stage = if reply.code == 334 && stage.is_none() { Some(Stage::Auth) } else { stage };
        if reply.code == 334 && stage == Some(Stage::Auth) {
            let raw: String = reply.lines.concat();
            if let Some(decoded) = decode_challenge(raw.trim().trim_end_matches('.')) {
                self.scanner.oauth_scope(&decoded);
            }
        }
        if dialogue {
            match (self.cmd_stage, reply.code) {
                (Some(Stage::Data), 354) => self.in_body = true,
                (Some(Stage::Tls), 220) => self.tls_pending = true,
                (Some(Stage::Auth), 334) => self.last_challenge = Some(reply.lines.concat()),
                (Some(Stage::Auth), _) => self.in_auth = false,
                (Some(Stage::Ehlo), 250)
                    if !EhloCapabilities::from_reply(&reply).starttls && !self.sent_starttls =>
                {
                    self.ehlo_without_starttls = true;
                }
                _ => {}
            }
        }
        self.replies += 1;
        let joined = reply.lines.join(" ");
        let nested = reply.is_failure().then(|| embedded::nested(&joined)).flatten();
        let quoted = reply.is_failure().then(|| recognize::quoted_failure(&joined)).flatten();
        if let Some(i) = self.push(n, stage, program, Kind::Reply(reply)) {
            self.pieces[i].dialogue = dialogue;
            self.pieces[i].inferred = inferred;
        }
        if let Some((code, text)) = nested {
            // The server quotes an earlier failure inside this one (M365's 5.7.57 naming the
            // 535 5.7.139 of the login it refused): evidence of its own.
            let stage = if code == 535 { Some(Stage::Auth) } else { None };
            self.push(n, stage, program, Kind::Reply(Reply::new(code, [text])));
        }
        if let Some((stage, kind)) = quoted {
            self.event(n, stage, kind, program);
        }
    }

    fn imap(&mut self, n: usize, line: &str) -> bool {
        static STATUS: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^(\*|[A-Za-z]{0,8}\d[A-Za-z0-9.]{0,8}) (OK|NO|BAD|BYE|PREAUTH)\b")
                .expect("valid pattern")
        });
        if self.imap_command(line) {
            return true;
        }
        let Some(c) = STATUS.captures(line) else { return false };
        let failed = match (&c[1], &c[2]) {
            (_, "BYE") => true,
            ("*", _) => false,
            (_, status) => status == "NO" || status == "BAD",
        };
        if failed {
            self.flush();
            let stage = self.imap_stage;
            self.push(n, stage, None, Kind::Imap(redact::scrub(line.trim())));
        }
        true
    }

    /// An IMAP command (`a1 LOGIN ...`): sets the IMAP stage; never recorded (LOGIN carries the
    /// password).
    fn imap_command(&mut self, line: &str) -> bool {
        static COMMAND: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)^[A-Za-z]{0,8}\d[A-Za-z0-9.]{0,8} (LOGIN|AUTHENTICATE|CAPABILITY|STARTTLS|LOGOUT|SELECT|EXAMINE|LIST)\b")
                .expect("valid pattern")
        });
        let Some(c) = COMMAND.captures(line) else { return false };
        self.imap_stage = match c[1].to_ascii_uppercase().as_str() {
            "LOGIN" | "AUTHENTICATE" => Some(Stage::Auth),
            "CAPABILITY" => Some(Stage::Capability),
            "STARTTLS" => Some(Stage::Tls),
            "LOGOUT" => Some(Stage::Quit),
            _ => None,
        };
        true
    }

    /// A tool's own remark (swaks `===`/`***`, curl `*`).
    fn info(&mut self, n: usize, content: &str, program: Option<&'static str>) {
        static STARTED: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:TLS started with cipher |SSL connection using )(TLSv?[\d.]+|SSLv\d)\s*[:/ ]\s*([A-Z0-9_-]+)")
                .expect("valid pattern")
        });
        if let Some(c) = STARTED.captures(content) {
            self.flush();
            self.tls_pending = false;
            let session =
                TlsSession { version: c[1].to_owned(), cipher: c[2].to_owned(), certificates: Vec::new() };
            self.push(n, Some(Stage::Tls), program, Kind::Event(EventKind::TlsEstablished { session }));
            return;
        }
        self.free_text(n, content, program);
    }

    // ─── free text: library errors, log lines, codes ─────────────────────────────────────

    fn free_text(&mut self, n: usize, line: &str, forced: Option<&'static str>) {
        self.flush();
        // A program's message in one of its translations is read as its English text would be.
        let glossed = catalogue::gloss(line);
        let line = match &glossed {
            Some((glossed, found)) => {
                self.glosses.push(found.english.clone());
                glossed.as_str()
            }
            None => line,
        };
        let program = forced.or_else(|| program_of(line));
        // `openssl s_client -starttls smtp` prints the dialogue only once the handshake is done:
        // the EHLO that follows is the encrypted session's, which rightly lists no STARTTLS.
        if program == Some("openssl") && line.contains("s_client") && line.contains("-starttls") {
            self.tls_pending = true;
        }
        let context = context_stage(line);
        // Go's textproto.Error prints a reply's further lines with their enhanced code only.
        if let Some(last) = self.pieces.last_mut()
            && last.block == self.block
            && let Kind::Reply(reply) = &mut last.kind
            && let Some(e) = reply.enhanced
            && line.trim_start().starts_with(&format!("{e} "))
            && reply.lines.len() < MAX_REPLY_LINES
        {
            let mut lines = std::mem::take(&mut reply.lines);
            lines.push(redact::scrub(line.trim()));
            *reply = Reply::new(reply.code, lines);
            return;
        }
        if let Some((fixed, kind)) = recognize::own_report_line(line) {
            self.event(n, fixed.or(context), kind, Some("mailprobe"));
            return;
        }
        let outlook = recognize::outlook_codes(line);
        for code in &outlook {
            let code = code.clone();
            self.set_block_program("outlook");
            let message = recognize::detail(line);
            self.client_error(n, "outlook", Some(code), message, context, true);
        }
        if self.outlook_expected(n, line) {
            return;
        }
        if let Some((key, value)) = field(line) {
            self.field(n, &key, &value);
            return;
        }
        if self.certificate_line(line) {
            return;
        }
        if self.block_head.is_none() {
            self.block_head = Some(recognize::detail(line));
        }
        let stage = context.or(self.block_stage);
        if let Some((code, lines)) = embedded::python_tuple(line) {
            self.reply(n, Reply::new(code, lines), stage, program, false, false, true);
            // `(550, b'...')` ends where its quote closes: a next line is not the reply's.
            if let Some(last) = self.pieces.last_mut()
                && last.line == n
                && matches!(last.kind, Kind::Reply(_))
                && line.trim_end().trim_end_matches([')', ']', ',', '.']).ends_with(['\'', '"'])
            {
                last.closed = true;
            }
            return;
        }
        if let Some(found) = embedded::find(line, true) {
            if found.last {
                let reply = Reply::new(found.code, found.lines);
                self.reply(n, reply, stage, program, false, found.inferred, true);
            } else {
                self.pending = Some(Pending {
                    code: found.code,
                    lines: found.lines,
                    stage,
                    line: n,
                    program,
                    dialogue: false,
                    inferred: found.inferred,
                    quoted: true,
                });
            }
            return;
        }
        if let Some(p) = recognize::client_error(line, &recognize::CLIENT_FIRST) {
            let message = recognize::detail(line);
            self.client_error(
                n,
                forced.or_else(|| recognize::also_says(program, p.phrase)).unwrap_or(p.program),
                p.code.map(str::to_owned),
                message,
                p.stage.or(stage),
                p.strong,
            );
            return;
        }
        // Outlook's code says more than the words around it ("The operation timed out").
        if !outlook.is_empty() {
            return;
        }
        if let Some((fixed, kind)) = recognize::event(line) {
            self.event(n, fixed.or(stage), kind, program);
            return;
        }
        if let Some(p) = recognize::client_error(line, &recognize::CLIENT) {
            let message = recognize::detail(line);
            self.client_error(
                n,
                forced.or_else(|| recognize::also_says(program, p.phrase)).unwrap_or(p.program),
                p.code.map(str::to_owned),
                message,
                p.stage.or(stage),
                p.strong,
            );
            return;
        }
        if let Some((code, message)) = recognize::curl(line) {
            let stage = recognize::curl_stage(&code).or(stage);
            self.client_error(n, "curl", Some(code), redact::scrub(&message), stage, false);
        }
    }

    /// Outlook's "Unexpected SMTP server response. Expected: 235, actual: 334, description: ...".
    fn outlook_expected(&mut self, n: usize, line: &str) -> bool {
        static EXPECTED: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)expected:?\s*(\d{3}),?\s*actual:?\s*(\d{3})(?:\s*,?\s*description:?\s*(.*))?")
                .expect("valid pattern")
        });
        let Some(c) = EXPECTED.captures(line) else { return false };
        let stage = match &c[1] {
            "235" => Some(Stage::Auth),
            "220" => Some(Stage::Banner),
            "354" => Some(Stage::Data),
            _ => context_stage(line),
        };
        let actual: u16 = c[2].parse().unwrap_or(0);
        let description = c.get(3).map_or("", |m| m.as_str()).trim();
        if (200..600).contains(&actual) {
            let lines = if actual == 334 {
                vec![description.trim_end_matches('.').to_owned()]
            } else {
                match embedded::find(&format!("{actual} {description}"), false) {
                    Some(found) if found.code == actual && !found.inferred => found.lines,
                    _ => vec![description.to_owned()],
                }
            };
            self.reply(n, Reply::new(actual, lines), stage, Some("outlook"), false, false, true);
        }
        if !(400..600).contains(&actual) {
            // The reply alone (a 334, a 250) is no failure; what Outlook made of it is.
            let message = recognize::detail(line);
            self.client_error(n, "outlook", None, message, stage, true);
        }
        true
    }

    /// A field of a Node.js error object: `code: 'EAUTH'`, `responseCode: 535`, `command: 'AUTH PLAIN'`.
    fn field(&mut self, n: usize, key: &str, value: &str) {
        const NODEMAILER: &[&str] = &[
            "EAUTH",
            "ESOCKET",
            "ECONNECTION",
            "ETIMEDOUT",
            "EENVELOPE",
            "EMESSAGE",
            "EPROTOCOL",
            "EDNS",
            "ETLS",
            "EMAXLIMIT",
            "ESTREAM",
            "EREQUIRETLS",
            "ENOAUTH",
        ];
        let block = self.block_start..self.pieces.len();
        let has_failure = self.pieces[block.clone()].iter().any(Piece::is_failure);
        let has_reply = self.pieces[block.clone()].iter().any(|p| matches!(p.kind, Kind::Reply(_)));
        match key {
            "code" => {
                let code = value.to_owned();
                let program = if NODEMAILER.contains(&code.as_str()) { "nodemailer" } else { "node" };
                self.set_block_program(program);
                if let Some(Piece {
                    kind: Kind::Event(EventKind::ClientError { code: slot @ None, .. }),
                    ..
                }) = self.pieces[block].iter_mut().rev().find(|p| p.is_client_error())
                {
                    *slot = Some(code.clone());
                }
                if has_failure {
                    return;
                }
                let head = self.block_head.clone().unwrap_or_else(|| code.clone());
                let event = match code.as_str() {
                    "ECONNREFUSED" => Some(mailprobe_proto::ConnectFailure::Refused),
                    "ETIMEDOUT" => Some(mailprobe_proto::ConnectFailure::TimedOut),
                    "EHOSTUNREACH" | "ENETUNREACH" => Some(mailprobe_proto::ConnectFailure::Unreachable),
                    _ => None,
                };
                if let Some(failure) = event {
                    let kind = EventKind::ConnectFailed {
                        address: recognize::address(&head),
                        failure,
                        detail: head,
                    };
                    self.event(n, Some(Stage::Connect), kind, Some(program));
                } else if code == "ENOTFOUND" || code == "EAI_AGAIN" {
                    let failure = if code == "ENOTFOUND" {
                        mailprobe_proto::ResolveFailure::NoSuchHost
                    } else {
                        mailprobe_proto::ResolveFailure::TimedOut
                    };
                    let kind = EventKind::ResolveFailed { host: String::new(), failure, detail: head };
                    self.event(n, Some(Stage::Resolve), kind, Some(program));
                } else if code == "ECONNRESET" {
                    let kind = EventKind::Closed { reason: mailprobe_proto::CloseReason::Reset };
                    self.event(n, self.block_stage, kind, Some(program));
                } else {
                    let stage = self.block_stage;
                    self.client_error(n, program, Some(code), head, stage, false);
                }
            }
            "responseCode" if !has_reply => {
                if let Ok(code) = value.parse::<u16>()
                    && (200..600).contains(&code)
                {
                    let stage = self.block_stage;
                    self.reply(n, Reply::new(code, [""]), stage, Some("nodemailer"), false, false, true);
                }
            }
            "response" if !has_reply => {
                let text = literal::read(value).map_or_else(|| value.to_owned(), |(t, _)| t);
                let mut parser = mailprobe_proto::ReplyParser::new();
                for l in literal::lines(&text) {
                    parser.feed(l.as_bytes());
                    parser.feed(b"\r\n");
                }
                let stage = self.block_stage;
                while let Ok(Some(reply)) = parser.next_reply() {
                    self.reply(n, reply, stage, Some("nodemailer"), false, false, true);
                }
            }
            "command" => {
                if let Some(stage) = markers::command_stage(value) {
                    self.block_stage = Some(stage);
                    for p in &mut self.pieces[block] {
                        let movable = matches!(
                            p.kind,
                            Kind::Reply(_)
                                | Kind::Event(
                                    EventKind::ClientError { .. }
                                        | EventKind::TimedOut { .. }
                                        | EventKind::Closed { .. }
                                )
                        );
                        if movable && p.stage.is_none() {
                            p.stage = Some(stage);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// openssl s_client's certificate lines (` 0 s:CN = ...`, `   i:C = US, ...`, `subject=`,
    /// `issuer=`): the leaf certificate, shown with a TLS failure.
    fn certificate_line(&mut self, line: &str) -> bool {
        static CERT: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^\s*(?:(\d+) (s):|(i):|(subject)=|(issuer)=)\s*(.*)$").expect("valid pattern")
        });
        let Some(c) = CERT.captures(line) else { return false };
        let value = recognize::detail(&c[6]);
        let cert = self.certificate.get_or_insert_with(CertificateInfo::default);
        if let Some(depth) = c.get(1) {
            if depth.as_str() == "0" {
                cert.subject = value;
            }
        } else if c.get(3).is_some() {
            if cert.issuer.is_empty() {
                cert.issuer = value;
            }
        } else if c.get(4).is_some() {
            cert.subject = value;
        } else {
            cert.issuer = value;
        }
        true
    }

    fn client_error(
        &mut self,
        n: usize,
        program: &'static str,
        code: Option<String>,
        message: String,
        stage: Option<Stage>,
        strong: bool,
    ) {
        let duplicate = self.pieces[self.block_start.min(self.pieces.len())..].iter().any(|p| {
            p.program == Some(program)
                && matches!(&p.kind, Kind::Event(EventKind::ClientError { code: c, .. }) if *c == code)
        });
        if duplicate {
            return;
        }
        let kind = EventKind::ClientError { program: Some(program.to_owned()), code, message };
        if let Some(i) = self.push(n, stage, Some(program), Kind::Event(kind)) {
            self.pieces[i].strong = strong;
        }
    }

    /// Records a failure event; one failure reported in several lines (an exception and its
    /// cause) is one event, with the most specific kind.
    fn event(&mut self, n: usize, stage: Option<Stage>, kind: EventKind, program: Option<&'static str>) {
        match &kind {
            EventKind::ConnectFailed { address, .. } => self.scanner.port_seen(address.port()),
            EventKind::TlsFailed { .. } => self.tls_pending = false,
            _ => {}
        }
        if let Some(last) = self.pieces.last_mut()
            && last.block == self.block
            && let Kind::Event(previous) = &mut last.kind
        {
            match (previous, &kind) {
                (
                    EventKind::TlsFailed { failure, detail, .. },
                    EventKind::TlsFailed { failure: new, detail: new_detail, .. },
                ) => {
                    if tls_rank(*new) > tls_rank(*failure) {
                        *failure = *new;
                        *detail = new_detail.clone();
                    }
                    last.program = last.program.or(program);
                    return;
                }
                (EventKind::ConnectFailed { failure, .. }, EventKind::ConnectFailed { failure: new, .. })
                    if failure == new =>
                {
                    return;
                }
                (
                    EventKind::ResolveFailed { host, failure, detail },
                    EventKind::ResolveFailed { host: new, failure: new_failure, detail: new_detail },
                ) => {
                    if host.is_empty() {
                        host.clone_from(new);
                    }
                    // One lookup told twice (OpenSMTPD's delivery line says "No MX found", its
                    // resolver line which name did not resolve): the precise failure wins over
                    // a lookup that merely "failed".
                    if *failure == mailprobe_proto::ResolveFailure::Failed
                        && *new_failure != mailprobe_proto::ResolveFailure::Failed
                    {
                        *failure = *new_failure;
                        detail.clone_from(new_detail);
                        if !new.is_empty() {
                            host.clone_from(new);
                        }
                    }
                    return;
                }
                (EventKind::TimedOut { .. }, EventKind::TimedOut { .. })
                | (EventKind::Closed { .. }, EventKind::Closed { .. }) => return,
                _ => {}
            }
        }
        self.push(n, stage, program, Kind::Event(kind));
    }

    fn logged(&mut self, n: usize, logged: mta::Logged, program: &'static str) {
        match logged {
            mta::Logged::Reply { code, lines, stage, rebuilt } => {
                self.reply(n, Reply::new(code, lines), stage, Some(program), false, rebuilt, true);
            }
            mta::Logged::Event(stage, kind) => self.event(n, stage, kind, Some(program)),
            mta::Logged::Nothing => {}
        }
    }

    // ─── the result ──────────────────────────────────────────────────────────────────────

    fn finish(mut self, input: input::Input) -> Pasted {
        self.flush();
        // Words with no code and no known format can still be a provider's known phrase
        // ("Relaying denied", "Sandbox subdomains are for test purposes only", msmtp's last
        // line after a dialogue that went well): with nothing failed in the paste, its text is
        // kept as a message of no known program, so phrase rules can read it. It is not
        // something the reader understood.
        // A program's header that says only that sending failed (Thunderbird's "Sending of the
        // message failed.", .NET's "Failure sending mail.") leaves the words under it to be read.
        let prose = (!self.skip_prose
            && self.pieces.len() < MAX_EVENTS
            && !self.pieces.iter().any(|p| p.is_failure() && !p.only_says_sending_failed()))
        .then(|| {
            let mut text = unrecognised_text(&input.lines);
            for english in &self.glosses {
                if text.len() + english.len() < MAX_PROSE_CHARS {
                    text.push('\n');
                    text.push_str(&redact::scrub(english));
                }
            }
            text
        })
        .filter(|text| !text.is_empty());
        // A reply code no reader placed ("[KP1AQD] => 502 Invalid/unsupported command" in a log
        // format nobody here knows): with nothing else failed, the first one found is quoted as
        // a reply of unknown stage, so the report can at least say what its class means.
        if !self.pieces.iter().any(Piece::is_failure)
            && let Some((n, reply)) = input.lines.iter().find_map(|(n, l)| stray_reply(l).map(|r| (*n, r)))
        {
            self.push(n, None, None, Kind::Reply(reply));
        }
        // A server's words without any code, as Thunderbird shows them ("The mail server
        // responded: Requested action not taken: mailbox unavailable / invalid DNS MX or A/AAAA
        // resource record."): RFC 5321's own text for a reply says which code it went with.
        if !self.pieces.iter().any(Piece::is_failure)
            && let Some((n, stage, reply)) = standard_text_reply(&input.lines)
            && let Some(i) = self.push(n, stage, None, Kind::Reply(reply))
        {
            self.pieces[i].inferred = true;
        }
        // Binary bytes logged where SMTP text belongs (a run of replacement characters: a
        // ClientHello read as a command, a server's TLS record read as a greeting) are one side
        // speaking TLS to the other's plain text.
        let binary = input.lines.iter().find(|(_, l)| l.chars().filter(|&c| c == '\u{FFFD}').count() >= 6);
        if let Some((n, _)) = binary
            && !self.pieces.iter().any(|p| matches!(p.kind, Kind::Event(EventKind::TlsFailed { .. })))
        {
            let kind = EventKind::TlsFailed {
                failure: TlsFailure::NotTls,
                detail: "binary data (a TLS record) logged where SMTP text was expected".to_owned(),
                certificates: Vec::new(),
            };
            self.push(*n, Some(Stage::Tls), None, Kind::Event(kind));
        }
        let mut notes = input.notes;
        if self.dropped > 0 {
            notes.push(Note::EvidenceCut { kept: MAX_EVENTS, dropped: self.dropped });
        }
        // A vague client error ("SMTP connect() failed") adds nothing when the paste also
        // holds what failed.
        let precise = self.pieces.iter().any(|p| p.is_failure() && !p.is_client_error());
        if precise {
            self.pieces.retain(|p| p.strong || !p.is_client_error());
        }
        // .NET's SmtpClient says only "The operation has timed out" when no greeting ever came,
        // as on port 465, which expects SSL/TLS from the first byte (SmtpClient cannot speak
        // that: its EnableSsl is STARTTLS only). With that port named and no reply in the paste,
        // its time-out is that program's error, for the knowledge base to weigh (code
        // `timeout`). With no port named at all the same holds: SmtpClient reports a connection
        // it could not open as "Unable to connect to the remote server", so "timed out" with no
        // reply means it connected and no greeting came, the 465 case first (the knowledge base
        // lists a silent server with it). With another port named, a time-out says no more than
        // that (session.no_reply).
        // Ruby's Net::SMTP says the same when its read times out on a plain socket
        // ("Net::ReadTimeout with #<TCPSocket:(closed)>"; with implicit TLS it would be an
        // SSLSocket): it was waiting on an unencrypted connection, as on 465 set up for STARTTLS.
        let any_reply = self.pieces.iter().any(|p| matches!(p.kind, Kind::Reply(_)));
        if !any_reply && matches!(self.scanner.port(), Some(465) | None) {
            for p in &mut self.pieces {
                let block_program = self.block_programs.get(p.block).copied().flatten();
                let program = p.program.or(block_program);
                let line = input.lines.iter().find(|(n, _)| *n == p.line).map(|(_, l)| l.as_str());
                let plain = match program {
                    Some("dotnet-smtpclient") => true,
                    Some("ruby-net-smtp") => line.is_some_and(|l| l.contains("TCPSocket")),
                    _ => false,
                };
                if plain && matches!(p.kind, Kind::Event(EventKind::TimedOut { .. })) {
                    let message =
                        line.map_or_else(|| "The operation has timed out.".to_owned(), recognize::detail);
                    p.kind = Kind::Event(EventKind::ClientError {
                        program: program.map(str::to_owned),
                        code: Some("timeout".to_owned()),
                        message,
                    });
                }
            }
        }
        let certificate = self.certificate.take().filter(|c| !c.subject.is_empty() || !c.issuer.is_empty());
        let default = self.default_stage;
        let mut smtp = Vec::new();
        let mut imap = Vec::new();
        let mut understood = Vec::new();
        for mut p in std::mem::take(&mut self.pieces) {
            let block_program = self.block_programs.get(p.block).copied().flatten();
            p.program = match (p.program, block_program) {
                (Some(own), Some(block)) => Some(merge_program(Some(own), block)),
                (own, block) => own.or(block),
            };
            let stage = p.stage.or(default).unwrap_or(Stage::Unknown);
            if let (Kind::Event(EventKind::TlsFailed { certificates, .. }), Some(cert)) =
                (&mut p.kind, &certificate)
                && certificates.is_empty()
            {
                certificates.push(cert.clone());
            }
            if let Some(u) = understand(&p, stage) {
                understood.push(u);
            }
            match p.kind {
                Kind::Sent(line) => smtp.push((stage, EventKind::Sent { line })),
                Kind::Reply(reply) => smtp.push((stage, EventKind::Received { reply })),
                Kind::Imap(line) => imap.push((stage, EventKind::ImapReceived { line })),
                Kind::Event(kind) => smtp.push((stage, kind)),
            }
        }
        if let Some(message) = prose {
            smtp.push((Stage::Unknown, EventKind::ClientError { program: None, code: None, message }));
        }
        let hints = self.scanner.finish(self.ehlo_without_starttls);
        let mut transcripts = Vec::new();
        if !smtp.is_empty() {
            let endpoint = Endpoint {
                host: hints.host.clone().unwrap_or_default(),
                port: hints.port.unwrap_or(0),
                security: hints.security.unwrap_or(Security::Starttls),
            };
            transcripts.push(transcript(Protocol::Smtp, endpoint, smtp));
        }
        if !imap.is_empty() {
            let endpoint =
                Endpoint { host: hints.host.clone().unwrap_or_default(), port: 993, security: Security::Tls };
            transcripts.push(transcript(Protocol::Imap, endpoint, imap));
        }
        Pasted {
            transcripts,
            hints,
            understood,
            commands: self.commands,
            replies: self.replies,
            bytes: input.bytes,
            lines: input.line_count,
            truncated: input.truncated,
            blank: input.lines.iter().all(|(_, l)| l.trim().is_empty()),
            notes,
        }
    }
}

/// The most characters of unrecognised text kept as one message.
const MAX_PROSE_CHARS: usize = 4000;

/// A paste's non-blank lines, scrubbed of secrets and cut to [`MAX_PROSE_CHARS`].
/// A failure reply code anywhere in a line, with the words after it: `... => 502 Invalid
/// command`, `[550] relay denied`, `4.7.0 Temporary server error` (its three-digit code inferred).
fn stray_reply(line: &str) -> Option<Reply> {
    static CODE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\s>:=(\[\x22'])\[?([45][0-5]\d)\]?[ -]+((?:[245]\.\d{1,3}\.\d{1,3}\s+)?[A-Za-z(<\[][^\n]*)$")
            .expect("valid pattern")
    });
    static ENHANCED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\s>:=(\[\x22'])([45]\.\d{1,3}\.\d{1,3})\s+([A-Za-z(<\[][^\n]*)$")
            .expect("valid pattern")
    });
    if let Some(c) = CODE.captures(line) {
        let code: u16 = c[1].parse().ok()?;
        return (code != 400).then(|| Reply::new(code, [redact::scrub(c[2].trim())]));
    }
    let c = ENHANCED.captures(line)?;
    let e: EnhancedCode = c[1].parse().ok()?;
    let code = embedded::infer_code(e, line);
    Some(Reply::new(code, [redact::scrub(&format!("{} {}", &c[1], c[2].trim()))]))
}

/// RFC 5321's texts for its failure replies (section 4.2.2), as servers that keep them send them.
const STANDARD_TEXTS: &[(&str, u16)] = &[
    ("requested action not taken: mailbox unavailable", 550),
    ("requested action aborted: local error in processing", 451),
    ("requested action not taken: insufficient system storage", 452),
    ("requested mail action aborted: exceeded storage allocation", 552),
    ("requested action not taken: mailbox name not allowed", 553),
    ("requested action aborted: error in processing", 451),
    ("service not available, closing transmission channel", 421),
    ("requested mail action not taken: mailbox unavailable", 450),
];

/// A reply rebuilt from RFC 5321's own text for it, with the server's next line or two (the
/// words that say why): `Requested action not taken: mailbox unavailable` is a 550.
fn standard_text_reply(lines: &[(usize, String)]) -> Option<(usize, Option<Stage>, Reply)> {
    let (at, code) = lines.iter().enumerate().find_map(|(i, (_, l))| {
        let lower = l.to_ascii_lowercase();
        STANDARD_TEXTS.iter().find(|(t, _)| lower.contains(t)).map(|(_, code)| (i, *code))
    })?;
    let mut text = vec![redact::scrub(lines[at].1.trim())];
    // The server's own further lines, up to the program's advice ("Please check ..."), which
    // may say what was refused (the recipient).
    let mut stage = None;
    for (_, l) in lines.iter().skip(at + 1).take(3) {
        let l = l.trim();
        let lower = l.to_ascii_lowercase();
        let advice = ["please", "verify", "verificare", "bitte", "veuillez", "check "]
            .iter()
            .any(|w| lower.starts_with(w));
        if advice || l.is_empty() {
            stage = stage.or_else(|| context_stage(l));
            if advice {
                break;
            }
            continue;
        }
        if text.len() < 3 {
            text.push(redact::scrub(l));
        }
    }
    Some((lines[at].0, stage, Reply::new(code, [text.join(" ")])))
}

fn unrecognised_text(lines: &[(usize, String)]) -> String {
    let mut out = String::new();
    for (_, line) in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&redact::scrub(line));
        if out.len() >= MAX_PROSE_CHARS {
            let mut end = MAX_PROSE_CHARS;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
            break;
        }
    }
    out
}

fn transcript(protocol: Protocol, endpoint: Endpoint, events: Vec<(Stage, EventKind)>) -> Transcript {
    let mut t = Transcript::new(protocol, Role::Primary, endpoint);
    for (i, (stage, kind)) in events.into_iter().enumerate() {
        t.push(i as u64, stage, kind);
    }
    t
}

/// The reader's view of a piece, when it is worth listing.
fn understand(p: &Piece, stage: Stage) -> Option<Understood> {
    let mut u = Understood {
        kind: EvidenceKind::Reply,
        stage,
        program: p.program.map(str::to_owned),
        code: None,
        enhanced: None,
        class: None,
        text: String::new(),
        line: p.line,
        inferred: p.inferred,
    };
    match &p.kind {
        Kind::Sent(_) => return None,
        Kind::Reply(r) => {
            if p.dialogue && !r.is_failure() && !(r.code == 334 && stage == Stage::Auth) {
                return None;
            }
            u.code = Some(r.code);
            u.enhanced = r.enhanced;
            u.text = cap(&r.message());
        }
        Kind::Imap(line) => {
            u.kind = EvidenceKind::ImapReply;
            u.text = cap(line);
        }
        Kind::Event(e) => {
            let (kind, class, text) = match e {
                EventKind::TlsFailed { failure, detail, .. } => {
                    (EvidenceKind::TlsFailed, Some(snake(failure)), detail.clone())
                }
                EventKind::ConnectFailed { failure, detail, .. } => {
                    (EvidenceKind::ConnectFailed, Some(snake(failure)), detail.clone())
                }
                EventKind::ResolveFailed { failure, detail, .. } => {
                    (EvidenceKind::ResolveFailed, Some(snake(failure)), detail.clone())
                }
                EventKind::TimedOut { waiting_for, .. } => {
                    (EvidenceKind::TimedOut, None, waiting_for.clone())
                }
                EventKind::Closed { reason } => (EvidenceKind::Closed, Some(snake(reason)), String::new()),
                EventKind::ClientError { code, message, .. } => {
                    (EvidenceKind::ClientError, code.clone(), message.clone())
                }
                _ => return None,
            };
            u.kind = kind;
            u.class = class;
            u.text = cap(&text);
        }
    }
    Some(u)
}

fn cap(text: &str) -> String {
    const MAX: usize = 300;
    if text.chars().count() > MAX { text.chars().take(MAX).chain(['…']).collect() } else { text.to_owned() }
}

/// Two replies that are the same evidence (the second a quote of the first).
fn same_reply(a: &Reply, b: &Reply) -> bool {
    a.code == b.code && a.enhanced == b.enhanced && normalise(&a.message()) == normalise(&b.message())
}

fn normalise(text: &str) -> String {
    text.split_ascii_whitespace().collect::<Vec<_>>().join(" ").to_ascii_lowercase()
}

/// How specific a TLS failure kind is (a nested cause refines "could not convert socket").
fn tls_rank(f: TlsFailure) -> u8 {
    match f {
        TlsFailure::Other => 0,
        TlsFailure::ConnectionLost => 1,
        TlsFailure::HandshakeRejected => 2,
        _ => 3,
    }
}

/// A Node error object's field: `  code: 'EAUTH',` → (`code`, `EAUTH`).
/// A delivery-status field of a bounce (RFC 3464: `Diagnostic-Code:`, `Status:`, `Action:`,
/// Postfix's `X-Postfix-...`): a field of its own, never the continuation of the one before
/// (`Status: 4.4.1` is followed by `Diagnostic-Code: X-Postfix; connect to ...: Operation timed
/// out`, the sending server's own account of what happened). The one exception is a remote
/// server's words without their code, `Diagnostic-Code: smtp; Unauthenticated email ...`: those
/// are the text of the `Status:` code before them.
fn starts_dsn_field(line: &str) -> bool {
    static DSN_FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^[>\s]*(diagnostic-code|status|action|final-recipient|original-recipient|remote-mta|reporting-mta|last-attempt-date|will-retry-until|arrival-date|x-postfix-[a-z-]+|x-actual-recipient)\s*:\s*(smtp\s*;)?")
            .expect("valid pattern")
    });
    DSN_FIELD
        .captures(line)
        .is_some_and(|c| !(c[1].eq_ignore_ascii_case("diagnostic-code") && c.get(2).is_some()))
}

fn field(line: &str) -> Option<(String, String)> {
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(code|responseCode|command|response|errno|syscall|address|port|hostname|host|reason)\s*:\s*(.+?),?\s*$")
            .expect("valid pattern")
    });
    let c = FIELD.captures(line)?;
    // a value runs to the line's end, and a pasted line may hold anything after it
    let value = redact::scrub(c[2].trim());
    // `response` keeps its quotes (the literal is read later); others lose them.
    let value = if &c[1] == "response" { value } else { value.trim_matches(['\'', '"']).to_owned() };
    Some((c[1].to_owned(), value))
}

/// Programs named by their own words on a line.
const PROGRAMS: &[(&str, &str)] = &[
    ("phpmailer", "phpmailer"),
    ("smtp error:", "phpmailer"),
    ("smtp connect() failed", "phpmailer"),
    ("client -> server", "phpmailer"),
    ("server -> client", "phpmailer"),
    ("nodemailer", "nodemailer"),
    ("smtpconnection", "nodemailer"),
    ("invalid login:", "nodemailer"),
    ("smtplib", "python-smtplib"),
    ("mailkit", "mailkit"),
    ("system.net.mail", "dotnet-smtpclient"),
    ("javax.mail", "javamail"),
    ("jakarta.mail", "javamail"),
    ("com.sun.mail", "javamail"),
    ("org.eclipse.angus", "javamail"),
    ("debug smtp:", "javamail"),
    ("curl:", "curl"),
    ("net/smtp", "go-net-smtp"),
    ("smtp: server doesn't support", "go-net-smtp"),
    ("the mail server responded", "thunderbird"),
    ("thunderbird", "thunderbird"),
    ("swaks", "swaks"),
    ("unexpected smtp server response", "outlook"),
    ("microsoft outlook", "outlook"),
    ("traceback (most recent call last)", "python"),
    ("ssl.sslerror", "python"),
    ("ssl.sslcertverificationerror", "python"),
    ("ssl.ssleoferror", "python"),
    ("socket.gaierror", "python"),
    ("connectionrefusederror", "python"),
    ("connectionreseterror", "python"),
    ("timeouterror:", "python"),
    ("oserror: [errno", "python"),
    ("x509:", "go"),
    ("dial tcp", "go"),
    ("javax.net.ssl", "java"),
    ("java.net.", "java"),
    ("system.net.sockets", "dotnet"),
    ("system.io.ioexception", "dotnet"),
    ("system.security.authentication", "dotnet"),
    ("stream_socket", "php"),
    ("s_client", "openssl"),
    ("net::smtp", "ruby-net-smtp"),
    ("net::readtimeout", "ruby-net-smtp"),
    ("verify error:num", "openssl"),
    ("verify return code", "openssl"),
];

fn program_of(line: &str) -> Option<&'static str> {
    static PHRASES: LazyLock<phrases::Phrases> = LazyLock::new(|| phrases::Phrases::pairs(PROGRAMS));
    let lower = line.to_ascii_lowercase();
    PHRASES.first(&lower, |_| true).map(|i| PROGRAMS[i].1)
}

/// The language or platform a program belongs to: a generic name (`python`) gives way to a
/// specific one of its family (`python-smtplib`).
fn family(program: &str) -> &str {
    match program {
        "python" | "python-smtplib" => "python",
        "java" | "javamail" => "java",
        "dotnet" | "dotnet-smtpclient" | "mailkit" => "dotnet",
        "node" | "nodemailer" => "node",
        "go" | "go-net-smtp" => "go",
        "php" | "phpmailer" => "php",
        other => other,
    }
}

fn is_generic(program: &str) -> bool {
    matches!(program, "python" | "java" | "dotnet" | "node" | "go" | "php" | "openssl")
}

/// The block's program after seeing `new`: the first one named, unless it was generic.
fn merge_program(current: Option<&'static str>, new: &'static str) -> &'static str {
    match current {
        None => new,
        Some(c) if is_generic(c) && !is_generic(new) && (family(c) == family(new) || c == "openssl") => new,
        Some(c) => c,
    }
}

/// The stage a library's or log's wording puts its reply at.
fn context_stage(line: &str) -> Option<Stage> {
    const STAGES: &[(&str, Stage)] = &[
        ("rcpt to command failed", Stage::RcptTo),
        ("recipient command failed", Stage::RcptTo),
        ("recipients were rejected", Stage::RcptTo),
        ("smtprecipientsrefused", Stage::RcptTo),
        ("smtpaddressfailedexception", Stage::RcptTo),
        ("the following recipients failed", Stage::RcptTo),
        ("after rcpt to", Stage::RcptTo),
        // Thunderbird's advice under a refused recipient ("Please check the message recipient
        // \"x\" and try again").
        ("check the message recipient", Stage::RcptTo),
        ("in reply to rcpt to", Stage::RcptTo),
        ("rcpt failed", Stage::RcptTo),
        // msmtp's "recipient address x not accepted by the server" (German: "Empfängeradresse x
        // wird vom Server nicht akzeptiert"), in its log's errormsg beside the reply.
        ("recipient address", Stage::RcptTo),
        ("empfängeradresse", Stage::RcptTo),
        ("envelope from address", Stage::MailFrom),
        ("absenderadresse", Stage::MailFrom),
        ("data command failed", Stage::Data),
        ("message failed:", Stage::Data),
        ("smtpdataerror", Stage::Data),
        ("after end of data", Stage::Data),
        ("in reply to end of data", Stage::Data),
        ("data not accepted", Stage::Data),
        ("mail from command failed", Stage::MailFrom),
        ("mail command failed", Stage::MailFrom),
        ("smtpsenderrefused", Stage::MailFrom),
        ("smtpsenderfailedexception", Stage::MailFrom),
        ("the following from address failed", Stage::MailFrom),
        ("after mail from", Stage::MailFrom),
        ("in reply to mail from", Stage::MailFrom),
        ("mail failed", Stage::MailFrom),
        ("password command failed", Stage::Auth),
        ("username command failed", Stage::Auth),
        ("auth command failed", Stage::Auth),
        ("invalid login", Stage::Auth),
        ("authenticationfailedexception", Stage::Auth),
        ("smtpauthenticationerror", Stage::Auth),
        ("authenticationexception", Stage::Auth),
        ("sasl authentication failed", Stage::Auth),
        ("login denied", Stage::Auth),
        ("authenticator failed", Stage::Auth),
        ("could not authenticate", Stage::Auth),
        ("after auth", Stage::Auth),
        ("in reply to auth", Stage::Auth),
        ("ehlo command failed", Stage::Ehlo),
        ("helo command failed", Stage::Ehlo),
        ("smtpheloerror", Stage::Ehlo),
        ("after ehlo", Stage::Ehlo),
        ("after helo", Stage::Ehlo),
        ("starttls command failed", Stage::Tls),
        ("after starttls", Stage::Tls),
        // Outlook 0x800CCC1A: SSL/TLS against a STARTTLS port, or the other way round
        ("connection encryption type", Stage::Tls),
        ("smtpconnecterror", Stage::Banner),
        ("invalid greeting", Stage::Banner),
        ("after initial connection", Stage::Banner),
        ("refused to talk to me", Stage::Banner),
        // Thunderbird names the command a quoted reply answered by the sentence around it
        // (messengercompose.ftl: smtp-error-sending-from-command, -recipient-command, -message).
        ("please verify that your email address is correct in your account settings", Stage::MailFrom),
        ("indirizzo email nelle impostazioni dell", Stage::MailFrom),
        ("e-mail-adresse in den konten-einstellungen stimmt", Stage::MailFrom),
        ("please check the message recipient", Stage::RcptTo),
        ("controllare il destinatario del messaggio", Stage::RcptTo),
        ("e-mail-adresse des empf", Stage::RcptTo),
        ("verifique o destinat", Stage::RcptTo),
        ("please check the message and try again", Stage::Data),
        ("controllare il messaggio e riprovare", Stage::Data),
    ];
    static PHRASES: LazyLock<phrases::Phrases> = LazyLock::new(|| phrases::Phrases::pairs(STAGES));
    let lower = line.to_ascii_lowercase();
    PHRASES.first(&lower, |_| true).map(|i| STAGES[i].1)
}

#[cfg(test)]
mod tests;
