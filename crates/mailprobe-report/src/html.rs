//! HTML: one self-contained page per report (inline CSS, no script, nothing loaded from
//! outside, readable on a phone, printable; well-formed as XML too, so that any parser reads it
//! the same), or the same markup as a fragment for a page that
//! has its own frame (`mailprobe serve`).
//!
//! Every report shows the same parts in the same order: the verdict, the **steps** (✓/✗/!, a
//! sentence, the time), then the **findings** — what happened, why (causes, most likely first),
//! what to do — each with its evidence folded under it (`<details>`: the transcript, secrets
//! already redacted by the probe; the certificate chain; the TLS versions table). Every text
//! that is not our own markup goes through [`escape`]: replies, certificate names, DNS answers,
//! pasted text, and the findings' texts that quote them.

use std::fmt::Write as _;

use mailprobe_kb::{Finding, Lang, Severity};
use mailprobe_proto::{Protocol, Role, Stage, Step, Transcript, summarize};

use crate::advise::Advice;
use crate::diagnose::{Report, TlsReport, TranscriptReport};
use crate::dns::DnsCheckReport;
use crate::explain::ExplainReport;
use crate::safe::push_escape;
use crate::text::Style;
use crate::{kb_text, kb_text_or};

/// A report that renders as HTML: its title, and its markup inside the page frame.
pub trait HtmlReport {
    /// The page's title (plain text; escaped when written).
    fn title(&self, lang: Lang) -> String;
    /// Appends the report's markup (without the page frame) to `out`.
    fn body(&self, lang: Lang, out: &mut String);
}

/// The whole page: `<!DOCTYPE html>`, the frame and the report.
pub fn document(report: &dyn HtmlReport, lang: Lang) -> String {
    page(lang, &report.title(lang), &fragment(report, lang))
}

/// The report's markup alone, in a `<div class="mailprobe-report">`, for a page that has its own
/// frame and includes [`CSS`] (or styles the same classes itself).
pub fn fragment(report: &dyn HtmlReport, lang: Lang) -> String {
    let mut out = String::from("<div class=\"mailprobe-report\">\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(&report.title(lang)));
    report.body(lang, &mut out);
    out.push_str("</div>\n");
    out
}

/// The page frame every HTML output shares (reports, `analyze`, `scan`'s summary): `body` is
/// markup already escaped, `title` plain text.
pub fn page(lang: Lang, title: &str, body: &str) -> String {
    let mut out = page_head(lang, title);
    out.push_str(body);
    out.push_str(PAGE_END);
    out
}

/// The page frame's start, up to and including `<body>`: for a page written as it is made
/// (`analyze` streams its sessions), ended by [`PAGE_END`].
pub fn page_head(lang: Lang, title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <meta name=\"generator\" content=\"mailprobe {}\"/><title>{}</title>\
         <style>{CSS}</style></head><body>\n",
        lang.as_str(),
        env!("CARGO_PKG_VERSION"),
        escape(title)
    )
}

/// The page frame's end.
pub const PAGE_END: &str = "</body></html>\n";

