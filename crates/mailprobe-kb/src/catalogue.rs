//! The catalogue: `data/findings.toml` read into findings and compiled rules.
//!
//! Format (one `[[finding]]` table per id):
//!
//! ```toml
//! [[finding]]
//! id = "auth.credentials_rejected"   # stable; texts are `auth-credentials-rejected-title` / `-summary`
//! severity = "error"                 # error | warning | info
//! stage = "auth"                     # a Stage name, or "observed": the stage of the evidence
//! supersedes = ["..."]               # ids this one hides when both are found
//! engine = false                     # true: produced by the engine itself, no rules (`ambiguous`)
//! fallback = false                   # true: shown only when no other error finding is
//! ruled_out_by = ["signed_in"]       # facts of the evidence that rule this finding out: it is
//!                                    # not considered for evidence of a transcript that shows
//!                                    # them (`signed_in`: a 235 to AUTH; `encrypted`: a TLS
//!                                    # handshake that completed)
//! also_reads = [                     # evidence another finding's rules match is read as this one
//!   { finding = "auth.credentials_rejected", provider = ["yahoo"], rank = 1 },
//! ]                                  # too, for these providers: the two tie (`ambiguous`), the
//!                                    # rank orders them; one vocabulary serves both
//! causes = [                         # Fluent ids, most likely first; a table adds a provider filter
//!   { text = "auth-credentials-rejected-cause-gmail-2sv", provider = ["gmail"] },
//!   "auth-credentials-rejected-cause-password",
//! ]
//! [[finding.fix]]                    # in the order to try them
//! text = "auth-credentials-rejected-fix-retype"
//! audience = "device"                # optional: who does it
//! provider = ["gmail"]               # optional: shown only for these providers
//! observation = ["client_error"]     # optional: shown only when the finding rests on evidence
//!                                    # of these kinds (causes take the same key)
//! [[finding.match]]                  # one or more rules; any one matching is enough
//! observation = "reply"              # an ObservationKind
//! stage = ["auth"]                   # every other key is optional and narrows the rule; evidence
//!                                    # at stage "unknown" (pasted without context) matches any
//!                                    # stage list, and only a list naming "unknown" keeps
//!                                    # known-stage evidence out
//! code = [535]
//! enhanced = ["5.7.8"]
//! text = "authentication failed"     # regex, case-insensitive; named groups become params
//! class = ["cert_expired"]           # the observation's sub-kind
//! provider = ["gmail"]               # provider ids; "any" = one of PROFILED_PROVIDERS, "none" = any
//!                                    # other (unknown, or one the catalogue has no entries of its
//!                                    # own for: Yahoo), "unknown" = the evidence names none
//!                                    # (["gmail", "unknown"]: Gmail, or maybe Gmail)
//! security = ["starttls"]            # the security the transcript used
//! protocol = ["smtp"]
//! mode = ["submission"]              # the Context's sending mode
//! host = "\\.office365\\.com$"       # regex on the transcript's host
//! port = [25]                        # the transcript's port
//! params = { issuer = "Avast" }      # regexes on the observation's params (see provided_params)
//! evidence = ["pasted", "log"]       # where the transcripts came from (the Context's `evidence`:
//!                                    # live, pasted, log). For events another program reported
//!                                    # that mean something else in mailprobe's own probe: a
//!                                    # pasted "wrong version number" is that program's TLS on a
//!                                    # STARTTLS port, while live the same failure waits for a
//!                                    # mode check to confirm it. Texts may select on `$evidence`
//!                                    # to say what only live rules can give (see lint.rs)
//! severity = "warning"               # this rule's evidence makes the finding this severe instead
//!                                    # (an SPF softfail is the same finding as a fail, less sure)
//! ambiguous = true                   # deliberately identical to a rule of other findings: the
//!                                    # evidence fits them all, and the engine lists them ranked
//!                                    # (catalogue order) under `ambiguous`
//! rank = 1                           # among findings tied on the same evidence, this rule's
//!                                    # finding is listed before those whose rule has a lower rank
//!                                    # (default 0), whatever the catalogue order: what the
//!                                    # evidence makes likelier (a provider's policy) comes first,
//!                                    # and the tie is still reported as `ambiguous`
//! ```
//!
//! Bare codes people paste (a `535` with no provider, a `5.7.139` without its text) fit several
//! findings; they are written as `ambiguous = true` rules with the same shape in each candidate,
//! usually `stage = ["unknown"]` so that a live probe, which knows its stage, is not affected.
//!
//! One finding may rest on different kinds of evidence (a receiver's SPF refusal, or the DNS check
//! that shows it coming). Texts then select on `$observation`, the kind of the evidence that
//! matched first (`{ $observation -> [dns_evidence] ... *[other] ... }`), and causes or fixes that
//! only fit one kind say so with `observation = [...]`; the completeness test checks that every
//! placeholder is given by every rule that can reach it (see lint.rs).

