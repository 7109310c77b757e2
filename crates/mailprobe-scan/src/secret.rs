//! Reading a target's secret from where the inventory says it is, only when the target is
//! checked. Reads are bounded (a file's first line, at most [`MAX_SECRET_BYTES`]); keyring
//! calls have a time limit; no error message ever holds the secret.

use std::io::{BufRead as _, Read as _};
use std::path::Path;
use std::time::Duration;

use mailprobe_proto::Secret;

use crate::inventory::SecretSource;

/// The longest secret read: a password is a few dozen bytes and an OAuth 2.0 access token a few
/// KB; anything longer is the wrong file, and is not read to its end.
pub const MAX_SECRET_BYTES: usize = 16 * 1024;

/// How long a keyring call may take (a keyring daemon that never answers must not hang a scan).
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a secret could not be read. The messages name the source, never the content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The environment variable is not set, empty or not UTF-8.
    #[error("the environment variable {var} (for the {what}) {problem}")]
    Env {
        /// The variable.
        var: String,
        /// Password or token.
        what: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The file could not be read, or its first line is no secret.
    #[error("the {what} file {path}: {problem}")]
    File {
        /// The file.
        path: String,
        /// Password or token.
        what: &'static str,
        /// What is wrong (an OS error, empty, too long, not UTF-8).
        problem: String,
    },
    /// The keyring has no such entry or did not answer.
    #[error("the OS keyring entry {service}/{account} (for the {what}): {problem}")]
    Keyring {
        /// The entry's service.
        service: String,
        /// The entry's account.
        account: String,
        /// Password or token.
        what: &'static str,
        /// Why.
        problem: String,
    },
}

/// Reads the secret `source` points at; `what` is `password` or `token`, for messages.
pub async fn read(source: &SecretSource, what: &'static str) -> Result<Secret, SecretError> {
    match source {
        SecretSource::Env { var } => from_env(var, what),
        SecretSource::File { path } => from_file(path, what),
        SecretSource::Keyring { service, account } => from_keyring(service, account, what).await,
    }
}

fn from_env(var: &str, what: &'static str) -> Result<Secret, SecretError> {
    let problem = match std::env::var(var) {
        Ok(v) if !v.is_empty() => return Ok(Secret::new(v)),
        Ok(_) => "is empty",
        Err(std::env::VarError::NotPresent) => "is not set",
        Err(std::env::VarError::NotUnicode(_)) => "is not valid UTF-8",
    };
    Err(SecretError::Env { var: var.to_owned(), what, problem })
}

