//! The evidence: a Transcript is the ordered record of one connection attempt, as a live probe
//! saw it or as a log parser rebuilt it. Diagnosis reads only this (and the [`Context`]).

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use serde::{Deserialize, Serialize};

use crate::{PeerBytes, Reply, SaslMechanism};

/// The protocol a transcript records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// SMTP submission or relay.
    Smtp,
    /// IMAP.
    Imap,
    /// DNS checks of a mail domain and a sending IP (`mailprobe dns`): events are
    /// `dns_checked`, the endpoint names the domain.
    Dns,
}

/// How a connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plaintext first, then the STARTTLS command (SMTP 587/25, IMAP 143).
    Starttls,
    /// TLS from the first byte ("SSL/TLS" in mail clients: SMTP 465, IMAP 993).
    Tls,
    /// No TLS at all.
    None,
}

impl Security {
    /// The other TLS mode: what a mode-mismatch check tries.
    pub fn other_tls_mode(self) -> Option<Self> {
        match self {
            Self::Starttls => Some(Self::Tls),
            Self::Tls => Some(Self::Starttls),
            Self::None => None,
        }
    }

    /// The mode a port conventionally uses: implicit TLS on 465 and 993, STARTTLS otherwise.
    pub fn default_for_port(port: u16) -> Self {
        match port {
            465 | 993 | 995 => Self::Tls,
            _ => Self::Starttls,
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Starttls => "STARTTLS",
            Self::Tls => "SSL/TLS",
            Self::None => "none",
        })
    }
}

/// Where a transcript's connection went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// The host name (or address) as configured.
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// The security mode used.
    pub security: Security,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} ({})", self.host, self.port, self.security)
    }
}

/// Why a transcript was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The probe the user asked for.
    Primary,
    /// A second, shorter probe with the other TLS mode, run to confirm a suspected mode mismatch.
    ModeCheck,
    /// A hand-made ClientHello capped at the client's newest TLS version (`--client-tls-max`):
    /// would a device that speaks at most that version get through?
    ClientTlsCheck,
    /// One probe of a TLS versions scan (`--tls-scan`): which versions the server accepts. A
    /// refused old version is good security, not a failure of the path.
    TlsScan,
}

/// A stage of a mail session; every event belongs to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// DNS resolution.
    Resolve,
    /// TCP connection.
    Connect,
    /// TLS: the STARTTLS command and handshake, or the implicit-TLS handshake.
    Tls,
    /// The server's greeting (SMTP 220, IMAP `* OK`).
    Banner,
    /// EHLO / HELO.
    Ehlo,
    /// Authentication (SMTP AUTH, IMAP LOGIN / AUTHENTICATE).
    Auth,
    /// MAIL FROM.
    MailFrom,
    /// RCPT TO.
    RcptTo,
    /// DATA and the message.
    Data,
    /// IMAP CAPABILITY.
    Capability,
    /// RSET / QUIT / LOGOUT.
    Quit,
    /// Not known: evidence pasted or logged without the command it answered. Rules then
    /// ignore their stage constraint.
    Unknown,
}

impl Stage {
    /// The stage's name as used in ids, JSON and the knowledge base (`mail_from`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resolve => "resolve",
            Self::Connect => "connect",
            Self::Tls => "tls",
            Self::Banner => "banner",
            Self::Ehlo => "ehlo",
            Self::Auth => "auth",
            Self::MailFrom => "mail_from",
            Self::RcptTo => "rcpt_to",
            Self::Data => "data",
            Self::Capability => "capability",
            Self::Quit => "quit",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why name resolution failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolveFailure {
    /// NXDOMAIN: the name does not exist.
    NoSuchHost,
    /// The name exists but has no address records.
    NoAddresses,
    /// No answer in time.
    TimedOut,
    /// SERVFAIL, REFUSED, or no resolver.
    Failed,
}

/// Why a TCP connection failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectFailure {
    /// RST: nothing listens there, or a firewall rejects.
    Refused,
    /// No answer: a firewall drops the packets, or the host is down.
    TimedOut,
    /// No route to the network or host.
    Unreachable,
    /// Anything else (permission denied, address not available).
    Other,
}

