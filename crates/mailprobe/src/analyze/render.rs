//! `analyze` as text and as one self-contained HTML page (inline CSS, no script, no external
//! address; every piece of log text escaped), written as the listed sessions are read back:
//! the report is never whole in memory.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Result;
use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_proto::{EventKind, summarize};

use super::{AnalyzeReport, Count, SessionReport};
use mailprobe_report::html::{PAGE_END, escape, page_head};
use mailprobe_report::safe::safe;
use mailprobe_report::text::{Style, render_findings_only};

fn t(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    KnowledgeBase::builtin().text(lang, key, args)
}

fn stage_name(lang: Lang, stage: &str) -> String {
    t(lang, &format!("ui-stage-{stage}"), &[])
}

/// Where a session stopped, in words: `Sign-in: 535 5.7.8 ...`.
fn stopped(lang: Lang, s: &SessionReport) -> Option<String> {
    let step = s.stopped_at.as_ref()?;
    Some(format!("{}: {}", stage_name(lang, step.stage.as_str()), step.summary))
}

fn who(s: &SessionReport) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &s.meta.client {
        parts.push(c.clone());
    } else if let Some(ip) = s.meta.client_ip {
        parts.push(ip.to_string());
    }
    if let Some(u) = &s.meta.user {
        parts.push(u.clone());
    }
    if let Some(server) = &s.meta.server {
        parts.push(format!("→ {server}"));
    }
    parts.join("  ")
}

/// A UI string of `analyze`; `en`/`it` until the knowledge base has `key`.
fn t_or(lang: Lang, key: &str, en: &str, it: &str) -> String {
    let text = t(lang, key, &[]);
    if text != key {
        return text;
    }
    match lang {
        Lang::En => en,
        Lang::It => it,
    }
    .to_owned()
}

/// The label of the sessions counted among "the others" of a top list.
fn others(lang: Lang) -> String {
    t_or(lang, "analyze-others", "(all others)", "(tutti gli altri)")
}

/// Writes the text report, each listed session as it is read back. Every piece of log text
/// (and file names) goes through [`safe`].
pub fn text(r: &AnalyzeReport, style: &Style, out: &mut dyn Write) -> Result<()> {
    let lang = style.lang;
    let s = &r.summary;
    if !style.quiet {
        for i in &r.inputs {
            let format = i.format.name();
            let lines = i.lines.to_string();
            let sessions = i.sessions.to_string();
            let args =
                [("file", i.file.as_str()), ("format", format), ("lines", &lines), ("sessions", &sessions)];
            writeln!(out, "{}", safe(t(lang, "analyze-input", &args)))?;
            if !i.detected && i.format == mailprobe_logs::analyze::LogFormat::Dialogue {
                writeln!(out, "  {}", t(lang, "analyze-input-not-detected", &[]))?;
            }
        }
        writeln!(out)?;
        let (total, failed, warnings) =
            (s.sessions.to_string(), s.failed.to_string(), s.warnings.to_string());
        writeln!(out, "{}", style_heading(style, &t(lang, "analyze-summary", &[])))?;
        writeln!(
            out,
            "  {}",
            t(
                lang,
                "analyze-summary-sessions",
                &[("total", &total), ("failed", &failed), ("warnings", &warnings)]
            )
        )?;
        if let (Some(a), Some(b)) = (&s.first_seen, &s.last_seen) {
            writeln!(out, "  {}", safe(t(lang, "analyze-summary-span", &[("from", a), ("to", b)])))?;
        }
        if s.incomplete > 0 {
            let n = s.incomplete.to_string();
            writeln!(out, "  {}", t(lang, "analyze-summary-incomplete", &[("count", &n)]))?;
        }
        if !r.findings.is_empty() {
            writeln!(out, "\n{}", style_heading(style, &t(lang, "analyze-by-finding", &[])))?;
            for f in &r.findings {
                writeln!(out, "  {:>7}  {}  [{}]", f.sessions, safe(&f.finding.title), safe(&f.finding.id))?;
            }
        }
        counts(out, style, &t(lang, "analyze-top-clients", &[]), &s.top_clients, s.other_clients)?;
        counts(out, style, &t(lang, "analyze-top-replies", &[]), &s.top_replies, s.other_replies)?;
        if !r.sessions.is_empty() {
            writeln!(out, "\n{}", style_heading(style, &t(lang, "analyze-sessions", &[])))?;
        }
        for session in r.sessions.read() {
            let session = session?;
            let when = session.meta.started.clone().unwrap_or_default();
            let lines = format!("{}:{}-{}", session.file, session.meta.first_line, session.meta.last_line);
            writeln!(out, "\n  {}  {}  ({})", safe(&session.meta.id), safe(&when), safe(&lines))?;
            writeln!(out, "    {}", safe(who(&session)))?;
            if let Some(at) = stopped(lang, &session) {
                writeln!(out, "    {}", safe(t(lang, "analyze-stopped-at", &[("step", &at)])))?;
            }
            if session.meta.incomplete {
                writeln!(out, "    {}", t(lang, "analyze-incomplete", &[]))?;
            }
            for f in &session.findings {
                let mark = match f.severity {
                    Severity::Error => "✗",
                    Severity::Warning => "!",
                    Severity::Info => "i",
                };
                writeln!(out, "    {mark} {}  [{}]", safe(&f.title), safe(&f.id))?;
            }
        }
        if r.sessions_not_listed > 0 {
            let n = r.sessions_not_listed.to_string();
            writeln!(out, "\n  {}", t(lang, "analyze-not-listed", &[("count", &n)]))?;
        }
        writeln!(out)?;
    }
    // what each finding means and what to do, once per finding
    let distinct: Vec<Finding> = r.findings.iter().map(|f| f.finding.clone()).collect();
    if distinct.is_empty() {
        writeln!(out, "{}", t(lang, "analyze-no-findings", &[]))?;
    } else {
        out.write_all(render_findings_only(&distinct, style).as_bytes())?;
    }
    Ok(())
}

