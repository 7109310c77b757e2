//! One connection being recorded: the byte stream (plain or TLS), the clock, the transcript, and
//! a timeout on every read, write and handshake.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailprobe_proto::{
    CloseReason, ConnectFailure, Endpoint, EventKind, Protocol, Role, SaslStep, Stage, TlsFailure,
    TlsSession, Transcript, decode_challenge,
};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use self::scrub::{REMOVED_NOTE, Scrubber, SecretKind};
use crate::trust::{ChainCapture, certificate_info, classify_rustls_error};
use crate::{Credentials, TrustStore};

mod scrub;

/// The session was stopped; why is already in the transcript.
#[derive(Debug)]
pub(crate) struct Stopped;

/// Records events with their time since the start, with every secret the probe knows of
/// removed from them first (a peer may repeat what it was sent).
#[derive(Debug)]
pub(crate) struct Recorder {
    pub(crate) transcript: Transcript,
    start: Instant,
    scrubber: Scrubber,
    /// The login name: not a secret, so a SASL step carrying only it is not scrubbed.
    user: Option<String>,
    /// This connection's id for the progress observer (`crate::progress`).
    probe: u64,
}

impl Recorder {
    pub(crate) fn new(protocol: Protocol, role: Role, endpoint: Endpoint) -> Self {
        let mut transcript = Transcript::new(protocol, role, endpoint);
        transcript.started_at =
            time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).ok();
        let probe = crate::progress::next_probe_id();
        crate::progress::notify(probe, &transcript);
        Self { transcript, start: Instant::now(), scrubber: Scrubber::default(), user: None, probe }
    }

    /// Keeps the password and token out of everything recorded from now on.
    pub(crate) fn guard_credentials(&mut self, credentials: &Credentials) {
        self.user.clone_from(&credentials.user);
        // exposed only to know what to look for; never stored in the transcript
        if let Some(password) = &credentials.password {
            self.scrubber.add_secret(password.expose(), SecretKind::Password);
        }
        if let Some(token) = &credentials.token {
            self.scrubber.add_secret(token.expose(), SecretKind::Token);
        }
    }

    /// Keeps a SASL response about to be sent out of everything recorded from now on. LOGIN's
    /// first step is only the user name, no secret: it is left readable.
    pub(crate) fn guard_payload(&mut self, step: &SaslStep) {
        let payload = step.wire.expose();
        if self.user.is_none() || decode_challenge(payload) != self.user {
            self.scrubber.add_payload(payload);
        }
    }

    pub(crate) fn push(&mut self, stage: Stage, kind: EventKind) {
        self.record(stage, kind, false);
    }

    /// [`Recorder::push`] for a text the line limit cut: a secret may begin at its end.
    pub(crate) fn push_cut(&mut self, stage: Stage, kind: EventKind) {
        self.record(stage, kind, true);
    }

    fn record(&mut self, stage: Stage, mut kind: EventKind, cut: bool) {
        let at_ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let scrubbed = self.scrubber.scrub_event(&mut kind, cut);
        let imap = matches!(kind, EventKind::ImapReceived { .. });
        if scrubbed && let EventKind::Received { reply } = &mut kind {
            reply.notes.push(REMOVED_NOTE.to_owned());
        }
        self.transcript.push(at_ms, stage, kind);
        if scrubbed && imap {
            self.transcript.push(at_ms, stage, EventKind::Note { text: REMOVED_NOTE.to_owned() });
        }
        crate::progress::notify(self.probe, &self.transcript);
    }

    pub(crate) fn note(&mut self, stage: Stage, text: impl Into<String>) {
        self.push(stage, EventKind::Note { text: text.into() });
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Between taking the TCP stream for a handshake and getting a TLS stream back.
    Gone,
}

/// A recorded connection.
pub(crate) struct Wire {
    stream: Stream,
    pub(crate) rec: Recorder,
    pub(crate) timeout: Duration,
    /// Everything the peer owes us must arrive by then: set to `timeout` after our last action
    /// (connecting, writing, a handshake). A per-read timeout alone would let a server that
    /// trickles a byte every few seconds, or sends an endless `250-` reply, hold a probe forever.
    deadline: tokio::time::Instant,
    buf: Box<[u8]>,
}