use std::collections::{BTreeMap, HashSet};

use mailprobe_proto::{Context, EnhancedCode, EvidenceSource, Protocol, Security, SendMode, Stage};
use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::finding::Severity;
use crate::observe::{COMMON_PARAMS, Observation, ObservationKind};

/// Who a fix is for. Anything else in the data is an error.
pub const AUDIENCES: &[&str] = &[
    "outlook-macos",
    "outlook-windows",
    "device",
    "developer",
    "m365-admin",
    "google-account",
    "network-admin",
];

/// Why the data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// `findings.toml` is not valid TOML or does not fit the format.
    #[error("findings.toml: {0}")]
    Toml(#[from] toml::de::Error),
    /// A Fluent file has syntax errors or duplicate messages.
    #[error("{file}: {errors}")]
    Fluent {
        /// Which file.
        file: String,
        /// What is wrong.
        errors: String,
    },
    /// The catalogue is inconsistent.
    #[error("findings.toml: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    finding: Vec<FindingFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingFile {
    id: String,
    severity: Severity,
    stage: StageSpec,
    #[serde(default)]
    supersedes: Vec<String>,
    #[serde(default)]
    engine: bool,
    #[serde(default)]
    fallback: bool,
    #[serde(default)]
    ruled_out_by: Vec<Fact>,
    #[serde(default)]
    causes: Vec<EntryFile>,
    #[serde(default, rename = "fix")]
    fixes: Vec<EntryTable>,
    #[serde(default, rename = "match")]
    rules: Vec<RuleDef>,
    /// Wordings that name this finding whatever carries them: a server reply, a client
    /// program's message, an IMAP `NO`, or text pasted with no code at all. Each becomes one
    /// rule per kind of evidence, ranked above a bare code (see [`Rule::specificity`]).
    #[serde(default)]
    phrases: Vec<String>,
    /// Wordings that many causes share ("authentication failed"): like `phrases`, ranked below
    /// them, so a wording that names a cause wins when both are in the same text.
    #[serde(default)]
    generic_phrases: Vec<String>,
    /// Orders this finding's phrase rules first among findings tied on the same words (as a
    /// rule's `rank`): for a phrase that qualifies another cause's words in the same reply
    /// (Exim's "Unrouteable address" under "Sender verify failed" is the sender's).
    #[serde(default)]
    phrase_rank: u8,
    #[serde(default)]
    also_reads: Vec<AlsoReads>,
}

/// `also_reads`: for these providers, whatever evidence `finding`'s rules match is evidence of
/// this finding too, tied with it and ordered by `rank` (a provider's policy that makes a
/// generic refusal mean something more specific: Yahoo refusing every account password).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlsoReads {
    pub finding: String,
    pub provider: Vec<String>,
    #[serde(default)]
    pub rank: u8,
}

/// A fact a transcript can show, which rules some findings out whatever the words of a later
/// failure suggest.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Fact {
    /// The server accepted a login (235 to AUTH): "you must sign in first" is not the cause.
    SignedIn,
    /// The session was encrypted (a TLS handshake that completed): "start TLS first" is not
    /// the cause.
    Encrypted,
}

/// The kinds of evidence a finding's `phrases` are looked for in.
const PHRASE_KINDS: [ObservationKind; 3] =
    [ObservationKind::Reply, ObservationKind::ClientError, ObservationKind::ImapNo];

/// A finding's stage: fixed, or that of the evidence (for fallbacks that happen anywhere).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(untagged)]
enum StageSpec {
    Fixed(Stage),
    Observed(Observed),
}

#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Observed {
    Observed,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EntryFile {
    Id(String),
    Table(EntryTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryTable {
    text: String,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    provider: Vec<String>,
    #[serde(default)]
    observation: Vec<ObservationKind>,
}

/// A cause or a fix: a Fluent message id, who it is for, and for which providers and kinds of
/// evidence it applies (empty: all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub text: String,
    pub audience: Option<String>,
    pub provider: Vec<String>,
    pub observation: Vec<ObservationKind>,
}

impl Entry {
    /// True when the entry applies to evidence of these kinds.
    pub fn fits(&self, kinds: &[ObservationKind]) -> bool {
        self.observation.is_empty() || kinds.iter().any(|k| self.observation.contains(k))
    }
}

/// One rule as written in the data.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleDef {
    pub observation: ObservationKind,
    #[serde(default)]
    pub stage: Vec<Stage>,
    #[serde(default)]
    pub code: Vec<u16>,
    #[serde(default)]
    pub enhanced: Vec<EnhancedCode>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub class: Vec<String>,
    #[serde(default)]
    pub provider: Vec<String>,
    #[serde(default)]
    pub security: Vec<Security>,
    #[serde(default)]
    pub protocol: Vec<Protocol>,
    #[serde(default)]
    pub mode: Vec<SendMode>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Vec<u16>,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default)]
    pub evidence: Vec<EvidenceSource>,
    /// The finding's severity when this rule is what matched (default: the finding's own).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Read by the completeness test only: the engine needs no flag, identical rules tie by
    /// themselves; the flag says the tie is meant.
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    pub ambiguous: bool,
    /// Orders findings tied on the same evidence: a higher rank is listed first (see the
    /// format above). Not a matching condition.
    #[serde(default)]
    pub rank: u8,
    /// Made from the finding's `phrases` (`Some(false)`) or `generic_phrases` (`Some(true)`),
    /// not written as a rule.
    #[serde(skip)]
    pub phrase: Option<bool>,
    /// Borrowed from another finding (`also_reads`): whether its provider list counted there,
    /// so that the narrowed copy scores as the original does.
    #[serde(skip)]
    pub scored_provider: Option<bool>,
}

