//! Mail servers' log lines: Postfix (`postfix/smtp[123]: ... said: 550 5.7.1 ... (in reply to
//! RCPT TO command)`, `postfix/smtpd[...]: warning: ...: SASL LOGIN authentication failed: ...`)
//! and Exim (`** x@y R=... T=...: SMTP error from remote mail server after RCPT TO:<...>: 550 ...`).
//! Each line yields what the server (or its remote peer) answered, at the stage its command
//! names; lines about nothing that failed yield nothing.

use std::sync::LazyLock;

use mailprobe_proto::{EventKind, Stage};
use regex::Regex;

use super::{embedded, markers, recognize};

/// What a server log line shows.
// One lives for one line at a time.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Logged {
    /// A reply: code, lines, stage, and whether it was rebuilt from the log's words rather than
    /// quoted (Postfix logs a failed SASL login without the 535 it sent).
    Reply { code: u16, lines: Vec<String>, stage: Option<Stage>, rebuilt: bool },
    /// A failure event at a stage.
    Event(Option<Stage>, EventKind),
    /// A line of this log that shows no failure.
    Nothing,
}

static POSTFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bpostfix(?:-[\w-]+)?/(?:[\w-]+/)*([a-z]+)\[\d+\]:").expect("valid pattern")
});

static SMTPD_REJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\breject: ([A-Z-]+) from [^:]*:\s+(.*?)(?:; from=<|$)").expect("valid pattern")
});

static SMTPD_SASL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"SASL ([A-Z0-9-]+) authentication failed:?\s*(.*)$").expect("valid pattern")
});

static LOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(lost connection|timed out)\b[^()]*?\bwhile (receiving the initial server greeting|performing the EHLO handshake|performing the HELO handshake|sending MAIL FROM|sending RCPT TO|sending message body|sending end of data|receiving the STARTTLS response|performing the TLS handshake|sending AUTH|receiving the AUTH response)")
        .expect("valid pattern")
});

static EXIM_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"SMTP error from remote mail(?:er| server) after (.+?):\s+([245][0-5]\d[ -].*)$")
        .expect("valid pattern")
});

static EXIM_AUTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"authenticator failed for .*?:\s+(5\d\d\s.*)$").expect("valid pattern"));

static EXIM_REJECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(temporarily )?rejected (RCPT <[^>]*>|MAIL <[^>]*>|after DATA):\s+(.*)$")
        .expect("valid pattern")
});

/// Exim refusing a client that spoke before the greeting: `SMTP protocol synchronization error
/// (input sent without waiting for greeting): rejected connection from H=... input="..."`.
static EXIM_SYNC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"SMTP protocol synchronization error \(([^)]*)\).*?(?:input="(.*?)"?\s*$|$)"#)
        .expect("valid pattern")
});

fn is_exim(line: &str) -> bool {
    line.contains("SMTP protocol synchronization error")
        || line.contains("SMTP error from remote mail")
        || line.contains("authenticator failed for")
        || (line.contains(" R=") && line.contains(" T=") && (line.contains(" ** ") || line.contains(" == ")))
        || EXIM_REJECTED.is_match(line) && line.contains(" H=")
}

/// Reads a Postfix or Exim log line. `None`: not such a line.
pub(crate) fn read(line: &str) -> Option<Logged> {
    if let Some(c) = POSTFIX.captures(line) {
        let daemon = c.get(1).map_or("", |m| m.as_str());
        let rest = &line[c.get(0).map_or(0, |m| m.end())..];
        return Some(postfix(daemon, rest));
    }
    if is_exim(line) {
        return Some(exim(line));
    }
    None
}

/// Searchers for where a remote server's reply starts in a delivery line, built once: every
/// failed delivery of a big log is read with them.
static SAID: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("said:"));
static REFUSED: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("refused to talk to me:"));