fn style_heading(style: &Style, text: &str) -> String {
    if style.color { format!("\x1b[1m{text}\x1b[0m") } else { text.to_owned() }
}

fn counts(
    out: &mut dyn Write,
    style: &Style,
    heading: &str,
    counts: &[Count],
    others_had: u64,
) -> Result<()> {
    if counts.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", style_heading(style, heading))?;
    for c in counts {
        writeln!(out, "  {:>7}  {}", c.sessions, safe(&c.key))?;
    }
    if others_had > 0 {
        writeln!(out, "  {:>7}  {}", others_had, others(style.lang))?;
    }
    Ok(())
}

/// Writes the HTML page, each listed session as it is read back.
pub fn html(r: &AnalyzeReport, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let mut o = String::new();
    let title = t(lang, "analyze-html-title", &[]);
    o.push_str(&page_head(lang, &title));
    let _ = writeln!(o, "<h1>{}</h1>", escape(&title));
    // inputs and the summary
    let _ = write!(o, "<table>");
    for i in &r.inputs {
        let _ = write!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td class=num>{} lines</td><td class=num>{} sessions</td></tr>",
            escape(&i.file),
            escape(i.format.name()),
            i.lines,
            i.sessions
        );
    }
    let _ = writeln!(o, "</table>");
    let s = &r.summary;
    let (total, failed, warnings) = (s.sessions.to_string(), s.failed.to_string(), s.warnings.to_string());
    let _ = writeln!(
        o,
        "<h2>{}</h2><p>{}</p>",
        escape(&t(lang, "analyze-summary", &[])),
        escape(&t(
            lang,
            "analyze-summary-sessions",
            &[("total", &total), ("failed", &failed), ("warnings", &warnings)]
        ))
    );
    if !r.findings.is_empty() {
        let _ = write!(o, "<h2>{}</h2><table>", escape(&t(lang, "analyze-by-finding", &[])));
        for f in &r.findings {
            let class = severity_class(f.finding.severity);
            let _ = write!(
                o,
                "<tr><td class=num>{}</td><td class={class}>{}</td><td><code>{}</code></td></tr>",
                f.sessions,
                escape(&f.finding.title),
                escape(&f.finding.id)
            );
        }
        let _ = writeln!(o, "</table>");
    }
    for (heading, list, others_had) in [
        ("analyze-top-clients", &s.top_clients, s.other_clients),
        ("analyze-top-replies", &s.top_replies, s.other_replies),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(o, "<h2>{}</h2><table>", escape(&t(lang, heading, &[])));
        for c in list {
            let _ = write!(
                o,
                "<tr><td class=num>{}</td><td><code>{}</code></td></tr>",
                c.sessions,
                escape(&c.key)
            );
        }
        if others_had > 0 {
            let _ = write!(o, "<tr><td class=num>{others_had}</td><td>{}</td></tr>", escape(&others(lang)));
        }
        let _ = writeln!(o, "</table>");
    }
    // each listed session with its timeline, written as it is read back
    if !r.sessions.is_empty() {
        let _ = writeln!(o, "<h2>{}</h2>", escape(&t(lang, "analyze-sessions", &[])));
    }
    for session in r.sessions.read() {
        session_html(&mut o, &session?, lang);
        out.write_all(o.as_bytes())?;
        o.clear();
    }
    if r.sessions_not_listed > 0 {
        let n = r.sessions_not_listed.to_string();
        let _ = writeln!(o, "<p>{}</p>", escape(&t(lang, "analyze-not-listed", &[("count", &n)])));
    }
    // the findings explained once
    if !r.findings.is_empty() {
        let _ = writeln!(o, "<h2>{}</h2>", escape(&t(lang, "ui-findings", &[])));
    }
    for f in &r.findings {
        finding_html(&mut o, &f.finding, lang);
    }
    o.push_str(PAGE_END);
    out.write_all(o.as_bytes())?;
    Ok(())
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn session_html(o: &mut String, s: &SessionReport, lang: Lang) {
    let _ = write!(
        o,
        "<div class=session><b>{}</b> {} <span>{}</span>",
        escape(&s.meta.id),
        escape(s.meta.started.as_deref().unwrap_or("")),
        escape(&who(s))
    );
    for f in &s.findings {
        let _ = write!(
            o,
            "<div class={}>{} <code>{}</code></div>",
            severity_class(f.severity),
            escape(&f.title),
            escape(&f.id)
        );
    }
    if let Some(at) = stopped(lang, s) {
        let _ =
            write!(o, "<div class=stop>{}</div>", escape(&t(lang, "analyze-stopped-at", &[("step", &at)])));
    }
    let _ = write!(o, "<div class=timeline>");
    let failed_at = s.stopped_at.as_ref().map(|st| st.stage);
    for e in &s.events {
        let (who, class) = match &e.kind {
            EventKind::Sent { .. } => ("C:", ""),
            EventKind::Received { reply } if reply.is_failure() => ("S:", "error"),
            EventKind::Received { .. } => ("S:", "ok"),
            EventKind::Note { .. } => ("··", "info"),
            _ if e.is_failure() => ("✗", "error"),
            _ => ("•", ""),
        };
        let stop = if Some(e.stage) == failed_at && e.is_failure() { " stop" } else { "" };
        let _ = write!(
            o,
            "<div class=\"ev {class}{stop}\"><span class=t>+{:.1}s</span> {} {}</div>",
            e.at_ms as f64 / 1000.0,
            who,
            escape(&summarize(e))
        );
    }
    let _ = writeln!(o, "</div></div>");
}

fn finding_html(o: &mut String, f: &Finding, lang: Lang) {
    let _ = write!(
        o,
        "<div class=session><div class={}><b>{}</b> <code>{}</code></div><p>{}</p>",
        severity_class(f.severity),
        escape(&f.title),
        escape(&f.id),
        escape(&f.summary)
    );
    if !f.causes.is_empty() {
        let _ = write!(o, "<b>{}</b><ol>", escape(&t(lang, "ui-why", &[])));
        for c in &f.causes {
            let _ = write!(o, "<li>{}</li>", escape(c));
        }
        o.push_str("</ol>");
    }
    if !f.fixes.is_empty() {
        let _ = write!(o, "<b>{}</b><ol>", escape(&t(lang, "ui-what-to-do", &[])));
        for fix in &f.fixes {
            let who = fix
                .audience
                .as_deref()
                .map(|a| format!("[{}] ", t(lang, &format!("ui-audience-{a}"), &[])))
                .unwrap_or_default();
            let _ = write!(o, "<li>{}{}</li>", escape(&who), escape(&fix.text));
        }
        o.push_str("</ol>");
    }
    let _ = writeln!(o, "</div>");
}