/// Why a TLS handshake failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsFailure {
    /// The certificate's validity period has ended.
    CertExpired,
    /// The certificate's validity period has not begun.
    CertNotYetValid,
    /// The certificate is not for the host name asked for.
    CertHostnameMismatch,
    /// The chain does not lead to a trusted root (self-signed, private CA, missing intermediate).
    CertUntrusted,
    /// The certificate was revoked.
    CertRevoked,
    /// The certificate is malformed or unusable.
    CertInvalid,
    /// The peer refused our protocol version (alert 70).
    ProtocolVersion,
    /// The peer found no common parameters (alert 40) or sent another fatal alert.
    HandshakeRejected,
    /// The peer answered with something that is not TLS ("wrong version number").
    NotTls,
    /// The server's certificate message was larger than the 64 KiB a TLS client accepts: a
    /// certificate chain padded with needless certificates (or huge ones).
    CertChainTooLarge,
    /// The connection was reset or closed during the handshake.
    ConnectionLost,
    /// Anything else.
    Other,
}

/// One certificate as the peer presented it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// DNS names and IP addresses from the subjectAltName extension.
    #[serde(default)]
    pub names: Vec<String>,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Serial number, hex.
    pub serial: String,
    /// SHA-256 of the DER, hex.
    pub sha256: String,
    /// The public key: `RSA 2048`, `EC P-256`, `Ed25519`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// The signature algorithm (`sha256WithRSAEncryption`, `ecdsa-with-SHA384`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signature_algorithm: String,
    /// A CA certificate (basicConstraints CA:TRUE).
    #[serde(default)]
    pub is_ca: bool,
}

/// A completed TLS handshake.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsSession {
    /// `TLSv1.3`, `TLSv1.2`.
    pub version: String,
    /// The negotiated cipher suite.
    pub cipher: String,
    /// The peer's certificates, leaf first.
    pub certificates: Vec<CertificateInfo>,
}

