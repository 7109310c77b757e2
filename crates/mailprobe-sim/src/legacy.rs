//! What an old device puts on the wire: a TLS 1.0 ClientHello built by hand (no TLS library
//! still sends one by default), and a reader for the alert a modern server answers with. The
//! demo and the tests use them to play the scanner of the `m365-legacy-tls` scenario.

/// A TLS alert record's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlsAlert {
    /// 1 = warning, 2 = fatal.
    pub level: u8,
    /// The alert description number (RFC 8446 section 6): 70 = protocol_version.
    pub description: u8,
}

impl TlsAlert {
    /// The alert description's RFC name, e.g. `protocol_version`.
    pub fn name(&self) -> &'static str {
        match self.description {
            0 => "close_notify",
            10 => "unexpected_message",
            20 => "bad_record_mac",
            40 => "handshake_failure",
            42 => "bad_certificate",
            47 => "illegal_parameter",
            50 => "decode_error",
            51 => "decrypt_error",
            70 => "protocol_version",
            71 => "insufficient_security",
            80 => "internal_error",
            86 => "inappropriate_fallback",
            109 => "missing_extension",
            112 => "unrecognized_name",
            _ => "unknown",
        }
    }
}

/// The `protocol_version` alert description.
pub const PROTOCOL_VERSION: u8 = 70;

fn push_u16(out: &mut Vec<u8>, v: usize) {
    // Every length here is far below 64 KiB.
    out.extend_from_slice(&(v as u16).to_be_bytes());
}

/// A ClientHello as a TLS 1.0-only client sends it: record and hello version 3.1, no
/// supported_versions extension, TLS 1.0 CBC cipher suites, SNI for `server_name`.
pub fn tls10_client_hello(server_name: &str) -> Vec<u8> {
    let name = server_name.as_bytes();
    let mut ext = Vec::new();
    // server_name (0): list of one host_name.
    ext.extend_from_slice(&[0x00, 0x00]);
    push_u16(&mut ext, name.len() + 5);
    push_u16(&mut ext, name.len() + 3);
    ext.push(0);
    push_u16(&mut ext, name.len());
    ext.extend_from_slice(name);
    // supported_groups (10): secp256r1, secp384r1.
    ext.extend_from_slice(&[0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18]);
    // ec_point_formats (11): uncompressed.
    ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);

    let suites: [u16; 6] = [
        0xc00a, // ECDHE_ECDSA_WITH_AES_256_CBC_SHA
        0xc009, // ECDHE_ECDSA_WITH_AES_128_CBC_SHA
        0xc014, // ECDHE_RSA_WITH_AES_256_CBC_SHA
        0xc013, // ECDHE_RSA_WITH_AES_128_CBC_SHA
        0x002f, // RSA_WITH_AES_128_CBC_SHA
        0x000a, // RSA_WITH_3DES_EDE_CBC_SHA
    ];
    let mut body = vec![0x03, 0x01];
    body.extend((0..32u8).map(|i| i.wrapping_mul(29).wrapping_add(7)));
    body.push(0); // no session id
    push_u16(&mut body, suites.len() * 2);
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[0x01, 0x00]); // compression: null only
    push_u16(&mut body, ext.len());
    body.extend_from_slice(&ext);

    let mut handshake = vec![0x01, 0x00];
    push_u16(&mut handshake, body.len());
    handshake.extend_from_slice(&body);

    let mut record = vec![0x16, 0x03, 0x01];
    push_u16(&mut record, handshake.len());
    record.extend_from_slice(&handshake);
    record
}

/// The alert at the start of `bytes` if they begin with a plaintext TLS alert record.
pub fn read_alert(bytes: &[u8]) -> Option<TlsAlert> {
    match bytes {
        [0x15, 0x03, _, 0x00, 0x02, level, description, ..] => Some(TlsAlert {
            level: *level,
            description: *description,
        }),
        _ => None,
    }
}

/// What a ClientHello says about the newest TLS version the client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HelloVersion {
    /// TLS 1.2 or newer is offered.
    Modern,
    /// Nothing newer than TLS 1.1 is offered; the record layer's version, for the alert.
    Legacy([u8; 2]),
    /// Not a ClientHello this code can read (SSLv2 format, fragmented, garbage): let the TLS
    /// library decide.
    Unknown,
}

