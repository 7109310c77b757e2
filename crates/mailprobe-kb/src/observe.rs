//! Observations: one pure pass over the transcripts that turns events into typed facts. The
//! rules of the knowledge base match observations, never raw events, so a rule can say "a 535
//! at AUTH" or "the mode check on the same port got a banner" without knowing how a transcript
//! is laid out. Each observation carries the transcript lines that show it and the facts (params)
//! the texts quote.

use std::collections::BTreeMap;
use std::fmt;

use std::sync::OnceLock;

use mailprobe_proto::imap::{ImapResponse, ImapStatus};
use mailprobe_proto::{
    CertificateInfo, ClockLevel, CloseReason, ConnectFailure, Context, EhloCapabilities, EnhancedCode, Event,
    EventKind, EvidenceSource, PeerBytes, Protocol, Reply, ResolveFailure, Role, SaslMechanism, Security,
    SendMode, Stage, TlsFailure, TlsSession, TokenProblem, Transcript, decode_challenge, snake, summarize,
};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// The kinds of fact a rule can match (`observation = "reply"` in `findings.toml`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservationKind {
    /// An SMTP 4xx or 5xx reply. Code, enhanced code, message; no class.
    #[default]
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
    /// Class: `masked` when keywords were overwritten with X's (`XXXXXXXA`), the mark a
    /// middlebox leaves when it hides STARTTLS.
    StarttlsMissing,
    /// The mechanism the client needs is not in the server's AUTH list (when no AUTH command was
    /// sent), or the server answered AUTH with 504 / 5.5.4 / 5.7.4, or with a 503 saying
    /// authentication is not enabled (that reply is then observed as this, with its code, not as
    /// a `reply`; for evidence of unknown stage only a 5.7.4 or a text naming authentication
    /// counts). Class: the mechanism wanted (`PLAIN` stands for PLAIN or LOGIN, `XOAUTH2` for
    /// XOAUTH2 or OAUTHBEARER).
    AuthMechanismMissing,
    /// The primary probe failed the way a TLS mode mismatch looks, and a mode check on the same
    /// host and port got a greeting with the other security.
    ModeMismatch,
    /// A 334 challenge during AUTH carrying an OAuth error document (Google's base64 JSON, or
    /// RFC 7628's). Class: its `status` (`400`, `401`, `invalid_token`, `insufficient_scope`).
    OauthError,
    /// A 334 challenge during AUTH where a final reply (235) was expected: not a LOGIN prompt.
    UnexpectedChallenge,
    /// A password sign-in (PLAIN, LOGIN) whose every step was sent, answered with yet another
    /// 334: the server kept asking and the sign-in never completed.
    AuthIncomplete,
    /// A password sign-in the client gave up at one of the server's prompts: after a 334 it sent
    /// another command (QUIT, RSET, EHLO...) or the dialogue ended, instead of the user name or
    /// password the prompt asked for.
    AuthAbandoned,
    /// The server closed or reset the connection with no failure reply before it.
    /// Class: `peer_closed` or `reset`.
    ConnectionClosed,
    /// A TLS session was set up: its leaf certificate. Not a failure; rules match what the
    /// certificate reveals, such as an issuer that is an inspecting antivirus or proxy (rules on
    /// it should always constrain `params`).
    TlsCertificate,
    /// An error a client program reported (a `client_error` event: Outlook's `4af4` or
    /// `0x800CCC0E`, a library's exception). Class: its code, lower-case (`4af4`, `0x800ccc0e`,
    /// `eauth`), when it has one; text: the message. When the message quotes a server reply
    /// (`535-5.7.8 Username...`, `(535, b'5.7.8 ...')`, `The server response was: 5.7.57 ...`)
    /// and the transcript holds no failure reply of its own, that reply is observed too, as a
    /// `reply` whose evidence is the client's line.
    ClientError,
    /// The Microsoft 365 sending mode, a fact of the Context alone (no network evidence needed):
    /// the Context's `mode` when given, else read from the host: `smtp.office365.com` (or
    /// `smtp-legacy.office365.com`) is client submission, a name under
    /// `mail.protection.outlook.com` is direct send (only the Context can say relay: a connector
    /// is what tells relay from direct send). Made when the provider is `m365` or the host is one
    /// of those names. Class: `submission`, `direct_send`, `relay`.
    SendingMode,
    /// The Context's sender (`from`) is not the login (`user`) on a Microsoft 365 or Outlook.com
    /// client submission: the login needs "Send As" on that address, or the server will refuse
    /// it (5.7.60). A fact of the Context alone.
    SenderDiffers,
    /// This computer's clock is more than five minutes off: a date the server sent (its
    /// greeting's, or a time stamp in a reply) compared with the clock at that moment (the
    /// transcript's `started_at` plus the event's offset), or a clock check (SNTP, an HTTP
    /// `Date`) that judged it an error. Enough to make OAuth tokens and certificates look invalid.
    ClockSkew,
    /// A clock check (SNTP, an HTTP `Date`) found this computer's clock between one and five
    /// minutes off: sign-ins still work, but the margin tokens allow is mostly used up.
    ClockDrift,
    /// What the bearer token's own claims show is wrong with it (a `token_inspected` event), one
    /// observation per problem. Class: the problem (`expired`, `not_yet_valid`,
    /// `issued_in_future`, `wrong_audience`, `missing_scope`, `wrong_account`).
    TokenProblem,
    /// What a DNS check of the mail domain or the sending IP found (`dns_checked` events of a
    /// `dns` transcript): one observation per outcome, good or bad. Class: the check and its
    /// outcome (`spf_fail`, `spf_permerror`, `dnsbl_listed`, `ptr_none`, `mx_nx_domain`...; the
    /// list, with the params each class adds, is `DNS_CLASSES` in `dns_evidence.rs`).
    DnsEvidence,
    /// The SMTP server accepted a password sign-in (`AUTH PLAIN` or `AUTH LOGIN` answered 235):
    /// what Microsoft calls Basic authentication, which it turns off for SMTP AUTH. No class.
    PasswordSignIn,
    /// What the Context says about the sending device (`mailprobe advise`): whether it can sign
    /// in, must mail outside recipients, sends from a static IP (`yes`, `no` or `unknown` each),
    /// and its newest TLS version. A fact of the Context alone.
    DeviceProfile,
}

