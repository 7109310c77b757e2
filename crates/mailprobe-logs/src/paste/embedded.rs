//! Server replies quoted inside other text: a library's exception (`Invalid login: 535-5.7.8
//! ...`), a Python tuple (`(535, b'5.7.8 ...')`), a log line (`said: 550 5.7.1 ...`), .NET's
//! `The server response was: 5.7.57 ...`, or a bare code (`535`, `5.7.60`, `550 5.1.8`).

use std::sync::LazyLock;

use mailprobe_proto::EnhancedCode;
use regex::Regex;

use super::literal;

/// A reply found in text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// The reply code, given or inferred.
    pub code: u16,
    /// The code was not in the text: inferred from the enhanced code or the wording.
    pub inferred: bool,
    /// The reply's lines (text after the code, enhanced code included).
    pub lines: Vec<String>,
    /// The reply ended on this line (`535 ...`, not `535-...`).
    pub last: bool,
    /// Byte offset in the line where the reply starts.
    pub start: usize,
}

/// qmail's text with its enhanced code after it: `Sorry, no mailbox here by that name. (#5.1.1)`.
static QMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:smtp;\s*)?(?:([245][0-5]\d)\s+)?([A-Za-z].{2,300}?)\s*\(#([245]\.\d{1,3}\.\d{1,3})\)$")
        .expect("valid qmail pattern")
});

/// Code and enhanced code together, anywhere: `535-5.7.8`, `550 5.1.8`.
static FULL: LazyLock<Regex> = LazyLock::new(|| {
    // `(?:-\d{1,3})?`: a documented range of codes, `550 5.7.606-649 ...` (Microsoft's NDR pages)
    Regex::new(r"(?:^|[^\w.])([245][0-5]\d)([ -])(\d\.\d{1,3}\.\d{1,3})(?:-\d{1,3})?(?:\s|$|[.,;:)\]])")
        .expect("valid pattern")
});

/// A code after a lead-in: `Error: 535 Incorrect authentication data`, `MailKit: 535: 5.7.139 ...`,
/// `failed: 530`, `error code 535`.
static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)(?:
            :\s+                                                   # `failed: 535`, not `1.2.3.4:250`
          | \b(?:error|code|status|reply|response|smtp|responsecode|message|risposta|antwort|r[ée]ponse|respuesta)\s*(?:code|del\s+server|server)?\s*(?:[:\#=;]|--?)?\s*
        )[\x22'‘’“”]?\(?([245][0-5]\d)\)?(?:(:\s+|[\x20-])(.*))?$",
    )
    .expect("valid pattern")
});

/// An enhanced code after a lead-in: `The server response was: 5.7.57 Client not authenticated`
/// (also without the colon, as some programs print it: `The server response was 5.7.3 ...`).
static ENHANCED_LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?::\s+|\b(?:error|code|status|reply|response)(?:\s+(?:was|is))?\s+)(\d\.\d{1,3}\.\d{1,3})(?:\s|$)",
    )
    .expect("valid pattern")
});

/// A line that starts with an enhanced code and words: a reply quoted without its three-digit
/// code (`5.7.8 Username and Password not accepted`, `4.7.0 Temporary server error...`).
static ENHANCED_FIRST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([245]\.\d{1,3}\.\d{1,3})\s+[A-Za-z]").expect("valid pattern"));

/// A row of Google's "SMTP errors and codes" reference, as users copy it into a question or a
/// bounce notice: `421, "4.7.0", TLS required for RCPT domain, closing connection.`, also without
/// the comma after the enhanced code (`450, "4.2.1" The user you are trying to contact ...`).
static CODE_TABLE_ROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*([245][0-5]\d),\s*["“](\d\.\d{1,3}\.\d{1,3})["”],?\s+(\S.*)$"#).expect("valid pattern")
});

/// PHPMailer's SMTP error with the server's words before its code: `SMTP server error: DATA END
/// command failed Detail: Message would take you over your relay quota SMTP code: 552 Additional
/// SMTP info: 5.7.0` (its setError: error, `Detail:`, `SMTP code:`, `Additional SMTP info:`).
static PHPMAILER_DETAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bdetail:\s*(.*?)\s*\bsmtp code:\s*([245][0-5]\d)\b(?:\s*additional smtp info:\s*(\d\.\d{1,3}\.\d{1,3}))?")
        .expect("valid pattern")
});

