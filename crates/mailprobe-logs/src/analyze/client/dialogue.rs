//! Any dialogue `mailprobe explain` understands, read as one session.

use mailprobe_proto::EvidenceSource;

use crate::analyze::{LogFormat, LogSession, SessionMeta, SessionParser};
use crate::paste::{self, MAX_INPUT_BYTES};

/// Collects lines (up to the paste reader's byte limit) and reads them as one paste at the end.
pub struct DialogueParser {
    format: LogFormat,
    text: Vec<u8>,
    first_line: u64,
    last_line: u64,
}

impl DialogueParser {
    /// A parser that labels its sessions with `format`.
    pub fn new(format: LogFormat) -> Self {
        Self { format, text: Vec::new(), first_line: 0, last_line: 0 }
    }
}

impl SessionParser for DialogueParser {
    fn line(&mut self, number: u64, line: &[u8], _out: &mut Vec<LogSession>) {
        if self.first_line == 0 {
            self.first_line = number;
        }
        self.last_line = number;
        // The paste reader reads no more than this anyway; keeping more would only cost memory.
        if self.text.len() + line.len() < MAX_INPUT_BYTES {
            self.text.extend_from_slice(line);
            self.text.push(b'\n');
        }
    }

    fn finish(&mut self, out: &mut Vec<LogSession>) {
        let pasted = paste::parse(
            &std::mem::take(&mut self.text),
            &paste::Options { skip_prose: true, ..paste::Options::default() },
        );
        let context = pasted.context(None);
        let server = (!context.host.is_empty()).then(|| match context.port {
            0 => context.host.clone(),
            port => format!("{}:{port}", context.host),
        });
        debug_assert_eq!(context.evidence, EvidenceSource::Pasted);
        for (n, transcript) in pasted.transcripts.into_iter().enumerate() {
            let meta = SessionMeta {
                id: format!("session {}", n + 1),
                server: server.clone(),
                first_line: self.first_line,
                last_line: self.last_line,
                ..SessionMeta::default()
            };
            out.push(LogSession::new(self.format, meta, transcript));
        }
    }
}
