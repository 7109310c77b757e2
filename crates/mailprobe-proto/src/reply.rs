//! SMTP replies and a tolerant, incremental reply parser.
//!
//! Why not Stalwart's `smtp-proto` `ResponseReceiver`: it was evaluated and it is a good parser
//! for a mail server's client side, but a diagnostic tool must keep what it parses as evidence.
//! It fails outright on a reply over 4096 bytes instead of cutting it and saying so, merges all
//! lines into one message (we quote lines as evidence), and reads only the first line's enhanced
//! code. Its EHLO parser drops unknown keywords, which we keep verbatim. It stays a dev-dependency:
//! the property tests check that both parsers agree on well-formed replies.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::EnhancedCode;
use crate::line::LineReader;

/// The longest reply line kept; the rest of a longer line is dropped and a note is recorded.
/// RFC 5321 says 512 octets, real servers send longer banners and EHLO lists, so be generous.
pub const MAX_LINE_LEN: usize = 4096;

/// The most lines kept from one multi-line reply; later lines are counted, not stored, so a
/// hostile endless `250-` reply costs bounded memory.
pub const MAX_REPLY_LINES: usize = 256;

/// One complete SMTP reply: a three-digit code and one or more text lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The three-digit reply code of the first line.
    pub code: u16,
    /// The first RFC 3463 enhanced status code found at the start of a line, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enhanced: Option<EnhancedCode>,
    /// The text of each line after `NNN-` / `NNN `, enhanced code included, lossily decoded.
    pub lines: Vec<String>,
    /// What the parser had to repair: overlong lines cut, bare LF, non-UTF-8 bytes, dropped lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Reply {
    /// Builds a reply from a code and lines, reading the enhanced code from the lines.
    pub fn new(code: u16, lines: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let lines: Vec<String> = lines.into_iter().map(Into::into).collect();
        let enhanced = lines.iter().find_map(|l| EnhancedCode::parse_prefix(l).map(|(c, _)| c));
        Self { code, enhanced, lines, notes: Vec::new() }
    }

    /// 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 3xx: the server wants more (334 during AUTH, 354 after DATA).
    pub fn is_intermediate(&self) -> bool {
        (300..400).contains(&self.code)
    }

    /// 4xx.
    pub fn is_transient_failure(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// 5xx.
    pub fn is_permanent_failure(&self) -> bool {
        (500..600).contains(&self.code)
    }

    /// 4xx or 5xx.
    pub fn is_failure(&self) -> bool {
        self.is_transient_failure() || self.is_permanent_failure()
    }

    /// The human text: lines without their enhanced codes, joined with spaces.
    pub fn message(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            let text = EnhancedCode::parse_prefix(line).map_or(line.as_str(), |(_, rest)| rest);
            if text.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(text);
        }
        out
    }

    /// The reply as it looked on the wire, one string per line (`535-5.7.8 ...`, `535 5.7.8 ...`).
    pub fn wire_lines(&self) -> Vec<String> {
        let last = self.lines.len().saturating_sub(1);
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let sep = if i == last { ' ' } else { '-' };
                if l.is_empty() && i == last {
                    format!("{}", self.code)
                } else {
                    format!("{}{sep}{l}", self.code)
                }
            })
            .collect()
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wire_lines().join("\n"))
    }
}

/// Input that cannot be an SMTP reply. The bytes seen are kept (lossily, cut short) as evidence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// The peer sent something that is not an SMTP reply line (an HTTP server, TLS bytes on a
    /// plaintext port, an IMAP greeting).
    #[error("not an SMTP reply: {preview:?}")]
    NotSmtp {
        /// The first bytes of the offending line, lossily decoded and shortened.
        preview: String,
        /// The looks of the bytes: TLS records and known protocols are recognised.
        looks_like: PeerBytes,
    },
}

/// What a stream of unexpected bytes looks like, for `banner.not_smtp` and `tls.mode_mismatch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerBytes {
    /// A TLS record header (handshake or alert): the port expects TLS first.
    Tls,
    /// An HTTP response.
    Http,
    /// An IMAP greeting (`* OK`).
    Imap,
    /// A POP3 greeting (`+OK`).
    Pop3,
    /// An SSH banner.
    Ssh,
    /// Anything else.
    Unknown,
}

impl PeerBytes {
    /// Classifies the first bytes a peer sent.
    pub fn classify(bytes: &[u8]) -> Self {
        match bytes {
            [0x15 | 0x16, 0x03, v, ..] if *v <= 0x04 => Self::Tls,
            b if b.starts_with(b"HTTP/") => Self::Http,
            b if b.starts_with(b"* OK") || b.starts_with(b"* PREAUTH") || b.starts_with(b"* BYE") => {
                Self::Imap
            }
            b if b.starts_with(b"+OK") || b.starts_with(b"-ERR") => Self::Pop3,
            b if b.starts_with(b"SSH-") => Self::Ssh,
            _ => Self::Unknown,
        }
    }
}

