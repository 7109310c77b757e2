//! A hand-made TLS ClientHello for one protocol version, and the reading of the server's first
//! answer. rustls speaks only TLS 1.2 and 1.3, but "would a device that speaks at most TLS 1.0
//! get through?" needs a TLS 1.0 ClientHello; the ServerHello's version or the alert answers it
//! without a full handshake (testssl.sh's socket mode does the same).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A TLS protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TlsVersion {
    /// TLS 1.0 (RFC 2246).
    #[serde(rename = "1.0")]
    Tls10,
    /// TLS 1.1 (RFC 4346).
    #[serde(rename = "1.1")]
    Tls11,
    /// TLS 1.2 (RFC 5246).
    #[serde(rename = "1.2")]
    Tls12,
    /// TLS 1.3 (RFC 8446).
    #[serde(rename = "1.3")]
    Tls13,
}

impl TlsVersion {
    /// The version's two wire bytes.
    pub fn wire(self) -> [u8; 2] {
        match self {
            Self::Tls10 => [3, 1],
            Self::Tls11 => [3, 2],
            Self::Tls12 => [3, 3],
            Self::Tls13 => [3, 4],
        }
    }

    /// The version two wire bytes name, if any.
    pub fn from_wire(bytes: [u8; 2]) -> Option<Self> {
        Some(match bytes {
            [3, 1] => Self::Tls10,
            [3, 2] => Self::Tls11,
            [3, 3] => Self::Tls12,
            [3, 4] => Self::Tls13,
            _ => return None,
        })
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tls10 => "TLSv1.0",
            Self::Tls11 => "TLSv1.1",
            Self::Tls12 => "TLSv1.2",
            Self::Tls13 => "TLSv1.3",
        })
    }
}

impl FromStr for TlsVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().trim_start_matches("TLSv").trim_start_matches("tls") {
            "1.0" | "1" => Ok(Self::Tls10),
            "1.1" => Ok(Self::Tls11),
            "1.2" => Ok(Self::Tls12),
            "1.3" => Ok(Self::Tls13),
            _ => Err(format!("{s:?} is not a TLS version (1.0, 1.1, 1.2, 1.3)")),
        }
    }
}

/// Builds a ClientHello record offering exactly `version`, with cipher suites and extensions a
/// client of that version sends. TLS 1.3 is offered only through `supported_versions` (with an
/// x25519 key share), so a server that answers with 1.3 really speaks it. `random` should be
/// random; servers do not check it for this purpose (the key share reuses it: no handshake is
/// ever completed with it).
pub fn client_hello(version: TlsVersion, server_name: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    let suites: Vec<u16> = match version {
        TlsVersion::Tls13 => vec![0x1301, 0x1302, 0x1303],
        TlsVersion::Tls12 => {
            vec![
                0xc02f, 0xc030, 0xc02b, 0xc02c, 0xcca8, 0xcca9, 0x009c, 0x009d, 0xc013, 0xc014, 0x002f,
                0x0035,
            ]
        }
        _ => vec![0xc013, 0xc014, 0xc009, 0xc00a, 0x002f, 0x0035, 0x000a],
    };
    let mut ext = Vec::new();
    if let Some(name) = server_name.filter(|n| !n.is_empty() && n.parse::<std::net::IpAddr>().is_err()) {
        let name = &name.as_bytes()[..name.len().min(255)];
        let mut list = vec![0u8];
        put_u16_prefixed(&mut list, name);
        let mut body = Vec::new();
        put_u16_prefixed(&mut body, &list);
        put_extension(&mut ext, 0x0000, &body);
    }
    let mut groups = Vec::new();
    put_u16_prefixed(&mut groups, &[0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]);
    put_extension(&mut ext, 0x000a, &groups);
    put_extension(&mut ext, 0x000b, &[0x01, 0x00]);
    if version >= TlsVersion::Tls12 {
        let mut algs = Vec::new();
        put_u16_prefixed(
            &mut algs,
            &[0x04, 0x01, 0x04, 0x03, 0x08, 0x04, 0x05, 0x01, 0x02, 0x01, 0x02, 0x03],
        );
        put_extension(&mut ext, 0x000d, &algs);
    }
    if version == TlsVersion::Tls13 {
        put_extension(&mut ext, 0x002b, &[0x02, 0x03, 0x04]); // supported_versions: 1.3 only
        let mut share = vec![0x00, 0x1d, 0x00, 0x20];
        share.extend_from_slice(&random);
        let mut shares = Vec::new();
        put_u16_prefixed(&mut shares, &share);
        put_extension(&mut ext, 0x0033, &shares);
        put_extension(&mut ext, 0x002d, &[0x01, 0x01]); // psk_key_exchange_modes: psk_dhe_ke
    } else {
        put_extension(&mut ext, 0xff01, &[0x00]);
    }

    let mut hello = Vec::new();
    // A 1.3 ClientHello says 1.2 here and names 1.3 in supported_versions (RFC 8446 4.1.2).
    hello.extend_from_slice(&version.min(TlsVersion::Tls12).wire());
    hello.extend_from_slice(&random);
    if version == TlsVersion::Tls13 {
        // Middlebox compatibility mode: a 32-byte legacy session id.
        hello.push(32);
        hello.extend_from_slice(&random);
    } else {
        hello.push(0);
    }
    let suite_bytes: Vec<u8> = suites.iter().flat_map(|s| s.to_be_bytes()).collect();
    put_u16_prefixed(&mut hello, &suite_bytes);
    hello.extend_from_slice(&[1, 0]); // compression: null only
    put_u16_prefixed(&mut hello, &ext);

    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&u32::try_from(hello.len()).unwrap_or(0).to_be_bytes()[1..]);
    handshake.extend_from_slice(&hello);

    // The record layer says TLS 1.0 whatever the offer, as clients do for compatibility.
    let mut record = vec![0x16, 3, 1];
    put_u16_prefixed(&mut record, &handshake);
    record
}