/// A Python tuple: `(535, b'...')`.
static PYTHON_TUPLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\((\d{3}),\s*(b?['\x22])").expect("valid pattern"));

/// A server's own later error inside a reply: M365's `530 5.7.57 Client not authenticated to
/// send mail. Error: 535 5.7.139 Authentication unsuccessful, ...`; Exchange's queue reasons
/// quoting the next hop, `451 4.4.0 Primary target IP address responded with: "421 4.4.2 Unable to
/// connect."` (its queue viewer writes `421.4.4.2`); Exchange Online's `[Message=451 5.7.3 ...]`.
static NESTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:\berror:|\bresponded with:?|\[message=)\s*["“”']?([245][0-5]\d)[\s.]+(\d\.\d{1,3}\.\d{1,3})\s+([^"“”\]]*)"#,
    )
    .expect("valid pattern")
});

/// Finds a reply in free text. `loose` also accepts an enhanced code anywhere in the line
/// (without a lead-in), for pasted prose like "I get 5.7.60 from the printer".
pub(crate) fn find(line: &str, loose: bool) -> Option<Found> {
    // "Expected response code 250 but got code 550" (Swift Mailer, Symfony, Laravel): the code
    // the client expected is no reply; masked with same-length text so offsets stay right.
    let masked = mask_expected(line);
    let line = masked.as_deref().unwrap_or(line);
    // Line ends escaped in a log or a JSON string (`...is likely\r\n550-5.7.1 unsolicited`)
    // separate the reply's lines: blanks of the same length keep the offsets right.
    let unescaped = line.contains("\\n").then(|| line.replace("\\r\\n", "    ").replace("\\n", "  "));
    let line = unescaped.as_deref().unwrap_or(line);
    let trimmed = line.trim();
    // A bare code: the whole line.
    if let Some(found) = bare(trimmed) {
        return Some(found);
    }
    // qmail writes the enhanced code last, in brackets: "Sorry, no mailbox here by that name.
    // (#5.1.1)" (qmail-local, qmail-remote and qmail-smtpd's own replies).
    if trimmed.ends_with(')')
        && trimmed.contains("(#")
        && !FULL.is_match(line)
        && let Some(q) = QMAIL.captures(trimmed)
        && let Ok(enhanced) = q[3].parse::<EnhancedCode>()
    {
        let text = q[2].trim();
        let given = q.get(1).and_then(|c| c.as_str().parse::<u16>().ok());
        return Some(Found {
            code: given.unwrap_or_else(|| infer_code(enhanced, text)),
            inferred: given.is_none(),
            lines: vec![format!("{enhanced} {text}")],
            last: true,
            start: line.len() - line.trim_start().len(),
        });
    }
    if let Some(row) = CODE_TABLE_ROW.captures(line) {
        let (code, enhanced, text) = (&row[1], &row[2], row[3].trim_end());
        return Some(Found {
            code: code.parse().ok()?,
            inferred: false,
            lines: vec![format!("{enhanced} {text}")],
            last: true,
            start: row.get(1).map_or(0, |m| m.start()),
        });
    }
    if let Some(m) = PHPMAILER_DETAIL.captures(line)
        && !m[1].is_empty()
    {
        let text = m[1].trim();
        let line = match m.get(3) {
            Some(e) if !text.starts_with(e.as_str()) => format!("{} {text}", e.as_str()),
            _ => text.to_owned(),
        };
        return Some(Found {
            code: m[2].parse().ok()?,
            inferred: false,
            lines: vec![line],
            last: true,
            start: m.get(1).map_or(0, |d| d.start()),
        });
    }
    // The earliest reply in the line wins: .NET's "response was: 5.7.57 ... Error: 535 5.7.139"
    // is a 5.7.57 that quotes a 535 (see [`nested`]).
    let full = FULL.captures(line).and_then(|c| c.get(1)).map(|m| m.start());
    // No SMTP reply is 400 (RFC 5321 has none; 4xx replies are 421, 45x): `status code: 400`,
    // `error (400)` are HTTP statuses or OAuth error documents, not a server's reply.
    let lead_in = LEAD_IN.captures(line).filter(|c| c.get(1).is_some_and(|m| m.as_str() != "400"));
    let lead_in_at = lead_in.as_ref().and_then(|c| c.get(1)).map(|m| m.start());
    let enhanced = ENHANCED_LEAD_IN
        .captures(line)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse::<EnhancedCode>().ok().map(|e| (e, m.start())))
        .or_else(|| {
            // Prose ("Outlook shows 5.7.139 again"), but not a long line where a version
            // number could pass for a code.
            let short = line.split_ascii_whitespace().count() <= 8;
            // RFC 3463 defines subjects 0-7 only: "Monit 5.20.0 started" is a version.
            (loose && short)
                .then(|| EnhancedCode::find_in(line))
                .flatten()
                .filter(|e| e.subject <= 7)
                .and_then(|e| {
                    let s = e.to_string();
                    line.find(&s).map(|at| (e, at))
                })
        })
        .or_else(|| {
            // A line that opens with the enhanced code, however long.
            let m = ENHANCED_FIRST.captures(line)?.get(1)?;
            m.as_str().parse::<EnhancedCode>().ok().map(|e| (e, m.start()))
        });
    let first = [full, lead_in_at, enhanced.map(|(_, at)| at)].into_iter().flatten().min()?;
    if full == Some(first) {
        let text = line[first..].trim_end();
        return Some(flattened(text, first));
    }
    if lead_in_at == Some(first)
        && let Some(c) = &lead_in
    {
        let code: u16 = c.get(1)?.as_str().parse().ok()?;
        let sep = c.get(2).map_or("", |s| s.as_str());
        let rest = strip_trailing_quote(c.get(3).map_or("", |s| s.as_str()).trim());
        return Some(Found {
            code,
            inferred: false,
            lines: vec![rest.to_owned()],
            last: sep != "-",
            start: first,
        });
    }
    let (enhanced, start) = enhanced?;
    let text = strip_trailing_quote(line[start..].trim_end());
    let mut found = flattened_enhanced(text, &enhanced.to_string(), start);
    found.code = infer_code(enhanced, line);
    found.inferred = true;
    Some(found)
}

