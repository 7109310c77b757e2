//! The `explain` report: what was understood in a paste (a server reply, a bare code, a 334
//! challenge, a library's error message, a few log lines) and the knowledge base's findings.

use mailprobe_kb::{Finding, Lang, Severity};
use mailprobe_logs::{EvidenceKind, Hints, Note, Pasted, Understood};
use mailprobe_proto::Stage;
use serde::{Serialize, Serializer};

use crate::Tool;
use crate::safe::safe;
use crate::text::Style;

/// An `explain` run: the paste as read, and what it means. Serialises as `--format json` prints
/// it: `tool`, `input` (what was understood), `ok`, `findings`.
#[derive(Debug)]
pub struct ExplainReport {
    /// The paste as `mailprobe-logs` read it.
    pub pasted: Pasted,
    /// The provider the diagnosis used (given, else guessed from the text).
    pub provider: Option<String>,
    /// The stage the caller said the evidence belongs to (`--stage`).
    pub stage: Option<Stage>,
    /// What it means, most likely cause first.
    pub findings: Vec<Finding>,
    /// The language the findings are in (and the JSON's suggestion).
    pub lang: Lang,
}

impl ExplainReport {
    /// True when no finding is an error.
    pub fn ok(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The exit status: 0 when no error finding results (or nothing was recognised), 1 when one
    /// does.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.ok())
    }

    /// True when anything was recognised as evidence, or a known phrase matched.
    pub fn recognised(&self) -> bool {
        self.pasted.recognised() || !self.findings.is_empty()
    }

    /// What was understood, one line per piece of evidence, in the report's language.
    pub fn understood(&self) -> Vec<String> {
        self.pasted.understood.iter().map(|u| describe(u, self.lang)).collect()
    }

    /// Notes on how the paste was read (cut, not UTF-8...), in the report's language.
    pub fn notes(&self) -> Vec<String> {
        self.pasted.notes.iter().map(|n| describe_note(n, self.lang)).collect()
    }

    /// What to paste instead, when nothing was recognised.
    pub fn suggestion(&self) -> Option<String> {
        (!self.recognised()).then(|| say(self.lang, Key::Suggestion, &[]))
    }

    /// The sentence shown instead of findings when there are none.
    pub fn no_findings_sentence(&self) -> Option<String> {
        if !self.findings.is_empty() {
            return None;
        }
        Some(if !self.pasted.recognised() {
            say(self.lang, Key::NothingRecognised, &[])
        } else if self.pasted.understood.iter().any(is_failure) {
            say(self.lang, Key::NoExplanation, &[])
        } else {
            say(self.lang, Key::NoFailure, &[])
        })
    }

    /// "the server", for a paste that names none.
    pub fn the_server(lang: Lang) -> String {
        say(lang, Key::TheServer, &[])
    }
}

impl Serialize for ExplainReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Document::new(self).serialize(serializer)
    }
}

/// The text report: what was understood in the paste, then the findings (or why there are
/// none).
pub fn text(report: &ExplainReport, style: &Style) -> String {
    let (pasted, provider, findings, lang) =
        (&report.pasted, report.provider.as_deref(), &report.findings[..], style.lang);
    let mut out = String::new();
    if !style.quiet {
        let understood = say(lang, Key::Understood, &[]);
        for u in &pasted.understood {
            // the pasted text it quotes may hold terminal control sequences
            out.push_str(&format!("{understood}: {}\n", safe(describe(u, lang))));
        }
        if pasted.commands > 0 {
            let (c, r) = (pasted.commands.to_string(), pasted.replies.to_string());
            out.push_str(&format!(
                "{understood}: {}\n",
                say(lang, Key::Dialogue, &[("commands", &c), ("replies", &r)])
            ));
        }
        if let (Some(p), Some(from)) = (&pasted.hints.provider, &pasted.hints.provider_from)
            && provider == Some(p.as_str())
        {
            out.push_str(&format!(
                "{understood}: {}\n",
                safe(say(lang, Key::ProviderFrom, &[("provider", p), ("from", from)]))
            ));
        }
        for note in &pasted.notes {
            out.push_str(&format!("{}: {}\n", say(lang, Key::Note, &[]), describe_note(note, lang)));
        }
        if !out.is_empty() {
            out.push('\n');
        }
    }
    // Text no reader recognised can still hold a known phrase ("Relaying denied"): then the
    // findings say what it means.
    if !pasted.recognised() && findings.is_empty() {
        out.push_str(&say(lang, Key::NothingRecognised, &[]));
        out.push('\n');
        out.push_str(&say(lang, Key::Suggestion, &[]));
        out.push('\n');
    } else if findings.is_empty() {
        let failed = pasted.understood.iter().any(is_failure);
        out.push_str(&say(lang, if failed { Key::NoExplanation } else { Key::NoFailure }, &[]));
        out.push('\n');
    } else {
        out.push_str(&crate::text::render_findings_only(findings, style));
    }
    out
}

