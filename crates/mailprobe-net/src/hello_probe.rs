//! Hand-made ClientHellos offering one TLS version (after STARTTLS when the mode asks for it),
//! and the server's first answer: a ServerHello (accepted) or an alert (refused). Serves
//! `--client-tls-max` (would a client that speaks at most TLS 1.0 get through?) and the versions
//! scan (`--tls-scan`: which of TLS 1.0 to 1.3 does the server accept?), as testssl.sh's socket
//! mode does: no full handshake is needed to know the answer.

use mailprobe_proto::{
    Command, Endpoint, EventKind, HelloAnswer, Protocol, ReplyError, ReplyParser, Role, Security, Stage,
    TlsFailure, TlsVersion, Transcript, alert_name, client_hello, read_hello_answer,
};

use crate::connect::open;
use crate::wire::{Recorder, Stopped, Wire};
use crate::{ProbeEnv, SmtpTarget};

/// Probes whether `target` accepts a handshake from a client capped at `max`.
pub async fn probe_client_tls(env: &ProbeEnv, target: &SmtpTarget, max: TlsVersion) -> Transcript {
    probe_hello(env, target, max, Role::ClientTlsCheck).await
}

/// Which of TLS 1.0, 1.1, 1.2 and 1.3 `target` accepts: four probes at once, one transcript each
/// (read them back with `mailprobe_proto::tls_versions`).
pub async fn scan_tls_versions(env: &ProbeEnv, target: &SmtpTarget) -> Vec<Transcript> {
    let (v10, v11, v12, v13) = tokio::join!(
        probe_hello(env, target, TlsVersion::Tls10, Role::TlsScan),
        probe_hello(env, target, TlsVersion::Tls11, Role::TlsScan),
        probe_hello(env, target, TlsVersion::Tls12, Role::TlsScan),
        probe_hello(env, target, TlsVersion::Tls13, Role::TlsScan),
    );
    vec![v10, v11, v12, v13]
}

/// One hand-made ClientHello offering at most `max`. The transcript always ends up with one
/// `HelloAnswered` event, with neither an accepted version nor a refusal when the probe stopped
/// before the server answered.
async fn probe_hello(env: &ProbeEnv, target: &SmtpTarget, max: TlsVersion, role: Role) -> Transcript {
    let endpoint = Endpoint { host: target.host.clone(), port: target.port, security: target.security };
    let mut rec = Recorder::new(Protocol::Smtp, role, endpoint);
    let transcript = match open(&mut rec, env, &target.host, target.port, &target.connect_to).await {
        Ok(stream) => {
            let mut wire = Wire::new(stream, rec, env.timeout);
            if let Err(Stopped) = run(&mut wire, target, max).await
                && role == Role::ClientTlsCheck
            {
                record_refusal(&mut wire.rec, max);
            }
            wire.close(Stage::Quit).await
        }
        Err(Stopped) => rec.transcript,
    };
    let mut transcript = transcript;
    if !transcript.events.iter().any(|e| matches!(e.kind, EventKind::HelloAnswered { .. })) {
        let at_ms = transcript.events.last().map_or(0, |e| e.at_ms);
        let unanswered = EventKind::HelloAnswered { offered: max, accepted: None, refused: None };
        transcript.push(at_ms, Stage::Tls, unanswered);
    }
    transcript
}

/// For the client check, a refusal is also a TLS failure the knowledge base reads.
fn record_refusal(rec: &mut Recorder, max: TlsVersion) {
    let refused = rec.transcript.events.iter().find_map(|e| match &e.kind {
        EventKind::HelloAnswered { refused: Some(how), .. } => Some(how.clone()),
        _ => None,
    });
    let Some(how) = refused else { return };
    let failure = if how.contains("protocol_version") {
        TlsFailure::ProtocolVersion
    } else if how.starts_with("alert") {
        TlsFailure::HandshakeRejected
    } else {
        TlsFailure::ConnectionLost
    };
    let detail = format!("the server refused a client capped at {max}: {how}");
    rec.push(Stage::Tls, EventKind::TlsFailed { failure, detail, certificates: vec![] });
}

