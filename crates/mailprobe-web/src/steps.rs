//! One connection as the page shows it: a heading, then each step as a sentence with its
//! outcome, its time and its part of the transcript (secrets were redacted when recorded).

use mailprobe_kb::Lang;
use mailprobe_proto::{Event, EventKind, Role, Transcript, summarize};
use mailprobe_report::html;
use serde::Serialize;

/// A connection's steps so far (streamed) or in the end (the report).
#[derive(Debug, Serialize)]
pub(crate) struct ConnectionView {
    /// Tells the connections of one run apart while they are streamed.
    pub probe: u64,
    /// `SMTP: smtp.gmail.com:587 (starttls)`, in the page's language.
    pub title: String,
    /// The steps, in order; the last one still running while streamed.
    pub steps: Vec<StepView>,
}

/// One step.
#[derive(Debug, Serialize)]
pub(crate) struct StepView {
    /// The stage's id (`auth`), which findings name too.
    pub stage: &'static str,
    /// `Sign-in: 535 5.7.8 Username and Password not accepted …`.
    pub sentence: String,
    /// The stage succeeded.
    pub ok: bool,
    /// Still waiting for its outcome (only while streamed).
    pub running: bool,
    /// How long it took.
    pub duration_ms: u64,
    /// Its transcript lines: `  120 C: AUTH PLAIN <redacted: PLAIN user=…>`.
    pub lines: Vec<String>,
}

/// Whether a connection shows in the step list: the scan's probes go to the TLS table.
pub(crate) fn shown(t: &Transcript) -> bool {
    t.role != Role::TlsScan
}

/// The view of `t`. `finished` is false while it is streamed: its last step may still change.
pub(crate) fn view(probe: u64, t: &Transcript, finished: bool, lang: Lang) -> ConnectionView {
    let title = html::connection_label(t, lang);
    let steps = t.steps();
    let last = steps.len().saturating_sub(1);
    let steps = steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let stage = step.stage.as_str();
            let name = html::stage_name(step.stage, lang);
            let running = !finished && i == last && step.ok;
            StepView {
                stage,
                sentence: if step.summary.is_empty() { name } else { format!("{name}: {}", step.summary) },
                ok: step.ok,
                running,
                duration_ms: step.duration_ms,
                lines: t.events.iter().filter(|e| e.stage == step.stage).flat_map(lines).collect(),
            }
        })
        .collect();
    ConnectionView { probe, title, steps }
}

/// An event as transcript lines: a reply keeps each of its lines, with mailprobe's notes.
fn lines(event: &Event) -> Vec<String> {
    let arrow = match &event.kind {
        EventKind::Sent { .. } => "C:",
        EventKind::Received { .. } | EventKind::ImapReceived { .. } => "S:",
        _ => "  ",
    };
    let body = match &event.kind {
        EventKind::Received { reply } => {
            let mut l = reply.wire_lines();
            l.extend(reply.notes.iter().map(|n| format!("(mailprobe: {n})")));
            l
        }
        _ => vec![summarize(event)],
    };
    body.into_iter()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{:>6} ms {arrow} {line}", event.at_ms),
            _ => format!("          {arrow} {line}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use mailprobe_proto::{Endpoint, Protocol, Reply, Security, Stage};

    use super::*;

    fn transcript() -> Transcript {
        let endpoint = Endpoint { host: "mail.example.test".into(), port: 587, security: Security::Starttls };
        let mut t = Transcript::new(Protocol::Smtp, Role::Primary, endpoint);
        t.push(3, Stage::Banner, EventKind::Received { reply: Reply::new(220, ["mail.example.test ESMTP"]) });
        t.push(9, Stage::Auth, EventKind::Sent { line: "AUTH PLAIN <redacted: PLAIN user=alice>".into() });
        t.push(
            12,
            Stage::Auth,
            EventKind::Received { reply: Reply::new(535, ["5.7.8 Error: authentication failed"]) },
        );
        t
    }

    #[test]
    fn steps_read_as_sentences_in_both_languages() {
        let t = transcript();
        let en = view(1, &t, true, Lang::En);
        assert!(en.title.contains("mail.example.test:587"), "{}", en.title);
        let auth = en.steps.iter().find(|s| s.stage == "auth").unwrap();
        assert!(!auth.ok && !auth.running);
        assert!(auth.sentence.starts_with("Sign-in: 535"), "{}", auth.sentence);
        assert_eq!(auth.lines.len(), 2, "{:?}", auth.lines);
        assert!(auth.lines[0].contains("C: AUTH PLAIN <redacted"), "{:?}", auth.lines);
        let it = view(1, &t, true, Lang::It);
        assert_ne!(it.steps[1].sentence, auth.sentence);
    }

    #[test]
    fn the_last_step_runs_until_the_connection_ends() {
        let mut t = transcript();
        t.events.truncate(1);
        let streamed = view(1, &t, false, Lang::En);
        assert!(streamed.steps.last().unwrap().running);
        assert!(!view(1, &t, true, Lang::En).steps.last().unwrap().running);
    }
}
