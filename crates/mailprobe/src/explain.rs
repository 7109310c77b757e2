//! `mailprobe explain`: anything a person can paste — a server reply, a bare code (`5.7.60`,
//! `4af4`), a 334 challenge, a library's error message, a few log lines — read by
//! `mailprobe_checks::explain` and printed as text, JSON or HTML.

use std::io::{IsTerminal, Read};

use anyhow::{Context as _, bail};
use clap::Args;
use mailprobe_checks::explain::MAX_TEXT_BYTES;
use mailprobe_checks::{ExplainRequest, explain};
use mailprobe_proto::Stage;
use mailprobe_report::explain as report;

use crate::cli::GlobalArgs;
use crate::global;

/// `mailprobe explain` flags.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Provider (gmail, m365, outlook); `auto` guesses it from host names and reply texts in
    /// what was pasted.
    #[arg(long, default_value = "auto")]
    pub provider: String,
    /// The session stage the evidence belongs to when the text does not show the command it
    /// answered (resolve, connect, tls, banner, ehlo, auth, mail_from, rcpt_to, data).
    #[arg(long, value_name = "STAGE", value_parser = parse_stage)]
    pub stage: Option<Stage>,
    /// What to explain, as words joined by spaces; `-` (or nothing, from a pipe) reads standard
    /// input. Put `--` before text that starts with `-` (`-- "-> EHLO"`).
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,
}

fn parse_stage(s: &str) -> Result<Stage, String> {
    let name = s.trim().to_ascii_lowercase().replace('-', "_");
    serde_json::from_value::<Stage>(serde_json::Value::String(name)).map_err(|_| {
        format!(
            "{s:?} is not a stage; stages: resolve, connect, tls, banner, ehlo, auth, mail_from, rcpt_to, \
             data, capability, quit, unknown"
        )
    })
}

/// Runs `explain`: 0 when no error finding results (or nothing was recognised), 1 when one does.
pub async fn run(args: &ExplainArgs, global: &GlobalArgs) -> anyhow::Result<u8> {
    let provider = match args.provider.trim() {
        "" | "auto" => None,
        id => Some(mailprobe_checks::provider::named(id)?.id.to_owned()),
    };
    let text = read_input(&args.text)?;
    let env = global::check_env(global, mailprobe_net::TrustStore::system());
    let report = explain(&ExplainRequest { text, provider, stage: args.stage }, &env)?;
    global::print(&report, global, || report::text(&report, &global::style(global)));
    Ok(report.exit_code())
}

/// The text to explain: the words given, or standard input (bounded).
fn read_input(words: &[String]) -> anyhow::Result<Vec<u8>> {
    let from_stdin = match words {
        [dash] if dash == "-" => true,
        [] if !std::io::stdin().is_terminal() => true,
        [] => bail!(
            "nothing to explain: give the text (mailprobe explain 535 5.7.8 Username and Password not accepted) \
             or - to read it from standard input"
        ),
        _ => false,
    };
    if !from_stdin {
        return Ok(words.join(" ").into_bytes());
    }
    let mut buf = Vec::new();
    // One byte more than is read, so that the reader can say the input was cut.
    std::io::stdin()
        .lock()
        .take(MAX_TEXT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .context("cannot read standard input")?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_parse() {
        assert_eq!(parse_stage("auth"), Ok(Stage::Auth));
        assert_eq!(parse_stage("MAIL-FROM"), Ok(Stage::MailFrom));
        assert!(parse_stage("login").is_err());
    }
}
