//! `mailprobe auth login|status|logout`: OAuth 2.0 sign-in.
//! (Being built: the engineer who owns this file replaces this body.)

use clap::Args;

use crate::cli::GlobalArgs;

/// `mailprobe auth` flags.
#[derive(Debug, Args)]
pub struct AuthArgs {
    /// Provider.
    #[arg(long)]
    pub provider: Option<String>,
}

/// Runs `auth`.
pub async fn run(_args: &AuthArgs, _global: &GlobalArgs) -> anyhow::Result<u8> {
    anyhow::bail!("auth is being built")
}
