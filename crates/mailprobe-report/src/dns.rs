//! The `dns` report: MX records and the provider they show, SPF evaluated for an IP, DMARC,
//! blocklists, reverse DNS, optionally discovery, and the knowledge base's findings on them
//! (texts in `mailprobe-kb/locales/*/dns.ftl`).

use std::fmt::Write as _;

use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_net::{Discovery, DiscoverySource, DnsReport, DnsblStatus, LookupStatus, SpfVerdict, SpfVia};
use serde::Serialize;

use crate::Tool;
use crate::text::Style;

/// A `dns` run: the checks, discovery when asked, and the findings; `--format json` prints it.
#[derive(Debug, Serialize)]
pub struct DnsCheckReport {
    /// What made it.
    pub tool: Tool,
    /// True when no finding is an error.
    pub ok: bool,
    /// The DNS evidence.
    #[serde(flatten)]
    pub report: DnsReport,
    /// How mail programs would find the submission server (`--discover`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery: Option<Discovery>,
    /// What the evidence means, most likely cause first.
    pub findings: Vec<Finding>,
}

impl DnsCheckReport {
    /// The report of these checks and findings (`ok` when no finding is an error).
    pub fn new(report: DnsReport, discovery: Option<Discovery>, findings: Vec<Finding>) -> Self {
        let ok = !findings.iter().any(Finding::is_error);
        Self { tool: Tool::this(), ok, report, discovery, findings }
    }

    /// The exit status: 0 no error finding, 1 one.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.ok)
    }
}

/// The text report: control characters from the peers made visible, colours (`style.color`)
/// as escape sequences of our own.
pub fn text(report: &DnsCheckReport, style: &Style) -> String {
    let mut out = render_text(&report.report, &report.findings, report.ok, style);
    if let Some(d) = &report.discovery {
        out.push('\n');
        out.push_str(&render_discovery(d, style.lang));
    }
    let cleaned = crate::safe::clean_lines(&out);
    cleaned.replace(MARK_OPEN, "\x1b[").replace(MARK_CLOSE, "m")
}

fn t(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    KnowledgeBase::builtin().text(lang, key, args)
}

/// The serde name of a unit enum variant.
fn json_name<T: Serialize>(v: &T) -> String {
    mailprobe_proto::snake(v)
}

// ------------------------------------------------------------------ text

/// Colour marks stand for escape sequences until the report has been cleaned of the peers'
/// control characters (DNS answers are text anyone can publish); see [`text`].
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("{MARK_OPEN}{code}{MARK_CLOSE}{text}{MARK_OPEN}0{MARK_CLOSE}")
    } else {
        text.to_owned()
    }
}

/// Findings, as the diagnose report shows them.
pub(crate) fn render_findings(
    out: &mut String,
    findings: &[Finding],
    lang: Lang,
    color: bool,
    heading: &str,
) {
    let ui = |k: &str| t(lang, k, &[]);
    let _ = writeln!(out, "{}", paint(color, "1", heading));
    for (n, f) in findings.iter().enumerate() {
        let mark = match f.severity {
            Severity::Error => paint(color, "31", "✗"),
            Severity::Warning => paint(color, "33", "!"),
            Severity::Info => paint(color, "36", "i"),
        };
        let _ = writeln!(out, "\n{mark} {}. {}  [{}]", n + 1, paint(color, "1", &f.title), f.id);
        let _ = writeln!(out, "   {}", f.summary);
        if !f.evidence.is_empty() {
            let _ = writeln!(out, "\n   {}", ui("ui-evidence"));
            for e in &f.evidence {
                let _ = writeln!(out, "     | {e}");
            }
        }
        if !f.causes.is_empty() {
            let _ = writeln!(out, "\n   {}", ui("ui-why"));
            for (i, c) in f.causes.iter().enumerate() {
                let _ = writeln!(out, "     {}. {c}", i + 1);
            }
        }
        if !f.fixes.is_empty() {
            let _ = writeln!(out, "\n   {}", ui("ui-what-to-do"));
            for (i, fix) in f.fixes.iter().enumerate() {
                let who = fix
                    .audience
                    .as_deref()
                    .map(|a| format!("[{}] ", t(lang, &format!("ui-audience-{a}"), &[])))
                    .unwrap_or_default();
                let _ = writeln!(out, "     {}. {who}{}", i + 1, fix.text);
            }
        }
    }
    out.push('\n');
}

