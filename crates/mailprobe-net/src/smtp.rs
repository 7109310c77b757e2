//! The SMTP probe: connect, banner, EHLO, STARTTLS or implicit TLS, EHLO, AUTH, MAIL, RCPT,
//! optionally DATA, then RSET and QUIT. Every step is recorded; the first failure ends the
//! session politely, and no credential is ever sent over an unencrypted connection unless the
//! user asked for `--security none`.

use mailprobe_proto::{
    Command, EhloCapabilities, Endpoint, EventKind, Protocol, Reply, ReplyError, ReplyParser, Role,
    SaslMechanism, Security, Stage, Transcript, choose_mechanism, decode_challenge, dot_stuff,
    empty_response, login_steps, oauthbearer_initial_response, plain_initial_response,
    xoauth2_initial_response,
};

use crate::connect::open;
use crate::wire::{Recorder, Stopped, Wire};
use crate::{ProbeEnv, SmtpTarget};

/// How far a probe goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Everything asked for: AUTH, MAIL, RCPT, and DATA with `--send`.
    Full,
    /// Up to the EHLO after TLS: enough to show the server answers in this mode.
    Handshake,
}

/// A live SMTP session being recorded.
struct Session<'a> {
    wire: Wire,
    parser: ReplyParser,
    target: &'a SmtpTarget,
    /// The last EHLO offered PIPELINING (RFC 2920).
    pipelining: bool,
}

