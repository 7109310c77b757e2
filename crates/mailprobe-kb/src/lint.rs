//! The completeness test: walks the whole catalogue and its texts and lists every problem. The
//! negative tests below prove each check can fail.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use crate::catalogue::{self, FindingDef, PROFILED_PROVIDERS, provider_matches};
use crate::engine::{AMBIGUOUS, AMBIGUOUS_PARAMS, OBSERVATION_PARAM};
use crate::lang::Lang;
use crate::observe::{COMMON_PARAMS, ObservationKind};
use crate::{FINDINGS_TOML, LOCALES};

/// Messages of one Fluent file: id → the variables it references and where.
type Messages = BTreeMap<String, Vars>;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Vars {
    all: BTreeSet<String>,
    /// Every place a variable is referenced, with the selects (and their variants) around it: a
    /// variant of `{ $observation -> [dns_evidence] ... *[other] ... }` renders only for the rules
    /// that can make `$observation` say so, and needs its variables only from those rules.
    uses: Vec<Use>,
}

/// One reference to a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Use {
    var: String,
    /// The select variants it sits in, outermost first.
    path: Vec<Branch>,
    /// It is the selector of a select (a missing value then picks the default variant).
    selector: bool,
}

/// One variant of a select on a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Branch {
    on: String,
    choice: Choice,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Choice {
    /// A named variant: rendered when the value is this key.
    Key(String),
    /// The default variant: rendered for any value but the named keys (and for a missing one).
    Default(Vec<String>),
}

/// What a variable's value can be under one rule.
enum Values {
    /// Anything (a fact of the evidence).
    Any,
    /// One of these (the rule fixes it: its observation kind, its evidence sources, its classes).
    OneOf(Vec<String>),
    /// Nothing: the rule does not provide it, so a select on it takes its default variant.
    Missing,
}

impl Values {
    fn admits(&self, choice: &Choice) -> bool {
        match (self, choice) {
            (Self::Any, _) | (Self::Missing, Choice::Default(_)) => true,
            (Self::Missing, Choice::Key(_)) => false,
            (Self::OneOf(v), Choice::Key(k)) => v.contains(k),
            (Self::OneOf(v), Choice::Default(named)) => v.iter().any(|x| !named.contains(x)),
        }
    }
}

fn inline_vars(e: &ast::InlineExpression<&str>, selector: bool, path: &[Branch], out: &mut Vars) {
    match e {
        ast::InlineExpression::VariableReference { id } => {
            out.all.insert(id.name.to_owned());
            out.uses.push(Use { var: id.name.to_owned(), path: path.to_vec(), selector });
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(a, selector, path, out);
            }
            for a in &arguments.named {
                inline_vars(&a.value, selector, path, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expr_vars(expression, path, out),
        _ => {}
    }
}

fn variant_key(key: &ast::VariantKey<&str>) -> String {
    match key {
        ast::VariantKey::Identifier { name } => (*name).to_owned(),
        ast::VariantKey::NumberLiteral { value } => (*value).to_owned(),
    }
}

fn expr_vars(e: &ast::Expression<&str>, path: &[Branch], out: &mut Vars) {
    match e {
        ast::Expression::Inline(i) => inline_vars(i, false, path, out),
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, true, path, out);
            let on = match selector {
                ast::InlineExpression::VariableReference { id } => Some(id.name.to_owned()),
                _ => None,
            };
            let named: Vec<String> =
                variants.iter().filter(|v| !v.default).map(|v| variant_key(&v.key)).collect();
            for v in variants {
                let mut inner = path.to_vec();
                if let Some(on) = &on {
                    let choice = if v.default {
                        Choice::Default(named.clone())
                    } else {
                        Choice::Key(variant_key(&v.key))
                    };
                    inner.push(Branch { on: on.clone(), choice });
                }
                pattern_vars(&v.value, &inner, out);
            }
        }
    }
}

fn pattern_vars(p: &ast::Pattern<&str>, path: &[Branch], out: &mut Vars) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            expr_vars(expression, path, out);
        }
    }
}