/// How a connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// We closed it after QUIT / LOGOUT or when done.
    Done,
    /// The peer closed it (EOF).
    PeerClosed,
    /// The peer reset it.
    Reset,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The name resolved.
    Resolved {
        /// The name asked for.
        host: String,
        /// Its addresses, IPv4 and IPv6.
        addresses: Vec<IpAddr>,
    },
    /// The name did not resolve.
    ResolveFailed {
        /// The name asked for.
        host: String,
        /// Why.
        failure: ResolveFailure,
        /// The resolver's words.
        detail: String,
    },
    /// A TCP connection attempt began.
    Connecting {
        /// To where.
        address: SocketAddr,
    },
    /// TCP connected.
    Connected {
        /// To where.
        address: SocketAddr,
    },
    /// TCP did not connect.
    ConnectFailed {
        /// To where.
        address: SocketAddr,
        /// Why.
        failure: ConnectFailure,
        /// The OS's words.
        detail: String,
    },
    /// A command line sent, secrets already replaced by a description.
    Sent {
        /// The line as shown.
        line: String,
    },
    /// A complete SMTP reply received.
    Received {
        /// The reply.
        reply: Reply,
    },
    /// An IMAP line received (untagged, tagged or continuation), verbatim.
    ImapReceived {
        /// The line.
        line: String,
    },
    /// A TLS handshake began.
    TlsStarted {
        /// The name sent as SNI and checked against the certificate.
        server_name: String,
    },
    /// A TLS handshake completed and the certificate was verified.
    TlsEstablished {
        /// The session's parameters.
        session: TlsSession,
    },
    /// A TLS handshake failed.
    TlsFailed {
        /// Why.
        failure: TlsFailure,
        /// The TLS library's words.
        detail: String,
        /// Certificates presented before the failure, leaf first.
        #[serde(default)]
        certificates: Vec<CertificateInfo>,
    },
    /// The peer sent bytes that do not belong to the protocol at this point.
    Unexpected {
        /// The first bytes, escaped.
        preview: String,
        /// What they look like.
        looks_like: PeerBytes,
    },
    /// Nothing came in time.
    TimedOut {
        /// What we waited for (`banner`, `reply to EHLO`, `TLS handshake`).
        waiting_for: String,
        /// How long we waited.
        after_ms: u64,
    },
    /// The connection ended.
    Closed {
        /// How.
        reason: CloseReason,
    },
    /// An error a client program reported about the session, when no server reply says more
    /// (Outlook's `4af4` or `0x800CCC0E`, a library's exception text). Read from logs and pastes.
    ClientError {
        /// The program or library, when known (`outlook`, `phpmailer`, `python-smtplib`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        program: Option<String>,
        /// Its error code, when it has one (`4af4`, `0x800CCC0E`, `EAUTH`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// The message as reported.
        message: String,
    },
    /// The server's first answer to a hand-made ClientHello offering one TLS version
    /// (`--client-tls-max`, `--tls-scan`).
    HelloAnswered {
        /// The newest version offered.
        offered: crate::TlsVersion,
        /// The version the server chose, when it went on with the handshake.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        accepted: Option<crate::TlsVersion>,
        /// How it refused instead (`alert protocol_version (70)`, `closed the connection`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refused: Option<String>,
    },
    /// A bearer token was inspected before it was sent (its claims read, not verified): what
    /// it is for, whose it is, when it expires, and what is wrong with it. Never the token.
    TokenInspected {
        /// What was found.
        inspection: crate::TokenInspection,
    },
    /// The local clock was compared with a reference (SNTP, an HTTP `Date`, a token's times).
    ClockChecked {
        /// The comparison and its verdict.
        check: crate::ClockCheck,
    },
    /// A DNS check of a mail domain or a sending IP and what its answer shows (MX, SPF
    /// evaluated for an IP, DMARC, a blocklist, reverse DNS). A record, not a verdict.
    DnsChecked {
        /// The check.
        check: crate::dns::DnsCheck,
    },
    /// A remark of the recorder (a step skipped, a choice made).
    Note {
        /// The remark.
        text: String,
    },
}

/// One timestamped event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds since the transcript began.
    pub at_ms: u64,
    /// The stage it belongs to.
    pub stage: Stage,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// True when this event means its stage failed.
    pub fn is_failure(&self) -> bool {
        match &self.kind {
            EventKind::ResolveFailed { .. }
            | EventKind::ConnectFailed { .. }
            | EventKind::TlsFailed { .. }
            | EventKind::Unexpected { .. }
            | EventKind::TimedOut { .. }
            | EventKind::ClientError { .. } => true,
            EventKind::HelloAnswered { refused, .. } => refused.is_some(),
            EventKind::Received { reply } => reply.is_failure(),
            // `* BYE` is the normal answer to LOGOUT.
            EventKind::ImapReceived { line } => self.stage != Stage::Quit && imap_line_is_failure(line),
            EventKind::Closed { reason } => *reason != CloseReason::Done && self.stage != Stage::Quit,
            _ => false,
        }
    }

    /// True when this event settles its stage one way or the other (a reply, a failure, a
    /// connection made). A failed connect to one address followed by a successful one to the
    /// next leaves the stage successful: the last decisive event wins.
    fn is_decisive(&self) -> bool {
        match &self.kind {
            EventKind::Connecting { .. }
            | EventKind::Sent { .. }
            | EventKind::TlsStarted { .. }
            | EventKind::Note { .. }
            // Evidence about the credentials and the clock, not an outcome of the stage.
            | EventKind::TokenInspected { .. }
            | EventKind::ClockChecked { .. }
            // Our own orderly close settles nothing about the stage it happens in.
            | EventKind::Closed { reason: CloseReason::Done } => false,
            EventKind::Received { reply } => !reply.is_intermediate(),
            _ => true,
        }
    }
}

