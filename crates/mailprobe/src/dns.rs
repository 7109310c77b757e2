//! `mailprobe dns DOMAIN [--ip IP]`: MX, provider, SPF, DMARC, blocklists, reverse DNS.
//! (Being built: the engineer who owns this file replaces this body.)

use clap::Args;

use crate::cli::GlobalArgs;

/// `mailprobe dns` flags.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// The mail domain.
    pub domain: String,
}

/// Runs `dns`.
pub async fn run(_args: &DnsArgs, _global: &GlobalArgs) -> anyhow::Result<u8> {
    anyhow::bail!("dns is being built")
}
