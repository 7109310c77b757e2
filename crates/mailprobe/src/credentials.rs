//! Where secrets come from: an environment variable, a file, standard input, or a no-echo
//! prompt on a terminal. Never a command-line argument (visible in `ps` and shell history), and
//! never echoed back in an error.

use std::io::{BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use mailprobe_proto::Secret;

/// The longest secret read from a file or standard input. A password is a few dozen bytes and an
/// OAuth 2.0 access token a few KB (Microsoft's, with many claims, 2 to 4 KB): anything longer
/// is not a secret but the wrong file (or `/dev/zero`), and is not read to its end.
pub const MAX_SECRET_BYTES: usize = 16 * 1024;

/// One line read with a bound.
#[derive(Debug, PartialEq, Eq)]
pub enum BoundedLine {
    /// The line, without its line ending (CR LF or LF).
    Line(Vec<u8>),
    /// The input ended before any byte.
    End,
    /// No line ending within the bound: the rest was not read.
    TooLong,
}

/// Reads one line of at most `max` bytes (its line ending aside) from `input`, never more than
/// `max + 2` bytes, so that an endless input (`/dev/zero`, a big file) costs a few KB at most.
pub fn read_line_bounded(input: &mut impl BufRead, max: usize) -> std::io::Result<BoundedLine> {
    let mut line = Vec::new();
    // max bytes, then room for CR LF: a line of exactly `max` bytes still fits.
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(2);
    input.take(limit).read_until(b'\n', &mut line)?;
    let ended = line.last() == Some(&b'\n');
    if line.is_empty() {
        return Ok(BoundedLine::End);
    }
    if ended {
        line.pop();
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.len() > max {
        return Ok(BoundedLine::TooLong);
    }
    Ok(BoundedLine::Line(line))
}

/// Reads a secret from the environment variable `var`.
pub fn from_env(var: &str, what: &str) -> Result<Secret> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
        Ok(_) => bail!("the environment variable {var} (for the {what}) is empty"),
        Err(std::env::VarError::NotPresent) => {
            bail!("the environment variable {var} (for the {what}) is not set")
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("the environment variable {var} (for the {what}) is not valid UTF-8")
        }
    }
}

/// Reads a secret from the first line of a file; only that line is read, and at most
/// [`MAX_SECRET_BYTES`] of it.
pub fn from_file(path: &Path, what: &str) -> Result<Secret> {
    // The error names the file and the OS reason only: never the content.
    let cannot = || format!("cannot read the {what} file {}", path.display());
    let file = std::fs::File::open(path).with_context(cannot)?;
    let line =
        read_line_bounded(&mut std::io::BufReader::new(file), MAX_SECRET_BYTES).with_context(cannot)?;
    let source = format!("the {what} file {}", path.display());
    secret_of(line, &source, what, "is it the right file?")
}

/// Reads a secret from the first line of standard input (at most [`MAX_SECRET_BYTES`]).
pub fn from_stdin(what: &str) -> Result<Secret> {
    let line = read_line_bounded(&mut std::io::stdin().lock(), MAX_SECRET_BYTES)
        .with_context(|| format!("cannot read the {what} from standard input"))?;
    match line {
        BoundedLine::End => bail!("no {what} on standard input"),
        line => {
            secret_of(line, &format!("standard input (for the {what})"), what, "is the right input piped in?")
        }
    }
}

/// The secret of a line read from `source`, or why there is none (never quoting the content).
fn secret_of(line: BoundedLine, source: &str, what: &str, check: &str) -> Result<Secret> {
    let bytes = match line {
        BoundedLine::Line(bytes) => bytes,
        BoundedLine::End => bail!("{source} is empty"),
        BoundedLine::TooLong => bail!(
            "{source} is too large: its first line is longer than {} KB, longer than any {what} can be \
             ({check})",
            MAX_SECRET_BYTES / 1024
        ),
    };
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{source} is not UTF-8 text"))?;
    if text.is_empty() {
        bail!("{source} is empty");
    }
    Ok(Secret::new(text))
}

/// Asks on the terminal without echo; `None` when there is no terminal to ask on.
pub fn prompt(what: &str, user: &str) -> Result<Option<Secret>> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(None);
    }
    let value = rpassword::prompt_password(format!("{what} for {user}: "))
        .context("cannot read from the terminal")?;
    Ok(Some(Secret::new(value)))
}

/// A stored sign-in's access token for `diagnose --auth xoauth2|oauthbearer` without
/// `--token-*` (refreshed first when it expires within a minute; a failed refresh is handed
/// back as evidence, not an error), for callers outside the async runtime's reach (`diagnose`
/// reads its secrets synchronously): runs on a helper thread with a runtime of its own.
pub fn stored_token_blocking(timeout: f64, ca_file: Option<PathBuf>) -> Result<mailprobe_oauth::StoredToken> {
    let timeout = Duration::from_secs_f64(timeout.max(1.0));
    std::thread::spawn(move || -> Result<mailprobe_oauth::StoredToken> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        rt.block_on(async {
            let store = mailprobe_oauth::Store::open()?;
            Ok(mailprobe_oauth::stored_access_token(&store, None, timeout, ca_file.as_deref()).await?)
        })
    })
    .join()
    .map_err(|_| anyhow::anyhow!("reading the stored sign-in failed"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_contain_the_secret() {
        // SAFETY-free: the test sets a variable only it reads.
        let dir = std::env::temp_dir().join(format!("mailprobe-cred-{}", std::process::id()));
        std::fs::write(&dir, [0xff, b'p', b'w']).unwrap();
        let err = from_file(&dir, "password").unwrap_err();
        assert!(!format!("{err:#}").contains("pw"), "{err:#}");
        std::fs::write(&dir, "s3cret-line\nsecond\n").unwrap();
        assert_eq!(from_file(&dir, "password").unwrap().expose(), "s3cret-line");
        std::fs::remove_file(&dir).unwrap();
        let err = from_file(Path::new("/nonexistent/x"), "password").unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent/x"));
    }

    /// Issue 17 item 3: a secret is one line of a few KB; what is longer is not read to its end.
    #[test]
    fn lines_are_read_with_a_bound() {
        let read = |bytes: &[u8], max| read_line_bounded(&mut &bytes[..], max).unwrap();
        assert_eq!(read(b"pw\r\nrest", 8), BoundedLine::Line(b"pw".to_vec()));
        assert_eq!(read(b"pw\r", 8), BoundedLine::Line(b"pw".to_vec()));
        assert_eq!(read(b"12345678\r\n", 8), BoundedLine::Line(b"12345678".to_vec()));
        assert_eq!(read(b"12345678", 8), BoundedLine::Line(b"12345678".to_vec()));
        assert_eq!(read(b"123456789\n", 8), BoundedLine::TooLong);
        assert_eq!(read(b"", 8), BoundedLine::End);
        assert_eq!(read(b"\n", 8), BoundedLine::Line(Vec::new()));
        // An endless input: only max + 2 bytes are taken from it.
        let mut zeros = std::io::BufReader::new(std::io::repeat(0));
        assert_eq!(read_line_bounded(&mut zeros, 1024).unwrap(), BoundedLine::TooLong);
        let err = from_file(Path::new("/dev/zero"), "password").unwrap_err();
        assert!(format!("{err:#}").contains("too large"), "{err:#}");
    }
}