/// The styles of the page frame and of every report's classes: no web font, no image, no URL.
pub const CSS: &str = "\
:root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fff;--muted:#6b6b6b;--line:#d9d9d9;--code:#f3f3f3;\
--error:#b00020;--warning:#8a4b00;--info:#005a9c;--ok:#1b6e20}\
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--bg:#161616;--muted:#a0a0a0;--line:#3a3a3a;\
--code:#242424;--error:#ff6b81;--warning:#f0a040;--info:#6cb4ff;--ok:#5fd06a}}\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;padding:1em;max-width:60em;\
color:var(--fg);background:var(--bg);line-height:1.45;overflow-wrap:anywhere}\
h1{font-size:1.4em;margin:.2em 0 .6em}h2{font-size:1.15em;margin:1.4em 0 .5em;border-bottom:1px solid var(--line)}\
h3{font-size:1.02em;margin:.2em 0}h4{font-size:.95em;margin:.8em 0 .2em}\
code,pre,.mono{font-family:ui-monospace,'SF Mono',Menlo,Consolas,monospace;font-size:.88em}\
code{background:var(--code);padding:0 .25em;border-radius:3px}\
pre{background:var(--code);padding:.6em;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3em 0}\
table{border-collapse:collapse;margin:.3em 0;max-width:100%}\
td,th{padding:.2em .7em .2em 0;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\
.num{text-align:right}.error{color:var(--error)}.warning{color:var(--warning)}.info{color:var(--info)}\
.ok{color:var(--ok)}.muted{color:var(--muted)}\
.verdict{font-weight:600;padding:.5em .8em;border-radius:6px;border:1px solid var(--line)}\
.verdict.ok{border-color:var(--ok)}.verdict.error{border-color:var(--error)}\
ol.steps{list-style:none;padding:0;margin:.3em 0}\
ol.steps li{display:flex;gap:.6em;align-items:baseline;padding:.25em 0;border-bottom:1px solid var(--line)}\
ol.steps .mark{font-weight:700;min-width:1.2em;text-align:center}ol.steps .what{flex:1}\
ol.steps .time{color:var(--muted);white-space:nowrap;font-variant-numeric:tabular-nums}\
.finding{border:1px solid var(--line);border-left:4px solid var(--muted);border-radius:6px;padding:.6em .9em;margin:.8em 0}\
.finding.error{border-left-color:var(--error);color:inherit}.finding.warning{border-left-color:var(--warning);color:inherit}\
.finding.info{border-left-color:var(--info);color:inherit}\
.finding .sev{font-size:.8em;text-transform:uppercase;letter-spacing:.04em;font-weight:700}\
details{margin:.5em 0}summary{cursor:pointer;color:var(--muted)}\
.session{border:1px solid var(--line);border-radius:6px;padding:.6em 1em;margin:1em 0}\
.timeline{font-family:ui-monospace,monospace;font-size:.9em;border-left:3px solid var(--line);margin:.5em 0;padding-left:.8em}\
.stop{font-weight:bold}\
.ev{white-space:pre-wrap;margin:0}.ev .t{color:var(--muted);display:inline-block;min-width:4.5em}\
.ev .s{color:var(--muted);display:inline-block;min-width:6em}\
@media (max-width:40em){body{padding:.6em}ol.steps li{flex-wrap:wrap}.ev .s{display:none}}\
@media print{:root{--fg:#000;--bg:#fff;--muted:#444;--code:#f3f3f3}body{max-width:none}\
details>*{display:block}details::details-content{display:contents;content-visibility:visible}\
summary{color:#000;font-weight:600}.finding{break-inside:avoid}}";

/// Escapes text for HTML content and attribute values; control characters are shown in the one
/// visible form of [`crate::safe`] (`\u{1b}`), line breaks and tabs kept.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The CSS class of a severity: `error`, `warning`, `info`.
pub fn severity_class(s: Severity) -> &'static str {
    s.as_str()
}

fn ui(lang: Lang, key: &str) -> String {
    kb_text(lang, key, &[])
}

fn time(ms: u64) -> String {
    if ms < 1000 { format!("{ms} ms") } else { format!("{:.1} s", ms as f64 / 1000.0) }
}

/// A step's mark: ✗ failed, ! worked but a finding is about its stage, ✓ worked.
fn step_mark(step: &Step, findings: &[Finding]) -> (&'static str, &'static str) {
    if !step.ok {
        return ("✗", "error");
    }
    if findings.iter().any(|f| f.stage == step.stage.as_str() && f.severity != Severity::Info) {
        return ("!", "warning");
    }
    ("✓", "ok")
}

/// A connection's heading: "SMTP: host:port (STARTTLS)", "Check with the other encryption
/// mode: …".
pub fn connection_label(t: &Transcript, lang: Lang) -> String {
    let key = match (t.protocol, t.role) {
        (_, Role::ModeCheck) => "ui-transcript-mode-check",
        (_, Role::ClientTlsCheck) => "ui-transcript-client-tls-check",
        (Protocol::Imap, _) => "ui-transcript-imap",
        _ => "ui-transcript-smtp",
    };
    kb_text(lang, key, &[("endpoint", &t.endpoint.to_string())])
}

/// A step's name in `lang` ("Sign-in", "Encryption (TLS)").
pub fn stage_name(stage: Stage, lang: Lang) -> String {
    let key = format!("ui-stage-{}", stage.as_str());
    let name = kb_text(lang, &key, &[]);
    if name == key { stage.as_str().to_owned() } else { name }
}

