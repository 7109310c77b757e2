//! Markdown, for "copy as Markdown for a ticket": the verdict, the steps, the findings (what
//! happened, evidence, why, what to do). Text from outside is cleaned of control characters
//! ([`crate::safe`]) and put in code spans or fenced blocks, where Markdown does not act on it.

use std::fmt::Write as _;

use mailprobe_kb::{Finding, Lang, Severity};
use mailprobe_proto::{Role, Step, summarize};

use crate::advise::Advice;
use crate::diagnose::Report;
use crate::dns::DnsCheckReport;
use crate::explain::ExplainReport;
use crate::html::{HtmlReport as _, connection_label, stage_name};
use crate::kb_text;
use crate::safe::clean;
use crate::text::Style;

/// A report that renders as Markdown.
pub trait MarkdownReport {
    /// The whole report as a Markdown document.
    fn markdown(&self, lang: Lang) -> String;
}

/// `s` as a code span, whatever backticks it holds.
pub fn code(s: &str) -> String {
    let s = clean(s);
    let longest = longest_backtick_run(&s);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Lines as a fenced block, whatever backticks they hold.
pub fn block(out: &mut String, lines: &[String]) {
    let longest = lines.iter().map(|l| longest_backtick_run(l)).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let _ = writeln!(out, "{fence}");
    for l in lines {
        let _ = writeln!(out, "{}", clean(l));
    }
    let _ = writeln!(out, "{fence}");
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Our own sentence that may quote outside text: cleaned, and the characters Markdown acts on at
/// the start of a line or inline (`*_[]<>#|` and backticks) escaped.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn ui(lang: Lang, key: &str) -> String {
    kb_text(lang, key, &[])
}

fn mark(sev: Severity) -> &'static str {
    match sev {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "i",
    }
}

/// The steps of one connection as a list: mark, name, what decided it, time.
pub fn steps(out: &mut String, steps: &[Step], findings: &[Finding], lang: Lang) {
    for s in steps {
        let m = if !s.ok {
            "✗"
        } else if findings.iter().any(|f| f.stage == s.stage.as_str() && f.severity != Severity::Info) {
            "!"
        } else {
            "✓"
        };
        let _ = writeln!(
            out,
            "- {m} **{}** {} ({} ms)",
            text(&stage_name(s.stage, lang)),
            code(&s.summary),
            s.duration_ms
        );
    }
}

/// The findings, numbered: title and id, what happened, evidence, why, what to do.
pub fn findings(out: &mut String, findings: &[Finding], lang: Lang) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {}\n", text(&ui(lang, "ui-findings")));
    for (n, f) in findings.iter().enumerate() {
        let _ = writeln!(out, "### {} {}. {} {}\n", mark(f.severity), n + 1, text(&f.title), code(&f.id));
        let _ = writeln!(out, "{}\n", text(&f.summary));
        if !f.evidence.is_empty() {
            let _ = writeln!(out, "**{}**\n", text(&ui(lang, "ui-evidence")));
            block(out, &f.evidence);
            out.push('\n');
        }
        if !f.causes.is_empty() {
            let _ = writeln!(out, "**{}**\n", text(&ui(lang, "ui-why")));
            for (i, c) in f.causes.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", i + 1, text(c));
            }
            out.push('\n');
        }
        if !f.fixes.is_empty() {
            let _ = writeln!(out, "**{}**\n", text(&ui(lang, "ui-what-to-do")));
            for (i, fix) in f.fixes.iter().enumerate() {
                let who = fix
                    .audience
                    .as_deref()
                    .map(|a| format!("**{}:** ", text(&kb_text(lang, &format!("ui-audience-{a}"), &[]))))
                    .unwrap_or_default();
                let _ = writeln!(out, "{}. {who}{}", i + 1, text(&fix.text));
            }
            out.push('\n');
        }
    }
}

impl MarkdownReport for Report {
    fn markdown(&self, lang: Lang) -> String {
        let mut out = format!("# {}\n\n", text(&self.title(lang)));
        let verdict = if self.ok { ui(lang, "ui-result-ok") } else { ui(lang, "ui-result-problem") };
        let _ = writeln!(out, "**{}**\n", text(&verdict));
        let _ = writeln!(out, "## {}\n", text(&ui(lang, "ui-steps")));
        for t in self.transcripts.iter().filter(|t| t.transcript.role != Role::TlsScan) {
            let _ = writeln!(out, "### {}\n", text(&connection_label(&t.transcript, lang)));
            steps(&mut out, &t.steps, &self.findings, lang);
            out.push('\n');
        }
        findings(&mut out, &self.findings, lang);
        out
    }
}

impl MarkdownReport for ExplainReport {
    fn markdown(&self, lang: Lang) -> String {
        let mut out = format!("# {}\n\n", text(&self.title(lang)));
        for line in self.understood() {
            let _ = writeln!(out, "- {}", text(&line));
        }
        for note in self.notes() {
            let _ = writeln!(out, "- {}", text(&note));
        }
        if let Some(s) = self.no_findings_sentence() {
            let _ = writeln!(out, "\n{}", text(&s));
        }
        findings(&mut out, &self.findings, lang);
        out
    }
}

impl MarkdownReport for DnsCheckReport {
    fn markdown(&self, lang: Lang) -> String {
        let mut out = format!("# {}\n\n", text(&self.title(lang)));
        let verdict = kb_text(lang, if self.ok { "dns-result-ok" } else { "dns-result-problem" }, &[]);
        let _ = writeln!(out, "**{}**\n", text(&verdict));
        let _ = writeln!(out, "## {}\n", text(&ui(lang, "ui-steps")));
        for e in &self.report.transcript().events {
            let _ = writeln!(out, "- {} {}", if e.is_failure() { "✗" } else { "✓" }, code(&summarize(e)));
        }
        let style = Style { color: false, quiet: false, verbose: false, lang };
        let whole = crate::dns::render_text(&self.report, &[], self.ok, &style);
        let _ = writeln!(out, "\n## {}\n", text(&ui(lang, "ui-evidence")));
        block(&mut out, &whole.lines().map(str::to_owned).collect::<Vec<_>>());
        findings(&mut out, &self.findings, lang);
        out
    }
}

impl MarkdownReport for Advice {
    fn markdown(&self, lang: Lang) -> String {
        crate::advise::render(self, &Style { color: false, quiet: false, verbose: false, lang }, true)
    }
}