#[cfg(test)]
fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

#[cfg(test)]
impl RuleDef {
    /// Two rules that match exactly the same observations (order of list items aside).
    pub fn same_as(&self, other: &Self) -> bool {
        self.same_but_provider(other) && same_set(&self.provider, &other.provider)
    }

    /// [`Self::same_as`] but for the provider lists.
    pub fn same_but_provider(&self, other: &Self) -> bool {
        self.observation == other.observation
            && same_set(&self.stage, &other.stage)
            && same_set(&self.code, &other.code)
            && same_set(&self.enhanced, &other.enhanced)
            && self.text == other.text
            && same_set(&self.class, &other.class)
            && same_set(&self.security, &other.security)
            && same_set(&self.protocol, &other.protocol)
            && same_set(&self.mode, &other.mode)
            && self.host == other.host
            && same_set(&self.port, &other.port)
            && self.params == other.params
            && same_set(&self.evidence, &other.evidence)
    }
}

/// A rule ready to match.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub def: RuleDef,
    pub text: Option<LazyRegex>,
    pub host: Option<LazyRegex>,
    pub params: Vec<(String, LazyRegex)>,
}

/// A case-insensitive pattern compiled on first use. Compiling every rule's pattern when the
/// catalogue loads was 83% of the instructions of a whole `diagnose` run (callgrind); matching
/// reaches only the few rules whose other conditions the evidence meets. The builtin patterns
/// are compiled, every one, by the catalogue's own tests (and at load in test builds).
#[derive(Clone, Debug)]
pub(crate) struct LazyRegex {
    pattern: String,
    /// Matched against host names only (ASCII): see [`build_ascii`].
    ascii: bool,
    compiled: std::sync::OnceLock<Option<Regex>>,
}

impl LazyRegex {
    fn new(pattern: &str, ascii: bool) -> Self {
        Self { pattern: pattern.to_owned(), ascii, compiled: std::sync::OnceLock::new() }
    }

    /// The compiled pattern; `None` only for a pattern that does not compile, which the
    /// catalogue's tests rule out for the builtin data.
    pub(crate) fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| if self.ascii { build_ascii(&self.pattern) } else { build(&self.pattern) }.ok())
            .as_ref()
    }

    fn is_match(&self, haystack: &str) -> bool {
        self.get().is_some_and(|re| re.is_match(haystack))
    }
}

/// The providers the catalogue writes causes, fixes and rules of their own for. Any other
/// provider a context names (Yahoo, Aruba: the provider table's) reads as `none` does, so
/// naming it loses no generic advice, and a rule may still name it to say more.
pub(crate) const PROFILED_PROVIDERS: &[&str] = &["gmail", "m365", "outlook"];

/// True when `ids` (a data `provider` list) admits the context's provider. Empty admits all;
/// `any` admits a profiled provider, `none` an unknown one or any other, `unknown` only an
/// unknown one; an id admits itself.
pub(crate) fn provider_matches(ids: &[String], provider: Option<&str>) -> bool {
    let profiled = provider.is_some_and(|p| PROFILED_PROVIDERS.iter().any(|q| q.eq_ignore_ascii_case(p)));
    ids.is_empty()
        || ids.iter().any(|id| match (id.as_str(), provider) {
            ("any", Some(_)) => profiled,
            ("none", _) => !profiled,
            ("unknown", p) => p.is_none(),
            (id, Some(p)) => id.eq_ignore_ascii_case(p),
            _ => false,
        })
}

