//! Client-side logs: a sending program's record of its own session(s).

mod dialogue;

use super::{LogFormat, SessionParser};

pub use dialogue::DialogueParser;

/// Recognises a client program's log from its first bytes.
pub fn detect(_head: &[u8]) -> Option<LogFormat> {
    None
}

/// A parser for a client-side `format`.
pub fn parser_for(format: LogFormat) -> Box<dyn SessionParser> {
    // Formats without a parser of their own are read as a dialogue.
    Box::new(DialogueParser::new(format))
}
