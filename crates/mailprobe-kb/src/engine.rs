//! The diagnosis engine: observations matched against the catalogue's rules, ranked, rendered.
//!
//! 0. A Context that names no provider takes the one the evidence names (Google's and
//!    Microsoft's replies say who they are), so pasted replies get provider-aware answers.
//! 1. Every observation is matched against every rule. Per observation, only the findings whose
//!    best rule is the most specific survive: a 535 5.7.139 "SmtpClientAuthentication is
//!    disabled" is explained by `auth.smtp_auth_disabled`, not also by the generic 535 rule of
//!    `auth.credentials_rejected`. Evidence of unknown stage (pasted, logged without its
//!    command) matches rules whatever their stage list, ranked a little below rules that need
//!    no stage (see `Rule::specificity`).
//! 2. Findings matched by several observations merge (evidence and params together).
//! 3. A finding hides those it `supersedes` (`tls.mode_mismatch` hides `banner.timeout`), except
//!    one tied with it on the same evidence: that is an ambiguity, not a better explanation.
//! 4. The rest are ordered: severity (the finding's, or the one its matching rule sets), then
//!    specificity, then stage (evidence of unknown stage last), then transcript, then the rank
//!    of the matching rule (`rank`, default 0), then catalogue order. When the two first error
//!    findings tie on everything but rank and catalogue order, the evidence fits both: an
//!    `ambiguous` finding goes first and lists them, by rank, then in catalogue order (the data's
//!    ranking). A session stops once, so two findings at its same stage explain
//!    the same stop; DNS checks are separate questions, so findings on different checks are
//!    separate problems and never tie.
//!
//! Texts get the facts of the evidence as Fluent variables, and `$observation`: the kind of the
//! evidence that matched first, for texts that read differently on different evidence.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};

use mailprobe_proto::{Context, EventKind, Stage, Transcript};

use crate::catalogue::{Entry, Fact, FindingDef, provider_matches};
use crate::finding::{Finding, Fix, Severity};
use crate::lang::Lang;
use crate::observe::{COMMON_PARAMS, Observation, ObservationKind, infer_provider, observe};
use crate::texts::{Texts, args};

/// The id of the finding the engine makes when the evidence fits several findings equally.
pub(crate) const AMBIGUOUS: &str = "ambiguous";

/// The Fluent variable that names the kind of the evidence a finding's text is rendered for.
pub(crate) const OBSERVATION_PARAM: &str = "observation";

/// Params the engine gives the `ambiguous` finding.
#[cfg(test)]
pub(crate) const AMBIGUOUS_PARAMS: &[&str] = &["count", "candidates", "titles"];

/// The order stages happen in, for ranking (TLS comes after the greeting for STARTTLS, before it
/// for implicit TLS; either way a failure there comes before any command).
pub(crate) fn stage_rank(stage: Stage) -> u8 {
    match stage {
        Stage::Resolve => 0,
        Stage::Connect => 1,
        Stage::Banner => 2,
        Stage::Tls => 3,
        Stage::Ehlo | Stage::Capability => 4,
        Stage::Auth => 5,
        Stage::MailFrom => 6,
        Stage::RcptTo => 7,
        Stage::Data => 8,
        Stage::Quit => 9,
        Stage::Unknown => 10,
    }
}

/// A finding matched by one observation: catalogue index, rule specificity, the severity that
/// rule gives, the rule's rank among tied findings, captured params.
type Match = (usize, u32, Severity, u8, Vec<(String, String)>);

struct Candidate {
    def: usize,
    score: u32,
    severity: Severity,
    /// The rank of the best rule that matched: orders findings tied on everything else.
    rank: u8,
    observations: Vec<usize>,
    captures: Vec<(String, String)>,
}

impl Candidate {
    fn first<'a>(&self, observations: &'a [Observation]) -> &'a Observation {
        &observations[self.observations[0]]
    }
}

/// Where a rendered text problem is reported (tests collect them; the public API drops them).
pub(crate) type Problems = Vec<String>;

