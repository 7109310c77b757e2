//! The clock check, sans I/O: SNTP (RFC 4330) requests and replies, the HTTP `Date` header,
//! the offset between the local clock and a reference, and how bad it is. OAuth tokens carry
//! issue and expiry times, so a clock minutes off makes a good token look expired or not yet
//! valid.

use serde::{Deserialize, Serialize};

/// Above this difference (5 minutes, the usual token leeway) token checks fail: an error.
pub const CLOCK_ERROR_MS: i64 = 5 * 60 * 1000;
/// Above this difference (1 minute) it is worth fixing before it grows: a warning.
pub const CLOCK_WARNING_MS: i64 = 60 * 1000;

/// Seconds between the NTP era 0 (1900-01-01) and the Unix epoch.
const NTP_UNIX_OFFSET: f64 = 2_208_988_800.0;
/// Length of an SNTP packet without extensions.
pub const SNTP_PACKET_LEN: usize = 48;

/// Where the reference time came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockSource {
    /// An SNTP/NTP server.
    Sntp,
    /// The `Date` header of an HTTP(S) response (one-second precision).
    HttpDate,
    /// A token's `iat` / `nbf` in the future (a lower bound of how far behind the clock is).
    Token,
}

/// How far off the clock is, judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockLevel {
    /// Within a minute.
    Ok,
    /// Between one and five minutes.
    Warning,
    /// Over five minutes: tokens and certificates may be refused.
    Error,
    /// No usable answer.
    Unknown,
}

/// Judges an offset in milliseconds (either sign).
pub fn clock_level(offset_ms: i64) -> ClockLevel {
    let off = offset_ms.unsigned_abs();
    if off > CLOCK_ERROR_MS.unsigned_abs() {
        ClockLevel::Error
    } else if off > CLOCK_WARNING_MS.unsigned_abs() {
        ClockLevel::Warning
    } else {
        ClockLevel::Ok
    }
}

/// One comparison of the local clock with a reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockCheck {
    /// SNTP, an HTTP `Date`, or a token's times.
    pub source: ClockSource,
    /// The server asked (`pool.ntp.org:123`, a URL, the token's issuer).
    pub server: String,
    /// Reference minus local clock, ms: positive when the local clock is behind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_ms: Option<i64>,
    /// The round trip of the query, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_trip_ms: Option<u64>,
    /// The verdict.
    pub level: ClockLevel,
    /// Why there is no offset (timeout, bad reply), or a remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ClockCheck {
    /// A check that produced an offset.
    pub fn measured(
        source: ClockSource,
        server: impl Into<String>,
        offset_ms: i64,
        round_trip_ms: Option<u64>,
    ) -> Self {
        Self {
            source,
            server: server.into(),
            offset_ms: Some(offset_ms),
            round_trip_ms,
            level: clock_level(offset_ms),
            detail: None,
        }
    }

    /// A check that did not get an answer.
    pub fn failed(source: ClockSource, server: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            source,
            server: server.into(),
            offset_ms: None,
            round_trip_ms: None,
            level: ClockLevel::Unknown,
            detail: Some(detail.into()),
        }
    }

    /// "90 s behind", "10 min ahead", "in sync".
    pub fn describe(&self) -> String {
        let Some(off) = self.offset_ms else {
            return format!("no answer: {}", self.detail.as_deref().unwrap_or("unknown"));
        };
        let secs = off.unsigned_abs() as f64 / 1000.0;
        let amount = if secs >= 120.0 { format!("{:.0} min", secs / 60.0) } else { format!("{secs:.1} s") };
        match off {
            0 => "in sync".to_owned(),
            o if o > 0 => format!("local clock {amount} behind"),
            _ => format!("local clock {amount} ahead"),
        }
    }
}

/// Unix seconds (with fraction) as a 64-bit NTP timestamp.
pub fn ntp_timestamp(unix_secs: f64) -> [u8; 8] {
    let t = unix_secs + NTP_UNIX_OFFSET;
    let secs = t.floor();
    let frac = ((t - secs) * 4_294_967_296.0) as u64;
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&((secs as u64 & 0xffff_ffff) as u32).to_be_bytes());
    out[4..].copy_from_slice(&(frac.min(0xffff_ffff) as u32).to_be_bytes());
    out
}

/// A 64-bit NTP timestamp as Unix seconds (era 0; fine until 2036).
pub fn unix_from_ntp(bytes: &[u8]) -> f64 {
    let secs = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as f64;
    let frac = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as f64 / 4_294_967_296.0;
    secs + frac - NTP_UNIX_OFFSET
}

/// An SNTP client request (version 4, mode 3) sent at local time `t1` (Unix seconds).
pub fn sntp_request(t1: f64) -> [u8; SNTP_PACKET_LEN] {
    let mut p = [0u8; SNTP_PACKET_LEN];
    p[0] = 0x23; // LI 0, VN 4, mode 3 (client)
    p[40..48].copy_from_slice(&ntp_timestamp(t1));
    p
}

/// A parsed SNTP reply.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SntpSample {
    /// Reference minus local clock, seconds.
    pub offset: f64,
    /// Round-trip delay, seconds.
    pub delay: f64,
    /// The server's stratum.
    pub stratum: u8,
}

