//! `mailprobe demo`: runs simulated Gmail and Microsoft 365 failures on loopback and diagnoses
//! each live (`mailprobe_checks::demo`), printing each scenario's report.

use anyhow::Result;
use mailprobe_checks::demo::{self, Scenario};
use mailprobe_kb::{Finding, Lang};
use mailprobe_net::TrustStore;
use mailprobe_report::html::{self, HtmlReport};
use mailprobe_report::{Report, Tool, json};
use serde::Serialize;

use crate::cli::{DemoArgs, Format, GlobalArgs};
use crate::global;

/// Runs `demo`: 0 when every scenario ran (the demo's job is to show failures).
pub async fn run(args: &DemoArgs, global: &GlobalArgs) -> Result<u8> {
    if args.list {
        for s in Scenario::all() {
            println!("{:<26} {}", s.name(), s.description());
        }
        return Ok(0);
    }
    let scenarios = demo::scenarios(args.scenario.as_deref())?;
    // the simulator's CA replaces these roots for each scenario
    let env = global::check_env(global, TrustStore::system());
    let mut reports = Vec::new();
    for scenario in scenarios {
        global::progress(global, &format!("mailprobe demo: {scenario} — {}", scenario.description()));
        let report = demo::run_scenario(scenario, &env, &mut |_| {}).await?;
        if global.format == Format::Text {
            println!("=== {scenario}: {} ===\n", scenario.description());
            global::print_report(&report, global);
        }
        reports.push(report);
    }
    let document = DemoDocument::new(reports);
    match global.format {
        Format::Json => json::print(&document),
        Format::Html => global::print_str(&html::document(&document, env.lang)),
        Format::Text | Format::Markdown => {}
    }
    Ok(0)
}

/// `mailprobe demo --format json`: every scenario's report, and all findings together so the
/// document keeps the `findings` key every JSON output has.
#[derive(Debug, Serialize)]
pub struct DemoDocument {
    /// What made it.
    pub tool: Tool,
    /// One report per scenario.
    pub scenarios: Vec<Report>,
    /// Every scenario's findings, in scenario order.
    pub findings: Vec<Finding>,
}

impl DemoDocument {
    /// Collects the reports.
    pub fn new(scenarios: Vec<Report>) -> Self {
        let findings = scenarios.iter().flat_map(|r| r.findings.iter().cloned()).collect();
        Self { tool: Tool::this(), scenarios, findings }
    }
}

/// One page: each scenario's report under its own heading.
impl HtmlReport for DemoDocument {
    fn title(&self, _lang: Lang) -> String {
        "mailprobe demo".to_owned()
    }

    fn body(&self, lang: Lang, out: &mut String) {
        for report in &self.scenarios {
            let scenario = report.scenario.as_deref().and_then(Scenario::from_name);
            let heading =
                scenario.map_or_else(|| report.title(lang), |s| format!("{s}: {}", s.description()));
            out.push_str(&format!("<section class=\"scenario\"><h2>{}</h2>\n", html::escape(&heading)));
            report.body(lang, out);
            out.push_str("</section>\n");
        }
    }
}