async fn read_reply(wire: &mut Wire, parser: &mut ReplyParser, stage: Stage) -> Result<u16, Stopped> {
    loop {
        match parser.next_reply() {
            Ok(Some(reply)) => {
                let code = reply.code;
                wire.rec.push(stage, EventKind::Received { reply });
                return Ok(code);
            }
            Ok(None) => {}
            Err(ReplyError::NotSmtp { preview, looks_like }) => {
                wire.rec.push(stage, EventKind::Unexpected { preview, looks_like });
                return Err(Stopped);
            }
        }
        let bytes = wire.read_some(stage, "reply").await?;
        parser.feed(bytes);
    }
}

async fn send(
    wire: &mut Wire,
    parser: &mut ReplyParser,
    stage: Stage,
    command: Command,
) -> Result<u16, Stopped> {
    wire.rec.push(stage, EventKind::Sent { line: command.shown() });
    wire.write_all(stage, &command.to_wire()).await?;
    read_reply(wire, parser, stage).await
}

async fn run(wire: &mut Wire, target: &SmtpTarget, max: TlsVersion) -> Result<(), Stopped> {
    if target.security == Security::Starttls {
        let mut parser = ReplyParser::new();
        if read_reply(wire, &mut parser, Stage::Banner).await? != 220 {
            return Err(Stopped);
        }
        let name = target.ehlo_name.clone().unwrap_or_else(|| wire.local_literal());
        if send(wire, &mut parser, Stage::Ehlo, Command::Ehlo(name)).await? != 250 {
            return Err(Stopped);
        }
        if send(wire, &mut parser, Stage::Tls, Command::StartTls).await? != 220 {
            return Err(Stopped);
        }
    }
    let tls_name = target.tls_name();
    wire.rec.push(Stage::Tls, EventKind::TlsStarted { server_name: tls_name.clone() });
    let random = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ (std::process::id() as u8));
    wire.rec.push(Stage::Tls, EventKind::Sent { line: format!("<ClientHello offering at most {max}>") });
    wire.write_all(Stage::Tls, &client_hello(max, Some(&tls_name), random)).await?;
    let answered = |accepted, refused| EventKind::HelloAnswered { offered: max, accepted, refused };
    let mut received = Vec::new();
    loop {
        match read_hello_answer(&received) {
            HelloAnswer::Incomplete if received.len() < 4096 => {}
            HelloAnswer::Incomplete => return Err(Stopped),
            HelloAnswer::Accepted(version) => {
                wire.rec.push(Stage::Tls, answered(Some(version), None));
                return Ok(());
            }
            HelloAnswer::OddVersion([a, b]) => {
                let how = format!("answered with an unknown version 0x{a:02x}{b:02x}");
                wire.rec.push(Stage::Tls, answered(None, Some(how)));
                return Err(Stopped);
            }
            HelloAnswer::Alert { description, .. } => {
                let how = format!("alert {} ({description})", alert_name(description));
                wire.rec.push(Stage::Tls, answered(None, Some(how)));
                return Err(Stopped);
            }
            HelloAnswer::NotTls => {
                let detail = format!(
                    "the server did not answer the {max} ClientHello with TLS: {}",
                    mailprobe_proto::preview_bytes(&received, 48)
                );
                wire.rec.push(
                    Stage::Tls,
                    EventKind::TlsFailed { failure: TlsFailure::NotTls, detail, certificates: vec![] },
                );
                return Err(Stopped);
            }
        }
        match wire.read_some(Stage::Tls, "ServerHello").await {
            Ok(bytes) => received.extend_from_slice(bytes),
            Err(Stopped) => {
                // A server that hangs up instead of sending an alert refuses too (some stacks
                // just close on versions they do not speak).
                let closed = wire
                    .rec
                    .transcript
                    .events
                    .last()
                    .is_some_and(|e| matches!(e.kind, EventKind::Closed { .. }));
                if closed {
                    wire.rec.push(Stage::Tls, answered(None, Some("closed the connection".into())));
                }
                return Err(Stopped);
            }
        }
    }
}