/// Reads the first TLS record of a connection. `None`: more bytes are needed.
pub(crate) fn hello_version(bytes: &[u8]) -> Option<HelloVersion> {
    let [0x16, major, minor, len_hi, len_lo, ..] = *bytes else {
        return if bytes.len() >= 5 || bytes.first().is_some_and(|&b| b != 0x16) {
            Some(HelloVersion::Unknown)
        } else {
            None
        };
    };
    let record_len = usize::from(u16::from_be_bytes([len_hi, len_lo]));
    if record_len > 16_384 + 2048 {
        return Some(HelloVersion::Unknown);
    }
    let record = bytes.get(5..5 + record_len)?;
    Some(read_hello(record, [major, minor]).unwrap_or(HelloVersion::Unknown))
}

fn read_hello(record: &[u8], record_version: [u8; 2]) -> Option<HelloVersion> {
    let mut r = Reader(record);
    if r.u8()? != 0x01 {
        return None;
    }
    let hs_len = r.u24()?;
    let body = r.take(hs_len)?;
    let mut r = Reader(body);
    let client_version = r.u16()?;
    r.take(32)?;
    let sid = usize::from(r.u8()?);
    r.take(sid)?;
    let suites = usize::from(r.u16()?);
    r.take(suites)?;
    let comp = usize::from(r.u8()?);
    r.take(comp)?;
    let mut newest = client_version;
    if !r.0.is_empty() {
        let ext_len = usize::from(r.u16()?);
        let mut exts = Reader(r.take(ext_len)?);
        while !exts.0.is_empty() {
            let kind = exts.u16()?;
            let len = usize::from(exts.u16()?);
            let data = exts.take(len)?;
            if kind == 0x002b {
                // supported_versions: the client's real list (TLS 1.3 clients say 1.2 above).
                let mut v = Reader(data);
                let n = usize::from(v.u8()?);
                let mut list = Reader(v.take(n)?);
                newest = 0;
                while !list.0.is_empty() {
                    let version = list.u16()?;
                    let grease = version & 0x0f0f == 0x0a0a;
                    if !grease {
                        newest = newest.max(version);
                    }
                }
            }
        }
    }
    Some(if newest >= 0x0303 {
        HelloVersion::Modern
    } else {
        HelloVersion::Legacy(record_version)
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u24(&mut self) -> Option<usize> {
        self.take(3)
            .map(|b| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
}

/// The fatal protocol_version alert record, in the client's record version.
pub(crate) fn protocol_version_alert(record_version: [u8; 2]) -> [u8; 7] {
    [
        0x15,
        record_version[0],
        record_version[1],
        0x00,
        0x02,
        0x02,
        PROTOCOL_VERSION,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_lengths_are_consistent() {
        let h = tls10_client_hello("smtp.office365.com");
        assert_eq!(&h[..3], &[0x16, 0x03, 0x01]);
        let record_len = u16::from_be_bytes([h[3], h[4]]) as usize;
        assert_eq!(record_len, h.len() - 5);
        let hs_len = u32::from_be_bytes([0, h[6], h[7], h[8]]) as usize;
        assert_eq!(hs_len, h.len() - 9);
        assert_eq!(&h[9..11], &[0x03, 0x01]);
    }

    #[test]
    fn hello_versions() {
        let h = tls10_client_hello("smtp.office365.com");
        assert_eq!(hello_version(&h), Some(HelloVersion::Legacy([3, 1])));
        assert_eq!(hello_version(&h[..h.len() - 1]), None);
        assert_eq!(hello_version(&h[..3]), None);
        let mut modern = h.clone();
        modern[9..11].copy_from_slice(&[3, 3]);
        assert_eq!(hello_version(&modern), Some(HelloVersion::Modern));
        assert_eq!(hello_version(b"EHLO x\r\n"), Some(HelloVersion::Unknown));
        assert_eq!(
            hello_version(&[0x16, 3, 1, 0, 4, 1, 0, 0, 9]),
            Some(HelloVersion::Unknown)
        );
    }

    #[test]
    fn alerts() {
        let a = read_alert(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]).unwrap();
        assert_eq!((a.level, a.name()), (2, "protocol_version"));
        assert_eq!(read_alert(b"220 hello"), None);
    }
}
