//! `mailprobe dns DOMAIN [--ip IP] [--dnsbl LIST...]`: the MX records and the provider they show,
//! SPF evaluated for the IP, DMARC, blocklists, reverse DNS (`mailprobe_checks::dns`), printed
//! as text, JSON or HTML. Exit status: 1 when a finding is an error (not authorized, listed,
//! broken SPF, no such domain), 0 otherwise, 2 for bad input.

use std::net::IpAddr;

use anyhow::Result;
use clap::Args;
use mailprobe_checks::{DnsRequest, dns};
use mailprobe_net::TrustStore;

use crate::cli::GlobalArgs;
use crate::global;

/// `mailprobe dns` flags.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// The mail domain (an address is taken for its domain).
    pub domain: String,
    /// The IP the device or server sends from: SPF is evaluated for it, and its blocklist
    /// listings and reverse DNS are checked.
    #[arg(long, value_name = "IP")]
    pub ip: Option<IpAddr>,
    /// A blocklist to ask about --ip: an id of the built-in list (spamhaus-zen, spamcop,
    /// barracuda, psbl) or any DNSBL zone. Repeatable; default: the built-in list.
    #[arg(long = "dnsbl", value_name = "LIST")]
    pub dnsbl: Vec<String>,
    /// Do not ask any blocklist.
    #[arg(long, conflicts_with = "dnsbl")]
    pub no_dnsbl: bool,
    /// Also find the submission server the way mail programs do: the provider table, SRV
    /// records (RFC 6186), autoconfig XML, the MX records.
    #[arg(long)]
    pub discover: bool,
    /// Port for http:// autoconfig URLs (tests: a local HTTP server).
    #[arg(long, hide = true, value_name = "PORT")]
    pub autoconfig_http_port: Option<u16>,
    /// Port for https:// autoconfig URLs (tests).
    #[arg(long, hide = true, value_name = "PORT")]
    pub autoconfig_https_port: Option<u16>,
}

/// Runs `dns`.
pub async fn run(args: &DnsArgs, global: &GlobalArgs) -> Result<u8> {
    let request = DnsRequest {
        domain: args.domain.clone(),
        ip: args.ip,
        dnsbl: args.dnsbl.clone(),
        no_dnsbl: args.no_dnsbl,
        discover: args.discover,
        autoconfig_http_port: args.autoconfig_http_port,
        autoconfig_https_port: args.autoconfig_https_port,
    };
    let env = global::check_env(global, TrustStore::system());
    let report = dns(&request, &env).await?;
    global::print(&report, global, || mailprobe_report::dns::text(&report, &global::style(global)));
    Ok(report.exit_code())
}
