//! Which side of an SMTP dialogue a line belongs to, as the tools that print dialogues mark it
//! (`C:`/`S:`, swaks' `->`/`<-`, `>>>`/`<<<`, curl's `>`/`<`, PHPMailer's `CLIENT -> SERVER:`,
//! smtplib's `send:`/`reply:`, Outlook's `[tx]`/`[rx]`), after log prefixes (timestamps, levels,
//! bracketed ids) are set aside; and what a command or a reply line looks like.

use std::sync::LazyLock;

use mailprobe_proto::Stage;
use regex::Regex;

use super::literal;

/// The direction of a dialogue line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    /// The client sent it.
    Client,
    /// The server sent it.
    Server,
    /// A tool's own remark (swaks `===`/`***`, curl `*`): free text.
    Info,
}

/// A marked line: its direction, the text after the marker, and the tool the marker belongs to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Marked {
    pub dir: Dir,
    pub content: String,
    pub program: Option<&'static str>,
}

/// Markers, longest first where one is a prefix of another. `strict` markers count only when a
/// command (client) or a reply line (server) follows, because they are common characters.
const MARKERS: &[(&str, Dir, Option<&str>, bool)] = &[
    ("CLIENT -> SERVER:", Dir::Client, Some("phpmailer"), false),
    ("SERVER -> CLIENT:", Dir::Server, Some("phpmailer"), false),
    ("SMTP -> FROM SERVER:", Dir::Server, Some("phpmailer"), false),
    ("SMTP -> ERROR:", Dir::Info, Some("phpmailer"), false),
    ("<~* ", Dir::Server, Some("swaks"), false),
    ("<** ", Dir::Server, Some("swaks"), false),
    ("<~ ", Dir::Server, Some("swaks"), false),
    (" ~> ", Dir::Client, Some("swaks"), false),
    ("~> ", Dir::Client, Some("swaks"), false),
    ("=== ", Dir::Info, Some("swaks"), false),
    ("*** ", Dir::Info, Some("swaks"), false),
    ("<<< ", Dir::Server, None, false),
    (">>> ", Dir::Client, None, false),
    ("<-- ", Dir::Server, None, false),
    ("--> ", Dir::Client, None, false),
    ("<- ", Dir::Server, None, false),
    ("-> ", Dir::Client, None, false),
    ("[rx]", Dir::Server, Some("outlook"), false),
    ("<rx>", Dir::Server, Some("outlook"), false),
    ("[tx]", Dir::Client, Some("outlook"), false),
    ("<tx>", Dir::Client, Some("outlook"), false),
    ("S: ", Dir::Server, None, false),
    ("C: ", Dir::Client, None, false),
    ("S:", Dir::Server, None, true),
    ("C:", Dir::Client, None, true),
    // Roundcube's SMTP log (`<session> Recv: 220 ...` / `Send: EHLO ...`) and DokuWiki's smtp
    // plugin (`Got: 220 ...` / `Sent: EHLO ...`).
    ("Recv: ", Dir::Server, None, true),
    ("Send: ", Dir::Client, None, true),
    ("Got: ", Dir::Server, None, true),
    ("Sent: ", Dir::Client, None, true),
    ("<< ", Dir::Server, None, true),
    (">> ", Dir::Client, None, true),
    ("< ", Dir::Server, Some("curl"), true),
    ("> ", Dir::Client, Some("curl"), true),
    ("* ", Dir::Info, Some("curl"), true),
];

/// Log prefixes set aside before looking for a marker: bracketed ids and times, ISO and syslog
/// timestamps, level words, Outlook's `SMTP (host):`.
static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^(?:
            \[[^\]\[]{0,80}\]:?
          | <[A-Za-z0-9]{4,16}>
          | \d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T\x20]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?
          | \d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?
          | (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\x20+\d{1,2}
          | (?:DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|TRACE|VERBOSE|CRITICAL|FATAL|FINE|FINER|FINEST)\b:?
          | SMTP\x20\([^)]{0,120}\):
          | [a-z][a-z-]{1,15}:\x20+0x[0-9a-f]{4,16}:
        )\s*",
    )
    .expect("valid prefix pattern")
});