/// Reads a server's reply to [`sntp_request`] sent at `t1` and received at `t4` (local Unix
/// seconds): offset = ((T2 − T1) + (T3 − T4)) / 2, delay = (T4 − T1) − (T3 − T2).
pub fn parse_sntp_reply(
    reply: &[u8],
    request: &[u8; SNTP_PACKET_LEN],
    t1: f64,
    t4: f64,
) -> Result<SntpSample, String> {
    if reply.len() < SNTP_PACKET_LEN {
        return Err(format!("short reply ({} bytes)", reply.len()));
    }
    let mode = reply[0] & 0x07;
    if mode != 4 && mode != 5 {
        return Err(format!("not a server reply (mode {mode})"));
    }
    let stratum = reply[1];
    if stratum == 0 {
        let code = String::from_utf8_lossy(&reply[12..16]).trim_end_matches('\0').to_owned();
        return Err(format!("kiss-o'-death {code:?}"));
    }
    if reply[0] >> 6 == 3 {
        return Err("the server's clock is not synchronized (leap indicator 3)".to_owned());
    }
    // RFC 4330 §5: the originate timestamp must be the one we sent
    if reply[24..32] != request[40..48] {
        return Err("the reply does not answer our request (originate timestamp differs)".to_owned());
    }
    let t2 = unix_from_ntp(&reply[32..40]);
    let t3 = unix_from_ntp(&reply[40..48]);
    if t3 == -NTP_UNIX_OFFSET {
        return Err("the reply has no transmit timestamp".to_owned());
    }
    Ok(SntpSample { offset: ((t2 - t1) + (t3 - t4)) / 2.0, delay: (t4 - t1) - (t3 - t2), stratum })
}

/// A server's reply to `request`, for a responder whose clock reads `now` (Unix seconds) —
/// what tests use to play an NTP server with a deliberate offset.
pub fn sntp_server_reply(request: &[u8], now: f64) -> Option<[u8; SNTP_PACKET_LEN]> {
    if request.len() < SNTP_PACKET_LEN || request[0] & 0x07 != 3 {
        return None;
    }
    let mut p = [0u8; SNTP_PACKET_LEN];
    p[0] = (request[0] & 0x38) | 0x04; // LI 0, the client's version, mode 4 (server)
    p[1] = 2; // stratum
    p[2] = request[2];
    p[3] = 0xec; // precision ~ 2^-20 s
    p[12..16].copy_from_slice(b"LOCL");
    p[16..24].copy_from_slice(&ntp_timestamp(now));
    p[24..32].copy_from_slice(&request[40..48]);
    p[32..40].copy_from_slice(&ntp_timestamp(now));
    p[40..48].copy_from_slice(&ntp_timestamp(now));
    Some(p)
}

/// Parses an HTTP `Date` value (IMF-fixdate, RFC 9110: `Sun, 06 Nov 1994 08:49:37 GMT`) to
/// Unix seconds.
pub fn parse_http_date(value: &str) -> Option<i64> {
    let mut w = value.split_whitespace();
    let (_day, d, mon, y, hms, zone) = (w.next()?, w.next()?, w.next()?, w.next()?, w.next()?, w.next()?);
    if zone != "GMT" && zone != "UTC" {
        return None;
    }
    let day: i64 = d.parse().ok()?;
    let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .iter()
        .position(|m| m.eq_ignore_ascii_case(mon))? as i64
        + 1;
    let year: i64 = y.parse().ok()?;
    let mut t = hms.split(':');
    let (h, m, s): (i64, i64, i64) =
        (t.next()?.parse().ok()?, t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_thresholds() {
        assert_eq!(clock_level(0), ClockLevel::Ok);
        assert_eq!(clock_level(-60_000), ClockLevel::Ok);
        assert_eq!(clock_level(90_000), ClockLevel::Warning);
        assert_eq!(clock_level(-300_000), ClockLevel::Warning);
        assert_eq!(clock_level(600_000), ClockLevel::Error);
        assert_eq!(clock_level(i64::MIN), ClockLevel::Error);
    }

    #[test]
    fn sntp_round_trip_measures_the_offset() {
        let t1 = 1_800_000_000.25;
        let req = sntp_request(t1);
        // a server 90 s ahead answering after 10 ms of network each way
        let reply = sntp_server_reply(&req, t1 + 0.010 + 90.0).unwrap();
        let s = parse_sntp_reply(&reply, &req, t1, t1 + 0.020).unwrap();
        assert!((s.offset - 90.0).abs() < 0.001, "{s:?}");
        assert!((s.delay - 0.020).abs() < 0.001, "{s:?}");
        let check = ClockCheck::measured(ClockSource::Sntp, "x", (s.offset * 1000.0).round() as i64, None);
        assert_eq!(check.level, ClockLevel::Warning);
        assert_eq!(check.describe(), "local clock 90.0 s behind");
    }

    #[test]
    fn bad_replies_are_refused() {
        let req = sntp_request(1_800_000_000.0);
        let mut reply = sntp_server_reply(&req, 1_800_000_000.0).unwrap();
        assert!(parse_sntp_reply(&reply[..20], &req, 0.0, 0.0).is_err());
        reply[24] ^= 1;
        assert!(parse_sntp_reply(&reply, &req, 0.0, 0.0).unwrap_err().contains("originate"));
        let mut kod = sntp_server_reply(&req, 1.0).unwrap();
        kod[1] = 0;
        kod[12..16].copy_from_slice(b"RATE");
        assert!(parse_sntp_reply(&kod, &req, 0.0, 0.0).unwrap_err().contains("RATE"));
        assert!(sntp_server_reply(&[0u8; 48], 1.0).is_none());
    }

    #[test]
    fn http_dates_parse() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Mon, 23 Nov 2026 19:29:25 GMT"), Some(1_795_462_165));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("garbage"), None);
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            ClockCheck::measured(ClockSource::Sntp, "x", -600_000, None).describe(),
            "local clock 10 min ahead"
        );
        assert_eq!(
            ClockCheck::failed(ClockSource::Sntp, "x", "timed out").describe(),
            "no answer: timed out"
        );
    }
}