/// How long a timeout was, in ms, for the transcript.
fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Wire {
    pub(crate) fn new(stream: TcpStream, rec: Recorder, timeout: Duration) -> Self {
        Self {
            stream: Stream::Plain(stream),
            rec,
            timeout,
            deadline: tokio::time::Instant::now() + timeout,
            buf: vec![0; 16 * 1024].into_boxed_slice(),
        }
    }

    /// The local address as an EHLO address literal: `[192.0.2.1]` or `[IPv6:2001:db8::1]`.
    pub(crate) fn local_literal(&self) -> String {
        let local = match &self.stream {
            Stream::Plain(s) => s.local_addr().ok(),
            Stream::Tls(s) => s.get_ref().0.local_addr().ok(),
            Stream::Gone => None,
        };
        match local.map(|a| a.ip()) {
            Some(std::net::IpAddr::V6(ip)) => format!("[IPv6:{ip}]"),
            Some(ip) => format!("[{ip}]"),
            None => "[127.0.0.1]".to_owned(),
        }
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    /// Reads some bytes; records a timeout or the connection's end and stops on either.
    pub(crate) async fn read_some(&mut self, stage: Stage, waiting_for: &str) -> Result<&[u8], Stopped> {
        self.ack_at_once();
        let read = async {
            match &mut self.stream {
                Stream::Plain(s) => s.read(&mut self.buf).await,
                Stream::Tls(s) => s.read(&mut self.buf).await,
                Stream::Gone => Err(io::Error::from(io::ErrorKind::NotConnected)),
            }
        };
        // checked first: `timeout_at` polls the read before its timer, so a peer whose bytes are
        // always ready (an endless `250-` reply) would otherwise never reach the deadline
        let result = if tokio::time::Instant::now() >= self.deadline {
            Err(())
        } else {
            tokio::time::timeout_at(self.deadline, read).await.map_err(|_| ())
        };
        match result {
            Err(()) => {
                let after_ms = ms(self.timeout);
                self.rec.push(stage, EventKind::TimedOut { waiting_for: waiting_for.to_owned(), after_ms });
                Err(Stopped)
            }
            Ok(Ok(0)) => {
                self.rec.push(stage, EventKind::Closed { reason: CloseReason::PeerClosed });
                Err(Stopped)
            }
            Ok(Ok(n)) => Ok(&self.buf[..n]),
            Ok(Err(e)) => {
                self.record_io_error(stage, &e);
                Err(Stopped)
            }
        }
    }

    /// Acknowledges what has arrived now rather than up to 40 ms later. A server that sent
    /// something we do not answer (TLS 1.3 session tickets after the handshake) holds its next
    /// reply until that is acknowledged (Nagle's algorithm): with delayed ACKs, the EHLO after
    /// STARTTLS took 44 ms on loopback. Linux clears the flag on its own, so it is set before
    /// every read; elsewhere this does nothing.
    fn ack_at_once(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let tcp = match &self.stream {
                Stream::Plain(s) => s,
                Stream::Tls(s) => s.get_ref().0,
                Stream::Gone => return,
            };
            let _ = tcp.set_quickack(true);
        }
    }

    /// Writes bytes; the transcript line is recorded by the caller (it knows what to show).
    pub(crate) async fn write_all(&mut self, stage: Stage, bytes: &[u8]) -> Result<(), Stopped> {
        let write = async {
            match &mut self.stream {
                Stream::Plain(s) => {
                    s.write_all(bytes).await?;
                    s.flush().await
                }
                Stream::Tls(s) => {
                    s.write_all(bytes).await?;
                    s.flush().await
                }
                Stream::Gone => Err(io::Error::from(io::ErrorKind::NotConnected)),
            }
        };
        match tokio::time::timeout(self.timeout, write).await {
            Err(_) => {
                let after_ms = ms(self.timeout);
                self.rec
                    .push(stage, EventKind::TimedOut { waiting_for: "write to complete".into(), after_ms });
                Err(Stopped)
            }
            Ok(Err(e)) => {
                self.record_io_error(stage, &e);
                Err(Stopped)
            }
            Ok(Ok(())) => {
                self.deadline = tokio::time::Instant::now() + self.timeout;
                Ok(())
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
        // A TLS-level error surfaces as an io::Error wrapping rustls's.
        if let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            self.rec.push(
                stage,
                EventKind::TlsFailed {
                    failure: classify_tls_error(tls),
                    detail: tls.to_string(),
                    certificates: vec![],
                },
            );
            return;
        }
        self.rec.note(stage, format!("connection error: {e}"));
        self.rec.push(stage, EventKind::Closed { reason });
    }

    /// Runs a TLS handshake over the current plain stream and records its outcome.
    pub(crate) async fn handshake(&mut self, trust: &TrustStore, server_name: &str) -> Result<(), Stopped> {
        let stage = Stage::Tls;
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Gone) else {
            self.rec.note(stage, "TLS requested on a connection that is not plain TCP");
            return Err(Stopped);
        };
        self.rec.push(stage, EventKind::TlsStarted { server_name: server_name.to_owned() });
        let name = match ServerName::try_from(server_name.to_owned()) {
            Ok(n) => n,
            Err(e) => {
                self.rec.push(
                    stage,
                    EventKind::TlsFailed {
                        failure: TlsFailure::Other,
                        detail: format!("{server_name:?} is not a valid TLS server name: {e}"),
                        certificates: vec![],
                    },
                );
                return Err(Stopped);
            }
        };
        let capture = Arc::new(ChainCapture::default());
        let config = match trust.client_config(&capture) {
            Ok(c) => c,
            Err(e) => {
                self.rec.push(
                    stage,
                    EventKind::TlsFailed {
                        failure: TlsFailure::Other,
                        detail: e.to_string(),
                        certificates: vec![],
                    },
                );
                return Err(Stopped);
            }
        };
        let connector = TlsConnector::from(Arc::new(config));
        // see `ack_at_once`
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let _ = tcp.set_quickack(true);
        let result = tokio::time::timeout(self.timeout, connector.connect(name, tcp)).await;
        let (chain, verify_failure) = capture.take();
        let certificates = chain.iter().map(|c| certificate_info(c)).collect::<Vec<_>>();
        match result {
            Err(_) => {
                let after_ms = ms(self.timeout);
                self.rec.push(stage, EventKind::TimedOut { waiting_for: "TLS handshake".into(), after_ms });
                Err(Stopped)
            }
            Ok(Err(e)) => {
                let failure = match e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
                    Some(tls) => verify_failure.unwrap_or_else(|| classify_tls_error(tls)),
                    None if is_handshake_buffer_full(&e) => TlsFailure::CertChainTooLarge,
                    None => match e.kind() {
                        io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::BrokenPipe => TlsFailure::ConnectionLost,
                        _ => TlsFailure::Other,
                    },
                };
                self.rec.push(stage, EventKind::TlsFailed { failure, detail: e.to_string(), certificates });
                Err(Stopped)
            }
            Ok(Ok(tls)) => {
                let conn = tls.get_ref().1;
                let session = tls_session(conn, certificates);
                self.rec.push(stage, EventKind::TlsEstablished { session });
                self.stream = Stream::Tls(Box::new(tls));
                self.deadline = tokio::time::Instant::now() + self.timeout;
                Ok(())
            }
        }
    }

    /// True when the peer is still listening: the last thing that happened was a reply (not a
    /// timeout, reset, TLS failure or `421` closing notice), so a QUIT makes sense.
    pub(crate) fn connection_usable(&self) -> bool {
        if matches!(self.stream, Stream::Gone) {
            return false;
        }
        let last =
            self.rec.transcript.events.iter().rev().find(|e| !matches!(e.kind, EventKind::Note { .. }));
        match last.map(|e| &e.kind) {
            Some(EventKind::Received { reply }) => reply.code != 421,
            Some(EventKind::ImapReceived { line }) => !line.starts_with("* BYE"),
            _ => false,
        }
    }

    /// Closes the connection politely (TLS close_notify, then FIN) and records it.
    pub(crate) async fn close(mut self, stage: Stage) -> Transcript {
        let shutdown = async {
            match &mut self.stream {
                Stream::Plain(s) => s.shutdown().await,
                Stream::Tls(s) => s.shutdown().await,
                Stream::Gone => Ok(()),
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), shutdown).await;
        let ended_by_peer =
            self.rec.transcript.events.last().is_some_and(|e| matches!(e.kind, EventKind::Closed { .. }));
        if !ended_by_peer {
            self.rec.push(stage, EventKind::Closed { reason: CloseReason::Done });
        }
        self.rec.transcript
    }
}