impl ObservationKind {
    /// Every kind.
    pub const ALL: [ObservationKind; 26] = [
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
        Self::AuthIncomplete,
        Self::AuthAbandoned,
        Self::ConnectionClosed,
        Self::TlsCertificate,
        Self::ClientError,
        Self::SendingMode,
        Self::SenderDiffers,
        Self::ClockSkew,
        Self::ClockDrift,
        Self::TokenProblem,
        Self::DnsEvidence,
        Self::PasswordSignIn,
        Self::DeviceProfile,
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
            Self::StarttlsMissing => class == "masked",
            Self::ClientError => client_code_class(class).as_deref() == Some(class),
            Self::SendingMode => matches!(class, "submission" | "direct_send" | "relay"),
            Self::TokenProblem => matches!(
                class,
                "expired"
                    | "not_yet_valid"
                    | "issued_in_future"
                    | "wrong_audience"
                    | "missing_scope"
                    | "wrong_account"
            ),
            Self::DnsEvidence => crate::dns_evidence::class_params(class).is_some(),
            Self::Reply
            | Self::TlsVersionRefused
            | Self::ModeMismatch
            | Self::UnexpectedChallenge
            | Self::AuthIncomplete
            | Self::AuthAbandoned
            | Self::SenderDiffers
            | Self::PasswordSignIn
            | Self::DeviceProfile
            | Self::ClockSkew
            | Self::ClockDrift => false,
            Self::TlsCertificate => class == "ca_leaf",
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
            Self::TlsFailed => &[
                "detail",
                "failure",
                "server_name",
                "subject",
                "issuer",
                "names",
                "not_before",
                "not_after",
                "self_signed",
            ],
            Self::TlsVersionRefused => &["detail", "client_tls_max", "server_name"],
            Self::StarttlsMissing => &["offered", "masked"],
            Self::AuthMechanismMissing => &["mechanism", "offered", "starttls"],
            Self::ModeMismatch => &["working_port", "working_security", "asked_port", "asked_security"],
            Self::AuthIncomplete => &["mechanism", "challenge"],
            Self::AuthAbandoned => &["mechanism", "challenge", "next"],
            Self::OauthError | Self::UnexpectedChallenge => {
                &["status", "scope", "schemes", "challenge", "mechanism"]
            }
            Self::ConnectionClosed => &["reason"],
            Self::TlsCertificate => &[
                "server_name",
                "tls_version",
                "subject",
                "issuer",
                "names",
                "not_before",
                "not_after",
                "self_signed",
            ],
            Self::ClientError => &["program", "client_code", "message", "reply_line", "starttls"],
            Self::SendingMode => &["mode", "mode_source"],
            Self::SenderDiffers => &[],
            Self::ClockSkew => &["server_time", "local_time", "skew_minutes", "clock"],
            Self::ClockDrift => &["reference", "skew_seconds", "clock"],
            Self::TokenProblem => {
                &["problem", "scope", "granted", "audience", "expected_audience", "token_user"]
            }
            Self::DnsEvidence => crate::dns_evidence::DNS_PARAMS,
            Self::PasswordSignIn => &["mechanism"],
            Self::DeviceProfile => &["can_login", "external", "static_ip", "client_tls_max"],
        }
    }

    /// The params observations of this kind and `class` provide beyond
    /// [`provided_params`](Self::provided_params) (only `dns_evidence` classes add some).
    pub fn class_params(self, class: &str) -> &'static [&'static str] {
        match self {
            Self::DnsEvidence => crate::dns_evidence::class_params(class).unwrap_or_default(),
            _ => &[],
        }
    }
}

impl fmt::Display for ObservationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// Params every observation provides: where the transcript went and what the context says.
/// `evidence` is the Context's source (`live`, `pasted`, `log`): texts select on it where a
/// pasted case cannot give what a live probe measured.
pub const COMMON_PARAMS: &[&str] =
    &["host", "port", "security", "protocol", "stage", "provider", "user", "from", "to", "evidence"];

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
/// only says whether a capped client's old TLS version is refused. A DNS transcript gives one
/// `dns_evidence` observation per outcome of its checks.
pub fn observe(context: &Context, transcripts: &[Transcript]) -> Vec<Observation> {
    let mut out = Vec::new();
    for (index, transcript) in transcripts.iter().enumerate() {
        if transcript.protocol == Protocol::Dns {
            out.extend(crate::dns_evidence::observe(context, transcript, index));
            continue;
        }
        match transcript.role {
            Role::Primary => {
                Walker::new(context, transcript, index, &mut out).run();
                out.extend(mode_mismatch(context, transcript, index, transcripts));
                out.extend(clock_skew(context, transcript, index));
            }
            Role::ClientTlsCheck => out.extend(client_tls_check(context, transcript, index)),
            // A versions scan refusing old TLS is good security, not a problem of the path.
            Role::ModeCheck | Role::TlsScan => {}
        }
    }
    out.extend(context_facts(context));
    out
}

/// The provider the evidence itself names, for a Context that names none (pasted evidence, a
/// custom host name in front of a big provider): Google's replies end in `gsmtp` and link to
/// `support.google.com/mail`; Microsoft 365's carry `*.prod.outlook.com` server tags and `aka.ms`
/// links (not the greeting or `STOREDRV` names, which Exchange Server on premises shares).
/// Microsoft 365 and Outlook.com share theirs, so Microsoft evidence reads as `m365`
/// (Outlook.com needs the Context to say so).
pub(crate) fn infer_provider(context: &Context, transcripts: &[Transcript]) -> Option<&'static str> {
    const MARKERS: &[(&str, &[&str])] = &[
        ("gmail", &["gsmtp", "support.google.com/mail", "gimap ready"]),
        (
            "m365",
            &[
                ".prod.outlook.com",
                ".outlook.office365.com",
                "aka.ms/",
                "tenantattribution",
                "sender.office.com",
                "office 365 region",
                ".mail.protection.outlook.com",
            ],
        ),
    ];
    const HOSTS: &[(&str, &[&str])] = &[
        ("gmail", &["gmail.com", "googlemail.com", "google.com"]),
        ("m365", &["office365.com", "mail.protection.outlook.com", "outlook.office.com"]),
        ("outlook", &["smtp-mail.outlook.com", "hotmail.com", "live.com"]),
    ];
    if context.provider.is_some() {
        return None;
    }
    let by_host = |host: &str| {
        let h = host.trim_end_matches('.').to_ascii_lowercase();
        HOSTS.iter().find_map(|(id, suffixes)| {
            suffixes.iter().any(|s| h == *s || h.ends_with(&format!(".{s}"))).then_some(*id)
        })
    };
    if let Some(id) = std::iter::once(context.host.as_str())
        .chain(transcripts.iter().map(|t| t.endpoint.host.as_str()))
        .find_map(by_host)
    {
        return Some(id);
    }
    let texts = transcripts.iter().flat_map(|t| &t.events).filter_map(|e| match &e.kind {
        EventKind::Received { reply } => Some(reply.lines.join(" ")),
        EventKind::ImapReceived { line } => Some(line.clone()),
        EventKind::ClientError { message, .. } => Some(message.clone()),
        _ => None,
    });
    for text in texts {
        let lower = text.to_ascii_lowercase();
        if let Some((id, _)) = MARKERS.iter().find(|(_, marks)| marks.iter().any(|m| lower.contains(m))) {
            return Some(id);
        }
    }
    None
}

/// A client program's error code as a rule class: trimmed, lower-case, and only when it is one
/// word of letters, digits, `_` and `-` (`4af4`, `0x800ccc0e`, `eauth`).
fn client_code_class(code: &str) -> Option<String> {
    let class = code.trim().to_ascii_lowercase();
    let ok = !class.is_empty()
        && class.len() <= 40
        && class.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    ok.then_some(class)
}

/// Microsoft 365's client submission endpoints.
fn is_m365_submission_host(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "smtp.office365.com" || h == "smtp-legacy.office365.com"
}

/// A tenant's MX endpoint (`contoso-com.mail.protection.outlook.com`).
fn is_m365_mx_host(host: &str) -> bool {
    host.trim_end_matches('.').to_ascii_lowercase().ends_with(".mail.protection.outlook.com")
}