/// True for evidence of something that went wrong (a 4xx/5xx reply, any failure event).
fn is_failure(u: &Understood) -> bool {
    match u.kind {
        EvidenceKind::Reply => u.code.is_some_and(|c| c >= 400),
        _ => true,
    }
}

/// One piece of evidence in a line: "reply 535 5.7.8 at auth (from python-smtplib)".
fn describe(u: &Understood, lang: Lang) -> String {
    let class = u.class.as_deref().unwrap_or("");
    let mut what = match u.kind {
        EvidenceKind::Reply => {
            let mut code = u.code.map(|c| c.to_string()).unwrap_or_default();
            if let Some(e) = u.enhanced {
                code.push(' ');
                code.push_str(&e.to_string());
            }
            let mut s = say(lang, Key::Reply, &[("code", &code)]);
            if u.inferred {
                s.push(' ');
                s.push_str(&say(lang, Key::Inferred, &[]));
            }
            s
        }
        EvidenceKind::ImapReply => say(lang, Key::ImapReply, &[("text", &short(&u.text, 60))]),
        EvidenceKind::TlsFailed => say(lang, Key::TlsFailed, &[("class", class)]),
        EvidenceKind::ConnectFailed => say(lang, Key::ConnectFailed, &[("class", class)]),
        EvidenceKind::ResolveFailed => say(lang, Key::ResolveFailed, &[("class", class)]),
        EvidenceKind::TimedOut => say(lang, Key::TimedOut, &[("text", &u.text)]),
        EvidenceKind::Closed => say(lang, Key::Closed, &[("class", class)]),
        EvidenceKind::ClientError => match &u.class {
            Some(code) => say(lang, Key::ClientErrorCode, &[("code", code)]),
            None => say(lang, Key::ClientError, &[("text", &short(&u.text, 80))]),
        },
    };
    what.push(' ');
    what.push_str(&if u.stage == Stage::Unknown {
        say(lang, Key::StageUnknown, &[])
    } else {
        say(lang, Key::AtStage, &[("stage", u.stage.as_str())])
    });
    if let Some(p) = &u.program {
        what.push(' ');
        what.push_str(&say(lang, Key::FromProgram, &[("program", p)]));
    }
    what
}

fn describe_note(note: &Note, lang: Lang) -> String {
    match *note {
        Note::InputCut { bytes_read } => say(lang, Key::NoteInputCut, &[("bytes", &bytes_read.to_string())]),
        Note::LinesCut { lines_read } => say(lang, Key::NoteLinesCut, &[("lines", &lines_read.to_string())]),
        Note::LongLinesCut { count, max_chars } => {
            say(lang, Key::NoteLongLines, &[("count", &count.to_string()), ("chars", &max_chars.to_string())])
        }
        Note::NotUtf8 => say(lang, Key::NoteNotUtf8, &[]),
        Note::EvidenceCut { kept, dropped } => {
            say(lang, Key::NoteEvidenceCut, &[("kept", &kept.to_string()), ("dropped", &dropped.to_string())])
        }
    }
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() > max { text.chars().take(max).chain(['…']).collect() } else { text.to_owned() }
}