fn imap_line_is_failure(line: &str) -> bool {
    let mut words = line.split_ascii_whitespace();
    let (Some(tag), Some(status)) = (words.next(), words.next()) else {
        return false;
    };
    tag != "+"
        && (status.eq_ignore_ascii_case("NO")
            || status.eq_ignore_ascii_case("BAD")
            || (tag == "*" && status.eq_ignore_ascii_case("BYE")))
}

/// The outcome of one stage, derived from its events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The stage.
    pub stage: Stage,
    /// True when the stage succeeded.
    pub ok: bool,
    /// When it began, ms since the transcript began: when the step before it ended (the
    /// first step begins with the transcript).
    pub started_ms: u64,
    /// How long it took, up to its own last event: waiting for a banner counts for the banner,
    /// not for the connection before it.
    pub duration_ms: u64,
    /// A short technical summary: the deciding reply or failure.
    pub summary: String,
}

/// The record of one connection attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// SMTP or IMAP.
    pub protocol: Protocol,
    /// Primary probe or a mode check.
    pub role: Role,
    /// Where it went.
    pub endpoint: Endpoint,
    /// Wall-clock start, RFC 3339, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// What happened, in order.
    pub events: Vec<Event>,
}

impl Transcript {
    /// An empty transcript.
    pub fn new(protocol: Protocol, role: Role, endpoint: Endpoint) -> Self {
        Self { protocol, role, endpoint, started_at: None, events: Vec::new() }
    }

    /// Appends an event.
    pub fn push(&mut self, at_ms: u64, stage: Stage, kind: EventKind) {
        self.events.push(Event { at_ms, stage, kind });
    }

    /// Each stage's outcome, in order. Consecutive events of one stage form one step.
    ///
    /// A step runs from the end of the one before to its own last event. The first event of a
    /// stage is often what ends the wait for it (a banner is recorded when it arrives), so
    /// measuring from first events would charge that wait to the step before.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps: Vec<Step> = Vec::new();
        let mut groups: Vec<(Stage, Vec<&Event>)> = Vec::new();
        for event in &self.events {
            match groups.last_mut() {
                Some((stage, events)) if *stage == event.stage => events.push(event),
                _ => groups.push((event.stage, vec![event])),
            }
        }
        let mut started_ms = 0;
        for (stage, events) in &groups {
            let ended_ms = events.last().map_or(started_ms, |e| e.at_ms).max(started_ms);
            let decisive = events.iter().rev().find(|e| e.is_decisive()).copied();
            // A sign-in that ends on a 334 never completed, whatever the challenge said.
            let last_reply = events.iter().rev().find_map(|e| match &e.kind {
                EventKind::Received { reply } => Some(reply.code),
                _ => None,
            });
            let unfinished = *stage == Stage::Auth && decisive.is_none() && last_reply == Some(334);
            let ok = !unfinished && decisive.is_none_or(|e| !e.is_failure());
            steps.push(Step {
                stage: *stage,
                ok,
                started_ms,
                duration_ms: ended_ms - started_ms,
                summary: decisive.or(events.last().copied()).map(summarize).unwrap_or_default(),
            });
            started_ms = ended_ms;
        }
        steps
    }

    /// True when every step succeeded.
    pub fn succeeded(&self) -> bool {
        !self.events.is_empty() && self.steps().iter().all(|s| s.ok)
    }

    /// True when the transcript failed the way a TLS mode mismatch looks: with STARTTLS (or
    /// none) asked, no banner came or TLS bytes came instead; with implicit TLS asked, the peer
    /// answered the ClientHello with plaintext, closed, or said nothing. Only a probe with the
    /// other mode can confirm it (see [`Role::ModeCheck`]).
    pub fn looks_like_mode_mismatch(&self) -> bool {
        self.events.iter().any(|e| match (&e.kind, self.endpoint.security) {
            (EventKind::TimedOut { .. }, Security::Starttls | Security::None) => e.stage == Stage::Banner,
            (
                EventKind::Unexpected { looks_like: PeerBytes::Tls, .. },
                Security::Starttls | Security::None,
            ) => e.stage == Stage::Banner,
            (EventKind::TlsFailed { failure, .. }, Security::Tls) => {
                matches!(failure, TlsFailure::NotTls | TlsFailure::ConnectionLost) && e.stage == Stage::Tls
            }
            (EventKind::TimedOut { .. }, Security::Tls) => e.stage == Stage::Tls,
            _ => false,
        })
    }

    /// The SMTP replies received, with their stages.
    pub fn replies(&self) -> impl Iterator<Item = (Stage, &Reply)> {
        self.events.iter().filter_map(|e| match &e.kind {
            EventKind::Received { reply } => Some((e.stage, reply)),
            _ => None,
        })
    }
}