/// Facts of the Context alone, before any network evidence: the Microsoft 365 sending mode, a
/// sender that differs from the login where that needs "Send As", and what is said about the
/// device.
fn context_facts(context: &Context) -> Vec<Observation> {
    let mut out = Vec::new();
    let provider = context.provider.as_deref().map(str::to_ascii_lowercase);
    let host = context.host.trim();
    let m365 = provider.as_deref() == Some("m365") || is_m365_submission_host(host) || is_m365_mx_host(host);
    let fact = |kind: ObservationKind, stage: Stage| {
        let mut params = BTreeMap::new();
        if !host.is_empty() {
            params.insert("host".to_owned(), host.to_owned());
        }
        if context.port != 0 {
            params.insert("port".to_owned(), context.port.to_string());
        }
        let security = context.security.unwrap_or(Security::default_for_port(context.port));
        params.insert("security".to_owned(), snake(&security));
        params.insert("protocol".to_owned(), "SMTP".to_owned());
        params.insert("stage".to_owned(), stage.as_str().to_owned());
        for (key, value) in [
            ("provider", &context.provider),
            ("user", &context.user),
            ("from", &context.from),
            ("to", &context.to),
        ] {
            if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                params.insert(key.to_owned(), v.clone());
            }
        }
        Observation {
            kind,
            stage,
            protocol: Protocol::Smtp,
            security,
            transcript: 0,
            event: None,
            code: None,
            enhanced: None,
            class: None,
            text: String::new(),
            evidence: Vec::new(),
            params,
        }
    };
    let mode = match context.mode {
        Some(mode) => Some((mode, "context")),
        None if is_m365_submission_host(host) => Some((SendMode::Submission, "host")),
        None if is_m365_mx_host(host) => Some((SendMode::DirectSend, "host")),
        None => None,
    };
    let shown_host = if host.is_empty() { "(no host)" } else { host };
    if m365 && let Some((mode, source)) = mode {
        let class = snake(&mode).replace('-', "_");
        let mut o = fact(ObservationKind::SendingMode, Stage::Connect);
        o.class = Some(class.clone());
        o.text = class.clone();
        o.params.insert("mode".to_owned(), class);
        o.params.insert("mode_source".to_owned(), source.to_owned());
        let how = if source == "context" { "as stated" } else { "read from the host name" };
        o.evidence.push(format!(
            "settings: {shown_host} port {}, mode {} ({how})",
            context.port,
            snake(&mode)
        ));
        out.push(o);
    }
    // Send As matters where a login sends: Microsoft 365 client submission (stated, read from
    // the host, or unknown), and Outlook.com.
    let submission = mode.is_none_or(|(m, _)| m == SendMode::Submission);
    let send_as_checked = (m365 && submission) || provider.as_deref() == Some("outlook");
    if let (true, Some(user), Some(from)) = (send_as_checked, &context.user, &context.from)
        && !user.trim().is_empty()
        && !from.trim().is_empty()
        && !user.trim().eq_ignore_ascii_case(from.trim())
    {
        let mut o = fact(ObservationKind::SenderDiffers, Stage::MailFrom);
        o.text = format!("{from} {user}");
        o.evidence.push(format!("settings: sign-in {user}, sender {from}"));
        out.push(o);
    }
    if let Some(device) = &context.device {
        let said = |v: Option<bool>| match v {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        let tls = context.client_tls_max.as_deref().map_or_else(|| "TLS 1.2".to_owned(), tls_version_name);
        let mut o = fact(ObservationKind::DeviceProfile, Stage::Auth);
        let facts = [
            ("can_login", said(device.can_login)),
            ("external", said(device.external_recipients)),
            ("static_ip", said(device.static_ip)),
        ];
        for (k, v) in facts {
            o.params.insert(k.to_owned(), v.to_owned());
        }
        o.params.insert("client_tls_max".to_owned(), tls.clone());
        o.text = facts.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
        o.evidence.push(format!(
            "device: can sign in: {}; outside recipients: {}; static IP: {}; TLS up to {tls}",
            facts[0].1, facts[1].1, facts[2].1
        ));
        out.push(o);
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

pub(crate) fn event_params(
    transcript: &Transcript,
    stage: Stage,
    context: &Context,
) -> BTreeMap<String, String> {
    let mut p = BTreeMap::new();
    // Pasted evidence may name no server: the texts then get a stand-in, not an empty name.
    if !transcript.endpoint.host.is_empty() {
        p.insert("host".into(), transcript.endpoint.host.clone());
    }
    if transcript.endpoint.port != 0 {
        p.insert("port".into(), transcript.endpoint.port.to_string());
    }
    p.insert("security".into(), snake(&transcript.endpoint.security));
    p.insert(
        "protocol".into(),
        match transcript.protocol {
            Protocol::Smtp => "SMTP",
            Protocol::Imap => "IMAP",
            Protocol::Dns => "DNS",
        }
        .into(),
    );
    p.insert("stage".into(), stage.as_str().into());
    p.insert("evidence".into(), context.evidence.as_str().into());
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
    /// Prompts (334) a password mechanism still expects in this AUTH exchange: LOGIN asks for
    /// the user name (unless sent with AUTH) and the password, PLAIN for the response (unless
    /// sent with AUTH). `None` outside a password exchange.
    prompts_left: Option<u32>,
    /// The last prompt of a password mechanism not yet answered: its event and its text.
    prompt_pending: Option<(usize, String)>,
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
    /// The transcript holds a failure reply: a client error's quoted reply adds nothing then.
    has_failure_reply: bool,
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
            prompts_left: None,
            prompt_pending: None,
            tls_up: false,
            server_name: None,
            connected: false,
            connect_failures: Vec::new(),
            plain_ehlo: None,
            last_ehlo: None,
            imap_caps: None,
            failed: false,
            has_failure_reply: t.events.iter().any(|e| match &e.kind {
                EventKind::Received { reply } => reply.is_failure(),
                EventKind::ImapReceived { .. } => e.is_failure(),
                _ => false,
            }),
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
            EventKind::Resolved { .. } | EventKind::Connecting { .. } | EventKind::Note { .. } => {}
            // Read by `dns_evidence`, for DNS transcripts.
            EventKind::HelloAnswered { .. } | EventKind::DnsChecked { .. } => {}
            EventKind::TokenInspected { inspection } => {
                for problem in &inspection.problems {
                    let mut o = self.obs(ObservationKind::TokenProblem, stage, Some(i));
                    o.class = Some(problem.name().to_owned());
                    o.text = problem.name().to_owned();
                    o.evidence.push(summarize(event));
                    o.params.insert("problem".into(), problem.name().to_owned());
                    o.params.extend(token_problem_params(problem));
                    self.push(o);
                }
            }
            EventKind::ClockChecked { check } => {
                let (Some(offset), Some(kind)) = (check.offset_ms, clock_kind(check.level)) else {
                    return;
                };
                let mut o = self.obs(kind, stage, Some(i));
                o.evidence.push(summarize(event));
                // The offset is the reference minus this clock: negative when this one is ahead.
                let clock = if offset < 0 { "ahead" } else { "behind" };
                o.params.insert("clock".into(), clock.into());
                match kind {
                    ObservationKind::ClockSkew => {
                        o.params.insert("server_time".into(), check.server.clone());
                        o.params.insert("skew_minutes".into(), (offset.unsigned_abs() / 60_000).to_string());
                    }
                    _ => {
                        o.params.insert("reference".into(), check.server.clone());
                        o.params.insert("skew_seconds".into(), (offset.unsigned_abs() / 1000).to_string());
                    }
                }
                // A fact about this computer, not a failure of the session.
                self.out.push(o);
            }
            EventKind::ClientError { program, code, message } => {
                self.client_error(i, stage, event, program.as_deref(), code.as_deref(), message)
            }
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
                if let Some((at, challenge)) = self.prompt_pending.take()
                    && is_command(line)
                {
                    self.auth_abandoned(at, challenge, line);
                }
                let mut words = line.split_ascii_whitespace();
                if stage == Stage::Auth
                    && words.next().is_some_and(|w| w.eq_ignore_ascii_case("AUTH"))
                    && let Some(m) = words.next()
                {
                    let mechanism: SaslMechanism = m.parse().unwrap_or_else(|e| match e {});
                    let initial = words.next().is_some();
                    self.prompts_left = match mechanism {
                        SaslMechanism::Login => Some(if initial { 1 } else { 2 }),
                        SaslMechanism::Plain => Some(u32::from(!initial)),
                        _ => None,
                    };
                    self.auth_mechanism = Some(mechanism);
                }
            }
            EventKind::Received { reply } => self.reply(i, stage, reply),
            EventKind::ImapReceived { line } => self.imap_line(i, stage, line),
            EventKind::TlsStarted { server_name } => self.server_name = Some(server_name),
            EventKind::TlsEstablished { session } => {
                self.tls_up = true;
                self.certificate(i, stage, session);
            }
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
                    o.params.insert("self_signed".into(), yes_no(is_self_signed(certificates)));
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
        if reply.code != 334 {
            self.prompt_pending = None;
        }
        if reply.code == 220 && matches!(stage, Stage::Banner | Stage::Unknown) && masked_greeting(reply) {
            // Cisco PIX/ASA's SMTP fixup ("Mailguard") hides the greeting behind asterisks and
            // strips ESMTP keywords such as STARTTLS and AUTH from what follows.
            let mut o = self.obs(ObservationKind::StarttlsMissing, Stage::Banner, Some(i));
            o.class = Some("masked".into());
            o.text = reply.lines.join("\n");
            o.evidence.extend(reply.wire_lines());
            o.params.insert("offered".into(), String::new());
            o.params.insert("masked".into(), reply.lines.concat());
            self.push(o);
        }
        if stage == Stage::Ehlo && reply.is_positive() {
            if !self.tls_up && self.plain_ehlo.is_none() {
                self.plain_ehlo = Some((i, reply));
            }
            self.last_ehlo = Some((i, reply, self.tls_up));
        }
        if matches!(stage, Stage::Auth | Stage::Unknown) && reply.code == 334 {
            self.challenge(i, reply);
        }
        if stage == Stage::Auth
            && reply.code == 235
            && self.t.protocol == Protocol::Smtp
            && let Some(m @ (SaslMechanism::Plain | SaslMechanism::Login)) = &self.auth_mechanism
        {
            let mechanism = m.to_string();
            let mut o = self.obs(ObservationKind::PasswordSignIn, stage, Some(i));
            o.text = mechanism.clone();
            o.evidence.push(format!("AUTH {mechanism} → {}", reply.wire_lines().join(" ")));
            o.params.insert("mechanism".into(), mechanism);
            // A fact of a working session, not a failure: later stages are still observed.
            self.out.push(o);
        }
        if !reply.is_failure() {
            return;
        }
        // "Bad sequence" after an earlier failure is its consequence: the client went on.
        if reply.code == 503 && self.failed {
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
        let triple = enhanced.map(|e| (e.class, e.subject, e.detail));
        // The message in lower case, made at most once and only for the replies that need it.
        let lower = std::cell::OnceCell::new();
        let m = || lower.get_or_init(|| reply.message().to_ascii_lowercase()).as_str();
        let names_auth =
            || m().contains("authentication") || m().contains("auth ") || m().contains("mechanism");
        let not_enabled = || {
            m().contains("authentication not enabled")
                || m().contains("authentication not available")
                || m().contains("used when not advertised")
        };
        // Postfix's "504 5.5.4 Encryption required for requested authentication mechanism" and
        // Exim's "503 STARTTLS command used when not advertised" are about TLS, not a mechanism:
        // read as replies, their words name the cause.
        let about_tls = || m().contains("encryption required") || m().starts_with("starttls");
        let mechanism_refused = match stage {
            Stage::Auth => {
                reply.code == 504
                    || matches!(triple, Some((5, 5, 4) | (5, 7, 4)))
                    || (reply.code == 503 && not_enabled())
            }
            Stage::Unknown => {
                triple == Some((5, 7, 4))
                    || (reply.code == 504 && names_auth())
                    || (reply.code == 503 && not_enabled())
            }
            _ => false,
        } && !about_tls();
        if mechanism_refused {
            // This reply is observed as the missing mechanism it reports, not as a plain reply.
            let mut m = o;
            m.kind = ObservationKind::AuthMechanismMissing;
            let wanted = self.auth_mechanism.clone().or_else(|| self.context.auth_mechanism.clone());
            m.class = wanted.as_ref().map(|w| w.name().to_owned());
            if let Some(w) = wanted {
                m.params.insert("mechanism".into(), w.name().to_owned());
            }
            if let Some((_, ehlo, after_tls)) = self.last_ehlo {
                m.params.insert("offered".into(), offered(ehlo));
                m.params.insert("starttls".into(), yes_no(starttls_left_unused(ehlo, after_tls)));
            }
            self.push(m);
        } else {
            self.push(o);
        }
    }

    /// The leaf certificate of a session that was set up: a fact, not a failure (rules look for
    /// what its issuer reveals).
    fn certificate(&mut self, i: usize, stage: Stage, session: &TlsSession) {
        let Some(leaf) = session.certificates.first() else {
            return;
        };
        let mut o = self.obs(ObservationKind::TlsCertificate, stage, Some(i));
        o.text = leaf.issuer.clone();
        o.evidence.push(format!(
            "certificate: subject {}; issuer {}; names {}; valid {} to {}",
            leaf.subject,
            leaf.issuer,
            leaf.names.join(", "),
            leaf.not_before,
            leaf.not_after
        ));
        let server_name = self.server_name.unwrap_or(&self.t.endpoint.host).to_owned();
        o.params.insert("server_name".into(), server_name);
        o.params.insert("tls_version".into(), session.version.clone());
        for (k, v) in [
            ("subject", &leaf.subject),
            ("issuer", &leaf.issuer),
            ("not_before", &leaf.not_before),
            ("not_after", &leaf.not_after),
        ] {
            if !v.is_empty() {
                o.params.insert(k.into(), v.clone());
            }
        }
        if !leaf.names.is_empty() {
            o.params.insert("names".into(), leaf.names.join(", "));
        }
        o.params.insert("self_signed".into(), yes_no(is_self_signed(&session.certificates)));
        // A leaf marked CA:TRUE: accepted by OpenSSL and GnuTLS clients, refused by strict ones.
        o.class = leaf.is_ca.then(|| "ca_leaf".to_owned());
        // A fact: it does not make later timeouts or hang-ups consequences of a failure.
        self.out.push(o);
    }

    fn client_error(
        &mut self,
        i: usize,
        stage: Stage,
        event: &Event,
        program: Option<&str>,
        code: Option<&str>,
        message: &str,
    ) {
        let mut o = self.obs(ObservationKind::ClientError, stage, Some(i));
        o.class = code.and_then(client_code_class);
        o.text = message.to_owned();
        o.evidence.push(summarize(event));
        if let Some(p) = program.filter(|p| !p.trim().is_empty()) {
            o.params.insert("program".into(), p.to_owned());
        }
        if let Some(c) = code.filter(|c| !c.trim().is_empty()) {
            o.params.insert("client_code".into(), c.to_owned());
        }
        o.params.insert("message".into(), message.to_owned());
        // What the program reported, where a text quotes what was said ("Its answer: ..."):
        // phrase rules match a reply's words and a client's message alike.
        o.params.insert("reply_line".into(), first_line(message));
        if let Some((_, ehlo, after_tls)) = self.last_ehlo {
            o.params.insert("starttls".into(), yes_no(starttls_left_unused(ehlo, after_tls)));
        }
        let quoted = (!self.has_failure_reply).then(|| quoted_reply(message)).flatten();
        if let Some(q) = quoted {
            let mut r = self.obs(ObservationKind::Reply, stage, Some(i));
            r.code = q.code;
            r.enhanced = q.enhanced;
            r.text = q.text.clone();
            r.evidence = o.evidence.clone();
            if let Some(c) = q.code {
                r.params.insert("code".into(), c.to_string());
            }
            if let Some(e) = q.enhanced {
                r.params.insert("enhanced".into(), e.to_string());
            }
            let line =
                [q.code.map(|c| c.to_string()), q.enhanced.map(|e| e.to_string()), Some(q.text.clone())]
                    .into_iter()
                    .flatten()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
            r.params.insert("reply".into(), q.text);
            r.params.insert("reply_line".into(), line);
            self.push(r);
        }
        self.push(o);
    }

    /// The client answered a password prompt with a command: it gave the sign-in up there.
    fn auth_abandoned(&mut self, at: usize, challenge: String, next: &str) {
        let next = next.split_ascii_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let mut o = self.obs(ObservationKind::AuthAbandoned, Stage::Auth, Some(at));
        o.text = challenge.clone();
        o.evidence.push(format!("334 {challenge}"));
        o.evidence.push(next.clone());
        o.params.insert("challenge".into(), challenge);
        o.params.insert("next".into(), next);
        if let Some(m) = &self.auth_mechanism {
            o.params.insert("mechanism".into(), m.name().to_owned());
        }
        self.push(o);
    }

    fn challenge(&mut self, i: usize, reply: &'a Reply) {
        let raw: String = reply.lines.concat();
        let decoded = decode_challenge(&raw);
        // A password mechanism's prompts are prompts whatever they say ("Password for alice:",
        // "User Name"); only one past the last step means something, and never an OAuth error.
        if let Some(left) = self.prompts_left.as_mut() {
            if *left > 0 {
                *left -= 1;
                self.prompt_pending = Some((i, decoded.clone().unwrap_or_else(|| raw.clone())));
                return;
            }
            let shown = decoded.clone().unwrap_or_else(|| raw.clone());
            let mut o = self.obs(ObservationKind::AuthIncomplete, Stage::Auth, Some(i));
            o.text = shown.clone();
            o.evidence.extend(reply.wire_lines());
            o.params.insert("challenge".into(), shown);
            if let Some(m) = &self.auth_mechanism {
                o.params.insert("mechanism".into(), m.name().to_owned());
            }
            self.push(o);
            return;
        }
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
                // A server that answered STARTTLS with 220 offered it, whatever its EHLO looked
                // like once pasted (capabilities glued onto one line lose their keywords).
                if caps.starttls || self.starttls_accepted() {
                    return;
                }
                let mut o = self.obs(ObservationKind::StarttlsMissing, Stage::Ehlo, Some(i));
                o.text = reply.lines.join("\n");
                o.evidence.extend(reply.wire_lines());
                o.params.insert("offered".into(), keywords(reply));
                let masked = caps.masked_keywords();
                if !masked.is_empty() {
                    o.class = Some("masked".into());
                }
                o.params.insert("masked".into(), masked.join(" "));
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
            Protocol::Dns => {}
        }
    }

    /// True when the transcript's last command is an EHLO (or a QUIT after it) and no reply
    /// refused anything: a capability check, not a failed session.
    fn paste_ends_at_ehlo(&self) -> bool {
        let mut last_command = None;
        for event in &self.t.events {
            match &event.kind {
                EventKind::Sent { line } => {
                    let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
                    if verb != "QUIT" {
                        last_command = Some(verb);
                    }
                }
                EventKind::Received { reply } if reply.code >= 400 => return false,
                // the paste's other words, kept as prose for phrase rules (none matched them)
                EventKind::Received { .. }
                | EventKind::TlsEstablished { .. }
                | EventKind::ClientError { program: None, .. } => {}
                _ => return false,
            }
        }
        matches!(last_command.as_deref(), Some("EHLO" | "HELO"))
    }

    /// True when the transcript shows a STARTTLS command answered with 220.
    fn starttls_accepted(&self) -> bool {
        let mut asked = false;
        for event in &self.t.events {
            match &event.kind {
                EventKind::Sent { line } => asked = line.trim().eq_ignore_ascii_case("STARTTLS"),
                EventKind::Received { reply } if asked => return reply.code == 220,
                _ => {}
            }
        }
        false
    }

    fn auth_mechanism_from_ehlo(&mut self) {
        let ctx = self.context;
        let wants_auth =
            ctx.user.is_some() || ctx.has_password || ctx.has_token || ctx.auth_mechanism.is_some();
        // A pasted dialogue that stops at an EHLO offering no sign-in at all, with nothing sent
        // after it and nothing refused (`openssl s_client` against an MX): what it shows is that
        // this server takes no login here, which a program set to sign in fails on.
        let quiet_paste = || ctx.evidence == EvidenceSource::Pasted && self.paste_ends_at_ehlo();
        // Once an AUTH command went out, the server's answer to it is the evidence, not the list.
        if self.t.protocol != Protocol::Smtp
            || self.auth_mechanism.is_some()
            || !(wants_auth || quiet_paste())
        {
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
            None if !wants_auth && caps.auth.is_empty() => ("AUTH".to_owned(), "AUTH".to_owned()),
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
        o.params.insert("starttls".into(), yes_no(starttls_left_unused(ehlo, after_tls)));
        self.push(o);
    }
}

/// A server reply quoted inside a client program's error message.
#[derive(Debug, PartialEq, Eq)]
struct QuotedReply {
    code: Option<u16>,
    enhanced: Option<EnhancedCode>,
    text: String,
}

/// Finds the server reply a client's error message quotes: `535-5.7.8 Username and...`
/// (nodemailer, JavaMail), `535: 5.7.139 ...` (MailKit), `(535, b'5.7.8 ...')` (Python),
/// `The server response was: 5.7.57 ...` (.NET), `Invalid login: 535 Incorrect...`. Only
/// failure codes (4xx, 5xx) count; the text stops at the quoting's closing `')` or a newline.
fn quoted_reply(message: &str) -> Option<QuotedReply> {
    static PATTERNS: OnceLock<[Regex; 3]> = OnceLock::new();
    let [coded, response, bare] = PATTERNS.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("valid pattern");
        [
            // A code and an enhanced code: 535-5.7.8 / 535 5.7.8 / 535: 5.7.8 / (535, b'5.7.8
            re(r"(?:^|[^\d.])([45]\d\d)(?:[ -]|: |, ?b?['\x22])([245]\.\d{1,3}\.\d{1,3})[ .]+([^\n]*)"),
            // .NET: "The server response was: 5.7.57 Client not authenticated..."
            re(r"(?i)server (?:response was|responded|replied|said):? +(?:([45]\d\d)[ -])?([245]\.\d{1,3}\.\d{1,3}) +([^\n]*)"),
            // A code and text after a word that introduces the server's answer.
            re(r"(?i)(?:login|response|responded|replied|said|error):? +\(?([45]\d\d)(?:[ -]|, ?b?['\x22])([A-Za-z][^\n]*)"),
        ]
    });
    let clean = |t: &str| t.trim().trim_end_matches(['\'', '"', ')']).trim().to_owned();
    if let Some(c) = coded.captures(message).or_else(|| response.captures(message)) {
        let code = c.get(1).and_then(|m| m.as_str().parse().ok());
        let enhanced = c.get(2).and_then(|m| m.as_str().parse().ok());
        return Some(QuotedReply { code, enhanced, text: clean(&c[3]) });
    }
    let c = bare.captures(message)?;
    Some(QuotedReply { code: c[1].parse().ok(), enhanced: None, text: clean(&c[2]) })
}