/// `--format json`: what was understood, then the findings, most likely first.
#[derive(Serialize)]
struct Document<'a> {
    tool: Tool,
    input: InputDocument<'a>,
    /// No error finding.
    ok: bool,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct InputDocument<'a> {
    bytes: usize,
    lines: usize,
    truncated: bool,
    /// `--stage`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<Stage>,
    /// The provider the diagnosis used (from `--provider`, else from the text).
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<&'a str>,
    /// What the text says about the context.
    hints: &'a Hints,
    /// Anything was recognised as evidence.
    recognised: bool,
    commands: usize,
    replies: usize,
    evidence: &'a [Understood],
    notes: &'a [Note],
    /// What to paste instead, when nothing was recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    suggestion: Option<String>,
}

impl<'a> Document<'a> {
    fn new(r: &'a ExplainReport) -> Self {
        let (pasted, provider, findings, lang) = (&r.pasted, r.provider.as_deref(), &r.findings[..], r.lang);
        let recognised = pasted.recognised() || !findings.is_empty();
        Self {
            tool: Tool::this(),
            input: InputDocument {
                bytes: pasted.bytes,
                lines: pasted.lines,
                truncated: pasted.truncated,
                stage: r.stage,
                provider,
                hints: &pasted.hints,
                recognised,
                commands: pasted.commands,
                replies: pasted.replies,
                evidence: &pasted.understood,
                notes: &pasted.notes,
                suggestion: (!recognised).then(|| say(lang, Key::Suggestion, &[])),
            },
            ok: !findings.iter().any(|f| f.severity == Severity::Error),
            findings,
        }
    }
}

/// The words of this command. Looked up in the knowledge base's UI strings first (`ui-explain-*`),
/// so they can move there; these are the texts until they do.
#[derive(Clone, Copy)]
enum Key {
    Understood,
    Reply,
    Inferred,
    ImapReply,
    TlsFailed,
    ConnectFailed,
    ResolveFailed,
    TimedOut,
    Closed,
    ClientError,
    ClientErrorCode,
    AtStage,
    StageUnknown,
    FromProgram,
    ProviderFrom,
    Dialogue,
    Note,
    NoteInputCut,
    NoteLinesCut,
    NoteLongLines,
    NoteNotUtf8,
    NoteEvidenceCut,
    NothingRecognised,
    Suggestion,
    NoFailure,
    NoExplanation,
    TheServer,
}

