//! Reading pasted bytes into lines: capped, lossily decoded, cleaned of terminal noise.

use super::{MAX_INPUT_BYTES, MAX_LINE_CHARS, MAX_LINES, Note};

/// The lines of a paste, with what had to be done to read them.
#[derive(Debug, Default)]
pub(crate) struct Input {
    /// Logical lines with their 1-based number in the input.
    pub lines: Vec<(usize, String)>,
    /// Bytes given.
    pub bytes: usize,
    /// Lines read (before joining continued string literals).
    pub line_count: usize,
    /// Something was left unread.
    pub truncated: bool,
    /// What was repaired or dropped.
    pub notes: Vec<Note>,
}

/// Splits the bytes into clean lines, reading at most [`MAX_INPUT_BYTES`] and [`MAX_LINES`].
pub(crate) fn read(bytes: &[u8]) -> Input {
    let mut input = Input { bytes: bytes.len(), ..Input::default() };
    let kept = if bytes.len() > MAX_INPUT_BYTES {
        input.truncated = true;
        input.notes.push(Note::InputCut { bytes_read: MAX_INPUT_BYTES });
        &bytes[..MAX_INPUT_BYTES]
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(kept);
    if matches!(text, std::borrow::Cow::Owned(_)) {
        input.notes.push(Note::NotUtf8);
    }
    let mut cut = 0usize;
    let mut raw_lines = Vec::new();
    // CRLF and LF end lines; a lone CR (old Mac files, some Windows logs) does too.
    for (n, line) in text.split('\n').flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r')).enumerate()
    {
        if n >= MAX_LINES {
            input.truncated = true;
            input.notes.push(Note::LinesCut { lines_read: MAX_LINES });
            break;
        }
        let mut clean = clean(line);
        if clean.chars().count() > MAX_LINE_CHARS {
            cut += 1;
            clean = clean.chars().take(MAX_LINE_CHARS).collect();
        }
        raw_lines.push((n + 1, clean));
    }
    input.line_count = raw_lines.len();
    if cut > 0 {
        input.notes.push(Note::LongLinesCut { count: cut, max_chars: MAX_LINE_CHARS });
    }
    input.lines =
        join_openssl_error_lists(unfold_dsn_fields(join_string_concatenations(msmtp_log_lines(raw_lines))));
    input
}

/// msmtp's log line (`host=... smtpstatus=550 smtpmsg='550-...\n550 ...' errormsg='recipient
/// address x not accepted by the server' exitcode=EX_DATAERR`) as msmtp says it on stderr: its
/// message, which names the step, then the server's reply, its lines joined.
fn msmtp_log_lines(lines: Vec<(usize, String)>) -> Vec<(usize, String)> {
    lines
        .into_iter()
        .map(|(n, line)| match (line.contains(" smtpstatus="), msmtp_field(&line, "smtpmsg")) {
            (true, Some(reply)) => {
                let reply = reply.replace("\\n", " ");
                let said = match msmtp_field(&line, "errormsg") {
                    Some(error) => format!("msmtp: {error}: {reply}"),
                    None => format!("msmtp: {reply}"),
                };
                (n, said)
            }
            _ => (n, line),
        })
        .collect()
}

/// A field of msmtp's log line: `host=smtp.example.net` up to the next space, or
/// `smtpmsg='...'` up to the quote before the next field (a reply may hold quotes of its own).
pub(crate) fn msmtp_field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {name}="))? + name.len() + 2;
    let rest = &line[start..];
    let Some(quoted) = rest.strip_prefix('\'') else {
        return Some(rest.split_whitespace().next().unwrap_or_default());
    };
    let next_field = quoted.match_indices("' ").map(|(i, _)| i).find(|&i| {
        let after = &quoted[i + 2..];
        after
            .find('=')
            .is_some_and(|eq| eq > 0 && after[..eq].bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    });
    Some(&quoted[..next_field.or_else(|| quoted.rfind('\'')).unwrap_or(quoted.len())])
}

/// Joins PHP's TLS failures to the OpenSSL errors it lists under them:
/// `stream_socket_enable_crypto(): SSL operation failed with code 1. OpenSSL Error messages:` is
/// followed by `error:0A000086:SSL routines::certificate verify failed` on the next line(s), and
/// the reason (a refused certificate, a weak server key) is only there.
fn join_openssl_error_lists(lines: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::with_capacity(lines.len());
    let mut listing = false;
    for (n, line) in lines {
        let error = line.trim_start().get(..6).is_some_and(|w| w.eq_ignore_ascii_case("error:"));
        if listing
            && error
            && let Some(last) = out.last_mut()
            && last.1.len() + line.len() < MAX_LINE_CHARS
        {
            last.1.push(' ');
            last.1.push_str(line.trim());
            continue;
        }
        let trimmed = line.trim_end();
        listing = trimmed
            .len()
            .checked_sub(23)
            .and_then(|start| trimmed.get(start..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case("OpenSSL Error messages:"));
        out.push((n, line));
    }
    out
}

/// Unfolds a bounce's delivery-status fields (RFC 3464 `Diagnostic-Code:`, `Status:`): their
/// long values continue on indented lines ("connect to\n    host[ip]:25: Operation timed out").
fn unfold_dsn_fields(lines: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::with_capacity(lines.len());
    // The quote marks of a bounce forwarded in a mail ("> Diagnostic-Code: ...", ">     550-..."):
    // a field and its folded lines carry the same marks.
    let mut folding: Option<String> = None;
    for (n, line) in lines {
        let (quote, rest) = split_quote(&line);
        let indented = rest.starts_with(' ') && !rest.trim().is_empty();
        if folding.as_deref() == Some(quote)
            && indented
            && let Some(last) = out.last_mut()
            && last.1.len() + line.len() <= MAX_LINE_CHARS
        {
            last.1.push(' ');
            last.1.push_str(rest.trim());
            continue;
        }
        let field = rest.trim_start().get(..16).map(str::to_ascii_lowercase);
        let folds = field.is_some_and(|f| f.starts_with("diagnostic-code:"))
            || bounced_recipient(rest)
            || bounced_host_line(rest);
        folding = folds.then(|| quote.to_owned());
        out.push((n, line));
    }
    out
}

/// Postfix's bounce names each recipient and folds the reason under it:
/// `<bob@example.com>: connect to` / `    host[192.0.2.1]:25: Operation timed out`, or
/// `<bob@example.com> (expanded from <alias@example.com>): host ... said:`.
fn bounced_recipient(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('<') else { return false };
    let Some(close) = rest.find('>') else { return false };
    let (address, after) = (&rest[..close], &rest[close + 1..]);
    let after = match after.strip_prefix(" (expanded from <") {
        Some(alias) => alias.find(">)").map_or("", |end| &alias[end + 2..]),
        None => after,
    };
    address.contains('@') && !address.contains(char::is_whitespace) && after.starts_with(':')
}

/// The start of a bounce's reason quoted without its recipient line: `host mx.example[192.0.2.1]
/// said: 550-...` or `host ... refused to talk to me:`, folded like the rest.
fn bounced_host_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("host ") else { return false };
    let Some(close) = rest.find("] ") else { return false };
    let after = &rest[close + 2..];
    rest[..close].contains('[') && (after.starts_with("said:") || after.starts_with("refused to talk to me:"))
}

/// A line's leading mail-quote marks, each `>` with the one space after it (`> `, `>> `, `> > `),
/// and the rest: what is indented after the marks is a folded line.
fn split_quote(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut end = 0;
    while bytes.get(end) == Some(&b'>') {
        end += 1;
        if bytes.get(end) == Some(&b' ') {
            end += 1;
        }
    }
    line.split_at(end)
}

/// Drops terminal colour sequences and control characters; tabs become spaces.
fn clean(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                // CSI: ESC [ params final-byte; anything else: drop ESC and the next char.
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for d in chars.by_ref() {
                        if ('@'..='~').contains(&d) {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Joins JavaScript string concatenations as Node prints long error fields:
/// `response: '535-5.7.8 ...\n' +` / `'535 5.7.8 ...',` become one line.
fn join_string_concatenations(lines: Vec<(usize, String)>) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::with_capacity(lines.len());
    let mut joining: Option<char> = None;
    for (n, line) in lines {
        if let Some(quote) = joining
            && let Some(last) = out.last_mut()
            && let Some(rest) = line.trim_start().strip_prefix(quote)
        {
            last.1.push_str(rest);
            joining = continued(&mut last.1);
            continue;
        }
        let mut line = line;
        joining = continued(&mut line);
        out.push((n, line));
    }
    out
}

/// When the line ends with `'... ' +`, removes the closing quote and the `+` and returns the quote.
fn continued(line: &mut String) -> Option<char> {
    let trimmed = line.trim_end().strip_suffix('+')?.trim_end();
    let quote = trimmed.chars().last().filter(|q| matches!(q, '\'' | '"' | '`'))?;
    let keep = trimmed.len() - quote.len_utf8();
    line.truncate(keep);
    Some(quote)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folded_diagnostic_code_is_one_line() {
        // Plain, and forwarded inside a mail (realworld 654): the field and its folded lines
        // carry the same quote mark.
        let cases: [(&[u8], [&str; 2]); 5] = [
            (
                b"host mx.b.example[192.0.2.9] refused to talk to me:\n    554-No SMTP\n    service 554-Bad DNS PTR resource record.\n",
                ["host mx.b.example[192.0.2.9] refused to talk to me: 554-No SMTP service 554-Bad DNS PTR resource record.", ""],
            ),
            // Postfix's bounce: the recipient's line and the reason folded under it.
            (
                b"<bob@example.net>: connect to\n    mx.example.net[192.0.2.1]:25: Operation timed\n    out\n",
                ["<bob@example.net>: connect to mx.example.net[192.0.2.1]:25: Operation timed out", ""],
            ),
            (
                b"<a@b.example> (expanded from <c@b.example>): host\n    mx.b.example[192.0.2.2] said: 550 5.1.1 unknown\n",
                ["<a@b.example> (expanded from <c@b.example>): host mx.b.example[192.0.2.2] said: 550 5.1.1 unknown", ""],
            ),
            (
                b"Diagnostic-Code: X-Postfix; connect to\n    alt4.gmail-smtp-in.l.google.com[173.194.209.26]:25: Operation timed out\nnext",
                [
                    "Diagnostic-Code: X-Postfix; connect to alt4.gmail-smtp-in.l.google.com[173.194.209.26]:25: Operation timed out",
                    "next",
                ],
            ),
            (
                b"> Diagnostic-Code: smtp; 550-Verification failed for <a@b.example>\n>     550-The mail server could not deliver.\n>     550 Sender verify failed\n> next",
                [
                    "> Diagnostic-Code: smtp; 550-Verification failed for <a@b.example> 550-The mail server could not deliver. 550 Sender verify failed",
                    "> next",
                ],
            ),
        ];
        for (text, want) in cases {
            let input = read(text);
            let lines: Vec<&str> = input.lines.iter().map(|(_, l)| l.as_str()).collect();
            assert_eq!(lines, want);
        }
    }

    #[test]
    fn msmtp_fields_end_at_the_next_field_not_at_a_quote_inside() {
        let line = "Jan 10 host=mail.example.net tls=on smtpstatus=550 smtpmsg='550 can't deliver' errormsg='the server did not accept the mail' exitcode=EX_UNAVAILABLE";
        assert_eq!(msmtp_field(line, "host"), Some("mail.example.net"));
        assert_eq!(msmtp_field(line, "smtpmsg"), Some("550 can't deliver"));
        assert_eq!(msmtp_field(line, "errormsg"), Some("the server did not accept the mail"));
        assert_eq!(msmtp_field(line, "user"), None);
    }

    #[test]
    fn an_msmtp_log_line_reads_as_msmtp_says_it() {
        let input = read(
            b"Jan 10 18:03:42 host=mail.example.net tls=on smtpstatus=550 smtpmsg='550-Requested action not taken\\n550 no such domain' errormsg='recipient address root@box not accepted by the server' exitcode=EX_DATAERR",
        );
        let lines: Vec<&str> = input.lines.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            lines,
            [
                "msmtp: recipient address root@box not accepted by the server: 550-Requested action not taken 550 no such domain"
            ]
        );
    }

    #[test]
    fn php_openssl_errors_join_their_header() {
        let input = read(
            b"stream_socket_enable_crypto(): SSL operation failed with code 1. OpenSSL Error messages:\nerror:141A318A:SSL routines:tls_process_ske_dhe:dh key too small\nerror:1416F086:x\nnext\nerror: alone",
        );
        let lines: Vec<&str> = input.lines.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            lines,
            [
                "stream_socket_enable_crypto(): SSL operation failed with code 1. OpenSSL Error messages: error:141A318A:SSL routines:tls_process_ske_dhe:dh key too small error:1416F086:x",
                "next",
                "error: alone",
            ]
        );
    }

    #[test]
    fn caps_and_cleans() {
        let input = read(b"a\r\n\x1b[31mred\x1b[0m\tx\r\nb\rc\xff");
        let lines: Vec<&str> = input.lines.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(lines, ["a", "red x", "b", "c\u{fffd}"]);
        assert_eq!(input.notes, [Note::NotUtf8]);
        assert!(!input.truncated);
    }

    #[test]
    fn bounds_bytes_lines_and_line_length() {
        let big = vec![b'x'; MAX_INPUT_BYTES + 10];
        let input = read(&big);
        assert!(input.truncated);
        assert_eq!(input.lines[0].1.chars().count(), MAX_LINE_CHARS);
        let many = "1\n".repeat(MAX_LINES + 5);
        let input = read(many.as_bytes());
        assert!(input.truncated);
        assert_eq!(input.lines.len(), MAX_LINES);
    }

    #[test]
    fn joins_node_string_concatenation() {
        let input = read(b"  response: '535-5.7.8 a\\n' +\n    '535 5.7.8 b',\n  responseCode: 535");
        assert_eq!(input.lines.len(), 2);
        assert_eq!(input.lines[0].1, "  response: '535-5.7.8 a\\n535 5.7.8 b',");
        assert_eq!(input.lines[1], (3, "  responseCode: 535".to_owned()));
    }
}
