//! Where the relay's log lines go, written as syslog lines in Postfix's smtpd wording
//! (`connect from`, `NOQUEUE: reject:`, `QUEUEID: client=`, `disconnect from ... auth=0/1`) so
//! that `mailprobe analyze` reads a relay log back like a Postfix one. Sessions are told apart by
//! the number in `mailprobe-relay/smtpd[N]`, as Postfix's are by process id.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The program name in every line.
pub const PROGRAM: &str = "mailprobe-relay";

enum Sink {
    Stderr,
    File(Mutex<File>),
    Memory(Mutex<Vec<String>>),
}

/// A log: standard error, a file (appended), or memory (tests).
#[derive(Clone)]
pub struct MailLog {
    host: Arc<str>,
    sink: Arc<Sink>,
}

impl std::fmt::Debug for MailLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match *self.sink {
            Sink::Stderr => "stderr",
            Sink::File(_) => "file",
            Sink::Memory(_) => "memory",
        };
        f.debug_struct("MailLog").field("host", &self.host).field("sink", &kind).finish()
    }
}

impl MailLog {
    /// Lines to standard error (systemd's journal picks them up).
    pub fn stderr(host: &str) -> Self {
        Self { host: host.into(), sink: Arc::new(Sink::Stderr) }
    }

    /// Lines appended to `path`.
    pub fn file(path: &Path, host: &str) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self { host: host.into(), sink: Arc::new(Sink::File(Mutex::new(file))) })
    }

    /// Lines kept in memory, read with [`MailLog::lines`].
    pub fn memory(host: &str) -> Self {
        Self { host: host.into(), sink: Arc::new(Sink::Memory(Mutex::new(Vec::new()))) }
    }

    /// The lines written so far to a memory log (empty for the others).
    pub fn lines(&self) -> Vec<String> {
        match &*self.sink {
            Sink::Memory(lines) => lines.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone(),
            _ => Vec::new(),
        }
    }

    /// Writes one line for `daemon` (`smtpd`, `qmgr`) of session or task `pid`. Control
    /// characters in `message` are replaced, so a device cannot forge a line.
    pub fn write(&self, daemon: &str, pid: u64, message: &str) {
        let time = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let clean: String = message.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
        let line = format!("{time} {} {PROGRAM}/{daemon}[{pid}]: {clean}", self.host);
        match &*self.sink {
            Sink::Stderr => {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            }
            Sink::File(file) => {
                let mut file = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                // A log that cannot be written must not stop mail: the error is dropped.
                let _ = writeln!(file, "{line}");
            }
            Sink::Memory(lines) => {
                lines.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(line);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_the_syslog_shape_and_no_control_characters() {
        let log = MailLog::memory("relay.lan");
        log.write("smtpd", 7, "connect from unknown[10.0.0.1]\r\nforged: line");
        let lines = log.lines();
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert!(
            line.contains(
                " relay.lan mailprobe-relay/smtpd[7]: connect from unknown[10.0.0.1]??forged: line"
            ),
            "{line}"
        );
        assert!(line.as_bytes()[0].is_ascii_digit());
    }
}
