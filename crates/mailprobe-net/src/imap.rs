//! The IMAP check: greeting, CAPABILITY, STARTTLS when asked, AUTHENTICATE PLAIN or LOGIN (or,
//! with a token, AUTHENTICATE XOAUTH2 / OAUTHBEARER), LOGOUT. Mail clients such as Outlook test IMAP and SMTP together when adding an account, so a
//! refused IMAP login explains a failing account set-up even when SMTP is fine.

use std::net::SocketAddr;

use mailprobe_proto::imap::{ImapResponse, ImapStatus, MAX_IMAP_LINE, login_command};
use mailprobe_proto::{
    Endpoint, EventKind, LineReader, MAX_REPLY_LINES, Protocol, Role, SaslMechanism, SaslStep, Secret,
    Security, Stage, Transcript, choose_mechanism, decode_challenge, empty_response,
    oauthbearer_initial_response, plain_initial_response, xoauth2_initial_response,
};

use crate::connect::open;
use crate::wire::{Recorder, Stopped, Wire};
use crate::{Credentials, ProbeEnv};

/// Where and how to check IMAP.
#[derive(Clone, Debug)]
pub struct ImapTarget {
    /// Host name (also the TLS name unless `tls_name` is set).
    pub host: String,
    /// Port (993 implicit TLS, 143 STARTTLS).
    pub port: u16,
    /// Security mode.
    pub security: Security,
    /// Addresses to use instead of resolving `host`.
    pub connect_to: Vec<SocketAddr>,
    /// The name to verify the certificate against, when not `host`.
    pub tls_name: Option<String>,
}

/// The most lines kept from one response besides the ones that settle it: as many as SMTP
/// keeps of one reply.
const MAX_RESPONSE_LINES: usize = MAX_REPLY_LINES;
/// The most bytes of such lines kept from one response.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// What is kept of the response being read. A server may send lines without end before its
/// tagged reply (untagged data, other tags, stray `+`); past the limits they are counted, not
/// stored, so memory and the report stay small whatever the timeout. The lines that settle the
/// response (its tagged reply, a `+` being answered, the first `* BYE`) are always kept.
#[derive(Debug, Default)]
struct ResponseBudget {
    lines: usize,
    bytes: usize,
    dropped: u64,
    bye_seen: bool,
}

impl ResponseBudget {
    /// True when a line that does not settle the response is recorded. Once one is dropped,
    /// the rest are too, so what is kept is a prefix.
    fn keep(&mut self, line: &str) -> bool {
        if self.dropped == 0
            && self.lines < MAX_RESPONSE_LINES
            && self.bytes + line.len() <= MAX_RESPONSE_BYTES
        {
            self.lines += 1;
            self.bytes += line.len();
            return true;
        }
        self.dropped += 1;
        false
    }
}

/// A line read, not yet recorded.
struct ReadLine {
    text: String,
    /// Longer than [`MAX_IMAP_LINE`]: only its head was kept.
    cut: bool,
}

struct ImapSession {
    wire: Wire,
    lines: LineReader,
    next_tag: u32,
    budget: ResponseBudget,
}

impl ImapSession {
    fn new(wire: Wire) -> Self {
        Self { wire, lines: LineReader::new(MAX_IMAP_LINE), next_tag: 0, budget: ResponseBudget::default() }
    }

    /// Reads a line; the caller records it with [`ImapSession::record`] once it knows what it is.
    async fn read_line(&mut self, stage: Stage, waiting_for: &str) -> Result<ReadLine, Stopped> {
        loop {
            if let Some(line) = self.lines.next_line() {
                let text = String::from_utf8_lossy(&line.bytes).into_owned();
                return Ok(ReadLine { text, cut: line.cut });
            }
            let bytes = self.wire.read_some(stage, waiting_for).await?;
            self.lines.feed(bytes);
        }
    }

    /// Records a line: always when it `settles` the response, else within the budget. Returns
    /// whether it was recorded (only recorded lines are acted on).
    fn record(&mut self, stage: Stage, line: &ReadLine, settles: bool) -> bool {
        let is_bye = matches!(
            ImapResponse::parse(&line.text),
            Some(ImapResponse::Untagged { status: Some(ImapStatus::Bye), .. })
        );
        let first_bye = is_bye && !std::mem::replace(&mut self.budget.bye_seen, true);
        if !(settles || first_bye || self.budget.keep(&line.text)) {
            return false;
        }
        let event = EventKind::ImapReceived { line: line.text.clone() };
        if line.cut {
            self.wire.rec.push_cut(stage, event);
        } else {
            self.wire.rec.push(stage, event);
        }
        true
    }