fn put_u16_prefixed(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&u16::try_from(bytes.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(bytes);
}

fn put_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    put_u16_prefixed(out, body);
}

/// The server's first answer to a ClientHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelloAnswer {
    /// A ServerHello choosing this version.
    Accepted(TlsVersion),
    /// A ServerHello with a version we did not offer or cannot name.
    OddVersion([u8; 2]),
    /// An alert: the server refused (70 = protocol_version, 40 = handshake_failure).
    Alert {
        /// Level: 1 warning, 2 fatal.
        level: u8,
        /// The alert description code.
        description: u8,
    },
    /// Bytes that are not a TLS record: plaintext on the port, or garbage.
    NotTls,
    /// Not enough bytes yet.
    Incomplete,
}

/// Reads the server's first TLS record from `bytes` (everything received so far).
pub fn read_hello_answer(bytes: &[u8]) -> HelloAnswer {
    let Some(header) = bytes.get(..5) else {
        return match bytes.first() {
            Some(0x15 | 0x16) | None => HelloAnswer::Incomplete,
            Some(_) => HelloAnswer::NotTls,
        };
    };
    if header[1] != 3 {
        return HelloAnswer::NotTls;
    }
    let record_len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    // A ServerHello is read inside its record: the bytes after it must not change the answer
    // (found by fuzzing: an extensions block longer than its record took its end from the next).
    let in_record = &bytes[..bytes.len().min((5 + record_len).max(9))];
    match header[0] {
        0x15 => match bytes.get(5..7) {
            Some(&[level, description]) => HelloAnswer::Alert { level, description },
            _ => HelloAnswer::Incomplete,
        },
        // Handshake record: type(1) length(3) version(2) ...
        0x16 => match bytes.get(5..11) {
            Some(&[0x02, _, _, _, a, b]) => match server_hello_supported_version(&in_record[9..]) {
                // An old server's ServerHello may end without extensions: once the whole record
                // is here, the legacy version field is the answer.
                ServerHelloVersion::Incomplete if bytes.len() < 5 + record_len => HelloAnswer::Incomplete,
                ServerHelloVersion::Incomplete => TlsVersion::from_wire([a, b])
                    .map_or(HelloAnswer::OddVersion([a, b]), HelloAnswer::Accepted),
                ServerHelloVersion::Extension(v) => {
                    TlsVersion::from_wire(v).map_or(HelloAnswer::OddVersion(v), HelloAnswer::Accepted)
                }
                ServerHelloVersion::Legacy => TlsVersion::from_wire([a, b])
                    .map_or(HelloAnswer::OddVersion([a, b]), HelloAnswer::Accepted),
            },
            Some(_) => HelloAnswer::NotTls,
            None => HelloAnswer::Incomplete,
        },
        _ => HelloAnswer::NotTls,
    }
}

enum ServerHelloVersion {
    /// No supported_versions extension: the legacy version field is the answer.
    Legacy,
    /// The version chosen in supported_versions (TLS 1.3).
    Extension([u8; 2]),
    /// The ServerHello is not all here yet.
    Incomplete,
}

