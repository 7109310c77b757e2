//! `mailprobe advise`: which Microsoft 365 sending mode fits a device, and its settings
//! (`mailprobe_checks::advise`), printed as text, Markdown, JSON or HTML.

use std::net::IpAddr;

use anyhow::Result;
use clap::{Args, ValueEnum};
use mailprobe_checks::{AdviseRequest, advise};
use mailprobe_net::TrustStore;
use mailprobe_report::advise::render;

use crate::cli::{Format, GlobalArgs};
use crate::global;

/// Yes or no.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
}

/// `mailprobe advise` flags.
#[derive(Debug, Args)]
pub struct AdviseArgs {
    /// Provider the device sends through (m365; others get their client submission settings).
    #[arg(long, default_value = "m365")]
    pub provider: String,
    /// The newest TLS version the device speaks.
    #[arg(long, value_name = "1.0|1.1|1.2|1.3", value_parser = ["1.0", "1.1", "1.2", "1.3"], default_value = "1.2")]
    pub tls: String,
    /// Whether the device can sign in with a user name and password.
    #[arg(long, value_enum, value_name = "yes|no")]
    pub can_login: Option<YesNo>,
    /// Whether it must mail recipients outside the organization.
    #[arg(long, value_enum, value_name = "yes|no")]
    pub external: Option<YesNo>,
    /// Whether it sends from a static public IP address.
    #[arg(long, value_enum, value_name = "yes|no")]
    pub static_ip: Option<YesNo>,
    /// The organization's mail domain (its MX endpoint and SPF record are looked up).
    #[arg(long, value_name = "DOMAIN")]
    pub domain: Option<String>,
    /// The device's public IP (implies --static-ip yes unless said otherwise).
    #[arg(long, value_name = "IP")]
    pub ip: Option<IpAddr>,
    /// The mailbox the device signs in with (for the PowerShell commands).
    #[arg(long, value_name = "ADDRESS")]
    pub user: Option<String>,
    /// The same as `--format markdown` (kept for scripts that used it).
    #[arg(long, hide = true)]
    pub markdown: bool,
}

/// Runs `advise`: 0 when a mode fits, 1 when none does.
pub async fn run(args: &AdviseArgs, global: &GlobalArgs) -> Result<u8> {
    let yes = |v: Option<YesNo>| v.map(|v| v == YesNo::Yes);
    let request = AdviseRequest {
        provider: args.provider.clone(),
        tls: args.tls.clone(),
        can_login: yes(args.can_login),
        external: yes(args.external),
        static_ip: yes(args.static_ip),
        domain: args.domain.clone(),
        ip: args.ip,
        user: args.user.clone(),
    };
    let env = global::check_env(global, TrustStore::system());
    let advice = advise(&request, &env).await?;
    let style = global::style(global);
    match global.format {
        Format::Markdown => global::print_str(&render(&advice, &style, true)),
        // the older `--markdown` still writes Markdown where text was asked for
        _ => global::print(&advice, global, || render(&advice, &style, args.markdown)),
    }
    Ok(advice.exit_code())
}