impl Rule {
    /// How specific the rule is for an observation at `stage`: enhanced code > reply code or
    /// class > text > kind alone, and within a level, provider-specific > generic; each further
    /// constraint adds a little. A stage list counts for evidence whose stage it names, and
    /// against evidence of unknown stage it cannot check (a rule that holds at any stage is the
    /// safer reading then). A client program's error is second-hand (the server said something
    /// first), so rules on `client_error` rank a level lower than the same shape on a reply.
    pub fn specificity(&self, stage: Stage) -> u32 {
        let d = &self.def;
        // A provider's own wording says more than a bare code (550) or a bare enhanced code,
        // which servers reuse loosely (GoDaddy's "5.1.1 ... has sent to too many recipients"),
        // and less than a rule that needs an enhanced code and words together.
        if let Some(generic) = d.phrase {
            let base = if d.observation == ObservationKind::ClientError { 36 } else { 41 };
            return if generic { base - 3 } else { base };
        }
        let level = if !d.enhanced.is_empty() {
            40
        } else if !d.code.is_empty() || !d.class.is_empty() {
            30
        } else if d.text.is_some() {
            20
        } else {
            10
        };
        let mut score = level;
        if d.observation == ObservationKind::ClientError {
            score -= 5;
        }
        if d.scored_provider.unwrap_or(!d.provider.is_empty()) {
            score += 5;
        }
        if d.text.is_some() && level != 20 {
            score += 2;
        }
        score += 2 * u32::try_from(d.params.len()).unwrap_or(u32::MAX / 4);
        for narrowed in [
            !d.security.is_empty(),
            !d.protocol.is_empty(),
            !d.mode.is_empty(),
            d.host.is_some(),
            !d.port.is_empty(),
            !d.evidence.is_empty(),
            !d.class.is_empty() && level != 30,
        ] {
            score += u32::from(narrowed);
        }
        if !d.stage.is_empty() {
            if d.stage.contains(&stage) {
                score += 1;
            } else {
                score = score.saturating_sub(1);
            }
        }
        score
    }

    /// Matches an observation; on a match returns the params the text pattern captured.
    pub fn matches(&self, obs: &Observation, context: &Context) -> Option<Vec<(String, String)>> {
        let d = &self.def;
        let ok = d.observation == obs.kind
            && (d.stage.is_empty() || obs.stage == Stage::Unknown || d.stage.contains(&obs.stage))
            && (d.code.is_empty() || obs.code.is_some_and(|c| d.code.contains(&c)))
            && (d.enhanced.is_empty() || obs.enhanced.is_some_and(|e| d.enhanced.contains(&e)))
            && (d.class.is_empty() || obs.class.as_ref().is_some_and(|c| d.class.contains(c)))
            && provider_matches(&d.provider, context.provider.as_deref())
            && (d.security.is_empty() || d.security.contains(&obs.security))
            && (d.protocol.is_empty() || d.protocol.contains(&obs.protocol))
            && (d.mode.is_empty() || context.mode.is_some_and(|m| d.mode.contains(&m)))
            && (d.evidence.is_empty() || d.evidence.contains(&context.evidence))
            && self.host.as_ref().is_none_or(|re| obs.params.get("host").is_some_and(|h| re.is_match(h)))
            && (d.port.is_empty()
                || obs.params.get("port").and_then(|p| p.parse().ok()).is_some_and(|p| d.port.contains(&p)))
            && self.params.iter().all(|(k, re)| obs.params.get(k).is_some_and(|v| re.is_match(v)));
        if !ok {
            return None;
        }
        let Some(re) = &self.text else {
            return Some(Vec::new());
        };
        let re = re.get()?;
        let caps = re.captures(&obs.text)?;
        Some(
            re.capture_names()
                .flatten()
                .filter_map(|name| caps.name(name).map(|m| (name.to_owned(), m.as_str().to_owned())))
                .collect(),
        )
    }

    /// Names of the text pattern's capture groups.
    pub fn capture_names(&self) -> Vec<String> {
        self.text
            .as_ref()
            .and_then(LazyRegex::get)
            .map(|re| re.capture_names().flatten().map(str::to_owned).collect())
            .unwrap_or_default()
    }
}

/// One finding of the catalogue.
#[derive(Clone, Debug)]
pub(crate) struct FindingDef {
    pub id: String,
    pub severity: Severity,
    /// `None`: the stage of the first observation that matched.
    pub stage: Option<Stage>,
    pub supersedes: Vec<String>,
    pub engine: bool,
    /// Shown only when no other error finding is (`fallback = true` in the data).
    pub fallback: bool,
    /// Facts of a transcript that rule this finding out for its evidence.
    pub ruled_out_by: Vec<Fact>,
    pub causes: Vec<Entry>,
    pub fixes: Vec<Entry>,
    pub rules: Vec<Rule>,
}

impl FindingDef {
    /// The Fluent id prefix: `auth.credentials_rejected` → `auth-credentials-rejected`.
    pub fn message_base(&self) -> String {
        message_base(&self.id)
    }

    /// The Fluent id of the title.
    pub fn title_id(&self) -> String {
        format!("{}-title", self.message_base())
    }

    /// The Fluent id of the summary.
    pub fn summary_id(&self) -> String {
        format!("{}-summary", self.message_base())
    }

