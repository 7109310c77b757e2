//! `mailprobe dns DOMAIN [--ip IP] [--dnsbl LIST...]`: the MX records and the provider they show
//! (with Microsoft 365's MX endpoint for direct send), SPF evaluated for the IP by `mail-auth`
//! (the mechanism that decided, the include / redirect chain, the lookup count, why a permerror),
//! DMARC, blocklists with each answer's meaning (and an honest "not answered"), reverse DNS.
//!
//! `mailprobe-net` gathers the evidence ([`DnsReport`]); the knowledge base decides what is a
//! problem (its `dns_evidence` rules: `spf.ip_not_authorized`, `spf.permerror`, `ip.blocklisted`,
//! `relay.connector_ip_changed`...) and this module renders the report (texts in
//! `mailprobe-kb/locales/*/dns.ftl`) and the findings. Exit status: 1 when a finding is an error
//! (not authorized, listed, broken SPF, no such domain), 0 otherwise, 2 for bad input.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Result, bail};
use clap::Args;
use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_net::{
    Discovery, DiscoveryOptions, DiscoverySource, DnsChecker, DnsConfig, DnsReport, DnsblDef, DnsblStatus,
    LookupStatus, SpfVerdict, SpfVia, discover, dnsbl, dnsbls,
};
use mailprobe_proto::Context;
use serde::Serialize;

use crate::cli::{Format, GlobalArgs};
use crate::render::json;
use crate::report::Tool;

/// `mailprobe dns` flags.
#[derive(Debug, Args)]
pub struct DnsArgs {
    /// The mail domain (an address is taken for its domain).
    pub domain: String,
    /// The IP the device or server sends from: SPF is evaluated for it, and its blocklist
    /// listings and reverse DNS are checked.
    #[arg(long, value_name = "IP")]
    pub ip: Option<IpAddr>,
    /// A blocklist to ask about --ip: an id of the built-in list (spamhaus-zen, spamcop,
    /// barracuda, psbl) or any DNSBL zone. Repeatable; default: the built-in list.
    #[arg(long = "dnsbl", value_name = "LIST")]
    pub dnsbl: Vec<String>,
    /// Do not ask any blocklist.
    #[arg(long, conflicts_with = "dnsbl")]
    pub no_dnsbl: bool,
    /// Also find the submission server the way mail programs do: the provider table, SRV
    /// records (RFC 6186), autoconfig XML, the MX records.
    #[arg(long)]
    pub discover: bool,
    /// Port for http:// autoconfig URLs (tests: a local HTTP server).
    #[arg(long, hide = true, value_name = "PORT")]
    pub autoconfig_http_port: Option<u16>,
    /// Port for https:// autoconfig URLs (tests).
    #[arg(long, hide = true, value_name = "PORT")]
    pub autoconfig_https_port: Option<u16>,
}

/// The JSON document.
#[derive(Debug, Serialize)]
struct DnsDocument {
    tool: Tool,
    /// True when no finding is an error.
    ok: bool,
    #[serde(flatten)]
    report: DnsReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    discovery: Option<Discovery>,
    findings: Vec<Finding>,
}

/// The domain part of an address, or the name itself, in its ASCII (IDNA) form; `None` when it
/// cannot be a domain.
pub fn domain_of(input: &str) -> Option<String> {
    let d = input.trim().rsplit('@').next().unwrap_or("").trim_end_matches('.');
    let d = mailprobe_net::ascii_host(d).ok()?.to_ascii_lowercase();
    let valid = !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    valid.then_some(d)
}

/// A checker for the global flags (`--dns-server`, `--timeout`).
pub fn checker(global: &GlobalArgs) -> Result<DnsChecker> {
    Ok(DnsChecker::new(DnsConfig {
        server: global.dns_server,
        timeout: Duration::from_secs_f64(global.timeout),
    })?)
}

