//! The HTML pages of every report kind, read back by a real parser: one document, the steps and
//! the findings in it, whatever a hostile peer or paste put in its texts shown as text (never
//! markup), and nothing loaded from outside.

use std::collections::BTreeMap;

use mailprobe_kb::{Finding, Fix, KnowledgeBase, Lang, Severity};
use mailprobe_logs::Options;
use mailprobe_logs::paste;
use mailprobe_proto::{Context, Transcript};
use mailprobe_report::advise::{Advice, Facts, Line, Mode, Settings};
use mailprobe_report::html::{self, HtmlReport};
use mailprobe_report::markdown::MarkdownReport;
use mailprobe_report::{ExplainReport, Report, Tool};

/// What a hostile server or paste puts in every text it controls: a script, both quotes, an
/// entity, a tag that closes ours, and an ESC.
const HOSTILE: &str =
    "<script>alert(\"x\")</script>'\"&amp;</pre></details><img src=http://x.test/a>\u{1b}[2J";

#[derive(serde::Deserialize)]
struct Case {
    context: Context,
    transcripts: Vec<Transcript>,
}

fn corpus(file: &str) -> serde_json::Value {
    let path = format!("{}/../mailprobe-kb/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every string of `value` that still deserialises as `T` with [`HOSTILE`] appended gets it.
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

fn report(value: serde_json::Value, lang: Lang) -> Report {
    let case: Case = serde_json::from_value(value).unwrap();
    let findings = KnowledgeBase::builtin().diagnose(&case.context, &case.transcripts, lang);
    Report::new(case.context, case.transcripts, findings)
}

/// Parses `page` as one document and checks what every page must be: an `html` root with a
/// head and a body, no script, no frame or object, no URL that loads anything.
fn check_page(page: &str, what: &str) -> roxmltree::Document<'static> {
    assert!(page.starts_with("<!DOCTYPE html>\n"), "{what}: {}", &page[..page.len().min(80)]);
    let text: &'static str = Box::leak(page.to_owned().into_boxed_str());
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("{what}: not one well-formed document: {e}\n{page}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "html", "{what}");
    let children: Vec<&str> =
        root.children().filter(|n| n.is_element()).map(|n| n.tag_name().name()).collect();
    assert_eq!(children, ["head", "body"], "{what}");
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !["script", "iframe", "object", "embed", "img", "link", "base", "form"].contains(&name),
            "{what}: <{name}>"
        );
        for a in node.attributes() {
            let v = a.value().to_ascii_lowercase();
            assert!(!a.name().starts_with("on"), "{what}: event handler {}", a.name());
            if ["src", "href", "action", "srcset", "data"].contains(&a.name()) {
                assert!(!v.contains(':'), "{what}: {}={v:?} loads from elsewhere", a.name());
            }
        }
    }
    for outside in ["url(", "@import", "<script", "<img", "src=\"", "href=\""] {
        assert!(!page.contains(outside), "{what}: {outside}");
    }
    // what a peer sent is there, as text
    doc
}

