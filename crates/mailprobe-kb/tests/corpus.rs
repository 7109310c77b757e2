//! Replays every recorded case in `tests/corpus/`: a new real report becomes a new file, not new
//! code. Each file is `{ "note", "context", "transcripts", "expect": [ids in order],
//! "evidence": [lines the first finding must quote] }`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_proto::{Context, Role, Transcript};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[allow(dead_code)]
    note: String,
    context: Context,
    transcripts: Vec<Transcript>,
    expect: Vec<String>,
    #[serde(default)]
    evidence: Vec<String>,
}

fn corpus() -> Vec<(String, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus files in {}", dir.display());
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let prefix_ok =
                name.len() > 4 && name[..3].bytes().all(|b| b.is_ascii_digit()) && &name[3..4] == "-";
            assert!(prefix_ok, "{name}: corpus files are named NNN-name.json");
            let text = fs::read_to_string(&path).unwrap();
            let case: Case = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, case)
        })
        .collect()
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.id.as_str()).collect()
}

/// Every text is rendered: no Fluent placeholder left, no isolation marks, no message id.
fn check_rendered(name: &str, lang: Lang, f: &Finding) {
    let mut texts: Vec<&str> = vec![&f.title, &f.summary];
    texts.extend(f.causes.iter().map(String::as_str));
    texts.extend(f.fixes.iter().map(|x| x.text.as_str()));
    for t in texts {
        assert!(!t.trim().is_empty(), "{name} {lang} {}: empty text", f.id);
        assert!(
            !t.contains("{$") && !t.contains("{ $"),
            "{name} {lang} {}: unfilled placeholder in {t:?}",
            f.id
        );
        assert!(
            !t.contains('\u{2068}') && !t.contains('\u{2069}'),
            "{name} {lang} {}: Unicode isolation marks in {t:?}",
            f.id
        );
        assert!(
            !t.ends_with("-title")
                && !t.ends_with("-summary")
                && !t.contains("-cause-")
                && !t.contains("-fix-"),
            "{name} {lang} {}: a message id instead of a text: {t:?}",
            f.id
        );
    }
    assert!(!f.title.contains('\n'), "{name} {lang} {}: title is one line", f.id);
    assert!(!f.causes.is_empty(), "{name} {lang} {}: no cause", f.id);
    assert!(!f.fixes.is_empty(), "{name} {lang} {}: no fix", f.id);
    assert!(!f.evidence.is_empty(), "{name} {lang} {}: no evidence", f.id);
}

#[test]
fn every_case_gives_the_expected_findings_in_order() {
    let kb = KnowledgeBase::builtin();
    let mut failures = Vec::new();
    for (name, case) in corpus() {
        let en = kb.diagnose(&case.context, &case.transcripts, Lang::En);
        let got = ids(&en);
        if got != case.expect {
            failures.push(format!("{name}: expected {:?}, got {got:?}", case.expect));
            continue;
        }
        let it = kb.diagnose(&case.context, &case.transcripts, Lang::It);
        assert_eq!(ids(&it), got, "{name}: the language changed the findings");
        for (e, i) in en.iter().zip(&it) {
            check_rendered(&name, Lang::En, e);
            check_rendered(&name, Lang::It, i);
            assert_eq!(e.evidence, i.evidence, "{name}: evidence is not translated");
            assert_eq!(e.params, i.params, "{name}: params are facts, not texts");
            assert_ne!(e.title, i.title, "{name} {}: the Italian title is the English one", e.id);
            assert_ne!(e.summary, i.summary, "{name} {}: the Italian summary is the English one", e.id);
        }
        if let Some(first) = en.first() {
            for line in &case.evidence {
                assert!(
                    first.evidence.iter().any(|l| l == line),
                    "{name}: {} does not quote {line:?}; evidence: {:#?}",
                    first.id,
                    first.evidence
                );
            }
        }
    }
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_finding_has_at_least_two_cases() {
    let mut count: BTreeMap<&str, usize> = KnowledgeBase::builtin().ids().map(|id| (id, 0)).collect();
    let cases = corpus();
    for (name, case) in &cases {
        for id in &case.expect {
            *count.get_mut(id.as_str()).unwrap_or_else(|| panic!("{name}: unknown id {id}")) += 1;
        }
    }
    let thin: Vec<_> = count.iter().filter(|(_, n)| **n < 2).collect();
    assert!(thin.is_empty(), "findings with fewer than two corpus cases: {thin:?}");
}

#[test]
fn a_failed_primary_transcript_always_gets_an_error_finding() {
    let kb = KnowledgeBase::builtin();
    for (name, case) in corpus() {
        let failed = case.transcripts.iter().any(|t| t.role == Role::Primary && !t.succeeded());
        let findings = kb.diagnose(&case.context, &case.transcripts, Lang::En);
        let has_error = findings.iter().any(|f| f.severity == Severity::Error);
        if failed {
            assert!(has_error, "{name}: a primary transcript failed but no error finding");
        }
        if case.expect.is_empty() {
            assert!(findings.is_empty(), "{name}: expected success, got {:?}", ids(&findings));
        }
    }
}

#[test]
fn diagnosis_is_deterministic() {
    let kb = KnowledgeBase::builtin();
    for (name, case) in corpus() {
        let a = kb.diagnose(&case.context, &case.transcripts, Lang::En);
        let b = kb.diagnose(&case.context, &case.transcripts, Lang::En);
        assert_eq!(a, b, "{name}");
    }
}
