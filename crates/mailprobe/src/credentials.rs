//! Where secrets come from: an environment variable, a file, standard input, or a no-echo
//! prompt on a terminal. Never a command-line argument (visible in `ps` and shell history), and
//! never echoed back in an error.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use mailprobe_proto::Secret;

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

/// Reads a secret from the first line of a file.
pub fn from_file(path: &Path, what: &str) -> Result<Secret> {
    // The error names the file and the OS reason only: never the content.
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read the {what} file {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the {what} file {} is not UTF-8 text", path.display()))?;
    first_line(&text).with_context(|| format!("the {what} file {} is empty", path.display()))
}

/// Reads a secret from the first line of standard input.
pub fn from_stdin(what: &str) -> Result<Secret> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("cannot read the {what} from standard input"))?;
    first_line(&line).with_context(|| format!("no {what} on standard input"))
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

fn first_line(text: &str) -> Option<Secret> {
    let line = text.lines().next()?.trim_end_matches('\r');
    (!line.is_empty()).then(|| Secret::new(line))
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
}
