//! Steps as they happen: what [`crate::diagnose()`] tells its observer while the probes run, so
//! that a page can show each step as it starts and ends.

use std::collections::HashMap;

use mailprobe_kb::Lang;
use mailprobe_proto::{Endpoint, Protocol, Role, Step, Transcript};
use mailprobe_report::html::{connection_label, stage_name};
use serde::Serialize;

/// Where a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// The connection has just started: no step yet (`step` is `None`).
    Connecting,
    /// The step has begun; its outcome may still change.
    Running,
    /// The step is over: `step.ok` is its outcome (✓ / ✗).
    Done,
}

/// One step of one connection, as it starts, runs and ends. A connection's steps arrive in
/// order; the final report (with the findings, which may mark a step "!") comes after.
#[derive(Clone, Debug, Serialize)]
pub struct StepUpdate {
    /// Which connection: the ids of a run's connections differ.
    pub probe: u64,
    /// SMTP or IMAP.
    pub protocol: Protocol,
    /// The primary probe, a mode check, a TLS-version scan...
    pub role: Role,
    /// The server and the security used.
    pub endpoint: Endpoint,
    /// The connection's heading in the report's language ("SMTP: host:587 (STARTTLS)").
    pub connection: String,
    /// The step's index in its connection (0 for `Connecting`).
    pub index: usize,
    /// The step's name in the report's language ("Sign-in"); empty for `Connecting`.
    pub name: String,
    /// Where the step is.
    pub state: StepState,
    /// The step so far: stage, outcome, timing, the reply or failure that decided it.
    pub step: Option<Step>,
}

/// A probe's snapshot: its transcript's steps so far.
pub(crate) struct Snapshot {
    pub(crate) probe: u64,
    pub(crate) protocol: Protocol,
    pub(crate) role: Role,
    pub(crate) endpoint: Endpoint,
    pub(crate) steps: Vec<Step>,
}

impl Snapshot {
    pub(crate) fn of(probe: u64, t: &Transcript) -> Self {
        Self { probe, protocol: t.protocol, role: t.role, endpoint: t.endpoint.clone(), steps: t.steps() }
    }
}

/// Turns snapshots into updates: each step once `Running` (again when it changes), once `Done`.
pub(crate) struct Progress {
    lang: Lang,
    /// Per probe: the steps already reported done, and the last running step reported.
    seen: HashMap<u64, (usize, Option<Step>, Snapshot)>,
}

impl Progress {
    pub(crate) fn new(lang: Lang) -> Self {
        Self { lang, seen: HashMap::new() }
    }

    fn update(&self, s: &Snapshot, index: usize, state: StepState, step: Option<Step>) -> StepUpdate {
        let t = Transcript::new(s.protocol, s.role, s.endpoint.clone());
        StepUpdate {
            probe: s.probe,
            protocol: s.protocol,
            role: s.role,
            endpoint: s.endpoint.clone(),
            connection: connection_label(&t, self.lang),
            index,
            name: step.as_ref().map(|st| stage_name(st.stage, self.lang)).unwrap_or_default(),
            state,
            step,
        }
    }

    /// The updates a new snapshot makes.
    pub(crate) fn snapshot(&mut self, s: Snapshot, out: &mut Vec<StepUpdate>) {
        let (done, running) = match self.seen.get(&s.probe) {
            Some((done, running, _)) => (*done, running.clone()),
            None => {
                out.push(self.update(&s, 0, StepState::Connecting, None));
                (0, None)
            }
        };
        let n = s.steps.len();
        let mut done_now = done;
        // every step but the last is over once a later one began
        for i in done..n.saturating_sub(1) {
            out.push(self.update(&s, i, StepState::Done, Some(s.steps[i].clone())));
            done_now = i + 1;
        }
        let mut running_now = running;
        if let Some(last) = s.steps.last()
            && n > done_now
            && running_now.as_ref() != Some(last)
        {
            out.push(self.update(&s, n - 1, StepState::Running, Some(last.clone())));
            running_now = Some(last.clone());
        }
        self.seen.insert(s.probe, (done_now, running_now, s));
    }

    /// The connections are over: their last steps are done.
    pub(crate) fn finish(&mut self, out: &mut Vec<StepUpdate>) {
        let mut probes: Vec<u64> = self.seen.keys().copied().collect();
        probes.sort_unstable();
        for probe in probes {
            let Some((done, _, s)) = self.seen.remove(&probe) else { continue };
            for i in done..s.steps.len() {
                out.push(self.update(&s, i, StepState::Done, Some(s.steps[i].clone())));
            }
        }
    }
}