/// Seconds since 1970 of a civil date (proleptic Gregorian), for the clock check.
fn unix_seconds(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64) -> i64 {
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hour * 3600 + minute * 60 + second
}

/// The first date in a server's text, as Unix seconds and as written: an RFC 5322 date
/// (`Tue, 24 Nov 2026 09:14:02 +0000`, in greetings) or an RFC 3339 time stamp
/// (`2026-11-24T09:14:05.123Z`, in Microsoft's replies).
///
/// Read by hand, not by a regular expression: every greeting is searched, and compiling the two
/// patterns was a sixth of a successful `diagnose`'s instructions and brought the regex
/// compiler's code and heap into a run that needs no other pattern (issue 20). The scanners
/// accept what `\b(\d{1,2}) (Jan|...|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? ?([+-])(\d{2})(\d{2})\b`
/// and `\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})`
/// (ASCII classes) accepted, the leftmost match first; the tests check them against those patterns.
pub(crate) fn find_date(text: &str) -> Option<(i64, String)> {
    let valid = |mo: i64, d: i64, h: i64, mi: i64, s: i64| {
        (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && mi < 60 && s < 61
    };
    let b = text.as_bytes();
    if let Some((start, end, f)) = (0..b.len()).find_map(|i| rfc5322_at(b, i).map(|(end, f)| (i, end, f))) {
        let [d, month, y, h, mi, s, sign, oh, om] = f;
        if valid(month, d, h, mi, s) {
            let off = (oh * 3600 + om * 60) * sign;
            return Some((unix_seconds(y, month, d, h, mi, s) - off, text[start..end].to_owned()));
        }
    }
    let (start, end, f) = (0..b.len()).find_map(|i| rfc3339_at(b, i).map(|(end, f)| (i, end, f)))?;
    let [y, mo, d, h, mi, s, sign, oh, om] = f;
    if !valid(mo, d, h, mi, s) {
        return None;
    }
    let off = (oh * 3600 + om * 60) * sign;
    Some((unix_seconds(y, mo, d, h, mi, s) - off, text[start..end].to_owned()))
}

/// An ASCII word character, as `(?-u)\b` sees it.
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A `\b` between `b[i - 1]` and `b[i]`.
fn word_boundary(b: &[u8], i: usize) -> bool {
    let before = i > 0 && word_byte(b[i - 1]);
    let after = b.get(i).is_some_and(|&c| word_byte(c));
    before != after
}

/// Exactly `n` ASCII digits at `*i`, as a number; `*i` moves past them.
fn digits(b: &[u8], i: &mut usize, n: usize) -> Option<i64> {
    let part = b.get(*i..*i + n)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *i += n;
    Some(part.iter().fold(0, |acc, &c| acc * 10 + i64::from(c - b'0')))
}

/// The byte `c` at `*i`; `*i` moves past it.
fn byte(b: &[u8], i: &mut usize, c: u8) -> Option<()> {
    (b.get(*i) == Some(&c)).then(|| *i += 1)
}

/// An RFC 5322 date starting at `i`: where it ends, and day, month, year, hour, minute, second,
/// the zone's sign, hours and minutes.
fn rfc5322_at(b: &[u8], start: usize) -> Option<(usize, [i64; 9])> {
    const MONTHS: [&[u8]; 12] =
        [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"];
    if !word_boundary(b, start) || !b[start].is_ascii_digit() {
        return None;
    }
    // `\d{1,2} `: a run of one or two digits (the `\b` before it starts the run)
    let run = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    if run > 2 {
        return None;
    }
    let mut i = start;
    let d = digits(b, &mut i, run)?;
    byte(b, &mut i, b' ')?;
    let month = MONTHS.iter().position(|m| b.get(i..i + 3) == Some(*m))? as i64 + 1;
    i += 3;
    byte(b, &mut i, b' ')?;
    let y = digits(b, &mut i, 4)?;
    byte(b, &mut i, b' ')?;
    let h = digits(b, &mut i, 2)?;
    byte(b, &mut i, b':')?;
    let mi = digits(b, &mut i, 2)?;
    // `(?::(\d{2}))? ?([+-])(\d{2})(\d{2})\b`, the optional parts tried present first
    let zone = |mut i: usize| -> Option<(usize, [i64; 3])> {
        if b.get(i) == Some(&b' ') && matches!(b.get(i + 1), Some(b'+' | b'-')) {
            i += 1;
        }
        let sign = match b.get(i)? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        i += 1;
        let oh = digits(b, &mut i, 2)?;
        let om = digits(b, &mut i, 2)?;
        word_boundary(b, i).then_some((i, [sign, oh, om]))
    };
    let with_seconds = {
        let mut j = i;
        byte(b, &mut j, b':').and_then(|()| digits(b, &mut j, 2)).and_then(|s| zone(j).map(|z| (s, z)))
    };
    let (s, (end, [sign, oh, om])) = match with_seconds {
        Some(found) => found,
        None => (0, zone(i)?),
    };
    Some((end, [d, month, y, h, mi, s, sign, oh, om]))
}

/// An RFC 3339 time stamp starting at `i`: where it ends, and year, month, day, hour, minute,
/// second, the zone's sign, hours and minutes (`Z`: 1, 0, 0).
fn rfc3339_at(b: &[u8], start: usize) -> Option<(usize, [i64; 9])> {
    if !word_boundary(b, start) {
        return None;
    }
    let mut i = start;
    let y = digits(b, &mut i, 4)?;
    byte(b, &mut i, b'-')?;
    let mo = digits(b, &mut i, 2)?;
    byte(b, &mut i, b'-')?;
    let d = digits(b, &mut i, 2)?;
    if !matches!(b.get(i), Some(b'T' | b' ')) {
        return None;
    }
    i += 1;
    let h = digits(b, &mut i, 2)?;
    byte(b, &mut i, b':')?;
    let mi = digits(b, &mut i, 2)?;
    byte(b, &mut i, b':')?;
    let s = digits(b, &mut i, 2)?;
    // `(?:\.\d+)?`: a zone cannot start with a digit, so all of them
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let (sign, oh, om) = match b.get(i)? {
        b'Z' => {
            i += 1;
            (1, 0, 0)
        }
        &c @ (b'+' | b'-') => {
            i += 1;
            let oh = digits(b, &mut i, 2)?;
            if b.get(i) == Some(&b':')
                && b.get(i + 1..i + 3).is_some_and(|m| m.iter().all(u8::is_ascii_digit))
            {
                i += 1;
            }
            let om = digits(b, &mut i, 2)?;
            (if c == b'-' { -1 } else { 1 }, oh, om)
        }
        _ => return None,
    };
    Some((i, [y, mo, d, h, mi, s, sign, oh, om]))
}

/// The observation a clock check's verdict makes: over five minutes a skew, over one a drift.
fn clock_kind(level: ClockLevel) -> Option<ObservationKind> {
    match level {
        ClockLevel::Error => Some(ObservationKind::ClockSkew),
        ClockLevel::Warning => Some(ObservationKind::ClockDrift),
        ClockLevel::Ok | ClockLevel::Unknown => None,
    }
}

/// The facts of one token problem the texts quote: the scope needed and those granted, the
/// token's audience and the one expected, the token's account.
fn token_problem_params(problem: &TokenProblem) -> Vec<(String, String)> {
    let mut p = Vec::new();
    match problem {
        TokenProblem::MissingScope { needed, found } => {
            p.push(("scope".to_owned(), needed.join(" | ")));
            p.push(("granted".to_owned(), found.join(" ")));
        }
        TokenProblem::WrongAudience { expected, found } => {
            p.push(("audience".to_owned(), found.join(" ")));
            p.push(("expected_audience".to_owned(), expected.first().cloned().unwrap_or_default()));
        }
        TokenProblem::WrongAccount { token_user, .. } => {
            p.push(("token_user".to_owned(), token_user.clone()))
        }
        TokenProblem::Expired { .. }
        | TokenProblem::NotYetValid { .. }
        | TokenProblem::IssuedInFuture { .. } => {}
    }
    p
}

/// Minutes of difference that make a clock wrong enough to matter (OAuth tokens, certificates).
const CLOCK_SKEW_MINUTES: i64 = 5;

/// Compares the first date the server sent with this computer's clock at that moment.
fn clock_skew(context: &Context, t: &Transcript, index: usize) -> Option<Observation> {
    let (started, _) = find_date(t.started_at.as_deref()?)?;
    let (i, event, server, written) = t.events.iter().enumerate().find_map(|(i, e)| {
        let text = match &e.kind {
            EventKind::Received { reply } => reply.lines.join(" "),
            EventKind::ImapReceived { line } => line.clone(),
            _ => return None,
        };
        find_date(&text).map(|(server, written)| (i, e, server, written))
    })?;
    let local = started + i64::try_from(event.at_ms / 1000).unwrap_or(0);
    let skew = local - server;
    if skew.abs() <= CLOCK_SKEW_MINUTES * 60 {
        return None;
    }
    let mut params = event_params(t, event.stage, context);
    params.insert("server_time".into(), written);
    params.insert("local_time".into(), t.started_at.clone().unwrap_or_default());
    params.insert("skew_minutes".into(), (skew.abs() / 60).to_string());
    params.insert("clock".into(), if skew > 0 { "ahead" } else { "behind" }.into());
    Some(Observation {
        kind: ObservationKind::ClockSkew,
        stage: event.stage,
        protocol: t.protocol,
        security: t.endpoint.security,
        transcript: index,
        event: Some(i),
        code: None,
        enhanced: None,
        class: None,
        text: String::new(),
        evidence: vec![
            summarize(event),
            format!(
                "this computer's clock read {} when the session began, {} ms before that line: {} minutes {} the server's",
                t.started_at.as_deref().unwrap_or_default(),
                event.at_ms,
                skew.abs() / 60,
                if skew > 0 { "ahead of" } else { "behind" }
            ),
        ],
        params,
    })
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
/// The EHLO reply of a connection still in plain text offers STARTTLS: servers such as Exim
/// and OpenSMTPD (and Postfix with `smtpd_tls_auth_only`) list AUTH only once it is used.
fn starttls_left_unused(ehlo: &Reply, after_tls: bool) -> bool {
    !after_tls && EhloCapabilities::from_reply(ehlo).starttls
}

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

/// A chain of one certificate that names itself as its issuer: nobody vouches for it.
fn is_self_signed(chain: &[CertificateInfo]) -> bool {
    matches!(chain, [leaf] if !leaf.subject.is_empty() && leaf.subject == leaf.issuer)
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// The first non-blank line of a message, cut to a length a report line can show.
fn first_line(message: &str) -> String {
    let line = message.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    match line.char_indices().nth(300) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_owned(),
    }
}

/// A line that is an SMTP command rather than a SASL response (base64 or `*`).
fn is_command(line: &str) -> bool {
    let verb = line.split_ascii_whitespace().next().unwrap_or_default();
    ["QUIT", "RSET", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "NOOP", "AUTH", "STARTTLS"]
        .iter()
        .any(|v| verb.eq_ignore_ascii_case(v))
}

/// A greeting masked by a firewall's SMTP inspection: a run of asterisks where the host name
/// should be, or the PIX's old `SMTP/cmap___` banner.
fn masked_greeting(reply: &Reply) -> bool {
    let first = reply.lines.first().map(String::as_str).unwrap_or_default();
    reply.lines.iter().any(|l| l.contains("**********"))
        || first.get(..14).is_some_and(|p| p.eq_ignore_ascii_case("smtp/cmap_____"))
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
    fn client_codes_become_classes() {
        assert_eq!(client_code_class(" 0x800CCC0E "), Some("0x800ccc0e".into()));
        assert_eq!(client_code_class("4af4"), Some("4af4".into()));
        assert_eq!(client_code_class("EAUTH"), Some("eauth".into()));
        assert_eq!(client_code_class("two words"), None);
        assert_eq!(client_code_class(""), None);
        assert!(ObservationKind::ClientError.check_class("0x800ccc0e").is_ok());
        assert!(ObservationKind::ClientError.check_class("0x800CCC0E").is_err());
        assert!(ObservationKind::SendingMode.check_class("direct_send").is_ok());
        assert!(ObservationKind::SendingMode.check_class("direct-send").is_err());
        assert!(ObservationKind::StarttlsMissing.check_class("masked").is_ok());
    }

    #[test]
    fn replies_quoted_by_client_programs() {
        let q = |m: &str| quoted_reply(m).map(|q| (q.code, q.enhanced.map(|e| e.to_string()), q.text));
        let gmail = "Username and Password not accepted. For more information, go to";
        assert_eq!(
            q(&format!("Error: Invalid login: 535-5.7.8 {gmail}")),
            Some((Some(535), Some("5.7.8".into()), gmail.into()))
        );
        assert_eq!(
            q("smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted.')"),
            Some((Some(535), Some("5.7.8".into()), "Username and Password not accepted.".into()))
        );
        assert_eq!(
            q(
                "MailKit.Security.AuthenticationException: 535: 5.7.139 Authentication unsuccessful, basic authentication is disabled."
            ),
            Some((
                Some(535),
                Some("5.7.139".into()),
                "Authentication unsuccessful, basic authentication is disabled.".into()
            ))
        );
        assert_eq!(
            q(
                "The SMTP server requires a secure connection or the client was not authenticated. The server response was: 5.7.57 Client not authenticated to send mail."
            ),
            Some((None, Some("5.7.57".into()), "Client not authenticated to send mail.".into()))
        );
        assert_eq!(
            q("Invalid login: 535 Incorrect authentication data"),
            Some((Some(535), None, "Incorrect authentication data".into()))
        );
        // Not replies: a success code, a version number, an Outlook code.
        assert_eq!(q("250 2.0.0 OK queued"), None);
        assert_eq!(q("TLS 1.2.3 handshake"), None);
        assert_eq!(q("Send/Receive error 0x800CCC0E"), None);
    }

    #[test]
    fn dates_servers_send() {
        let (t, written) =
            find_date("BY1 Microsoft ESMTP MAIL Service ready at Mon, 1 Jun 2015 12:00:00 +0000").unwrap();
        assert_eq!(t, 1_433_160_000);
        assert_eq!(written, "1 Jun 2015 12:00:00 +0000");
        assert_eq!(find_date("ESMTP Exim 4.96 Mon, 01 Jun 2015 14:00:00 +0200").unwrap().0, 1_433_160_000);
        assert_eq!(find_date("[DB6P 2015-06-01T12:00:00.123Z 08DD]").unwrap().0, 1_433_160_000);
        assert_eq!(find_date("2015-06-01T13:30:00+01:30").unwrap().0, 1_433_160_000);
        assert_eq!(find_date("1970-01-01T00:00:00Z").unwrap().0, 0);
        assert_eq!(find_date("2000-03-01T00:00:00Z").unwrap().0, 951_868_800);
        assert!(find_date("smtp.gmail.com ESMTP a640c - gsmtp").is_none());
        assert!(find_date("2015-13-01T00:00:00Z").is_none());
    }

    /// The scanners against the two patterns they replace, on dates, near misses and
    /// neighbours of each kind.
    #[test]
    fn dates_as_the_patterns_found_them() {
        let re = |p: &str| Regex::new(&format!("(?-u){p}")).unwrap();
        let rfc5322 = re(
            r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? ?([+-])(\d{2})(\d{2})\b",
        );
        let rfc3339 =
            re(r"\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})");
        let bodies = [
            "1 Jun 2015 12:00:00 +0000",
            "01 Jun 2015 14:00 +0200",
            "1 Jun 2015 12:00:00+0000",
            "1 Jun 2015 12:00+0000",
            "123 Jun 2015 12:00:00 +0000",
            "1 Jun 2015 12:00:00 +00000",
            "1 Jun 2015 12:00:00 +0000x",
            "1 jun 2015 12:00:00 +0000",
            "1 Jun 15 12:00:00 +0000",
            "1 Jun 2015 12:00:0 +0000",
            "1 Jun 2015 12:00:00  +0000",
            "1 Jun 2015 12:00: +0000",
            "31 Dec 1999 23:59:60 -0830",
            "99 Dec 1999 99:99:99 -0830",
            "0 Jun 2015 12:00:00 +0000",
            "2015-06-01T12:00:00.123Z",
            "2015-06-01 13:30:00+01:30",
            "2015-06-01T13:30:00+0130",
            "2015-06-01T13:30:00+01:3",
            "2015-06-01T13:30:00.Z",
            "2015-06-01T13:30:00.5+01:30",
            "12015-06-01T12:00:00Z",
            "2015-06-01t12:00:00Z",
            "2015-13-01T00:00:00Z",
            "2015-06-01T12:00:00",
            "2015-06-01T12:00:00z",
            "1 Jun 2015 12:00:00 +0000 2015-06-01T12:00:00Z",
        ];
        let frames =
            ["{}", "x{}", "a{}", " {}", "_{}", "{}.", "ready at Mon, {} (UTC)", "9{}", "é{}é", "{}{}"];
        for body in bodies {
            for frame in frames {
                let text = frame.replace("{}", body);
                let expected = rfc5322.captures(&text).map(|c| c[0].to_owned());
                let found = (0..text.len())
                    .find_map(|i| rfc5322_at(text.as_bytes(), i).map(|(e, _)| text[i..e].to_owned()));
                assert_eq!(found, expected, "RFC 5322 in {text:?}");
                let expected = rfc3339.captures(&text).map(|c| c[0].to_owned());
                let found = (0..text.len())
                    .find_map(|i| rfc3339_at(text.as_bytes(), i).map(|(e, _)| text[i..e].to_owned()));
                assert_eq!(found, expected, "RFC 3339 in {text:?}");
            }
        }
    }

    fn greeting_at(started_at: &str, banner: &str) -> Vec<Observation> {
        let mut t = Transcript::new(
            Protocol::Smtp,
            Role::Primary,
            mailprobe_proto::Endpoint {
                host: "mx.example.test".into(),
                port: 25,
                security: Security::Starttls,
            },
        );
        t.started_at = Some(started_at.into());
        t.push(90_000, Stage::Banner, EventKind::Received { reply: Reply::new(220, [banner]) });
        clock_skew(&Context::default(), &t, 0).into_iter().collect()
    }

    #[test]
    fn clock_skew_beyond_five_minutes() {
        let banner = "mx.example.test ESMTP Exim 4.96 Mon, 01 Jun 2015 12:00:00 +0000";
        // Ninety seconds after a start of 11:58:30, the server says 12:00:00: in step.
        assert!(greeting_at("2015-06-01T11:58:30Z", banner).is_empty());
        let ahead = greeting_at("2015-06-01T14:10:00Z", banner);
        assert_eq!(ahead.len(), 1);
        assert_eq!(ahead[0].params["clock"], "ahead");
        assert_eq!(ahead[0].params["skew_minutes"], "131");
        let behind = greeting_at("2015-06-01T11:50:00Z", banner);
        assert_eq!(behind[0].params["clock"], "behind");
        assert_eq!(behind[0].params["skew_minutes"], "8");
        // No start time recorded (pasted evidence): nothing to compare with.
        assert!(greeting_at("", banner).is_empty());
    }

    #[test]
    fn m365_mode_from_the_context_or_the_host() {
        let ctx = |host: &str, mode: Option<SendMode>| Context {
            host: host.into(),
            port: 587,
            mode,
            user: Some("scanner@contoso.example".into()),
            from: Some("scanner@contoso.example".into()),
            ..Context::default()
        };
        let modes = |c: &Context| -> Vec<(String, String)> {
            context_facts(c)
                .into_iter()
                .filter(|o| o.kind == ObservationKind::SendingMode)
                .map(|o| (o.class.unwrap(), o.params["mode_source"].clone()))
                .collect()
        };
        let pair = |a: &str, b: &str| vec![(a.to_owned(), b.to_owned())];
        assert_eq!(modes(&ctx("smtp.office365.com", None)), pair("submission", "host"));
        assert_eq!(modes(&ctx("contoso-com.mail.protection.outlook.com", None)), pair("direct_send", "host"));
        assert_eq!(
            modes(&ctx("contoso-com.mail.protection.outlook.com", Some(SendMode::Relay))),
            pair("relay", "context")
        );
        assert_eq!(
            modes(&ctx("smtp.office365.com", Some(SendMode::DirectSend))),
            pair("direct_send", "context")
        );
        assert!(modes(&ctx("mail.example.test", None)).is_empty());
        let m365 = Context { provider: Some("m365".into()), ..ctx("52.101.1.2", Some(SendMode::DirectSend)) };
        assert_eq!(modes(&m365), pair("direct_send", "context"));
    }

    #[test]
    fn a_different_sender_needs_send_as_only_where_a_login_sends() {
        let differs = |host: &str, mode: Option<SendMode>, from: &str| {
            let c = Context {
                host: host.into(),
                mode,
                user: Some("scanner@contoso.example".into()),
                from: Some(from.into()),
                ..Context::default()
            };
            context_facts(&c).iter().any(|o| o.kind == ObservationKind::SenderDiffers)
        };
        assert!(differs("smtp.office365.com", None, "sales@contoso.example"));
        assert!(!differs("smtp.office365.com", None, "Scanner@Contoso.example"));
        assert!(!differs("contoso-com.mail.protection.outlook.com", None, "sales@contoso.example"));
        assert!(!differs("smtp.office365.com", Some(SendMode::Relay), "sales@contoso.example"));
        assert!(!differs("mail.example.test", None, "sales@contoso.example"));
    }

    #[test]
    fn the_evidence_names_the_provider() {
        let pasted = |line: &str| {
            let mut t = Transcript::new(
                Protocol::Smtp,
                Role::Primary,
                mailprobe_proto::Endpoint { host: String::new(), port: 0, security: Security::Starttls },
            );
            t.push(0, Stage::Unknown, EventKind::Received { reply: Reply::new(535, [line]) });
            t
        };
        let none = Context::default();
        let gmail = "5.7.8  https://support.google.com/mail/?p=BadCredentials a640c23a62f3a-ab7f1e2d3c4sm123456ex.42 - gsmtp";
        assert_eq!(infer_provider(&none, &[pasted(gmail)]), Some("gmail"));
        let m365 = "5.7.3 Authentication unsuccessful [AM0PR02CA0123.eurprd02.prod.outlook.com 2026-11-24T09:14:05.123Z]";
        assert_eq!(infer_provider(&none, &[pasted(m365)]), Some("m365"));
        assert_eq!(infer_provider(&none, &[pasted("5.7.8 Error: authentication failed")]), None);
        // The host decides first; a Context that names a provider is never second-guessed.
        let host = Context { host: "smtp-mail.outlook.com".into(), ..Context::default() };
        assert_eq!(infer_provider(&host, &[pasted(m365)]), Some("outlook"));
        let named = Context { provider: Some("gmail".into()), ..Context::default() };
        assert_eq!(infer_provider(&named, &[pasted(m365)]), None);
    }

    #[test]
    fn seconds_read_naturally() {
        assert_eq!(seconds(10_000), "10");
        assert_eq!(seconds(2_500), "2.5");
    }
}
