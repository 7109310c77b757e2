//! Observations: one pure pass over the transcripts that turns events into typed facts. The
//! rules of the knowledge base match observations, never raw events, so a rule can say "a 535
//! at AUTH" or "the mode check on the same port got a banner" without knowing how a transcript
//! is laid out. Each observation carries the transcript lines that show it and the facts (params)
//! the texts quote.

use std::collections::BTreeMap;
use std::fmt;

use mailprobe_proto::imap::{ImapResponse, ImapStatus};
use mailprobe_proto::{
    CloseReason, ConnectFailure, Context, EhloCapabilities, EnhancedCode, Event, EventKind, PeerBytes,
    Protocol, Reply, ResolveFailure, Role, SaslMechanism, Security, Stage, TlsFailure, Transcript,
    decode_challenge, snake, summarize,
};
use serde::{Deserialize, Serialize};

/// The kinds of fact a rule can match (`observation = "reply"` in `findings.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservationKind {
    /// An SMTP 4xx or 5xx reply. Code, enhanced code, message; no class.
    Reply,
    /// An IMAP tagged `NO` / `BAD`, or an untagged `BYE`. Class: the bracketed response code
    /// (`AUTHENTICATIONFAILED`, `ALERT`), upper-case, when there is one.
    ImapNo,
    /// Name resolution failed. Class: the [`ResolveFailure`] (`no_such_host`, `timed_out`...).
    ResolveFailed,
    /// Every address of the host refused or failed the TCP connection. Class: the
    /// [`ConnectFailure`] (`refused`, `timed_out`, `unreachable`, `other`); one observation per
    /// kind seen.
    ConnectFailed,
    /// Nothing came in time (and nothing had failed before: a timeout after a failure is its
    /// consequence). Class: what was awaited, by stage: `resolve`, `connect`, `banner`, `tls`, or
    /// `reply` (a reply to a command).
    Timeout,
    /// The peer sent bytes that do not belong to the protocol. Class: the [`PeerBytes`] (`tls`,
    /// `http`...).
    UnexpectedBytes,
    /// The TLS handshake failed. Class: the [`TlsFailure`] (`cert_expired`, `not_tls`...).
    TlsFailed,
    /// The server refused the TLS version of a client that cannot go above TLS 1.1: the
    /// [`Role::ClientTlsCheck`] transcript's capped ClientHello was refused, or the primary
    /// handshake failed with `protocol_version` while the context's `client_tls_max` is below 1.2.
    TlsVersionRefused,
    /// STARTTLS was asked for, and the EHLO reply (IMAP: the capabilities) does not offer it.
    StarttlsMissing,
    /// The mechanism the client needs is not in the server's AUTH list (when no AUTH command was
    /// sent), or the server answered AUTH with 504 / 5.5.4 / 5.7.4 (that reply is then observed
    /// as this, with its code, not as a `reply`). Class: the mechanism wanted (`PLAIN` stands for
    /// PLAIN or LOGIN, `XOAUTH2` for XOAUTH2 or OAUTHBEARER).
    AuthMechanismMissing,
    /// The primary probe failed the way a TLS mode mismatch looks, and a mode check on the same
    /// host and port got a greeting with the other security.
    ModeMismatch,
    /// A 334 challenge during AUTH carrying an OAuth error document (Google's base64 JSON, or
    /// RFC 7628's). Class: its `status` (`400`, `401`, `invalid_token`, `insufficient_scope`).
    OauthError,
    /// A 334 challenge during AUTH where a final reply (235) was expected: not a LOGIN prompt.
    UnexpectedChallenge,
    /// The server closed or reset the connection with no failure reply before it.
    /// Class: `peer_closed` or `reset`.
    ConnectionClosed,
}

impl ObservationKind {
    /// Every kind.
    pub const ALL: [ObservationKind; 14] = [
        Self::Reply,
        Self::ImapNo,
        Self::ResolveFailed,
        Self::ConnectFailed,
        Self::Timeout,
        Self::UnexpectedBytes,
        Self::TlsFailed,
        Self::TlsVersionRefused,
        Self::StarttlsMissing,
        Self::AuthMechanismMissing,
        Self::ModeMismatch,
        Self::OauthError,
        Self::UnexpectedChallenge,
        Self::ConnectionClosed,
    ];

    /// The name used in the data files.
    pub fn as_str(self) -> String {
        snake(&self)
    }

