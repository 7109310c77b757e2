//! The `mailprobe` binary: parses flags, builds a context, calls the libraries, renders.

mod advise;
mod analyze;
mod auth;
mod cli;
mod credentials;
mod demo;
mod diagnose;
mod dns;
mod explain;
mod generate;
mod global;
mod guide;
mod read_at;
mod relay;
mod scan;
mod serve;

use std::process::ExitCode;

use mailprobe_report::json::{self, ErrorDocument};

use crate::cli::{Cli, Command, Format, GlobalArgs};
// the commands' shared edge code, by its short name (`crate::lang(global)`)
#[allow(unused_imports)]
use crate::global::{lang, progress, style};

// analyze's reader thread allocates what its diagnosing thread frees: mimalloc does that
// without the lock glibc's malloc takes (measured: most of the time went to that lock)
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status for bad usage or bad input.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match generate::parse() {
        Ok(generate::Invocation::Run(cli)) => *cli,
        Ok(generate::Invocation::Generate(kind)) => return generate::print(kind),
        Err(e) => return usage_error(e),
    };
    if let Err(e) = cli.check_format() {
        return usage_error(e);
    }
    // `relay serve` is a service: devices and deliveries at once, on worker threads; every
    // other command is one conversation at a time.
    let builder = match &cli.command {
        // scan: many targets at once, on every core
        Command::Scan(_) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8)));
            b
        }
        Command::Relay(r) if relay::is_serve(r) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8)));
            b
        }
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let mut builder = builder;
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            return input_error(
                &cli.global,
                &anyhow::Error::new(e).context("cannot start the async runtime"),
            );
        }
    };
    match runtime.block_on(run(&cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => input_error(&cli.global, &e),
    }
}

/// clap's own errors: help and version go to stdout with status 0; with `--format json` a usage
/// error is still one JSON document on stdout.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().collect();
    let wants_json = args.windows(2).any(|w| w[0] == "--format" && w[1] == "json")
        || args.iter().any(|a| a == "--format=json");
    if wants_json {
        let message = e.kind().as_str().map_or_else(|| e.to_string(), str::to_owned);
        json::print(&ErrorDocument::new(format!("{message}: {}", first_line(&e.to_string()))));
    } else {
        let _ = e.print();
    }
    ExitCode::from(EXIT_USAGE)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim_start_matches("error: ")
}

fn input_error(global: &GlobalArgs, e: &anyhow::Error) -> ExitCode {
    match global.format {
        Format::Json => json::print(&ErrorDocument::new(format!("{e:#}"))),
        Format::Text | Format::Markdown | Format::Html => {
            eprintln!("mailprobe: {}", mailprobe_report::safe::safe(format_args!("{e:#}")))
        }
    }
    ExitCode::from(EXIT_USAGE)
}

async fn run(cli: &Cli) -> anyhow::Result<u8> {
    let global = &cli.global;
    // Each command's future boxed: inline, this one was as large as the largest of them, and
    // `main` and `block_on` each held a copy on the stack (issue 20: peak memory).
    match &cli.command {
        Command::Diagnose(args) => Box::pin(diagnose::run(args, global)).await,
        Command::Explain(args) => Box::pin(explain::run(args, global)).await,
        Command::Guide(args) => Box::pin(guide::run(args, global)).await,
        Command::Dns(args) => Box::pin(dns::run(args, global)).await,
        Command::Analyze(args) => Box::pin(analyze::run(args, global)).await,
        Command::Advise(args) => Box::pin(advise::run(args, global)).await,
        Command::Auth(args) => Box::pin(auth::run(args, global)).await,
        Command::Relay(args) => Box::pin(relay::run(args, global)).await,
        Command::Serve(args) => Box::pin(serve::run(args, global)).await,
        Command::Scan(args) => Box::pin(scan::run(args, global)).await,
        Command::Demo(args) => Box::pin(demo::run(args, global)).await,
    }
}