impl Session<'_> {
    async fn read_reply(&mut self, stage: Stage, waiting_for: &str) -> Result<Reply, Stopped> {
        loop {
            match self.parser.next_reply() {
                Ok(Some(reply)) => {
                    self.wire.rec.push(stage, EventKind::Received { reply: reply.clone() });
                    return Ok(reply);
                }
                Ok(None) => {}
                Err(ReplyError::NotSmtp { preview, looks_like }) => {
                    self.wire.rec.push(stage, EventKind::Unexpected { preview, looks_like });
                    return Err(Stopped);
                }
            }
            let bytes = self.wire.read_some(stage, waiting_for).await?;
            self.parser.feed(bytes);
        }
    }

    async fn send(&mut self, stage: Stage, command: &Command) -> Result<(), Stopped> {
        // A server may repeat a SASL response in its reply: know it before the reply comes.
        if let Command::Auth { initial: Some(step), .. } | Command::AuthContinue(step) = command {
            self.wire.rec.guard_payload(step);
        }
        self.wire.rec.push(stage, EventKind::Sent { line: command.shown() });
        self.wire.write_all(stage, &command.to_wire()).await
    }

    async fn command(&mut self, stage: Stage, command: &Command) -> Result<Reply, Stopped> {
        self.send(stage, command).await?;
        let waiting_for = format!("reply to {}", command.shown().split(' ').next().unwrap_or("command"));
        self.read_reply(stage, &waiting_for).await
    }

    /// EHLO, falling back to HELO when EHLO is refused.
    async fn ehlo(&mut self) -> Result<EhloCapabilities, Stopped> {
        let name = self.target.ehlo_name.clone().unwrap_or_else(|| self.wire.local_literal());
        let reply = self.command(Stage::Ehlo, &Command::Ehlo(name.clone())).await?;
        if reply.is_positive() {
            let caps = EhloCapabilities::from_reply(&reply);
            self.pipelining = caps.pipelining;
            return Ok(caps);
        }
        self.pipelining = false;
        if reply.code == 421 {
            return Err(Stopped);
        }
        let helo = self.command(Stage::Ehlo, &Command::Helo(name)).await?;
        if helo.is_positive() { Ok(EhloCapabilities::default()) } else { Err(Stopped) }
    }

    async fn starttls(&mut self, env: &ProbeEnv) -> Result<(), Stopped> {
        let reply = self.command(Stage::Tls, &Command::StartTls).await?;
        if reply.code != 220 {
            return Err(Stopped);
        }
        let leftover = self.parser.take_buffered();
        if !leftover.is_empty() {
            // Bytes that arrived with the 220 were sent in plaintext before the handshake: a
            // middlebox or an injection attack (CVE-2011-0411 class). Discard them and say so.
            self.wire.rec.note(
                Stage::Tls,
                format!(
                    "{} bytes arrived after the STARTTLS go-ahead and before the handshake; discarded: {}",
                    leftover.len(),
                    mailprobe_proto::preview_bytes(&leftover, 64)
                ),
            );
        }
        self.wire.handshake(&env.trust, &self.target.tls_name()).await
    }

    async fn authenticate(&mut self, caps: &EhloCapabilities) -> Result<(), Stopped> {
        let creds = &self.target.credentials;
        let Some(user) = creds.user.as_deref() else {
            return Ok(());
        };
        let have_token = creds.token.is_some();
        let chosen = match &self.target.mechanism {
            Some(m) => caps.offers(m).then(|| m.clone()).ok_or_else(|| format!("AUTH {m} was asked for but")),
            None => choose_mechanism(&caps.auth, have_token).ok_or_else(|| {
                format!("no usable AUTH mechanism for a {}:", if have_token { "token" } else { "password" })
            }),
        };
        let mechanism = match chosen {
            Ok(m) => m,
            Err(why) => {
                let offered = caps.auth.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
                self.wire
                    .rec
                    .note(Stage::Auth, format!("{why} the server offers: {}", none_if_empty(&offered)));
                return Err(Stopped);
            }
        };
        if !self.wire.is_tls() && self.target.security != Security::None {
            self.wire.rec.note(Stage::Auth, "not sending credentials over an unencrypted connection");
            return Err(Stopped);
        }
        let password = creds.password.as_ref();
        let token = creds.token.as_ref();
        let missing = |what: &str| format!("AUTH {mechanism} needs a {what}, none was given");
        let reply = match &mechanism {
            SaslMechanism::Plain | SaslMechanism::Login if password.is_none() => {
                self.wire.rec.note(Stage::Auth, missing("password"));
                return Err(Stopped);
            }
            SaslMechanism::XOAuth2 | SaslMechanism::OAuthBearer if token.is_none() => {
                self.wire.rec.note(Stage::Auth, missing("token"));
                return Err(Stopped);
            }
            SaslMechanism::Plain => {
                let password = password.ok_or(Stopped)?;
                let initial = Some(plain_initial_response(user, password));
                self.command(Stage::Auth, &Command::Auth { mechanism: mechanism.clone(), initial }).await?
            }
            SaslMechanism::Login => {
                let password = password.ok_or(Stopped)?;
                let mut reply = self
                    .command(Stage::Auth, &Command::Auth { mechanism: mechanism.clone(), initial: None })
                    .await?;
                for step in login_steps(user, password) {
                    if reply.code != 334 {
                        break;
                    }
                    reply = self.command(Stage::Auth, &Command::AuthContinue(step)).await?;
                }
                reply
            }
            SaslMechanism::XOAuth2 | SaslMechanism::OAuthBearer => {
                let token = token.ok_or(Stopped)?;
                let initial = if mechanism == SaslMechanism::XOAuth2 {
                    xoauth2_initial_response(user, token)
                } else {
                    oauthbearer_initial_response(user, &self.target.host, self.target.port, token)
                };
                let reply = self
                    .command(
                        Stage::Auth,
                        &Command::Auth { mechanism: mechanism.clone(), initial: Some(initial) },
                    )
                    .await?;
                if reply.code == 334 {
                    // decoded from the reply as received; the recorder removes any secret in it
                    if let Some(doc) = reply.lines.first().and_then(|l| decode_challenge(l)) {
                        self.wire.rec.note(Stage::Auth, format!("the 334 challenge decodes to: {doc}"));
                    }
                    self.command(Stage::Auth, &Command::AuthContinue(empty_response())).await?
                } else {
                    reply
                }
            }
            other => {
                self.wire.rec.note(Stage::Auth, format!("mailprobe does not speak AUTH {other}"));
                return Err(Stopped);
            }
        };
        if reply.is_positive() { Ok(()) } else { Err(Stopped) }
    }

    async fn envelope(&mut self) -> Result<bool, Stopped> {
        let Some(from) = self.target.from.clone() else {
            self.wire.rec.note(
                Stage::MailFrom,
                "no sender address (--from or an address as --user): MAIL FROM skipped",
            );
            return Ok(false);
        };
        if !self.command(Stage::MailFrom, &Command::MailFrom(from.clone())).await?.is_positive() {
            return Err(Stopped);
        }
        let to = self.target.to.clone().unwrap_or(from);
        if !self.command(Stage::RcptTo, &Command::RcptTo(to)).await?.is_positive() {
            return Err(Stopped);
        }
        Ok(true)
    }

    async fn data(&mut self) -> Result<(), Stopped> {
        let reply = self.command(Stage::Data, &Command::Data).await?;
        if reply.code != 354 {
            return Err(Stopped);
        }
        let message = test_message(self.target);
        self.wire
            .rec
            .push(Stage::Data, EventKind::Sent { line: format!("<test message, {} bytes>", message.len()) });
        self.wire.write_all(Stage::Data, &dot_stuff(&message)).await?;
        let reply = self.read_reply(Stage::Data, "reply to the message").await?;
        if reply.is_positive() { Ok(()) } else { Err(Stopped) }
    }

    /// Ends the session: RSET when an envelope is open and nothing was sent, then QUIT.
    async fn quit(mut self, rset: bool) -> Transcript {
        if rset && self.pipelining {
            return self.rset_and_quit().await;
        }
        if rset {
            let _ = self.command(Stage::Quit, &Command::Rset).await;
        }
        let _ = self.command(Stage::Quit, &Command::Quit).await;
        self.wire.close(Stage::Quit).await
    }
}

