//! Text reports: the steps with ✓/✗ and timings, the redacted transcript, then the findings —
//! what happened, why, and what to do, in order. Every value that is not our own words goes
//! through [`safe`]: replies, certificate names, DNS answers and findings' texts (which quote
//! them) may hold terminal control sequences.

use std::fmt::Write as _;

use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_proto::{Event, EventKind, Role, Transcript, summarize};

use crate::diagnose::{DiscoveryReport, Report, TlsReport, TranscriptReport};
use crate::safe::{clean, clean_lines, safe};

/// How much to show, and whether to colour it.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// ANSI colours (only on a terminal and without `NO_COLOR`).
    pub color: bool,
    /// Findings only.
    pub quiet: bool,
    /// Certificates and every reply line.
    pub verbose: bool,
    /// Language.
    pub lang: Lang,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    fn ok(&self, ok: bool) -> String {
        if ok { self.paint("32", "✓") } else { self.paint("31", "✗") }
    }

    fn heading(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

fn ui(style: &Style, key: &str, args: &[(&str, &str)]) -> String {
    KnowledgeBase::builtin().text(style.lang, key, args)
}

/// Renders a whole report.
pub fn render(report: &Report, style: &Style) -> String {
    let mut out = String::new();
    if !style.quiet {
        // A scan's transcripts are read as the versions table, not shown one by one.
        for t in report.transcripts.iter().filter(|t| t.transcript.role != Role::TlsScan || style.verbose) {
            render_transcript(&mut out, t, style);
        }
        if let Some(d) = &report.discovery {
            render_discovery(&mut out, d, style);
        }
        if let Some(tls) = &report.tls
            && (style.verbose || !tls.versions.is_empty())
        {
            render_tls(&mut out, tls, style);
        }
    }
    render_findings(&mut out, &report.findings, report.ok, style);
    let verdict = if report.ok {
        style.paint("32", &ui(style, "ui-result-ok", &[]))
    } else {
        style.paint("31", &ui(style, "ui-result-problem", &[]))
    };
    let _ = writeln!(out, "{verdict}");
    out
}

fn role_label(style: &Style, t: &Transcript) -> String {
    let key = match (t.protocol, t.role) {
        (_, Role::ModeCheck) => "ui-transcript-mode-check",
        (_, Role::ClientTlsCheck) => "ui-transcript-client-tls-check",
        (mailprobe_proto::Protocol::Imap, _) => "ui-transcript-imap",
        _ => "ui-transcript-smtp",
    };
    clean(&ui(style, key, &[("endpoint", &t.endpoint.to_string())])).into_owned()
}

fn render_transcript(out: &mut String, report: &TranscriptReport, style: &Style) {
    let t = &report.transcript;
    let _ = writeln!(out, "{}", style.heading(&role_label(style, t)));
    let names: Vec<String> =
        report.steps.iter().map(|s| ui(style, &format!("ui-stage-{}", s.stage.as_str()), &[])).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (step, name) in report.steps.iter().zip(&names) {
        let _ = writeln!(
            out,
            "  {} {name:<width$}  {:>6} ms  {}",
            style.ok(step.ok),
            step.duration_ms,
            safe(&step.summary)
        );
    }
    let _ = writeln!(out, "\n  {}", style.heading(&ui(style, "ui-transcript", &[])));
    for event in &t.events {
        let (arrow, lines) = event_lines(event, style.verbose);
        for (i, line) in lines.iter().enumerate() {
            let (time, stage) = if i == 0 {
                (format!("{:>6}", event.at_ms), event.stage.as_str())
            } else {
                (String::from("      "), "")
            };
            let _ = writeln!(out, "  {time}  {stage:<9} {arrow} {}", safe(line));
        }
    }
    out.push('\n');
}

/// An event as transcript lines: the direction mark (`C:`, `S:` or blank) and its lines (a
/// reply's every line and mailprobe's notes on it; with `verbose`, the certificates too).
pub(crate) fn event_lines(event: &Event, verbose: bool) -> (&'static str, Vec<String>) {
    let arrow = match &event.kind {
        EventKind::Sent { .. } => "C:",
        EventKind::Received { .. } | EventKind::ImapReceived { .. } => "S:",
        _ => "  ",
    };
    let lines: Vec<String> = match &event.kind {
        EventKind::Received { reply } => {
            let mut l = reply.wire_lines();
            l.extend(reply.notes.iter().map(|n| format!("(mailprobe: {n})")));
            l
        }
        EventKind::TlsEstablished { session } if verbose => {
            let mut l = vec![summarize(event)];
            for (i, c) in session.certificates.iter().enumerate() {
                l.push(format!(
                    "  cert {i}: {} (issuer {}; {} … {})",
                    c.subject, c.issuer, c.not_before, c.not_after
                ));
                if !c.names.is_empty() {
                    l.push(format!("          names: {}", c.names.join(", ")));
                }
            }
            l
        }
        EventKind::TlsFailed { certificates, .. } if verbose => {
            let mut l = vec![summarize(event)];
            l.extend(
                certificates
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("  cert {i}: {} (issuer {})", c.subject, c.issuer)),
            );
            l
        }
        _ => vec![summarize(event)],
    };
    (arrow, lines)
}