/// Shortens bytes for a preview: lossy UTF-8, control characters escaped, at most `max` chars.
pub fn preview_bytes(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n >= max {
            out.push('…');
            break;
        }
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// An incremental SMTP reply parser: feed it bytes as they arrive, take complete replies out.
///
/// It never allocates without bound: lines longer than [`MAX_LINE_LEN`] are cut (the rest of the
/// line is skipped) and replies longer than [`MAX_REPLY_LINES`] lines keep only their first lines.
#[derive(Debug)]
pub struct ReplyParser {
    lines: LineReader,
    /// Lines of the reply being assembled.
    pending: Vec<String>,
    pending_code: Option<u16>,
    pending_notes: Vec<String>,
    dropped_lines: usize,
}

impl Default for ReplyParser {
    fn default() -> Self {
        Self {
            lines: LineReader::new(MAX_LINE_LEN),
            pending: Vec::new(),
            pending_code: None,
            pending_notes: Vec::new(),
            dropped_lines: 0,
        }
    }
}

impl ReplyParser {
    /// A parser with nothing buffered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes read from the peer.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.lines.feed(bytes);
    }

    /// True when bytes of an unfinished line or reply are held.
    pub fn has_partial(&self) -> bool {
        !self.lines.buffered().is_empty() || !self.pending.is_empty()
    }

    /// Bytes received but not yet part of a complete line.
    pub fn buffered(&self) -> &[u8] {
        self.lines.buffered()
    }

    /// Takes the bytes that followed the last complete reply (used after STARTTLS's 220: any
    /// byte already buffered there was sent before the handshake, a sign of injection).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        self.lines.take_buffered()
    }

    /// Returns the next complete reply, `Ok(None)` when more bytes are needed, or an error when a
    /// line cannot be an SMTP reply line.
    pub fn next_reply(&mut self) -> Result<Option<Reply>, ReplyError> {
        while let Some(line) = self.lines.next_line() {
            let (code, last, text) = split_line(&line.bytes)?;
            if line.bare_lf {
                push_note(&mut self.pending_notes, "line ended with a bare LF instead of CRLF");
            }
            if line.cut {
                push_note(&mut self.pending_notes, &format!("line longer than {MAX_LINE_LEN} bytes was cut"));
            }
            let text = match String::from_utf8(text.to_vec()) {
                Ok(t) => t,
                Err(_) => {
                    push_note(&mut self.pending_notes, "non-UTF-8 bytes replaced with U+FFFD");
                    String::from_utf8_lossy(text).into_owned()
                }
            };
            match self.pending_code {
                None => self.pending_code = Some(code),
                Some(first) if first != code => push_note(
                    &mut self.pending_notes,
                    &format!("continuation line has code {code}, first line had {first}"),
                ),
                Some(_) => {}
            }
            if self.pending.len() < MAX_REPLY_LINES {
                self.pending.push(text);
            } else {
                self.dropped_lines += 1;
            }
            if last {
                let mut reply = Reply::new(self.pending_code.take().unwrap_or(code), self.pending.drain(..));
                if self.dropped_lines > 0 {
                    push_note(
                        &mut self.pending_notes,
                        &format!(
                            "{} further lines dropped (more than {MAX_REPLY_LINES})",
                            self.dropped_lines
                        ),
                    );
                    self.dropped_lines = 0;
                }
                reply.notes = std::mem::take(&mut self.pending_notes);
                return Ok(Some(reply));
            }
        }
        // A TLS record or another protocol's greeting may never end with LF; recognise TLS early
        // so the caller does not wait for a line that will never come.
        let buffered = self.lines.buffered();
        if self.pending.is_empty() && buffered.len() >= 3 {
            let looks_like = PeerBytes::classify(buffered);
            if looks_like == PeerBytes::Tls {
                return Err(ReplyError::NotSmtp { preview: preview_bytes(buffered, 64), looks_like });
            }
        }
        Ok(None)
    }
}

fn push_note(notes: &mut Vec<String>, note: &str) {
    if !notes.iter().any(|n| n == note) {
        notes.push(note.to_owned());
    }
}

