//! `--format json`: one JSON document on stdout, whatever happens.

use serde::Serialize;

use crate::report::Tool;

/// Prints a value as pretty JSON with a final newline.
pub fn print<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => println!("{s}"),
        // Serialising our own types cannot fail short of a bug; still print valid JSON.
        Err(e) => println!("{{\"error\":{}}}", serde_json::Value::String(e.to_string())),
    }
}

/// The document printed for bad usage or bad input (exit status 2).
#[derive(Serialize)]
pub struct ErrorDocument {
    /// What made it.
    pub tool: Tool,
    /// Always false.
    pub ok: bool,
    /// The error, in words.
    pub error: String,
    /// No findings: the run did not get that far.
    pub findings: [(); 0],
}

impl ErrorDocument {
    /// A usage or input error.
    pub fn new(error: String) -> Self {
        Self { tool: Tool::this(), ok: false, error, findings: [] }
    }
}
