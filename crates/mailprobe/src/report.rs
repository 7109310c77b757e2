//! The report: everything one run found, in the shape `--format json` prints.

use mailprobe_kb::{Finding, Severity};
use mailprobe_proto::{Context, Step, Transcript};
use serde::Serialize;

/// The tool's name and version, so a saved report says what made it.
#[derive(Debug, Serialize)]
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

/// One transcript with the steps derived from it.
#[derive(Debug, Serialize)]
pub struct TranscriptReport {
    /// The stages and their outcomes.
    pub steps: Vec<Step>,
    /// The evidence itself.
    #[serde(flatten)]
    pub transcript: Transcript,
}

/// A whole `diagnose` (or demo scenario) report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// What made it.
    pub tool: Tool,
    /// The demo scenario, when this report is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// What was asked.
    pub context: Context,
    /// True when the path works: every primary step succeeded and no error finding.
    pub ok: bool,
    /// Each connection recorded.
    pub transcripts: Vec<TranscriptReport>,
    /// What is wrong and how to fix it, most likely cause first.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Builds the report and decides whether the path works.
    pub fn new(context: Context, transcripts: Vec<Transcript>, findings: Vec<Finding>) -> Self {
        let primaries_ok = transcripts
            .iter()
            .filter(|t| t.role == mailprobe_proto::Role::Primary)
            .all(Transcript::succeeded);
        let ok = primaries_ok && !findings.iter().any(|f| f.severity == Severity::Error);
        let transcripts =
            transcripts.into_iter().map(|t| TranscriptReport { steps: t.steps(), transcript: t }).collect();
        Self { tool: Tool::this(), scenario: None, context, ok, transcripts, findings }
    }

    /// The exit status DESIGN.md promises: 0 works, 1 a problem was found.
    pub fn exit_code(&self) -> u8 {
        if self.ok { 0 } else { 1 }
    }
}
