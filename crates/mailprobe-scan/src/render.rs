//! The scan's outputs: text for a terminal, one JSON document, JSON lines (one object per target
//! as it finishes, then the summary), and a self-contained HTML page in the frame every
//! mailprobe report shares. Text from servers, inventories and findings reaches text only
//! through `mailprobe_report::safe`, HTML only through `mailprobe_report::html::escape`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use mailprobe_kb::{Finding, Lang, Severity};
use mailprobe_report::html::{self, escape};
use mailprobe_report::safe::safe;
use mailprobe_report::{Report, Tool};
use serde::Serialize;

use crate::summary::{Group, Status, Summary, TargetResult};
use crate::texts;

/// `--format json`: the whole scan in one document. `findings` holds one entry per finding id
/// across targets (as every mailprobe JSON document has `findings`), with the targets that have it.
#[derive(Debug, Serialize)]
pub struct ScanDocument<'a> {
    /// What made it.
    pub tool: Tool,
    /// True when every target works.
    pub ok: bool,
    /// Counts, groups and the not-checked reasons.
    pub summary: &'a Summary,
    /// The findings across targets, errors first, then the most widespread.
    pub findings: Vec<GroupFinding<'a>>,
    /// Each target's result, in inventory order.
    pub targets: &'a [TargetResult],
}

/// A group shaped as a finding (`id`, `severity`, `stage`, `title`, `evidence`, `causes`,
/// `fixes`), plus the targets that have it.
#[derive(Debug, Serialize)]
pub struct GroupFinding<'a> {
    #[serde(flatten)]
    group: &'a Group,
}

impl<'a> ScanDocument<'a> {
    /// The document of a finished scan.
    pub fn new(summary: &'a Summary, targets: &'a [TargetResult]) -> Self {
        Self {
            tool: Tool::this(),
            ok: summary.all_ok(),
            summary,
            findings: summary.groups.iter().map(|group| GroupFinding { group }).collect(),
            targets,
        }
    }
}

/// One JSON line for a finished target: its result and, when it was checked, its whole report.
#[derive(Debug, Serialize)]
struct TargetLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    result: &'a TargetResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
}

/// The last JSON line: the summary.
#[derive(Debug, Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    /// True when every target works (`ok` is the summary's count of those that do).
    all_ok: bool,
    #[serde(flatten)]
    summary: &'a Summary,
}

/// The JSON line of a finished target (`"type": "target"`), without its line break.
pub fn target_line(result: &TargetResult, report: Option<&Report>) -> String {
    compact(&TargetLine { kind: "target", result, report })
}

/// The last JSON line (`"type": "summary"`), without its line break.
pub fn summary_line(summary: &Summary) -> String {
    compact(&SummaryLine { kind: "summary", all_ok: summary.all_ok(), summary })
}

/// One line of JSON. serde_json writes DEL and the C1 controls raw, and a terminal may act on a
/// raw C1 `CSI`: written as `\u00XX` escapes instead (in JSON they can only be inside strings,
/// where the escape reads back the same).
fn compact<T: Serialize>(value: &T) -> String {
    let raw = serde_json::to_string(value)
        .unwrap_or_else(|e| format!("{{\"error\":{}}}", serde_json::Value::String(e.to_string())));
    if !raw.chars().any(|c| ('\u{7f}'..='\u{9f}').contains(&c)) {
        return raw;
    }
    let mut out = String::with_capacity(raw.len() + 16);
    for c in raw.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The most target names a text group line shows; each target's own line follows anyway.
const NAMES_SHOWN: usize = 30;

/// Target names for a text line: all of them up to [`NAMES_SHOWN`], else the first ones and how
/// many more.
fn names(targets: &[String], lang: Lang) -> String {
    if targets.len() <= NAMES_SHOWN {
        return targets.join(", ");
    }
    format!("{}, {}", targets[..NAMES_SHOWN].join(", "), texts::and_more(lang, targets.len() - NAMES_SHOWN))
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Ok => "✓",
        Status::Failed => "✗",
        Status::NotChecked => "-",
    }
}

fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "i",
    }
}

/// The text report: the headline, the findings grouped across targets with what to do once for
/// each, the targets not checked and why, then one line per target (unless `quiet`).
pub fn text(summary: &Summary, targets: &[TargetResult], lang: Lang, quiet: bool) -> String {
    let mut out = String::new();
    let s = summary;
    let _ =
        writeln!(out, "{}\n", texts::headline(lang, s.total, s.ok, s.failed, s.not_checked, s.elapsed_ms));
    if !s.groups.is_empty() {
        let _ = writeln!(out, "{}", texts::across(lang));
        for g in &s.groups {
            let _ = writeln!(
                out,
                "\n{} {}: {} [{}]",
                severity_mark(g.severity),
                texts::targets(lang, g.targets.len()),
                safe(&g.title),
                g.id
            );
            let _ = writeln!(out, "    {}", safe(&names(&g.targets, lang)));
            if !g.fixes.is_empty() && g.severity != Severity::Info {
                let what = texts::kb(lang, "ui-what-to-do");
                match g.texts_vary {
                    false => {
                        let _ = writeln!(out, "    {what}:");
                    }
                    true => {
                        let _ = writeln!(out, "    {what} ({}):", safe(&texts::as_for(lang, &g.example)));
                    }
                }
                for (n, fix) in g.fixes.iter().enumerate() {
                    let who = fix
                        .audience
                        .as_deref()
                        .map(|a| format!("[{}] ", texts::kb(lang, &format!("ui-audience-{a}"))))
                        .unwrap_or_default();
                    let _ = writeln!(out, "      {}. {who}{}", n + 1, safe(&fix.text));
                }
            }
        }
        out.push('\n');
    }
    if !s.not_checked_groups.is_empty() {
        let _ = writeln!(out, "{}", texts::not_checked_heading(lang));
        for g in &s.not_checked_groups {
            let _ = writeln!(out, "\n- {}: {}", texts::targets(lang, g.targets.len()), safe(&g.reason));
            let _ = writeln!(out, "    {}", safe(&names(&g.targets, lang)));
        }
        out.push('\n');
    }
    if quiet {
        return out;
    }
    let _ = writeln!(out, "{}", texts::each_target(lang));
    let width = targets.iter().map(|t| t.name.chars().count()).max().unwrap_or(0).min(40);
    for t in targets {
        let detail = match t.status {
            Status::Ok => texts::works_word(lang).to_owned(),
            Status::NotChecked => {
                format!("{}: {}", texts::not_checked_word(lang), t.error.as_deref().unwrap_or_default())
            }
            Status::Failed => {
                let ids: Vec<&str> = t
                    .findings
                    .iter()
                    .filter(|f| f.severity != Severity::Info)
                    .map(|f| f.id.as_str())
                    .collect();
                match ids.is_empty() {
                    // a step failed with no finding to say why: its own summary says what happened
                    true => failed_step(t).unwrap_or_default(),
                    false => ids.join(", "),
                }
            }
        };
        let _ = writeln!(
            out,
            "{} {:<width$}  {}  {}",
            mark(t.status),
            safe(&t.name).to_string(),
            safe(&t.server),
            safe(&detail)
        );
    }
    out
}

/// The first failed step of a target, as `stage: summary`.
fn failed_step(t: &TargetResult) -> Option<String> {
    t.connections
        .iter()
        .flat_map(|c| &c.steps)
        .find(|s| !s.ok)
        .map(|s| format!("{}: {}", s.stage.as_str(), s.summary))
}