    /// Checks a rule's `class` value against what this kind can carry.
    pub(crate) fn check_class(self, class: &str) -> Result<(), String> {
        fn is<T: for<'de> Deserialize<'de>>(class: &str) -> bool {
            serde_json::from_value::<T>(serde_json::Value::String(class.to_owned())).is_ok()
        }
        let ok = match self {
            Self::ResolveFailed => is::<ResolveFailure>(class),
            Self::ConnectFailed => is::<ConnectFailure>(class),
            Self::TlsFailed => is::<TlsFailure>(class),
            Self::UnexpectedBytes => is::<PeerBytes>(class),
            Self::Timeout => matches!(class, "resolve" | "connect" | "banner" | "tls" | "reply"),
            Self::ImapNo => !class.is_empty() && class.bytes().all(|b| b.is_ascii_uppercase() || b == b'-'),
            Self::OauthError => {
                !class.is_empty()
                    && class.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'_')
            }
            Self::AuthMechanismMissing => {
                !class.is_empty() && class == class.to_ascii_uppercase() && !class.contains(' ')
            }
            Self::ConnectionClosed => matches!(class, "peer_closed" | "reset"),
            Self::Reply
            | Self::TlsVersionRefused
            | Self::StarttlsMissing
            | Self::ModeMismatch
            | Self::UnexpectedChallenge => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("class {class:?} is not a class of observation {}", self.as_str()))
        }
    }

    /// The params every observation of this kind provides (beyond [`COMMON_PARAMS`]); the
    /// engine fills a missing one with a localized "unknown" so texts may always use them.
    pub fn provided_params(self) -> &'static [&'static str] {
        match self {
            Self::Reply => &["code", "enhanced", "reply", "reply_line", "command"],
            Self::ImapNo => &["reply", "reply_line", "imap_code", "command"],
            Self::ResolveFailed => &["detail", "failure"],
            Self::ConnectFailed => &["address", "addresses", "detail", "failure"],
            Self::Timeout => &["waiting_for", "seconds"],
            Self::UnexpectedBytes => &["preview", "looks_like"],
            Self::TlsFailed => {
                &["detail", "failure", "server_name", "subject", "issuer", "names", "not_before", "not_after"]
            }
            Self::TlsVersionRefused => &["detail", "client_tls_max", "server_name"],
            Self::StarttlsMissing => &["offered", "masked"],
            Self::AuthMechanismMissing => &["mechanism", "offered"],
            Self::ModeMismatch => &["working_port", "working_security", "asked_port", "asked_security"],
            Self::OauthError | Self::UnexpectedChallenge => {
                &["status", "scope", "schemes", "challenge", "mechanism"]
            }
            Self::ConnectionClosed => &["reason"],
        }
    }
}

impl fmt::Display for ObservationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// Params every observation provides: where the transcript went and what the context says.
pub const COMMON_PARAMS: &[&str] =
    &["host", "port", "security", "protocol", "stage", "provider", "user", "from", "to"];

/// One fact drawn from the transcripts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// What kind of fact.
    pub kind: ObservationKind,
    /// The stage it belongs to.
    pub stage: Stage,
    /// The protocol of its transcript.
    pub protocol: Protocol,
    /// The security its transcript used.
    pub security: Security,
    /// Index of its transcript in the input.
    pub transcript: usize,
    /// Index of the event in its transcript that shows it, when one does.
    pub event: Option<usize>,
    /// SMTP reply code (for `reply`).
    pub code: Option<u16>,
    /// Enhanced status code (for `reply`).
    pub enhanced: Option<EnhancedCode>,
    /// The sub-kind a rule's `class` matches (see [`ObservationKind`]).
    pub class: Option<String>,
    /// The text a rule's `text` pattern matches: a reply's message, a failure's detail.
    pub text: String,
    /// The transcript lines that show it, verbatim.
    pub evidence: Vec<String>,
    /// Facts for the texts.
    pub params: BTreeMap<String, String>,
}

/// Reads the transcripts into observations. Failures are read from the primary transcripts
/// (SMTP and IMAP); a mode-check transcript only confirms a mode mismatch, and a client-TLS check
/// only says whether a capped client's old TLS version is refused.
pub fn observe(context: &Context, transcripts: &[Transcript]) -> Vec<Observation> {
    let mut out = Vec::new();
    for (index, transcript) in transcripts.iter().enumerate() {
        match transcript.role {
            Role::Primary => {
                Walker::new(context, transcript, index, &mut out).run();
                out.extend(mode_mismatch(context, transcript, index, transcripts));
            }
            Role::ClientTlsCheck => out.extend(client_tls_check(context, transcript, index)),
            // A versions scan refusing old TLS is good security, not a problem of the path.
            Role::ModeCheck | Role::TlsScan => {}
        }
    }
    out
}

