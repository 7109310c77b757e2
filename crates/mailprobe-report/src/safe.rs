//! The one sanitiser of text and Markdown output (issue 17, item 5).
//!
//! Text that comes from outside — a server's replies and banner, certificate names, DNS
//! records, log lines, pasted text, file names — may hold terminal control sequences:
//! `ESC ]0;…BEL` retitles the window, `ESC [2J` clears the screen, `ESC ]8;;URL` makes a link,
//! a C1 `CSI` (U+009B) does what `ESC [` does. Written raw, they act on the reader's terminal.
//!
//! Every control character except TAB — C0 (U+0000–U+001F, CR and LF included), DEL (U+007F)
//! and C1 (U+0080–U+009F) — is written visibly instead, in one form everywhere: a Rust-style
//! escape of its code point in hex, `\u{1b}` for ESC, `\u{7}` for BEL, `\u{9b}` for CSI (the
//! form the HTML report of `analyze` writes too). The line breaks and colours the renderers
//! write themselves go around such text, never through it: a peer cannot start a line of its
//! own either.

use std::borrow::Cow;
use std::fmt::{self, Display, Write as _};

/// True for the characters written as escapes: every control (C0, DEL, C1) but TAB, and LF
/// unless `keep_newlines`.
fn escaped(c: char, keep_newlines: bool) -> bool {
    c.is_control() && c != '\t' && !(keep_newlines && c == '\n')
}

/// Writes `c` as the visible escape `\u{1b}`.
pub fn push_escape(out: &mut String, c: char) {
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

fn sanitise(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let Some(first) = s.find(|c| escaped(c, keep_newlines)) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if escaped(c, keep_newlines) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` with every control character but TAB written visibly (`\u{1b}`): for one value from
/// outside, shown on one line. Borrowed when there is nothing to escape (the usual case).
pub fn clean(s: &str) -> Cow<'_, str> {
    sanitise(s, false)
}

/// As [`clean`], but line feeds stay: for a block of text that a renderer of ours laid out in
/// lines itself (whose values were not all cleaned one by one).
pub fn clean_lines(s: &str) -> Cow<'_, str> {
    sanitise(s, true)
}

/// A value shown through [`clean`] by `Display` (`{}` in `format!`), width and alignment
/// applied to the cleaned text.
pub struct Safe<T>(pub T);

/// Wraps `value` so that formatting it writes it [`clean`]ed: `writeln!(out, "{}", safe(&x))`.
pub fn safe<T: Display>(value: T) -> Safe<T> {
    Safe(value)
}

impl<T: Display> Display for Safe<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() || f.precision().is_some() {
            // padding counts the characters shown, escapes included
            let text = self.0.to_string();
            return f.pad(&clean(&text));
        }
        // no buffer for the whole value: cleaned as it is written
        let mut out = Cleaning { f };
        write!(out, "{}", self.0)
    }
}

/// A `fmt::Write` that cleans what passes through it.
struct Cleaning<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
}

impl fmt::Write for Cleaning<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.f.write_str(&clean(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17 item 5: the sequences a hostile peer or log writes are shown, not acted on.
    #[test]
    fn controls_are_shown_not_written() {
        let hostile = "220 \u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]8;;http://x.test/\u{1b}\\link\u{1b}]8;;\u{1b}\\ \u{9b}31m\u{7f}\r\nEND";
        let shown = clean(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert_eq!(
            shown,
            "220 \\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{1b}]8;;http://x.test/\\u{1b}\\link\\u{1b}]8;;\\u{1b}\\ \\u{9b}31m\\u{7f}\\u{d}\\u{a}END"
        );
        // every C0 but TAB, DEL and every C1
        for c in (0u32..0x20).chain([0x7f]).chain(0x80..0xa0).filter_map(char::from_u32) {
            let s = c.to_string();
            if c == '\t' {
                assert_eq!(clean(&s), "\t");
            } else {
                assert_eq!(clean(&s), format!("\\u{{{:x}}}", u32::from(c)), "U+{:04X}", u32::from(c));
            }
        }
        assert_eq!(clean_lines("a\nb\u{1b}c\r\n"), "a\nb\\u{1b}c\\u{d}\n");
    }

    #[test]
    fn clean_text_is_borrowed_and_unchanged() {
        for s in ["", "535 5.7.8 Username and Password not accepted", "tab\there", "è ✓ → «»", "\u{a0}nbsp"]
        {
            assert!(matches!(clean(s), Cow::Borrowed(t) if t == s), "{s:?}");
        }
    }

    #[test]
    fn safe_formats_cleaned_with_padding() {
        assert_eq!(format!("[{}]", safe("a\u{1b}b")), "[a\\u{1b}b]");
        assert_eq!(format!("[{:<8}]", safe("a\u{7}")), "[a\\u{7}  ]");
        assert_eq!(format!("[{:>5}]", safe(42)), "[   42]");
        assert_eq!(format!("{}", safe(format_args!("x{}y", '\u{9b}'))), "x\\u{9b}y");
    }
}
