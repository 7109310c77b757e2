//! Server-side logs: a mail server's record of every client session, stitched back together.

use super::client::DialogueParser;
use super::{LogFormat, SessionParser};

/// Recognises a mail server's log from its first bytes.
pub fn detect(_head: &[u8]) -> Option<LogFormat> {
    None
}

/// A parser for a server-side `format`.
pub fn parser_for(format: LogFormat) -> Box<dyn SessionParser> {
    Box::new(DialogueParser::new(format))
}
