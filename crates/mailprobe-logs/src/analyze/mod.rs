//! Read whole log files and saved transcripts into one [`Transcript`] per mail session,
//! streamed: lines go in, finished sessions come out, memory stays bounded whatever the size.
//!
//! Two families of formats:
//! - [`client`]: what a sending program prints about its own session (swaks, `openssl s_client`,
//!   `curl -v`, msmtp, Python smtplib, PHPMailer, nodemailer, JavaMail, Outlook's logs). A file
//!   usually holds one session or a few, one after another.
//! - [`server`]: what a mail server writes about every client (Postfix, Exim, Sendmail,
//!   OpenSMTPD, Exchange's SMTP protocol log). Sessions interleave and are stitched back
//!   together by process id, client address and port, queue id or session id.
//!
//! Like the rest of the crate this does no I/O: the caller reads bytes (plain, gzip, stdin),
//! splits lines and hands each one to a [`SessionParser`].

pub mod client;
pub mod server;

pub use server::Edges;

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use mailprobe_proto::{Context, EventKind, EvidenceSource, Stage, Step, Transcript};
use serde::{Deserialize, Serialize};

/// How many bytes of a file's start [`detect`] needs to recognise its format.
pub const DETECT_BYTES: usize = 64 * 1024;

/// A log or transcript format mailprobe reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// swaks' output (`=== Trying`, `<~`/`~>`, `<-`/`->`).
    Swaks,
    /// An `openssl s_client -starttls smtp` (or `-connect` to 465) session.
    OpensslSClient,
    /// `curl -v smtp://...` / `smtps://...`.
    CurlVerbose,
    /// msmtp's `--debug` output or its log file (`logfile`).
    Msmtp,
    /// Python smtplib with `set_debuglevel(1|2)`.
    PythonSmtplib,
    /// PHPMailer with `SMTPDebug` 2..4.
    Phpmailer,
    /// nodemailer with `logger: true, debug: true`.
    Nodemailer,
    /// JavaMail / Jakarta Mail with `mail.debug=true`.
    Javamail,
    /// Outlook for Windows' troubleshooting log (`Opmlog`, `*.log` under `%TEMP%\Outlook Logging`).
    OutlookWindows,
    /// Outlook for Mac's log (Help > Collect Diagnostics / the logging window).
    OutlookMac,
    /// A generic `C:`/`S:` (or `>>>`/`<<<`) dialogue: what `mailprobe explain` reads.
    Dialogue,
    /// Postfix's mail log (syslog or `maillog_file`).
    Postfix,
    /// Exim's mainlog.
    Exim,
    /// Sendmail's syslog lines.
    Sendmail,
    /// OpenSMTPD's log (`smtpd[PID]: SESSIONID smtp ...`, syslog or `smtpd -d`).
    Opensmtpd,
    /// Exchange / Exchange Online SMTP protocol log (CSV).
    ExchangeCsv,
}

impl LogFormat {
    /// Every format, in the order [`detect`] tries them.
    pub const ALL: [LogFormat; 16] = [
        Self::ExchangeCsv,
        Self::Postfix,
        Self::Exim,
        Self::Sendmail,
        Self::Opensmtpd,
        Self::Swaks,
        Self::OpensslSClient,
        Self::CurlVerbose,
        Self::Msmtp,
        Self::PythonSmtplib,
        Self::Phpmailer,
        Self::Nodemailer,
        Self::Javamail,
        Self::OutlookWindows,
        Self::OutlookMac,
        Self::Dialogue,
    ];