fn messages(source: &str, name: &str, problems: &mut Vec<String>) -> Messages {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(r) => r,
        Err((r, errors)) => {
            problems.push(format!("{name}: {} syntax errors: {errors:?}", errors.len()));
            r
        }
    };
    let mut out = Messages::new();
    for entry in &resource.body {
        if let ast::Entry::Message(m) = entry {
            let mut vars = Vars::default();
            match &m.value {
                Some(p) => pattern_vars(p, &[], &mut vars),
                None => problems.push(format!("{name}: {} has no value", m.id.name)),
            }
            if out.insert(m.id.name.to_owned(), vars).is_some() {
                problems.push(format!("{name}: {} defined twice", m.id.name));
            }
        }
    }
    out
}

/// The minimum catalogue of DESIGN.md's "Finding ids" section, for when the design document is
/// not beside the repository (`../shared/DESIGN.md`); when it is, the test reads it and checks
/// this copy still matches.
const DESIGN_IDS: &[&str] = &[
    "ambiguous",
    "auth.app_password_required",
    "auth.basic_auth_disabled",
    "auth.conditional_access_blocks_legacy",
    "auth.credentials_rejected",
    "auth.federated_sts_not_https",
    "auth.federated_sts_unreachable",
    "auth.mechanism_unsupported",
    "auth.mfa_or_security_defaults",
    "auth.not_authenticated",
    "auth.oauth_challenge_failed",
    "auth.smtp_auth_disabled",
    "auth.too_many_attempts",
    "auth.web_login_required",
    "auth.xoauth2_not_offered",
    "banner.not_smtp",
    "banner.timeout",
    "client.outlook_4af4",
    "clock.skew",
    "connect.port_blocked",
    "connect.refused",
    "connect.timeout",
    "connect.unreachable",
    "direct_send.external_recipient",
    "direct_send.ip_instead_of_mx",
    "direct_send.wrong_endpoint",
    "dns.no_such_host",
    "dns.timeout",
    "ehlo.rejected",
    "imap.disabled",
    "ip.blocklisted",
    "m365.mode_detected",
    "mailbox.full",
    "message.too_large",
    "oauth.refresh_failed",
    "oauth.token_expired",
    "oauth.token_invalid",
    "oauth.wrong_account",
    "oauth.wrong_scope",
    "quota.sending_limit",
    "rate.throttled",
    "recipient.unknown",
    "relay.connector_ip_changed",
    "relay.tenant_attribution",
    "relay.wrong_region",
    "sender.blocked_outbound",
    "sender.not_owned",
    "sender.send_as_denied",
    "smtp.bad_sequence",
    "smtp.relay_denied",
    "smtp.syntax_error",
    "spf.fail",
    "spf.ip_not_authorized",
    "tls.cert_expired",
    "tls.cert_hostname_mismatch",
    "tls.cert_untrusted",
    "tls.client_too_old",
    "tls.handshake_failed",
    "tls.intercepted",
    "tls.mode_mismatch",
    "tls.required_by_receiver",
    "tls.required_first",
    "tls.starttls_not_offered",
    "tls.starttls_stripped",
    "tls.unavailable",
    "tls.version_too_old",
];

/// The finding ids named in a design document's "Finding ids" section: every backquoted
/// `word.word` (or `ambiguous`) between that heading and the next one.
fn ids_in_design(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("## ") {
            inside = line.starts_with("## Finding ids");
            continue;
        }
        if !inside {
            continue;
        }
        for (i, piece) in line.split('`').enumerate() {
            let word = piece.trim();
            let is_id = word == "ambiguous"
                || (word.contains('.')
                    && word.split('.').all(|p| {
                        !p.is_empty()
                            && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                            && p.as_bytes()[0].is_ascii_lowercase()
                    }));
            if i % 2 == 1 && is_id && !ids.iter().any(|x| x == word) {
                ids.push(word.to_owned());
            }
        }
    }
    ids
}