/// A TLS version as people write it: `TLSv1.0`, `1.0` → `TLS 1.0`.
fn tls_version_name(version: &str) -> String {
    let v = version.trim();
    let lower = v.to_ascii_lowercase();
    if lower.starts_with("ssl") {
        return v.to_owned();
    }
    let digits = lower.trim_start_matches("tlsv").trim_start_matches("tls").trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return v.to_owned();
    }
    format!("TLS {digits}")
}

/// The check with a ClientHello capped at the client's newest version: a refusal (alert, or a
/// hang-up) of a version below 1.2 is `tls_version_refused`. Its other failures say nothing the
/// primary probe does not.
fn client_tls_check(context: &Context, t: &Transcript, index: usize) -> Option<Observation> {
    let offered = |line: &str| {
        line.strip_prefix("<ClientHello offering at most ")
            .and_then(|rest| rest.strip_suffix('>'))
            .map(str::to_owned)
    };
    let cap = context.client_tls_max.clone().or_else(|| {
        t.events.iter().find_map(|e| match &e.kind {
            EventKind::Sent { line } => offered(line),
            _ => None,
        })
    })?;
    if !below_tls12(&cap) {
        return None;
    }
    let (i, event, detail) = t.events.iter().enumerate().find_map(|(i, e)| match &e.kind {
        EventKind::TlsFailed { failure, detail, .. }
            if e.stage == Stage::Tls
                && matches!(
                    failure,
                    TlsFailure::ProtocolVersion | TlsFailure::HandshakeRejected | TlsFailure::ConnectionLost
                ) =>
        {
            Some((i, e, detail))
        }
        _ => None,
    })?;
    let mut params = event_params(t, Stage::Tls, context);
    params.insert("detail".into(), detail.clone());
    params.insert("client_tls_max".into(), tls_version_name(&cap));
    let server_name = t.events[..i].iter().rev().find_map(|e| match &e.kind {
        EventKind::TlsStarted { server_name } => Some(server_name.clone()),
        _ => None,
    });
    params.insert("server_name".into(), server_name.unwrap_or_else(|| t.endpoint.host.clone()));
    let mut evidence: Vec<String> = t.events[..i]
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::Sent { line } if offered(line).is_some() => Some(line.clone()),
            _ => None,
        })
        .into_iter()
        .collect();
    evidence.push(summarize(event));
    Some(Observation {
        kind: ObservationKind::TlsVersionRefused,
        stage: Stage::Tls,
        protocol: t.protocol,
        security: t.endpoint.security,
        transcript: index,
        event: Some(i),
        code: None,
        enhanced: None,
        class: None,
        text: detail.clone(),
        evidence,
        params,
    })
}

/// True for a TLS version name below 1.2 (`TLSv1.0`, `TLSv1.1`, `1.1`, `SSLv3`).
pub(crate) fn below_tls12(version: &str) -> bool {
    let v = version.trim().to_ascii_lowercase();
    if v.starts_with("ssl") {
        return true;
    }
    let digits = v.trim_start_matches("tlsv").trim_start_matches("tls").trim();
    matches!(digits, "1" | "1.0" | "1.1")
}

fn event_params(transcript: &Transcript, stage: Stage, context: &Context) -> BTreeMap<String, String> {
    let mut p = BTreeMap::new();
    p.insert("host".into(), transcript.endpoint.host.clone());
    p.insert("port".into(), transcript.endpoint.port.to_string());
    p.insert("security".into(), snake(&transcript.endpoint.security));
    p.insert(
        "protocol".into(),
        match transcript.protocol {
            Protocol::Smtp => "SMTP",
            Protocol::Imap => "IMAP",
        }
        .into(),
    );
    p.insert("stage".into(), stage.as_str().into());
    let optional = [
        ("provider", &context.provider),
        ("user", &context.user),
        ("from", &context.from),
        ("to", &context.to),
    ];
    for (key, value) in optional {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            p.insert(key.into(), v.clone());
        }
    }
    p
}