fn render_discovery(out: &mut String, d: &DiscoveryReport, style: &Style) {
    let _ = writeln!(out, "{}", style.heading(&ui(style, "ui-discovery", &[])));
    // laid out in lines by dns.rs, without colours: cleaned whole, its line breaks kept
    out.push_str(&clean_lines(&crate::dns::render_discovery(&d.found, style.lang)));
    if d.differs
        && let Some(s) = &d.found.smtp
    {
        let c = &d.tested;
        let discovered = format!("{}:{} {}", s.host, s.port, s.security);
        let line = ui(
            style,
            "dns-discovery-differs",
            &[("domain", &d.found.domain), ("configured", c), ("discovered", &discovered)],
        );
        let _ = writeln!(out, "  {} {}", style.paint("33", "!"), safe(&line));
    }
    out.push('\n');
}

fn render_tls(out: &mut String, tls: &TlsReport, style: &Style) {
    let _ = writeln!(out, "{}: {}", style.heading(&ui(style, "ui-tls", &[])), safe(&tls.endpoint));
    if !tls.versions.is_empty() {
        let _ = writeln!(out, "  {}", ui(style, "ui-tls-versions", &[]));
        for row in &tls.versions {
            let (mark, word) = match row.accepted {
                Some(true) => (style.paint("32", "✓"), ui(style, "ui-tls-accepted", &[])),
                Some(false) => (style.paint("33", "✗"), ui(style, "ui-tls-refused", &[])),
                None => (style.paint("90", "?"), ui(style, "ui-tls-no-answer", &[])),
            };
            let _ =
                writeln!(out, "    {mark} {:<8} {word:<12} {}", row.version.to_string(), safe(&row.detail));
        }
    }
    if let Some(negotiated) = &tls.negotiated {
        let _ = writeln!(out, "  {}", safe(negotiated));
    }
    if !tls.chain.is_empty() {
        let _ = writeln!(out, "  {}", ui(style, "ui-tls-chain", &[]));
        for (i, c) in tls.chain.iter().enumerate() {
            let _ = writeln!(out, "    {i}  {}", safe(&c.subject));
            let _ = writeln!(out, "       ← {}", safe(&c.issuer));
            let key = ui(style, "ui-tls-key", &[("key", &c.key), ("algorithm", &c.signature_algorithm)]);
            let valid = ui(style, "ui-tls-valid", &[("from", &c.not_before), ("to", &c.not_after)]);
            let _ = writeln!(out, "       {}; {}", safe(&key), safe(&valid));
            if !c.names.is_empty() {
                let names = ui(style, "ui-tls-names", &[("names", &c.names.join(", "))]);
                let _ = writeln!(out, "       {}", safe(&names));
            }
        }
    }
    let host = tls.server_name.as_str();
    let mut verdicts = Vec::new();
    if tls.verified {
        verdicts.push((true, ui(style, "ui-tls-verified", &[("host", host)])));
    } else if let Some(reason) = &tls.failure {
        verdicts.push((false, ui(style, "ui-tls-not-verified", &[("reason", reason)])));
    }
    if let (Some(a), Some(leaf)) = (&tls.assessment, tls.chain.first()) {
        if a.name_matches {
            verdicts.push((true, ui(style, "ui-tls-name-ok", &[("host", host)])));
        } else {
            verdicts.push((
                false,
                ui(style, "ui-tls-name-bad", &[("host", host), ("names", &leaf.names.join(", "))]),
            ));
        }
        if a.not_yet_valid {
            verdicts.push((false, ui(style, "ui-tls-not-yet-valid", &[("from", &leaf.not_before)])));
        } else if let Some(days) = a.days_left {
            let d = days.abs().to_string();
            verdicts.push(match (days < 0, a.expires_soon) {
                (true, _) => (false, ui(style, "ui-tls-expired", &[("days", &d)])),
                (false, true) => (false, ui(style, "ui-tls-expires-soon", &[("days", &d)])),
                (false, false) => (true, ui(style, "ui-tls-days-left", &[("days", &d)])),
            });
        }
        if !a.in_order {
            verdicts.push((false, ui(style, "ui-tls-out-of-order", &[])));
        }
        if let Some(issuer) = &a.issuer_not_sent
            && !tls.verified
        {
            verdicts.push((false, ui(style, "ui-tls-issuer-not-sent", &[("issuer", issuer)])));
        }
    }
    for (ok, text) in verdicts {
        let _ = writeln!(out, "  {} {}", style.ok(ok), safe(&text));
    }
    out.push('\n');
}

