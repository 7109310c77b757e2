//! What diagnosis hands back: findings, each with its evidence, causes and fixes.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is. Orders most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The path does not work.
    Error,
    /// The path works, or may, but something is wrong or fragile.
    Warning,
    /// Worth knowing; nothing to fix.
    Info,
}

impl Severity {
    /// The name used in JSON and the data files: `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step that may fix a finding, in the reader's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What to do.
    pub text: String,
    /// Who does it, when it is not whoever runs mailprobe: `outlook-macos`, `outlook-windows`,
    /// `device`, `developer`, `m365-admin`, `google-account`, `network-admin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
}

/// A diagnosis: what went wrong, the evidence for it, why it happens and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id (`auth.credentials_rejected`); reports and scripts key on it.
    pub id: String,
    /// How bad it is.
    pub severity: Severity,
    /// The session stage it belongs to (`auth`, `tls`, `rcpt_to`...).
    pub stage: String,
    /// One line, localized.
    pub title: String,
    /// What happened, localized, with the facts filled in.
    pub summary: String,
    /// The transcript lines that triggered it, verbatim.
    pub evidence: Vec<String>,
    /// Likely causes, localized, most likely first.
    pub causes: Vec<String>,
    /// Fixes, localized, in the order to try them.
    pub fixes: Vec<Fix>,
    /// The facts used in the texts (`host`, `code`, `working_port`...).
    pub params: BTreeMap<String, String>,
}

impl Finding {
    /// True for an error finding (the path does not work).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