/// What a remote server said in a Postfix (or Exim) delivery line, `... said: 535 5.7.8 ...
/// (in reply to AUTH command))`: the reply's text and the command it answered. By hand rather
/// than by regex: it runs on every failed delivery of a big log.
pub(crate) fn said(rest: &str) -> Option<(&str, Option<&str>)> {
    let found = |f: &memchr::memmem::Finder<'_>| f.find(rest.as_bytes());
    let at = [found(&SAID).map(|i| (i, 5)), found(&REFUSED).map(|i| (i, 22))].into_iter().flatten().min()?;
    let after = &rest[at.0 + at.1..];
    // at least one space after the colon
    let text = after.strip_prefix(char::is_whitespace)?.trim_start();
    let text = text.trim_end();
    let text = text.strip_suffix(')').unwrap_or(text).trim_end();
    if let Some(inner) = text.strip_suffix(" command)")
        && let Some(open) = inner.rfind("(in reply to ")
        && open + "(in reply to ".len() < inner.len()
    {
        let command = &inner[open + "(in reply to ".len()..];
        return Some((inner[..open].trim_end(), Some(command)));
    }
    Some((text, None))
}

/// A Postfix daemon's message (what follows `postfix/smtp[123]: `) as evidence.
pub(crate) fn postfix(daemon: &str, rest: &str) -> Logged {
    if daemon == "smtpd" || daemon == "submission" || daemon == "smtps" {
        if let Some(c) = SMTPD_REJECT.captures(rest) {
            let stage = match &c[1] {
                "CONNECT" => Some(Stage::Banner),
                "EHLO" | "HELO" => Some(Stage::Ehlo),
                "MAIL" => Some(Stage::MailFrom),
                "RCPT" => Some(Stage::RcptTo),
                "DATA" | "END-OF-MESSAGE" | "BDAT" => Some(Stage::Data),
                "AUTH" => Some(Stage::Auth),
                _ => None,
            };
            return reply(&c[2], stage, false);
        }
        if let Some(c) = SMTPD_SASL.captures(rest) {
            // Postfix answers a failed SASL login with this reply and logs only the reason.
            let reason = c[2].trim();
            let reason = if reason.is_empty() { "(reason unavailable)" } else { reason };
            return Logged::Reply {
                code: 535,
                lines: vec![format!("5.7.8 Error: authentication failed: {reason}")],
                stage: Some(Stage::Auth),
                rebuilt: true,
            };
        }
        if rest.contains("TLS library problem") || rest.contains("SSL_accept error") {
            return event(rest);
        }
        return Logged::Nothing;
    }
    // The client side (smtp, lmtp) and anything else that quotes a peer.
    if let Some((said, command)) = said(rest) {
        let stage = if rest.contains("refused to talk to me") {
            Some(Stage::Banner)
        } else if rest.contains("SASL authentication failed") {
            Some(Stage::Auth)
        } else {
            command.and_then(markers::command_stage)
        };
        return reply(said, stage, false);
    }
    if let Some(c) = LOST.captures(rest) {
        let stage = match &c[2] {
            "receiving the initial server greeting" => Stage::Banner,
            "performing the EHLO handshake" | "performing the HELO handshake" => Stage::Ehlo,
            "sending MAIL FROM" => Stage::MailFrom,
            "sending RCPT TO" => Stage::RcptTo,
            "sending message body" | "sending end of data" => Stage::Data,
            "receiving the STARTTLS response" | "performing the TLS handshake" => Stage::Tls,
            _ => Stage::Auth,
        };
        let kind = if &c[1] == "lost connection" {
            EventKind::Closed { reason: mailprobe_proto::CloseReason::PeerClosed }
        } else {
            let waiting_for = if stage == Stage::Banner { "banner" } else { "reply" };
            EventKind::TimedOut { waiting_for: waiting_for.into(), after_ms: 0 }
        };
        return Logged::Event(Some(stage), kind);
    }
    if rest.contains("status=sent") {
        return Logged::Nothing;
    }
    event(rest)
}