/// The HTML page: the verdict and counts, the findings grouped across targets (each with the
/// targets that have it, linked), the targets not checked, then each target's steps and
/// findings.
pub fn html(summary: &Summary, targets: &[TargetResult], lang: Lang) -> String {
    let s = summary;
    let mut out = String::new();
    let _ = writeln!(out, "<div class=\"mailprobe-report scan\">\n<h1>{}</h1>", escape(texts::title(lang)));
    let failed = s.failed + s.not_checked;
    html::verdict(&mut out, s.all_ok(), texts::all_ok(lang), &texts::some_failed(lang, failed));
    let _ = writeln!(
        out,
        "<p class=\"counts\">{}</p>",
        escape(&texts::headline(lang, s.total, s.ok, s.failed, s.not_checked, s.elapsed_ms))
    );
    let anchors: BTreeMap<&str, usize> =
        targets.iter().enumerate().map(|(i, t)| (t.name.as_str(), i)).collect();
    let link = |out: &mut String, names: &[String]| {
        out.push_str("<p class=\"targets\">");
        for (n, name) in names.iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            match anchors.get(name.as_str()) {
                Some(i) => {
                    let _ = write!(out, "<a href=\"#target-{i}\">{}</a>", escape(name));
                }
                None => out.push_str(&escape(name)),
            }
        }
        out.push_str("</p>\n");
    };
    if !s.groups.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>", escape(texts::across(lang)));
        for (n, g) in s.groups.iter().enumerate() {
            let _ = writeln!(
                out,
                "<div class=\"group\" data-finding=\"{}\" data-count=\"{}\"><h3 class=\"{}\">{}: {}</h3>",
                escape(&g.id),
                g.targets.len(),
                html::severity_class(g.severity),
                escape(&texts::targets(lang, g.targets.len())),
                escape(&g.title)
            );
            link(&mut out, &g.targets);
            if g.texts_vary {
                let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(&texts::as_for(lang, &g.example)));
            }
            html::finding(&mut out, &as_finding(g), n + 1, lang, "");
            out.push_str("</div>\n");
        }
    }
    if !s.not_checked_groups.is_empty() {
        let _ = writeln!(out, "<h2>{}</h2>", escape(texts::not_checked_heading(lang)));
        for g in &s.not_checked_groups {
            let _ = writeln!(
                out,
                "<div class=\"not-checked\"><h3 class=\"error\">{}: {}</h3>",
                escape(&texts::targets(lang, g.targets.len())),
                escape(&g.reason)
            );
            link(&mut out, &g.targets);
            out.push_str("</div>\n");
        }
    }
    let _ = writeln!(out, "<h2>{}</h2>", escape(texts::each_target(lang)));
    for (i, t) in targets.iter().enumerate() {
        let class = match t.status {
            Status::Ok => "ok",
            Status::Failed | Status::NotChecked => "error",
        };
        let _ = writeln!(
            out,
            "<section class=\"target\" id=\"target-{i}\" data-status=\"{}\"><h3><span class=\"{class}\">{}</span> \
             <span class=\"name\">{}</span> <span class=\"mono muted\">{}</span></h3>",
            match t.status {
                Status::Ok => "ok",
                Status::Failed => "failed",
                Status::NotChecked => "not_checked",
            },
            mark(t.status),
            escape(&t.name),
            escape(&t.server)
        );
        if let Some(error) = &t.error {
            let _ = writeln!(
                out,
                "<p class=\"error\">{}: {}</p>",
                escape(texts::not_checked_word(lang)),
                escape(error)
            );
        }
        let findings: Vec<Finding> = t
            .findings
            .iter()
            .map(|f| Finding {
                id: f.id.clone(),
                severity: f.severity,
                stage: f.stage.clone(),
                title: f.title.clone(),
                summary: f.summary.clone(),
                evidence: f.evidence.clone(),
                causes: Vec::new(),
                fixes: Vec::new(),
                params: BTreeMap::new(),
            })
            .collect();
        for c in &t.connections {
            let _ = writeln!(out, "<h4>{}</h4>", escape(&c.label));
            html::steps(&mut out, &c.steps, &findings, lang);
        }
        if !t.findings.is_empty() {
            out.push_str("<ul class=\"target-findings\">\n");
            for f in &t.findings {
                let _ = writeln!(
                    out,
                    "<li class=\"{}\" data-finding=\"{}\"><a href=\"#finding-{}\"><code>{}</code></a> {} — {}</li>",
                    html::severity_class(f.severity),
                    escape(&f.id),
                    escape(&f.id),
                    escape(&f.id),
                    escape(&f.title),
                    escape(&f.summary)
                );
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</div>\n");
    html::page(lang, texts::title(lang), &out)
}

/// A group in the shape the findings renderer takes.
fn as_finding(g: &Group) -> Finding {
    Finding {
        id: g.id.clone(),
        severity: g.severity,
        stage: g.stage.clone(),
        title: g.title.clone(),
        summary: g.summary.clone(),
        evidence: g.evidence.clone(),
        causes: g.causes.clone(),
        fixes: g.fixes.clone(),
        params: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::{SummaryBuilder, TargetResult};

    fn sample() -> (Summary, Vec<TargetResult>) {
        let f = Finding {
            id: "auth.credentials_rejected".into(),
            severity: Severity::Error,
            stage: "auth".into(),
            title: "Refused <login>".into(),
            summary: "535 5.7.8 \u{9b}2J".into(),
            evidence: vec!["535 5.7.8 bad".into()],
            causes: vec!["wrong password".into()],
            fixes: vec![mailprobe_kb::Fix { text: "type it again".into(), audience: Some("device".into()) }],
            params: BTreeMap::new(),
        };
        let a = TargetResult::checked(
            "printer <1>".into(),
            "h:587 starttls".into(),
            false,
            std::slice::from_ref(&f),
            vec![],
            3,
        );
        let b = TargetResult::checked("printer-2".into(), "h:587 starttls".into(), true, &[], vec![], 2);
        let c = TargetResult::not_checked(
            "printer-3".into(),
            "h".into(),
            "the environment variable X is not set".into(),
            0,
        );
        let mut builder = SummaryBuilder::new(3);
        builder.add(0, &a, &[f]);
        builder.add(1, &b, &[]);
        builder.add(2, &c, &[]);
        (builder.finish(1234), vec![a, b, c])
    }

    #[test]
    fn text_groups_then_targets() {
        let (s, t) = sample();
        let out = text(&s, &t, Lang::En, false);
        assert!(
            out.starts_with(
                "mailprobe scan: 3 targets checked in 1.2 s: 1 work, 1 with a problem, 1 not checked"
            ),
            "{out}"
        );
        assert!(
            out.contains("✗ 1 target: Refused <login> [auth.credentials_rejected]\n    printer <1>\n"),
            "{out}"
        );
        assert!(out.contains("1. [device or application] type it again"), "{out}");
        assert!(out.contains("- 1 target: the environment variable X is not set\n    printer-3"), "{out}");
        assert!(out.contains("✓ printer-2"), "{out}");
        let quiet = text(&s, &t, Lang::It, true);
        assert!(quiet.contains("Cosa fare") && !quiet.contains("Ogni dispositivo"), "{quiet}");
    }

    #[test]
    fn json_lines_are_one_line_each_and_escape_c1() {
        let (s, t) = sample();
        let line = target_line(&t[0], None);
        assert!(!line.contains('\n') && !line.contains('\u{9b}') && line.contains("\\u009b2J"), "{line}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["type"], "target");
        assert_eq!(v["status"], "failed");
        let v: serde_json::Value = serde_json::from_str(&summary_line(&s)).unwrap();
        assert_eq!(
            (v["type"].as_str(), v["all_ok"].as_bool(), v["total"].as_u64()),
            (Some("summary"), Some(false), Some(3))
        );
        let doc = serde_json::to_value(ScanDocument::new(&s, &t)).unwrap();
        assert_eq!(doc["findings"][0]["id"], "auth.credentials_rejected");
        assert_eq!(doc["findings"][0]["targets"][0], "printer <1>");
        assert_eq!(doc["targets"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn html_escapes_and_links() {
        let (s, t) = sample();
        let page = html(&s, &t, Lang::En);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<a href=\"#target-0\">printer &lt;1&gt;</a>"), "{page}");
        assert!(page.contains("data-finding=\"auth.credentials_rejected\" data-count=\"1\""));
        assert!(!page.contains("<login>") && !page.contains('\u{9b}'));
    }
}