pub(crate) fn render_text(r: &DnsReport, findings: &[Finding], ok: bool, style: &Style) -> String {
    let (color, lang) = (style.color, style.lang);
    let h = |s: String| paint(color, "1", &s);
    let mut out = String::new();
    let ip = r.ip.map(|i| i.to_string());
    if !style.quiet {
        let title = match &ip {
            Some(ip) => t(lang, "dns-title-ip", &[("domain", &r.domain), ("ip", ip)]),
            None => t(lang, "dns-title", &[("domain", &r.domain)]),
        };
        let _ = writeln!(out, "{}\n", h(title));
        let status = |s: LookupStatus| t(lang, &format!("dns-status-{}", json_name(&s)), &[]);
        let failed = |out: &mut String, s: LookupStatus, detail: &Option<String>| {
            let mut line = t(lang, "dns-lookup-failed", &[("status", &status(s))]);
            if style.verbose
                && let Some(d) = detail
            {
                line.push_str(&format!(" ({d})"));
            }
            let _ = writeln!(out, "  {line}");
        };

        // MX
        let _ = writeln!(out, "{}", h(t(lang, "dns-heading-mx", &[])));
        match r.mx.status {
            LookupStatus::Found => {
                for m in &r.mx.records {
                    let _ = writeln!(out, "  {:>5} {}", m.preference, m.host);
                }
                match &r.mx.provider {
                    Some(p) => {
                        let server =
                            format!("{}:{} {}", p.submission.host, p.submission.port, p.submission.security);
                        let _ = writeln!(
                            out,
                            "  {}",
                            t(lang, "dns-mx-provider", &[("provider", &p.name), ("server", &server)])
                        );
                    }
                    None => {
                        let _ = writeln!(out, "  {}", t(lang, "dns-mx-unknown-provider", &[]));
                    }
                }
                if let Some(e) = &r.mx.m365_endpoint {
                    let _ = writeln!(out, "  {}", t(lang, "dns-mx-m365-endpoint", &[("host", e)]));
                }
            }
            LookupStatus::NoData => {
                let _ = writeln!(out, "  {}", t(lang, "dns-mx-none", &[]));
            }
            s => failed(&mut out, s, &r.mx.detail),
        }
        out.push('\n');

        // SPF
        let spf = &r.spf;
        let _ = writeln!(out, "{}", h(t(lang, "dns-heading-spf", &[])));
        if spf.status.answered() {
            if spf.records.is_empty() {
                let _ = writeln!(out, "  {}", t(lang, "dns-spf-none", &[]));
            }
            for rec in &spf.records {
                let _ = writeln!(out, "  {}", t(lang, "dns-spf-record", &[("record", rec)]));
            }
            if spf.records.len() > 1 {
                let n = spf.records.len().to_string();
                let _ = writeln!(out, "  {}", t(lang, "dns-spf-multiple", &[("count", &n)]));
            }
        } else {
            failed(&mut out, spf.status, &spf.detail);
        }
        match (&ip, spf.result) {
            (Some(ip), Some(result)) => {
                let verdict = match result {
                    SpfVerdict::Pass => paint(color, "32", result.as_str()),
                    SpfVerdict::Fail | SpfVerdict::Permerror => paint(color, "31", result.as_str()),
                    _ => paint(color, "33", result.as_str()),
                };
                let _ = writeln!(out, "  {}", t(lang, "dns-spf-result", &[("ip", ip), ("result", &verdict)]));
                match &spf.matched {
                    Some(m) => {
                        let _ = writeln!(
                            out,
                            "  {}",
                            t(lang, "dns-spf-match", &[("mechanism", &m.mechanism), ("domain", &m.domain)])
                        );
                        if !m.through.is_empty() {
                            let _ = writeln!(
                                out,
                                "    {}",
                                t(lang, "dns-spf-through", &[("chain", &m.through.join(" → "))])
                            );
                        }
                    }
                    None if matches!(result, SpfVerdict::Neutral) => {
                        let _ = writeln!(out, "  {}", t(lang, "dns-spf-nomatch", &[]));
                    }
                    None => {}
                }
                if let Some(reason) = spf.permerror {
                    let why = t(lang, &format!("dns-spf-permerror-{}", json_name(&reason)), &[]);
                    let _ = writeln!(out, "  {}", t(lang, "dns-spf-reason", &[("reason", &why)]));
                }
                if spf.chain.len() > 1 || spf.chain.iter().any(|s| s.problem.is_some()) {
                    let _ = writeln!(out, "  {}", t(lang, "dns-spf-chain", &[]));
                    for s in &spf.chain {
                        let key = match s.via {
                            SpfVia::Domain => "dns-spf-chain-domain",
                            SpfVia::Include => "dns-spf-chain-include",
                            SpfVia::Redirect => "dns-spf-chain-redirect",
                        };
                        let indent = "  ".repeat(s.depth as usize + 2);
                        let what = s.record.clone().or_else(|| s.problem.clone()).unwrap_or_default();
                        let _ = writeln!(out, "{indent}{}: {what}", t(lang, key, &[("domain", &s.domain)]));
                    }
                }
                let (n, l) = (spf.lookups.to_string(), spf.lookup_limit.to_string());
                let _ = writeln!(out, "  {}", t(lang, "dns-spf-lookups", &[("count", &n), ("limit", &l)]));
                if spf.trace_incomplete {
                    let _ = writeln!(out, "  {}", t(lang, "dns-spf-trace-incomplete", &[]));
                }
            }
            _ if !spf.records.is_empty() => {
                let _ = writeln!(out, "  {}", t(lang, "dns-spf-no-ip", &[]));
            }
            _ => {}
        }
        out.push('\n');

        // DMARC
        let _ = writeln!(out, "{}", h(t(lang, "dns-heading-dmarc", &[])));
        match (&r.dmarc.record, &r.dmarc.found_at) {
            (Some(rec), Some(name)) => {
                let _ =
                    writeln!(out, "  {}", t(lang, "dns-dmarc-record", &[("name", name), ("record", rec)]));
                if let Some(p) = &r.dmarc.policy {
                    let text = t(lang, &format!("dns-dmarc-policy-{p}"), &[]);
                    let _ = writeln!(out, "  {}", t(lang, "dns-dmarc-policy", &[("policy", &text)]));
                }
                if r.dmarc.invalid {
                    let _ = writeln!(out, "  {}", t(lang, "dns-dmarc-invalid", &[]));
                }
            }
            _ if r.dmarc.status.answered() => {
                let _ = writeln!(out, "  {}", t(lang, "dns-dmarc-none", &[]));
            }
            _ => failed(&mut out, r.dmarc.status, &None),
        }
        out.push('\n');

        // Blocklists
        if let Some(ip) = &ip
            && !r.blocklists.is_empty()
        {
            let _ = writeln!(out, "{}", h(t(lang, "dns-heading-blocklists", &[("ip", ip)])));
            let width = r.blocklists.iter().map(|b| b.name.chars().count()).max().unwrap_or(0);
            for b in &r.blocklists {
                let word = t(lang, &format!("dns-bl-{}", json_name(&b.status)), &[]);
                let word = match b.status {
                    DnsblStatus::Listed => paint(color, "31", &word),
                    DnsblStatus::Policy => paint(color, "33", &word),
                    DnsblStatus::NotListed => paint(color, "32", &word),
                    DnsblStatus::NotAnswered => paint(color, "36", &word),
                };
                let pad = width - b.name.chars().count();
                let mut line = format!("  {}{}  {word}", b.name, " ".repeat(pad));
                if b.answers.is_empty() && b.status == DnsblStatus::NotAnswered {
                    line.push_str(&format!(" ({})", status(b.lookup)));
                }
                let _ = writeln!(out, "{line}");
                for a in &b.answers {
                    let meaning = t(lang, &format!("dns-dnsbl-meaning-{}", a.meaning), &[]);
                    let _ = writeln!(out, "      {}: {meaning}", a.answer);
                }
                if matches!(b.status, DnsblStatus::Listed | DnsblStatus::Policy)
                    && let Some(url) = &b.delist
                {
                    let _ = writeln!(out, "      {}", t(lang, "dns-bl-delist", &[("url", url)]));
                }
            }
            out.push('\n');
        }

        // Reverse DNS
        if let (Some(ip), Some(rev)) = (&ip, &r.reverse) {
            let _ = writeln!(out, "{}", h(t(lang, "dns-heading-reverse", &[("ip", ip)])));
            if rev.names.is_empty() {
                if rev.status.answered() {
                    let _ = writeln!(out, "  {}", t(lang, "dns-reverse-none", &[]));
                } else {
                    failed(&mut out, rev.status, &None);
                }
            } else {
                let _ =
                    writeln!(out, "  {}", t(lang, "dns-reverse-names", &[("names", &rev.names.join(", "))]));
                let key = if rev.forward_confirmed == Some(true) {
                    "dns-reverse-confirmed"
                } else {
                    "dns-reverse-not-confirmed"
                };
                let _ = writeln!(out, "  {}", t(lang, key, &[]));
            }
            out.push('\n');
        }
    }
    if findings.is_empty() {
        let _ = writeln!(out, "{}\n", t(lang, "dns-no-findings", &[]));
    } else {
        render_findings(&mut out, findings, lang, color, &t(lang, "dns-findings", &[]));
    }
    let verdict = if ok {
        paint(color, "32", &t(lang, "dns-result-ok", &[]))
    } else {
        paint(color, "31", &t(lang, "dns-result-problem", &[]))
    };
    let _ = writeln!(out, "{verdict}");
    out
}

/// What discovery found, in a few lines.
pub fn render_discovery(d: &Discovery, lang: Lang) -> String {
    let mut out = String::new();
    let source = |s: DiscoverySource| t(lang, &format!("dns-discovery-source-{}", json_name(&s)), &[]);
    for step in &d.steps {
        let mark = if step.found { "✓" } else { "·" };
        let _ = writeln!(out, "  {mark} {}: {} — {}", source(step.source), step.query, step.outcome);
    }
    match (&d.smtp, d.source) {
        (Some(s), Some(src)) => {
            let server = format!("{}:{} {}", s.host, s.port, s.security);
            let _ = writeln!(
                out,
                "{}",
                t(
                    lang,
                    "dns-discovery-found",
                    &[("server", &server), ("domain", &d.domain), ("source", &source(src))]
                )
            );
        }
        _ => {
            let _ = writeln!(out, "{}", t(lang, "dns-discovery-none", &[("domain", &d.domain)]));
        }
    }
    if d.insecure {
        let _ = writeln!(out, "{}", t(lang, "dns-discovery-insecure", &[]));
    }
    out
}