/// The step timeline of one connection: each step's mark, name, what decided it, and its time.
pub fn steps(out: &mut String, steps: &[Step], findings: &[Finding], lang: Lang) {
    out.push_str("<ol class=\"steps\">\n");
    for step in steps {
        let (mark, class) = step_mark(step, findings);
        let _ = writeln!(
            out,
            "<li class=\"step {class}\" data-stage=\"{}\"><span class=\"mark {class}\">{mark}</span>\
             <span class=\"what\"><b>{}</b> <span class=\"mono\">{}</span></span>\
             <span class=\"time\">{}</span></li>",
            escape(step.stage.as_str()),
            escape(&stage_name(step.stage, lang)),
            escape(&step.summary),
            time(step.duration_ms)
        );
    }
    out.push_str("</ol>\n");
}

/// The events of a transcript, one per line with its time and stage (secrets were redacted when
/// it was recorded).
pub fn transcript(out: &mut String, t: &Transcript) {
    out.push_str("<pre class=\"transcript\">");
    for event in &t.events {
        let (arrow, lines) = crate::text::event_lines(event, false);
        for (i, line) in lines.iter().enumerate() {
            let (at, stage) = if i == 0 {
                (format!("{} ms", event.at_ms), event.stage.as_str())
            } else {
                (String::new(), "")
            };
            let _ = writeln!(
                out,
                "<span class=\"ev\"><span class=\"t\">{}</span><span class=\"s\">{}</span>{arrow} {}</span>",
                escape(&at),
                escape(stage),
                escape(line)
            );
        }
    }
    out.push_str("</pre>\n");
}

/// The TLS evidence: versions accepted, the chain as sent, the verdicts.
pub fn tls(out: &mut String, tls: &TlsReport, lang: Lang) {
    let say = |key: &str, args: &[(&str, &str)]| kb_text(lang, key, args);
    let _ = writeln!(out, "<h4>{}: {}</h4>", escape(&ui(lang, "ui-tls")), escape(&tls.endpoint.to_string()));
    if !tls.versions.is_empty() {
        let _ = writeln!(
            out,
            "<table class=\"tls-versions\"><caption>{}</caption>",
            escape(&ui(lang, "ui-tls-versions"))
        );
        for row in &tls.versions {
            let (mark, class, word) = match row.accepted {
                Some(true) => ("✓", "ok", ui(lang, "ui-tls-accepted")),
                Some(false) => ("✗", "warning", ui(lang, "ui-tls-refused")),
                None => ("?", "muted", ui(lang, "ui-tls-no-answer")),
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"{class}\">{mark}</td><td>{}</td><td class=\"{class}\">{}</td><td class=\"mono\">{}</td></tr>",
                escape(&row.version.to_string()),
                escape(&word),
                escape(&row.detail)
            );
        }
        out.push_str("</table>\n");
    }
    if let Some(n) = &tls.negotiated {
        let _ = writeln!(out, "<p class=\"mono\">{}</p>", escape(n));
    }
    if !tls.chain.is_empty() {
        let _ =
            writeln!(out, "<table class=\"chain\"><caption>{}</caption>", escape(&ui(lang, "ui-tls-chain")));
        for (i, c) in tls.chain.iter().enumerate() {
            let key = say("ui-tls-key", &[("key", &c.key), ("algorithm", &c.signature_algorithm)]);
            let valid = say("ui-tls-valid", &[("from", &c.not_before), ("to", &c.not_after)]);
            let names = if c.names.is_empty() {
                String::new()
            } else {
                format!("<br/>{}", escape(&say("ui-tls-names", &[("names", &c.names.join(", "))])))
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"num\">{i}</td><td><b>{}</b><br/>← {}<br/>{}; {}{names}</td></tr>",
                escape(&c.subject),
                escape(&c.issuer),
                escape(&key),
                escape(&valid)
            );
        }
        out.push_str("</table>\n");
    }
    let host = tls.server_name.as_str();
    let mut verdicts = Vec::new();
    if tls.verified {
        verdicts.push((true, say("ui-tls-verified", &[("host", host)])));
    } else if let Some(reason) = &tls.failure {
        verdicts.push((false, say("ui-tls-not-verified", &[("reason", reason)])));
    }
    if let (Some(a), Some(leaf)) = (&tls.assessment, tls.chain.first()) {
        if a.name_matches {
            verdicts.push((true, say("ui-tls-name-ok", &[("host", host)])));
        } else {
            verdicts
                .push((false, say("ui-tls-name-bad", &[("host", host), ("names", &leaf.names.join(", "))])));
        }
        if a.not_yet_valid {
            verdicts.push((false, say("ui-tls-not-yet-valid", &[("from", &leaf.not_before)])));
        } else if let Some(days) = a.days_left {
            let d = days.abs().to_string();
            verdicts.push(match (days < 0, a.expires_soon) {
                (true, _) => (false, say("ui-tls-expired", &[("days", &d)])),
                (false, true) => (false, say("ui-tls-expires-soon", &[("days", &d)])),
                (false, false) => (true, say("ui-tls-days-left", &[("days", &d)])),
            });
        }
        if !a.in_order {
            verdicts.push((false, ui(lang, "ui-tls-out-of-order")));
        }
        if let Some(issuer) = &a.issuer_not_sent
            && !tls.verified
        {
            verdicts.push((false, say("ui-tls-issuer-not-sent", &[("issuer", issuer)])));
        }
    }
    if !verdicts.is_empty() {
        out.push_str("<ul class=\"verdicts\">");
        for (ok, text) in verdicts {
            let (mark, class) = if ok { ("✓", "ok") } else { ("✗", "error") };
            let _ = write!(out, "<li><span class=\"{class}\">{mark}</span> {}</li>", escape(&text));
        }
        out.push_str("</ul>\n");
    }
}