    /// Reads and records one line that settles what it answers (the greeting).
    async fn read_settling_line(&mut self, stage: Stage, waiting_for: &str) -> Result<String, Stopped> {
        let line = self.read_line(stage, waiting_for).await?;
        self.record(stage, &line, true);
        Ok(line.text)
    }

    /// Ends a response: says how many lines were dropped, and starts a new budget.
    fn end_response(&mut self, stage: Stage) {
        let budget = std::mem::take(&mut self.budget);
        if budget.dropped > 0 {
            self.wire.rec.note(
                stage,
                format!(
                    "{} further lines dropped before the tagged reply (more than {MAX_RESPONSE_LINES} lines or \
                     {} KiB in one response)",
                    budget.dropped,
                    MAX_RESPONSE_BYTES / 1024
                ),
            );
        }
    }

    /// Sends a tagged command and reads until its tagged response; returns the status and every
    /// capability seen on the way.
    async fn command(
        &mut self,
        stage: Stage,
        wire_line: &Secret,
        shown: &str,
        tag: &str,
    ) -> Result<(ImapStatus, Vec<String>), Stopped> {
        self.wire.rec.push(stage, EventKind::Sent { line: shown.to_owned() });
        self.wire.write_all(stage, wire_line.expose().as_bytes()).await?;
        let response = self.read_tagged(stage, tag).await;
        self.end_response(stage);
        response
    }

    /// Reads until the tagged response to `tag`; capabilities are taken from recorded lines
    /// only, so a flood of them costs no memory either.
    async fn read_tagged(&mut self, stage: Stage, tag: &str) -> Result<(ImapStatus, Vec<String>), Stopped> {
        let mut caps = Vec::new();
        loop {
            let line = self.read_line(stage, &format!("reply to {tag}")).await?;
            let response = ImapResponse::parse(&line.text);
            let settles = matches!(&response, Some(ImapResponse::Tagged { tag: got, .. }) if got == tag);
            if !self.record(stage, &line, settles) {
                continue;
            }
            match response {
                Some(r @ ImapResponse::Tagged { .. }) => {
                    caps.extend(r.capabilities().unwrap_or_default());
                    let ImapResponse::Tagged { tag: got, status, .. } = r else { unreachable!() };
                    if got == tag {
                        return Ok((status, caps));
                    }
                }
                // BYE ends the session, except during LOGOUT where it precedes the tagged OK.
                Some(ImapResponse::Untagged { status: Some(ImapStatus::Bye), .. })
                    if stage != Stage::Quit =>
                {
                    return Err(Stopped);
                }
                Some(r) => caps.extend(r.capabilities().unwrap_or_default()),
                None => {}
            }
        }
    }

    /// `AUTHENTICATE XOAUTH2|OAUTHBEARER` (RFC 7628 over IMAP): the initial response inline when
    /// the server offers SASL-IR, else after its `+`. An error challenge (`+ <base64 JSON>`) is
    /// decoded into the transcript and answered with the empty response the mechanism asks for,
    /// so the server finishes with its tagged `NO`.
    async fn authenticate_bearer(
        &mut self,
        mechanism: &SaslMechanism,
        initial: SaslStep,
        sasl_ir: bool,
    ) -> Result<ImapStatus, Stopped> {
        let stage = Stage::Auth;
        let tag = self.tag();
        // A server may repeat the response in a `+` or a `NO`: know it before anything comes.
        self.wire.rec.guard_payload(&initial);
        let mut pending = Some(initial);
        if sasl_ir {
            let step = pending.take().ok_or(Stopped)?;
            let wire = Secret::new(format!("{tag} AUTHENTICATE {mechanism} {}\r\n", step.wire.expose()));
            self.wire.rec.push(
                stage,
                EventKind::Sent { line: format!("{tag} AUTHENTICATE {mechanism} {}", step.shown) },
            );
            self.wire.write_all(stage, wire.expose().as_bytes()).await?;
        } else {
            let line = format!("{tag} AUTHENTICATE {mechanism}");
            self.wire.rec.push(stage, EventKind::Sent { line: line.clone() });
            self.wire.write_all(stage, format!("{line}\r\n").as_bytes()).await?;
        }
        let status = self.bearer_exchange(stage, &tag, pending).await;
        self.end_response(stage);
        status
    }