pub(crate) fn diagnose(
    findings: &[FindingDef],
    texts: &Texts,
    context: &Context,
    transcripts: &[Transcript],
    lang: Lang,
    problems: &mut Problems,
) -> Vec<Finding> {
    // A Context that names no provider takes the one the evidence names (pasted replies).
    let inferred;
    let context = match infer_provider(context, transcripts) {
        Some(provider) => {
            inferred = Context { provider: Some(provider.to_owned()), ..context.clone() };
            &inferred
        }
        None => context,
    };
    let observations = observe(context, transcripts);
    let facts: Vec<Vec<(Fact, usize)>> = transcripts.iter().map(facts_of).collect();
    let mut candidates: Vec<Candidate> = Vec::new();
    for (oi, obs) in observations.iter().enumerate() {
        let mut matched: Vec<Match> = Vec::new();
        // Facts the transcript showed before this evidence (all of them when the evidence is no
        // one event): a refusal before the login was accepted is still a refusal of no login.
        let before = obs.event.unwrap_or(usize::MAX);
        let shown: Vec<Fact> = facts
            .get(obs.transcript)
            .map(|f| f.iter().filter(|(_, at)| *at < before).map(|(fact, _)| *fact).collect())
            .unwrap_or_default();
        for (fi, def) in findings.iter().enumerate() {
            if def.ruled_out_by.iter().any(|f| shown.contains(f)) {
                continue;
            }
            let best = def
                .rules
                .iter()
                .filter_map(|r| {
                    let severity = r.def.severity.unwrap_or(def.severity);
                    r.matches(obs, context).map(|caps| (r.specificity(obs.stage), severity, r.def.rank, caps))
                })
                // The most specific rule; among equals, the most severe, then the highest rank.
                .max_by_key(|(score, severity, rank, _)| (*score, Reverse(*severity), *rank));
            if let Some((score, severity, rank, caps)) = best {
                matched.push((fi, score, severity, rank, caps));
            }
        }
        let Some(top) = matched.iter().map(|m| m.1).max() else {
            continue;
        };
        for (fi, score, severity, rank, caps) in matched.into_iter().filter(|m| m.1 == top) {
            match candidates.iter_mut().find(|c| c.def == fi) {
                Some(c) => {
                    c.score = c.score.max(score);
                    c.severity = c.severity.min(severity);
                    c.rank = c.rank.max(rank);
                    c.observations.push(oi);
                    c.captures.extend(caps);
                }
                None => candidates.push(Candidate {
                    def: fi,
                    score,
                    severity,
                    rank,
                    observations: vec![oi],
                    captures: caps,
                }),
            }
        }
    }

    // A finding hides those it supersedes, unless the two explain the same evidence equally
    // (then both survive and the engine reports the ambiguity).
    let tied_on_evidence =
        |a: &Candidate, b: &Candidate| a.observations.iter().any(|o| b.observations.contains(o));
    let hidden: HashSet<usize> = candidates
        .iter()
        .flat_map(|c| {
            let hider = c;
            candidates.iter().enumerate().filter(move |(_, other)| {
                findings[hider.def].supersedes.contains(&findings[other.def].id)
                    && !tied_on_evidence(hider, other)
            })
        })
        .map(|(i, _)| i)
        .collect();
    let mut index = 0;
    candidates.retain(|_| {
        index += 1;
        !hidden.contains(&(index - 1))
    });
    // A fallback ("the program reported an error mailprobe cannot explain") speaks only when no
    // other finding explains a failure.
    if candidates.iter().any(|c| !findings[c.def].fallback && c.severity == Severity::Error) {
        candidates.retain(|c| !findings[c.def].fallback);
    }

    let tie_key = |c: &Candidate| {
        let first = c.first(&observations);
        let check = (first.kind == ObservationKind::DnsEvidence).then_some(first.event).flatten();
        (c.severity, Reverse(c.score), stage_rank(first.stage), first.transcript, check)
    };
    // Tied findings keep the tie (reported as `ambiguous` below); within it, the data's rank and
    // then the catalogue order say which is likelier.
    candidates.sort_by_key(|c| (tie_key(c), Reverse(c.rank), c.def));

    let mut out: Vec<Finding> = candidates
        .iter()
        .map(|c| render(&findings[c.def], c, &observations, texts, context, lang, problems))
        .collect();

    let tied = match candidates.as_slice() {
        [a, b, ..] if a.severity == Severity::Error && tie_key(a) == tie_key(b) => {
            candidates.iter().take_while(|c| tie_key(c) == tie_key(a)).count()
        }
        _ => 0,
    };
    if tied >= 2
        && let Some(def) = findings.iter().find(|f| f.engine && f.id == AMBIGUOUS)
    {
        let ambiguous = render_ambiguous(def, &out[..tied], texts, context, lang, problems);
        out.insert(0, ambiguous);
    }
    out
}