/// One finding: severity, title and id, what happened, the evidence lines, why (ranked causes)
/// and what to do; `evidence` (markup) is folded under it in a `<details>`.
pub fn finding(out: &mut String, f: &Finding, n: usize, lang: Lang, evidence: &str) {
    let class = severity_class(f.severity);
    let sev = kb_text(lang, &format!("ui-severity-{}", f.severity.as_str()), &[]);
    let _ = writeln!(
        out,
        "<section class=\"finding {class}\" id=\"finding-{}\" data-finding=\"{}\">\
         <span class=\"sev {class}\">{}</span><h3>{n}. {} <code>{}</code></h3>",
        escape(&f.id),
        escape(&f.id),
        escape(&sev),
        escape(&f.title),
        escape(&f.id)
    );
    let _ = writeln!(out, "<h4>{}</h4><p>{}</p>", escape(&ui(lang, "ui-what-happened")), escape(&f.summary));
    if !f.evidence.is_empty() {
        let _ = write!(out, "<h4>{}</h4><pre class=\"evidence\">", escape(&ui(lang, "ui-evidence")));
        for e in &f.evidence {
            let _ = writeln!(out, "{}", escape(e));
        }
        out.push_str("</pre>\n");
    }
    if !f.causes.is_empty() {
        let _ = write!(out, "<h4>{}</h4><ol class=\"causes\">", escape(&ui(lang, "ui-why")));
        for c in &f.causes {
            let _ = write!(out, "<li>{}</li>", escape(c));
        }
        out.push_str("</ol>\n");
    }
    if !f.fixes.is_empty() {
        let _ = write!(out, "<h4>{}</h4><ol class=\"fixes\">", escape(&ui(lang, "ui-what-to-do")));
        for fix in &f.fixes {
            let who = fix
                .audience
                .as_deref()
                .map(|a| format!("<b>{}</b> ", escape(&kb_text(lang, &format!("ui-audience-{a}"), &[]))))
                .unwrap_or_default();
            let _ = write!(out, "<li>{who}{}</li>", escape(&fix.text));
        }
        out.push_str("</ol>\n");
    }
    if !evidence.is_empty() {
        let _ = writeln!(
            out,
            "<details class=\"evidence\"><summary>{}</summary>\n{evidence}</details>",
            escape(&kb_text_or(
                lang,
                "ui-html-evidence",
                "Evidence: what was seen",
                "Prove: che cosa si è visto",
                &[]
            ))
        );
    }
    out.push_str("</section>\n");
}

/// The findings section: a heading and each finding with no folded evidence (for reports whose
/// evidence is shown elsewhere: `scan`'s summary, `analyze`).
pub fn findings(out: &mut String, findings: &[Finding], lang: Lang) {
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2>{}</h2>", escape(&ui(lang, "ui-findings")));
    for (n, f) in findings.iter().enumerate() {
        finding(out, f, n + 1, lang, "");
    }
}

/// "A problem was found", pointing down: on a page the findings come after the verdict.
fn problem_below(lang: Lang) -> String {
    kb_text_or(
        lang,
        "ui-html-result-problem",
        "A problem was found: see the findings below.",
        "È stato trovato un problema: vedi i risultati qui sotto.",
        &[],
    )
}

