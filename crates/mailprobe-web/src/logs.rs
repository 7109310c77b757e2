//! "Read a log": an uploaded client or server log (plain or gzip'd) read into sessions by
//! `mailprobe-logs`, each diagnosed by the knowledge base as a live probe is, then counted by
//! finding, with the failed sessions listed.

use std::collections::HashMap;
use std::io::Read as _;

use axum::body::Bytes;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_logs::analyze::{LogFormat, LogSession, detect, parser_for};
use mailprobe_report::{html, markdown};
use serde::{Deserialize, Serialize};

use crate::api::{bad_request, could_not_run, lang_of};

/// The most a gzip'd upload may grow to: a small bomb must not fill memory.
const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

/// The most failed sessions listed (the counts stay exact).
const LISTED: usize = 100;

/// `?lang=&name=` of an upload.
#[derive(Debug, Deserialize)]
pub(crate) struct UploadQuery {
    #[serde(default)]
    lang: Option<String>,
    /// The file's name, shown in the report.
    #[serde(default)]
    name: Option<String>,
}

/// What a log says: how many sessions, how many failed, why (each finding with how many sessions
/// it explains, most first), and the failed sessions.
#[derive(Debug, Serialize)]
pub(crate) struct LogReport {
    /// The file's name as uploaded.
    pub file: String,
    /// The format read (`postfix`, `swaks`…).
    pub format: &'static str,
    /// Lines read.
    pub lines: u64,
    /// Sessions found.
    pub sessions: usize,
    /// Sessions with an error finding (as `mailprobe analyze` counts them).
    pub failed: usize,
    /// Sessions with a warning finding and no error.
    pub warnings: usize,
    /// The format was not recognised and the log was read as a dialogue.
    pub not_detected: bool,
    /// Each finding once, with the number of sessions it was found in; most sessions first.
    pub findings: Vec<CountedFinding>,
    /// The first failed sessions, in file order.
    pub failed_sessions: Vec<SessionLine>,
}

/// A finding and how many sessions showed it.
#[derive(Debug, Serialize)]
pub(crate) struct CountedFinding {
    /// Sessions it was found in.
    pub count: usize,
    /// The finding as found in the first of them.
    #[serde(flatten)]
    pub finding: Finding,
}

/// One failed session, in a line.
#[derive(Debug, Serialize)]
pub(crate) struct SessionLine {
    /// Its id in the log.
    pub id: String,
    /// Its lines.
    pub first_line: u64,
    /// Its last line.
    pub last_line: u64,
    /// When it started, as the log says.
    pub started: Option<String>,
    /// The client, as the log names it.
    pub client: Option<String>,
    /// The login name used.
    pub user: Option<String>,
    /// Where it stopped: the failed step's summary.
    pub stopped: Option<String>,
    /// The ids of its findings.
    pub findings: Vec<String>,
}

/// `POST /api/analyze?lang=&name=` with the log as the body.
pub(crate) async fn analyze(Query(q): Query<UploadQuery>, body: Bytes) -> Response {
    let lang = lang_of(q.lang.as_deref());
    let file = q.name.unwrap_or_else(|| "log".into());
    if body.is_empty() {
        return bad_request("the file is empty");
    }
    // Reading and diagnosing a big log is CPU work: off the threads that serve requests.
    let job = tokio::task::spawn_blocking(move || read_log(&file, &body, lang));
    match job.await {
        Ok(Ok(report)) => {
            let (markdown, document) = (report.markdown(lang), report.document(lang));
            let summary = report.summary(lang);
            axum::Json(serde_json::json!({
                "report": report, "summary": summary, "markdown": markdown, "document": document,
            }))
            .into_response()
        }
        Ok(Err(message)) => could_not_run(message),
        Err(_) => could_not_run("reading the log failed"),
    }
}

/// Reads and diagnoses a whole log held in memory.
pub(crate) fn read_log(file: &str, bytes: &[u8], lang: Lang) -> Result<LogReport, String> {
    let unpacked;
    let text: &[u8] = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let mut reader = flate2::read::MultiGzDecoder::new(bytes).take(MAX_UNPACKED_BYTES + 1);
        reader.read_to_end(&mut out).map_err(|e| format!("{file}: not a readable gzip file ({e})"))?;
        if out.len() as u64 > MAX_UNPACKED_BYTES {
            return Err(format!("{file}: unpacks to more than {} MiB", MAX_UNPACKED_BYTES >> 20));
        }
        unpacked = out;
        &unpacked
    } else {
        bytes
    };
    let detected = detect(text);
    let format = detected.unwrap_or(LogFormat::Dialogue);
    let mut parser = parser_for(format);
    let mut sessions: Vec<LogSession> = Vec::new();
    let mut lines = 0u64;
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        lines = i as u64 + 1;
        parser.line(lines, line, &mut sessions);
    }
    parser.finish(&mut sessions);
    if sessions.is_empty() {
        return Err(format!(
            "{file}: no mail session found in {lines} lines (format read as {})",
            format.name()
        ));
    }
    let kb = KnowledgeBase::builtin();
    let mut counted: Vec<CountedFinding> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let (mut failed, mut warnings, mut failed_sessions) = (0, 0, Vec::new());
    sessions.sort_by_key(|s| s.meta.first_line);
    for session in &mut sessions {
        session.materialize();
        let provider = session.meta.provider.clone();
        let context = session.context(provider.as_deref());
        let findings = kb.diagnose(&context, std::slice::from_ref(&session.transcript), lang);
        let step = session.failed_step();
        let is_failed = findings.iter().any(Finding::is_error);
        if !is_failed && findings.iter().any(|f| f.severity == Severity::Warning) {
            warnings += 1;
        }
        for f in &findings {
            match index.get(&f.id) {
                Some(&i) => counted[i].count += 1,
                None => {
                    index.insert(f.id.clone(), counted.len());
                    counted.push(CountedFinding { count: 1, finding: f.clone() });
                }
            }
        }
        if is_failed {
            failed += 1;
            if failed_sessions.len() < LISTED {
                let m = &session.meta;
                failed_sessions.push(SessionLine {
                    id: m.id.clone(),
                    first_line: m.first_line,
                    last_line: m.last_line,
                    started: m.started.clone(),
                    client: m.client.clone(),
                    user: m.user.clone(),
                    stopped: step.map(|s| s.summary),
                    findings: findings.iter().map(|f| f.id.clone()).collect(),
                });
            }
        }
    }
    // Most sessions first; the knowledge base's order among equals.
    counted.sort_by_key(|c| std::cmp::Reverse(c.count));
    Ok(LogReport {
        file: file.to_owned(),
        format: format.name(),
        lines,
        sessions: sessions.len(),
        failed,
        warnings,
        not_detected: detected.is_none(),
        findings: counted,
        failed_sessions,
    })
}

