//! What a scan keeps of each target (its verdict, findings and steps, not its transcripts), and
//! the summary grouped by finding across targets: "these 12 targets all have this problem; here
//! is what to do".

use std::collections::HashMap;

use mailprobe_kb::{Finding, Fix, Severity};
use mailprobe_proto::Step;
use serde::Serialize;

/// A target's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The path works: every step succeeded and no error finding.
    Ok,
    /// The check ran and found a problem.
    Failed,
    /// The check could not run: its secret could not be read, its settings are wrong, it was
    /// stopped at its deadline.
    NotChecked,
}

/// One finding of one target, as the scan keeps it.
#[derive(Clone, Debug, Serialize)]
pub struct TargetFinding {
    /// Stable id.
    pub id: String,
    /// How bad.
    pub severity: Severity,
    /// The session stage it belongs to.
    pub stage: String,
    /// One line.
    pub title: String,
    /// What happened to this target, with its facts.
    pub summary: String,
    /// The transcript lines that triggered it.
    pub evidence: Vec<String>,
}

/// The steps of one connection a target's check made.
#[derive(Clone, Debug, Serialize)]
pub struct Connection {
    /// What it was: `smtp`, `smtp mode_check`, `smtp client_tls_check`...
    pub label: String,
    /// Its stages and their outcomes.
    pub steps: Vec<Step>,
}

/// One target's result.
#[derive(Clone, Debug, Serialize)]
pub struct TargetResult {
    /// The target's name.
    pub name: String,
    /// The server checked, `host:port security`.
    pub server: String,
    /// The verdict.
    pub status: Status,
    /// Why it could not be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What is wrong, most likely first.
    pub findings: Vec<TargetFinding>,
    /// Each connection's steps.
    pub connections: Vec<Connection>,
    /// How long its check took.
    pub elapsed_ms: u64,
}

impl TargetResult {
    /// A target that was checked: `ok` is the check's verdict.
    pub fn checked(
        name: String,
        server: String,
        ok: bool,
        findings: &[Finding],
        connections: Vec<Connection>,
        elapsed_ms: u64,
    ) -> Self {
        let findings = findings
            .iter()
            .map(|f| TargetFinding {
                id: f.id.clone(),
                severity: f.severity,
                stage: f.stage.clone(),
                title: f.title.clone(),
                summary: f.summary.clone(),
                evidence: f.evidence.clone(),
            })
            .collect();
        let status = if ok { Status::Ok } else { Status::Failed };
        Self { name, server, status, error: None, findings, connections, elapsed_ms }
    }

    /// A target that could not be checked, and why (never holding a secret).
    pub fn not_checked(name: String, server: String, error: String, elapsed_ms: u64) -> Self {
        Self {
            name,
            server,
            status: Status::NotChecked,
            error: Some(error),
            findings: Vec::new(),
            connections: Vec::new(),
            elapsed_ms,
        }
    }
}

/// One finding shared by several targets, with what to do once.
#[derive(Clone, Debug, Serialize)]
pub struct Group {
    /// The finding's id.
    pub id: String,
    /// How bad.
    pub severity: Severity,
    /// The session stage it belongs to.
    pub stage: String,
    /// Its title.
    pub title: String,
    /// What happened, as `example` showed it.
    pub summary: String,
    /// The evidence of `example`.
    pub evidence: Vec<String>,
    /// Likely causes, most likely first (of `example`).
    pub causes: Vec<String>,
    /// What to do, in order (of `example`).
    pub fixes: Vec<Fix>,
    /// The target the texts above are from: the first in the inventory that has the finding.
    pub example: String,
    /// True when other targets' causes or fixes differ from `example`'s (they name their own
    /// accounts or hosts): each target's own are in its report.
    pub texts_vary: bool,
    /// The targets that have it, in inventory order.
    pub targets: Vec<String>,
}

/// Targets that could not be checked, grouped by the same reason.
#[derive(Clone, Debug, Serialize)]
pub struct NotCheckedGroup {
    /// Why.
    pub reason: String,
    /// Which targets.
    pub targets: Vec<String>,
}