fn text_of(doc: &roxmltree::Document<'_>) -> String {
    doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

/// Issue 19: every corpus case renders as one document with its steps and findings; a hostile
/// peer's texts in it are text.
#[test]
fn diagnose_pages_are_documents_with_steps_and_findings_and_peer_text_stays_text() {
    let dir = format!("{}/../mailprobe-kb/tests/corpus", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut pages = 0;
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let mut value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let Some(transcripts) = value.get_mut("transcripts") else { continue };
        poison::<Vec<Transcript>>(transcripts);
        if serde_json::from_value::<Case>(value.clone()).is_err() {
            continue;
        }
        let lang = if pages % 2 == 0 { Lang::En } else { Lang::It };
        let r = report(value, lang);
        let what = path.display().to_string();
        let page = html::document(&r, lang);
        let doc = check_page(&page, &what);
        let shown = text_of(&doc);
        if r.transcripts.iter().any(|t| !t.transcript.events.is_empty()) {
            assert!(doc.descendants().any(|n| n.attribute("class") == Some("steps")), "{what}: no steps");
            assert!(
                shown.contains("<script>alert(\"x\")</script>'\""),
                "{what}: the peer's text is not shown"
            );
        }
        for f in &r.findings {
            let section = doc.descendants().find(|n| n.attribute("data-finding") == Some(f.id.as_str()));
            assert!(section.is_some(), "{what}: finding {} missing", f.id);
        }
        assert!(!shown.contains('\u{1b}'), "{what}: a raw ESC");
        // the fragment is the same markup without the frame
        let fragment = html::fragment(&r, lang);
        assert!(page.contains(&fragment) && !fragment.contains("<html") && !fragment.contains("<body"));
        // Markdown: no raw control character, the hostile tag inside code
        let md = r.markdown(lang);
        assert!(!md.chars().any(|c| c.is_control() && c != '\n'), "{what}: {md}");
        pages += 1;
    }
    assert!(pages > 100, "{pages} pages");
}

#[test]
fn a_failing_session_shows_its_mark_step_times_and_folded_evidence() {
    let r = report(corpus("008-gmail-534-app-password-required.json"), Lang::En);
    let page = html::document(&r, Lang::En);
    let doc = check_page(&page, "008");
    let failed = doc
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("step error")))
        .count();
    assert!(failed >= 1, "{page}");
    assert!(page.contains(" ms</span>"), "times shown");
    let finding = doc
        .descendants()
        .find(|n| n.attribute("data-finding") == Some("auth.app_password_required"))
        .unwrap();
    let details = finding.descendants().find(|n| n.tag_name().name() == "details").expect("evidence folded");
    assert!(details.descendants().any(|n| n.attribute("class") == Some("transcript")));
    // ranked causes and fixes, in the report's words
    assert!(finding.descendants().any(|n| n.attribute("class") == Some("causes")));
    assert!(finding.descendants().any(|n| n.attribute("class") == Some("fixes")));
    let it = html::document(&report(corpus("008-gmail-534-app-password-required.json"), Lang::It), Lang::It);
    assert!(it.contains("<html lang=\"it\">"), "{it}");
    assert!(
        it.contains("<h2>Passaggi</h2>") && it.contains("<h4>Cosa fare</h4>"),
        "the kb's Italian words: {it}"
    );
}

#[test]
fn explain_pages_escape_the_paste() {
    let text = format!("535 5.7.8 Username and Password not accepted {HOSTILE}");
    for lang in Lang::ALL {
        let pasted = paste::parse(text.as_bytes(), &Options::default());
        let context = pasted.context(Some("gmail"));
        let findings = KnowledgeBase::builtin().diagnose(&context, &pasted.transcripts, lang);
        assert!(!findings.is_empty());
        let r = ExplainReport { provider: context.provider, pasted, stage: None, findings, lang };
        let page = html::document(&r, lang);
        let doc = check_page(&page, "explain");
        assert!(text_of(&doc).contains("<script>alert(\"x\")</script>"), "{page}");
        for f in &r.findings {
            assert!(page.contains(&format!("data-finding=\"{}\"", f.id)));
        }
        assert!(doc.descendants().any(|n| n.attribute("class") == Some("steps")), "{page}");
    }
}

#[test]
fn advise_pages_escape_every_value() {
    let line =
        |text: &str| Line { id: "advise-step-test", text: text.to_owned(), command: Some(HOSTILE.into()) };
    let advice = Advice {
        tool: Tool::this(),
        ok: false,
        provider: "m365".into(),
        facts: Facts { tls: 10, can_login: Some(false), external: Some(true), static_ip: None },
        mode: Some(Mode::Relay),
        title: format!("Advice {HOSTILE}"),
        recommendation: HOSTILE.into(),
        why: HOSTILE.into(),
        settings: Some(Settings {
            server: HOSTILE.into(),
            port: "25".into(),
            tls: HOSTILE.into(),
            credentials: HOSTILE.into(),
            from: HOSTILE.into(),
            recipients: HOSTILE.into(),
        }),
        mx_endpoint: Some(HOSTILE.into()),
        mx_endpoint_guessed: true,
        dns_records: Vec::new(),
        admin_steps: vec![line(HOSTILE)],
        caveats: vec![line(HOSTILE)],
        alternatives: vec![line(HOSTILE)],
        mailprobe_relay: None,
        findings: vec![Finding {
            id: "advise.no_mode_fits".into(),
            severity: Severity::Error,
            stage: "unknown".into(),
            title: HOSTILE.into(),
            summary: HOSTILE.into(),
            evidence: vec![HOSTILE.into()],
            causes: vec![HOSTILE.into()],
            fixes: vec![Fix { text: HOSTILE.into(), audience: Some("device".into()) }],
            params: BTreeMap::new(),
        }],
    };
    let page = html::document(&advice, Lang::En);
    let doc = check_page(&page, "advise");
    assert!(text_of(&doc).contains("<img src=http://x.test/a>"));
    assert!(page.contains("data-finding=\"advise.no_mode_fits\""));
    assert_eq!(advice.title(Lang::En), format!("Advice {HOSTILE}"));
}