/// Reads a ServerHello body (from its legacy_version on) for the supported_versions extension.
/// Anything malformed counts as "no extension": the legacy field is then the answer.
fn server_hello_supported_version(body: &[u8]) -> ServerHelloVersion {
    // version(2) random(32) session_id(1+n) cipher(2) compression(1) extensions(2+m)
    let Some(&sid_len) = body.get(34) else {
        return ServerHelloVersion::Incomplete;
    };
    let mut at = 35 + usize::from(sid_len) + 3;
    let Some(ext_len) = body.get(at..at + 2) else {
        return ServerHelloVersion::Incomplete;
    };
    let end = at + 2 + usize::from(u16::from_be_bytes([ext_len[0], ext_len[1]]));
    if body.len() < end {
        return ServerHelloVersion::Incomplete;
    }
    at += 2;
    while at + 4 <= end {
        let kind = u16::from_be_bytes([body[at], body[at + 1]]);
        let len = usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
        if kind == 0x002b && len == 2 && at + 6 <= end {
            return ServerHelloVersion::Extension([body[at + 4], body[at + 5]]);
        }
        at += 4 + len;
    }
    ServerHelloVersion::Legacy
}

/// The RFC 8446 name of an alert description.
pub fn alert_name(description: u8) -> &'static str {
    match description {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        40 => "handshake_failure",
        42 => "bad_certificate",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        109 => "missing_extension",
        112 => "unrecognized_name",
        _ => "unknown_alert",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_is_well_formed() {
        let rec = client_hello(TlsVersion::Tls10, Some("smtp.office365.com"), [7; 32]);
        assert_eq!(&rec[..3], &[0x16, 3, 1]);
        let len = usize::from(u16::from_be_bytes([rec[3], rec[4]]));
        assert_eq!(len, rec.len() - 5);
        assert_eq!(rec[5], 1);
        let hs_len = usize::from(rec[7]) << 8 | usize::from(rec[8]);
        assert_eq!(hs_len, rec.len() - 9);
        assert_eq!(&rec[9..11], &[3, 1]);
        assert!(rec.windows(18).any(|w| w == b"smtp.office365.com"));
        let no_sni = client_hello(TlsVersion::Tls12, Some("127.0.0.1"), [0; 32]);
        assert!(!no_sni.windows(9).any(|w| w == b"127.0.0.1"));
    }

    /// A ServerHello record, with a supported_versions extension when `ext` is given.
    fn server_hello(legacy: [u8; 2], ext: Option<[u8; 2]>) -> Vec<u8> {
        let mut body = legacy.to_vec();
        body.extend_from_slice(&[9; 32]);
        body.push(0);
        body.extend_from_slice(&[0x13, 0x01, 0]);
        let mut exts = Vec::new();
        if let Some(v) = ext {
            exts.extend_from_slice(&[0x00, 0x2b, 0x00, 0x02, v[0], v[1]]);
        }
        exts.extend_from_slice(&[0xff, 0x01, 0x00, 0x01, 0x00]);
        body.extend_from_slice(&u16::try_from(exts.len()).unwrap().to_be_bytes());
        body.extend_from_slice(&exts);
        let mut hs = vec![0x02, 0];
        hs.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        hs.extend_from_slice(&body);
        let mut rec = vec![0x16, 3, 3];
        rec.extend_from_slice(&u16::try_from(hs.len()).unwrap().to_be_bytes());
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn answers() {
        assert_eq!(
            read_hello_answer(&[0x15, 3, 1, 0, 2, 2, 70]),
            HelloAnswer::Alert { level: 2, description: 70 }
        );
        assert_eq!(read_hello_answer(&server_hello([3, 1], None)), HelloAnswer::Accepted(TlsVersion::Tls10));
        assert_eq!(
            read_hello_answer(&server_hello([3, 3], Some([3, 4]))),
            HelloAnswer::Accepted(TlsVersion::Tls13)
        );
        assert_eq!(read_hello_answer(&server_hello([3, 3], None)), HelloAnswer::Accepted(TlsVersion::Tls12));
        let full = server_hello([3, 3], Some([3, 4]));
        for cut in 5..full.len() {
            assert_eq!(read_hello_answer(&full[..cut]), HelloAnswer::Incomplete, "cut at {cut}");
        }
        assert_eq!(read_hello_answer(b"220 mx ESMTP"), HelloAnswer::NotTls);
        // An old server's ServerHello without extensions, complete in one record.
        let mut old = vec![0x16, 3, 1, 0, 42, 0x02, 0, 0, 38, 3, 1];
        old.extend_from_slice(&[5; 32]);
        old.extend_from_slice(&[0, 0x00, 0x2f, 0]);
        assert_eq!(read_hello_answer(&old), HelloAnswer::Accepted(TlsVersion::Tls10));
        assert_eq!(read_hello_answer(&[0x16, 3]), HelloAnswer::Incomplete);
        assert_eq!(read_hello_answer(&[]), HelloAnswer::Incomplete);
        assert_eq!(alert_name(70), "protocol_version");
        assert_eq!("1.0".parse(), Ok(TlsVersion::Tls10));
        assert_eq!(TlsVersion::Tls12.to_string(), "TLSv1.2");
    }
}
