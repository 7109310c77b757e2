//! Delivery to the upstream server: an SMTP client over tokio and rustls (TLS 1.2 or newer),
//! every step under the configured timeout and recorded as a [`Transcript`] for diagnosis.
//!
//! A [`Connection`] is opened once (connect, banner, EHLO, STARTTLS, EHLO, AUTH) and delivers
//! several messages in turn; each [`Connection::deliver`] says per recipient whether it was
//! delivered, deferred (4xx, or the connection broke) or refused (5xx).

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailprobe_net::TrustStore;
use mailprobe_proto::{
    CloseReason, ConnectFailure, EhloCapabilities, Endpoint, EventKind, PeerBytes, Protocol, Reply,
    ReplyError, ReplyParser, Role, SaslMechanism, SaslStep, Secret, Security, Stage, TlsFailure, Transcript,
    empty_response, login_steps, plain_initial_response, preview_bytes, xoauth2_initial_response,
};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::config::{self, UpstreamAuth, UpstreamSecurity};
use crate::oauth::{OAuthError, TokenSource};

/// RFC 5321's limit for a command line, CRLF included: an `AUTH XOAUTH2` line longer than this
/// sends its response after an empty 334 instead (servers cut or refuse long lines).
pub const MAX_COMMAND_LINE: usize = 512;

/// The body is written in pieces this large, each under the step timeout.
const WRITE_CHUNK: usize = 64 * 1024;

/// Why the upstream client cannot be set up (the configuration names something unusable).
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// `ca_file` could not be read or holds no certificate.
    #[error("upstream ca_file: {0}")]
    CaFile(String),
    /// The password file could not be read, or is empty.
    #[error("cannot read the upstream password file {path}: {reason}")]
    PasswordFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The OAuth 2.0 settings cannot be used.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
}

/// How the client signs in.
#[derive(Debug)]
enum Auth {
    None,
    Password { user: String, password: Secret },
    Xoauth2 { user: String, tokens: Arc<TokenSource> },
}

/// The upstream server as the configuration describes it, ready to connect to.
#[derive(Debug)]
pub struct UpstreamClient {
    host: String,
    port: u16,
    security: UpstreamSecurity,
    connect_to: Option<SocketAddr>,
    ehlo_name: String,
    timeout: Duration,
    trust: TrustStore,
    auth: Auth,
}

/// What happened to one recipient of a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RcptOutcome {
    /// The server took responsibility (`250` after the message).
    Delivered {
        /// The server's final reply, one line.
        reply: String,
    },
    /// Try again later: a 4xx, a broken connection, a sign-in or TLS problem.
    Deferred(Failure),
    /// The server refused it for good (5xx): a bounce.
    Refused(Failure),
}

/// A failed step, as a DSN and a log line show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The RFC 3463 status (`4.4.1`, `5.7.60`): the reply's enhanced code, or one derived from
    /// its class and the stage.
    pub status: String,
    /// The server's reply as it came (`550 5.7.60 SMTP; Client does not have...`), or what went
    /// wrong without one (`connect to 127.0.0.1:25: connection refused`).
    pub detail: String,
    /// True when the detail is an SMTP reply of the upstream (a DSN's `Diagnostic-Code: smtp`).
    pub from_server: bool,
}

impl Failure {
    fn from_reply(reply: &Reply, stage: Stage) -> Self {
        let status = match reply.enhanced {
            Some(code) => code.to_string(),
            None => default_status(reply.code, stage),
        };
        Self { status, detail: reply_line(reply), from_server: true }
    }

    fn local(status: &str, detail: impl Into<String>) -> Self {
        Self { status: status.to_owned(), detail: detail.into(), from_server: false }
    }
}

/// A status for a reply without an enhanced code (RFC 3463's generic ones).
fn default_status(code: u16, stage: Stage) -> String {
    let class = if code >= 500 { 5 } else { 4 };
    let detail = match stage {
        Stage::MailFrom => "1.0",
        Stage::RcptTo => "1.1",
        Stage::Data => "3.0",
        Stage::Auth => "7.8",
        _ => "0.0",
    };
    format!("{class}.{detail}")
}

/// A reply on one line, its lines joined.
fn reply_line(reply: &Reply) -> String {
    reply.wire_lines().join(" ")
}

/// The outcome of one [`Connection::deliver`].
#[derive(Debug)]
pub struct Delivery {
    /// Each recipient asked for, in order, with what happened.
    pub recipients: Vec<(String, RcptOutcome)>,
    /// The session as recorded: its setup (connect to AUTH) and this message's transaction.
    pub transcript: Transcript,
}

/// A session that could not be opened, or whose setup failed.
#[derive(Debug)]
pub struct SetupFailure {
    /// What went wrong (always transient: the message is fine, the path is not).
    pub failure: Failure,
    /// The session as recorded.
    pub transcript: Transcript,
}

/// Records events with their time since the session began.
#[derive(Debug)]
struct Recorder {
    transcript: Transcript,
    start: Instant,
}

impl Recorder {
    fn push(&mut self, stage: Stage, kind: EventKind) {
        let at_ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.transcript.push(at_ms, stage, kind);
    }