/// The ids of `wanted` the catalogue does not define.
fn missing_ids(findings_toml: &str, wanted: &[String]) -> Vec<String> {
    let defined: BTreeSet<String> = match catalogue::parse(findings_toml) {
        Ok(f) => f.into_iter().map(|f| f.id).collect(),
        Err(e) => return vec![e.to_string()],
    };
    wanted.iter().filter(|id| !defined.contains(*id)).cloned().collect()
}

/// Every problem of a catalogue and its Fluent files.
pub(crate) fn problems(findings_toml: &str, locales: &[(Lang, &str, &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    let findings = match catalogue::parse(findings_toml) {
        Ok(f) => f,
        Err(e) => return vec![e.to_string()],
    };
    let mut files: BTreeMap<(&str, Lang), Messages> = BTreeMap::new();
    for &(lang, name, text) in locales {
        let m = messages(text, &format!("{lang}/{name}"), &mut problems);
        files.entry((name, lang)).or_default().extend(m);
    }

    // Both languages define the same messages with the same variables, file by file.
    let names: BTreeSet<&str> = files.keys().map(|(n, _)| *n).collect();
    for name in &names {
        let empty = Messages::new();
        let en = files.get(&(*name, Lang::En)).unwrap_or(&empty);
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let other = files.get(&(*name, lang)).unwrap_or(&empty);
            for (id, vars) in en {
                match other.get(id) {
                    None => problems.push(format!("{lang}/{name}: {id} missing (defined in en)")),
                    Some(v) if v.all != vars.all => problems
                        .push(format!("{name}: {id} uses {:?} in en but {:?} in {lang}", vars.all, v.all)),
                    Some(_) => {}
                }
            }
            for id in other.keys().filter(|id| !en.contains_key(*id)) {
                problems.push(format!("en/{name}: {id} missing (defined in {lang})"));
            }
        }
    }

    let finding_messages = |lang: Lang| files.get(&("findings.ftl", lang));
    let mut referenced = BTreeSet::new();
    for f in &findings {
        check_finding(f, &mut problems);
        for (id, kinds) in f.message_ids().into_iter().zip(message_kinds(f)) {
            for lang in Lang::ALL {
                match finding_messages(lang).and_then(|m| m.get(&id)) {
                    None => problems.push(format!("{}: message {id} missing in {lang}/findings.ftl", f.id)),
                    Some(vars) => {
                        for v in unprovided(f, vars, &kinds) {
                            problems.push(format!(
                                "{}: {lang}/{id} uses ${v}, which not every rule of the finding provides",
                                f.id
                            ));
                        }
                    }
                }
            }
            referenced.insert(id);
        }
    }
    for lang in Lang::ALL {
        for id in finding_messages(lang).into_iter().flat_map(|m| m.keys()) {
            if !referenced.contains(id) {
                problems.push(format!("{lang}/findings.ftl: {id} is not used by any finding"));
            }
        }
    }

    // Translated, not copied: every finding text differs between English and Italian.
    if let (Some(en), Some(it)) = (
        locales.iter().find(|l| l.0 == Lang::En && l.1 == "findings.ftl"),
        locales.iter().find(|l| l.0 == Lang::It && l.1 == "findings.ftl"),
    ) {
        let values = |src: &str| -> BTreeMap<String, String> {
            let Ok(r) = fluent_syntax::parser::parse(src) else {
                return BTreeMap::new();
            };
            r.body
                .iter()
                .filter_map(|e| match e {
                    ast::Entry::Message(m) => Some((m.id.name.to_owned(), format!("{:?}", m.value))),
                    _ => None,
                })
                .collect()
        };
        let (en, it) = (values(en.2), values(it.2));
        for (id, v) in &en {
            if it.get(id) == Some(v) {
                problems.push(format!("it/findings.ftl: {id} is the English text"));
            }
        }
    }

    // No two rules that match exactly the same observations, unless both say so (`ambiguous`:
    // the evidence fits several findings); and an `ambiguous` rule has such a twin elsewhere.
    let rules: Vec<(&str, &catalogue::Rule)> =
        findings.iter().flat_map(|f| f.rules.iter().map(move |r| (f.id.as_str(), r))).collect();
    for (i, (a_id, a)) in rules.iter().enumerate() {
        for (b_id, b) in &rules[i + 1..] {
            let deliberate = a.def.ambiguous && b.def.ambiguous && a_id != b_id;
            if a.def.same_as(&b.def) && !deliberate {
                problems.push(format!("identical rules in {a_id} and {b_id}: {:?}", a.def));
            }
        }
        // A twin matches the same evidence for some provider (one may name "unknown" where the
        // other names "none"); a rule borrowed through `also_reads` has its twin by construction.
        let twin = rules.iter().any(|(b_id, b)| {
            b_id != a_id && b.def.ambiguous && a.def.same_but_provider(&b.def) && share_a_provider(a, b)
        });
        if a.def.ambiguous && a.def.scored_provider.is_none() && !twin {
            problems.push(format!("{a_id}: an ambiguous rule with no identical rule in another finding"));
        }
    }

    // Supersedes: no cycles of two.
    for f in &findings {
        for s in &f.supersedes {
            if findings.iter().any(|g| &g.id == s && g.supersedes.contains(&f.id)) {
                problems.push(format!("{} and {s} supersede each other", f.id));
            }
        }
    }
    if !findings.iter().any(|f| f.id == AMBIGUOUS && f.engine) {
        problems.push(format!("no engine finding {AMBIGUOUS:?}"));
    }
    problems
}

/// The params one rule provides: the common ones, its observation kind's, those every class it
/// names adds, its captures, and the engine's `$observation`.
fn rule_params(r: &catalogue::Rule) -> BTreeSet<String> {
    let mut p: BTreeSet<String> = COMMON_PARAMS.iter().map(|s| (*s).to_owned()).collect();
    p.insert(OBSERVATION_PARAM.to_owned());
    let kind = r.def.observation;
    p.extend(kind.provided_params().iter().map(|s| (*s).to_owned()));
    let mut classes = r.def.class.iter().map(|c| kind.class_params(c));
    if let Some(first) = classes.next() {
        let mut shared: BTreeSet<&str> = first.iter().copied().collect();
        for c in classes {
            shared.retain(|x| c.contains(x));
        }
        p.extend(shared.into_iter().map(str::to_owned));
    }
    p.extend(r.capture_names());
    p
}

/// What `var` can be when rule `r` matched.
fn values(r: &catalogue::Rule, var: &str) -> Values {
    let fixed = |v: Vec<String>| if v.is_empty() { Values::Any } else { Values::OneOf(v) };
    match var {
        OBSERVATION_PARAM => Values::OneOf(vec![r.def.observation.as_str()]),
        "evidence" => fixed(r.def.evidence.iter().map(|e| e.as_str().to_owned()).collect()),
        "check" if r.def.observation == ObservationKind::DnsEvidence => fixed(r.def.class.clone()),
        _ if rule_params(r).contains(var) => Values::Any,
        _ => Values::Missing,
    }
}

/// For each of the finding's messages (title, summary, causes, fixes, in `message_ids` order), the
/// kinds of evidence it is shown for (empty: all).
fn message_kinds(f: &FindingDef) -> Vec<Vec<ObservationKind>> {
    let mut kinds = vec![Vec::new(), Vec::new()];
    kinds.extend(f.causes.iter().chain(&f.fixes).map(|e| e.observation.clone()));
    kinds
}

/// The variables of a message that some rule able to show them does not provide. A rule can show
/// a reference when the message is shown for its kind of evidence and every select around the
/// reference can take that variant under it. A selector may be missing where another rule
/// captures it (the engine gives it an empty value: the default variant).
fn unprovided(f: &FindingDef, vars: &Vars, kinds: &[ObservationKind]) -> BTreeSet<String> {
    let mut missing = BTreeSet::new();
    if f.engine {
        let mut allowed: BTreeSet<&str> = COMMON_PARAMS.iter().copied().collect();
        allowed.extend(AMBIGUOUS_PARAMS);
        missing.extend(vars.all.iter().filter(|v| !allowed.contains(v.as_str())).cloned());
        return missing;
    }
    let captured: BTreeSet<String> = f.rules.iter().flat_map(|r| r.capture_names()).collect();
    let reaching = f.rules.iter().filter(|r| kinds.is_empty() || kinds.contains(&r.def.observation));
    for r in reaching {
        for u in &vars.uses {
            let shown = u.path.iter().all(|b| values(r, &b.on).admits(&b.choice));
            let given = rule_params(r).contains(&u.var) || (u.selector && captured.contains(&u.var));
            if shown && !given {
                missing.insert(u.var.clone());
            }
        }
    }
    missing
}

/// A provider id standing for every provider the catalogue has no entries of its own for.
const UNPROFILED: &str = "an-unprofiled-provider";

/// True when some context (no provider, a profiled one, another one) is admitted by both rules.
fn share_a_provider(a: &catalogue::Rule, b: &catalogue::Rule) -> bool {
    let contexts =
        [None].into_iter().chain(PROFILED_PROVIDERS.iter().map(|p| Some(*p))).chain([Some(UNPROFILED)]);
    contexts.into_iter().any(|p| provider_matches(&a.def.provider, p) && provider_matches(&b.def.provider, p))
}

fn check_finding(f: &FindingDef, problems: &mut Vec<String>) {
    if f.rules.is_empty() && !f.engine {
        problems.push(format!("{}: no rule", f.id));
    }
    if f.causes.is_empty() {
        problems.push(format!("{}: no cause", f.id));
    }
    if f.fixes.is_empty() {
        problems.push(format!("{}: no fix", f.id));
    }
    // Whatever provider and kind of evidence a rule matches for, the finding has a cause and a
    // fix to show.
    let mut cases: BTreeSet<(Option<String>, Option<ObservationKind>)> = BTreeSet::new();
    for r in &f.rules {
        let kind = Some(r.def.observation);
        if r.def.provider.is_empty() {
            cases.insert((None, kind));
        }
        for p in &r.def.provider {
            match p.as_str() {
                "none" => {
                    cases.insert((None, kind));
                    cases.insert((Some(UNPROFILED.to_owned()), kind));
                }
                "unknown" => {
                    cases.insert((None, kind));
                }
                "any" => cases.extend(PROFILED_PROVIDERS.iter().map(|p| (Some((*p).to_owned()), kind))),
                p => {
                    cases.insert((Some(p.to_owned()), kind));
                }
            }
        }
    }
    if f.engine {
        cases.insert((None, None));
    }
    for (p, kind) in &cases {
        let kinds: Vec<ObservationKind> = kind.iter().copied().collect();
        let shown = |list: &[catalogue::Entry]| {
            list.iter().filter(|e| provider_matches(&e.provider, p.as_deref()) && e.fits(&kinds)).count()
        };
        if shown(&f.causes) == 0 || shown(&f.fixes) == 0 {
            problems.push(format!(
                "{}: no cause or no fix left for provider {} and evidence {}",
                f.id,
                p.as_deref().unwrap_or("(none)"),
                kind.map_or_else(|| "(any)".to_owned(), |k| k.as_str())
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_is_complete() {
        let problems = problems(FINDINGS_TOML, LOCALES);
        assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    }

    /// The design's minimum catalogue, from `shared/DESIGN.md` beside the repository when it is
    /// there (it is in CI), else from the copy above.
    fn design_ids() -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/DESIGN.md");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let ids = ids_in_design(&text);
                let copy: Vec<String> = DESIGN_IDS.iter().map(|s| (*s).to_owned()).collect();
                let (mut a, mut b) = (ids.clone(), copy);
                a.sort();
                b.sort();
                assert_eq!(a, b, "DESIGN_IDS no longer matches {}: update the copy", path.display());
                ids
            }
            Err(_) => DESIGN_IDS.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn every_design_id_is_in_the_catalogue_with_rules_causes_fixes_and_both_languages() {
        let wanted = design_ids();
        assert!(wanted.len() >= 66, "the design names {} ids", wanted.len());
        let missing = missing_ids(FINDINGS_TOML, &wanted);
        assert!(missing.is_empty(), "in DESIGN.md but not in findings.toml: {missing:?}");
        // Each of them passes the completeness checks (rules, causes, fixes, en + it texts with
        // the same placeholders): no problem names any of them.
        let problems = problems(FINDINGS_TOML, LOCALES);
        let theirs: Vec<&String> =
            problems.iter().filter(|p| wanted.iter().any(|id| p.starts_with(&format!("{id}:")))).collect();
        assert!(theirs.is_empty(), "{theirs:#?}");
        let findings = catalogue::parse(FINDINGS_TOML).unwrap();
        for id in &wanted {
            let f = findings.iter().find(|f| &f.id == id).unwrap();
            assert!(f.engine || !f.rules.is_empty(), "{id}: no rule");
            assert!(!f.causes.is_empty() && !f.fixes.is_empty(), "{id}: no cause or fix");
        }
    }

    /// Every corpus case renders in both languages without a single Fluent error (a variable a
    /// text uses but the evidence did not give, a missing message).
    #[test]
    fn the_corpus_renders_without_text_problems() {
        let kb = crate::KnowledgeBase::builtin();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut problems = Vec::new();
        let mut cases = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let context: mailprobe_proto::Context = serde_json::from_value(doc["context"].clone()).unwrap();
            let transcripts: Vec<mailprobe_proto::Transcript> =
                serde_json::from_value(doc["transcripts"].clone()).unwrap();
            for lang in Lang::ALL {
                let mut found = Vec::new();
                crate::engine::diagnose(&kb.findings, &kb.texts, &context, &transcripts, lang, &mut found);
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                problems.extend(found.into_iter().map(|p| format!("{name}: {p}")));
            }
            cases += 1;
        }
        assert!(cases > 100, "{cases} cases");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn design_ids_are_read_from_their_section_only() {
        let text = "# d\n## Layout\n`mailprobe-kb` holds `x.y`\n## Finding ids (the minimum)\n\
                    From a guide: `auth.a_b` (334 where `235` was expected), `tls.c`, `ambiguous`.\n\
                    Generic: `auth.a_b` again, `5.7.57`, `Stage::Unknown`.\n## How it is tested\n`z.w`\n";
        assert_eq!(ids_in_design(text), ["auth.a_b", "tls.c", "ambiguous"]);
        let wanted = vec!["auth.credentials_rejected".to_owned(), "no.such_id".to_owned()];
        assert_eq!(missing_ids(FINDINGS_TOML, &wanted), ["no.such_id"]);
    }

    const DATA: &str = r#"
[[finding]]
id = "a.b"
severity = "error"
stage = "auth"
causes = ["a-b-cause"]
[[finding.fix]]
text = "a-b-fix"
[[finding.match]]
observation = "reply"
code = [535]

[[finding]]
id = "ambiguous"
severity = "warning"
stage = "auth"
engine = true
causes = ["ambiguous-cause"]
[[finding.fix]]
text = "ambiguous-fix"
"#;
    const EN: &str = "a-b-title = Rejected\na-b-summary = { $host } said { $reply_line }\na-b-cause = Wrong\na-b-fix = Retype\nambiguous-title = Several\nambiguous-summary = { $titles }\nambiguous-cause = Same\nambiguous-fix = Check\n";
    const IT: &str = "a-b-title = Rifiutato\na-b-summary = { $host } ha detto { $reply_line }\na-b-cause = Sbagliato\na-b-fix = Riscrivi\nambiguous-title = Diversi\nambiguous-summary = Candidati: { $titles }\nambiguous-cause = Stesso\nambiguous-fix = Controlla\n";

    fn run(data: &str, en: &str, it: &str) -> Vec<String> {
        problems(data, &[(Lang::En, "findings.ftl", en), (Lang::It, "findings.ftl", it)])
    }

    #[test]
    fn a_good_small_catalogue_passes() {
        assert_eq!(run(DATA, EN, IT), Vec::<String>::new());
    }

    /// The small catalogue with a second rule, on a client program's error.
    fn with_client_error_rule() -> String {
        DATA.replace(
            "code = [535]\n",
            "code = [535]\n[[finding.match]]\nobservation = \"client_error\"\ntext = \"login denied\"\n",
        )
    }

    #[test]
    fn a_select_on_the_observation_kind_scopes_what_each_rule_must_give() {
        let data = with_client_error_rule();
        // `$code` only where a reply matched; `$message` only where a client error did.
        let select = |said: &str| {
            format!(
                "a-b-summary = {{ $observation ->\n    [client_error] {said} {{ $message }}\n   *[other] {{ $host }} {said} {{ $code }}\n}}\n"
            )
        };
        let en = EN
            .replace("{ $reply_line }", "{ $code }")
            .replace("a-b-summary = { $host } said { $code }\n", &select("said"));
        let it = IT
            .replace("{ $reply_line }", "{ $code }")
            .replace("a-b-summary = { $host } ha detto { $code }\n", &select("ha detto"));
        assert_eq!(run(&data, &en, &it), Vec::<String>::new());
        // Unscoped, the client error's rule would leave `$code` empty.
        let problems = run(
            &data,
            &EN.replace("{ $reply_line }", "{ $code }"),
            &IT.replace("{ $reply_line }", "{ $code }"),
        );
        assert!(problems.iter().any(|p| p.contains("$code")), "{problems:?}");
        // Scoped the wrong way round, the reply's rule would leave `$message` empty.
        let swapped = |said: &str| {
            format!(
                "a-b-summary = {{ $observation ->\n    [reply] {said} {{ $message }}\n   *[other] {{ $host }} {said} {{ $code }}\n}}\n"
            )
        };
        let en = EN
            .replace("{ $reply_line }", "{ $code }")
            .replace("a-b-summary = { $host } said { $code }\n", &swapped("said"));
        let it = IT
            .replace("{ $reply_line }", "{ $code }")
            .replace("a-b-summary = { $host } ha detto { $code }\n", &swapped("ha detto"));
        let problems = run(&data, &en, &it);
        assert!(problems.iter().any(|p| p.contains("$message")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("$code")), "{problems:?}");
    }

    #[test]
    fn an_entry_for_one_kind_of_evidence_needs_its_params_from_that_kind_only() {
        let data = with_client_error_rule().replace(
            "[[finding.fix]]\ntext = \"a-b-fix\"",
            "[[finding.fix]]\ntext = \"a-b-fix\"\n\n[[finding.fix]]\ntext = \"a-b-fix-reply\"\nobservation = [\"reply\"]",
        );
        let summary = |said: &str| {
            format!(
                "a-b-summary = {{ $observation ->\n    [client_error] {said}\n   *[other] {said} {{ $reply_line }}\n}}\n"
            )
        };
        let en = EN.replace("a-b-summary = { $host } said { $reply_line }\n", &summary("Said"))
            + "a-b-fix-reply = Read { $reply_line }\n";
        let it = IT.replace("a-b-summary = { $host } ha detto { $reply_line }\n", &summary("Detto"))
            + "a-b-fix-reply = Leggi { $reply_line }\n";
        assert_eq!(run(&data, &en, &it), Vec::<String>::new());
        // For every kind of evidence: if the only fix were for replies, a client error has none.
        let only_reply = data.replace("[[finding.fix]]\ntext = \"a-b-fix\"\n\n", "");
        let en = en.replace("a-b-fix = Retype\n", "");
        let it = it.replace("a-b-fix = Riscrivi\n", "");
        let problems = run(&only_reply, &en, &it);
        assert!(problems.iter().any(|p| p.contains("no cause or no fix left")), "{problems:?}");
    }

    #[test]
    fn a_value_only_some_rules_capture_may_only_select() {
        let data = DATA.replace(
            "code = [535]\n",
            "code = [535]\n[[finding.match]]\nobservation = \"reply\"\ntext = \"for the (?P<scope>tenant|mailbox)\"\n",
        );
        let select = |lang_text: &str| {
            format!(
                "a-b-summary = {{ $scope ->\n        [tenant] {lang_text} org\n       *[other] {lang_text} box\n    }}\n"
            )
        };
        let en = EN.replace("a-b-summary = { $host } said { $reply_line }\n", &select("For the"));
        let it = IT.replace("a-b-summary = { $host } ha detto { $reply_line }\n", &select("Per la"));
        assert_eq!(run(&data, &en, &it), Vec::<String>::new());
        // Shown as a value, it would be missing whenever the other rule matched.
        let en = EN.replace("{ $reply_line }", "{ $scope }");
        let it = IT.replace("{ $reply_line }", "{ $scope }");
        assert!(!run(&data, &en, &it).is_empty());
    }

    #[test]
    fn deliberate_twins_pass() {
        let twin = DATA.replace("code = [535]\n", "code = [535]\nambiguous = true\n")
            + "\n[[finding]]\nid = \"c.d\"\nseverity = \"error\"\nstage = \"auth\"\ncauses = [\"c-d-cause\"]\n[[finding.fix]]\ntext = \"c-d-fix\"\n[[finding.match]]\nobservation = \"reply\"\ncode = [535]\nambiguous = true\n";
        let en = format!(
            "{EN}c-d-title = Other\nc-d-summary = Other {{ $host }}\nc-d-cause = Why\nc-d-fix = Do\n"
        );
        let it = format!(
            "{IT}c-d-title = Altro\nc-d-summary = Altro {{ $host }}\nc-d-cause = Perché\nc-d-fix = Fai\n"
        );
        assert_eq!(run(&twin, &en, &it), Vec::<String>::new());
        // The same twins without the mark are an accident.
        assert!(!run(&twin.replace("ambiguous = true\n", ""), &en, &it).is_empty());
    }

    #[test]
    fn each_check_can_fail() {
        let cases: Vec<(String, String, String, &str)> = vec![
            (DATA.into(), EN.into(), IT.replace("a-b-cause = Sbagliato\n", ""), "missing in it"),
            (DATA.into(), EN.into(), IT.replace("{ $host } ha", "{ $port } ha"), "placeholders differ"),
            (DATA.into(), EN.into(), IT.replace("Riscrivi", "Retype"), "not translated"),
            (
                DATA.into(),
                format!("{EN}a-b-extra = Unused\n"),
                format!("{IT}a-b-extra = Inutile\n"),
                "defined but unused",
            ),
            (
                DATA.into(),
                EN.replace("{ $reply_line }", "{ $working_port }"),
                IT.replace("{ $reply_line }", "{ $working_port }"),
                "param no rule provides",
            ),
            (
                DATA.replace("causes = [\"a-b-cause\"]", "causes = []"),
                EN.replace("a-b-cause = Wrong\n", ""),
                IT.replace("a-b-cause = Sbagliato\n", ""),
                "no cause",
            ),
            (
                DATA.replace(
                    "code = [535]\n",
                    "code = [535]\n[[finding.match]]\nobservation = \"reply\"\ncode = [535]\n",
                ),
                EN.into(),
                IT.into(),
                "identical rules",
            ),
            (
                DATA.replace(
                    "[[finding.fix]]\ntext = \"a-b-fix\"",
                    "[[finding.fix]]\ntext = \"a-b-fix\"\nprovider = [\"gmail\"]",
                ),
                EN.into(),
                IT.into(),
                "no fix for the generic provider",
            ),
            (DATA.into(), EN.replace("a-b-title = Rejected", "a-b-title = { $x"), IT.into(), "syntax error"),
            (
                DATA.replace("code = [535]\n", "code = [535]\nambiguous = true\n"),
                EN.into(),
                IT.into(),
                "an ambiguous rule without a twin",
            ),
        ];
        for (data, en, it, what) in cases {
            assert!(!run(&data, &en, &it).is_empty(), "check did not fire: {what}");
        }
    }
}
