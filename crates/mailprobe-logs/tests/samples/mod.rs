//! Shared by the format tests: read a sample the way `mailprobe analyze` does (detect, parse
//! line by line, diagnose each session with the knowledge base) into plain values to assert on.
#![allow(dead_code)]

use mailprobe_kb::{KnowledgeBase, Lang};
use mailprobe_logs::analyze::{self, LogFormat, LogSession};
use mailprobe_proto::EventKind;

/// A sample file under tests/samples/ (`server/postfix.log`).
pub fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A session as the tests see it.
#[derive(Debug)]
pub struct Session {
    pub id: String,
    pub client_ip: Option<String>,
    pub user: Option<String>,
    pub incomplete: bool,
    /// The first failed step: stage and its summary.
    pub failed: Option<(String, String)>,
    /// The kb's finding ids, most likely first.
    pub findings: Vec<String>,
    /// The transcript as `C:`/`S:` lines and events, for messages and secret checks.
    pub dialogue: String,
    pub session: LogSession,
}

/// What a sample gave.
pub struct Read {
    pub format: LogFormat,
    pub sessions: Vec<Session>,
}

/// Detects (or takes `format`), parses and diagnoses `bytes`.
pub fn read(bytes: &[u8], format: Option<LogFormat>) -> Read {
    let format = format.unwrap_or_else(|| analyze::detect(bytes).unwrap_or(LogFormat::Dialogue));
    let mut parser = analyze::parser_for(format);
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        parser.line(i as u64 + 1, line, &mut out);
    }
    parser.finish(&mut out);
    let kb = KnowledgeBase::builtin();
    let sessions = out
        .into_iter()
        .map(|s| {
            let findings = kb.diagnose(&s.context(None), std::slice::from_ref(&s.transcript), Lang::En);
            Session {
                id: s.meta.id.clone(),
                client_ip: s.meta.client_ip.map(|ip| ip.to_string()),
                user: s.meta.user.clone(),
                incomplete: s.meta.incomplete,
                failed: s.failed_step().map(|st| (st.stage.as_str().to_owned(), st.summary)),
                findings: findings.iter().map(|f| f.id.clone()).collect(),
                dialogue: dialogue(&s),
                session: s,
            }
        })
        .collect();
    Read { format, sessions }
}

fn dialogue(s: &LogSession) -> String {
    let mut out = String::new();
    for e in &s.transcript.events {
        let line = match &e.kind {
            EventKind::Sent { line } => format!("C: {line}"),
            EventKind::Received { reply } => format!("S: {} {}", reply.code, reply.lines.join(" / ")),
            other => format!("   {}: {other:?}", e.stage.as_str()),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}
