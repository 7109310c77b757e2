//! Reading a file at an offset on every platform, as `std::os::unix::fs::FileExt` does on Unix
//! (`pread`): `analyze` reads its inputs' byte ranges and its spill files that way.

#[cfg(unix)]
pub use std::os::unix::fs::FileExt as ReadAt;

/// Reads at an offset without moving the file's cursor (Windows: `seek_read`, which moves it,
/// then the cursor put back, so a spill file's appends still land at its end).
#[cfg(windows)]
pub trait ReadAt {
    /// Reads into `buf` from `offset`; the number of bytes read (0 at the end of the file).
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize>;

    /// Fills `buf` from `offset`, or fails with `UnexpectedEof`.
    fn read_exact_at(&self, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
        while !buf.is_empty() {
            match self.read_at(buf, offset) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(windows)]
impl ReadAt for std::fs::File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        use std::io::Seek as _;
        use std::os::windows::fs::FileExt as _;
        let mut file = self;
        let cursor = file.stream_position()?;
        let read = self.seek_read(buf, offset);
        file.seek(std::io::SeekFrom::Start(cursor))?;
        read
    }
}