    /// Every Fluent id the finding uses.
    pub fn message_ids(&self) -> Vec<String> {
        let mut ids = vec![self.title_id(), self.summary_id()];
        ids.extend(self.causes.iter().chain(&self.fixes).map(|e| e.text.clone()));
        ids
    }
}

/// The Fluent id prefix of a finding id.
pub(crate) fn message_base(id: &str) -> String {
    id.replace(['.', '_'], "-")
}

fn build(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&ascii_word_boundaries(pattern)).case_insensitive(true).size_limit(1 << 20).build()
}

/// The pattern with each `\b` made an ASCII word boundary, `(?-u:\b)`. A Unicode `\b` makes
/// the regex crate's lazy DFA give up on any haystack with a non-ASCII byte and run the PikeVM
/// instead: on 3 KB of non-ASCII text the phrase rules took 14 ms a pass, 2.4 ms with ASCII
/// boundaries, and a `diagnose` of such a paste was 20 ms in a release build and seconds in a
/// debug one (the property tests' random pastes). Every `\b` in the catalogue stands next to
/// ASCII text (`\bspf\b`, `\bXGEMAIL_0010\b`), where the two boundaries differ only beside a
/// non-ASCII letter.
fn ascii_word_boundaries(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains("\\b") {
        return pattern.into();
    }
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str("(?-u:\\b)"),
            // Any other escape (`\\`, `\.`, `\d`) is copied whole, so `\\b` stays a backslash and b.
            Some(next) => {
                out.push(c);
                out.push(next);
            }
            None => out.push(c),
        }
    }
    out.into()
}

/// A pattern for host names, which are ASCII (IDNA's form): with ASCII classes (`\d`, `\w`,
/// `\b`, case folding), which match an ASCII host exactly as the Unicode ones do. The Unicode
/// form of the catalogue's address pattern (`^(\d{1,3}\.){3}\d{1,3}$|...`) was the one pattern a
/// successful `diagnose` against an address compiled, a sixth of the run's instructions (issue
/// 20). A pattern that has no ASCII form (one that could match part of a UTF-8 sequence) is
/// compiled as the others are.
fn build_ascii(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .unicode(false)
        .size_limit(1 << 20)
        .build()
        .or_else(|_| build(pattern))
}