/// Runs `dns`.
pub async fn run(args: &DnsArgs, global: &GlobalArgs) -> Result<u8> {
    let Some(domain) = domain_of(&args.domain) else {
        bail!("{:?} is not a domain name", args.domain);
    };
    let lists: Vec<DnsblDef> = if args.no_dnsbl {
        Vec::new()
    } else if args.dnsbl.is_empty() {
        dnsbls().iter().filter(|l| l.default).cloned().collect()
    } else {
        let mut v = Vec::new();
        for name in args.dnsbl.iter().flat_map(|s| s.split(',')).filter(|s| !s.trim().is_empty()) {
            if domain_of(name).is_none() {
                bail!("--dnsbl {name:?} is not a list id or a DNS zone");
            }
            v.push(dnsbl(name));
        }
        v
    };
    let checker = checker(global)?;
    let report = checker.check(&domain, args.ip, &lists).await;
    let discovery = if args.discover {
        let options = DiscoveryOptions {
            address: args.domain.contains('@').then(|| args.domain.trim().to_owned()),
            http_port: args.autoconfig_http_port,
            https_port: args.autoconfig_https_port,
            trust: None,
        };
        Some(discover(&checker, &domain, &options).await)
    } else {
        None
    };
    let lang = crate::lang(global);
    let findings = findings(&report, lang);
    let ok = !findings.iter().any(Finding::is_error);
    match global.format {
        Format::Json => json::print(&DnsDocument { tool: Tool::this(), ok, report, discovery, findings }),
        // Markdown is refused before any command runs (Cli::check_format).
        Format::Text | Format::Markdown | Format::Html => {
            let mut out = render_text(&report, &findings, ok, global, lang);
            if let Some(d) = &discovery {
                out.push('\n');
                out.push_str(&render_discovery(d, lang));
            }
            print_clean(&out);
        }
    }
    Ok(if ok { 0 } else { 1 })
}

fn t(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    KnowledgeBase::builtin().text(lang, key, args)
}

// ------------------------------------------------------------------ findings

/// What the evidence means: the knowledge base's findings on the report's checks (the report as
/// a DNS transcript; the provider its MX records show selects provider-specific advice).
pub fn findings(r: &DnsReport, lang: Lang) -> Vec<Finding> {
    let context = Context {
        provider: r.mx.provider.as_ref().map(|p| p.id.clone()),
        host: r.domain.clone(),
        ..Context::default()
    };
    KnowledgeBase::builtin().diagnose(&context, &[r.transcript()], lang)
}

/// The serde name of a unit enum variant.
fn json_name<T: Serialize>(v: &T) -> String {
    mailprobe_proto::snake(v)
}

// ------------------------------------------------------------------ text

/// Colour marks stand for escape sequences until the report has been cleaned of the peers'
/// control characters (DNS answers are text anyone can publish); see [`print_clean`].
/// Prints a report: control characters from the peers made visible, then the colour marks made
/// escape sequences.
fn print_clean(out: &str) {
    let cleaned = crate::render::safe::clean_lines(out);
    print!("{}", cleaned.replace(MARK_OPEN, "\x1b[").replace(MARK_CLOSE, "m"));
}

const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("{MARK_OPEN}{code}{MARK_CLOSE}{text}{MARK_OPEN}0{MARK_CLOSE}")
    } else {
        text.to_owned()
    }
}

/// Whether to colour stdout.
pub(crate) fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
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

fn render_text(r: &DnsReport, findings: &[Finding], ok: bool, global: &GlobalArgs, lang: Lang) -> String {
    let color = color();
    let h = |s: String| paint(color, "1", &s);
    let mut out = String::new();
    let ip = r.ip.map(|i| i.to_string());
    if !global.quiet {
        let title = match &ip {
            Some(ip) => t(lang, "dns-title-ip", &[("domain", &r.domain), ("ip", ip)]),
            None => t(lang, "dns-title", &[("domain", &r.domain)]),
        };
        let _ = writeln!(out, "{}\n", h(title));
        let status = |s: LookupStatus| t(lang, &format!("dns-status-{}", json_name(&s)), &[]);
        let failed = |out: &mut String, s: LookupStatus, detail: &Option<String>| {
            let mut line = t(lang, "dns-lookup-failed", &[("status", &status(s))]);
            if global.verbose
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
pub(crate) fn render_discovery(d: &Discovery, lang: Lang) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(domain_of("Alice@Contoso.COM"), Some("contoso.com".into()));
        assert_eq!(domain_of("contoso.com."), Some("contoso.com".into()));
        assert_eq!(domain_of("bad domain"), None);
        assert_eq!(domain_of("-x.com"), None);
        assert_eq!(domain_of(""), None);
        assert_eq!(domain_of("a..b"), None);
        // Issue 17 item 8: one IDNA form, the one DNS is asked with.
        assert_eq!(domain_of("alice@Bücher.example"), Some("xn--bcher-kva.example".into()));
        assert_eq!(domain_of("bü cher.example"), None);
    }
}
