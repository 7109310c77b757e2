//! `diagnose` against the provider simulator on loopback (a real SMTP server with TLS): the
//! observer sees every step of every connection, in order, before the report comes back, and
//! the report renders as one HTML page.

use mailprobe_checks::demo::{Scenario, run_scenario};
use mailprobe_checks::{CheckEnv, StepState, StepUpdate};
use mailprobe_kb::Lang;
use mailprobe_proto::Role;
use mailprobe_report::html;

#[tokio::test]
async fn steps_are_told_as_they_happen_then_the_report_agrees() {
    for (scenario, ok) in [(Scenario::GmailOk, true), (Scenario::GmailAppPasswordRequired, false)] {
        let mut updates: Vec<StepUpdate> = Vec::new();
        let env = CheckEnv::new(Lang::En);
        let report = run_scenario(scenario, &env, &mut |u| updates.push(u)).await.unwrap();
        assert_eq!(report.ok, ok, "{scenario}");
        let primary = report.transcripts.iter().find(|t| t.transcript.role == Role::Primary).unwrap();
        let probe = updates.iter().find(|u| u.role == Role::Primary).unwrap().probe;
        let mine: Vec<&StepUpdate> = updates.iter().filter(|u| u.probe == probe).collect();
        assert_eq!(mine[0].state, StepState::Connecting, "{mine:?}");
        // every step of the final transcript was told done, in order, with the same outcome
        let done: Vec<_> = mine.iter().filter(|u| u.state == StepState::Done).collect();
        assert_eq!(done.len(), primary.steps.len(), "{mine:#?}");
        for (u, step) in done.iter().zip(&primary.steps) {
            let told = u.step.as_ref().unwrap();
            assert_eq!((told.stage, told.ok), (step.stage, step.ok));
            assert!(!u.name.is_empty() && u.connection.starts_with("SMTP: "));
        }
        // each step ran before it was done
        for (i, _) in primary.steps.iter().enumerate() {
            let first = mine.iter().position(|u| u.index == i && u.step.is_some()).unwrap();
            assert_ne!(mine[first].state, StepState::Done, "step {i} was told running first: {mine:#?}");
        }
        let page = html::document(&report, Lang::En);
        assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
        for f in &report.findings {
            assert!(page.contains(&format!("data-finding=\"{}\"", f.id)), "{}", f.id);
        }
    }
}
