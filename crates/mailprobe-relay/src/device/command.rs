//! One SMTP command line from a device, parsed: the verb, and for MAIL and RCPT the address and
//! the parameters the relay advertises (SIZE, BODY). No I/O; the line comes without its ending.
//!
//! Addresses are taken the way Postfix takes them with `strict_rfc821_envelopes = no`, because
//! devices are sloppy: a space after the colon, no angle brackets, a source route. What is
//! refused is what could break the spool or a header: control characters, 8-bit bytes (SMTPUTF8
//! is not offered), spaces outside quotes, an address longer than RFC 5321's 254 octets.

/// The longest address taken (RFC 5321 §4.5.3.1.3: a path is at most 256 octets with `<>`).
pub(crate) const MAX_ADDRESS: usize = 254;

/// A SASL mechanism the relay offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mechanism {
    /// RFC 4616: `authzid NUL authcid NUL password`, base64.
    Plain,
    /// The de facto LOGIN: user name and password, each base64 after a prompt.
    Login,
}

impl Mechanism {
    /// The name as written in AUTH and in logs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
        }
    }
}

/// A parsed command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// `HELO name`.
    Helo(String),
    /// `EHLO name`.
    Ehlo(String),
    /// `MAIL FROM:<address> [SIZE=n] [BODY=...]`; `from` is empty for the null sender.
    Mail {
        /// The address, without brackets or source route.
        from: String,
        /// The SIZE the client declared.
        size: Option<u64>,
    },
    /// `RCPT TO:<address>`.
    Rcpt {
        /// The address, without brackets or source route.
        to: String,
    },
    /// `DATA`.
    Data,
    /// `RSET`.
    Rset,
    /// `NOOP`.
    Noop,
    /// `QUIT`.
    Quit,
    /// `STARTTLS`.
    StartTls,
    /// `AUTH mechanism [initial-response]`.
    Auth {
        /// The mechanism, when it is one the relay offers.
        mechanism: Option<Mechanism>,
        /// The initial response, as sent (base64, or `=` for an empty one).
        initial: Option<String>,
    },
    /// `VRFY`/`EXPN`: answered without revealing anything.
    Vrfy,
    /// `HELP`.
    Help,
}

/// Why a line is not a command the relay can act on, with the reply it gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Unknown verb: `500 5.5.2`.
    Unrecognized,
    /// A known verb with bad arguments: `501 5.5.4`.
    Syntax(&'static str),
    /// A bad sender address: `501 5.1.7`.
    BadSender,
    /// A bad recipient address: `501 5.1.3`.
    BadRecipient,
    /// A MAIL or RCPT parameter the relay did not offer: `555 5.5.4`.
    UnknownParameter,
}

impl Refusal {
    /// The reply line for this refusal.
    pub(crate) fn reply(self) -> String {
        match self {
            Self::Unrecognized => "500 5.5.2 Error: command not recognized".to_owned(),
            Self::Syntax(what) => format!("501 5.5.4 Syntax: {what}"),
            Self::BadSender => "501 5.1.7 Bad sender address syntax".to_owned(),
            Self::BadRecipient => "501 5.1.3 Bad recipient address syntax".to_owned(),
            Self::UnknownParameter => "555 5.5.4 Unsupported option".to_owned(),
        }
    }
}

/// The verb of a line, upper-cased, for logs and counters (`AUTH`, `MAIL`), or `None`.
pub(crate) fn verb(line: &[u8]) -> Option<String> {
    let end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let word = &line[..end];
    (!word.is_empty() && word.len() <= 10 && word.iter().all(u8::is_ascii_alphabetic))
        .then(|| String::from_utf8_lossy(word).to_ascii_uppercase())
}