    fn note(&mut self, stage: Stage, text: impl Into<String>) {
        self.push(stage, EventKind::Note { text: text.into() });
    }
}

/// The session stopped; the reason is the transcript's last event.
#[derive(Debug)]
struct Stopped;

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Between taking the TCP stream for a handshake and getting a TLS stream back, or closed.
    Gone,
}

/// An open session with the upstream, signed in and ready for messages.
pub struct Connection {
    stream: Stream,
    parser: ReplyParser,
    rec: Recorder,
    caps: EhloCapabilities,
    timeout: Duration,
    /// Events of the setup (connect to AUTH): every message's transcript starts with them.
    setup_events: usize,
    /// The peer's address, for log lines.
    peer: SocketAddr,
    /// Messages delivered (or tried) on this connection.
    messages: u32,
    /// False once the connection broke or the server said `421`.
    usable: bool,
    buf: Box<[u8]>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("peer", &self.peer)
            .field("messages", &self.messages)
            .field("usable", &self.usable)
            .finish_non_exhaustive()
    }
}

impl UpstreamClient {
    /// The client for `upstream`, greeting with `ehlo_name`; reads the password or makes the
    /// token source now, so that a bad file is reported at start, not at the first message.
    pub fn new(upstream: &config::Upstream, ehlo_name: &str) -> Result<Self, UpstreamError> {
        let timeout = Duration::from_secs(upstream.timeout_secs);
        let mut trust = TrustStore::system();
        if let Some(path) = &upstream.ca_file {
            trust = trust.with_ca_file(path).map_err(|e| UpstreamError::CaFile(e.to_string()))?;
        }
        let auth = match &upstream.auth {
            UpstreamAuth::None => Auth::None,
            UpstreamAuth::Plain { user, password_file } => {
                Auth::Password { user: user.clone(), password: read_secret_file(password_file)? }
            }
            UpstreamAuth::Xoauth2 { user, .. } => Auth::Xoauth2 {
                user: user.clone(),
                tokens: Arc::new(TokenSource::from_config(
                    &upstream.auth,
                    upstream.ca_file.as_deref(),
                    timeout,
                )?),
            },
        };
        Ok(Self {
            host: upstream.host.clone(),
            port: upstream.port,
            security: upstream.security,
            connect_to: upstream.connect_to,
            ehlo_name: ehlo_name.to_owned(),
            timeout,
            trust,
            auth,
        })
    }

    /// The host name as configured (a DSN's `Remote-MTA`).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The token source, when the client signs in with XOAUTH2.
    pub fn token_source(&self) -> Option<&Arc<TokenSource>> {
        match &self.auth {
            Auth::Xoauth2 { tokens, .. } => Some(tokens),
            _ => None,
        }
    }

    fn endpoint(&self) -> Endpoint {
        let security = match self.security {
            UpstreamSecurity::Starttls => Security::Starttls,
            UpstreamSecurity::Tls => Security::Tls,
            UpstreamSecurity::None => Security::None,
        };
        Endpoint { host: self.host.clone(), port: self.port, security }
    }

