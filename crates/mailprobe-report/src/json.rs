//! `--format json`: one JSON document on stdout, whatever happens.
//!
//! Pretty JSON as `serde_json` writes it, but for DEL (U+007F) and the C1 controls
//! (U+0080–U+009F), written as `\u007f`..`\u009f` instead of raw: `serde_json` escapes only the
//! C0 controls, and a terminal showing the document may act on a raw C1 `CSI` (issue 17,
//! item 5). The strings read back the same.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::Tool;

/// Prints a value as pretty JSON with a final newline. A reader that went away (`| head`) is
/// not an error of ours.
pub fn print<T: Serialize + ?Sized>(value: &T) {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match write(&mut out, value) {
        Ok(()) => {}
        Err(e) if e.is_io() => return,
        // Serialising our own types cannot fail short of a bug; still print valid JSON.
        Err(e) => {
            let _ = writeln!(out, "{{\"error\":{}}}", serde_json::Value::String(e.to_string()));
        }
    }
    let _ = out.flush();
}

/// Writes a value as pretty JSON with a final newline.
pub fn write<W: Write + ?Sized, T: Serialize + ?Sized>(out: &mut W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, Safe::default());
    value.serialize(&mut ser)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

/// A value as pretty JSON (no final newline), as [`write`] writes it.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Safe::default());
    value.serialize(&mut ser)?;
    // the formatter writes only UTF-8 and ASCII escapes
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// serde_json's pretty formatter, DEL and C1 controls escaped too.
#[derive(Default)]
struct Safe(PrettyFormatter<'static>);

impl Formatter for Safe {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.find(|c: char| ('\u{7f}'..='\u{9f}').contains(&c)) {
            w.write_all(&rest.as_bytes()[..i])?;
            let c = rest[i..].chars().next().unwrap_or_default();
            write!(w, "\\u{:04x}", u32::from(c))?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::to_string;

    /// Issue 17 item 5: serde_json writes DEL and C1 controls raw; here they are escaped, and
    /// the document reads back the same.
    #[test]
    fn del_and_c1_are_escaped_and_read_back_the_same() {
        let value = json!({ "reply\u{9b}": ["220 \u{1b}]0;t\u{7}\u{9b}2J\u{7f}\u{85}ok è✓", 1, null] });
        let text = to_string(&value).unwrap();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
        assert!(text.contains("\\u001b]0;t\\u0007\\u009b2J\\u007f\\u0085ok è✓"), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
        // without them, byte for byte what serde_json writes
        let plain = json!({ "a": [1, "b\tc\n", {"d": []}, {}], "e": "x\u{1b}y" });
        assert_eq!(to_string(&plain).unwrap(), serde_json::to_string_pretty(&plain).unwrap());
    }
}