/// Parses one command line (without its line ending).
pub(crate) fn parse(line: &[u8]) -> Result<Command, Refusal> {
    let Some(verb) = verb(line) else { return Err(Refusal::Unrecognized) };
    let rest = &line[verb.len()..];
    // Arguments are after one space; some clients send trailing spaces, which mean nothing.
    let arg = trim(rest);
    match verb.as_str() {
        "HELO" | "EHLO" => {
            if arg.is_empty() {
                return Err(Refusal::Syntax(if verb == "HELO" { "HELO hostname" } else { "EHLO hostname" }));
            }
            // The name is only shown (logs, Received:): any bytes, made printable later.
            let name = String::from_utf8_lossy(arg).into_owned();
            Ok(if verb == "HELO" { Command::Helo(name) } else { Command::Ehlo(name) })
        }
        "MAIL" => {
            let tail = strip_keyword(arg, b"FROM:").ok_or(Refusal::Syntax("MAIL FROM:<address>"))?;
            let (from, params) = address(tail, true).ok_or(Refusal::BadSender)?;
            let mut size = None;
            for param in params.split(|&b| b == b' ').filter(|p| !p.is_empty()) {
                let (key, value) = match param.iter().position(|&b| b == b'=') {
                    Some(i) => (&param[..i], Some(&param[i + 1..])),
                    None => (param, None),
                };
                match (key.to_ascii_uppercase().as_slice(), value) {
                    (b"SIZE", Some(v)) => {
                        let text = std::str::from_utf8(v).ok().filter(|t| {
                            !t.is_empty() && t.len() <= 20 && t.bytes().all(|b| b.is_ascii_digit())
                        });
                        size = Some(
                            text.and_then(|t| t.parse::<u64>().ok()).ok_or(Refusal::Syntax("SIZE=number"))?,
                        );
                    }
                    (b"BODY", Some(v))
                        if v.eq_ignore_ascii_case(b"7BIT") || v.eq_ignore_ascii_case(b"8BITMIME") => {}
                    // RFC 4954 §5: the AUTH parameter may be ignored by a server that does not
                    // trust the client to assert identities; the relay never does.
                    (b"AUTH", Some(_)) => {}
                    _ => return Err(Refusal::UnknownParameter),
                }
            }
            Ok(Command::Mail { from, size })
        }
        "RCPT" => {
            let tail = strip_keyword(arg, b"TO:").ok_or(Refusal::Syntax("RCPT TO:<address>"))?;
            let (to, params) = address(tail, false).ok_or(Refusal::BadRecipient)?;
            if params.iter().any(|&b| b != b' ') {
                return Err(Refusal::UnknownParameter);
            }
            Ok(Command::Rcpt { to })
        }
        "DATA" | "RSET" | "NOOP" | "QUIT" | "STARTTLS" | "HELP" => {
            // NOOP and HELP may carry an argument (RFC 5321 §4.1.1.9, §4.1.1.8); the others may not.
            if !arg.is_empty() && !matches!(verb.as_str(), "NOOP" | "HELP") {
                return Err(Refusal::Syntax("no arguments"));
            }
            Ok(match verb.as_str() {
                "DATA" => Command::Data,
                "RSET" => Command::Rset,
                "NOOP" => Command::Noop,
                "QUIT" => Command::Quit,
                "STARTTLS" => Command::StartTls,
                _ => Command::Help,
            })
        }
        "VRFY" | "EXPN" => Ok(Command::Vrfy),
        "AUTH" => {
            let mut words = arg.split(|&b| b == b' ').filter(|w| !w.is_empty());
            let name = words.next().ok_or(Refusal::Syntax("AUTH mechanism"))?;
            let initial = words.next();
            if words.next().is_some() {
                return Err(Refusal::Syntax("AUTH mechanism [initial-response]"));
            }
            let mechanism = if name.eq_ignore_ascii_case(b"PLAIN") {
                Some(Mechanism::Plain)
            } else if name.eq_ignore_ascii_case(b"LOGIN") {
                Some(Mechanism::Login)
            } else {
                None
            };
            let initial = match initial {
                Some(text) if text.iter().all(|b| b.is_ascii_graphic()) => {
                    Some(String::from_utf8_lossy(text).into_owned())
                }
                Some(_) => return Err(Refusal::Syntax("initial response in base64")),
                None => None,
            };
            Ok(Command::Auth { mechanism, initial })
        }
        _ => Err(Refusal::Unrecognized),
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

/// `FROM:` or `TO:`, case-insensitive, with optional spaces after the colon (Outlook, printers).
fn strip_keyword<'a>(arg: &'a [u8], keyword: &[u8]) -> Option<&'a [u8]> {
    let head = arg.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword).then(|| trim(&arg[keyword.len()..]))
}