fn exim(line: &str) -> Logged {
    if let Some(c) = EXIM_SYNC.captures(line) {
        let input = c.get(2).map_or("", |m| m.as_str());
        // `\026\003` is a TLS record: the client started TLS on a port that greets in plain
        // text (implicit TLS aimed at a STARTTLS port), which the server saw as early input.
        if input.starts_with("\\026\\003") {
            let kind = EventKind::TlsFailed {
                failure: mailprobe_proto::TlsFailure::NotTls,
                detail: format!("the server read a TLS hello as early SMTP input ({})", &c[1]),
                certificates: Vec::new(),
            };
            return Logged::Event(Some(Stage::Tls), kind);
        }
        // What Exim answers such a client, with the input it logged: an SMTP command sent too
        // early is a client that does not wait; with no input logged, the knowledge base cannot
        // tell that from a TLS hello and lists both.
        let line = if input.is_empty() {
            format!("SMTP synchronization error ({})", &c[1])
        } else {
            format!("SMTP synchronization error ({}) input=\"{input}\"", &c[1])
        };
        return Logged::Reply { code: 554, lines: vec![line], stage: Some(Stage::Banner), rebuilt: true };
    }
    if let Some(c) = EXIM_AFTER.captures(line) {
        let after = &c[1];
        let stage = if after.starts_with("initial connection") {
            Some(Stage::Banner)
        } else {
            markers::command_stage(after)
        };
        return reply(&c[2], stage, false);
    }
    if let Some(c) = EXIM_AUTH.captures(line) {
        return reply(&c[1], Some(Stage::Auth), false);
    }
    if let Some(c) = EXIM_REJECTED.captures(line) {
        let stage = match c[2].as_bytes()[0] {
            b'R' => Stage::RcptTo,
            b'M' => Stage::MailFrom,
            _ => Stage::Data,
        };
        let text = c[3].trim();
        // An ACL `message` may start with its own code (`530 5.7.0 Authentication required`):
        // Exim sends that code and logs the message with it (smtp_in.c, smtp_message_code:
        // only the reply's copy is chopped; a code of the wrong class is logged replaced by the
        // default it sent instead), so a logged code is the one sent, quoted as it is.
        if let Some((code, _, rest)) = markers::reply_line(text) {
            return Logged::Reply { code, lines: vec![rest.to_owned()], stage: Some(stage), rebuilt: false };
        }
        // Otherwise Exim logs only the text; the code it sent goes with it: 550 for a `deny`
        // (`rejected`), 451 for a `defer` (`temporarily rejected`), its ACL defaults.
        return Logged::Reply {
            code: if c.get(1).is_some() { 451 } else { 550 },
            lines: vec![text.to_owned()],
            stage: Some(stage),
            rebuilt: true,
        };
    }
    event(line)
}

/// A quoted reply, possibly flattened onto one line.
fn reply(text: &str, stage: Option<Stage>, rebuilt: bool) -> Logged {
    let text = text.trim();
    if let Some(found) = embedded::find(text, false).filter(|f| f.start == 0 && !f.inferred) {
        return Logged::Reply { code: found.code, lines: found.lines, stage, rebuilt };
    }
    match markers::reply_line(text) {
        Some((code, _, rest)) => Logged::Reply { code, lines: vec![rest.to_owned()], stage, rebuilt },
        None => Logged::Nothing,
    }
}