/// The line with the code a client *expected* (`Expected response code 250`, `expected 250,
/// got`) hidden, or `None` when it names none.
fn mask_expected(line: &str) -> Option<String> {
    static EXPECTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\bexpected\s+(?:response\s+)?(?:code\s+)?[\x22']?([2-5]\d\d)\b")
            .expect("valid pattern")
    });
    let m = EXPECTED.captures(line)?.get(1)?;
    let mut out = line.to_owned();
    out.replace_range(m.range(), "xxx");
    Some(out)
}

/// A line that is only a code: `535`, `5.7.60`, `550 5.1.8`, `535 5.7.8 Username...` is not
/// bare but is found by [`FULL`].
fn bare(t: &str) -> Option<Found> {
    let t = t.trim_end_matches(['.', ',', ';']);
    if t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit()) {
        let code: u16 = t.parse().ok()?;
        if (200..600).contains(&code) && code % 100 < 60 && code != 400 {
            return Some(Found { code, inferred: false, lines: vec![String::new()], last: true, start: 0 });
        }
        return None;
    }
    let e: EnhancedCode = t.parse().ok()?;
    Some(Found { code: infer_code(e, ""), inferred: true, lines: vec![e.to_string()], last: true, start: 0 })
}

/// A reply whose lines were joined into one (`535-5.7.8 a 535 5.7.8 b`, Postfix's `?` or space
/// between lines): split back at each repetition of the code and enhanced code.
pub(crate) fn flattened(text: &str, start: usize) -> Found {
    let code: u16 = text[..3].parse().unwrap_or(500);
    let first_sep = text.as_bytes().get(3).copied().unwrap_or(b' ');
    let body = text.get(4..).unwrap_or("");
    let enhanced = body.split_ascii_whitespace().next().unwrap_or("");
    let mut lines = Vec::new();
    let mut last = first_sep != b'-';
    let mut rest = body;
    loop {
        // The next `{sep}{code}[- ]{enhanced}` after the first word.
        let next = find_repeat(rest, code, enhanced);
        match next {
            Some((at, sep_last, len)) => {
                lines.push(strip_trailing_quote(rest[..at].trim_end_matches(['?', ' '])).to_owned());
                rest = &rest[at + len..];
                last = sep_last;
            }
            None => {
                lines.push(strip_trailing_quote(rest.trim_end()).to_owned());
                break;
            }
        }
        if lines.len() >= 64 {
            break;
        }
    }
    Found { code, inferred: false, lines, last, start }
}

