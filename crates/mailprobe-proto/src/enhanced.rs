//! RFC 3463 enhanced status codes (`5.7.8`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An RFC 3463 enhanced status code: `class.subject.detail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnhancedCode {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// Subject, 0..=999 (RFC 3463 allows up to three digits).
    pub subject: u16,
    /// Detail, 0..=999.
    pub detail: u16,
}

impl EnhancedCode {
    /// Builds a code; returns `None` when a part is out of range.
    pub fn new(class: u8, subject: u16, detail: u16) -> Option<Self> {
        (matches!(class, 2 | 4 | 5) && subject < 1000 && detail < 1000).then_some(Self {
            class,
            subject,
            detail,
        })
    }

    /// Parses a code at the start of `text`, returning it and the rest of the text after the
    /// separating whitespace. Accepts only a code followed by whitespace or the end of text, so
    /// `5.7.8.` or `2.0.0abc` are not codes. A documented range (`5.7.606-649`, as Microsoft's
    /// NDR pages write a family of codes and users paste them) gives its first code.
    pub fn parse_prefix(text: &str) -> Option<(Self, &str)> {
        let end = text.find(|c: char| c.is_ascii_whitespace()).unwrap_or(text.len());
        let word = &text[..end];
        let code = word.parse().ok().or_else(|| {
            let (first, last) = word.split_once('-')?;
            let range_end = !last.is_empty() && last.len() <= 3 && last.bytes().all(|b| b.is_ascii_digit());
            range_end.then(|| first.parse().ok()).flatten()
        })?;
        Some((code, text[end..].trim_start()))
    }

    /// Finds the first enhanced code anywhere in free text (a pasted log line, a library's error
    /// message), bounded so `10.5.7.8` or version numbers like `1.2.3.4` do not count.
    pub fn find_in(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        (0..bytes.len()).find_map(|i| {
            let before_ok = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.');
            if !before_ok || !matches!(bytes[i], b'2' | b'4' | b'5') {
                return None;
            }
            let rest = &text[i..];
            let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
            let candidate = rest[..end].trim_end_matches('.');
            // A trailing dot is punctuation ("failed: 5.7.8."), anything else after is not a code.
            let after = rest[candidate.len()..].chars().next();
            if matches!(after, Some(c) if c.is_ascii_alphanumeric()) {
                return None;
            }
            candidate.parse().ok()
        })
    }
}

impl FromStr for EnhancedCode {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let mut parts = s.split('.');
        let (Some(c), Some(sub), Some(det), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(());
        };
        let digits =
            |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
        if !(digits(c, 1) && digits(sub, 3) && digits(det, 3)) {
            return Err(());
        }
        Self::new(c.parse().map_err(|_| ())?, sub.parse().map_err(|_| ())?, det.parse().map_err(|_| ())?)
            .ok_or(())
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

impl Serialize for EnhancedCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EnhancedCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|()| serde::de::Error::custom(format!("not an enhanced status code: {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes() {
        assert_eq!("5.7.8".parse(), Ok(EnhancedCode { class: 5, subject: 7, detail: 8 }));
        assert_eq!("5.7.139".parse(), Ok(EnhancedCode { class: 5, subject: 7, detail: 139 }));
        assert!("3.7.8".parse::<EnhancedCode>().is_err());
        assert!("5.7".parse::<EnhancedCode>().is_err());
        assert!("5.7.8.1".parse::<EnhancedCode>().is_err());
        assert!("5.7.1000".parse::<EnhancedCode>().is_err());
    }

    #[test]
    fn prefix_needs_whitespace_or_end() {
        let (c, rest) = EnhancedCode::parse_prefix("5.7.8 Username and Password").unwrap();
        assert_eq!(c.to_string(), "5.7.8");
        assert_eq!(rest, "Username and Password");
        assert!(EnhancedCode::parse_prefix("5.7.8abc").is_none());
        let (range, rest) = EnhancedCode::parse_prefix("5.7.606-649 Access denied").unwrap();
        assert_eq!((range.to_string().as_str(), rest), ("5.7.606", "Access denied"));
        assert!(EnhancedCode::parse_prefix("5.7.606-").is_none());
        assert!(EnhancedCode::parse_prefix("5.7.606-abc").is_none());
        assert!(EnhancedCode::parse_prefix("5.7.606-6490").is_none());
    }

    #[test]
    fn finds_codes_in_free_text() {
        let f = |s: &str| EnhancedCode::find_in(s).map(|c| c.to_string());
        assert_eq!(f("SMTP error: 550 5.7.60 SMTP; Client does not have"), Some("5.7.60".into()));
        assert_eq!(f("failed: 5.7.8."), Some("5.7.8".into()));
        assert_eq!(f("version 1.2.3.4 and 10.5.7.8"), None);
        assert_eq!(f("TLS 1.2"), None);
    }
}