    /// Opens a session: connects, reads the banner, says EHLO, starts TLS as configured and
    /// signs in. Every failure here is transient for the messages (the path is broken, not
    /// the message), as Postfix treats a failed sign-in (`smtp_sasl_auth_soft_bounce`).
    pub async fn connect(&self) -> Result<Connection, SetupFailure> {
        let mut transcript = Transcript::new(Protocol::Smtp, Role::Primary, self.endpoint());
        transcript.started_at =
            time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).ok();
        let mut rec = Recorder { transcript, start: Instant::now() };
        let fail = |rec: Recorder, failure: Failure| SetupFailure { failure, transcript: rec.transcript };
        let (tcp, peer) = match self.open(&mut rec).await {
            Ok(v) => v,
            Err(failure) => return Err(fail(rec, failure)),
        };
        let mut conn = Connection {
            stream: Stream::Plain(tcp),
            parser: ReplyParser::new(),
            rec,
            caps: EhloCapabilities::default(),
            timeout: self.timeout,
            setup_events: 0,
            peer,
            messages: 0,
            usable: true,
            buf: vec![0; 16 * 1024].into_boxed_slice(),
        };
        match self.setup(&mut conn).await {
            Ok(()) => {
                conn.setup_events = conn.rec.transcript.events.len();
                Ok(conn)
            }
            Err(failure) => {
                conn.usable = false;
                let transcript = conn.close(Stage::Quit).await;
                Err(SetupFailure { failure, transcript })
            }
        }
    }

    async fn open(&self, rec: &mut Recorder) -> Result<(TcpStream, SocketAddr), Failure> {
        let addresses: Vec<SocketAddr> = match self.connect_to {
            Some(addr) => {
                rec.note(Stage::Resolve, format!("connecting to {addr} instead of resolving {}", self.host));
                vec![addr]
            }
            None => {
                let lookup = tokio::net::lookup_host((self.host.as_str(), self.port));
                match tokio::time::timeout(self.timeout, lookup).await {
                    Ok(Ok(found)) => {
                        let found: Vec<SocketAddr> = found.collect();
                        rec.push(
                            Stage::Resolve,
                            EventKind::Resolved {
                                host: self.host.clone(),
                                addresses: found.iter().map(SocketAddr::ip).collect(),
                            },
                        );
                        found
                    }
                    Ok(Err(e)) => {
                        rec.push(
                            Stage::Resolve,
                            EventKind::ResolveFailed {
                                host: self.host.clone(),
                                failure: mailprobe_proto::ResolveFailure::Failed,
                                detail: e.to_string(),
                            },
                        );
                        return Err(Failure::local("4.4.3", format!("cannot resolve {}: {e}", self.host)));
                    }
                    Err(_) => {
                        rec.push(
                            Stage::Resolve,
                            EventKind::ResolveFailed {
                                host: self.host.clone(),
                                failure: mailprobe_proto::ResolveFailure::TimedOut,
                                detail: format!("no answer in {:?}", self.timeout),
                            },
                        );
                        return Err(Failure::local(
                            "4.4.3",
                            format!("cannot resolve {}: timed out", self.host),
                        ));
                    }
                }
            }
        };
        let mut last = String::new();
        for address in addresses {
            rec.push(Stage::Connect, EventKind::Connecting { address });
            match tokio::time::timeout(self.timeout, TcpStream::connect(address)).await {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    rec.push(Stage::Connect, EventKind::Connected { address });
                    return Ok((stream, address));
                }
                Ok(Err(e)) => {
                    let failure = classify_connect_error(&e);
                    last = format!("connect to {address}: {e}");
                    rec.push(
                        Stage::Connect,
                        EventKind::ConnectFailed { address, failure, detail: e.to_string() },
                    );
                }
                Err(_) => {
                    last = format!("connect to {address}: no answer in {} s", self.timeout.as_secs());
                    rec.push(
                        Stage::Connect,
                        EventKind::ConnectFailed {
                            address,
                            failure: ConnectFailure::TimedOut,
                            detail: format!("no answer in {:?}", self.timeout),
                        },
                    );
                }
            }
        }
        Err(Failure::local("4.4.1", last))
    }

    async fn setup(&self, conn: &mut Connection) -> Result<(), Failure> {
        if self.security == UpstreamSecurity::Tls {
            conn.handshake(&self.trust, &self.host).await.map_err(|_| conn.stopped_failure("4.7.5"))?;
        }
        let banner =
            conn.read_reply(Stage::Banner, "banner").await.map_err(|_| conn.stopped_failure("4.4.2"))?;
        if !banner.is_positive() {
            return Err(Failure::from_reply(&banner, Stage::Banner));
        }
        conn.ehlo(&self.ehlo_name).await?;
        if self.security == UpstreamSecurity::Starttls {
            if !conn.caps.starttls {
                conn.rec.note(
                    Stage::Tls,
                    "the server does not offer STARTTLS; the relay never sends without TLS",
                );
                return Err(Failure::local("4.7.4", "the upstream does not offer STARTTLS"));
            }
            let reply = conn.command(Stage::Tls, "STARTTLS", b"STARTTLS\r\n").await?;
            if reply.code != 220 {
                return Err(Failure::from_reply(&reply, Stage::Tls));
            }
            // Bytes after the 220 and before the handshake would be injected in the clear.
            if !conn.parser.take_buffered().is_empty() {
                conn.rec.note(Stage::Tls, "bytes after the STARTTLS reply were dropped (possible injection)");
            }
            conn.handshake(&self.trust, &self.host).await.map_err(|_| conn.stopped_failure("4.7.5"))?;
            conn.ehlo(&self.ehlo_name).await?;
        }
        match &self.auth {
            Auth::None => Ok(()),
            Auth::Password { user, password } => self.sign_in_password(conn, user, password).await,
            Auth::Xoauth2 { user, tokens } => self.sign_in_xoauth2(conn, user, tokens).await,
        }
    }

    async fn sign_in_password(
        &self,
        conn: &mut Connection,
        user: &str,
        password: &Secret,
    ) -> Result<(), Failure> {
        let stage = Stage::Auth;
        let reply = if conn.caps.offers(&SaslMechanism::Plain) {
            let step = plain_initial_response(user, password);
            let shown = format!("AUTH PLAIN {}", step.shown);
            let wire = format!("AUTH PLAIN {}\r\n", step.wire.expose());
            conn.command(stage, &shown, wire.as_bytes()).await?
        } else if conn.caps.offers(&SaslMechanism::Login) {
            let [name, pass] = login_steps(user, password);
            let reply = conn.command(stage, "AUTH LOGIN", b"AUTH LOGIN\r\n").await?;
            if reply.code != 334 {
                return Err(Failure::from_reply(&reply, stage));
            }
            let reply = conn.sasl_step(&name).await?;
            if reply.code != 334 {
                return Err(Failure::from_reply(&reply, stage));
            }
            conn.sasl_step(&pass).await?
        } else {
            conn.rec.note(stage, "the server offers neither AUTH PLAIN nor AUTH LOGIN");
            return Err(Failure::local(
                "4.7.8",
                "the upstream offers no password sign-in (AUTH PLAIN or LOGIN)",
            ));
        };
        if reply.code == 235 { Ok(()) } else { Err(Failure::from_reply(&reply, stage)) }
    }

    async fn sign_in_xoauth2(
        &self,
        conn: &mut Connection,
        user: &str,
        tokens: &TokenSource,
    ) -> Result<(), Failure> {
        let stage = Stage::Auth;
        if !conn.caps.offers(&SaslMechanism::XOAuth2) {
            conn.rec.note(stage, "the server does not offer AUTH XOAUTH2");
            return Err(Failure::local("4.7.8", "the upstream does not offer AUTH XOAUTH2"));
        }
        let token = match tokens.token().await {
            Ok(token) => token,
            Err(e) => {
                // The token endpoint's answer is evidence too: the knowledge base reads it.
                conn.rec.push(
                    stage,
                    EventKind::ClientError {
                        program: Some("oauth".into()),
                        code: e.code().map(str::to_owned),
                        message: e.to_string(),
                    },
                );
                let detail = match &e {
                    OAuthError::Unreachable { .. } => {
                        format!("no OAuth 2.0 token, the token endpoint is unreachable: {e}")
                    }
                    _ => format!("no OAuth 2.0 token: {e}"),
                };
                return Err(Failure::local("4.7.8", detail));
            }
        };
        let step = xoauth2_initial_response(user, &token);
        // Long tokens (Microsoft's JWTs pass 1.5 KB) go after an empty 334: a server that
        // keeps to RFC 5321's 512-byte line would cut the command.
        let inline_len = "AUTH XOAUTH2 ".len() + step.wire.expose().len() + 2;
        let reply = if inline_len <= MAX_COMMAND_LINE {
            let shown = format!("AUTH XOAUTH2 {}", step.shown);
            let wire = format!("AUTH XOAUTH2 {}\r\n", step.wire.expose());
            conn.command(stage, &shown, wire.as_bytes()).await?
        } else {
            let reply = conn.command(stage, "AUTH XOAUTH2", b"AUTH XOAUTH2\r\n").await?;
            if reply.code != 334 {
                return Err(Failure::from_reply(&reply, stage));
            }
            conn.sasl_step(&step).await?
        };
        let reply = if reply.code == 334 {
            // An error document (RFC 7628 style): answer empty to get the final reply.
            conn.sasl_step(&empty_response()).await?
        } else {
            reply
        };
        if reply.code == 235 {
            return Ok(());
        }
        if reply.is_permanent_failure() {
            // The token may have been revoked or lost its rights: get a fresh one next time.
            tokens.invalidate().await;
        }
        Err(Failure::from_reply(&reply, stage))
    }
}