/// The verdict line: the path works, or a problem was found.
pub fn verdict(out: &mut String, ok: bool, ok_text: &str, problem_text: &str) {
    let (class, mark, text) = if ok { ("ok", "✓", ok_text) } else { ("error", "✗", problem_text) };
    let _ = writeln!(out, "<p class=\"verdict {class}\">{mark} {}</p>", escape(text));
}

// ------------------------------------------------------------------ diagnose

fn shown_transcripts(r: &Report) -> impl Iterator<Item = &TranscriptReport> {
    r.transcripts.iter().filter(|t| t.transcript.role != Role::TlsScan)
}

/// The evidence a finding of `stage` rests on: the transcripts that reached that stage (else
/// the primary ones), and the TLS section for a TLS finding.
fn diagnose_evidence(r: &Report, f: &Finding, lang: Lang) -> String {
    let mut out = String::new();
    let at_stage: Vec<&TranscriptReport> = shown_transcripts(r)
        .filter(|t| t.transcript.events.iter().any(|e| e.stage.as_str() == f.stage))
        .collect();
    let chosen: Vec<&TranscriptReport> = if at_stage.is_empty() {
        shown_transcripts(r).filter(|t| t.transcript.role == Role::Primary).collect()
    } else {
        at_stage
    };
    for t in chosen {
        let _ = writeln!(out, "<h4>{}</h4>", escape(&connection_label(&t.transcript, lang)));
        transcript(&mut out, &t.transcript);
    }
    if let Some(t) = &r.tls
        && (f.stage == "tls" || f.id.starts_with("tls.") || !t.versions.is_empty())
    {
        tls(&mut out, t, lang);
    }
    out
}

impl HtmlReport for Report {
    fn title(&self, lang: Lang) -> String {
        let c = &self.context;
        let server = format!("{}:{}", c.host, c.port);
        match &self.scenario {
            Some(s) => format!("mailprobe demo: {s} — {server}"),
            None => kb_text_or(
                lang,
                "ui-html-title-diagnose",
                "mailprobe: {server}",
                "mailprobe: {server}",
                &[("server", &server)],
            ),
        }
    }

    fn body(&self, lang: Lang, out: &mut String) {
        verdict(out, self.ok, &ui(lang, "ui-result-ok"), &problem_below(lang));
        let _ = writeln!(out, "<h2>{}</h2>", escape(&ui(lang, "ui-steps")));
        for t in shown_transcripts(self) {
            let _ = writeln!(out, "<h3>{}</h3>", escape(&connection_label(&t.transcript, lang)));
            steps(out, &t.steps, &self.findings, lang);
        }
        if let Some(d) = &self.discovery {
            let _ = writeln!(
                out,
                "<details class=\"discovery\"><summary>{}</summary>",
                escape(&ui(lang, "ui-discovery"))
            );
            let _ = writeln!(out, "<pre>{}</pre>", escape(&crate::dns::render_discovery(&d.found, lang)));
            if d.differs
                && let Some(s) = &d.found.smtp
            {
                let discovered = format!("{}:{} {}", s.host, s.port, s.security);
                let line = kb_text(
                    lang,
                    "dns-discovery-differs",
                    &[("domain", &d.found.domain), ("configured", &d.tested), ("discovered", &discovered)],
                );
                let _ = writeln!(out, "<p class=\"warning\">! {}</p>", escape(&line));
            }
            out.push_str("</details>\n");
        }
        if self.findings.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(&ui(lang, "ui-no-findings")));
        } else {
            let _ = writeln!(out, "<h2>{}</h2>", escape(&ui(lang, "ui-findings")));
            for (n, f) in self.findings.iter().enumerate() {
                finding(out, f, n + 1, lang, &diagnose_evidence(self, f, lang));
            }
        }
        // everything seen, for a report with nothing wrong (or to read it all at once)
        let _ = writeln!(
            out,
            "<details class=\"all-evidence\"><summary>{}</summary>",
            escape(&kb_text_or(lang, "ui-html-all-evidence", "All evidence", "Tutte le prove", &[]))
        );
        for t in shown_transcripts(self) {
            let _ = writeln!(out, "<h4>{}</h4>", escape(&connection_label(&t.transcript, lang)));
            transcript(out, &t.transcript);
        }
        if let Some(t) = &self.tls {
            tls(out, t, lang);
        }
        out.push_str("</details>\n");
    }
}

// ------------------------------------------------------------------ explain

