//! The IMAP subset mailprobe needs: greeting, CAPABILITY, STARTTLS, LOGIN / AUTHENTICATE PLAIN,
//! LOGOUT (RFC 9051 / 3501).

use crate::Secret;

/// The longest IMAP line kept.
pub const MAX_IMAP_LINE: usize = 8192;

/// The status of a tagged or untagged status response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImapStatus {
    /// `OK`.
    Ok,
    /// `NO`: the command failed (bad credentials, for LOGIN).
    No,
    /// `BAD`: the command was not understood.
    Bad,
    /// `BYE`: the server is closing.
    Bye,
    /// `PREAUTH`: already authenticated.
    PreAuth,
}

/// One parsed IMAP response line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImapResponse {
    /// `* STATUS [CODE] text` (the greeting is one).
    Untagged {
        /// The status, if the line is a status response.
        status: Option<ImapStatus>,
        /// The bracketed response code (`CAPABILITY IMAP4rev1 ...`), if any.
        code: Option<String>,
        /// The rest of the line.
        text: String,
    },
    /// `tag STATUS [CODE] text`.
    Tagged {
        /// The command's tag.
        tag: String,
        /// Its status.
        status: ImapStatus,
        /// The bracketed response code (`AUTHENTICATIONFAILED`), if any.
        code: Option<String>,
        /// The rest of the line.
        text: String,
    },
    /// `+ text`: the server waits for more.
    Continuation(String),
}

fn parse_status(word: &str) -> Option<ImapStatus> {
    Some(match word.to_ascii_uppercase().as_str() {
        "OK" => ImapStatus::Ok,
        "NO" => ImapStatus::No,
        "BAD" => ImapStatus::Bad,
        "BYE" => ImapStatus::Bye,
        "PREAUTH" => ImapStatus::PreAuth,
        _ => return None,
    })
}

/// Splits `[CODE] text` into the code and the text.
fn split_code(rest: &str) -> (Option<String>, String) {
    if let Some(inner) = rest.strip_prefix('[')
        && let Some(end) = inner.find(']')
    {
        return (Some(inner[..end].to_owned()), inner[end + 1..].trim_start().to_owned());
    }
    (None, rest.to_owned())
}

impl ImapResponse {
    /// Parses one line (without CRLF). Returns `None` for a line that is not IMAP.
    pub fn parse(line: &str) -> Option<Self> {
        if let Some(rest) = line.strip_prefix('+') {
            return Some(Self::Continuation(rest.trim_start().to_owned()));
        }
        let (tag, rest) = line.split_once(' ')?;
        let (word, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        let status = parse_status(word);
        if tag == "*" {
            let (code, text) = match status {
                Some(_) => split_code(rest),
                // `* CAPABILITY IMAP4rev1 ...`: keep the keyword as the code.
                None => (Some(format!("{word} {rest}").trim_end().to_owned()), String::new()),
            };
            return Some(Self::Untagged { status, code, text });
        }
        if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_graphic() && b != b'+') {
            return None;
        }
        let (code, text) = split_code(rest);
        Some(Self::Tagged { tag: tag.to_owned(), status: status?, code, text })
    }

    /// Capabilities carried by this line (`* CAPABILITY ...` or an `[CAPABILITY ...]` code).
    pub fn capabilities(&self) -> Option<Vec<String>> {
        let code = match self {
            Self::Untagged { code, .. } | Self::Tagged { code, .. } => code.as_deref()?,
            Self::Continuation(_) => return None,
        };
        let mut words = code.split_ascii_whitespace();
        words
            .next()
            .filter(|w| w.eq_ignore_ascii_case("CAPABILITY"))
            .map(|_| words.map(|w| w.to_ascii_uppercase()).collect())
    }
}

/// Quotes a string for IMAP (`"a\"b"`), or `None` when it cannot be a quoted string (CR, LF or
/// NUL inside; those would need a literal, which no real password needs).
pub fn quote(value: &str) -> Option<String> {
    if value.contains(['\r', '\n', '\0']) {
        return None;
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Some(out)
}

/// A `LOGIN` command: the wire line (secret inside) and the line a transcript shows.
pub fn login_command(tag: &str, user: &str, password: &Secret) -> Option<(Secret, String)> {
    let wire = format!("{tag} LOGIN {} {}\r\n", quote(user)?, quote(password.expose())?);
    let shown = format!("{tag} LOGIN {} <redacted: password>", quote(user)?);
    Some((Secret::new(wire), shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dovecot_lines() {
        let greeting = ImapResponse::parse("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED] Dovecot (Debian) ready.").unwrap();
        let caps = greeting.capabilities().unwrap();
        assert!(caps.contains(&"STARTTLS".to_owned()) && caps.contains(&"LOGINDISABLED".to_owned()));
        let failed = ImapResponse::parse("a2 NO [AUTHENTICATIONFAILED] Authentication failed.").unwrap();
        assert_eq!(
            failed,
            ImapResponse::Tagged {
                tag: "a2".into(),
                status: ImapStatus::No,
                code: Some("AUTHENTICATIONFAILED".into()),
                text: "Authentication failed.".into()
            }
        );
        let caps = ImapResponse::parse("* CAPABILITY IMAP4rev1 AUTH=PLAIN").unwrap().capabilities().unwrap();
        assert_eq!(caps, vec!["IMAP4REV1", "AUTH=PLAIN"]);
        assert_eq!(ImapResponse::parse("+ "), Some(ImapResponse::Continuation(String::new())));
        assert_eq!(ImapResponse::parse("220 smtp ready"), None);
    }

    #[test]
    fn quoting_and_login() {
        assert_eq!(quote(r#"a"b\c"#).unwrap(), r#""a\"b\\c""#);
        assert_eq!(quote("a\r\nb"), None);
        let (wire, shown) = login_command("a1", "u@x", &Secret::new("p\"w")).unwrap();
        assert_eq!(wire.expose(), "a1 LOGIN \"u@x\" \"p\\\"w\"\r\n");
        assert!(!shown.contains("p\\\"w"));
    }
}