/// Reads the first line of a secret file.
fn read_secret_file(path: &Path) -> Result<Secret, UpstreamError> {
    let error = |reason: String| UpstreamError::PasswordFile { path: path.display().to_string(), reason };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let line = text.lines().next().unwrap_or_default().trim_end_matches('\r');
    if line.is_empty() {
        return Err(error("it is empty".into()));
    }
    Ok(Secret::new(line))
}

fn classify_connect_error(e: &io::Error) -> ConnectFailure {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => ConnectFailure::Refused,
        io::ErrorKind::TimedOut => ConnectFailure::TimedOut,
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => ConnectFailure::Unreachable,
        _ => ConnectFailure::Other,
    }
}

/// A TLS failure's kind from rustls's error, when the verifier did not say more.
fn classify_tls(e: &io::Error) -> TlsFailure {
    if let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        return match tls {
            rustls::Error::AlertReceived(rustls::AlertDescription::ProtocolVersion)
            | rustls::Error::PeerIncompatible(_) => TlsFailure::ProtocolVersion,
            rustls::Error::AlertReceived(_) => TlsFailure::HandshakeRejected,
            rustls::Error::InvalidMessage(_) => TlsFailure::NotTls,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired) => TlsFailure::CertExpired,
            rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName)
            | rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext {
                ..
            }) => TlsFailure::CertHostnameMismatch,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer) => {
                TlsFailure::CertUntrusted
            }
            rustls::Error::InvalidCertificate(_) => TlsFailure::CertInvalid,
            _ => TlsFailure::Other,
        };
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => TlsFailure::ConnectionLost,
        _ => TlsFailure::Other,
    }
}

/// The message as DATA sends it: CRLF line ends (a bare LF becomes CRLF), a `.` doubled at the
/// start of a line, a final CRLF if missing, and the `.` line that ends it (RFC 5321 4.5.2).
pub fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 8);
    let mut stuffer = DotStuffer::default();
    stuffer.push(message, &mut out);
    stuffer.finish(&mut out);
    out
}

/// [`dot_stuff`] for a message that comes in chunks: what it needs of the bytes before a chunk
/// (at a line start? a CR just before?) is kept between them.
#[derive(Debug)]
pub struct DotStuffer {
    at_line_start: bool,
    prev: u8,
}

impl Default for DotStuffer {
    fn default() -> Self {
        Self { at_line_start: true, prev: 0 }
    }
}

