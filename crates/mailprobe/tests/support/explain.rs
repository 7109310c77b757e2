//! A paste read as `mailprobe explain` reads it (no `--provider`), for the tests that replay
//! real evidence: the real-world corpus and the providers' reference tables.

use mailprobe_kb::{Finding, KnowledgeBase, Lang};
use mailprobe_logs::paste::{self, Options};

/// The findings `mailprobe explain` gives for a paste.
pub fn explain(evidence: &str) -> Vec<Finding> {
    let pasted = paste::parse(evidence.as_bytes(), &Options::default());
    let context = pasted.context(None);
    KnowledgeBase::builtin().diagnose(&context, &pasted.transcripts, Lang::En)
}

/// The finding named first: under `ambiguous`, the first candidate it ranks.
pub fn first_named(findings: &[Finding]) -> Option<&str> {
    match findings {
        [a, b, ..] if a.id == "ambiguous" => Some(b.id.as_str()),
        [a, ..] => Some(a.id.as_str()),
        [] => None,
    }
}