struct Walker<'a> {
    context: &'a Context,
    t: &'a Transcript,
    index: usize,
    out: &'a mut Vec<Observation>,
    first: usize,
    last_sent: Option<(Stage, &'a str)>,
    auth_mechanism: Option<SaslMechanism>,
    tls_up: bool,
    server_name: Option<&'a str>,
    connected: bool,
    connect_failures: Vec<(usize, String, ConnectFailure, String)>,
    /// First EHLO reply before TLS.
    plain_ehlo: Option<(usize, &'a Reply)>,
    /// Last EHLO reply, with whether TLS was up then.
    last_ehlo: Option<(usize, &'a Reply, bool)>,
    /// IMAP capabilities seen before TLS.
    imap_caps: Option<(usize, Vec<String>, &'a str)>,
    failed: bool,
}

impl<'a> Walker<'a> {
    fn new(context: &'a Context, t: &'a Transcript, index: usize, out: &'a mut Vec<Observation>) -> Self {
        let first = out.len();
        Self {
            context,
            t,
            index,
            out,
            first,
            last_sent: None,
            auth_mechanism: None,
            tls_up: false,
            server_name: None,
            connected: false,
            connect_failures: Vec::new(),
            plain_ehlo: None,
            last_ehlo: None,
            imap_caps: None,
            failed: false,
        }
    }

    fn obs(&self, kind: ObservationKind, stage: Stage, event: Option<usize>) -> Observation {
        Observation {
            kind,
            stage,
            protocol: self.t.protocol,
            security: self.t.endpoint.security,
            transcript: self.index,
            event,
            code: None,
            enhanced: None,
            class: None,
            text: String::new(),
            evidence: Vec::new(),
            params: event_params(self.t, stage, self.context),
        }
    }

    fn push(&mut self, obs: Observation) {
        self.failed = true;
        self.out.push(obs);
    }

    /// The command this stage sent last, if the reply at `stage` answers it.
    fn sent_at(&self, stage: Stage) -> Option<&'a str> {
        self.last_sent.filter(|(s, _)| *s == stage).map(|(_, line)| line)
    }

    fn run(mut self) {
        let t = self.t;
        for (i, event) in t.events.iter().enumerate() {
            self.event(i, event);
        }
        self.finish();
    }

    fn event(&mut self, i: usize, event: &'a Event) {
        let stage = event.stage;
        match &event.kind {
            EventKind::Resolved { .. }
            | EventKind::Connecting { .. }
            | EventKind::Note { .. }
            | EventKind::ClientError { .. }
            | EventKind::HelloAnswered { .. } => {}
            EventKind::Connected { .. } => self.connected = true,
            EventKind::ResolveFailed { host, failure, detail } => {
                let mut o = self.obs(ObservationKind::ResolveFailed, stage, Some(i));
                o.class = Some(snake(failure));
                o.text = detail.clone();
                o.evidence.push(format!("{host}: {detail}"));
                o.params.insert("host".into(), host.clone());
                o.params.insert("detail".into(), detail.clone());
                o.params.insert("failure".into(), snake(failure));
                self.push(o);
            }
            EventKind::ConnectFailed { address, failure, detail } => {
                self.connect_failures.push((i, address.to_string(), *failure, detail.clone()))
            }
            EventKind::Sent { line } => {
                self.last_sent = Some((stage, line));
                let mut words = line.split_ascii_whitespace();
                if stage == Stage::Auth
                    && words.next().is_some_and(|w| w.eq_ignore_ascii_case("AUTH"))
                    && let Some(m) = words.next()
                {
                    self.auth_mechanism = Some(m.parse().unwrap_or_else(|e| match e {}));
                }
            }
            EventKind::Received { reply } => self.reply(i, stage, reply),
            EventKind::ImapReceived { line } => self.imap_line(i, stage, line),
            EventKind::TlsStarted { server_name } => self.server_name = Some(server_name),
            EventKind::TlsEstablished { .. } => self.tls_up = true,
            EventKind::TlsFailed { failure, detail, certificates } => {
                let mut o = self.obs(ObservationKind::TlsFailed, stage, Some(i));
                o.class = Some(snake(failure));
                o.text = detail.clone();
                o.evidence.push(summarize(event));
                let server_name = self.server_name.unwrap_or(&self.t.endpoint.host).to_owned();
                o.params.insert("detail".into(), detail.clone());
                o.params.insert("failure".into(), snake(failure));
                o.params.insert("server_name".into(), server_name.clone());
                if let Some(leaf) = certificates.first() {
                    o.evidence.push(format!(
                        "certificate: subject {}; issuer {}; names {}; valid {} to {}",
                        leaf.subject,
                        leaf.issuer,
                        leaf.names.join(", "),
                        leaf.not_before,
                        leaf.not_after
                    ));
                    let cert = [
                        ("subject", &leaf.subject),
                        ("issuer", &leaf.issuer),
                        ("not_before", &leaf.not_before),
                        ("not_after", &leaf.not_after),
                    ];
                    for (k, v) in cert {
                        if !v.is_empty() {
                            o.params.insert(k.into(), v.clone());
                        }
                    }
                    if !leaf.names.is_empty() {
                        o.params.insert("names".into(), leaf.names.join(", "));
                    }
                }
                let capped = self.context.client_tls_max.as_deref().filter(|v| below_tls12(v));
                if let (TlsFailure::ProtocolVersion, Some(max)) = (failure, capped) {
                    let mut v = self.obs(ObservationKind::TlsVersionRefused, stage, Some(i));
                    v.text = detail.clone();
                    v.evidence = o.evidence.clone();
                    v.params.insert("detail".into(), detail.clone());
                    v.params.insert("client_tls_max".into(), tls_version_name(max));
                    v.params.insert("server_name".into(), server_name);
                    self.push(v);
                }
                self.push(o);
            }
            EventKind::Unexpected { preview, looks_like } => {
                let mut o = self.obs(ObservationKind::UnexpectedBytes, stage, Some(i));
                o.class = Some(snake(looks_like));
                o.text = preview.clone();
                o.evidence.push(summarize(event));
                o.params.insert("preview".into(), preview.clone());
                o.params.insert("looks_like".into(), snake(looks_like));
                self.push(o);
            }
            EventKind::TimedOut { waiting_for, after_ms } if !self.failed => {
                let mut o = self.obs(ObservationKind::Timeout, stage, Some(i));
                o.class = Some(
                    match stage {
                        Stage::Resolve => "resolve",
                        Stage::Connect => "connect",
                        Stage::Banner => "banner",
                        Stage::Tls => "tls",
                        _ => "reply",
                    }
                    .into(),
                );
                o.text = waiting_for.clone();
                o.evidence.push(summarize(event));
                o.params.insert("waiting_for".into(), waiting_for.clone());
                o.params.insert("seconds".into(), seconds(*after_ms));
                self.push(o);
            }
            EventKind::TimedOut { .. } => {}
            EventKind::Closed { reason } => {
                if *reason != CloseReason::Done && stage != Stage::Quit && !self.failed {
                    let mut o = self.obs(ObservationKind::ConnectionClosed, stage, Some(i));
                    o.class = Some(snake(reason));
                    o.text = snake(reason);
                    o.evidence.push(summarize(event));
                    o.params.insert("reason".into(), snake(reason));
                    self.push(o);
                }
            }
        }
    }

    fn reply(&mut self, i: usize, stage: Stage, reply: &'a Reply) {
        if stage == Stage::Ehlo && reply.is_positive() {
            if !self.tls_up && self.plain_ehlo.is_none() {
                self.plain_ehlo = Some((i, reply));
            }
            self.last_ehlo = Some((i, reply, self.tls_up));
        }
        if stage == Stage::Auth && reply.code == 334 {
            self.challenge(i, reply);
        }
        if !reply.is_failure() {
            return;
        }
        let enhanced = reply
            .enhanced
            .or_else(|| reply.lines.iter().find_map(|l| EnhancedCode::parse_prefix(l).map(|(c, _)| c)));
        let wire = reply.wire_lines();
        let mut o = self.obs(ObservationKind::Reply, stage, Some(i));
        o.code = Some(reply.code);
        o.enhanced = enhanced;
        o.text = reply.message();
        let command = self.sent_at(stage);
        o.evidence.extend(wire.iter().cloned());
        o.params.insert("code".into(), reply.code.to_string());
        if let Some(e) = enhanced {
            o.params.insert("enhanced".into(), e.to_string());
        }
        o.params.insert("reply".into(), reply.message());
        o.params.insert("reply_line".into(), one_line(reply, enhanced));
        if let Some(c) = command {
            o.params.insert("command".into(), c.to_owned());
        }
        let mechanism_refused = stage == Stage::Auth
            && (reply.code == 504
                || enhanced.is_some_and(|e| {
                    (e.class, e.subject, e.detail) == (5, 5, 4) || (e.class, e.subject, e.detail) == (5, 7, 4)
                }));
        if mechanism_refused {
            // This reply is observed as the missing mechanism it reports, not as a plain reply.
            let mut m = o;
            m.kind = ObservationKind::AuthMechanismMissing;
            let wanted = self.auth_mechanism.clone().or_else(|| self.context.auth_mechanism.clone());
            m.class = wanted.as_ref().map(|w| w.name().to_owned());
            if let Some(w) = wanted {
                m.params.insert("mechanism".into(), w.name().to_owned());
            }
            if let Some((_, ehlo, _)) = self.last_ehlo {
                m.params.insert("offered".into(), offered(ehlo));
            }
            self.push(m);
        } else {
            self.push(o);
        }
    }

    fn challenge(&mut self, i: usize, reply: &'a Reply) {
        let raw: String = reply.lines.concat();
        let decoded = decode_challenge(&raw);
        if let Some(text) = &decoded {
            let t = text.trim().to_ascii_lowercase();
            if t.is_empty() || t == "username:" || t == "password:" {
                return;
            }
        } else if !self.auth_mechanism.as_ref().is_some_and(SaslMechanism::uses_token) {
            // Not base64 and not a token exchange: a mechanism we do not speak (CRAM-MD5...).
            return;
        }
        let shown = decoded.clone().unwrap_or_else(|| raw.clone());
        let mut o = self.obs(ObservationKind::UnexpectedChallenge, Stage::Auth, Some(i));
        o.text = shown.clone();
        o.evidence.extend(reply.wire_lines());
        if decoded.is_some() {
            o.evidence.push(shown.clone());
        }
        o.params.insert("challenge".into(), shown.clone());
        if let Some(m) = &self.auth_mechanism {
            o.params.insert("mechanism".into(), m.name().to_owned());
        }
        let document = decoded
            .as_deref()
            .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
            .filter(serde_json::Value::is_object);
        let field = |doc: &serde_json::Value, key: &str| match doc.get(key) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if let Some(doc) = document {
            for key in ["status", "scope", "schemes"] {
                if let Some(v) = field(&doc, key) {
                    o.params.insert(key.into(), v);
                }
            }
            if let Some(status) = field(&doc, "status") {
                let mut e = o.clone();
                e.kind = ObservationKind::OauthError;
                e.class = Some(status);
                self.push(e);
            }
        }
        self.push(o);
    }

    fn imap_line(&mut self, i: usize, stage: Stage, line: &'a str) {
        let Some(response) = ImapResponse::parse(line) else {
            return;
        };
        if let Some(caps) = response.capabilities()
            && !self.tls_up
        {
            self.imap_caps = Some((i, caps, line));
        }
        let (code, failed) = match &response {
            ImapResponse::Tagged { status, code, .. } => {
                (code.clone(), matches!(status, ImapStatus::No | ImapStatus::Bad))
            }
            ImapResponse::Untagged { status: Some(ImapStatus::Bye), code, .. } => {
                (code.clone(), stage != Stage::Quit)
            }
            _ => (None, false),
        };
        if !failed {
            return;
        }
        // The text after the tag and status, response code included: `[ALERT] Please log in...`.
        let rest = line.split_once(' ').and_then(|(_, r)| r.split_once(' ')).map_or("", |(_, r)| r);
        let mut o = self.obs(ObservationKind::ImapNo, stage, Some(i));
        let code_word =
            code.as_deref().and_then(|c| c.split_ascii_whitespace().next()).map(str::to_ascii_uppercase);
        o.class = code_word.clone();
        o.text = rest.to_owned();
        let command = self.sent_at(stage);
        o.evidence.push(line.to_owned());
        o.params.insert("reply".into(), rest.to_owned());
        o.params.insert("reply_line".into(), line.to_owned());
        if let Some(c) = code_word {
            o.params.insert("imap_code".into(), c);
        }
        if let Some(c) = command {
            o.params.insert("command".into(), c.to_owned());
        }
        self.push(o);
    }

    fn finish(&mut self) {
        // connect_failed: only when no address connected; one observation per kind of failure.
        if !self.connected && !self.connect_failures.is_empty() {
            let failures = std::mem::take(&mut self.connect_failures);
            let mut kinds: Vec<ConnectFailure> = Vec::new();
            for (_, _, kind, _) in &failures {
                if !kinds.contains(kind) {
                    kinds.push(*kind);
                }
            }
            for kind in kinds {
                let these: Vec<_> = failures.iter().filter(|f| f.2 == kind).collect();
                let (first_i, first_addr, _, first_detail) = these[0];
                let mut o = self.obs(ObservationKind::ConnectFailed, Stage::Connect, Some(*first_i));
                o.class = Some(snake(&kind));
                o.text = first_detail.clone();
                o.evidence = these.iter().map(|(_, a, _, d)| format!("{a}: {d}")).collect();
                o.params.insert("address".into(), first_addr.clone());
                o.params.insert(
                    "addresses".into(),
                    these.iter().map(|(_, a, _, _)| a.as_str()).collect::<Vec<_>>().join(", "),
                );
                o.params.insert("detail".into(), first_detail.clone());
                o.params.insert("failure".into(), snake(&kind));
                self.push(o);
            }
        }
        self.starttls_missing();
        self.auth_mechanism_from_ehlo();
    }

    fn starttls_missing(&mut self) {
        if self.t.endpoint.security != Security::Starttls || self.tls_up {
            return;
        }
        match self.t.protocol {
            Protocol::Smtp => {
                let Some((i, reply)) = self.plain_ehlo else {
                    return;
                };
                let caps = EhloCapabilities::from_reply(reply);
                if caps.starttls {
                    return;
                }
                let mut o = self.obs(ObservationKind::StarttlsMissing, Stage::Ehlo, Some(i));
                o.text = reply.lines.join("\n");
                o.evidence.extend(reply.wire_lines());
                o.params.insert("offered".into(), keywords(reply));
                o.params.insert("masked".into(), caps.masked_keywords().join(" "));
                self.push(o);
            }
            Protocol::Imap => {
                let Some((i, caps, line)) = self.imap_caps.clone() else {
                    return;
                };
                if caps.iter().any(|c| c == "STARTTLS") {
                    return;
                }
                let mut o = self.obs(ObservationKind::StarttlsMissing, Stage::Capability, Some(i));
                o.text = line.to_owned();
                o.evidence.push(line.to_owned());
                o.params.insert("offered".into(), caps.join(" "));
                o.params.insert("masked".into(), String::new());
                self.push(o);
            }
        }
    }

    fn auth_mechanism_from_ehlo(&mut self) {
        let ctx = self.context;
        let wants_auth =
            ctx.user.is_some() || ctx.has_password || ctx.has_token || ctx.auth_mechanism.is_some();
        // Once an AUTH command went out, the server's answer to it is the evidence, not the list.
        if self.t.protocol != Protocol::Smtp || !wants_auth || self.auth_mechanism.is_some() {
            return;
        }
        let Some((i, ehlo, after_tls)) = self.last_ehlo else {
            return;
        };
        // Servers often list AUTH only after TLS: a plaintext EHLO on a STARTTLS session says
        // nothing about the mechanisms (and a missing STARTTLS is its own observation).
        if self.t.endpoint.security == Security::Starttls && !after_tls {
            return;
        }
        let caps = EhloCapabilities::from_reply(ehlo);
        let (class, wanted) = match &ctx.auth_mechanism {
            Some(m) if !caps.offers(m) => (m.name().to_owned(), m.name().to_owned()),
            Some(_) => return,
            None if ctx.has_token
                && !caps.offers(&SaslMechanism::XOAuth2)
                && !caps.offers(&SaslMechanism::OAuthBearer) =>
            {
                ("XOAUTH2".to_owned(), "XOAUTH2 / OAUTHBEARER".to_owned())
            }
            None if !ctx.has_token
                && ctx.has_password
                && !caps.offers(&SaslMechanism::Plain)
                && !caps.offers(&SaslMechanism::Login) =>
            {
                ("PLAIN".to_owned(), "PLAIN / LOGIN".to_owned())
            }
            None => return,
        };
        // The same fact from a 504 reply was already observed: one is enough.
        if self.out[self.first..].iter().any(|o| o.kind == ObservationKind::AuthMechanismMissing) {
            return;
        }
        let mut o = self.obs(ObservationKind::AuthMechanismMissing, Stage::Auth, Some(i));
        o.class = Some(class);
        let wire = ehlo.wire_lines();
        let auth_lines: Vec<String> = wire
            .iter()
            .filter(|l| l.get(4..).is_some_and(|k| k.to_ascii_uppercase().starts_with("AUTH")))
            .cloned()
            .collect();
        o.evidence = if auth_lines.is_empty() { wire } else { auth_lines };
        o.text = offered(ehlo);
        o.params.insert("mechanism".into(), wanted);
        o.params.insert("offered".into(), offered(ehlo));
        self.push(o);
    }
}

/// A reply on one line, as people quote it: `535 5.7.8 Username and Password not accepted...`.
fn one_line(reply: &Reply, enhanced: Option<EnhancedCode>) -> String {
    let mut out = reply.code.to_string();
    if let Some(e) = enhanced {
        out.push(' ');
        out.push_str(&e.to_string());
    }
    let message = reply.message();
    if !message.is_empty() {
        out.push(' ');
        out.push_str(&message);
    }
    out
}

/// The AUTH mechanisms an EHLO reply offers, space-separated (empty when none).
fn offered(ehlo: &Reply) -> String {
    EhloCapabilities::from_reply(ehlo).auth.iter().map(SaslMechanism::name).collect::<Vec<_>>().join(" ")
}

/// The EHLO keywords (first word of each line after the greeting).
fn keywords(ehlo: &Reply) -> String {
    ehlo.lines.iter().skip(1).filter_map(|l| l.split_ascii_whitespace().next()).collect::<Vec<_>>().join(" ")
}

fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) { (ms / 1000).to_string() } else { format!("{:.1}", ms as f64 / 1000.0) }
}