/// Reads the address at the start of `text` (`<a@b>`, `a@b`, `<>` when `null_ok`) and returns
/// it with the rest of the line (the parameters).
fn address(text: &[u8], null_ok: bool) -> Option<(String, &[u8])> {
    let (inner, rest) = if text.first() == Some(&b'<') {
        // The closing bracket: the first `>` outside a quoted string.
        let mut quoted = false;
        let mut escaped = false;
        let mut close = None;
        for (i, &b) in text.iter().enumerate().skip(1) {
            match b {
                _ if escaped => escaped = false,
                b'\\' if quoted => escaped = true,
                b'"' => quoted = !quoted,
                b'>' if !quoted => {
                    close = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let close = close?;
        (&text[1..close], &text[close + 1..])
    } else {
        let end = text.iter().position(|&b| b == b' ').unwrap_or(text.len());
        (&text[..end], &text[end..])
    };
    if !rest.is_empty() && rest[0] != b' ' {
        return None;
    }
    // A source route (`@a,@b:user@c`) is obsolete; RFC 5321 §C says to ignore it.
    let inner = if inner.first() == Some(&b'@') {
        &inner[inner.iter().position(|&b| b == b':')? + 1..]
    } else {
        inner
    };
    if inner.is_empty() {
        return null_ok.then(|| (String::new(), rest));
    }
    if inner.len() > MAX_ADDRESS || !valid_mailbox(inner) {
        return None;
    }
    Some((String::from_utf8(inner.to_vec()).ok()?, rest))
}

/// `local@domain` in printable ASCII: spaces only inside a quoted local part, one `@` outside
/// quotes, a domain that is a name or an address literal.
fn valid_mailbox(address: &[u8]) -> bool {
    if !address.iter().all(|&b| b.is_ascii_graphic() || b == b' ') {
        return false;
    }
    let mut quoted = false;
    let mut escaped = false;
    let mut at = None;
    for (i, &b) in address.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b' ' if !quoted => return false,
            b'@' if !quoted => at = Some(i),
            _ => {}
        }
    }
    let Some(at) = at else { return false };
    let (local, domain) = (&address[..at], &address[at + 1..]);
    if quoted || local.is_empty() || domain.is_empty() {
        return false;
    }
    if domain.first() == Some(&b'[') {
        return domain.last() == Some(&b']');
    }
    domain
        .split(|&b| b == b'.')
        .all(|label| !label.is_empty() && label.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_and_rcpt_take_the_forms_devices_send() {
        assert_eq!(
            parse(b"MAIL FROM:<scan@example.test> SIZE=1234 BODY=8BITMIME"),
            Ok(Command::Mail { from: "scan@example.test".into(), size: Some(1234) })
        );
        assert_eq!(
            parse(b"mail from: scan@example.test"),
            Ok(Command::Mail { from: "scan@example.test".into(), size: None })
        );
        assert_eq!(parse(b"MAIL FROM:<>"), Ok(Command::Mail { from: String::new(), size: None }));
        assert_eq!(
            parse(b"RCPT TO:<@relay.test:bob@example.test>"),
            Ok(Command::Rcpt { to: "bob@example.test".into() })
        );
        assert_eq!(
            parse(b"RCPT TO:<\"j doe\"@example.test>"),
            Ok(Command::Rcpt { to: "\"j doe\"@example.test".into() })
        );
        assert_eq!(parse(b"RCPT TO:<>"), Err(Refusal::BadRecipient));
        assert_eq!(parse(b"RCPT TO:<bob>"), Err(Refusal::BadRecipient));
        assert_eq!(parse(b"RCPT TO:<bob@example.test> NOTIFY=NEVER"), Err(Refusal::UnknownParameter));
        assert_eq!(parse(b"MAIL FROM:<a@b> SIZE=12x"), Err(Refusal::Syntax("SIZE=number")));
        assert_eq!(parse(b"MAIL FROM:<a@b> SMTPUTF8"), Err(Refusal::UnknownParameter));
        assert_eq!(parse(b"MAIL TO:<a@b>"), Err(Refusal::Syntax("MAIL FROM:<address>")));
    }

    #[test]
    fn addresses_that_could_break_a_header_are_refused() {
        assert_eq!(parse(b"MAIL FROM:<a b@example.test>"), Err(Refusal::BadSender));
        assert_eq!(parse(b"MAIL FROM:<a\rb@example.test>"), Err(Refusal::BadSender));
        assert_eq!(parse("MAIL FROM:<jos\u{e9}@example.test>".as_bytes()), Err(Refusal::BadSender));
        assert_eq!(parse(b"MAIL FROM:<a@example.test>x"), Err(Refusal::BadSender));
        let long = format!("MAIL FROM:<{}@example.test>", "a".repeat(250));
        assert_eq!(parse(long.as_bytes()), Err(Refusal::BadSender));
    }

    #[test]
    fn auth_keeps_its_mechanism_and_initial_response() {
        assert_eq!(
            parse(b"AUTH LOGIN dXNlcg=="),
            Ok(Command::Auth { mechanism: Some(Mechanism::Login), initial: Some("dXNlcg==".into()) })
        );
        assert_eq!(
            parse(b"auth plain"),
            Ok(Command::Auth { mechanism: Some(Mechanism::Plain), initial: None })
        );
        assert_eq!(parse(b"AUTH CRAM-MD5"), Ok(Command::Auth { mechanism: None, initial: None }));
        assert_eq!(parse(b"AUTH"), Err(Refusal::Syntax("AUTH mechanism")));
    }

    #[test]
    fn verbs_and_their_arguments() {
        assert_eq!(parse(b"EHLO printer.lan  "), Ok(Command::Ehlo("printer.lan".into())));
        assert_eq!(parse(b"HELO"), Err(Refusal::Syntax("HELO hostname")));
        assert_eq!(parse(b"NOOP anything"), Ok(Command::Noop));
        assert_eq!(parse(b"DATA now"), Err(Refusal::Syntax("no arguments")));
        assert_eq!(parse(b"STARTTLS"), Ok(Command::StartTls));
        assert_eq!(parse(b"BDAT 10 LAST"), Err(Refusal::Unrecognized));
        assert_eq!(parse(b"\x16\x03\x01\x02"), Err(Refusal::Unrecognized));
        assert_eq!(parse(b""), Err(Refusal::Unrecognized));
    }
}
