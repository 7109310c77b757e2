//! The real-world corpus: `tests/realworld/NNN.toml`, one failure report per file, each copied
//! from a public source (an issue thread, a Q&A page, a vendor's documentation) with the cause
//! that source confirmed. Nobody here wrote the evidence; the test replays every case the way
//! `mailprobe explain` reads a paste (no `--provider`: a user pasting an error rarely gives one)
//! and prints how often the confirmed cause comes first.
//!
//! Every tenth case (numbers ending in 0) is kept aside: its figure is printed on its own, its
//! misses are counted but never listed, and rules are not tuned to it. The floors below are
//! ratchets: raise them when the engine improves, never lower them to make a change pass.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_logs::paste::{self, Options};
use serde::Deserialize;

#[path = "support/explain.rs"]
mod explain;
use explain::{explain, first_named};

/// Top-1 accuracy on the cases used for tuning, in per cent (a ratchet). Lowered from 93.5 when the
/// fresh, untuned batch 506-583 was added (tuned part 425/454 = 93.6% before, 478/524 = 91.2% after);
/// 487/524 = 92.9% once rules were written for that batch's tuned misses. Fresh batches 584-617,
/// 618-657 and 658-707 (measured before tuning: 25/34, 25/40, 39/50) and the rules after them:
/// 590/636 = 92.8%. Lowered to 91.0 when batch 708-760 came in (32/53 before tuning, 16 of its
/// causes new ids no finding has): 625/683 = 91.5% after its rules. Lowered to 89.5 when batch
/// 761-798 came in (19/38 before tuning, most misses causes no finding has): 647/718 = 90.1%
/// with the one finding written for it (client.credentials_missing). Lowered to 89.4 when batches
/// 799-838 and 839-865 came in (16/40 and 11/27 before tuning, most misses causes no finding had):
/// 696/778 = 89.5% after the findings written for them and for the message-format and
/// client-configuration reference tables; 702/778 = 90.2% with the findings for the client
/// libraries' missing sender, recipients and TLS support, M365's external-forwarding block and a
/// pinned certificate fingerprint; 705/778 = 90.6% once smtplib's "SMTP AUTH extension not
/// supported" ranks the server without AUTH first (7 of its 9 reports confirm it). Lowered to
/// 89.3 when batch 866-903 came in (19/38 before tuning, 15/34 of its tuned part): 725/812 = 89.3%
/// after the rules written for its misses. Lowered to 88.8 when batch 904-924 came in (11/21
/// before tuning; five of its nine tuned misses are causes no finding has): 738/831 = 88.8%;
/// 743/831 = 89.4% once Gmail's BadCredentials ranked an app password first. Batch 925-959 came
/// in at 27/35 before tuning (24/32 of its tuned part), 773/863 = 89.6% after its rules; batch
/// 960-985 at 12/26 (10/23 tuned; most misses one generic sentence, or a provider outage): 788/886
/// = 88.9% after its rules. Lowered to 88.7 when batch 986-1004 (desktop and mobile clients)
/// came in at 6/19 before tuning (four of its causes were bugs of one program version): 801/903
/// = 88.7% after the rules for its misses and the client.software_bug finding; raised to 88.8
/// once a reply in a Python tuple ended at its closing quote: 802/903. Lowered to 88.3 when batch
/// 1005-1027 (self-hosted apps) came in at 14/23 before tuning: 816/924 = 88.3% after its rules;
/// 817/924 = 88.4% once RFC 5321's texts without a code were read as their replies. Lowered to
/// 88.1 when batch 1028-1061 (vendors' pages: Exchange, SES, SendGrid, Mailgun, JavaMail,
/// MailKit) came in at 22/34 before tuning (19/30 tuned): 841/954 = 88.16% after its rules;
/// 842/954 = 88.26% with Mailjet's missing-To error; 843/954 once Yahoo, AOL and iCloud read any
/// refused password as an app password first. Batches 1062-1091 (libraries and apps) and
/// 1092-1127 (server logs and bounces) came in at 41/66 before tuning (38/60 tuned): 892/1014 =
/// 88.0% after their rules; batches 1128-1154 (Microsoft 365, Exchange) and 1155-1178 (Italian,
/// German, French, Portuguese) at 32/51 (27/46 tuned): 933/1060 = 88.0% after their rules,
/// 935/1060 = 88.2% with the European providers' and mail programs' reference tables read.
const FLOOR_TUNED: f64 = 88.2;
/// Top-1 accuracy on the tenth kept aside, in per cent (a ratchet). 44/58 = 75.9% before the
/// providers', gateways', clients' and servers' reference tables were read; 52/65 = 80.0% after,
/// 56/70 = 80.0% with batch 658-707's five; lowered to 77.0 when batch 708-760's six came in
/// untuned (3 of 6 right): 59/76 = 77.6%; 61/79 = 77.2% with batch 761-798's three. Lowered to
/// 74.4 when batches 799-838 and 839-865 brought seven more untuned (3 right): 64/86 = 74.4%; the
/// earlier 79 stay at 61. Raised to 75.5 when batch 866-903's four came in untuned (all four
/// right): 68/90 = 75.6%. Lowered to 75.0 when batch 904-924's two came in (one right): 69/92.
/// Raised to 75.5 when batches 925-959 (3 of 3 right) and 960-985 (2 of 3) came in untuned: 74/98.
/// Lowered to 74.0 when batch 986-1004's two came in untuned (neither right): 74/100; to 73.5
/// when batch 1005-1027's two came in (one right): 75/102. Batch 1028-1061's four came in
/// untuned (three right): 78/106 = 73.6%. Batches 1062-1127's six came in untuned (three right):
/// 81/112; 82/112 after their rules (a general one reached a kept case). Raised to 74.3 when
/// batches 1128-1178's five came in untuned (all five right): 87/117 = 74.4%.
const FLOOR_HELD_OUT: f64 = 74.3;
/// At most this many cases whose text holds a reply code or an enhanced code get no finding.
const MAX_EMPTY_WITH_CODE: usize = 0;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    source: String,
    title: String,
    provider: String,
    client: String,
    language: String,
    multiline: bool,
    cause: String,
    #[serde(default)]
    new_id_meaning: Option<String>,
    #[serde(default)]
    also_correct: Vec<String>,
    confirmed_by: String,
    fix: String,
    evidence: String,
}

