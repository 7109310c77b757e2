//! `mailprobe explain`: anything a person can paste, through the same knowledge base.
//! (Being built: the helper that owns this file replaces this body.)

use clap::Args;

use crate::cli::GlobalArgs;

/// `mailprobe explain` flags.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// What to explain; `-` reads standard input.
    pub text: Vec<String>,
}

/// Runs `explain`.
pub async fn run(_args: &ExplainArgs, _global: &GlobalArgs) -> anyhow::Result<u8> {
    anyhow::bail!("explain is being built")
}
