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
mod guide;
mod provider;
mod relay;
mod render;
mod report;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser as _;
use mailprobe_kb::Lang;
use mailprobe_net::TrustStore;

use crate::cli::{Cli, Command, Format, GlobalArgs, LangArg};
use crate::render::json::{self, ErrorDocument};
use crate::render::text::{self, Style};

// analyze's reader thread allocates what its diagnosing thread frees: mimalloc does that
// without the lock glibc's malloc takes (measured: most of the time went to that lock)
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status for bad usage or bad input.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = cli.check_format() {
        return usage_error(e);
    }
    // `relay serve` is a service: devices and deliveries at once, on worker threads; every
    // other command is one conversation at a time.
    let builder = match &cli.command {
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
            eprintln!("mailprobe: {}", crate::render::safe::safe(format_args!("{e:#}")))
        }
    }
    ExitCode::from(EXIT_USAGE)
}

fn lang(global: &GlobalArgs) -> Lang {
    match global.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::It) => Lang::It,
        None => Lang::from_locale_env(),
    }
}

fn style(global: &GlobalArgs) -> Style {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    Style { color, quiet: global.quiet, verbose: global.verbose, lang: lang(global) }
}

fn print_report(report: &report::Report, global: &GlobalArgs) {
    match global.format {
        Format::Json => json::print(report),
        // Markdown is refused before any command runs (Cli::check_format).
        Format::Text | Format::Markdown | Format::Html => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text::render(report, &style(global)).as_bytes());
        }
    }
}

/// Progress on stderr, only for people watching (text output on a terminal).
fn progress(global: &GlobalArgs, message: &str) {
    if global.format == Format::Text && !global.quiet && std::io::stderr().is_terminal() {
        eprintln!("{message}");
    }
}

async fn run(cli: &Cli) -> anyhow::Result<u8> {
    let global = &cli.global;
    match &cli.command {
        Command::Diagnose(args) => {
            let discovery = diagnose::discover_for(args, global).await?;
            let mut secrets = diagnose::read_secrets(args, global)?;
            let sign_in = secrets.sign_in.take();
            let (plan, context) = diagnose::plan(args, secrets, discovery.as_ref())?;
            let clock = diagnose::clock_reference(args, sign_in.as_ref(), context.provider.as_deref());
            let trust = match &args.ca_file {
                Some(path) => TrustStore::system().with_ca_file(path)?,
                None => TrustStore::system(),
            };
            let env = diagnose::probe_env(global, trust)?;
            progress(global, &format!("mailprobe: probing {}:{} …", plan.smtp.host, plan.smtp.port));
            let beside = diagnose::Beside { clock, sign_in: sign_in.as_ref() };
            let mut report = diagnose::run_with(&env, &plan, context, lang(global), &beside).await;
            report.set_discovery(discovery);
            print_report(&report, global);
            Ok(report.exit_code())
        }
        Command::Explain(args) => explain::run(args, global).await,
        Command::Guide(args) => guide::run(args, global).await,
        Command::Dns(args) => dns::run(args, global).await,
        Command::Analyze(args) => analyze::run(args, global).await,
        Command::Advise(args) => advise::run(args, global).await,
        Command::Auth(args) => auth::run(args, global).await,
        Command::Relay(args) => relay::run(args, global).await,
        Command::Demo(args) => {
            if args.list {
                for s in mailprobe_sim::Scenario::all() {
                    println!("{:<26} {}", s.name(), s.description());
                }
                return Ok(0);
            }
            let scenarios = demo::scenarios(args)?;
            let mut reports = Vec::new();
            for scenario in scenarios {
                progress(global, &format!("mailprobe demo: {scenario} — {}", scenario.description()));
                let report = demo::run_scenario(scenario, global, lang(global)).await?;
                if global.format == Format::Text {
                    println!("=== {scenario}: {} ===\n", scenario.description());
                    print_report(&report, global);
                }
                reports.push(report);
            }
            if global.format == Format::Json {
                json::print(&demo::DemoDocument::new(reports));
            }
            // The demo's job is to show failures: it succeeds when every scenario ran.
            Ok(0)
        }
    }
}