/// A greeting received on a mode-check transcript: the SMTP 220 or IMAP `* OK` line.
fn greeting(t: &Transcript) -> Option<String> {
    t.events.iter().find_map(|e| match &e.kind {
        EventKind::Received { reply } if e.stage == Stage::Banner && reply.is_positive() => {
            reply.wire_lines().into_iter().next()
        }
        EventKind::ImapReceived { line }
            if e.stage == Stage::Banner && (line.starts_with("* OK") || line.starts_with("* PREAUTH")) =>
        {
            Some(line.clone())
        }
        _ => None,
    })
}

fn mode_mismatch(
    context: &Context,
    primary: &Transcript,
    index: usize,
    all: &[Transcript],
) -> Option<Observation> {
    if !primary.looks_like_mode_mismatch() {
        return None;
    }
    let asked = &primary.endpoint;
    let (check, banner) = all.iter().find_map(|t| {
        let ep = &t.endpoint;
        (t.role == Role::ModeCheck
            && t.protocol == primary.protocol
            && ep.host.eq_ignore_ascii_case(&asked.host)
            && ep.port == asked.port
            && ep.security != asked.security)
            .then(|| greeting(t).map(|g| (t, g)))
            .flatten()
    })?;
    let failure = primary.events.iter().position(Event::is_failure);
    let mut params = event_params(primary, Stage::Tls, context);
    params.insert("working_port".into(), check.endpoint.port.to_string());
    params.insert("working_security".into(), snake(&check.endpoint.security));
    params.insert("asked_port".into(), asked.port.to_string());
    params.insert("asked_security".into(), snake(&asked.security));
    let mut evidence = Vec::new();
    if let Some(i) = failure {
        evidence.push(format!("{asked}: {}", summarize(&primary.events[i])));
    }
    evidence.push(format!("{}: {banner}", check.endpoint));
    Some(Observation {
        kind: ObservationKind::ModeMismatch,
        stage: Stage::Tls,
        protocol: primary.protocol,
        security: asked.security,
        transcript: index,
        event: failure,
        code: None,
        enhanced: None,
        class: None,
        text: String::new(),
        evidence,
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_versions_below_12() {
        for v in ["TLSv1.0", "TLSv1.1", "tls1.1", "1.0", "SSLv3"] {
            assert!(below_tls12(v), "{v}");
        }
        for v in ["TLSv1.2", "TLSv1.3", "1.2", ""] {
            assert!(!below_tls12(v), "{v}");
        }
    }

    #[test]
    fn tls_version_names() {
        assert_eq!(tls_version_name("1.0"), "TLS 1.0");
        assert_eq!(tls_version_name("TLSv1.1"), "TLS 1.1");
        assert_eq!(tls_version_name("SSLv3"), "SSLv3");
    }

    #[test]
    fn classes_are_checked() {
        assert!(ObservationKind::TlsFailed.check_class("cert_expired").is_ok());
        assert!(ObservationKind::TlsFailed.check_class("expired").is_err());
        assert!(ObservationKind::ConnectFailed.check_class("refused").is_ok());
        assert!(ObservationKind::Timeout.check_class("banner").is_ok());
        assert!(ObservationKind::ImapNo.check_class("AUTHENTICATIONFAILED").is_ok());
        assert!(ObservationKind::ImapNo.check_class("authenticationfailed").is_err());
        assert!(ObservationKind::Reply.check_class("x").is_err());
        assert!(ObservationKind::OauthError.check_class("400").is_ok());
    }

    #[test]
    fn seconds_read_naturally() {
        assert_eq!(seconds(10_000), "10");
        assert_eq!(seconds(2_500), "2.5");
    }
}