/// A failure the log line names without a reply (TLS, connection, DNS).
pub(crate) fn event(text: &str) -> Logged {
    match recognize::event(text) {
        Some((stage, kind)) => Logged::Event(stage, kind),
        None => Logged::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exims_synchronization_errors_tell_tls_from_early_commands() {
        let tls = r#"2015-03-17 10:34:16 SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=acp-node [10.7.2.137] input="\026\003\001\002\000\001\000\001\374\003\003""#;
        assert!(matches!(
            read(tls),
            Some(Logged::Event(
                Some(Stage::Tls),
                EventKind::TlsFailed { failure: mailprobe_proto::TlsFailure::NotTls, .. }
            ))
        ));
        let early = r#"2015-12-11 23:19:42 SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=localhost [127.0.0.1] input="MAIL FROM:<a@b.example>\r\n""#;
        assert!(matches!(read(early), Some(Logged::Reply { code: 554, stage: Some(Stage::Banner), .. })));
        // The input goes with the rebuilt reply (an SMTP command: a client that does not wait);
        // without it, the reply says only what Exim logged.
        assert!(r(early).contains("input=\"MAIL FROM:"), "{}", r(early));
        let bare = "SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection";
        assert_eq!(
            r(bare),
            "554 Some(Banner) true SMTP synchronization error (input sent without waiting for greeting)"
        );
    }

    fn r(line: &str) -> String {
        match read(line) {
            Some(Logged::Reply { code, lines, stage, rebuilt }) => {
                format!("{code} {stage:?} {rebuilt} {}", lines.join(" | "))
            }
            Some(Logged::Event(stage, kind)) => match kind {
                EventKind::ConnectFailed { address, failure, .. } => {
                    format!("event {stage:?} connect {failure:?} {address}")
                }
                EventKind::Closed { reason } => format!("event {stage:?} closed {reason:?}"),
                EventKind::TimedOut { waiting_for, .. } => format!("event {stage:?} timeout {waiting_for}"),
                EventKind::TlsFailed { failure, .. } => format!("event {stage:?} tls {failure:?}"),
                other => format!("event {stage:?} {other:?}"),
            },
            Some(Logged::Nothing) => "nothing".into(),
            None => "none".into(),
        }
    }

    #[test]
    fn postfix_client_side() {
        assert_eq!(
            r(
                "Jan 10 12:00:00 mx postfix/smtp[123]: 4F1A: to=<bob@example.net>, relay=mx.example.net[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.net[192.0.2.2] said: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command))"
            ),
            "550 Some(RcptTo) false 5.1.1 <bob@example.net>: Recipient address rejected: User unknown"
        );
        assert_eq!(
            r(
                "Jan 10 12:00:00 mx postfix/smtp[123]: 4F1A: to=<a@b.example>, relay=smtp.gmail.com[142.250.102.108]:587, delay=1, dsn=5.7.8, status=deferred (SASL authentication failed; server smtp.gmail.com[142.250.102.108] said: 535-5.7.8 Username and Password not accepted. Learn more at?535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp)"
            ),
            "535 Some(Auth) false 5.7.8 Username and Password not accepted. Learn more at | 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp"
        );
        assert_eq!(
            r(
                "Jan 10 12:00:00 mx postfix/smtp[9]: connect to smtp.example.net[192.0.2.3]:25: Connection timed out"
            ),
            "event Some(Connect) connect TimedOut 192.0.2.3:25"
        );
        assert_eq!(
            r(
                "postfix/smtp[9]: 4F1A: lost connection with mx.example.net[192.0.2.2] while receiving the initial server greeting"
            ),
            "event Some(Banner) closed PeerClosed"
        );
        assert_eq!(
            r("postfix/smtp[9]: 4F1A: to=<a@b>, relay=x[1.2.3.4]:25, dsn=2.0.0, status=sent (250 2.0.0 OK)"),
            "nothing"
        );
    }

    #[test]
    fn postfix_server_side() {
        assert_eq!(
            r(
                "postfix/smtpd[77]: warning: unknown[192.0.2.9]: SASL LOGIN authentication failed: UGFzc3dvcmQ6"
            ),
            "535 Some(Auth) true 5.7.8 Error: authentication failed: UGFzc3dvcmQ6"
        );
        assert_eq!(
            r(
                "postfix/submission/smtpd[77]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <x@elsewhere.example>: Relay access denied; from=<a@b> to=<x@elsewhere.example> proto=ESMTP helo=<h>"
            ),
            "554 Some(RcptTo) false 5.7.1 <x@elsewhere.example>: Relay access denied"
        );
        assert_eq!(r("postfix/smtpd[77]: connect from unknown[192.0.2.9]"), "nothing");
        assert_eq!(
            r(
                "postfix/smtp[9]: 4F1A: conversation with mx.example.net[192.0.2.2] timed out while receiving the initial server greeting"
            ),
            "event Some(Banner) timeout banner"
        );
    }

    #[test]
    fn exim() {
        assert_eq!(
            r(
                "2024-01-10 12:00:00 1rNXYZ-000ABC-12 ** bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.2]: SMTP error from remote mail server after RCPT TO:<bob@example.net>: 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown"
            ),
            "550 Some(RcptTo) false 5.1.1 <bob@example.net>: Recipient address rejected: User unknown"
        );
        assert_eq!(
            r(
                "2024-01-10 12:00:00 dovecot_login authenticator failed for (localhost) [192.0.2.9]:51234: 535 Incorrect authentication data (set_id=a@b.example)"
            ),
            "535 Some(Auth) false Incorrect authentication data (set_id=a@b.example)"
        );
        assert_eq!(
            r(
                "2024-01-10 12:00:00 1rNXYZ-000ABC-12 == bob@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.2]: SMTP error from remote mail server after end of data: 451 4.7.1 Try again later"
            ),
            "451 Some(Data) false 4.7.1 Try again later"
        );
        assert_eq!(r("just text"), "none");
    }

    /// Exim's ACL refusals (smtp_in.c, smtp_handle_acl_fail: `H=... F=<...> rejected RCPT
    /// <...>: MESSAGE`): a code the message starts with is the one sent, quoted once; without
    /// one, the verdict's default (550 for `deny`, 451 for `defer`).
    #[test]
    fn exim_acl_refusals_keep_their_own_code() {
        assert_eq!(
            r(
                "2026-11-24 10:00:00 [4130] H=(desktop-7) [203.0.113.99]:33001 rejected MAIL <someone@example.org>: 530 5.7.0 Authentication required"
            ),
            "530 Some(MailFrom) false 5.7.0 Authentication required"
        );
        assert_eq!(
            r(
                "2026-11-24 10:00:00 [4130] H=(desktop-7) [203.0.113.99]:33001 F=<someone@example.org> rejected RCPT <friend@elsewhere.example>: relay not permitted"
            ),
            "550 Some(RcptTo) true relay not permitted"
        );
        assert_eq!(
            r(
                "2026-11-24 10:00:00 H=a.example [192.0.2.1] F=<a@b.example> temporarily rejected RCPT <c@d.example>: greylisted"
            ),
            "451 Some(RcptTo) true greylisted"
        );
        assert_eq!(
            r(
                "2026-11-24 10:00:00 H=a.example [192.0.2.1]:5000 F=<a@b.example> rejected after DATA: 550 5.7.1 message looks like spam"
            ),
            "550 Some(Data) false 5.7.1 message looks like spam"
        );
    }
}

#[cfg(test)]
mod said_tests {
    use super::said;

    /// `said` reads what the regex it replaced read.
    #[test]
    fn same_as_the_regex() {
        let re = regex::Regex::new(
            r"(?:said|refused to talk to me):\s+(.*?)\s*(?:\(in reply to (.+?) command\))?\)?\s*$",
        )
        .unwrap();
        for rest in [
            "to=<a@b>, relay=x[1.2.3.4]:25, status=bounced (host x[1.2.3.4] said: 550 5.1.1 no such user (in reply to RCPT TO command))",
            "status=deferred (host x[1.2.3.4] said: 451 4.7.0 try later (in reply to end of DATA command))",
            "status=bounced (host x said: 535 5.7.139 Authentication unsuccessful (in reply to AUTH command))",
            "status=deferred (host x[1.2.3.4] refused to talk to me: 421 4.7.0 too busy)",
            "status=deferred (host x said: 550 blah (foo))",
            "status=deferred (host x said: 550 blah (foo)",
            "said:550 no space",
            "said: ",
            "said:  \t 554 spaced   ",
            "refused to talk to me: 554 x said: 550 y (in reply to MAIL FROM command))",
            "said: 550 a (in reply to  command))",
            "nothing here",
        ] {
            let want = re.captures(rest).map(|c| (c.get(1).unwrap().as_str(), c.get(2).map(|m| m.as_str())));
            assert_eq!(said(rest), want, "{rest}");
        }
    }
}