/// Splits `NNN-text` / `NNN text` / `NNN` into code, is-last and text.
fn split_line(raw: &[u8]) -> Result<(u16, bool, &[u8]), ReplyError> {
    let not_smtp =
        || ReplyError::NotSmtp { preview: preview_bytes(raw, 64), looks_like: PeerBytes::classify(raw) };
    let digits = raw.get(..3).ok_or_else(not_smtp)?;
    if !digits.iter().all(u8::is_ascii_digit) || !(b'2'..=b'5').contains(&digits[0]) {
        return Err(not_smtp());
    }
    let code = digits.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    match raw.get(3) {
        None => Ok((code, true, &[])),
        Some(b' ') => Ok((code, true, &raw[4..])),
        Some(b'-') => Ok((code, false, &raw[4..])),
        // Some servers send a tab; treat it as the final-line separator rather than fail.
        Some(b'\t') => Ok((code, true, &raw[4..])),
        Some(_) => Err(not_smtp()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Vec<Reply> {
        let mut p = ReplyParser::new();
        p.feed(input);
        let mut out = Vec::new();
        while let Some(r) = p.next_reply().unwrap() {
            out.push(r);
        }
        out
    }

    #[test]
    fn multi_line_with_enhanced_codes() {
        let r = &parse_all(
            b"535-5.7.8 Username and Password not accepted. For more information, go to\r\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials - gsmtp\r\n",
        )[0];
        assert_eq!(r.code, 535);
        assert_eq!(r.enhanced.unwrap().to_string(), "5.7.8");
        assert_eq!(r.lines.len(), 2);
        assert!(r.message().starts_with("Username and Password not accepted."));
        assert!(r.notes.is_empty());
        assert_eq!(
            r.wire_lines()[0],
            "535-5.7.8 Username and Password not accepted. For more information, go to"
        );
    }

    #[test]
    fn byte_at_a_time_and_bare_lf() {
        let mut p = ReplyParser::new();
        let mut got = None;
        for b in b"250-first\n250 second\n" {
            p.feed(std::slice::from_ref(b));
            if let Some(r) = p.next_reply().unwrap() {
                got = Some(r);
            }
        }
        let r = got.unwrap();
        assert_eq!(r.lines, vec!["first", "second"]);
        assert_eq!(r.notes, vec!["line ended with a bare LF instead of CRLF"]);
    }

    #[test]
    fn bare_code_and_non_utf8() {
        let r = &parse_all(b"250\r\n")[0];
        assert_eq!((r.code, r.lines.len()), (250, 1));
        let r = &parse_all(b"220 caf\xe9 ready\r\n")[0];
        assert!(r.lines[0].contains('\u{fffd}'));
        assert_eq!(r.notes.len(), 1);
    }

    #[test]
    fn overlong_line_is_cut_with_note() {
        let mut input = b"220 ".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_LEN * 3));
        input.extend_from_slice(b"\r\n250 ok\r\n");
        let mut p = ReplyParser::new();
        let mut replies = Vec::new();
        for chunk in input.chunks(1000) {
            p.feed(chunk);
            while let Some(r) = p.next_reply().unwrap() {
                replies.push(r);
            }
        }
        assert_eq!(replies.len(), 2);
        assert_eq!(replies[0].lines[0].len(), MAX_LINE_LEN - 4);
        assert_eq!(replies[0].notes.len(), 1);
        assert!(replies[0].notes[0].contains("cut"));
        assert_eq!(replies[1].code, 250);
    }

    #[test]
    fn endless_reply_keeps_bounded_lines() {
        let mut p = ReplyParser::new();
        for _ in 0..10_000 {
            p.feed(b"250-more\r\n");
            assert!(p.next_reply().unwrap().is_none());
        }
        p.feed(b"250 end\r\n");
        let r = p.next_reply().unwrap().unwrap();
        assert_eq!(r.lines.len(), MAX_REPLY_LINES);
        assert!(r.notes.iter().any(|n| n.contains("dropped")));
    }

    #[test]
    fn tls_bytes_are_recognised_without_newline() {
        let mut p = ReplyParser::new();
        p.feed(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]);
        match p.next_reply() {
            Err(ReplyError::NotSmtp { looks_like: PeerBytes::Tls, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn other_protocols_are_not_smtp() {
        for (input, kind) in [
            (&b"* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"[..], PeerBytes::Imap),
            (b"HTTP/1.1 400 Bad Request\r\n", PeerBytes::Http),
            (b"+OK POP3 ready\r\n", PeerBytes::Pop3),
            (b"SSH-2.0-OpenSSH_9.2\r\n", PeerBytes::Ssh),
            (b"hello\r\n", PeerBytes::Unknown),
            (b"199 too low\r\n", PeerBytes::Unknown),
        ] {
            let mut p = ReplyParser::new();
            p.feed(input);
            match p.next_reply() {
                Err(ReplyError::NotSmtp { looks_like, .. }) => assert_eq!(looks_like, kind),
                other => panic!("{other:?}"),
            }
        }
    }
}
