//! `mailprobe guide`: interactive, ordered troubleshooting.
//! (Being built: the helper that owns this file replaces this body.)

use clap::Args;

use crate::cli::GlobalArgs;

/// `mailprobe guide` flags.
#[derive(Debug, Args)]
pub struct GuideArgs {
    /// Print the checklist of this scenario as Markdown instead of asking.
    #[arg(long)]
    pub print: Option<String>,
}

/// Runs `guide`.
pub async fn run(_args: &GuideArgs, _global: &GlobalArgs) -> anyhow::Result<u8> {
    anyhow::bail!("guide is being built")
}
