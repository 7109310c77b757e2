//! The DATA section of a message: read line by line up to the lone `.`, dot-unstuffed, every
//! line ending written as CRLF, counted against the size limit, 8-bit bytes kept as they are.

/// A DATA line without its end yet is moved into the message once it is this long, so a very
/// long line does not sit in the input buffer.
pub(crate) const DATA_CHUNK: usize = 16 * 1024;

/// Reads DATA lines: ends at a line holding only `.` (after CRLF or a bare LF), removes the
/// stuffed dot, writes every line ending as CRLF, counts the size and stops keeping bytes past
/// the limit.
pub(crate) struct DataReader {
    /// The message's bytes not handed to the spool yet (dropped once it is too big).
    pub(crate) message: Vec<u8>,
    limit: u64,
    size: u64,
    /// The message went past the limit; it is read to its end and refused.
    pub(crate) too_big: bool,
    /// Part of the current line was moved into the message already.
    mid_line: bool,
}

impl DataReader {
    /// A reader keeping at most `limit` bytes.
    #[cfg(test)]
    pub(crate) fn new(limit: u64) -> Self {
        Self::starting_with(limit, Vec::new())
    }

    /// A reader keeping at most `limit` bytes after `first` (the relay's own trace header,
    /// not counted against the limit).
    pub(crate) fn starting_with(limit: u64, first: Vec<u8>) -> Self {
        Self { message: first, limit, size: 0, too_big: false, mid_line: false }
    }

    /// Consumes what it can of `input`; true when the end of the message was read.
    pub(crate) fn feed(&mut self, input: &mut Vec<u8>) -> bool {
        let mut start = 0;
        let done = loop {
            let rest = &input[start..];
            match rest.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    let mut line = &rest[..end];
                    if line.last() == Some(&b'\r') {
                        line = &line[..line.len() - 1];
                    }
                    let first = !std::mem::take(&mut self.mid_line);
                    if first && line == b"." {
                        start += end + 1;
                        break true;
                    }
                    if first && line.first() == Some(&b'.') {
                        line = &line[1..];
                    }
                    let line = line.to_vec();
                    self.append(&line);
                    self.append(b"\r\n");
                    start += end + 1;
                }
                None => {
                    if rest.len() >= DATA_CHUNK {
                        // A CR at the very end may be the first half of a CRLF: keep it back.
                        let keep = usize::from(rest.last() == Some(&b'\r'));
                        let mut part = &rest[..rest.len() - keep];
                        if !self.mid_line && part.first() == Some(&b'.') {
                            part = &part[1..];
                        }
                        let part = part.to_vec();
                        self.append(&part);
                        self.mid_line = true;
                        start = input.len() - keep;
                    }
                    break false;
                }
            }
        };
        input.drain(..start);
        done
    }

    fn append(&mut self, bytes: &[u8]) {
        self.size += bytes.len() as u64;
        if self.size > self.limit {
            if !self.too_big {
                self.too_big = true;
                self.message = Vec::new();
            }
        } else {
            self.message.extend_from_slice(bytes);
        }
    }
}
