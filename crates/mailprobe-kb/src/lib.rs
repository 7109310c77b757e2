//! mailprobe's knowledge base and diagnosis engine: Transcripts in, localized Findings out.
//!
//! Diagnosis is a pure function: no I/O, no clock, no randomness. The knowledge is data, embedded
//! at build time: `data/findings.toml` holds every finding (id, severity, stage, match rules,
//! causes, fixes) and `locales/{en,it}/*.ftl` hold every text in Project Fluent. Growing the
//! catalogue means adding a `[[finding]]` table and its texts, not engine code; a test walks the
//! catalogue for completeness and `tests/corpus/` replays recorded cases.
//!
//! ```
//! use mailprobe_kb::{KnowledgeBase, Lang};
//! # use mailprobe_proto::*;
//! let context = Context { host: "mail.example.test".into(), port: 587, ..Context::default() };
//! let mut t = Transcript::new(Protocol::Smtp, Role::Primary, Endpoint {
//!     host: "mail.example.test".into(), port: 587, security: Security::Starttls });
//! t.push(0, Stage::Auth, EventKind::Received {
//!     reply: Reply::new(535, ["5.7.8 Error: authentication failed: (reason unavailable)"]) });
//! let findings = KnowledgeBase::builtin().diagnose(&context, &[t], Lang::En);
//! assert_eq!(findings[0].id, "auth.credentials_rejected");
//! ```

mod catalogue;
mod dns_evidence;
mod engine;
mod finding;
mod lang;
mod observe;
mod playbook;
mod texts;

#[cfg(test)]
mod lint;

use std::borrow::Cow;
use std::sync::OnceLock;

use mailprobe_proto::{Context, Transcript};

pub use catalogue::AUDIENCES;
pub use finding::{Finding, Fix, Severity};
pub use lang::{Lang, UnknownLang};
pub use observe::{COMMON_PARAMS, Observation, ObservationKind, observe};
pub use playbook::{
    Check, CheckHost, CheckTarget, GUIDE_PARAMS, GUIDE_UI, Playbook, Sender, Step, find_playbook, playbook,
    playbooks, tenant_mx,
};

use catalogue::{FindingDef, LoadError};
use texts::{Source, Texts};

/// The embedded catalogue.
const FINDINGS_TOML: &str = include_str!("../data/findings.toml");

/// The same catalogue as JSON, made by build.rs (empty when the TOML did not parse there).
const FINDINGS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/findings.json"));

/// The embedded Fluent files: language, file name, text.
const LOCALES: &[(Lang, &str, &str)] = &[
    (Lang::En, "findings.ftl", include_str!("../locales/en/findings.ftl")),
    (Lang::En, "ui.ftl", include_str!("../locales/en/ui.ftl")),
    (Lang::En, "guide.ftl", include_str!("../locales/en/guide.ftl")),
    (Lang::En, "dns.ftl", include_str!("../locales/en/dns.ftl")),
    (Lang::En, "analyze.ftl", include_str!("../locales/en/analyze.ftl")),
    (Lang::It, "findings.ftl", include_str!("../locales/it/findings.ftl")),
    (Lang::It, "ui.ftl", include_str!("../locales/it/ui.ftl")),
    (Lang::It, "guide.ftl", include_str!("../locales/it/guide.ftl")),
    (Lang::It, "dns.ftl", include_str!("../locales/it/dns.ftl")),
    (Lang::It, "analyze.ftl", include_str!("../locales/it/analyze.ftl")),
];

/// The catalogue of findings and their texts, and the engine that applies them.
pub struct KnowledgeBase {
    findings: Vec<FindingDef>,
    texts: Texts,
}

impl KnowledgeBase {
    /// The knowledge base built into the binary, parsed once on first use.
    pub fn builtin() -> &'static KnowledgeBase {
        static BUILTIN: OnceLock<KnowledgeBase> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The JSON form build.rs made; the TOML when there is none, to say what is wrong.
            let built = match catalogue::parse_json(FINDINGS_JSON) {
                Some(findings) => findings.and_then(|f| Self::with_findings(f, LOCALES)),
                None => Self::from_sources(FINDINGS_TOML, LOCALES),
            };
            built.unwrap_or_else(|e| panic!("embedded knowledge base is invalid: {e}"))
        })
    }

    /// Builds a knowledge base from a catalogue and Fluent files (language, file name, text).
    fn from_sources(
        findings_toml: &str,
        locales: &[(Lang, &'static str, &'static str)],
    ) -> Result<Self, LoadError> {
        let findings = catalogue::parse(findings_toml)?;
        Self::with_findings(findings, locales)
    }

    /// The knowledge base of `findings` and the Fluent files.
    fn with_findings(
        findings: Vec<FindingDef>,
        locales: &[(Lang, &'static str, &'static str)],
    ) -> Result<Self, LoadError> {
        let sources: Vec<Source<'static>> =
            locales.iter().map(|&(lang, name, text)| Source { lang, name, text }).collect();
        let texts = Texts::new(&sources)?;
        // English is the fallback of every other language: it must have every text.
        for f in &findings {
            if let Some(id) = f.message_ids().into_iter().find(|id| !texts.has(Lang::En, id)) {
                return Err(LoadError::Invalid(format!("{}: no English text {id}", f.id)));
            }
        }
        Ok(Self { findings, texts })
    }

    /// Every finding id, in catalogue order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.findings.iter().map(|f| f.id.as_str())
    }

    /// Diagnoses the transcripts: the findings, most likely and most important first. Empty (or
    /// only info findings) when nothing went wrong. Pure: no I/O, no clock.
    pub fn diagnose(&self, context: &Context, transcripts: &[Transcript], lang: Lang) -> Vec<Finding> {
        let mut problems = Vec::new();
        engine::diagnose(&self.findings, &self.texts, context, transcripts, lang, &mut problems)
    }

    /// A UI string (`ui-findings`, `ui-what-to-do`, `ui-stage-auth`, `ui-audience-device`...; see
    /// `locales/en/ui.ftl`) from the same Fluent bundles, with `args` filled in. A plain number
    /// argument selects plurals (`ui-finding-count`). Falls back to English, then to the key.
    pub fn text(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let args = texts::args(args.iter().map(|&(k, v)| (k, Cow::Borrowed(v))));
        self.texts.format(lang, key, &args)
    }
}
