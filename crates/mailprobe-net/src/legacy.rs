//! `--client-tls-max`: would a client that speaks at most TLS 1.0 / 1.1 / 1.2 get through? A
//! hand-made ClientHello capped at that version (after STARTTLS when the mode asks for it), and
//! the server's first answer: a ServerHello (accepted) or an alert (refused).

use mailprobe_proto::{
    Command, Endpoint, EventKind, HelloAnswer, Protocol, ReplyError, ReplyParser, Role, Security, Stage,
    TlsFailure, TlsVersion, Transcript, alert_name, client_hello, read_hello_answer,
};

use crate::connect::open;
use crate::wire::{Recorder, Stopped, Wire};
use crate::{ProbeEnv, SmtpTarget};

/// Probes whether `target` accepts a handshake from a client capped at `max`.
pub async fn probe_client_tls(env: &ProbeEnv, target: &SmtpTarget, max: TlsVersion) -> Transcript {
    let endpoint = Endpoint { host: target.host.clone(), port: target.port, security: target.security };
    let mut rec = Recorder::new(Protocol::Smtp, Role::ClientTlsCheck, endpoint);
    let Ok(stream) = open(&mut rec, env, &target.host, target.port, &target.connect_to).await else {
        return rec.transcript;
    };
    let mut wire = Wire::new(stream, rec, env.timeout);
    let _ = run(&mut wire, target, max).await;
    wire.close(Stage::Quit).await
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
    wire.rec.note(Stage::Tls, format!("checking as a client that speaks at most {max}"));
    wire.rec.push(Stage::Tls, EventKind::TlsStarted { server_name: tls_name.clone() });
    let random = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ (std::process::id() as u8));
    let hello = client_hello(max, Some(&tls_name), random);
    wire.rec.push(Stage::Tls, EventKind::Sent { line: format!("<ClientHello offering at most {max}>") });
    wire.write_all(Stage::Tls, &hello).await?;
    let mut received = Vec::new();
    loop {
        match read_hello_answer(&received) {
            HelloAnswer::Incomplete => {}
            HelloAnswer::Accepted(version) => {
                wire.rec.note(Stage::Tls, format!("the server accepted {version} (ServerHello)"));
                return Ok(());
            }
            HelloAnswer::OddVersion([a, b]) => {
                wire.rec.note(
                    Stage::Tls,
                    format!("the server answered with an unknown version 0x{a:02x}{b:02x}"),
                );
                return Ok(());
            }
            HelloAnswer::Alert { description, .. } => {
                let failure = if description == 70 {
                    TlsFailure::ProtocolVersion
                } else {
                    TlsFailure::HandshakeRejected
                };
                let detail = format!(
                    "the server refused a client capped at {max}: alert {} ({description})",
                    alert_name(description)
                );
                wire.rec.push(Stage::Tls, EventKind::TlsFailed { failure, detail, certificates: vec![] });
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
            Ok(bytes) => received.extend_from_slice(&bytes[..bytes.len().min(4096)]),
            Err(Stopped) => {
                // A server that closes or resets instead of sending an alert refuses too (some
                // stacks just hang up on versions they do not speak).
                let closed = wire
                    .rec
                    .transcript
                    .events
                    .last()
                    .is_some_and(|e| matches!(e.kind, EventKind::Closed { .. }));
                if closed {
                    wire.rec.push(
                        Stage::Tls,
                        EventKind::TlsFailed {
                            failure: TlsFailure::ConnectionLost,
                            detail: format!("the server closed the connection on a client capped at {max}"),
                            certificates: vec![],
                        },
                    );
                }
                return Err(Stopped);
            }
        }
        if received.len() >= 4096 {
            return Err(Stopped);
        }
    }
}