    /// The rest of [`ImapSession::authenticate_bearer`]: answers `+` challenges until the
    /// tagged response.
    async fn bearer_exchange(
        &mut self,
        stage: Stage,
        tag: &str,
        mut pending: Option<SaslStep>,
    ) -> Result<ImapStatus, Stopped> {
        let mut challenges = 0;
        loop {
            let line = self.read_line(stage, &format!("reply to {tag}")).await?;
            let response = ImapResponse::parse(&line.text);
            // a `+` is answered (at most four times), the tagged reply ends the exchange
            let settles = match &response {
                Some(ImapResponse::Continuation(_)) => true,
                Some(ImapResponse::Tagged { tag: got, .. }) => got == tag,
                _ => false,
            };
            if !self.record(stage, &line, settles) {
                continue;
            }
            match response {
                Some(ImapResponse::Continuation(text)) => {
                    challenges += 1;
                    if challenges > 3 {
                        self.wire.rec.note(stage, "the server keeps asking for more: giving up");
                        return Err(Stopped);
                    }
                    let step = match pending.take() {
                        // the go-ahead for a client without SASL-IR
                        Some(step) => step,
                        None => {
                            if let Some(doc) = decode_challenge(&text).filter(|d| !d.is_empty()) {
                                self.wire.rec.note(stage, format!("the + challenge decodes to: {doc}"));
                            }
                            empty_response()
                        }
                    };
                    self.wire.rec.push(stage, EventKind::Sent { line: step.shown.clone() });
                    let wire = Secret::new(format!("{}\r\n", step.wire.expose()));
                    self.wire.write_all(stage, wire.expose().as_bytes()).await?;
                }
                Some(ImapResponse::Tagged { tag: got, status, .. }) if got == tag => return Ok(status),
                Some(ImapResponse::Untagged { status: Some(ImapStatus::Bye), .. }) => return Err(Stopped),
                _ => {}
            }
        }
    }

    fn tag(&mut self) -> String {
        self.next_tag += 1;
        format!("a{}", self.next_tag)
    }

    async fn simple(&mut self, stage: Stage, verb: &str) -> Result<(ImapStatus, Vec<String>), Stopped> {
        let tag = self.tag();
        let line = format!("{tag} {verb}");
        self.command(stage, &Secret::new(format!("{line}\r\n")), &line, &tag).await
    }
}

/// Runs the IMAP check and returns its transcript.
pub async fn probe_imap(env: &ProbeEnv, target: &ImapTarget, credentials: &Credentials) -> Transcript {
    probe_imap_with(env, target, credentials, None).await
}

/// [`probe_imap`] with the SASL mechanism asked for (`--auth`): a bearer mechanism is used as
/// asked when the server offers it; `None` picks XOAUTH2, then OAUTHBEARER, when there is a token.
pub async fn probe_imap_with(
    env: &ProbeEnv,
    target: &ImapTarget,
    credentials: &Credentials,
    mechanism: Option<&SaslMechanism>,
) -> Transcript {
    let endpoint = Endpoint { host: target.host.clone(), port: target.port, security: target.security };
    let mut rec = Recorder::new(Protocol::Imap, Role::Primary, endpoint);
    rec.guard_credentials(credentials);
    let Ok(stream) = open(&mut rec, env, &target.host, target.port, &target.connect_to).await else {
        return rec.transcript;
    };
    let mut session = ImapSession::new(Wire::new(stream, rec, env.timeout));
    let logged_in = run(&mut session, env, target, credentials, mechanism).await;
    if session.wire.connection_usable() || logged_in.is_ok() {
        let _ = session.simple(Stage::Quit, "LOGOUT").await;
    }
    session.wire.close(Stage::Quit).await
}

/// A short probe with another security mode that only waits for the greeting (a
/// [`Role::ModeCheck`]): when the primary probe failed the way a mode mismatch looks, a greeting
/// here confirms it and names the pair that works.
pub async fn probe_imap_greeting(env: &ProbeEnv, target: &ImapTarget) -> Transcript {
    let endpoint = Endpoint { host: target.host.clone(), port: target.port, security: target.security };
    let mut rec = Recorder::new(Protocol::Imap, Role::ModeCheck, endpoint);
    let Ok(stream) = open(&mut rec, env, &target.host, target.port, &target.connect_to).await else {
        return rec.transcript;
    };
    let mut session = ImapSession::new(Wire::new(stream, rec, env.timeout));
    let tls_name = target.tls_name.clone().unwrap_or_else(|| target.host.clone());
    if target.security != Security::Tls || session.wire.handshake(&env.trust, &tls_name).await.is_ok() {
        let _ = session.read_settling_line(Stage::Banner, "IMAP greeting").await;
    }
    session.wire.close(Stage::Quit).await
}