impl DotStuffer {
    /// Appends `chunk`, as DATA sends it, to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        for &b in chunk {
            if self.at_line_start && b == b'.' {
                out.push(b'.');
            }
            if b == b'\n' && self.prev != b'\r' {
                out.push(b'\r');
            }
            out.push(b);
            self.at_line_start = b == b'\n';
            self.prev = b;
        }
    }

    /// Appends the end: a final CRLF if the last line has none, and the `.` line.
    pub fn finish(self, out: &mut Vec<u8>) {
        if !self.at_line_start {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
    }
}

/// A message as [`Connection::deliver_from`] sends it: its size and whether it has 8-bit bytes
/// known before `MAIL FROM` (for `SIZE=` and `BODY=`), its bytes a chunk at a time, so a large
/// message is never held whole in memory.
pub trait MessageSource: Send {
    /// The message's size in bytes.
    fn size(&self) -> u64;
    /// True when it has bytes of 0x80 and above.
    fn has_8bit(&self) -> bool;
    /// The next bytes; empty at the end.
    fn next_chunk(&mut self) -> impl std::future::Future<Output = io::Result<Vec<u8>>> + Send;
}

/// A message held in memory, sent in one chunk.
struct InMemory<'a> {
    bytes: &'a [u8],
    given: bool,
}

impl MessageSource for InMemory<'_> {
    fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn has_8bit(&self) -> bool {
        self.bytes.iter().any(|&b| b >= 0x80)
    }

    async fn next_chunk(&mut self) -> io::Result<Vec<u8>> {
        if std::mem::replace(&mut self.given, true) { Ok(Vec::new()) } else { Ok(self.bytes.to_vec()) }
    }
}

impl Connection {
    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Messages tried on this connection so far.
    pub fn messages(&self) -> u32 {
        self.messages
    }

    /// True while another message may be sent on this connection.
    pub fn is_usable(&self) -> bool {
        self.usable && !matches!(self.stream, Stream::Gone)
    }

    /// A failure description from the last event, after a step stopped.
    fn stopped_failure(&self, status: &str) -> Failure {
        let last =
            self.rec.transcript.events.iter().rev().find(|e| !matches!(e.kind, EventKind::Note { .. }));
        let detail = last.map(mailprobe_proto::summarize).unwrap_or_else(|| "the session stopped".into());
        Failure::local(status, detail)
    }