impl Key {
    /// The UI string id, and the English and Italian texts.
    fn texts(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Understood => ("ui-explain-understood", "understood", "capito"),
            Self::Reply => ("ui-explain-reply", "reply {code}", "risposta {code}"),
            Self::Inferred => {
                ("ui-explain-inferred", "(reply code inferred)", "(codice di risposta dedotto)")
            }
            Self::ImapReply => ("ui-explain-imap-reply", "IMAP reply \"{text}\"", "risposta IMAP \"{text}\""),
            Self::TlsFailed => ("ui-explain-tls-failed", "TLS failure ({class})", "errore TLS ({class})"),
            Self::ConnectFailed => (
                "ui-explain-connect-failed",
                "connection failure ({class})",
                "connessione non riuscita ({class})",
            ),
            Self::ResolveFailed => (
                "ui-explain-resolve-failed",
                "name lookup failure ({class})",
                "risoluzione del nome non riuscita ({class})",
            ),
            Self::TimedOut => {
                ("ui-explain-timed-out", "timeout waiting for a {text}", "tempo scaduto in attesa di: {text}")
            }
            Self::Closed => {
                ("ui-explain-closed", "connection closed ({class})", "connessione chiusa ({class})")
            }
            Self::ClientError => {
                ("ui-explain-client-error", "client error \"{text}\"", "errore del client \"{text}\"")
            }
            Self::ClientErrorCode => {
                ("ui-explain-client-error-code", "client error {code}", "errore del client {code}")
            }
            Self::AtStage => ("ui-explain-at-stage", "at {stage}", "in fase {stage}"),
            Self::StageUnknown => ("ui-explain-stage-unknown", "(stage unknown)", "(fase sconosciuta)"),
            Self::FromProgram => ("ui-explain-from-program", "(from {program})", "(da {program})"),
            Self::ProviderFrom => (
                "ui-explain-provider-from",
                "provider {provider} (from \"{from}\")",
                "provider {provider} (da \"{from}\")",
            ),
            Self::Dialogue => (
                "ui-explain-dialogue",
                "an SMTP dialogue (commands: {commands}, replies: {replies})",
                "un dialogo SMTP (comandi: {commands}, risposte: {replies})",
            ),
            Self::Note => ("ui-explain-note", "note", "nota"),
            Self::NoteInputCut => (
                "ui-explain-note-input-cut",
                "the text is longer than 1 MiB: only its first {bytes} bytes were read",
                "il testo supera 1 MiB: sono stati letti solo i primi {bytes} byte",
            ),
            Self::NoteLinesCut => (
                "ui-explain-note-lines-cut",
                "only the first {lines} lines were read",
                "sono state lette solo le prime {lines} righe",
            ),
            Self::NoteLongLines => (
                "ui-explain-note-long-lines",
                "lines cut at {chars} characters: {count}",
                "righe accorciate a {chars} caratteri: {count}",
            ),
            Self::NoteNotUtf8 => (
                "ui-explain-note-not-utf8",
                "bytes that are not UTF-8 text were replaced with �",
                "i byte che non sono testo UTF-8 sono stati sostituiti con �",
            ),
            Self::NoteEvidenceCut => (
                "ui-explain-note-evidence-cut",
                "only the first {kept} pieces of evidence were kept ({dropped} more left out)",
                "sono stati tenuti solo i primi {kept} elementi ({dropped} tralasciati)",
            ),
            Self::NothingRecognised => (
                "ui-explain-nothing-recognised",
                "Nothing in this text was recognised: it holds no SMTP reply, status code or known error message.",
                "Nel testo non è stato riconosciuto nulla: non contiene una risposta SMTP, un codice di stato o un \
                 messaggio d'errore noto.",
            ),
            Self::Suggestion => (
                "ui-explain-suggestion",
                "Paste the server's reply (for example \"535 5.7.8 Username and Password not accepted\"), a code \
                 (535, 5.7.60, 4af4), the error message your mail program or library shows, or a few lines of its \
                 SMTP log.",
                "Incolla la risposta del server (per esempio \"535 5.7.8 Username and Password not accepted\"), un \
                 codice (535, 5.7.60, 4af4), il messaggio d'errore del programma di posta o della libreria, oppure \
                 alcune righe del suo log SMTP.",
            ),
            Self::NoFailure => (
                "ui-explain-no-failure",
                "Nothing in this evidence failed.",
                "In queste prove non risulta nessun errore.",
            ),
            Self::NoExplanation => (
                "ui-explain-no-explanation",
                "mailprobe read this evidence but has no explanation for it yet: search for the exact message, \
                 or send it to whoever runs the server or the program.",
                "mailprobe ha letto queste prove ma non ha ancora una spiegazione: cerca il messaggio esatto, \
                 oppure invialo a chi gestisce il server o il programma.",
            ),
            Self::TheServer => ("ui-explain-the-server", "the server", "il server"),
        }
    }
}

/// A text of this command in `lang`, with `{name}` filled from `args`.
fn say(lang: Lang, key: Key, args: &[(&str, &str)]) -> String {
    let (id, en, it) = key.texts();
    crate::kb_text_or(lang, id, en, it, args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailprobe_logs::{EvidenceKind, Understood};

    #[test]
    fn every_text_is_filled_in_both_languages() {
        for lang in [Lang::En, Lang::It] {
            let t = say(lang, Key::Dialogue, &[("commands", "3"), ("replies", "4")]);
            assert!(t.contains('3') && t.contains('4') && !t.contains('{'), "{t}");
        }
        let u = Understood {
            kind: EvidenceKind::Reply,
            stage: Stage::Auth,
            program: Some("python-smtplib".into()),
            code: Some(535),
            enhanced: "5.7.8".parse().ok(),
            class: None,
            text: String::new(),
            line: 1,
            inferred: false,
        };
        assert_eq!(describe(&u, Lang::En), "reply 535 5.7.8 at auth (from python-smtplib)");
        assert_eq!(describe(&u, Lang::It), "risposta 535 5.7.8 in fase auth (da python-smtplib)");
    }
}
