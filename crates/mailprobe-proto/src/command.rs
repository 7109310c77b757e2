//! SMTP commands a client sends, as wire bytes and as the redacted line a transcript shows.

use crate::{SaslMechanism, SaslStep};

/// An SMTP command.
#[derive(Clone, Debug)]
pub enum Command {
    /// `EHLO name`.
    Ehlo(String),
    /// `HELO name`, for servers that refuse EHLO.
    Helo(String),
    /// `STARTTLS`.
    StartTls,
    /// `AUTH mechanism [initial-response]`.
    Auth {
        /// The mechanism.
        mechanism: SaslMechanism,
        /// The initial response, if sent with the command.
        initial: Option<SaslStep>,
    },
    /// A line answering a 334 challenge.
    AuthContinue(SaslStep),
    /// `MAIL FROM:<address>`.
    MailFrom(String),
    /// `RCPT TO:<address>`.
    RcptTo(String),
    /// `DATA`.
    Data,
    /// `RSET`.
    Rset,
    /// `NOOP`.
    Noop,
    /// `QUIT`.
    Quit,
}

impl Command {
    /// The bytes to write, CRLF included. The only place a secret is exposed.
    pub fn to_wire(&self) -> Vec<u8> {
        let line = match self {
            Self::Auth { mechanism, initial: Some(step) } => {
                format!("AUTH {mechanism} {}", step.wire.expose())
            }
            Self::AuthContinue(step) => step.wire.expose().to_owned(),
            other => other.shown(),
        };
        let mut bytes = line.into_bytes();
        bytes.extend_from_slice(b"\r\n");
        bytes
    }

    /// The line as a transcript shows it, with any secret replaced by a description.
    pub fn shown(&self) -> String {
        match self {
            Self::Ehlo(name) => format!("EHLO {name}"),
            Self::Helo(name) => format!("HELO {name}"),
            Self::StartTls => "STARTTLS".into(),
            Self::Auth { mechanism, initial: None } => format!("AUTH {mechanism}"),
            Self::Auth { mechanism, initial: Some(step) } => format!("AUTH {mechanism} {}", step.shown),
            Self::AuthContinue(step) => step.shown.clone(),
            Self::MailFrom(addr) => format!("MAIL FROM:<{addr}>"),
            Self::RcptTo(addr) => format!("RCPT TO:<{addr}>"),
            Self::Data => "DATA".into(),
            Self::Rset => "RSET".into(),
            Self::Noop => "NOOP".into(),
            Self::Quit => "QUIT".into(),
        }
    }
}

/// Escapes a message body for DATA: lines starting with `.` get another, CRLF line ends, and the
/// terminating `.` line (RFC 5321 section 4.5.2).
pub fn dot_stuff(body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 8);
    for line in body.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with('.') {
            out.push(b'.');
        }
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Secret, plain_initial_response};

    #[test]
    fn auth_shows_redacted_and_sends_secret() {
        let cmd = Command::Auth {
            mechanism: SaslMechanism::Plain,
            initial: Some(plain_initial_response("a@b", &Secret::new("pw"))),
        };
        assert_eq!(cmd.shown(), "AUTH PLAIN <redacted: PLAIN user=a@b>");
        assert_eq!(cmd.to_wire(), b"AUTH PLAIN AGFAYgBwdw==\r\n");
    }

    #[test]
    fn dot_stuffing() {
        assert_eq!(dot_stuff("a\n.b\r\nc"), b"a\r\n..b\r\nc\r\n.\r\n");
    }
}