/// Whether a server accepts a TLS version, as a versions scan found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsVersionResult {
    /// The version offered.
    pub version: crate::TlsVersion,
    /// `Some(true)` accepted, `Some(false)` refused, `None` no usable answer (timeout, reset
    /// before any TLS byte, plaintext).
    pub accepted: Option<bool>,
    /// The answer in words (`alert protocol_version (70)`, the version chosen).
    pub detail: String,
}

/// The versions table of a scan: one row per version offered, oldest first, from the
/// transcripts with [`Role::TlsScan`].
pub fn tls_versions(transcripts: &[Transcript]) -> Vec<TlsVersionResult> {
    let mut rows: Vec<TlsVersionResult> = transcripts
        .iter()
        .filter(|t| t.role == Role::TlsScan)
        .filter_map(|t| {
            t.events.iter().find_map(|e| match &e.kind {
                EventKind::HelloAnswered { offered, accepted, refused } => Some(TlsVersionResult {
                    version: *offered,
                    accepted: match (accepted, refused) {
                        // A server that answers an offer of 1.2 with 1.0 does not accept 1.2.
                        (Some(v), _) => Some(v == offered),
                        (None, Some(_)) => Some(false),
                        (None, None) => None,
                    },
                    detail: match (accepted, refused) {
                        (Some(v), _) => format!("chose {v}"),
                        (None, Some(how)) => how.clone(),
                        // No answer: say what stopped the probe instead.
                        (None, None) => {
                            t.events.iter().rev().find(|e| e.is_failure()).map(summarize).unwrap_or_default()
                        }
                    },
                }),
                _ => None,
            })
        })
        .collect();
    rows.sort_by_key(|r| r.version);
    rows
}

/// A one-line summary of an event for a step list.
pub fn summarize(event: &Event) -> String {
    match &event.kind {
        EventKind::Resolved { addresses, .. } => {
            addresses.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        }
        EventKind::ResolveFailed { failure, .. } => snake(failure),
        EventKind::Connecting { address } => format!("connecting to {address}"),
        EventKind::Connected { address } => format!("connected to {address}"),
        EventKind::ConnectFailed { address, failure, .. } => format!("{address}: {}", snake(failure)),
        EventKind::Sent { line } => line.clone(),
        EventKind::Received { reply } => {
            let first = reply.wire_lines().into_iter().next().unwrap_or_default();
            if reply.lines.len() > 1 { format!("{first} …") } else { first }
        }
        EventKind::ImapReceived { line } => line.clone(),
        EventKind::TlsStarted { server_name } => format!("handshake with {server_name}"),
        EventKind::TlsEstablished { session } => format!("{} {}", session.version, session.cipher),
        EventKind::TlsFailed { failure, detail, .. } => format!("{}: {detail}", snake(failure)),
        EventKind::Unexpected { preview, looks_like } => format!("{} bytes: {preview}", snake(looks_like)),
        EventKind::TimedOut { waiting_for, after_ms } => format!("no {waiting_for} after {after_ms} ms"),
        EventKind::Closed { reason } => format!("connection {}", snake(reason)),
        EventKind::ClientError { program, code, message } => {
            let who = program.as_deref().unwrap_or("client");
            match code {
                Some(code) => format!("{who} error {code}: {message}"),
                None => format!("{who} error: {message}"),
            }
        }
        EventKind::HelloAnswered { offered, accepted, refused } => match (accepted, refused) {
            (Some(v), _) => format!("{offered} offered: the server chose {v}"),
            (None, Some(how)) => format!("{offered} offered: refused, {how}"),
            (None, None) => format!("{offered} offered: no answer"),
        },
        EventKind::TokenInspected { inspection } => crate::token::summarize_inspection(inspection),
        EventKind::ClockChecked { check } => {
            format!("clock check ({}, {}): {}", snake(&check.source), check.server, check.describe())
        }
        EventKind::DnsChecked { check } => check.summary(),
        EventKind::Note { text } => text.clone(),
    }
}

