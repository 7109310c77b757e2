//! The IMAP check: greeting, CAPABILITY, STARTTLS when asked, AUTHENTICATE PLAIN or LOGIN,
//! LOGOUT. Mail clients such as Outlook test IMAP and SMTP together when adding an account, so a
//! refused IMAP login explains a failing account set-up even when SMTP is fine.

use std::net::SocketAddr;

use mailprobe_proto::imap::{ImapResponse, ImapStatus, MAX_IMAP_LINE, login_command};
use mailprobe_proto::{
    Endpoint, EventKind, LineReader, Protocol, Role, Secret, Security, Stage, Transcript,
    plain_initial_response,
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

struct ImapSession {
    wire: Wire,
    lines: LineReader,
    next_tag: u32,
}

impl ImapSession {
    async fn read_line(&mut self, stage: Stage, waiting_for: &str) -> Result<String, Stopped> {
        loop {
            if let Some(line) = self.lines.next_line() {
                let text = String::from_utf8_lossy(&line.bytes).into_owned();
                self.wire.rec.push(stage, EventKind::ImapReceived { line: text.clone() });
                return Ok(text);
            }
            let bytes = self.wire.read_some(stage, waiting_for).await?;
            self.lines.feed(bytes);
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
        let mut caps = Vec::new();
        loop {
            let line = self.read_line(stage, &format!("reply to {tag}")).await?;
            match ImapResponse::parse(&line) {
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
    let endpoint = Endpoint { host: target.host.clone(), port: target.port, security: target.security };
    let mut rec = Recorder::new(Protocol::Imap, Role::Primary, endpoint);
    let Ok(stream) = open(&mut rec, env, &target.host, target.port, &target.connect_to).await else {
        return rec.transcript;
    };
    let mut session = ImapSession {
        wire: Wire::new(stream, rec, env.timeout),
        lines: LineReader::new(MAX_IMAP_LINE),
        next_tag: 0,
    };
    let logged_in = run(&mut session, env, target, credentials).await;
    if session.wire.connection_usable() || logged_in.is_ok() {
        let _ = session.simple(Stage::Quit, "LOGOUT").await;
    }
    session.wire.close(Stage::Quit).await
}

async fn run(
    session: &mut ImapSession,
    env: &ProbeEnv,
    target: &ImapTarget,
    credentials: &Credentials,
) -> Result<(), Stopped> {
    let tls_name = target.tls_name.clone().unwrap_or_else(|| target.host.clone());
    if target.security == Security::Tls {
        session.wire.handshake(&env.trust, &tls_name).await?;
    }
    let greeting = session.read_line(Stage::Banner, "IMAP greeting").await?;
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