    async fn read_some(
        &mut self,
        stage: Stage,
        waiting_for: &str,
        deadline: tokio::time::Instant,
    ) -> Result<usize, Stopped> {
        let read = async {
            match &mut self.stream {
                Stream::Plain(s) => s.read(&mut self.buf).await,
                Stream::Tls(s) => s.read(&mut self.buf).await,
                Stream::Gone => Err(io::Error::from(io::ErrorKind::NotConnected)),
            }
        };
        match tokio::time::timeout_at(deadline, read).await {
            Err(_) => {
                let after_ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
                self.rec.push(stage, EventKind::TimedOut { waiting_for: waiting_for.to_owned(), after_ms });
                Err(Stopped)
            }
            Ok(Ok(0)) => {
                self.rec.push(stage, EventKind::Closed { reason: CloseReason::PeerClosed });
                Err(Stopped)
            }
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) => {
                self.record_io_error(stage, &e);
                Err(Stopped)
            }
        }
    }

    fn record_io_error(&mut self, stage: Stage, e: &io::Error) {
        let reason = match e.kind() {
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe => {
                CloseReason::Reset
            }
            _ => CloseReason::PeerClosed,
        };
        self.rec.note(stage, format!("connection error: {e}"));
        self.rec.push(stage, EventKind::Closed { reason });
    }

    /// Reads one complete reply; the whole reply must come within the timeout (a server that
    /// trickles bytes cannot hold the runner).
    async fn read_reply(&mut self, stage: Stage, waiting_for: &str) -> Result<Reply, Stopped> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            match self.parser.next_reply() {
                Ok(Some(reply)) => {
                    self.rec.push(stage, EventKind::Received { reply: reply.clone() });
                    if reply.code == 421 {
                        self.usable = false;
                    }
                    return Ok(reply);
                }
                Ok(None) => {}
                Err(ReplyError::NotSmtp { preview, looks_like }) => {
                    self.rec.push(stage, EventKind::Unexpected { preview, looks_like });
                    self.usable = false;
                    return Err(Stopped);
                }
            }
            match self.read_some(stage, waiting_for, deadline).await {
                Ok(n) => {
                    let bytes = self.buf[..n].to_vec();
                    self.parser.feed(&bytes);
                }
                Err(Stopped) => {
                    self.usable = false;
                    if self.parser.has_partial() {
                        let preview = preview_bytes(self.parser.buffered(), 64);
                        let looks_like = PeerBytes::classify(self.parser.buffered());
                        self.rec.push(stage, EventKind::Unexpected { preview, looks_like });
                    }
                    return Err(Stopped);
                }
            }
        }
    }

    async fn write_all(&mut self, stage: Stage, bytes: &[u8]) -> Result<(), Stopped> {
        for piece in bytes.chunks(WRITE_CHUNK) {
            let write = async {
                match &mut self.stream {
                    Stream::Plain(s) => s.write_all(piece).await,
                    Stream::Tls(s) => s.write_all(piece).await,
                    Stream::Gone => Err(io::Error::from(io::ErrorKind::NotConnected)),
                }
            };
            match tokio::time::timeout(self.timeout, write).await {
                Err(_) => {
                    let after_ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
                    self.rec.push(
                        stage,
                        EventKind::TimedOut { waiting_for: "write to complete".into(), after_ms },
                    );
                    self.usable = false;
                    return Err(Stopped);
                }
                Ok(Err(e)) => {
                    self.record_io_error(stage, &e);
                    self.usable = false;
                    return Err(Stopped);
                }
                Ok(Ok(())) => {}
            }
        }
        let flush = async {
            match &mut self.stream {
                Stream::Plain(s) => s.flush().await,
                Stream::Tls(s) => s.flush().await,
                Stream::Gone => Err(io::Error::from(io::ErrorKind::NotConnected)),
            }
        };
        match tokio::time::timeout(self.timeout, flush).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                self.record_io_error(stage, &e);
                self.usable = false;
                Err(Stopped)
            }
            Err(_) => {
                let after_ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
                self.rec
                    .push(stage, EventKind::TimedOut { waiting_for: "write to complete".into(), after_ms });
                self.usable = false;
                Err(Stopped)
            }
        }
    }

    /// Sends a command (recorded as `shown`) and reads its reply.
    async fn command(&mut self, stage: Stage, shown: &str, wire: &[u8]) -> Result<Reply, Failure> {
        self.rec.push(stage, EventKind::Sent { line: shown.to_owned() });
        let waiting = format!("reply to {}", shown.split_whitespace().next().unwrap_or(shown));
        if self.write_all(stage, wire).await.is_err() {
            return Err(self.stopped_failure("4.4.2"));
        }
        self.read_reply(stage, &waiting).await.map_err(|_| self.stopped_failure("4.4.2"))
    }

    async fn sasl_step(&mut self, step: &SaslStep) -> Result<Reply, Failure> {
        let wire = format!("{}\r\n", step.wire.expose());
        self.command(Stage::Auth, &step.shown, wire.as_bytes()).await
    }

    async fn ehlo(&mut self, name: &str) -> Result<(), Failure> {
        let line = format!("EHLO {name}");
        let reply = self.command(Stage::Ehlo, &line, format!("{line}\r\n").as_bytes()).await?;
        if !reply.is_positive() {
            return Err(Failure::from_reply(&reply, Stage::Ehlo));
        }
        self.caps = EhloCapabilities::from_reply(&reply);
        Ok(())
    }

    async fn handshake(&mut self, trust: &TrustStore, host: &str) -> Result<(), Stopped> {
        let stage = Stage::Tls;
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            self.rec.note(stage, "TLS asked on a connection that is not plain TCP");
            return Err(Stopped);
        };
        self.rec.push(stage, EventKind::TlsStarted { server_name: host.to_owned() });
        let failed = |failure, detail: String| EventKind::TlsFailed { failure, detail, certificates: vec![] };
        let name = match ServerName::try_from(host.to_owned()) {
            Ok(name) => name,
            Err(e) => {
                self.rec.push(
                    stage,
                    failed(TlsFailure::Other, format!("{host:?} is not a TLS server name: {e}")),
                );
                return Err(Stopped);
            }
        };
        // One verifier per handshake: it keeps why a certificate was refused, for diagnosis.
        let https = match trust.https() {
            Ok(h) => h,
            Err(e) => {
                self.rec.push(stage, failed(TlsFailure::Other, e.to_string()));
                return Err(Stopped);
            }
        };
        let connector = TlsConnector::from(Arc::new(https.config()));
        match tokio::time::timeout(self.timeout, connector.connect(name, tcp)).await {
            Err(_) => {
                let after_ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
                self.rec.push(stage, EventKind::TimedOut { waiting_for: "TLS handshake".into(), after_ms });
                Err(Stopped)
            }
            Ok(Err(e)) => {
                let (failure, certificates) = match https.refusal() {
                    Some((failure, chain)) => (failure, chain),
                    None => (classify_tls(&e), vec![]),
                };
                self.rec.push(stage, EventKind::TlsFailed { failure, detail: e.to_string(), certificates });
                Err(Stopped)
            }
            Ok(Ok(tls)) => {
                let conn = tls.get_ref().1;
                let certificates = conn
                    .peer_certificates()
                    .unwrap_or_default()
                    .iter()
                    .map(|c| mailprobe_net::certificate_info(c))
                    .collect();
                let session = mailprobe_net::tls_session(conn, certificates);
                self.rec.push(stage, EventKind::TlsEstablished { session });
                self.stream = Stream::Tls(Box::new(tls));
                Ok(())
            }
        }
    }

    /// Sends one message to `recipients` (those not yet delivered), sender `from` (empty for a
    /// bounce). Never fails as a whole: each recipient's outcome says what happened.
    pub async fn deliver(&mut self, from: &str, recipients: &[String], message: &[u8]) -> Delivery {
        self.deliver_from(from, recipients, &mut InMemory { bytes: message, given: false }).await
    }

    /// [`Connection::deliver`] for a message read as it is sent (a queued message from the
    /// spool): its bytes go out chunk by chunk.
    pub async fn deliver_from(
        &mut self,
        from: &str,
        recipients: &[String],
        message: &mut impl MessageSource,
    ) -> Delivery {
        let start = self.rec.transcript.events.len();
        self.messages += 1;
        let outcomes = self.transaction(from, recipients, message).await;
        // This message's transcript: the setup, then its own transaction (earlier messages'
        // events are dropped, so a long-lived connection keeps bounded memory).
        let mut transcript = self.rec.transcript.clone();
        let own: Vec<_> = self.rec.transcript.events.drain(start..).collect();
        transcript.events.truncate(self.setup_events);
        transcript.events.extend(own);
        self.rec.transcript.events.truncate(self.setup_events);
        Delivery { recipients: recipients.iter().cloned().zip(outcomes).collect(), transcript }
    }

    async fn transaction(
        &mut self,
        from: &str,
        recipients: &[String],
        message: &mut impl MessageSource,
    ) -> Vec<RcptOutcome> {
        let all = |outcome: RcptOutcome| vec![outcome; recipients.len()];
        let by_class = |reply: &Reply, stage: Stage| {
            let failure = Failure::from_reply(reply, stage);
            if reply.is_permanent_failure() {
                RcptOutcome::Refused(failure)
            } else {
                RcptOutcome::Deferred(failure)
            }
        };
        if !self.is_usable() {
            return all(RcptOutcome::Deferred(Failure::local("4.4.2", "the upstream connection was lost")));
        }
        if let Some(limit) = self.caps.size.filter(|&l| l > 0)
            && message.size() > limit
        {
            let detail = format!(
                "the message ({} bytes) is larger than the upstream accepts ({limit} bytes)",
                message.size()
            );
            self.rec.note(Stage::MailFrom, detail.clone());
            return all(RcptOutcome::Refused(Failure::local("5.3.4", detail)));
        }
        let mut params = String::new();
        if self.caps.size.is_some() {
            params.push_str(&format!(" SIZE={}", message.size()));
        }
        if self.caps.eight_bit_mime && message.has_8bit() {
            params.push_str(" BODY=8BITMIME");
        }
        let line = format!("MAIL FROM:<{from}>{params}");
        let reply = match self.command(Stage::MailFrom, &line, format!("{line}\r\n").as_bytes()).await {
            Ok(r) => r,
            Err(f) => return all(RcptOutcome::Deferred(f)),
        };
        if !reply.is_positive() {
            let outcome = by_class(&reply, Stage::MailFrom);
            self.reset().await;
            return all(outcome);
        }
        let mut outcomes: Vec<Option<RcptOutcome>> = vec![None; recipients.len()];
        let mut accepted = Vec::new();
        for (i, rcpt) in recipients.iter().enumerate() {
            let line = format!("RCPT TO:<{rcpt}>");
            match self.command(Stage::RcptTo, &line, format!("{line}\r\n").as_bytes()).await {
                Ok(reply) if reply.is_positive() => accepted.push(i),
                Ok(reply) => outcomes[i] = Some(by_class(&reply, Stage::RcptTo)),
                Err(f) => {
                    return fill(outcomes, RcptOutcome::Deferred(f));
                }
            }
        }
        if accepted.is_empty() {
            self.reset().await;
            return fill(outcomes, RcptOutcome::Deferred(Failure::local("4.0.0", "no recipient accepted")));
        }
        let reply = match self.command(Stage::Data, "DATA", b"DATA\r\n").await {
            Ok(r) => r,
            Err(f) => return fill(outcomes, RcptOutcome::Deferred(f)),
        };
        if reply.code != 354 {
            let outcome = if reply.is_permanent_failure() {
                by_class(&reply, Stage::Data)
            } else {
                RcptOutcome::Deferred(Failure::from_reply(&reply, Stage::Data))
            };
            self.reset().await;
            return fill(outcomes, outcome);
        }
        self.rec
            .push(Stage::Data, EventKind::Sent { line: format!("({} bytes of message)", message.size()) });
        let mut stuffer = DotStuffer::default();
        let mut wire = Vec::new();
        loop {
            let chunk = match message.next_chunk().await {
                Ok(chunk) => chunk,
                Err(e) => {
                    // Part of the message is out and no end can be sent after it: the
                    // connection is dropped without the final dot, so the server keeps nothing.
                    let detail = format!("cannot read the queued message: {e}");
                    self.rec.note(Stage::Data, detail.clone());
                    self.usable = false;
                    return fill(outcomes, RcptOutcome::Deferred(Failure::local("4.3.0", detail)));
                }
            };
            wire.clear();
            let end = chunk.is_empty();
            if end {
                std::mem::take(&mut stuffer).finish(&mut wire);
            } else {
                stuffer.push(&chunk, &mut wire);
            }
            if self.write_all(Stage::Data, &wire).await.is_err() {
                return fill(outcomes, RcptOutcome::Deferred(self.stopped_failure("4.4.2")));
            }
            if end {
                break;
            }
        }
        // After the final dot, a lost reply leaves the outcome unknown: retry (at least once).
        let outcome = match self.read_reply(Stage::Data, "reply to the message").await {
            Ok(reply) if reply.is_positive() => RcptOutcome::Delivered { reply: reply_line(&reply) },
            Ok(reply) => by_class(&reply, Stage::Data),
            Err(Stopped) => RcptOutcome::Deferred(self.stopped_failure("4.4.2")),
        };
        for i in accepted {
            outcomes[i] = Some(outcome.clone());
        }
        fill(outcomes, RcptOutcome::Deferred(Failure::local("4.0.0", "not tried")))
    }

    /// Ends a failed transaction so the connection can carry the next message.
    async fn reset(&mut self) {
        if !self.is_usable() {
            return;
        }
        match self.command(Stage::Quit, "RSET", b"RSET\r\n").await {
            Ok(reply) if reply.is_positive() => {}
            _ => self.usable = false,
        }
    }

    /// Whether a connection that sat idle still answers: `RSET` must get a 2xx, as Postfix checks
    /// a cached session before reusing it. The check is not part of any message's transcript.
    pub async fn still_answers(&mut self) -> bool {
        self.reset().await;
        self.rec.transcript.events.truncate(self.setup_events);
        self.is_usable()
    }

    /// True when nothing waits to be read on an idle connection: no reply the server sent on
    /// its own (a `421` before it closes), no end of stream, no TLS alert. Costs no round trip;
    /// when it is false, [`Connection::still_answers`] decides.
    pub fn nothing_pending(&self) -> bool {
        let tcp = match &self.stream {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref().0,
            Stream::Gone => return false,
        };
        // a reply read with the last one and not taken yet counts too
        if !self.is_usable() || !self.parser.buffered().is_empty() {
            return false;
        }
        let mut byte = [0u8; 1];
        let mut buf = tokio::io::ReadBuf::new(&mut byte);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        // Pending: the socket has nothing to read (a later read registers its own waker).
        tcp.poll_peek(&mut cx, &mut buf).is_pending()
    }

    /// Says QUIT (when the connection still works) and closes it; returns the transcript.
    pub async fn quit(mut self) -> Transcript {
        if self.is_usable() {
            let _ = self.command(Stage::Quit, "QUIT", b"QUIT\r\n").await;
        }
        self.close(Stage::Quit).await
    }

    async fn close(mut self, stage: Stage) -> Transcript {
        let shutdown = async {
            match &mut self.stream {
                Stream::Plain(s) => s.shutdown().await,
                Stream::Tls(s) => s.shutdown().await,
                Stream::Gone => Ok(()),
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), shutdown).await;
        let ended =
            self.rec.transcript.events.last().is_some_and(|e| matches!(e.kind, EventKind::Closed { .. }));
        if !ended {
            self.rec.push(stage, EventKind::Closed { reason: CloseReason::Done });
        }
        self.rec.transcript
    }
}