impl HtmlReport for ExplainReport {
    fn title(&self, lang: Lang) -> String {
        kb_text_or(lang, "ui-html-title-explain", "mailprobe: explain", "mailprobe: spiegazione", &[])
    }

    fn body(&self, lang: Lang, out: &mut String) {
        verdict(out, self.ok(), &ui(lang, "ui-result-ok"), &problem_below(lang));
        let understood = self.understood();
        if !understood.is_empty() {
            let _ = writeln!(out, "<h2>{}</h2><ol class=\"steps\">", escape(&ui(lang, "ui-steps")));
            for (u, line) in self.pasted.understood.iter().zip(&understood) {
                let failed = match u.kind {
                    mailprobe_logs::EvidenceKind::Reply => u.code.is_some_and(|c| c >= 400),
                    _ => true,
                };
                let (mark, class) = if failed { ("✗", "error") } else { ("✓", "ok") };
                let _ = writeln!(
                    out,
                    "<li class=\"step {class}\" data-stage=\"{}\"><span class=\"mark {class}\">{mark}</span>\
                     <span class=\"what\">{}</span><span class=\"time\">#{}</span></li>",
                    escape(u.stage.as_str()),
                    escape(line),
                    u.line
                );
            }
            out.push_str("</ol>\n");
        }
        for note in self.notes() {
            let _ = writeln!(out, "<p class=\"muted\">{}</p>", escape(&note));
        }
        if let Some(sentence) = self.no_findings_sentence() {
            let _ = writeln!(out, "<p>{}</p>", escape(&sentence));
            if let Some(s) = self.suggestion() {
                let _ = writeln!(out, "<p>{}</p>", escape(&s));
            }
        }
        if !self.findings.is_empty() {
            let _ = writeln!(out, "<h2>{}</h2>", escape(&ui(lang, "ui-findings")));
        }
        for (n, f) in self.findings.iter().enumerate() {
            let mut evidence = String::new();
            for t in &self.pasted.transcripts {
                transcript(&mut evidence, t);
            }
            finding(out, f, n + 1, lang, &evidence);
        }
    }
}

// ------------------------------------------------------------------ dns

impl HtmlReport for DnsCheckReport {
    fn title(&self, lang: Lang) -> String {
        let r = &self.report;
        match r.ip {
            Some(ip) => kb_text(lang, "dns-title-ip", &[("domain", &r.domain), ("ip", &ip.to_string())]),
            None => kb_text(lang, "dns-title", &[("domain", &r.domain)]),
        }
    }

    fn body(&self, lang: Lang, out: &mut String) {
        verdict(
            out,
            self.ok,
            &kb_text(lang, "dns-result-ok", &[]),
            &kb_text(lang, "dns-result-problem", &[]),
        );
        // one step per check: MX, SPF, DMARC, each blocklist, reverse DNS
        let t = self.report.transcript();
        let _ = writeln!(out, "<h2>{}</h2>\n<ol class=\"steps\">", escape(&ui(lang, "ui-steps")));
        for e in &t.events {
            let (mark, class) = if e.is_failure() { ("✗", "error") } else { ("✓", "ok") };
            let _ = writeln!(
                out,
                "<li class=\"step {class}\" data-stage=\"{}\"><span class=\"mark {class}\">{mark}</span>\
                 <span class=\"what mono\">{}</span><span class=\"time\"></span></li>",
                escape(e.stage.as_str()),
                escape(&summarize(e))
            );
        }
        out.push_str("</ol>\n");
        // the full text report (no colours) is the evidence every finding rests on
        let style = Style { color: false, quiet: false, verbose: true, lang };
        let whole = crate::dns::render_text(&self.report, &[], self.ok, &style);
        let mut evidence = format!("<pre>{}</pre>\n", escape(&whole));
        if let Some(d) = &self.discovery {
            let _ = writeln!(evidence, "<pre>{}</pre>", escape(&crate::dns::render_discovery(d, lang)));
        }
        if self.findings.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", escape(&kb_text(lang, "dns-no-findings", &[])));
        } else {
            let _ = writeln!(out, "<h2>{}</h2>", escape(&kb_text(lang, "dns-findings", &[])));
        }
        for (n, f) in self.findings.iter().enumerate() {
            finding(out, f, n + 1, lang, &evidence);
        }
        let _ = writeln!(
            out,
            "<details class=\"all-evidence\"><summary>{}</summary>\n{evidence}</details>",
            escape(&kb_text_or(lang, "ui-html-all-evidence", "All evidence", "Tutte le prove", &[]))
        );
    }
}