/// Where `code` repeats as a line start inside `text` (after a space, `?` or `\n`), followed by
/// the same enhanced code: the offset of the separator, whether it is a last line, and the
/// length of `{sep}{code}{-| }`.
fn find_repeat(text: &str, code: u16, enhanced: &str) -> Option<(usize, bool, usize)> {
    EnhancedCode::parse_prefix(enhanced)?;
    let needle = code.to_string();
    let bytes = text.as_bytes();
    let mut from = 1;
    while let Some(pos) = text.get(from..).and_then(|t| t.find(&needle)) {
        let at = from + pos;
        from = at + 3;
        let before = bytes[at - 1];
        let after = bytes.get(at + 3).copied();
        if matches!(before, b' ' | b'?' | b'\n')
            && matches!(after, Some(b' ' | b'-'))
            && text[at + 4..].starts_with(enhanced)
        {
            return Some((at - 1, after == Some(b' '), 5));
        }
    }
    None
}

/// An enhanced-code-only reply, possibly flattened (`5.7.8 a 5.7.8 b`).
fn flattened_enhanced(text: &str, enhanced: &str, start: usize) -> Found {
    let mut lines = Vec::new();
    let mut rest = text;
    let needle = format!(" {enhanced} ");
    while let Some(at) = rest.get(1..).and_then(|r| r.find(&needle)).map(|a| a + 1) {
        lines.push(rest[..at].trim_end().to_owned());
        rest = &rest[at + 1..];
        if lines.len() >= 64 {
            break;
        }
    }
    lines.push(rest.trim_end().to_owned());
    Found { code: 0, inferred: true, lines, last: true, start }
}

/// Quotes and brackets that close the text a reply was quoted in.
fn strip_trailing_quote(text: &str) -> &str {
    let t = text.trim_end();
    let t = t.strip_suffix("',").or_else(|| t.strip_suffix("\",")).unwrap_or(t);
    t.strip_suffix('\'').or_else(|| t.strip_suffix('"')).unwrap_or(t).trim_end()
}

/// A reply's second error, quoted inside its text (M365's `... Error: 535 5.7.139 ...`).
pub(crate) fn nested(text: &str) -> Option<(u16, String)> {
    let c = NESTED.captures(text)?;
    let code = c[1].parse().ok()?;
    Some((code, format!("{} {}", &c[2], c[3].trim_end())))
}

/// Python's `(535, b'5.7.8 ...')`: the code and the message's lines.
pub(crate) fn python_tuple(line: &str) -> Option<(u16, Vec<String>)> {
    let c = PYTHON_TUPLE.captures(line)?;
    let code: u16 = c[1].parse().ok()?;
    if !(200..600).contains(&code) {
        return None;
    }
    let literal_start = c.get(2)?.start();
    let (text, _) = literal::read(&line[literal_start..])?;
    let mut lines = literal::lines(&text);
    if lines.is_empty() {
        lines.push(String::new());
    }
    Some((code, lines))
}