fn from_file(path: &Path, what: &'static str) -> Result<Secret, SecretError> {
    let error = |problem: String| SecretError::File { path: path.display().to_string(), what, problem };
    let file = std::fs::File::open(path).map_err(|e| error(os_reason(&e)))?;
    let mut line = Vec::new();
    // the secret, then room for CR LF: a secret of exactly the maximum still fits
    std::io::BufReader::new(file.take(MAX_SECRET_BYTES as u64 + 2))
        .read_until(b'\n', &mut line)
        .map_err(|e| error(os_reason(&e)))?;
    let ended = line.last() == Some(&b'\n');
    if ended {
        line.pop();
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.len() > MAX_SECRET_BYTES {
        return Err(error(format!(
            "its first line is longer than {} KB, longer than any {what} (is it the right file?)",
            MAX_SECRET_BYTES / 1024
        )));
    }
    let text = String::from_utf8(line).map_err(|_| error("it is not UTF-8 text".into()))?;
    if text.is_empty() {
        return Err(error("it is empty".into()));
    }
    Ok(Secret::new(text))
}

/// An OS error without anything read from the file.
fn os_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
async fn from_keyring(service: &str, account: &str, what: &'static str) -> Result<Secret, SecretError> {
    let error = |problem: String| SecretError::Keyring {
        service: service.to_owned(),
        account: account.to_owned(),
        what,
        problem,
    };
    let (s, a) = (service.to_owned(), account.to_owned());
    // the keyring crate blocks (and may run its own event loop): keep it off the async runtime
    let task = tokio::task::spawn_blocking(move || entry(&s, &a)?.get_password());
    let value = match tokio::time::timeout(KEYRING_TIMEOUT, task).await {
        Ok(Ok(Ok(v))) => v,
        Ok(Ok(Err(keyring::Error::NoEntry))) => return Err(error("no such entry".into())),
        // the crate's messages can be long platform errors; keep the first line
        Ok(Ok(Err(e))) => {
            return Err(error(e.to_string().lines().next().unwrap_or("keyring error").to_owned()));
        }
        Ok(Err(_)) => return Err(error("the keyring call failed".into())),
        Err(_) => return Err(error(format!("no answer within {} s", KEYRING_TIMEOUT.as_secs()))),
    };
    if value.is_empty() {
        return Err(error("it is empty".into()));
    }
    if value.len() > MAX_SECRET_BYTES {
        return Err(error(format!("longer than {} KB, longer than any {what}", MAX_SECRET_BYTES / 1024)));
    }
    Ok(Secret::new(value))
}

/// The keyring entry of `service` and `account`. On Linux, the Secret Service item whose
/// `service` and `username` attributes are these, whatever else it has: what `secret-tool store
/// service SERVICE username ACCOUNT` writes as well as what the keyring crate (and so `mailprobe
/// auth`) writes, which adds a `target`.
#[cfg(target_os = "linux")]
fn entry(service: &str, account: &str) -> keyring::Result<keyring::Entry> {
    let credential = keyring::secret_service::SsCredential::new_with_no_target(service, account)?;
    Ok(keyring::Entry::new_with_credential(Box::new(credential)))
}

#[cfg(any(target_os = "macos", windows))]
fn entry(service: &str, account: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(service, account)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
async fn from_keyring(service: &str, account: &str, what: &'static str) -> Result<Secret, SecretError> {
    Err(SecretError::Keyring {
        service: service.to_owned(),
        account: account.to_owned(),
        what,
        problem: "no OS keyring support on this platform".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
    }

    #[test]
    fn files_are_read_with_a_bound_and_errors_hide_the_content() {
        let dir = std::env::temp_dir().join(format!("mailprobe-scan-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pw");
        let read_file = |bytes: &[u8]| {
            std::fs::write(&file, bytes).unwrap();
            block(read(&SecretSource::File { path: file.clone() }, "password"))
        };
        assert_eq!(read_file(b"s3cret\r\nsecond line\n").unwrap().expose(), "s3cret");
        assert_eq!(read_file(&[b'x'; MAX_SECRET_BYTES]).unwrap().expose().len(), MAX_SECRET_BYTES);
        let e = read_file(&[b'x'; MAX_SECRET_BYTES + 1]).unwrap_err().to_string();
        assert!(e.contains("longer than 16 KB") && !e.contains("xxx"), "{e}");
        let e = read_file(&[0xff, b'c', b'a', b'n', b'a', b'r', b'y']).unwrap_err().to_string();
        assert!(e.contains("not UTF-8") && !e.contains("canary"), "{e}");
        assert!(read_file(b"\n").unwrap_err().to_string().contains("empty"));
        let e = block(read(&SecretSource::File { path: "/dev/zero".into() }, "token")).unwrap_err();
        assert!(e.to_string().contains("longer than"), "{e}");
        let e = block(read(&SecretSource::File { path: dir.join("missing") }, "password")).unwrap_err();
        assert!(e.to_string().ends_with("no such file"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn environment_variables() {
        let e = block(read(&SecretSource::Env { var: "MAILPROBE_SCAN_SURELY_UNSET".into() }, "password"));
        assert_eq!(
            e.unwrap_err().to_string(),
            "the environment variable MAILPROBE_SCAN_SURELY_UNSET (for the password) is not set"
        );
        // PATH is set in every test environment; its value stands in for a secret
        let path = std::env::var("PATH").unwrap();
        assert_eq!(
            block(read(&SecretSource::Env { var: "PATH".into() }, "password")).unwrap().expose(),
            path
        );
    }
}