/// [`classify_rustls_error`], but a handshake message over rustls's 64 KiB limit is a chain too
/// large, not "not TLS": the server's certificate message is the only big one a client gets.
fn classify_tls_error(error: &rustls::Error) -> TlsFailure {
    match error {
        rustls::Error::InvalidMessage(rustls::InvalidMessage::HandshakePayloadTooLarge) => {
            TlsFailure::CertChainTooLarge
        }
        other => classify_rustls_error(other),
    }
}

/// rustls's own I/O error when a handshake message (with its record headers) fills the 64 KiB
/// it buffers: a certificate message just under the limit ends this way.
fn is_handshake_buffer_full(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidData
        && e.get_ref().is_some_and(|inner| inner.to_string() == "message buffer full")
}

/// What a transcript records of an established client connection: version, cipher, and the
/// chain as `certificates` (taken by the verifier, or read from the connection).
pub fn tls_session(
    conn: &rustls::ClientConnection,
    certificates: Vec<mailprobe_proto::CertificateInfo>,
) -> TlsSession {
    TlsSession {
        version: conn.protocol_version().map(|v| tls_version_name(v).to_owned()).unwrap_or_default(),
        cipher: conn.negotiated_cipher_suite().map(|c| format!("{:?}", c.suite())).unwrap_or_default(),
        certificates,
    }
}

/// `TLSv1.3` for rustls's version enum.
pub(crate) fn tls_version_name(v: rustls::ProtocolVersion) -> &'static str {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3",
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2",
        rustls::ProtocolVersion::TLSv1_1 => "TLSv1.1",
        rustls::ProtocolVersion::TLSv1_0 => "TLSv1.0",
        _ => "unknown",
    }
}

/// Classifies a failed `connect()`.
pub(crate) fn classify_connect_error(e: &io::Error) -> ConnectFailure {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => ConnectFailure::Refused,
        io::ErrorKind::TimedOut => ConnectFailure::TimedOut,
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => ConnectFailure::Unreachable,
        _ => ConnectFailure::Other,
    }
}