/// The whole scan at a glance.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Targets in the inventory.
    pub total: usize,
    /// Targets whose path works.
    pub ok: usize,
    /// Targets with a problem found.
    pub failed: usize,
    /// Targets that could not be checked.
    pub not_checked: usize,
    /// Findings across targets: errors first, then the most widespread.
    pub groups: Vec<Group>,
    /// Why some targets could not be checked.
    pub not_checked_groups: Vec<NotCheckedGroup>,
    /// How long the whole scan took.
    pub elapsed_ms: u64,
}

impl Summary {
    /// True when every target's path works.
    pub fn all_ok(&self) -> bool {
        self.ok == self.total
    }
}

/// The targets of one group: inventory index and name of each.
type Members = Vec<(usize, String)>;

/// Builds the summary as results come in, in any order.
#[derive(Debug, Default)]
pub struct SummaryBuilder {
    summary: Summary,
    // (finding id, title) → (group, inventory index of its example, inventory index and name
    // of each target in it). The title is part of the key: one id can say different things
    // (`m365.mode_detected`: submission, or direct send), and a group says one thing.
    groups: HashMap<(String, String), (Group, usize, Members)>,
    not_checked: HashMap<String, Members>,
}

impl SummaryBuilder {
    /// Counts `total` targets in all.
    pub fn new(total: usize) -> Self {
        Self { summary: Summary { total, ..Summary::default() }, ..Self::default() }
    }

    /// Adds the result of the target at `index` in the inventory; `findings` are its full
    /// findings (the first of each id gives the group its causes and fixes).
    pub fn add(&mut self, index: usize, result: &TargetResult, findings: &[Finding]) {
        match result.status {
            Status::Ok => self.summary.ok += 1,
            Status::Failed => self.summary.failed += 1,
            Status::NotChecked => {
                self.summary.not_checked += 1;
                let reason = result.error.clone().unwrap_or_default();
                self.not_checked.entry(reason).or_default().push((index, result.name.clone()));
            }
        }
        for f in findings {
            let (group, example, targets) =
                self.groups.entry((f.id.clone(), f.title.clone())).or_insert_with(|| {
                    let group = Group {
                        id: f.id.clone(),
                        severity: f.severity,
                        stage: f.stage.clone(),
                        title: f.title.clone(),
                        summary: f.summary.clone(),
                        evidence: f.evidence.clone(),
                        causes: f.causes.clone(),
                        fixes: f.fixes.clone(),
                        example: result.name.clone(),
                        texts_vary: false,
                        targets: Vec::new(),
                    };
                    (group, index, Vec::new())
                });
            // a finding reported twice for one target (SMTP and IMAP) counts the target once
            if targets.last().is_some_and(|(i, _)| *i == index) {
                continue;
            }
            targets.push((index, result.name.clone()));
            // what happened quotes each session's own reply (ids, times): only what to do counts
            if f.fixes != group.fixes || f.causes != group.causes {
                group.texts_vary = true;
            }
            // results come in finishing order; the example is the first in inventory order
            if index < *example {
                *example = index;
                group.example.clone_from(&result.name);
                group.summary.clone_from(&f.summary);
                group.evidence.clone_from(&f.evidence);
                group.causes.clone_from(&f.causes);
                group.fixes.clone_from(&f.fixes);
            }
        }
    }

