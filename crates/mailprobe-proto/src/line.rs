//! Bounded line splitting shared by the SMTP and IMAP parsers.

/// One line taken from a [`LineReader`], line ending removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The line's bytes without CR LF.
    pub bytes: Vec<u8>,
    /// The line ended with LF alone.
    pub bare_lf: bool,
    /// The line was longer than the limit and only its head was kept.
    pub cut: bool,
}

/// Splits a byte stream into lines of bounded length: an overlong line keeps its first
/// `max_len` bytes and the rest, up to the next LF, is skipped.
#[derive(Debug)]
pub struct LineReader {
    buf: Vec<u8>,
    max_len: usize,
    /// Inside an overlong line: skip bytes until the next LF.
    skipping: bool,
    /// The first line in `buf` is the kept head of an overlong line.
    first_line_cut: bool,
}

impl LineReader {
    /// A reader that keeps at most `max_len` bytes of each line.
    pub fn new(max_len: usize) -> Self {
        Self { buf: Vec::new(), max_len, skipping: false, first_line_cut: false }
    }

    /// Adds bytes read from the peer.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.skipping {
            match bytes.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.skipping = false;
                    bytes = &bytes[i + 1..];
                }
                None => return,
            }
        }
        self.buf.extend_from_slice(bytes);
        let first_len = self.buf.iter().position(|&b| b == b'\n').unwrap_or(self.buf.len());
        if !self.first_line_cut && first_len > self.max_len {
            let complete = first_len < self.buf.len();
            self.buf.drain(self.max_len..first_len);
            if !complete {
                self.buf.push(b'\n');
                self.skipping = true;
            }
            self.first_line_cut = true;
        }
    }

    /// The next complete line, if one is buffered.
    pub fn next_line(&mut self) -> Option<Line> {
        let lf = self.buf.iter().position(|&b| b == b'\n')?;
        let mut bytes: Vec<u8> = self.buf.drain(..=lf).collect();
        bytes.pop();
        let cut = std::mem::take(&mut self.first_line_cut);
        let bare_lf = bytes.last() != Some(&b'\r') && !cut;
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        // Lines fed after an overlong one may themselves be overlong; re-check the rest.
        self.feed(&[]);
        Some(Line { bytes, bare_lf, cut })
    }

    /// Bytes received but not yet part of a complete line.
    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }

    /// Takes the buffered bytes (after STARTTLS's go-ahead, leftovers were sent before the
    /// handshake: a sign of command injection or a confused middlebox).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_cuts() {
        let mut r = LineReader::new(8);
        r.feed(b"short\r\nthis line is too long\r\nok\n");
        assert_eq!(r.next_line().unwrap().bytes, b"short");
        let cut = r.next_line().unwrap();
        assert_eq!((cut.bytes.as_slice(), cut.cut, cut.bare_lf), (&b"this lin"[..], true, false));
        let last = r.next_line().unwrap();
        assert_eq!((last.bytes.as_slice(), last.bare_lf), (&b"ok"[..], true));
        assert!(r.next_line().is_none());
    }

    #[test]
    fn overlong_across_feeds_is_bounded() {
        let mut r = LineReader::new(16);
        for _ in 0..1000 {
            r.feed(&[b'a'; 100]);
            assert!(r.buffered().len() <= 17);
        }
        r.feed(b"\r\nnext\r\n");
        assert!(r.next_line().unwrap().cut);
        assert_eq!(r.next_line().unwrap().bytes, b"next");
    }
}
