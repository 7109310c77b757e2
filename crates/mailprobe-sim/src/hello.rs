//! The first look at a ClientHello, before rustls sees it: a client that offers nothing newer
//! than TLS 1.1 is answered with a fatal `protocol_version` alert. (Clients that want to play an
//! old device use `mailprobe_proto::client_hello`.)

/// The `protocol_version` alert description.
pub(crate) const PROTOCOL_VERSION: u8 = 70;

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
    Some(if newest >= 0x0303 { HelloVersion::Modern } else { HelloVersion::Legacy(record_version) })
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
        self.take(3).map(|b| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
}

/// The fatal protocol_version alert record, in the client's record version.
pub(crate) fn protocol_version_alert(record_version: [u8; 2]) -> [u8; 7] {
    [0x15, record_version[0], record_version[1], 0x00, 0x02, 0x02, PROTOCOL_VERSION]
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailprobe_proto::{TlsVersion, client_hello};

    #[test]
    fn hello_versions() {
        let h = client_hello(TlsVersion::Tls10, Some("smtp.office365.com"), [7; 32]);
        assert_eq!(hello_version(&h), Some(HelloVersion::Legacy([3, 1])));
        assert_eq!(hello_version(&h[..h.len() - 1]), None);
        assert_eq!(hello_version(&h[..3]), None);
        let h = client_hello(TlsVersion::Tls11, None, [7; 32]);
        assert_eq!(hello_version(&h), Some(HelloVersion::Legacy([3, 1])));
        let h = client_hello(TlsVersion::Tls12, None, [7; 32]);
        assert_eq!(hello_version(&h), Some(HelloVersion::Modern));
        assert_eq!(hello_version(b"EHLO x\r\n"), Some(HelloVersion::Unknown));
        assert_eq!(hello_version(&[0x16, 3, 1, 0, 4, 1, 0, 0, 9]), Some(HelloVersion::Unknown));
    }

    #[test]
    fn supported_versions_extension_wins() {
        // A TLS 1.3 client says 1.2 in the hello and lists 1.3 (and GREASE) in the extension.
        let mut hello = vec![3, 3];
        hello.extend_from_slice(&[0; 32]);
        hello.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
        let ext = [0x00, 0x2b, 0x00, 0x05, 0x04, 0x3a, 0x3a, 0x03, 0x02];
        hello.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        hello.extend_from_slice(&ext);
        let mut record = vec![0x16, 3, 1, 0, 0, 1, 0, 0, hello.len() as u8];
        record.extend_from_slice(&hello);
        let len = (record.len() - 5) as u16;
        record[3..5].copy_from_slice(&len.to_be_bytes());
        // Only 1.1 (besides GREASE) listed: legacy, whatever the hello's own version says.
        assert_eq!(hello_version(&record), Some(HelloVersion::Legacy([3, 1])));
        let n = record.len();
        record[n - 2..].copy_from_slice(&[3, 4]);
        assert_eq!(hello_version(&record), Some(HelloVersion::Modern));
    }
}