/// The findings section alone, as [`render`] shows it (for `explain`, which has no transcript
/// of its own to show).
pub fn render_findings_only(findings: &[Finding], style: &Style) -> String {
    let mut out = String::new();
    render_findings(&mut out, findings, false, style);
    out
}

fn render_findings(out: &mut String, findings: &[Finding], ok: bool, style: &Style) {
    if findings.is_empty() {
        if ok {
            let _ = writeln!(out, "{}\n", ui(style, "ui-no-findings", &[]));
        }
        return;
    }
    let _ = writeln!(out, "{}", style.heading(&ui(style, "ui-findings", &[])));
    for (n, f) in findings.iter().enumerate() {
        let mark = match f.severity {
            Severity::Error => style.paint("31", "✗"),
            Severity::Warning => style.paint("33", "!"),
            Severity::Info => style.paint("36", "i"),
        };
        let _ = writeln!(out, "\n{mark} {}. {}  [{}]", n + 1, style.heading(&clean(&f.title)), safe(&f.id));
        let _ = writeln!(out, "   {}", safe(&f.summary));
        if !f.evidence.is_empty() {
            let _ = writeln!(out, "\n   {}", ui(style, "ui-evidence", &[]));
            for e in &f.evidence {
                let _ = writeln!(out, "     | {}", safe(e));
            }
        }
        if !f.causes.is_empty() {
            let _ = writeln!(out, "\n   {}", ui(style, "ui-why", &[]));
            for (i, c) in f.causes.iter().enumerate() {
                let _ = writeln!(out, "     {}. {}", i + 1, safe(c));
            }
        }
        if !f.fixes.is_empty() {
            let _ = writeln!(out, "\n   {}", ui(style, "ui-what-to-do", &[]));
            for (i, fix) in f.fixes.iter().enumerate() {
                let who = fix
                    .audience
                    .as_deref()
                    .map(|a| format!("[{}] ", ui(style, &format!("ui-audience-{a}"), &[])))
                    .unwrap_or_default();
                let _ = writeln!(out, "     {}. {}{}", i + 1, safe(&who), safe(&fix.text));
            }
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    //! Snapshots of whole text reports, in English and Italian, rendered from recorded
    //! transcripts of the knowledge base's corpus (fixed timings, so the output is stable).

    use mailprobe_kb::{KnowledgeBase, Lang};
    use mailprobe_proto::{Context, Transcript};

    use super::{Style, render};
    use crate::diagnose::Report;

    #[derive(serde::Deserialize)]
    struct Case {
        context: Context,
        transcripts: Vec<Transcript>,
    }

    fn report(file: &str, lang: Lang) -> String {
        let path = format!("{}/../mailprobe-kb/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
        let case: Case = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let findings = KnowledgeBase::builtin().diagnose(&case.context, &case.transcripts, lang);
        let report = Report::new(case.context, case.transcripts, findings);
        render(&report, &Style { color: false, quiet: false, verbose: false, lang })
    }

    #[test]
    fn reports_in_both_languages() {
        for (name, file) in [
            ("postfix_ok", "001-postfix-submission-ok.json"),
            ("gmail_app_password", "008-gmail-534-app-password-required.json"),
            ("m365_smtp_auth_disabled", "016-m365-smtp-auth-disabled-tenant.json"),
            ("starttls_on_465", "035-starttls-on-465.json"),
            ("gmail_intercepted", "039-gmail-intercepted-by-antivirus.json"),
        ] {
            for lang in [Lang::En, Lang::It] {
                insta::assert_snapshot!(format!("{name}_{}", lang.as_str()), report(file, lang));
            }
        }
    }

    /// What a hostile peer puts in every text it controls: a window title, a clear screen, an
    /// OSC 8 link, a C1 CSI, DEL, CR and LF.
    const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]8;;http://x.test/\u{1b}\\a\u{9b}1m\u{7f}\r\nX";

    /// Every string of `value` that can hold text (those that still deserialise as `T` with
    /// [`HOSTILE`] appended: not enum names) gets it appended.
    fn poison<T: serde::de::DeserializeOwned>(value: &mut serde_json::Value) {
        fn paths(v: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<String>) {
            match v {
                serde_json::Value::String(_) => out.push(at.join("/")),
                serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| {
                    at.push(i.to_string());
                    paths(v, at, out);
                    at.pop();
                }),
                serde_json::Value::Object(o) => o.iter().for_each(|(k, v)| {
                    at.push(k.replace('~', "~0").replace('/', "~1"));
                    paths(v, at, out);
                    at.pop();
                }),
                _ => {}
            }
        }
        let mut all = Vec::new();
        paths(value, &mut Vec::new(), &mut all);
        for path in all {
            let pointer = format!("/{path}");
            let Some(serde_json::Value::String(old)) = value.pointer(&pointer).cloned() else { continue };
            *value.pointer_mut(&pointer).unwrap() = serde_json::Value::String(format!("{old}{HOSTILE}"));
            if serde_json::from_value::<T>(value.clone()).is_err() {
                *value.pointer_mut(&pointer).unwrap() = serde_json::Value::String(old);
            }
        }
    }

    /// The characters of `text` a terminal would act on: controls but LF, and ESC unless it
    /// starts one of the renderer's own colours (`ESC [ digits m`).
    fn unsafe_chars(text: &str) -> Vec<(usize, char)> {
        let ours = regex::Regex::new(r"^\x1b\[[0-9;]*m").unwrap();
        text.char_indices()
            .filter(|&(i, c)| c.is_control() && c != '\n' && !(c == '\u{1b}' && ours.is_match(&text[i..])))
            .collect()
    }

    /// Issue 17 item 5: whatever a peer controls — replies, banners, certificate names, TLS
    /// details, discovery answers, and the findings that quote them — is shown, not acted on,
    /// in every corpus case, verbose or not, coloured or not.
    #[test]
    fn peer_text_never_reaches_the_terminal_raw() {
        let dir = format!("{}/../mailprobe-kb/tests/corpus", env!("CARGO_MANIFEST_DIR"));
        let mut discovery = serde_json::json!({
            "domain": "example.test",
            "source": "srv",
            "smtp": { "host": "mail.example.test", "port": 587, "security": "starttls" },
            "insecure": true,
            "steps": [{ "source": "srv", "query": "_submission._tcp.example.test", "found": true,
                        "outcome": "mail.example.test:587" }],
        });
        poison::<mailprobe_net::Discovery>(&mut discovery);
        let discovery: mailprobe_net::Discovery = serde_json::from_value(discovery).unwrap();
        let mut cases = 0;
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
        files.sort();
        for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
            let mut value: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let Some(transcripts) = value.get_mut("transcripts") else { continue };
            poison::<Vec<Transcript>>(transcripts);
            let Ok(case) = serde_json::from_value::<Case>(value) else { continue };
            let findings = KnowledgeBase::builtin().diagnose(&case.context, &case.transcripts, Lang::En);
            let mut report = Report::new(case.context, case.transcripts, findings);
            report.set_discovery(Some(discovery.clone()));
            for (color, verbose) in [(false, false), (false, true), (true, true)] {
                let text = render(&report, &Style { color, quiet: false, verbose, lang: Lang::En });
                let found = unsafe_chars(&text);
                assert!(found.is_empty(), "{}: {found:?} written raw:\n{text}", path.display());
                assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{}: shown escaped:\n{text}", path.display());
            }
            cases += 1;
        }
        assert!(cases > 100, "{cases} corpus cases");
    }

    #[test]
    fn colour_only_when_asked() {
        let case = "003-postfix-535-auth-failed.json";
        assert!(!report(case, Lang::En).contains('\x1b'));
        let path = format!("{}/../mailprobe-kb/tests/corpus/{case}", env!("CARGO_MANIFEST_DIR"));
        let case: Case = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let findings = KnowledgeBase::builtin().diagnose(&case.context, &case.transcripts, Lang::En);
        let report = Report::new(case.context, case.transcripts, findings);
        let coloured = render(&report, &Style { color: true, quiet: true, verbose: false, lang: Lang::En });
        assert!(coloured.contains("\x1b[31m"));
    }
}