// ------------------------------------------------------------------ advise

impl HtmlReport for Advice {
    fn title(&self, _lang: Lang) -> String {
        self.title.clone()
    }

    fn body(&self, lang: Lang, out: &mut String) {
        let t = |key: &str, args: &[(&str, &str)]| kb_text(lang, key, args);
        let _ = writeln!(
            out,
            "<p class=\"verdict {}\">{}</p><p>{}</p>",
            if self.ok { "ok" } else { "error" },
            escape(&self.recommendation),
            escape(&self.why)
        );
        if let Some(s) = &self.settings {
            let _ = writeln!(
                out,
                "<h2>{}</h2><ul class=\"settings\">",
                escape(&t("advise-heading-settings", &[]))
            );
            for (id, v) in s.labelled() {
                let _ = writeln!(out, "<li>{}</li>", escape(&t(id, &[("value", v)])));
            }
            if self.mx_endpoint_guessed
                && let Some(h) = &self.mx_endpoint
            {
                let _ = writeln!(out, "<li>{}</li>", escape(&t("advise-dns-mx-guess", &[("host", h)])));
            }
            out.push_str("</ul>\n");
        }
        if !self.dns_records.is_empty() {
            let _ = writeln!(out, "<h2>{}</h2><ul>", escape(&t("advise-heading-dns", &[])));
            for r in &self.dns_records {
                let _ = writeln!(
                    out,
                    "<li><code>{}</code> {} <code>{}</code> ({})</li>",
                    escape(r.kind),
                    escape(&r.name),
                    escape(&r.value),
                    escape(&r.why)
                );
            }
            out.push_str("</ul>\n");
        }
        if !self.admin_steps.is_empty() {
            let _ = writeln!(out, "<h2>{}</h2><ol class=\"admin\">", escape(&t("advise-heading-admin", &[])));
            for (i, l) in self.admin_steps.iter().enumerate() {
                let command =
                    l.command.as_deref().map(|c| format!("<pre>{}</pre>", escape(c))).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<li class=\"step\"><span class=\"mark\">{}</span><span class=\"what\">{}{command}</span></li>",
                    i + 1,
                    escape(&l.text)
                );
            }
            out.push_str("</ol>\n");
        }
        if !self.caveats.is_empty() {
            let _ = writeln!(out, "<h2>{}</h2><ul>", escape(&t("advise-heading-caveats", &[])));
            for l in &self.caveats {
                let _ = writeln!(out, "<li>{}</li>", escape(&l.text));
            }
            out.push_str("</ul>\n");
        }
        // the modes weighed, each with whether it would work: the decision's steps
        if !self.alternatives.is_empty() {
            let _ = writeln!(
                out,
                "<h2>{}</h2><ol class=\"steps\">",
                escape(&t("advise-heading-alternatives", &[]))
            );
            for l in &self.alternatives {
                let (mark, class) = match l.id {
                    "advise-alt-impossible" => ("✗", "error"),
                    _ => ("✓", "ok"),
                };
                let _ = writeln!(
                    out,
                    "<li class=\"step {class}\"><span class=\"mark {class}\">{mark}</span><span class=\"what\">{}</span></li>",
                    escape(&l.text)
                );
            }
            out.push_str("</ol>\n");
        }
        if let Some(r) = &self.mailprobe_relay {
            let _ = writeln!(
                out,
                "<details class=\"relay\"><summary>{}</summary><p>{}</p>",
                escape(&r.title),
                escape(&r.what)
            );
            let _ = writeln!(out, "<h4>{}</h4><ul>", escape(&t("advise-heading-settings", &[])));
            for s in &r.device_settings {
                let _ = writeln!(out, "<li>{}</li>", escape(s));
            }
            let _ = writeln!(out, "</ul><h4>{}</h4><ol>", escape(&t("advise-heading-admin", &[])));
            for s in &r.admin_steps {
                let _ = writeln!(out, "<li>{}</li>", escape(s));
            }
            out.push_str("</ol></details>\n");
        }
        if !self.findings.is_empty() {
            let _ = writeln!(out, "<h2>{}</h2>", escape(&t("dns-findings", &[])));
            for (n, f) in self.findings.iter().enumerate() {
                finding(out, f, n + 1, lang, "");
            }
        }
    }
}