struct Loaded {
    number: u32,
    case: Case,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("realworld")
}

fn load() -> Vec<Loaded> {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(corpus_dir()).expect("tests/realworld") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let number: u32 = name.parse().unwrap_or_else(|_| panic!("{}: not named NNN.toml", path.display()));
        let text = std::fs::read_to_string(&path).expect("readable case");
        let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        cases.push(Loaded { number, case });
    }
    cases.sort_by_key(|c| c.number);
    cases
}

fn held_out(number: u32) -> bool {
    number.is_multiple_of(10)
}

/// A three-digit reply code or an RFC 3463 enhanced code somewhere in the text.
fn holds_code(text: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r"(?:^|[^\w.])(?:[245]\d\d(?:[ -]|$)|[245]\.\d{1,3}\.\d{1,3}\b)").expect("valid")
    })
    .is_match(text)
}

#[derive(Default)]
struct Tally {
    cases: usize,
    right: usize,
    empty: usize,
    empty_with_code: usize,
}

impl Tally {
    fn percent(&self) -> f64 {
        if self.cases == 0 { 0.0 } else { 100.0 * self.right as f64 / self.cases as f64 }
    }
}

#[test]
fn the_real_world_corpus_is_explained() {
    let cases = load();
    let ids: Vec<String> = KnowledgeBase::builtin().ids().map(str::to_owned).collect();
    let mut tuned = Tally::default();
    let mut aside = Tally::default();
    let mut misses = Vec::new();
    let mut by_cause: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    // MAILPROBE_CORPUS_SHOW=NNN lists every finding of one tuned case (never one kept aside).
    let show = std::env::var("MAILPROBE_CORPUS_SHOW").ok();
    for Loaded { number, case } in &cases {
        assert!(case.source.starts_with("http"), "{number:03}: source must be a URL");
        assert!(!case.evidence.trim().is_empty(), "{number:03}: no evidence");
        for id in std::iter::once(&case.cause).chain(&case.also_correct) {
            assert!(
                id.starts_with("new:") || ids.contains(id),
                "{number:03}: {id} is not a finding id (prefix new: for a cause the catalogue lacks)"
            );
        }
        let findings = explain(&case.evidence);
        let first = first_named(&findings);
        let right = first.is_some_and(|f| f == case.cause || case.also_correct.iter().any(|a| a == f));
        let tally = if held_out(*number) { &mut aside } else { &mut tuned };
        tally.cases += 1;
        tally.right += usize::from(right);
        if findings.is_empty() {
            tally.empty += 1;
            if holds_code(&case.evidence) {
                tally.empty_with_code += 1;
            }
        }
        if held_out(*number) {
            // Nothing about a case kept aside is printed but the totals below.
            continue;
        }
        let entry = by_cause.entry(case.cause.clone()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(right);
        if show.as_deref().is_some_and(|s| s == format!("{number:03}")) {
            for f in &findings {
                eprintln!("  {number:03}: {} [{}] {}", f.id, f.severity, f.title);
            }
        }
        if !right {
            let evidence: String = case.evidence.trim().chars().take(160).collect();
            misses.push(format!(
                "  {number:03} [{} / {}] want {}, got {} (all: {})\n      {evidence:?}",
                case.provider,
                case.client,
                case.cause,
                first.unwrap_or("(none)"),
                findings.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let multiline = cases.iter().filter(|c| c.case.multiline).count();
    eprintln!("real-world corpus: {} cases ({multiline} multi-line pastes)", cases.len());
    if std::env::var_os("MAILPROBE_CORPUS_MISSES").is_some() {
        eprintln!("misses among the tuned cases:\n{}", misses.join("\n"));
        eprintln!("right/cases by confirmed cause, tuned cases only:");
        for (cause, (n, right)) in &by_cause {
            eprintln!("  {cause}: {right}/{n}");
        }
    }
    for (name, t) in [("tuned", &tuned), ("kept aside", &aside)] {
        eprintln!(
            "real-world corpus, {name}: top-1 {}/{} = {:.1}%, empty reports {} ({} with a reply or enhanced code)",
            t.right,
            t.cases,
            t.percent(),
            t.empty,
            t.empty_with_code
        );
    }
    assert!(cases.len() >= 300, "the corpus has {} cases; it should have at least 300", cases.len());
    assert!(multiline * 3 >= cases.len(), "a third of the cases should be multi-line pastes");
    assert!(tuned.percent() >= FLOOR_TUNED, "top-1 on the tuned cases fell below {FLOOR_TUNED}%");
    assert!(aside.percent() >= FLOOR_HELD_OUT, "top-1 on the cases kept aside fell below {FLOOR_HELD_OUT}%");
    let empty_with_code = tuned.empty_with_code + aside.empty_with_code;
    // the ceiling goes back to 0 once the fresh batch's two cases are read; the allow stays for then
    #[allow(clippy::absurd_extreme_comparisons)]
    let within = empty_with_code <= MAX_EMPTY_WITH_CODE;
    assert!(
        within,
        "{empty_with_code} cases with a reply code got no finding (at most {MAX_EMPTY_WITH_CODE})"
    );
}

#[test]
fn every_case_renders_in_italian_too() {
    for Loaded { number, case } in load() {
        let pasted = paste::parse(case.evidence.as_bytes(), &Options::default());
        let context = pasted.context(None);
        for f in KnowledgeBase::builtin().diagnose(&context, &pasted.transcripts, Lang::It) {
            assert!(!f.title.is_empty(), "{number:03}: {} has no Italian title", f.id);
            assert!(!f.title.contains("ui-"), "{number:03}: {} shows a raw message key", f.id);
        }
    }
}

// The fields the test does not read are the case's record for people: keep them required.
#[allow(dead_code)]
fn fields_are_documentation(c: &Case) -> [&str; 6] {
    [&c.title, &c.client, &c.language, &c.confirmed_by, &c.fix, c.new_id_meaning.as_deref().unwrap_or("")]
}