/// The serde name of a unit enum variant (`cert_expired`).
pub fn snake<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Sending modes of Microsoft 365 devices (and the equivalents elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendMode {
    /// Authenticated client submission (SMTP AUTH).
    Submission,
    /// Unauthenticated delivery to the tenant's MX endpoint, internal recipients only.
    DirectSend,
    /// Relay through a connector that recognises the sender by IP or certificate.
    Relay,
}

/// Where the transcripts came from. The same event means different things: a `not_tls` failure
/// in a live probe is only a guess at a mode mismatch until a mode check confirms it, and a
/// `protocol_version` alert to mailprobe's own TLS 1.2+ client means the server is old; pasted
/// from someone else's program, "wrong version number" is that program speaking TLS to a
/// STARTTLS port, and the alert is the server refusing that program's old TLS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// mailprobe's own probe: its client, its checks.
    #[default]
    Live,
    /// Text a person pasted (`mailprobe explain`): another program's messages and dialogue.
    Pasted,
    /// A log file read back: another program's dialogue.
    Log,
}

impl EvidenceSource {
    /// The serde name (`live`, `pasted`, `log`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Pasted => "pasted",
            Self::Log => "log",
        }
    }
}

/// What the user asked for and what is known about the client: the diagnosis's second input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// Where the transcripts came from; a live probe unless said otherwise.
    #[serde(default, skip_serializing_if = "is_live")]
    pub evidence: EvidenceSource,
    /// Provider id from the provider table (`gmail`, `m365`, `outlook`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Sending mode, when stated or detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<SendMode>,
    /// The SMTP host as configured.
    pub host: String,
    /// The SMTP port as configured.
    pub port: u16,
    /// The security mode asked for; `None` means automatic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
    /// The login name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A password was supplied (never the password itself).
    #[serde(default)]
    pub has_password: bool,
    /// A bearer token was supplied.
    #[serde(default)]
    pub has_token: bool,
    /// The SASL mechanism asked for; `None` means the best offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_mechanism: Option<SaslMechanism>,
    /// Envelope sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Envelope recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// A test message is sent.
    #[serde(default)]
    pub send: bool,
    /// The IMAP endpoint checked too, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imap: Option<Endpoint>,
    /// The newest TLS version the client being diagnosed can speak, when it is capped (a legacy
    /// device or library: `TLSv1.0`, `TLSv1.1`); `None` means a current client. Lets diagnosis tell
    /// "the server refused our old TLS" from other handshake failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_tls_max: Option<String>,
    /// What an admin says about the sending device (`mailprobe advise`), when said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceProfile>,
}

/// What is known about a sending device (a printer, a scanner, an app) beyond its TLS version:
/// the facts that decide which sending mode can work for it. `None`: not said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceProfile {
    /// It can sign in with a user name and password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_login: Option<bool>,
    /// It must mail recipients outside the organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_recipients: Option<bool>,
    /// It sends from a static public IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_ip: Option<bool>,
}