async fn run(
    session: &mut ImapSession,
    env: &ProbeEnv,
    target: &ImapTarget,
    credentials: &Credentials,
    mechanism: Option<&SaslMechanism>,
) -> Result<(), Stopped> {
    let tls_name = target.tls_name.clone().unwrap_or_else(|| target.host.clone());
    if target.security == Security::Tls {
        session.wire.handshake(&env.trust, &tls_name).await?;
    }
    let greeting = session.read_settling_line(Stage::Banner, "IMAP greeting").await?;
    session.end_response(Stage::Banner);
    let mut caps = match ImapResponse::parse(&greeting) {
        Some(r @ ImapResponse::Untagged { status: Some(ImapStatus::Ok | ImapStatus::PreAuth), .. }) => {
            r.capabilities().unwrap_or_default()
        }
        _ => {
            let looks_like = mailprobe_proto::PeerBytes::classify(greeting.as_bytes());
            session.wire.rec.push(
                Stage::Banner,
                EventKind::Unexpected {
                    preview: mailprobe_proto::preview_bytes(greeting.as_bytes(), 64),
                    looks_like,
                },
            );
            return Err(Stopped);
        }
    };
    if caps.is_empty() {
        caps = session.simple(Stage::Capability, "CAPABILITY").await?.1;
    }
    if target.security == Security::Starttls {
        if !caps.iter().any(|c| c == "STARTTLS") {
            session.wire.rec.note(
                Stage::Tls,
                "the server did not offer STARTTLS; stopping before any credential is sent",
            );
            return Err(Stopped);
        }
        if session.simple(Stage::Tls, "STARTTLS").await?.0 != ImapStatus::Ok {
            return Err(Stopped);
        }
        session.wire.handshake(&env.trust, &tls_name).await?;
        caps = session.simple(Stage::Capability, "CAPABILITY").await?.1;
    }
    if let (Some(user), Some(token)) = (credentials.user.as_deref(), credentials.token.as_ref()) {
        if !session.wire.is_tls() && target.security != Security::None {
            session.wire.rec.note(Stage::Auth, "not sending credentials over an unencrypted connection");
            return Err(Stopped);
        }
        let offered: Vec<SaslMechanism> = caps
            .iter()
            .filter_map(|c| c.strip_prefix("AUTH="))
            .map(|m| m.parse().unwrap_or_else(|e| match e {}))
            .collect();
        let wanted = mechanism.filter(|m| m.uses_token()).cloned();
        let chosen = match &wanted {
            Some(m) => offered.contains(m).then(|| m.clone()),
            None => choose_mechanism(&offered, true),
        };
        let Some(chosen) = chosen else {
            let offered = offered.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
            let asked = wanted.map_or_else(
                || "a bearer-token mechanism (XOAUTH2, OAUTHBEARER)".to_owned(),
                |m| format!("AUTHENTICATE {m}"),
            );
            session.wire.rec.note(
                Stage::Auth,
                format!(
                    "{asked} was needed for the token, but the server offers: {}",
                    if offered.is_empty() { "none" } else { &offered }
                ),
            );
            return Err(Stopped);
        };
        let initial = if chosen == SaslMechanism::XOAuth2 {
            xoauth2_initial_response(user, token)
        } else {
            oauthbearer_initial_response(user, &target.host, target.port, token)
        };
        let sasl_ir = caps.iter().any(|c| c == "SASL-IR");
        let status = session.authenticate_bearer(&chosen, initial, sasl_ir).await?;
        return if status == ImapStatus::Ok { Ok(()) } else { Err(Stopped) };
    }
    let (Some(user), Some(password)) = (credentials.user.as_deref(), credentials.password.as_ref()) else {
        session.wire.rec.note(Stage::Auth, "no user name and password: IMAP login skipped");
        return Ok(());
    };
    if !session.wire.is_tls() && target.security != Security::None {
        session.wire.rec.note(Stage::Auth, "not sending credentials over an unencrypted connection");
        return Err(Stopped);
    }
    if caps.iter().any(|c| c == "LOGINDISABLED") {
        session
            .wire
            .rec
            .note(Stage::Auth, "the server advertises LOGINDISABLED: it refuses logins on this connection");
        return Err(Stopped);
    }
    let tag = session.tag();
    let (status, _) = if caps.iter().any(|c| c == "AUTH=PLAIN") && caps.iter().any(|c| c == "SASL-IR") {
        let step = plain_initial_response(user, password);
        session.wire.rec.guard_payload(&step);
        let wire = Secret::new(format!("{tag} AUTHENTICATE PLAIN {}\r\n", step.wire.expose()));
        let shown = format!("{tag} AUTHENTICATE PLAIN {}", step.shown);
        session.command(Stage::Auth, &wire, &shown, &tag).await?
    } else {
        let Some((wire, shown)) = login_command(&tag, user, password) else {
            session
                .wire
                .rec
                .note(Stage::Auth, "the user name or password contains characters IMAP LOGIN cannot carry");
            return Err(Stopped);
        };
        session.command(Stage::Auth, &wire, &shown, &tag).await?
    };
    if status == ImapStatus::Ok { Ok(()) } else { Err(Stopped) }
}