/// A rule pattern, compiled later; test builds compile it now so bad data fails at load.
fn compile(pattern: &str, what: &str, id: &str) -> Result<LazyRegex, LoadError> {
    let ascii = what == "host";
    if cfg!(test) {
        if ascii { build_ascii(pattern) } else { build(pattern) }
            .map_err(|e| LoadError::Invalid(format!("{id}: bad {what} pattern {pattern:?}: {e}")))?;
    }
    Ok(LazyRegex::new(pattern, ascii))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('.').all(|part| {
            !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// A phrase's spaces, outside character classes, as `\s+`: bounces and logs wrap long replies
/// ("has sent to too many\n    recipients"), and a space written in a phrase stands for that.
fn loosen_spaces(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len() + 8);
    let mut in_class = false;
    let mut escaped = false;
    let mut chars = phrase.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // An optional space (`smtp ?client`) may be no space at all, or several.
            ' ' if !in_class && !escaped && matches!(chars.peek(), Some('?' | '*')) => {
                chars.next();
                out.push_str("\\s*");
            }
            ' ' if !in_class && !escaped => out.push_str("\\s+"),
            '[' if !escaped => {
                in_class = true;
                out.push(c);
            }
            ']' if !escaped => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    out
}

/// Reads and checks the catalogue.
pub(crate) fn parse(source: &str) -> Result<Vec<FindingDef>, LoadError> {
    let file: CatalogueFile = toml::from_str(source)?;
    from_file(file)
}

/// [`parse`] of the catalogue build.rs turned into JSON; `None` when there is no JSON form or it
/// does not fit the format (the TOML then says why, with the place).
pub(crate) fn parse_json(json: &str) -> Option<Result<Vec<FindingDef>, LoadError>> {
    let file: CatalogueFile = serde_json::from_str(json).ok()?;
    Some(from_file(file))
}

fn from_file(file: CatalogueFile) -> Result<Vec<FindingDef>, LoadError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut borrowing: Vec<(usize, Vec<AlsoReads>)> = Vec::new();
    for f in file.finding {
        let id = f.id;
        if !valid_id(&id) {
            return Err(LoadError::Invalid(format!("bad id {id:?}: lower-case words joined by dots")));
        }
        if !seen.insert(id.clone()) {
            return Err(LoadError::Invalid(format!("{id}: defined twice")));
        }
        let entry = |e: EntryTable| -> Result<Entry, LoadError> {
            if let Some(a) = &e.audience
                && !AUDIENCES.contains(&a.as_str())
            {
                return Err(LoadError::Invalid(format!(
                    "{id}: unknown audience {a:?} (known: {})",
                    AUDIENCES.join(", ")
                )));
            }
            Ok(Entry { text: e.text, audience: e.audience, provider: e.provider, observation: e.observation })
        };
        let causes = f
            .causes
            .into_iter()
            .map(|c| match c {
                EntryFile::Id(text) => {
                    Ok(Entry { text, audience: None, provider: Vec::new(), observation: Vec::new() })
                }
                EntryFile::Table(t) => entry(t),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let fixes = f.fixes.into_iter().map(entry).collect::<Result<Vec<_>, _>>()?;
        let mut rules = Vec::new();
        let phrase_rules = [(f.phrases, false), (f.generic_phrases, true)]
            .into_iter()
            .filter(|(phrases, _)| !phrases.is_empty())
            .flat_map(|(phrases, generic)| {
                let loose: Vec<String> = phrases.iter().map(|p| loosen_spaces(p)).collect();
                let pattern = format!("(?:{})", loose.join(")|(?:"));
                PHRASE_KINDS.map(|observation| RuleDef {
                    observation,
                    text: Some(pattern.clone()),
                    // A refusal in the provider's words is an error, whatever the finding's
                    // severity for other evidence (a DNS check's reverse-DNS warning).
                    severity: Some(Severity::Error),
                    phrase: Some(generic),
                    rank: f.phrase_rank,
                    ..RuleDef::default()
                })
            })
            .collect::<Vec<_>>();
        for def in f.rules.into_iter().chain(phrase_rules) {
            for class in &def.class {
                def.observation.check_class(class).map_err(|e| LoadError::Invalid(format!("{id}: {e}")))?;
            }
            let text = def.text.as_deref().map(|p| compile(p, "text", &id)).transpose()?;
            let host = def.host.as_deref().map(|p| compile(p, "host", &id)).transpose()?;
            let mut params = Vec::new();
            for (key, pattern) in &def.params {
                // A param of the kind, or one every class the rule names provides.
                let of_classes = !def.class.is_empty()
                    && def.class.iter().all(|c| def.observation.class_params(c).contains(&key.as_str()));
                let known = def.observation.provided_params().contains(&key.as_str())
                    || COMMON_PARAMS.contains(&key.as_str())
                    || of_classes;
                if !known {
                    return Err(LoadError::Invalid(format!(
                        "{id}: observation {} has no param {key:?}",
                        def.observation
                    )));
                }
                params.push((key.clone(), compile(pattern, key, &id)?));
            }
            rules.push(Rule { def, text, host, params });
        }
        if !f.also_reads.is_empty() {
            borrowing.push((out.len(), f.also_reads));
        }
        if rules.is_empty() && !f.engine {
            return Err(LoadError::Invalid(format!(
                "{id}: no [[finding.match]] rule (only engine = true findings may have none)"
            )));
        }
        out.push(FindingDef {
            id,
            severity: f.severity,
            stage: match f.stage {
                StageSpec::Fixed(stage) => Some(stage),
                StageSpec::Observed(Observed::Observed) => None,
            },
            supersedes: f.supersedes,
            engine: f.engine,
            fallback: f.fallback,
            ruled_out_by: f.ruled_out_by,
            causes,
            fixes,
            rules,
        });
    }
    let ids: HashSet<&str> = out.iter().map(|f| f.id.as_str()).collect();
    for f in &out {
        for s in &f.supersedes {
            if !ids.contains(s.as_str()) || s == &f.id {
                return Err(LoadError::Invalid(format!("{}: supersedes unknown or own id {s:?}", f.id)));
            }
        }
    }
    for (at, reads) in borrowing {
        for a in reads {
            let lent = out.iter().position(|f| f.id == a.finding).filter(|i| *i != at);
            let Some(lent) = lent.filter(|_| !a.provider.is_empty()) else {
                return Err(LoadError::Invalid(format!(
                    "{}: also_reads needs another finding's id and a provider list ({:?})",
                    out[at].id, a.finding
                )));
            };
            let borrowed = borrowed_rules(&out[lent].rules, &a);
            out[at].rules.extend(borrowed);
        }
    }
    Ok(out)
}

/// Another finding's rules, narrowed to `a`'s providers and ranked by it. Each keeps the
/// specificity it has in its own finding, so the two findings tie on the same evidence.
fn borrowed_rules(rules: &[Rule], a: &AlsoReads) -> Vec<Rule> {
    rules
        .iter()
        .filter_map(|r| {
            let provider: Vec<String> = a
                .provider
                .iter()
                .filter(|p| provider_matches(&r.def.provider, Some(p.as_str())))
                .cloned()
                .collect();
            if provider.is_empty() {
                return None;
            }
            let mut rule = r.clone();
            rule.def.scored_provider = Some(!r.def.provider.is_empty());
            rule.def.provider = provider;
            rule.def.rank = a.rank;
            Some(rule)
        })
        .collect()
}

#[cfg(test)]
mod host_pattern_tests {
    use super::*;

    /// Every host pattern of the catalogue matches the same hosts in its ASCII form as in its
    /// Unicode form.
    #[test]
    fn ascii_host_patterns_agree() {
        let findings = parse(include_str!("../data/findings.toml")).expect("catalogue parses");
        let hosts = [
            "192.0.2.7",
            "10.0.0.1",
            "1.2.3",
            "[2001:db8::1]",
            "2001:DB8::1",
            "::1",
            "smtp.office365.com",
            "SMTP.Office365.com.",
            "smtp-legacy.office365.com",
            "smtp.gmail.com",
            "mail.example.test",
            "example-com.mail.protection.outlook.com",
            "xn--bcher-kva.example",
            "a_b.example",
            "",
        ];
        let mut checked = 0;
        for rule in findings.iter().flat_map(|f| f.rules.iter()) {
            let Some(host) = &rule.host else { continue };
            let unicode = build(&host.pattern).expect("compiles");
            let ascii = build_ascii(&host.pattern).expect("compiles");
            for h in hosts {
                assert_eq!(ascii.is_match(h), unicode.is_match(h), "{:?} on {h:?}", host.pattern);
            }
            checked += 1;
        }
        assert!(checked > 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// build.rs's JSON form reads as the same catalogue as the TOML it was made from.
    #[test]
    fn the_json_form_is_the_toml() {
        let from_json = parse_json(crate::FINDINGS_JSON).expect("build.rs wrote the JSON form").unwrap();
        let from_toml = parse(crate::FINDINGS_TOML).unwrap();
        assert_eq!(format!("{from_json:?}"), format!("{from_toml:?}"));
    }

    const MINIMAL: &str = r#"
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
"#;

    #[test]
    fn reads_minimal() {
        let f = parse(MINIMAL).unwrap();
        assert_eq!(f[0].message_ids(), ["a-b-title", "a-b-summary", "a-b-cause", "a-b-fix"]);
        assert_eq!(f[0].rules[0].specificity(Stage::Auth), 30);
    }

    #[test]
    fn stage_fixed_or_observed() {
        assert_eq!(parse(MINIMAL).unwrap()[0].stage, Some(Stage::Auth));
        let observed = MINIMAL.replace("stage = \"auth\"", "stage = \"observed\"");
        assert_eq!(parse(&observed).unwrap()[0].stage, None);
        assert!(parse(&MINIMAL.replace("stage = \"auth\"", "stage = \"observd\"")).is_err());
    }

    #[test]
    fn rejects_bad_data() {
        let cases = [
            (MINIMAL.replace("\"reply\"", "\"replay\""), "unknown observation"),
            (MINIMAL.replace("code = [535]", "code = [535]\ntext = \"(\""), "bad regex"),
            (MINIMAL.replace("code = [535]", "class = [\"x\"]"), "class on reply"),
            (MINIMAL.replace("text = \"a-b-fix\"", "text = \"a-b-fix\"\naudience = \"boss\""), "audience"),
            (MINIMAL.replace("stage = \"auth\"", "stage = \"authentication\""), "stage"),
            (MINIMAL.replace("id = \"a.b\"", "id = \"A.b\""), "id"),
            (format!("{MINIMAL}{MINIMAL}"), "duplicate"),
            (MINIMAL.replace("causes", "supersedes = [\"x.y\"]\ncauses"), "supersedes"),
            (MINIMAL.replace("code = [535]", "code = [535]\ncolour = \"red\""), "unknown key"),
            (MINIMAL.split("[[finding.match]]").next().unwrap().to_owned(), "no rule"),
        ];
        for (data, what) in cases {
            assert!(parse(&data).is_err(), "{what} accepted");
        }
    }

    fn reply_obs(stage: Stage, code: u16) -> Observation {
        Observation {
            kind: ObservationKind::Reply,
            stage,
            protocol: mailprobe_proto::Protocol::Smtp,
            security: Security::Starttls,
            transcript: 0,
            event: None,
            code: Some(code),
            enhanced: None,
            class: None,
            text: "Incorrect authentication data".into(),
            evidence: vec![],
            params: [("port".to_owned(), "587".to_owned())].into_iter().collect(),
        }
    }

    #[test]
    fn unknown_stage_matches_any_stage_list_but_ranks_lower() {
        let rule = &parse(MINIMAL).unwrap()[0].rules[0];
        let ctx = Context::default();
        assert!(rule.matches(&reply_obs(Stage::Auth, 535), &ctx).is_some());
        assert!(rule.matches(&reply_obs(Stage::Unknown, 535), &ctx).is_some());
        let staged = MINIMAL.replace("code = [535]", "code = [535]\nstage = [\"auth\"]");
        let rule = &parse(&staged).unwrap()[0].rules[0];
        assert!(rule.matches(&reply_obs(Stage::MailFrom, 535), &ctx).is_none());
        assert!(rule.matches(&reply_obs(Stage::Unknown, 535), &ctx).is_some());
        // Checked stage: +1; unchecked (unknown): -1, below the same rule without a stage.
        assert_eq!(rule.specificity(Stage::Auth), 31);
        assert_eq!(rule.specificity(Stage::Unknown), 29);
        // A rule for pasted evidence only.
        let pasted = MINIMAL.replace("code = [535]", "code = [535]\nstage = [\"unknown\"]");
        let rule = &parse(&pasted).unwrap()[0].rules[0];
        assert!(rule.matches(&reply_obs(Stage::Auth, 535), &ctx).is_none());
        assert!(rule.matches(&reply_obs(Stage::Unknown, 535), &ctx).is_some());
        assert_eq!(rule.specificity(Stage::Unknown), 31);
    }

    #[test]
    fn port_and_params_narrow_a_rule() {
        let ctx = Context::default();
        let on =
            |extra: &str| parse(&MINIMAL.replace("code = [535]", &format!("code = [535]\n{extra}"))).unwrap();
        let rule = &on("port = [587]")[0].rules[0];
        assert!(rule.matches(&reply_obs(Stage::Auth, 535), &ctx).is_some());
        let rule = &on("port = [25]")[0].rules[0];
        assert!(rule.matches(&reply_obs(Stage::Auth, 535), &ctx).is_none());
        let rule = &on("params = { reply = \"incorrect\" }")[0].rules[0];
        let mut obs = reply_obs(Stage::Auth, 535);
        assert!(rule.matches(&obs, &ctx).is_none(), "no such param yet");
        obs.params.insert("reply".into(), "Incorrect authentication data".into());
        assert!(rule.matches(&obs, &ctx).is_some());
        assert_eq!(rule.specificity(Stage::Auth), 32);
        assert!(
            parse(&MINIMAL.replace("code = [535]", "params = { issuer = \"x\" }")).is_err(),
            "not a reply param"
        );
    }

    /// The ASCII boundaries still bound words in non-ASCII text, and an escaped backslash before
    /// a `b` is left alone.
    #[test]
    fn word_boundaries_are_ascii_and_still_bound_words() {
        assert_eq!(ascii_word_boundaries(r"\bspf\b|a\\b"), r"(?-u:\b)spf(?-u:\b)|a\\b");
        let re = build(r"\bspf\b").unwrap();
        assert!(re.is_match("Rifiutato perché SPF non è valido — ¿spf?"));
        assert!(!re.is_match("rifiutato: spfail, très spfx"));
        assert!(build(r"a\\b").unwrap().is_match(r"a\b"));
    }

    #[test]
    fn phrase_spaces_match_wrapped_text_outside_classes() {
        assert_eq!(loosen_spaces("sent to too many"), "sent\\s+to\\s+too\\s+many");
        assert_eq!(loosen_spaces("a[- ]b c"), "a[- ]b\\s+c");
        assert_eq!(loosen_spaces("a\\ b"), "a\\ b");
        assert_eq!(loosen_spaces("smtp ?client"), "smtp\\s*client");
        let re = regex::Regex::new(&loosen_spaces("has sent to too many recipients")).unwrap();
        assert!(re.is_match("192.0.2.0 has sent to too many\n    recipients this hour"));
    }

    #[test]
    fn client_errors_rank_below_replies() {
        let data = MINIMAL.replace(
            "observation = \"reply\"\ncode = [535]",
            "observation = \"client_error\"\nclass = [\"4af4\"]",
        );
        assert_eq!(parse(&data).unwrap()[0].rules[0].specificity(Stage::Unknown), 25);
    }

    #[test]
    fn provider_lists() {
        let l = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(provider_matches(&[], None));
        assert!(provider_matches(&l(&["gmail"]), Some("gmail")));
        assert!(!provider_matches(&l(&["gmail"]), None));
        assert!(!provider_matches(&l(&["gmail"]), Some("m365")));
        assert!(provider_matches(&l(&["any"]), Some("m365")));
        assert!(!provider_matches(&l(&["any"]), None));
        assert!(provider_matches(&l(&["none"]), None));
        assert!(!provider_matches(&l(&["none"]), Some("gmail")));
        // a provider the catalogue has no entries for reads as none, and as itself
        assert!(provider_matches(&l(&["none"]), Some("yahoo")));
        assert!(!provider_matches(&l(&["any"]), Some("yahoo")));
        assert!(provider_matches(&l(&["yahoo"]), Some("Yahoo")));
        assert!(!provider_matches(&l(&["gmail"]), Some("yahoo")));
        assert!(provider_matches(&l(&["gmail", "unknown"]), None));
        assert!(!provider_matches(&l(&["gmail", "unknown"]), Some("yahoo")));
    }
}