fn is_live(e: &EvidenceSource) -> bool {
    *e == EvidenceSource::Live
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep() -> Endpoint {
        Endpoint { host: "mx".into(), port: 587, security: Security::Starttls }
    }

    #[test]
    fn steps_group_and_last_decisive_event_wins() {
        let a1: SocketAddr = "[::1]:587".parse().unwrap();
        let a2: SocketAddr = "127.0.0.1:587".parse().unwrap();
        let mut t = Transcript::new(Protocol::Smtp, Role::Primary, ep());
        t.push(0, Stage::Connect, EventKind::Connecting { address: a1 });
        t.push(
            1,
            Stage::Connect,
            EventKind::ConnectFailed {
                address: a1,
                failure: ConnectFailure::Refused,
                detail: "refused".into(),
            },
        );
        t.push(2, Stage::Connect, EventKind::Connecting { address: a2 });
        t.push(3, Stage::Connect, EventKind::Connected { address: a2 });
        t.push(5, Stage::Banner, EventKind::Received { reply: Reply::new(220, ["mx ESMTP"]) });
        t.push(6, Stage::Auth, EventKind::Sent { line: "AUTH LOGIN".into() });
        t.push(7, Stage::Auth, EventKind::Received { reply: Reply::new(334, ["VXNlcm5hbWU6"]) });
        t.push(
            9,
            Stage::Auth,
            EventKind::Received { reply: Reply::new(535, ["5.7.8 Error: authentication failed"]) },
        );
        t.push(10, Stage::Quit, EventKind::Sent { line: "QUIT".into() });
        t.push(11, Stage::Quit, EventKind::Closed { reason: CloseReason::PeerClosed });
        let steps = t.steps();
        assert_eq!(
            steps.iter().map(|s| (s.stage, s.ok)).collect::<Vec<_>>(),
            vec![(Stage::Connect, true), (Stage::Banner, true), (Stage::Auth, false), (Stage::Quit, true)]
        );
        // connected at 3 ms; the banner's 2 ms wait is the banner's
        assert_eq!((steps[0].started_ms, steps[0].duration_ms), (0, 3));
        assert_eq!((steps[1].started_ms, steps[1].duration_ms), (3, 2));
        assert_eq!(steps[2].summary, "535 5.7.8 Error: authentication failed");
        assert!(!t.succeeded());
    }

    /// Issue 17 item 10: a 3 s wait for the banner showed as a 3 s connection (a step lasted
    /// until the next stage's first event, and the banner is recorded when it arrives).
    #[test]
    fn a_slow_banner_is_charged_to_the_banner_not_the_connection() {
        let a: SocketAddr = "127.0.0.1:25".parse().unwrap();
        let mut t = Transcript::new(Protocol::Smtp, Role::Primary, ep());
        t.push(0, Stage::Connect, EventKind::Connecting { address: a });
        t.push(1, Stage::Connect, EventKind::Connected { address: a });
        t.push(3001, Stage::Banner, EventKind::Received { reply: Reply::new(220, ["slow ESMTP"]) });
        t.push(3002, Stage::Ehlo, EventKind::Sent { line: "EHLO x".into() });
        t.push(3010, Stage::Ehlo, EventKind::Received { reply: Reply::new(250, ["slow"]) });
        let steps = t.steps();
        let timing: Vec<(Stage, u64, u64)> =
            steps.iter().map(|s| (s.stage, s.started_ms, s.duration_ms)).collect();
        assert_eq!(timing, [(Stage::Connect, 0, 1), (Stage::Banner, 1, 3000), (Stage::Ehlo, 3001, 9)]);
    }

    #[test]
    fn events_round_trip_through_json() {
        let mut t = Transcript::new(Protocol::Smtp, Role::ModeCheck, ep());
        t.push(
            0,
            Stage::Tls,
            EventKind::TlsFailed { failure: TlsFailure::NotTls, detail: "x".into(), certificates: vec![] },
        );
        t.push(
            1,
            Stage::Banner,
            EventKind::Unexpected { preview: "\\x15".into(), looks_like: PeerBytes::Tls },
        );
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains(r#""event":"tls_failed""#), "{json}");
        assert_eq!(serde_json::from_str::<Transcript>(&json).unwrap(), t);
    }

    #[test]
    fn imap_failures() {
        assert!(imap_line_is_failure("a1 NO [AUTHENTICATIONFAILED] Authentication failed."));
        assert!(imap_line_is_failure("* BYE server shutting down"));
        assert!(!imap_line_is_failure("* OK [CAPABILITY IMAP4rev1] ready"));
        assert!(!imap_line_is_failure("a2 OK Logged in"));
    }
}