    /// The summary: groups by severity, then by how many targets they hold, then by id and title.
    pub fn finish(self, elapsed_ms: u64) -> Summary {
        let mut summary = self.summary;
        summary.elapsed_ms = elapsed_ms;
        let in_order = |mut targets: Vec<(usize, String)>| {
            targets.sort_unstable_by_key(|(i, _)| *i);
            targets.dedup_by_key(|(i, _)| *i);
            targets.into_iter().map(|(_, name)| name).collect::<Vec<_>>()
        };
        let mut groups: Vec<Group> = self
            .groups
            .into_values()
            .map(|(mut group, _, targets)| {
                group.targets = in_order(targets);
                group
            })
            .collect();
        groups.sort_by(|a, b| {
            (a.severity, std::cmp::Reverse(a.targets.len()), &a.id, &a.title).cmp(&(
                b.severity,
                std::cmp::Reverse(b.targets.len()),
                &b.id,
                &b.title,
            ))
        });
        summary.groups = groups;
        let mut not_checked: Vec<NotCheckedGroup> = self
            .not_checked
            .into_iter()
            .map(|(reason, targets)| NotCheckedGroup { reason, targets: in_order(targets) })
            .collect();
        not_checked
            .sort_by(|a, b| b.targets.len().cmp(&a.targets.len()).then_with(|| a.reason.cmp(&b.reason)));
        summary.not_checked_groups = not_checked;
        summary
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn finding(id: &str, severity: Severity) -> Finding {
        Finding {
            id: id.into(),
            severity,
            stage: "auth".into(),
            title: format!("{id} title"),
            summary: format!("{id} summary"),
            evidence: vec![],
            causes: vec!["cause".into()],
            fixes: vec![Fix { text: "fix".into(), audience: None }],
            params: BTreeMap::new(),
        }
    }

    #[test]
    fn groups_by_finding_with_targets_in_inventory_order() {
        let rejected = finding("auth.credentials_rejected", Severity::Error);
        let mode = finding("m365.mode_detected", Severity::Info);
        let tls = finding("tls.version_too_old", Severity::Error);
        let mut b = SummaryBuilder::new(6);
        let add = |b: &mut SummaryBuilder, i: usize, ok: bool, fs: &[Finding]| {
            let r = TargetResult::checked(format!("t{i}"), "h:587 starttls".into(), ok, fs, vec![], 1);
            b.add(i, &r, fs);
        };
        // results arrive in finishing order, not inventory order
        add(&mut b, 3, false, &[rejected.clone(), mode.clone()]);
        add(&mut b, 0, false, std::slice::from_ref(&rejected));
        add(&mut b, 1, true, &[mode.clone(), mode.clone()]);
        add(&mut b, 2, false, &[tls.clone(), mode.clone()]);
        add(&mut b, 4, true, &[]);
        let nc = TargetResult::not_checked("t5".into(), "h:587".into(), "no password".into(), 0);
        b.add(5, &nc, &[]);
        let s = b.finish(10);
        assert_eq!((s.total, s.ok, s.failed, s.not_checked), (6, 2, 3, 1));
        assert!(!s.all_ok());
        let got: Vec<(&str, Vec<&str>)> = s
            .groups
            .iter()
            .map(|g| (g.id.as_str(), g.targets.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("auth.credentials_rejected", vec!["t0", "t3"]),
                ("tls.version_too_old", vec!["t2"]),
                ("m365.mode_detected", vec!["t1", "t2", "t3"]),
            ]
        );
        assert_eq!(s.not_checked_groups[0].targets, vec!["t5"]);
        assert_eq!(s.groups[0].fixes[0].text, "fix");
        assert_eq!(s.groups[0].example, "t0", "the first in inventory order, not in finishing order");
        assert!(!s.groups[0].texts_vary);
    }

    /// One id saying two things makes two groups; the same thing in other words (another
    /// mailbox's name in a fix) is one group whose texts vary.
    #[test]
    fn groups_say_one_thing() {
        let mut submission = finding("m365.mode_detected", Severity::Info);
        submission.title = "mode: submission".into();
        let mut direct = submission.clone();
        direct.title = "mode: direct send".into();
        let mut other_mailbox = submission.clone();
        other_mailbox.fixes[0].text = "Set-CASMailbox -Identity scanner@contoso.example".into();
        let mut b = SummaryBuilder::new(3);
        for (i, f) in [submission, direct, other_mailbox].into_iter().enumerate() {
            let r =
                TargetResult::checked(format!("t{i}"), "h".into(), true, std::slice::from_ref(&f), vec![], 1);
            b.add(i, &r, &[f]);
        }
        let s = b.finish(1);
        let got: Vec<(&str, usize, bool)> =
            s.groups.iter().map(|g| (g.title.as_str(), g.targets.len(), g.texts_vary)).collect();
        assert_eq!(got, vec![("mode: submission", 2, true), ("mode: direct send", 1, false)]);
    }
}
