//! mailprobe's reports — `diagnose`, `explain`, `dns`, `advise` — and their renderings: text for
//! a terminal, JSON for scripts, Markdown for a ticket, HTML for a page or a file.
//!
//! Gathering never formats; this crate never gathers (no network, no files). Text from peers,
//! logs and users reaches text and Markdown only through [`safe`], HTML only through
//! [`html::escape`].

pub mod advise;
pub mod diagnose;
pub mod dns;
pub mod explain;
pub mod html;
pub mod json;
pub mod markdown;
pub mod safe;
pub mod text;

use mailprobe_kb::{KnowledgeBase, Lang};
use serde::Serialize;

pub use advise::Advice;
pub use diagnose::{DiscoveryReport, Report, TlsReport, TranscriptReport};
pub use dns::DnsCheckReport;
pub use explain::ExplainReport;
pub use text::Style;

/// The tool's name and version, so a saved report says what made it.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `mailprobe`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

impl Tool {
    /// This build.
    pub fn this() -> Self {
        Self { name: "mailprobe", version: env!("CARGO_PKG_VERSION") }
    }
}

/// A UI text of the knowledge base in `lang`, its `{ $name }` placeables filled from `args`.
pub(crate) fn kb_text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    KnowledgeBase::builtin().text(lang, key, args)
}

/// A UI text of the knowledge base, or — while the key is not in its locales yet — the English
/// or Italian text given here, `{name}` placeholders filled from `args`.
pub(crate) fn kb_text_or(lang: Lang, key: &str, en: &str, it: &str, args: &[(&str, &str)]) -> String {
    let from_kb = kb_text(lang, key, args);
    if from_kb != key {
        return from_kb;
    }
    let mut text = match lang {
        Lang::En => en,
        Lang::It => it,
    }
    .to_owned();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}
