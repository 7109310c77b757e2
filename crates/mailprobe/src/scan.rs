//! `mailprobe scan INVENTORY`: reads the inventory, sets up what every target shares (trusted
//! roots, one resolver, the language), runs `mailprobe_scan::scan` and prints its report.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Args;
use mailprobe_checks::CheckEnv;
use mailprobe_net::{Resolver, TrustStore};
use mailprobe_scan::progress::Progress;
use mailprobe_scan::render::{self, ScanDocument};
use mailprobe_scan::{ScanOptions, Status};

use crate::cli::{Format, GlobalArgs};

/// `mailprobe scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The inventory: a .csv file (a header row, then one row per device or account) or a .toml
    /// file ([[target]] tables). Columns: name, provider, host, port, security, connect_to, user,
    /// password_from, token_from, auth, from, to, mode, tls_max; a secret is never in the file,
    /// only where it is: env:VARIABLE, file:PATH or keyring:SERVICE/ACCOUNT. Or the Exchange
    /// admin center's SMTP AUTH clients report saved as CSV: its accounts are listed, each with
    /// advise's recommendation (nothing is probed).
    pub inventory: PathBuf,
    /// Targets checked at once.
    #[arg(long, default_value_t = ScanOptions::DEFAULT_CONCURRENCY, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
    /// The most one target's whole check may take, in seconds (default: 12 times --timeout).
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub target_timeout: Option<f64>,
    /// Also trust the CA certificates in this PEM file (repeatable), for every target.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Vec<PathBuf>,
    /// One JSON object per target as it finishes, then a summary line (JSON lines), instead of
    /// --format's output.
    #[arg(long)]
    pub jsonl: bool,
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.01..=86_400.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number of seconds between 0.01 and 86400")),
    }
}

/// Runs the scan and prints its report; the exit status is 0 when every target works, else 1.
pub async fn run(args: &ScanArgs, global: &GlobalArgs) -> Result<u8> {
    let lang = crate::lang(global);
    // The Exchange admin center's SMTP AUTH clients report (its CSV export) is listed, not probed.
    if let Some(report) = mailprobe_scan::eac::read_if_report(&args.inventory, lang)? {
        let mut out = std::io::stdout().lock();
        let _ = match global.format {
            Format::Json => {
                drop(out);
                mailprobe_report::json::print(&report);
                Ok(())
            }
            Format::Html => out.write_all(mailprobe_scan::eac::html(&report, lang).as_bytes()),
            Format::Text | Format::Markdown => {
                out.write_all(mailprobe_scan::eac::text(&report, lang).as_bytes())
            }
        };
        return Ok(0);
    }
    let targets = mailprobe_scan::inventory::read(&args.inventory)?;
    let timeout = Duration::from_secs_f64(global.timeout);
    let mut trust = TrustStore::system();
    for file in &args.ca_file {
        trust = trust.with_ca_file(file)?;
    }
    // one resolver for every target, its cache shared
    let resolver = match global.dns_server {
        Some(server) => Resolver::with_server(server, timeout),
        None => Resolver::system(timeout).context("cannot set up DNS resolution")?,
    };
    let mut env = CheckEnv::new(lang);
    env.timeout = timeout;
    env.dns_server = global.dns_server;
    env.trust = trust;
    env.resolver = Some(resolver);
    let options = ScanOptions {
        concurrency: usize::from(args.concurrency),
        deadline: args
            .target_timeout
            .map_or_else(|| ScanOptions::default_deadline(timeout), Duration::from_secs_f64),
    };
    let mut progress =
        Progress::new(targets.len(), !global.quiet && !args.jsonl && std::io::stderr().is_terminal());
    let jsonl = args.jsonl;
    let mut out = std::io::stdout().lock();
    let results = mailprobe_scan::scan(targets, Arc::new(env), options, |finished| {
        progress.advance(finished.result.status != Status::Ok);
        if jsonl {
            // a reader that went away (`| head`) is not an error of ours
            let _ = writeln!(out, "{}", render::target_line(finished.result, finished.report));
            let _ = out.flush();
        }
    })
    .await;
    progress.finish();
    let (summary, targets) = (&results.summary, &results.targets[..]);
    let written = if jsonl {
        writeln!(out, "{}", render::summary_line(summary))
    } else {
        match global.format {
            Format::Json => {
                drop(out);
                mailprobe_report::json::print(&ScanDocument::new(summary, targets));
                Ok(())
            }
            Format::Html => out.write_all(render::html(summary, targets, lang).as_bytes()),
            Format::Text | Format::Markdown => {
                out.write_all(render::text(summary, targets, lang, global.quiet).as_bytes())
            }
        }
    };
    let _ = written;
    Ok(if summary.all_ok() { 0 } else { 1 })
}
