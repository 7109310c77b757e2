//! What the global flags mean for every command: the report's language, colour and detail, the
//! environment the checks run in, and printing a report in the chosen format.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use mailprobe_checks::CheckEnv;
use mailprobe_kb::Lang;
use mailprobe_net::TrustStore;
use mailprobe_report::html::{self, HtmlReport};
use mailprobe_report::{Report, Style, json, text};
use serde::Serialize;

use crate::cli::{Format, GlobalArgs, LangArg};

/// The language of the report: `--lang`, else the locale's.
pub fn lang(global: &GlobalArgs) -> Lang {
    match global.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::It) => Lang::It,
        None => Lang::from_locale_env(),
    }
}

/// Whether to colour stdout: on a terminal, without `NO_COLOR`.
pub fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// How text output looks: colours, `--quiet`, `--verbose`, the language.
pub fn style(global: &GlobalArgs) -> Style {
    Style { color: color(), quiet: global.quiet, verbose: global.verbose, lang: lang(global) }
}

/// The environment the checks run in: `--timeout`, `--dns-server`, the language, and `trust`.
pub fn check_env(global: &GlobalArgs, trust: TrustStore) -> CheckEnv {
    CheckEnv {
        timeout: Duration::from_secs_f64(global.timeout),
        dns_server: global.dns_server,
        lang: lang(global),
        trust,
        resolver: None,
    }
}

/// Writes `s` to stdout; a reader that went away (`| head`) is not an error of ours.
pub fn print_str(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

/// Prints a report in the format asked for: JSON, one HTML page, or `text` (its text rendering,
/// made only when wanted). Markdown is refused before any command runs, but for the commands
/// that take it (`Cli::check_format`).
pub fn print<R: Serialize + HtmlReport>(report: &R, global: &GlobalArgs, text: impl FnOnce() -> String) {
    match global.format {
        Format::Json => json::print(report),
        Format::Html => print_str(&html::document(report, lang(global))),
        Format::Text | Format::Markdown => print_str(&text()),
    }
}

/// Prints a `diagnose` (or relay check, or demo scenario) report.
pub fn print_report(report: &Report, global: &GlobalArgs) {
    print(report, global, || text::render(report, &style(global)));
}

/// Progress on stderr, only for people watching (text output on a terminal).
pub fn progress(global: &GlobalArgs, message: &str) {
    if global.format == Format::Text && !global.quiet && std::io::stderr().is_terminal() {
        eprintln!("{message}");
    }
}