/// Fills the recipients not yet decided with `rest`.
fn fill(outcomes: Vec<Option<RcptOutcome>>, rest: RcptOutcome) -> Vec<RcptOutcome> {
    outcomes.into_iter().map(|o| o.unwrap_or_else(|| rest.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing_doubles_leading_dots_and_fixes_line_ends() {
        assert_eq!(dot_stuff(b"a\n.b\r\nc"), b"a\r\n..b\r\nc\r\n.\r\n");
        assert_eq!(dot_stuff(b".\r\n"), b"..\r\n.\r\n");
        assert_eq!(dot_stuff(b""), b".\r\n");
        assert_eq!(dot_stuff(b"x\r\n"), b"x\r\n.\r\n");
        // bytes are kept as they are: 8-bit headers, NULs
        assert_eq!(dot_stuff(b"\xe8\x00\n..x"), b"\xe8\x00\r\n...x\r\n.\r\n");
    }

    proptest::proptest! {
        /// Stuffing a message chunk by chunk gives what stuffing it whole gives, wherever the
        /// chunks are cut (between a CR and its LF, before a dot).
        #[test]
        fn stuffing_in_chunks_is_stuffing_whole(
            message in proptest::collection::vec(proptest::sample::select(b"ab.\r\n\x80".to_vec()), 0..300),
            cuts in proptest::collection::vec(0usize..300, 0..8),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(message.len())).collect();
            cuts.sort_unstable();
            let mut stuffer = DotStuffer::default();
            let mut out = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([message.len()]) {
                stuffer.push(&message[from..cut], &mut out);
                from = cut;
            }
            stuffer.finish(&mut out);
            proptest::prop_assert_eq!(out, dot_stuff(&message));
        }
    }

    #[test]
    fn statuses_come_from_the_enhanced_code_or_the_stage() {
        let r = Reply::new(550, ["5.7.60 SMTP; Client does not have permissions to send as this sender"]);
        assert_eq!(Failure::from_reply(&r, Stage::MailFrom).status, "5.7.60");
        let r = Reply::new(452, ["Too many recipients"]);
        let f = Failure::from_reply(&r, Stage::RcptTo);
        assert_eq!((f.status.as_str(), f.detail.as_str()), ("4.1.1", "452 Too many recipients"));
    }
}