/// A log record's start at the start of a line: its time (`[2020-10-07 21:00:02]`,
/// `2024-01-05T10:00:00`, `Feb 09 05:33:28`, `21:00:02`) or, with the time cut off, its syslog
/// tag (`monit[74501]: `): the line is a record of its own, never the wrapped rest of the line
/// before it.
pub(crate) fn starts_log_record(line: &str) -> bool {
    static TIME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?x)^\[?(?:
                \d{4}[-/.]\d{1,2}[-/.]\d{1,2}[T\x20]\d{1,2}:\d{2}
              | (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\x20+\d{1,2}\x20+\d{1,2}:\d{2}:\d{2}
              | \d{1,2}:\d{2}:\d{2}
              | [A-Za-z][\w./-]{0,40}\[\d{1,10}\]:\x20
            )",
        )
        .expect("valid time pattern")
    });
    TIME.is_match(line.trim_start())
}

/// The line with log prefixes set aside (for finding markers, commands and reply lines).
pub(crate) fn strip_prefixes(line: &str) -> &str {
    let mut s = line.trim_start();
    for _ in 0..8 {
        if marker(s).is_some() {
            break;
        }
        match PREFIX.find(s) {
            Some(m) if m.end() > 0 => s = s[m.end()..].trim_start(),
            _ => break,
        }
    }
    s
}

fn marker(s: &str) -> Option<Marked> {
    for &(m, dir, program, strict) in MARKERS {
        let rest = if m.starts_with(' ') { s.strip_prefix(m.trim_start()) } else { s.strip_prefix(m) };
        let Some(rest) = rest else { continue };
        let rest = rest.trim_start();
        if strict {
            let ok = match dir {
                Dir::Client => command(rest, false).is_some(),
                Dir::Server => reply_line(rest).is_some(),
                Dir::Info => curl_info(rest),
            };
            if !ok {
                continue;
            }
        }
        return Some(Marked { dir, content: rest.to_owned(), program });
    }
    // Python's smtplib with set_debuglevel(1): `send: 'ehlo x\r\n'`, `reply: b'250 ok\r\n'`.
    if let Some(rest) = s.strip_prefix("send:") {
        let (text, _) = literal::read(rest.trim_start())?;
        return Some(Marked { dir: Dir::Client, content: text, program: Some("python-smtplib") });
    }
    if let Some(rest) = s.strip_prefix("reply:") {
        let rest = rest.trim_start();
        if rest.starts_with("retcode") {
            // `reply: retcode (250); Msg: b'...'` repeats the reply just printed.
            return Some(Marked { dir: Dir::Info, content: String::new(), program: Some("python-smtplib") });
        }
        let (text, _) = literal::read(rest)?;
        return Some(Marked { dir: Dir::Server, content: text, program: Some("python-smtplib") });
    }
    None
}

/// A curl `* ` remark rather than an untagged IMAP response (`* OK`, `* BYE`, `* 3 EXISTS`).
fn curl_info(rest: &str) -> bool {
    let word = rest.split_ascii_whitespace().next().unwrap_or("");
    !word.is_empty()
        && !word.starts_with(|c: char| c.is_ascii_digit())
        && !matches!(
            word,
            "OK" | "NO"
                | "BAD"
                | "BYE"
                | "PREAUTH"
                | "CAPABILITY"
                | "FLAGS"
                | "LIST"
                | "LSUB"
                | "STATUS"
                | "SEARCH"
                | "ENABLED"
                | "ID"
        )
}

/// The marked dialogue line, if the line (after log prefixes) starts with a marker.
pub(crate) fn split(line: &str) -> Option<Marked> {
    marker(strip_prefixes(line))
}

