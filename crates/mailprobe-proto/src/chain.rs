//! What a certificate chain as presented says, judged without I/O: does the leaf name the host,
//! how long is it valid, is the chain in order, and which issuer the server did not send.

use serde::{Deserialize, Serialize};

use crate::CertificateInfo;

/// Days before expiry from which a certificate counts as expiring soon.
pub const EXPIRES_SOON_DAYS: i64 = 30;

/// The verdicts on one presented chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainAssessment {
    /// The leaf names the host (DNS name with one-label wildcards, or IP address).
    pub name_matches: bool,
    /// Whole days until the leaf expires (negative: expired that many days ago).
    pub days_left: Option<i64>,
    /// The leaf's validity has not begun.
    pub not_yet_valid: bool,
    /// The leaf expires within [`EXPIRES_SOON_DAYS`].
    pub expires_soon: bool,
    /// Each certificate is issued by the next one sent.
    pub in_order: bool,
    /// The issuer of the last certificate sent, when that certificate is not self-issued: a root
    /// the client must already trust, or an intermediate the server failed to send.
    pub issuer_not_sent: Option<String>,
    /// The leaf is self-issued (subject = issuer).
    pub self_signed: bool,
}

/// Judges `chain` (leaf first) for `host` at `now` (Unix seconds).
pub fn assess_chain(chain: &[CertificateInfo], host: &str, now: i64) -> ChainAssessment {
    let Some(leaf) = chain.first() else {
        return ChainAssessment::default();
    };
    let not_after = unix_from_rfc3339(&leaf.not_after);
    let not_before = unix_from_rfc3339(&leaf.not_before);
    let days_left = not_after.map(|t| (t - now).div_euclid(86_400));
    let last = chain.last().unwrap_or(leaf);
    ChainAssessment {
        name_matches: leaf.names.iter().any(|n| name_matches(n, host)),
        days_left,
        not_yet_valid: not_before.is_some_and(|t| now < t),
        expires_soon: days_left.is_some_and(|d| (0..EXPIRES_SOON_DAYS).contains(&d)),
        in_order: chain.windows(2).all(|w| w[0].issuer == w[1].subject),
        issuer_not_sent: (last.issuer != last.subject).then(|| last.issuer.clone()),
        self_signed: leaf.issuer == leaf.subject,
    }
}

/// RFC 6125 matching: case-insensitive, a wildcard only as the whole left-most label and
/// matching exactly one label; an IP host matches only an IP name.
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let host = host.trim_end_matches('.').trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || pattern.parse::<std::net::IpAddr>().is_ok() {
        return match (host.parse::<std::net::IpAddr>(), pattern.parse::<std::net::IpAddr>()) {
            (Ok(h), Ok(p)) => h == p,
            _ => false,
        };
    }
    match pattern.strip_prefix("*.") {
        Some(rest) => host.split_once('.').is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
        None => pattern == host,
    }
}

/// Reads `YYYY-MM-DDTHH:MM:SSZ` (what the probe writes) into Unix seconds.
pub fn unix_from_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let offset = match &s[19..] {
        "Z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            sign * (tz[1..3].parse::<i64>().ok()? * 3600 + tz[4..6].parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(subject: &str, issuer: &str, names: &[&str], from: &str, to: &str) -> CertificateInfo {
        CertificateInfo {
            subject: subject.into(),
            issuer: issuer.into(),
            names: names.iter().map(|s| (*s).into()).collect(),
            not_before: from.into(),
            not_after: to.into(),
            ..Default::default()
        }
    }

    #[test]
    fn dates() {
        assert_eq!(unix_from_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_from_rfc3339("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(unix_from_rfc3339("2026-11-23T19:00:00+01:00"), Some(1_795_456_800));
        assert_eq!(unix_from_rfc3339("garbage"), None);
        assert_eq!(unix_from_rfc3339("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn names() {
        assert!(name_matches("*.gmail.com", "smtp.GMAIL.com"));
        assert!(!name_matches("*.gmail.com", "a.smtp.gmail.com"));
        assert!(!name_matches("*.gmail.com", "gmail.com"));
        assert!(name_matches("127.0.0.1", "127.0.0.1"));
        assert!(!name_matches("localhost", "127.0.0.1"));
        assert!(name_matches("mail.example.test.", "mail.example.test"));
    }

    #[test]
    fn chains() {
        let now = unix_from_rfc3339("2026-11-23T00:00:00Z").unwrap();
        let leaf =
            cert("CN=mx", "CN=Inter", &["mx.example.com"], "2026-01-01T00:00:00Z", "2026-12-01T00:00:00Z");
        let inter = cert("CN=Inter", "CN=Root", &[], "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z");
        let a = assess_chain(&[leaf.clone(), inter.clone()], "mx.example.com", now);
        assert!(a.name_matches && a.in_order && a.expires_soon && !a.self_signed);
        assert_eq!(a.days_left, Some(8));
        assert_eq!(a.issuer_not_sent.as_deref(), Some("CN=Root"));
        let a = assess_chain(std::slice::from_ref(&leaf), "other.example.com", now);
        assert!(!a.name_matches);
        assert_eq!(a.issuer_not_sent.as_deref(), Some("CN=Inter"));
        let expired = cert("CN=x", "CN=x", &["x"], "2019-01-01T00:00:00Z", "2020-01-01T00:00:00Z");
        let a = assess_chain(&[expired], "x", now);
        assert!(a.days_left.unwrap() < 0 && !a.expires_soon && a.self_signed && a.issuer_not_sent.is_none());
        assert!(!assess_chain(&[inter, leaf], "mx.example.com", now).in_order);
    }
}