/// The reply code a client would have seen with this enhanced code, when only the enhanced
/// code was given. .NET names the code in words before the server's text; otherwise the code
/// that goes with the enhanced code in the providers' documented replies.
pub(crate) fn infer_code(e: EnhancedCode, context: &str) -> u16 {
    const DOTNET: &[(&str, u16)] = &[
        ("requires a secure connection or the client was not authenticated", 530),
        ("mailbox unavailable", 550),
        ("transaction failed", 554),
        ("insufficient system storage", 452),
        ("exceeded storage allocation", 552),
        ("syntax error, command unrecognized", 500),
        ("syntax error in parameters", 501),
        ("service not available", 421),
        ("command not implemented", 502),
        ("bad sequence of commands", 503),
        ("user not local", 551),
        ("mailbox name not allowed", 553),
        ("client does not have permission", 550),
    ];
    let lower = context.to_ascii_lowercase();
    if let Some((_, code)) = DOTNET.iter().find(|(phrase, _)| lower.contains(phrase)) {
        return *code;
    }
    match (e.class, e.subject, e.detail) {
        (5, 7, 9 | 14) => 534,
        (5, 7, 0 | 57) => 530,
        (5, 7, 3 | 8 | 139) => 535,
        (5, 7, 4) => 504,
        (5, 2, 2 | 3) | (5, 3, 4) => 552,
        (4, 7, 0 | 66) | (4, 3, 2) => 421,
        (4, 2, 2) => 452,
        (5, _, _) => 550,
        (4, _, _) => 451,
        _ => 250,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(line: &str) -> Option<(u16, Vec<String>, bool)> {
        find(line, true).map(|f| (f.code, f.lines, f.last))
    }

    #[test]
    fn monit_quotes_the_reply_after_two_dashes_and_a_version_is_no_code() {
        // Monit's log (realworld 676): "Mailserver response error -- 550 Sender address is not
        // allowed."; "Monit 5.20.0 started" names a version, not an enhanced code.
        let line =
            "May 3 22:25:03 monit[1]: SMTP: Mailserver response error -- 550 Sender address is not allowed.";
        assert_eq!(
            f(line).map(|f| (f.0, f.1)),
            Some((550, vec!["Sender address is not allowed.".to_owned()]))
        );
        assert_eq!(f("May 3 22:25:02 monit[1]: 'example.com' Monit 5.20.0 started"), None);
    }

    #[test]
    fn a_dsn_diagnostic_code_without_a_space() {
        // "Diagnostic-Code: smtp;550 ..." as QQ, Yahoo and many bounce generators write it.
        assert_eq!(f("Diagnostic-Code: smtp;550 Mail content denied.").map(|f| f.0), Some(550));
        assert_eq!(f("smtp;550 Mail is rejected by recipients").map(|f| f.0), Some(550));
    }

    #[test]
    fn qmail_puts_the_enhanced_code_last() {
        assert_eq!(
            f("Sorry, no mailbox here by that name. (#5.1.1)"),
            Some((550, vec!["5.1.1 Sorry, no mailbox here by that name.".to_owned()], true))
        );
        assert_eq!(f("Connected to 192.0.2.7 but connection died. (#4.4.2)").map(|f| f.0), Some(451));
        assert_eq!(
            f("smtp;553 Message filtered. (#5.7.1)"),
            Some((553, vec!["5.7.1 Message filtered.".to_owned()], true))
        );
    }

    #[test]
    fn phpmailer_gives_the_servers_words_before_its_code() {
        assert_eq!(
            f(
                "SMTP Error: data not accepted.SMTP server error: DATA END command failed Detail: C13y Message would take you over your relay quota of 500 SMTP code: 552"
            ),
            Some((552, vec!["C13y Message would take you over your relay quota of 500".to_owned()], true))
        );
        assert_eq!(
            f(
                "SMTP server error: MAIL FROM command failed Detail: Sender address rejected SMTP code: 553 Additional SMTP info: 5.7.1"
            ),
            Some((553, vec!["5.7.1 Sender address rejected".to_owned()], true))
        );
    }

    #[test]
    fn bare_codes() {
        assert_eq!(f("535"), Some((535, vec![String::new()], true)));
        assert_eq!(f(" 5.7.60 "), Some((550, vec!["5.7.60".into()], true)));
        assert_eq!(f("5.7.139"), Some((535, vec!["5.7.139".into()], true)));
        assert_eq!(f("4.4.62"), Some((451, vec!["4.4.62".into()], true)));
        assert_eq!(f("550 5.1.8"), Some((550, vec!["5.1.8".into()], true)));
        assert_eq!(f("999"), None);
        assert_eq!(f("587"), None);
    }

    #[test]
    fn replies_inside_messages() {
        assert_eq!(
            f(
                "Error: Invalid login: 535-5.7.8 Username and Password not accepted. For more information, go to"
            ),
            Some((
                535,
                vec!["5.7.8 Username and Password not accepted. For more information, go to".into()],
                false
            ))
        );
        assert_eq!(
            f("SMTP ERROR: Password command failed: 535 5.7.3 Authentication unsuccessful"),
            Some((535, vec!["5.7.3 Authentication unsuccessful".into()], true))
        );
        assert_eq!(
            f(
                "dovecot_login authenticator failed for (x) [192.0.2.1]:1234: 535 Incorrect authentication data (set_id=a@b)"
            ),
            Some((535, vec!["Incorrect authentication data (set_id=a@b)".into()], true))
        );
        assert_eq!(
            f("MailKit.Security.AuthenticationException: 535: 5.7.139 Authentication unsuccessful"),
            Some((535, vec!["5.7.139 Authentication unsuccessful".into()], true))
        );
        assert_eq!(f("curl: (55) MAIL failed: 530"), Some((530, vec![String::new()], true)));
        assert_eq!(
            f(
                "The SMTP server requires a secure connection or the client was not authenticated. The server response was: 5.7.57 Client not authenticated to send mail."
            ),
            Some((530, vec!["5.7.57 Client not authenticated to send mail.".into()], true))
        );
        assert_eq!(
            f(
                "Mailbox unavailable. The server response was: 5.7.60 SMTP; Client does not have permissions to send as this sender"
            ),
            Some((
                550,
                vec!["5.7.60 SMTP; Client does not have permissions to send as this sender".into()],
                true
            ))
        );
        assert_eq!(f("File \"x.py\", line 750, in login"), None);
        assert_eq!(f("connect to 192.0.2.1:250"), None);
        assert_eq!(f("TLS 1.2 on port 587"), None);
    }

    #[test]
    fn flattened_replies_split() {
        let (code, lines, last) = f("host smtp.gmail.com[142.250.1.108] said: 535-5.7.8 Username and Password not accepted. Learn more at 535 5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp").unwrap();
        assert_eq!(code, 535);
        assert_eq!(
            lines,
            [
                "5.7.8 Username and Password not accepted. Learn more at",
                "5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp"
            ]
        );
        assert!(last);
        let (_, lines, _) = f("said: 550-5.7.1 a?550 5.7.1 b").unwrap();
        assert_eq!(lines, ["5.7.1 a", "5.7.1 b"]);
        let (_, lines, _) = f("limit: 550 5.7.1 over 550 recipients").unwrap();
        assert_eq!(lines, ["5.7.1 over 550 recipients"]);
    }

    #[test]
    fn code_table_rows_and_ranges() {
        // Google's SMTP error reference, copied as users paste it (realworld 545, 546)
        let (code, lines, last) =
            f(r#"421, "4.7.0", TLS required for RCPT domain, closing connection."#).unwrap();
        assert_eq!(
            (code, lines, last),
            (421, vec!["4.7.0 TLS required for RCPT domain, closing connection.".to_owned()], true)
        );
        let (code, lines, _) =
            f(r#"450, "4.2.1" The user you are trying to contact is receiving mail too quickly."#).unwrap();
        assert_eq!(
            (code, lines[0].as_str()),
            (450, "4.2.1 The user you are trying to contact is receiving mail too quickly.")
        );
        // not a row: a number in prose, a quoted non-code
        assert_eq!(f(r#"450, "hello", world"#), None);
        // a range of codes as Microsoft's NDR pages write it
        let (code, lines, _) = f("Errore: 550 5.7.606-649 Accesso negato, vietato l'invio di IP").unwrap();
        assert_eq!((code, lines[0].as_str()), (550, "5.7.606-649 Accesso negato, vietato l'invio di IP"));
    }

    #[test]
    fn python_tuples_and_nested() {
        let (code, lines) = python_tuple(
            r"smtplib.SMTPAuthenticationError: (535, b'5.7.8 Username and Password not accepted. Learn more at\n5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp')",
        )
        .unwrap();
        assert_eq!(code, 535);
        assert_eq!(lines.len(), 2);
        assert_eq!(python_tuple(r"{'bob@x.example': (550, b'5.1.1 no such user')}").unwrap().0, 550);
        assert_eq!(python_tuple("(999, 'x')"), None);
        assert_eq!(
            nested(
                "5.7.57 Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
            ),
            Some((
                535,
                "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
                    .into()
            ))
        );
    }
}
