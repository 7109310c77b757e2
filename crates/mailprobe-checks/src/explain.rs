//! `explain`: anything a person can paste — a server reply, a bare code (`5.7.60`, `4af4`), a
//! 334 challenge, a library's error message, a few log lines — read into evidence by
//! `mailprobe-logs` and diagnosed by the same knowledge base as a live probe. No network.

use mailprobe_kb::KnowledgeBase;
use mailprobe_logs::Options;
use mailprobe_logs::paste::{self, MAX_INPUT_BYTES};
use mailprobe_proto::Stage;
use mailprobe_report::ExplainReport;

use crate::{CheckEnv, CheckError, invalid};

/// What to explain.
#[derive(Clone, Debug, Default)]
pub struct ExplainRequest {
    /// The text as pasted (bytes: it need not be UTF-8). Only the first
    /// [`MAX_INPUT_BYTES`] + 1 bytes matter: the reader notes that the rest was cut.
    pub text: Vec<u8>,
    /// Provider id (gmail, m365, outlook); `None` guesses it from host names and reply texts.
    pub provider: Option<String>,
    /// The stage the evidence belongs to when the text does not show the command it answered.
    pub stage: Option<Stage>,
}

/// The most bytes of a paste that are read (one more tells that it was cut).
pub const MAX_TEXT_BYTES: usize = MAX_INPUT_BYTES;

/// Reads the paste and diagnoses it.
pub fn explain(request: &ExplainRequest, env: &CheckEnv) -> Result<ExplainReport, CheckError> {
    let provider = match request.provider.as_deref().map(str::trim) {
        None | Some("" | "auto") => None,
        Some(id) => Some(crate::provider::named(id)?.id),
    };
    let cap = request.text.len().min(MAX_INPUT_BYTES + 1);
    let pasted = paste::parse(&request.text[..cap], &Options { stage: request.stage, ..Options::default() });
    if pasted.blank {
        return invalid(
            "nothing to explain: the text is empty. Give the error as words (mailprobe explain 535 5.7.8 ...) \
             or pipe it in with -",
        );
    }
    let lang = env.lang;
    let context = pasted.context(provider);
    let mut transcripts = pasted.transcripts.clone();
    // A paste seldom names the server; the texts then speak of "the server".
    for t in &mut transcripts {
        if t.endpoint.host.is_empty() {
            t.endpoint.host = ExplainReport::the_server(lang);
        }
    }
    let findings = KnowledgeBase::builtin().diagnose(&context, &transcripts, lang);
    Ok(ExplainReport { provider: context.provider, pasted, stage: request.stage, findings, lang })
}
