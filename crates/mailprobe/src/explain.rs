//! `mailprobe explain`: anything a person can paste — a server reply, a bare code (`5.7.60`,
//! `4af4`), a 334 challenge, a library's error message, a few log lines — read into evidence by
//! `mailprobe-logs` and diagnosed by the same knowledge base as a live probe.

use std::io::{IsTerminal, Read, Write};

use anyhow::{Context as _, bail};
use clap::Args;
use mailprobe_kb::{Finding, KnowledgeBase, Lang, Severity};
use mailprobe_logs::paste::{self, MAX_INPUT_BYTES};
use mailprobe_logs::{EvidenceKind, Hints, Note, Options, Pasted, Understood};
use mailprobe_proto::Stage;
use serde::Serialize;

use crate::cli::{Format, GlobalArgs};
use crate::provider;
use crate::render::safe::safe;
use crate::render::text;
use crate::report::Tool;

/// `mailprobe explain` flags.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Provider (gmail, m365, outlook); `auto` guesses it from host names and reply texts in
    /// what was pasted.
    #[arg(long, default_value = "auto")]
    pub provider: String,
    /// The session stage the evidence belongs to when the text does not show the command it
    /// answered (resolve, connect, tls, banner, ehlo, auth, mail_from, rcpt_to, data).
    #[arg(long, value_name = "STAGE", value_parser = parse_stage)]
    pub stage: Option<Stage>,
    /// What to explain, as words joined by spaces; `-` (or nothing, from a pipe) reads standard
    /// input. Put `--` before text that starts with `-` (`-- "-> EHLO"`).
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,
}

fn parse_stage(s: &str) -> Result<Stage, String> {
    let name = s.trim().to_ascii_lowercase().replace('-', "_");
    serde_json::from_value::<Stage>(serde_json::Value::String(name)).map_err(|_| {
        format!(
            "{s:?} is not a stage; stages: resolve, connect, tls, banner, ehlo, auth, mail_from, rcpt_to, \
             data, capability, quit, unknown"
        )
    })
}

/// Runs `explain`: 0 when no error finding results (or nothing was recognised), 1 when one does.
pub async fn run(args: &ExplainArgs, global: &GlobalArgs) -> anyhow::Result<u8> {
    let provider = match args.provider.trim() {
        "" | "auto" => None,
        id => Some(provider::by_id(id).map(|p| p.id).with_context(|| {
            let known = provider::PROVIDERS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ");
            format!("unknown provider {id:?}; known: auto, {known}")
        })?),
    };
    let input = read_input(&args.text)?;
    let pasted = paste::parse(&input, &Options { stage: args.stage, ..Options::default() });
    if pasted.blank {
        bail!(
            "nothing to explain: the text is empty. Give the error as words (mailprobe explain 535 5.7.8 ...) \
             or pipe it in with -"
        );
    }
    let lang = crate::lang(global);
    let context = pasted.context(provider);
    let mut transcripts = pasted.transcripts.clone();
    // A paste seldom names the server; the texts then speak of "the server".
    for t in &mut transcripts {
        if t.endpoint.host.is_empty() {
            t.endpoint.host = say(lang, Key::TheServer, &[]);
        }
    }
    let findings = KnowledgeBase::builtin().diagnose(&context, &transcripts, lang);
    let problem = findings.iter().any(|f| f.severity == Severity::Error);
    let output = match global.format {
        Format::Json => {
            let document = Document::new(args, &pasted, context.provider.as_deref(), &findings, lang);
            crate::render::json::to_string(&document).context("cannot write the JSON report")? + "\n"
        }
        // Markdown is refused before any command runs (Cli::check_format).
        Format::Text | Format::Markdown | Format::Html => {
            render_text(&pasted, context.provider.as_deref(), &findings, global, lang)
        }
    };
    // A reader that stops early (`| head`) is not an error of ours.
    let _ = std::io::stdout().lock().write_all(output.as_bytes());
    Ok(u8::from(problem))
}

/// The text to explain: the words given, or standard input (bounded).
fn read_input(words: &[String]) -> anyhow::Result<Vec<u8>> {
    let from_stdin = match words {
        [dash] if dash == "-" => true,
        [] if !std::io::stdin().is_terminal() => true,
        [] => bail!(
            "nothing to explain: give the text (mailprobe explain 535 5.7.8 Username and Password not accepted) \
             or - to read it from standard input"
        ),
        _ => false,
    };
    if !from_stdin {
        return Ok(words.join(" ").into_bytes());
    }
    let mut buf = Vec::new();
    // One byte more than is read, so that the reader can say the input was cut.
    std::io::stdin()
        .lock()
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .context("cannot read standard input")?;
    Ok(buf)
}

fn render_text(
    pasted: &Pasted,
    provider: Option<&str>,
    findings: &[Finding],
    global: &GlobalArgs,
    lang: Lang,
) -> String {
    let style = crate::style(global);
    let mut out = String::new();
    if !global.quiet {
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
        out.push_str(&text::render_findings_only(findings, &style));
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
    fn new(
        args: &ExplainArgs,
        pasted: &'a Pasted,
        provider: Option<&'a str>,
        findings: &'a [Finding],
        lang: Lang,
    ) -> Self {
        let recognised = pasted.recognised() || !findings.is_empty();
        Self {
            tool: Tool::this(),
            input: InputDocument {
                bytes: pasted.bytes,
                lines: pasted.lines,
                truncated: pasted.truncated,
                stage: args.stage,
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
    let from_kb = KnowledgeBase::builtin().text(lang, id, args);
    if from_kb != id {
        return from_kb;
    }
    let mut text = match lang {
        Lang::En => en,
        Lang::It => it,
    }
    .to_owned();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_parse() {
        assert_eq!(parse_stage("auth"), Ok(Stage::Auth));
        assert_eq!(parse_stage("MAIL-FROM"), Ok(Stage::MailFrom));
        assert!(parse_stage("login").is_err());
    }

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
