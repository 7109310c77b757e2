//! `mailprobe advise`: which Microsoft 365 sending mode fits a device, and its settings.
//! (Being built: the engineer who owns this file replaces this body.)

use clap::Args;

use crate::cli::GlobalArgs;

/// `mailprobe advise` flags.
#[derive(Debug, Args)]
pub struct AdviseArgs {
    /// Provider.
    #[arg(long)]
    pub provider: Option<String>,
}

/// Runs `advise`.
pub async fn run(_args: &AdviseArgs, _global: &GlobalArgs) -> anyhow::Result<u8> {
    anyhow::bail!("advise is being built")
}