    /// The name used on the command line (`--input-format`) and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Swaks => "swaks",
            Self::OpensslSClient => "openssl-s-client",
            Self::CurlVerbose => "curl-verbose",
            Self::Msmtp => "msmtp",
            Self::PythonSmtplib => "python-smtplib",
            Self::Phpmailer => "phpmailer",
            Self::Nodemailer => "nodemailer",
            Self::Javamail => "javamail",
            Self::OutlookWindows => "outlook-windows",
            Self::OutlookMac => "outlook-mac",
            Self::Dialogue => "dialogue",
            Self::Postfix => "postfix",
            Self::Exim => "exim",
            Self::Sendmail => "sendmail",
            Self::Opensmtpd => "opensmtpd",
            Self::ExchangeCsv => "exchange-csv",
        }
    }

    /// Whether one log of this format can be read in chunks on several threads
    /// ([`ChunkReader`]): each line names the session it belongs to (Postfix: the host and
    /// process id), so a chunk is read without the ones before it.
    pub fn can_split(self) -> bool {
        self == LogFormat::Postfix
    }

    /// True for server logs (many interleaved client sessions), false for a client's own log.
    pub fn is_server_log(self) -> bool {
        matches!(self, Self::Postfix | Self::Exim | Self::Sendmail | Self::Opensmtpd | Self::ExchangeCsv)
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An `--input-format` name that is not one of [`LogFormat::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown log format {0:?}")]
pub struct UnknownFormat(pub String);

impl FromStr for LogFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// Recognises the format from the first bytes of a file (up to [`DETECT_BYTES`]; fewer when
/// the file is shorter). Server logs are tried first: their line shape is unmistakable.
/// `None` when nothing fits; the caller may then fall back to [`LogFormat::Dialogue`].
pub fn detect(head: &[u8]) -> Option<LogFormat> {
    let head = &head[..head.len().min(DETECT_BYTES)];
    server::detect(head).or_else(|| client::detect(head))
}

/// What is known about a session besides its events: who, when, where. Read back from JSON by
/// `analyze`'s spill of listed sessions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// A stable id within the file: the server's session id, `smtpd[1234]` plus a counter, or
    /// `session N` for client logs.
    pub id: String,
    /// The client as the log names it (`printer.lan[192.0.2.7]`), for server logs; the program
    /// (`swaks 20240103.0`) for client logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The client's address, when the log shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<IpAddr>,
    /// The server as the log names it (`smtp.gmail.com`), with its port when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The login name used, when shown (`sasl_username=`, `AUTH PLAIN` decoded user).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The provider the log's words point to (Gmail's `gsmtp`, Microsoft's `outlook.com`
    /// hosts), when they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// When the session started, as the log writes it (syslog or ISO time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// When it ended, as the log writes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    /// 1-based line number of its first line in the input.
    pub first_line: u64,
    /// 1-based line number of its last line.
    pub last_line: u64,
    /// The log ended (or the parser's memory bound was hit) before the session did.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

/// One session read from a log: the evidence and what is known about it.
#[derive(Clone, Debug)]
pub struct LogSession {
    /// The format it was read from.
    pub format: LogFormat,
    /// Who, when, where.
    pub meta: SessionMeta,
    /// What happened, as a live probe would have recorded it. Its endpoint is the server as
    /// far as the log tells (host empty, port 0 when it does not). Empty until
    /// [`LogSession::materialize`] when the session came from a [`deferring_parser_for`].
    pub transcript: Transcript,
    /// From a deferring parser: a key equal for sessions whose transcripts are built from the
    /// same kinds of log lines, in the same order, with the same codes and texts (addresses,
    /// ids and numbers set aside), so one diagnosis serves them all.
    pub shape: Option<u64>,
    /// What the transcript is built from, until it is.
    deferred: Option<Box<server::Deferred>>,
}

impl SessionMeta {
    /// Moves the session to other line numbers, `line` giving each old number's new one: its
    /// first and last line, and its id where the id ends with its first line (as a server log's
    /// `postfix/smtpd[7]:120` does).
    pub fn renumber(&mut self, line: impl Fn(u64) -> u64) {
        let first = line(self.first_line);
        self.id = renumbered_id(&self.id, self.first_line, first);
        (self.first_line, self.last_line) = (first, line(self.last_line));
    }
}

/// `id`, when it ends with line `from` (`...:FROM`), ending with line `to` instead; any other id
/// as it is.
pub fn renumbered_id(id: &str, from: u64, to: u64) -> String {
    match id.strip_suffix(from.to_string().as_str()) {
        Some(stem) if stem.ends_with(':') => format!("{stem}{to}"),
        _ => id.to_owned(),
    }
}

impl LogSession {
    /// A session whose transcript is built.
    pub fn new(format: LogFormat, meta: SessionMeta, transcript: Transcript) -> Self {
        Self { format, meta, transcript, shape: None, deferred: None }
    }

    /// Builds the transcript of a session from a deferring parser (nothing to do otherwise).
    /// Needed before [`LogSession::context`], [`LogSession::failed_step`] or reading
    /// `transcript`.
    pub fn materialize(&mut self) {
        if let Some(deferred) = self.deferred.take() {
            self.transcript = deferred.build(&mut self.meta);
        }
    }

    /// Whether the transcript is still to be built.
    pub fn is_deferred(&self) -> bool {
        self.deferred.is_some()
    }

    /// When the session started, as the log wrote it (bytes: a log may hold anything); known
    /// before a deferred session is built (its `meta` is filled in only then).
    pub fn started(&self) -> Option<&[u8]> {
        match (&self.meta.started, &self.deferred) {
            (Some(t), _) => Some(t.as_bytes()),
            (None, Some(d)) => d.started(),
            (None, None) => None,
        }
    }

    /// When it ended, as the log wrote it, also before a deferred session is built.
    pub fn ended(&self) -> Option<&[u8]> {
        match (&self.meta.ended, &self.deferred) {
            (Some(t), _) => Some(t.as_bytes()),
            (None, Some(d)) => d.ended(),
            (None, None) => None,
        }
    }

    /// The client's address, when the log shows it, also before a deferred session is built.
    pub fn client_ip(&self) -> Option<IpAddr> {
        match (&self.meta.client, &self.deferred) {
            (None, Some(d)) => d.client_ip(),
            _ => self.meta.client_ip,
        }
    }

    /// The client as the log names it and its address, also before a deferred session is
    /// built.
    pub fn client(&self) -> (Option<Cow<'_, str>>, Option<IpAddr>) {
        match (&self.meta.client, &self.deferred) {
            (None, Some(d)) if let Some(client) = d.client() => (Some(lossy(client)), d.client_ip()),
            (client, _) => (client.as_deref().map(Cow::Borrowed), self.meta.client_ip),
        }
    }

    /// What the knowledge base needs to know besides the transcript: evidence read from a log,
    /// the provider when the caller knows it, the server and the login as the log names them.
    pub fn context(&self, provider: Option<&str>) -> Context {
        let endpoint = &self.transcript.endpoint;
        let auth_sent = self.transcript.events.iter().any(|e| {
            e.stage == Stage::Auth && matches!(&e.kind, EventKind::Sent { line } if line.starts_with("AUTH"))
        });
        Context {
            evidence: EvidenceSource::Log,
            provider: provider.map(str::to_owned),
            host: endpoint.host.clone(),
            port: endpoint.port,
            user: self.meta.user.clone(),
            // a login was tried: the client had a secret, whatever it was
            has_password: auth_sent,
            ..Context::default()
        }
    }

    /// The step where the session failed: the first failed stage, or `None` when none did.
    pub fn failed_step(&self) -> Option<Step> {
        self.transcript.steps().into_iter().find(|s| !s.ok)
    }
}

/// Log bytes as text, borrowed when they are UTF-8 (nearly always).
fn lossy(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// A streaming reader of one format: feed it every line in order, collect sessions as they end.
///
/// Implementations keep only sessions still open (bounded: the oldest is flushed as
/// [`SessionMeta::incomplete`] past a limit), so memory does not grow with the file.
pub trait SessionParser: Send {
    /// Reads one line (without its line ending; `number` is 1-based). Sessions the line
    /// completes are pushed onto `out`. Never panics, whatever the bytes.
    fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>);
    /// The input ended: pushes every session still open (marked incomplete when it had not
    /// ended).
    fn finish(&mut self, out: &mut Vec<LogSession>);
}

/// A parser for `format`.
pub fn parser_for(format: LogFormat) -> Box<dyn SessionParser> {
    if format.is_server_log() { server::parser_for(format) } else { client::parser_for(format) }
}

/// A parser for `format` that, where the format allows it (Postfix), leaves each session's
/// transcript unbuilt and gives its [`LogSession::shape`] instead: for summing up big logs,
/// where only one session of each shape needs diagnosing. A deferred session's `meta` holds
/// its line numbers and whether it is complete; the rest is written when it is built, and
/// [`LogSession::started`], [`LogSession::ended`] and [`LogSession::client`] read it before.
pub fn deferring_parser_for(format: LogFormat) -> Box<dyn SessionParser> {
    match format {
        LogFormat::Postfix => Box::new(server::PostfixParser::deferring()),
        _ => parser_for(format),
    }
}

/// Reads one chunk of lines of a log whose format [`LogFormat::can_split`], apart from the
/// chunks before and after it, so that several threads can read one log: the sessions wholly
/// inside the chunk come out deferred (as from [`deferring_parser_for`]); what crosses its
/// edges is left in [`Edges`] for the [`Stitcher`].
pub struct ChunkReader(server::PostfixParser);

impl ChunkReader {
    /// A reader for a chunk of a `format` log; `None` when the format cannot be split.
    pub fn new(format: LogFormat) -> Option<Self> {
        format.can_split().then(|| Self(server::PostfixParser::chunk()))
    }

    /// Reads line `number` of the log (as [`SessionParser::line`]).
    pub fn line(&mut self, number: u64, line: &[u8], out: &mut Vec<LogSession>) {
        self.0.line(number, line, out);
    }

    /// The chunk is read: what of it the [`Stitcher`] finishes. The reader is then ready for
    /// another chunk of a log of the same format (reusing its memory).
    pub fn edges(&mut self) -> Edges {
        self.0.edges()
    }
}

/// Finishes the sessions that cross chunk edges, given every chunk's [`Edges`] in the order
/// of the chunks: together with the [`ChunkReader`]s, the same sessions as one deferring
/// parser reading the whole log.
pub struct Stitcher(server::PostfixParser);

impl Stitcher {
    /// A stitcher for a `format` log; `None` when the format cannot be split.
    pub fn new(format: LogFormat) -> Option<Self> {
        format.can_split().then(|| Self(server::PostfixParser::deferring()))
    }

    /// Takes the next chunk's edges; sessions that end come out with the line they ended on.
    pub fn stitch(&mut self, edges: Edges, out: &mut Vec<(u64, LogSession)>) {
        self.0.stitch(edges, out);
    }

    /// The log ended: every session still open (as [`SessionParser::finish`]).
    pub fn finish(&mut self, out: &mut Vec<LogSession>) {
        self.0.finish(out);
    }
}

/// Feeds `text` into `h` with what varies between sessions of one kind set aside: `<...>`
/// addresses, words with digits (ids, times, counts) and words with `@` or `[` (addresses,
/// hosts).
pub fn hash_text_shape(text: &str, h: &mut impl std::hash::Hasher) {
    hash_bytes_shape(text.as_bytes(), h);
}

/// [`hash_text_shape`] of log bytes, whatever their encoding. One pass over the bytes, each
/// classed by a table: it runs on every reject and failed login of a log.
pub fn hash_bytes_shape(text: &[u8], h: &mut impl std::hash::Hasher) {
    const SPACE: u8 = 1;
    const MARK: u8 = 2;
    const DIGIT: u8 = 4;
    const CLOSE: u8 = 8;
    const CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            let c = i as u8;
            t[i] = if c.is_ascii_whitespace() {
                SPACE
            } else if c == b'@' || c == b'[' {
                MARK
            } else if c.is_ascii_digit() {
                DIGIT
            } else if c == b'>' {
                CLOSE
            } else {
                0
            };
            i += 1;
        }
        t
    };
    let mut in_angle = false;
    let mut word = |word: &[u8], seen: u8| {
        if in_angle || word[0] == b'<' {
            in_angle = seen & CLOSE == 0;
            h.write_u8(b'<');
        } else if seen & MARK != 0 || seen & DIGIT != 0 && word.len() > 5 {
            h.write_u8(b'#');
        } else {
            h.write(word);
            h.write_u8(0xff);
        }
    };
    let (mut start, mut seen, mut in_word) = (0, 0u8, false);
    for (i, &c) in text.iter().enumerate() {
        let class = CLASS[usize::from(c)];
        if class == SPACE {
            if in_word {
                word(&text[start..i], seen);
                in_word = false;
            }
        } else {
            if !in_word {
                (start, seen, in_word) = (i, 0, true);
            }
            seen |= class;
        }
    }
    if in_word {
        word(&text[start..], seen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hasher that keeps what it was fed, to compare two ways of feeding it.
    #[derive(Default)]
    struct Fed(Vec<u8>);

    impl std::hash::Hasher for Fed {
        fn finish(&self) -> u64 {
            0
        }
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }

    /// The shape read word by word, as the rule says it.
    fn by_words(text: &[u8]) -> Vec<u8> {
        let mut h = Fed::default();
        let mut in_angle = false;
        for word in text.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty()) {
            if in_angle || word.starts_with(b"<") {
                in_angle = !word.contains(&b'>');
                std::hash::Hasher::write_u8(&mut h, b'<');
            } else if word.iter().any(|&b| b == b'@' || b == b'[')
                || word.iter().any(u8::is_ascii_digit) && word.len() > 5
            {
                std::hash::Hasher::write_u8(&mut h, b'#');
            } else {
                std::hash::Hasher::write(&mut h, word);
                std::hash::Hasher::write_u8(&mut h, 0xff);
            }
        }
        h.0
    }

    proptest::proptest! {
        #[test]
        fn text_shape_in_one_pass_is_the_word_rule(text in proptest::collection::vec(
            proptest::sample::select(b" \t<>@[1a5.xyz:".to_vec()), 0..60)) {
            let mut h = Fed::default();
            hash_bytes_shape(&text, &mut h);
            proptest::prop_assert_eq!(h.0, by_words(&text));
        }
    }

    #[test]
    fn text_shapes_set_addresses_and_ids_aside() {
        let shape = |t: &str| {
            let mut h = Fed::default();
            hash_text_shape(t, &mut h);
            h.0
        };
        assert_eq!(shape("5.7.1 <a@b.c>: Relay access denied"), shape("5.7.1 <x@y.z>: Relay access denied"));
        assert_eq!(shape("queued as 4A00B244"), shape("queued as 9F0C1D22"));
        assert_ne!(shape("5.7.1 Relay access denied"), shape("5.7.8 Relay access denied"));
        assert_eq!(shape("  a\tb  "), by_words(b"a b"));
    }
}