/// What a transcript shows that rules findings out (see [`Fact`]), each with the index of the
/// first event that shows it.
fn facts_of(transcript: &Transcript) -> Vec<(Fact, usize)> {
    let mut facts: Vec<(Fact, usize)> = Vec::new();
    for (at, e) in transcript.events.iter().enumerate() {
        let fact = match &e.kind {
            EventKind::Received { reply } if reply.code == 235 => Fact::SignedIn,
            EventKind::TlsEstablished { .. } => Fact::Encrypted,
            _ => continue,
        };
        if !facts.iter().any(|(f, _)| *f == fact) {
            facts.push((fact, at));
        }
    }
    facts
}

/// Localized stand-ins for params a text may use but the evidence did not give.
fn fallback(key: &str) -> &'static str {
    match key {
        // Pasted evidence often names no server: "the server refused...".
        "host" | "server_name" => "ui-placeholder-server",
        "user" | "from" | "to" => "ui-placeholder-address",
        "offered" | "masked" => "ui-none",
        "subject" | "issuer" | "names" | "not_before" | "not_after" => "ui-not-given",
        _ => "ui-unknown",
    }
}

fn fluent_args<'a>(
    params: &'a BTreeMap<String, String>,
    expected: impl IntoIterator<Item = &'a str>,
    texts: &Texts,
    lang: Lang,
) -> fluent_bundle::FluentArgs<'a> {
    let no_args = args([]);
    let mut pairs: Vec<(&'a str, Cow<'a, str>)> = Vec::new();
    for (k, v) in params {
        // Security params are facts (`starttls`, `tls`, `none`); texts show their names.
        let v: Cow<'a, str> = if k.ends_with("security") {
            Cow::Owned(texts.format(lang, &format!("ui-security-{v}"), &no_args))
        } else if k == "answers" {
            dnsbl_meanings(v, texts, lang)
        } else {
            Cow::Borrowed(v.as_str())
        };
        pairs.push((k.as_str(), v));
    }
    for key in expected {
        if params.get(key).is_none_or(String::is_empty) {
            pairs.retain(|(k, _)| *k != key);
            pairs.push((key, Cow::Owned(texts.format(lang, fallback(key), &no_args))));
        }
    }
    args(pairs)
}

/// A blocklist answer's meaning is a key in the evidence (`127.0.0.2 (sbl)`); the text says what
/// it means (`127.0.0.2 (Spamhaus SBL: a known source of spam...)`), in the report's language.
fn dnsbl_meanings<'a>(answers: &'a str, texts: &Texts, lang: Lang) -> Cow<'a, str> {
    if !answers.contains('(') {
        return Cow::Borrowed(answers);
    }
    let mut out = String::with_capacity(answers.len() * 2);
    let mut rest = answers;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else { break };
        let key = &rest[open + 1..close];
        out.push_str(&rest[..=open]);
        match texts.format_checked(lang, &format!("dns-dnsbl-meaning-{key}"), &args_none()) {
            Some((meaning, _)) if !key.is_empty() => out.push_str(&meaning),
            _ => out.push_str(key),
        }
        out.push(')');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn format(
    texts: &Texts,
    lang: Lang,
    id: &str,
    args: &fluent_bundle::FluentArgs<'_>,
    problems: &mut Problems,
) -> String {
    let text = match texts.format_checked(lang, id, args) {
        Some((text, errors)) => {
            problems.extend(errors.into_iter().map(|e| format!("{lang}/{id}: {e}")));
            text
        }
        None => {
            problems.push(format!("{lang}/{id}: no such message"));
            texts.format(lang, id, args)
        }
    };
    // A stand-in at the start of a sentence ("the server refused...") gets its capital.
    let stand_in = texts.format(lang, "ui-placeholder-server", &args_none());
    match text.strip_prefix(&stand_in) {
        Some(rest) if !stand_in.is_empty() => {
            let mut chars = stand_in.chars();
            let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
            format!("{first}{}{rest}", chars.as_str())
        }
        _ => text,
    }
}

fn args_none() -> fluent_bundle::FluentArgs<'static> {
    args([])
}

