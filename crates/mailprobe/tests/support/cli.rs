//! Running the real binary the way a user's shell would: English, no colour, stdin given or
//! closed, stdout and stderr captured.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_mailprobe");

/// Runs `mailprobe ARGS` with `env` added and `stdin` written (None: stdin closed).
pub fn mailprobe(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailprobe");
    if let Some(bytes) = stdin {
        // dropped at the end of the statement: the binary sees the end of its input
        child.stdin.take().expect("stdin").write_all(bytes).expect("write stdin");
    }
    child.wait_with_output().expect("mailprobe ends")
}