impl LogReport {
    /// The two summary lines `mailprobe analyze` prints: the input, then the sessions.
    pub(crate) fn summary(&self, lang: Lang) -> Vec<String> {
        let kb = KnowledgeBase::builtin();
        let (lines, sessions) = (self.lines.to_string(), self.sessions.to_string());
        let (failed, warnings) = (self.failed.to_string(), self.warnings.to_string());
        let mut out = vec![kb.text(
            lang,
            "analyze-input",
            &[("file", &self.file), ("format", self.format), ("lines", &lines), ("sessions", &sessions)],
        )];
        if self.not_detected {
            out.push(kb.text(lang, "analyze-input-not-detected", &[]));
        }
        out.push(kb.text(
            lang,
            "analyze-summary-sessions",
            &[("total", &sessions), ("failed", &failed), ("warnings", &warnings)],
        ));
        out
    }

    fn findings(&self) -> Vec<Finding> {
        self.findings.iter().map(|c| c.finding.clone()).collect()
    }

    /// For a ticket: the summary and the findings, with the report library's Markdown.
    pub(crate) fn markdown(&self, lang: Lang) -> String {
        let kb = KnowledgeBase::builtin();
        let mut out = format!("# {}\n\n", markdown::text(&kb.text(lang, "analyze-html-title", &[])));
        for line in self.summary(lang) {
            out.push_str(&format!("{}\n\n", markdown::text(&line)));
        }
        for c in &self.findings {
            out.push_str(&format!("- {} × {}\n", c.count, markdown::code(&c.finding.id)));
        }
        out.push('\n');
        markdown::findings(&mut out, &self.findings(), lang);
        out
    }

    /// A self-contained HTML page, in the report library's frame and markup.
    pub(crate) fn document(&self, lang: Lang) -> String {
        let kb = KnowledgeBase::builtin();
        let title = kb.text(lang, "analyze-html-title", &[]);
        let mut body = format!("<h1>{}</h1>\n", html::escape(&title));
        for line in self.summary(lang) {
            body.push_str(&format!("<p>{}</p>\n", html::escape(&line)));
        }
        body.push_str(&format!(
            "<h2>{}</h2>\n<table>\n",
            html::escape(&kb.text(lang, "analyze-by-finding", &[]))
        ));
        for c in &self.findings {
            body.push_str(&format!(
                "<tr><td class=\"num\">{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                c.count,
                html::escape(&c.finding.id),
                html::escape(&c.finding.title)
            ));
        }
        body.push_str("</table>\n");
        html::findings(&mut body, &self.findings(), lang);
        html::page(lang, &title, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POSTFIX_LOG: &[u8] = include_bytes!("../../mailprobe-logs/tests/samples/server/postfix.log");

    /// The same counts as `mailprobe analyze` on the same log (crates/mailprobe/tests/analyze_cli.rs).
    #[test]
    fn a_postfix_log_is_counted_as_analyze_counts_it() {
        let r = read_log("mail.log", POSTFIX_LOG, Lang::En).unwrap();
        assert_eq!((r.format, r.lines, r.sessions, r.failed), ("postfix", 45, 11, 7), "{r:#?}");
        let rejected = r.findings.iter().find(|c| c.finding.id == "auth.credentials_rejected").unwrap();
        assert_eq!(rejected.count, 3);
        assert!(
            r.summary(Lang::En)[0].contains("postfix, 45 lines, 11 sessions"),
            "{:?}",
            r.summary(Lang::En)
        );
        assert!(r.summary(Lang::It)[1].contains("11 sessioni: 7 non riuscite"), "{:?}", r.summary(Lang::It));
        assert!(r.markdown(Lang::En).contains("auth.credentials_rejected"));
        assert!(r.document(Lang::En).starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn gzip_and_garbage() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(POSTFIX_LOG).unwrap();
        let r = read_log("mail.log.gz", &gz.finish().unwrap(), Lang::En).unwrap();
        assert_eq!(r.sessions, 11);
        let e = read_log("x.gz", &[0x1f, 0x8b, 0, 1, 2], Lang::En).unwrap_err();
        assert!(e.contains("gzip"), "{e}");
        assert!(read_log("empty", b"\n\n", Lang::En).is_err());
    }
}