/// A reply line: code, whether it is the last line of its reply, and the text after the code.
pub(crate) fn reply_line(s: &str) -> Option<(u16, bool, &str)> {
    let b = s.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) || !(b'2'..=b'5').contains(&b[0]) || b[1] > b'5'
    {
        return None;
    }
    let code = u16::from(b[0] - b'0') * 100 + u16::from(b[1] - b'0') * 10 + u16::from(b[2] - b'0');
    match b.get(3) {
        None => Some((code, true, "")),
        Some(b' ') => Some((code, true, s[4..].trim_end())),
        Some(b'-') => Some((code, false, s[4..].trim_end())),
        _ => None,
    }
}

/// A client command: its verb (upper-case) and the stage it opens (`None` for commands that
/// stay in the current stage, like NOOP). `lenient` accepts lower-case verbs (smtplib sends
/// `ehlo`); otherwise the verb must be upper-case, as clients write it and prose does not.
pub(crate) fn command(s: &str, lenient: bool) -> Option<(&'static str, Option<Stage>)> {
    let word = s.split_ascii_whitespace().next()?;
    let word = word.split(':').next().unwrap_or(word);
    if !lenient && word.bytes().any(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let upper = word.to_ascii_uppercase();
    let found = match upper.as_str() {
        "EHLO" => ("EHLO", Some(Stage::Ehlo)),
        "HELO" => ("HELO", Some(Stage::Ehlo)),
        "LHLO" => ("LHLO", Some(Stage::Ehlo)),
        "STARTTLS" => ("STARTTLS", Some(Stage::Tls)),
        "AUTH" => ("AUTH", Some(Stage::Auth)),
        "MAIL" => ("MAIL", Some(Stage::MailFrom)),
        "RCPT" => ("RCPT", Some(Stage::RcptTo)),
        "DATA" => ("DATA", Some(Stage::Data)),
        "BDAT" => ("BDAT", Some(Stage::Data)),
        "QUIT" => ("QUIT", Some(Stage::Quit)),
        "RSET" => ("RSET", Some(Stage::Quit)),
        "NOOP" => ("NOOP", None),
        "VRFY" => ("VRFY", None),
        "EXPN" => ("EXPN", None),
        "HELP" => ("HELP", None),
        _ => return None,
    };
    // `MAIL` and `RCPT` need their `FROM` / `TO` to be commands rather than words.
    let upper = s.trim_start().to_ascii_uppercase();
    let rest = upper.get(word.len()..).unwrap_or("").trim_start();
    let complete = match found.0 {
        "MAIL" => upper.starts_with("MAIL FROM"),
        "RCPT" => upper.starts_with("RCPT TO"),
        // Commands without arguments: `DATA not accepted` is prose.
        "DATA" | "QUIT" | "RSET" | "NOOP" | "STARTTLS" | "HELP" => lenient || rest.is_empty(),
        _ => true,
    };
    if !complete {
        return None;
    }
    Some(found)
}

/// The stage a command names, as error messages and field values write it (`AUTH PLAIN`,
/// `RCPT TO`, `end of DATA`, nodemailer's `CONN`).
pub(crate) fn command_stage(text: &str) -> Option<Stage> {
    let t = text.trim().trim_matches(|c| c == '\'' || c == '"').to_ascii_uppercase();
    if t.starts_with("CONN") {
        return Some(Stage::Connect);
    }
    if t.contains("END OF DATA") || t.contains("END-OF-MESSAGE") || t == "MESSAGE" {
        return Some(Stage::Data);
    }
    if t.starts_with("INITIAL CONNECTION") || t.starts_with("CONNECT") || t == "GREETING" {
        return Some(Stage::Banner);
    }
    command(&t, true).and_then(|(_, stage)| stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(line: &str) -> Option<(Dir, String)> {
        split(line).map(|m| (m.dir, m.content))
    }

    #[test]
    fn dialogue_markers() {
        assert_eq!(m("C: EHLO x"), Some((Dir::Client, "EHLO x".into())));
        assert_eq!(m("S: 250 ok"), Some((Dir::Server, "250 ok".into())));
        assert_eq!(m(" -> AUTH LOGIN"), Some((Dir::Client, "AUTH LOGIN".into())));
        assert_eq!(m("<-  220 mx ESMTP"), Some((Dir::Server, "220 mx ESMTP".into())));
        assert_eq!(m("<** 535 5.7.8 no"), Some((Dir::Server, "535 5.7.8 no".into())));
        assert_eq!(m(" ~> QUIT"), Some((Dir::Client, "QUIT".into())));
        assert_eq!(m("<~  250 ok"), Some((Dir::Server, "250 ok".into())));
        assert_eq!(m(">>> MAIL FROM:<a@b>"), Some((Dir::Client, "MAIL FROM:<a@b>".into())));
        assert_eq!(m("<<< 550 no"), Some((Dir::Server, "550 no".into())));
        assert_eq!(
            m("=== Trying smtp.gmail.com:587..."),
            Some((Dir::Info, "Trying smtp.gmail.com:587...".into()))
        );
        assert_eq!(m("> EHLO me"), Some((Dir::Client, "EHLO me".into())));
        assert_eq!(m("< 250-SIZE 1"), Some((Dir::Server, "250-SIZE 1".into())));
        assert_eq!(m("> quoted prose"), None);
        assert_eq!(m("* OK [CAPABILITY IMAP4rev1] ready"), None);
    }

    #[test]
    fn prefixes_are_set_aside() {
        assert_eq!(
            m("2024-01-10 10:00:00\tSERVER -> CLIENT: 220 smtp.gmail.com ESMTP"),
            Some((Dir::Server, "220 smtp.gmail.com ESMTP".into()))
        );
        assert_eq!(
            m("[2024-01-10 10:00:00] DEBUG [Zt0f3W1s9w] C: EHLO [127.0.0.1]"),
            Some((Dir::Client, "EHLO [127.0.0.1]".into()))
        );
        assert_eq!(
            m("2024.01.10 10:00:00 SMTP (smtp.gmail.com): [rx] 220 ok"),
            Some((Dir::Server, "220 ok".into()))
        );
        assert_eq!(strip_prefixes("2024/01/10 12:00:00 535 5.7.8 no"), "535 5.7.8 no");
    }

    #[test]
    fn smtplib_debug() {
        assert_eq!(m(r"send: 'ehlo [127.0.1.1]\r\n'"), Some((Dir::Client, "ehlo [127.0.1.1]\r\n".into())));
        assert_eq!(m(r"reply: b'535 5.7.8 no\r\n'"), Some((Dir::Server, "535 5.7.8 no\r\n".into())));
        assert_eq!(m(r"reply: retcode (535); Msg: b'5.7.8 no'"), Some((Dir::Info, String::new())));
    }

    #[test]
    fn replies_and_commands() {
        assert_eq!(reply_line("535-5.7.8 x"), Some((535, false, "5.7.8 x")));
        assert_eq!(reply_line("250"), Some((250, true, "")));
        assert_eq!(reply_line("2024-01-01"), None);
        assert_eq!(reply_line("587 port"), None);
        assert_eq!(reply_line("199 x"), None);
        assert_eq!(command("EHLO x", false), Some(("EHLO", Some(Stage::Ehlo))));
        assert_eq!(command("ehlo x", false), None);
        assert_eq!(command("ehlo x", true), Some(("EHLO", Some(Stage::Ehlo))));
        assert_eq!(command("MAIL FROM:<a@b>", false), Some(("MAIL", Some(Stage::MailFrom))));
        assert_eq!(command("MAIL is great", false), None);
        assert_eq!(command("DATA", false), Some(("DATA", Some(Stage::Data))));
        assert_eq!(command("DATA not accepted", false), None);
        assert_eq!(command_stage("'AUTH PLAIN'"), Some(Stage::Auth));
        assert_eq!(command_stage("CONN"), Some(Stage::Connect));
        assert_eq!(command_stage("RCPT TO:<x@y>"), Some(Stage::RcptTo));
        assert_eq!(command_stage("end of DATA"), Some(Stage::Data));
    }
}