/// The causes or fixes that apply: to the context's provider, and to the kinds of evidence the
/// finding rests on.
fn entries<'a>(
    list: &'a [Entry],
    context: &'a Context,
    kinds: &'a [ObservationKind],
) -> impl Iterator<Item = &'a Entry> {
    list.iter().filter(move |e| provider_matches(&e.provider, context.provider.as_deref()) && e.fits(kinds))
}

fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for item in items {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

fn render(
    def: &FindingDef,
    c: &Candidate,
    observations: &[Observation],
    texts: &Texts,
    context: &Context,
    lang: Lang,
    problems: &mut Problems,
) -> Finding {
    let mut params: BTreeMap<String, String> = BTreeMap::new();
    let mut evidence = Vec::new();
    for (k, v) in &c.captures {
        params.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let mut kinds: Vec<ObservationKind> = Vec::new();
    for &oi in &c.observations {
        let obs = &observations[oi];
        for (k, v) in &obs.params {
            params.entry(k.clone()).or_insert_with(|| v.clone());
        }
        push_unique(&mut evidence, obs.evidence.iter().cloned());
        if !kinds.contains(&obs.kind) {
            kinds.push(obs.kind);
        }
    }
    let of_classes = c.observations.iter().flat_map(|&oi| {
        let obs = &observations[oi];
        obs.class.as_deref().map_or(&[][..], |class| obs.kind.class_params(class)).iter().copied()
    });
    let expected = COMMON_PARAMS
        .iter()
        .copied()
        .chain(kinds.iter().flat_map(|k| k.provided_params().iter().copied()))
        .chain(of_classes);
    // A value another rule of the finding would have captured is empty here: a text may only
    // select on it (the completeness test checks), and the select falls to its default.
    let mut shown = params.clone();
    for name in def.rules.iter().flat_map(|r| r.capture_names()) {
        shown.entry(name).or_default();
    }
    shown.insert(OBSERVATION_PARAM.to_owned(), c.first(observations).kind.as_str());
    let fargs = fluent_args(&shown, expected, texts, lang);
    let fmt = |id: &str, problems: &mut Problems| format(texts, lang, id, &fargs, problems);
    Finding {
        id: def.id.clone(),
        severity: c.severity,
        stage: def.stage.unwrap_or_else(|| c.first(observations).stage).as_str().to_owned(),
        title: fmt(&def.title_id(), problems),
        summary: fmt(&def.summary_id(), problems),
        evidence,
        causes: entries(&def.causes, context, &kinds).map(|e| fmt(&e.text, problems)).collect(),
        fixes: entries(&def.fixes, context, &kinds)
            .map(|e| Fix { text: fmt(&e.text, problems), audience: e.audience.clone() })
            .collect(),
        params,
    }
}

fn render_ambiguous(
    def: &FindingDef,
    tied: &[Finding],
    texts: &Texts,
    context: &Context,
    lang: Lang,
    problems: &mut Problems,
) -> Finding {
    let mut params = BTreeMap::new();
    params.insert("count".to_owned(), tied.len().to_string());
    params.insert("candidates".to_owned(), tied.iter().map(|f| f.id.as_str()).collect::<Vec<_>>().join(", "));
    for key in ["host", "port", "security", "protocol", "stage"] {
        if let Some(v) = tied[0].params.get(key) {
            params.insert(key.to_owned(), v.clone());
        }
    }
    let mut shown = params.clone();
    shown.insert("titles".to_owned(), tied.iter().map(|f| f.title.as_str()).collect::<Vec<_>>().join("; "));
    let fargs = fluent_args(&shown, COMMON_PARAMS.iter().copied(), texts, lang);
    let fmt = |id: &str, problems: &mut Problems| format(texts, lang, id, &fargs, problems);
    let mut evidence = Vec::new();
    for f in tied {
        push_unique(&mut evidence, f.evidence.iter().cloned());
    }
    Finding {
        id: def.id.clone(),
        severity: def.severity,
        stage: tied[0].stage.clone(),
        title: fmt(&def.title_id(), problems),
        summary: fmt(&def.summary_id(), problems),
        evidence,
        causes: entries(&def.causes, context, &[]).map(|e| fmt(&e.text, problems)).collect(),
        fixes: entries(&def.fixes, context, &[])
            .map(|e| Fix { text: fmt(&e.text, problems), audience: e.audience.clone() })
            .collect(),
        params,
    }
}