impl Session<'_> {
    /// RSET and QUIT in one write, as RFC 2920 allows a server that offers PIPELINING: one round
    /// trip instead of two. Each command is recorded just before its reply is read, so that the
    /// transcript pairs them as it does one at a time (the knowledge base reads a reply with the
    /// command before it); only the QUIT line's time is later than the moment its bytes left.
    async fn rset_and_quit(mut self) -> Transcript {
        self.wire.rec.push(Stage::Quit, EventKind::Sent { line: Command::Rset.shown() });
        let mut both = Command::Rset.to_wire();
        both.extend_from_slice(&Command::Quit.to_wire());
        if self.wire.write_all(Stage::Quit, &both).await.is_ok() {
            let rset = self.read_reply(Stage::Quit, "reply to RSET").await;
            self.wire.rec.push(Stage::Quit, EventKind::Sent { line: Command::Quit.shown() });
            if rset.is_ok() {
                let _ = self.read_reply(Stage::Quit, "reply to QUIT").await;
            }
        }
        self.wire.close(Stage::Quit).await
    }
}

fn none_if_empty(s: &str) -> &str {
    if s.is_empty() { "none" } else { s }
}

/// The short test message `--send` sends.
fn test_message(target: &SmtpTarget) -> String {
    let from = target.from.as_deref().unwrap_or("");
    let to = target.to.as_deref().unwrap_or(from);
    let now = time::OffsetDateTime::now_utc();
    let date = now.format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
    let domain = from.rsplit_once('@').map_or("mailprobe.invalid", |(_, d)| d);
    let id = format!("{}.{}@{domain}", now.unix_timestamp_nanos(), std::process::id());
    format!(
        "Date: {date}\r\nMessage-ID: <mailprobe.{id}>\r\nFrom: <{from}>\r\nTo: <{to}>\r\nSubject: mailprobe test\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         This is a test message sent by mailprobe to check that mail can be sent\r\n\
         through {}:{}. No reply is needed; you can delete it.\r\n",
        target.host, target.port
    )
}

/// Runs one SMTP probe and returns its transcript.
pub async fn probe_smtp(env: &ProbeEnv, target: &SmtpTarget, role: Role, depth: Depth) -> Transcript {
    let endpoint = Endpoint { host: target.host.clone(), port: target.port, security: target.security };
    let mut rec = Recorder::new(Protocol::Smtp, role, endpoint);
    rec.guard_credentials(&target.credentials);
    let Ok(stream) = open(&mut rec, env, &target.host, target.port, &target.connect_to).await else {
        return rec.transcript;
    };
    let mut session = Session {
        wire: Wire::new(stream, rec, env.timeout),
        parser: ReplyParser::new(),
        target,
        pipelining: false,
    };
    let outcome = run_session(&mut session, env, depth).await;
    match outcome {
        Ok(envelope_open) => session.quit(envelope_open && !target.send).await,
        // After a failed step, still say goodbye when the connection is usable, so the server
        // logs a clean session end; a dead connection just closes.
        Err(Stopped) if session.wire.connection_usable() => session.quit(false).await,
        Err(Stopped) => session.wire.close(Stage::Quit).await,
    }
}

async fn run_session(session: &mut Session<'_>, env: &ProbeEnv, depth: Depth) -> Result<bool, Stopped> {
    let target = session.target;
    if target.security == Security::Tls {
        session.wire.handshake(&env.trust, &target.tls_name()).await?;
    }
    let banner = session.read_reply(Stage::Banner, "banner").await?;
    if banner.code != 220 {
        return Err(Stopped);
    }
    let mut caps = session.ehlo().await?;
    if target.security == Security::Starttls {
        if !caps.starttls {
            session.wire.rec.note(
                Stage::Tls,
                "the server did not offer STARTTLS; stopping before any credential is sent",
            );
            return Err(Stopped);
        }
        session.starttls(env).await?;
        caps = session.ehlo().await?;
    }
    if depth == Depth::Handshake {
        return Ok(false);
    }
    session.authenticate(&caps).await?;
    let envelope_open = session.envelope().await?;
    if envelope_open && target.send {
        session.data().await?;
    }
    Ok(envelope_open)
}
