//! Progress of the probes as it happens: an observer sees each connection's transcript so far
//! every time a probe records an event, so that a page can show steps as they start and end.
//!
//! The observer lives in a task-local: probes run inside [`observed`] on the same task (as
//! `run_plan` runs them, with `join!`) report to it; nothing is passed through their signatures.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use mailprobe_proto::Transcript;

/// Called with a probe's id and its connection's transcript so far: once as the connection
/// starts (no event yet), then after every event recorded (secrets already scrubbed).
pub type ProbeObserver = Arc<dyn Fn(u64, &Transcript) + Send + Sync>;

tokio::task_local! {
    static OBSERVER: ProbeObserver;
}

/// Ids that tell the connections of a run apart (unique within the process).
static NEXT_PROBE: AtomicU64 = AtomicU64::new(1);

/// A fresh probe id.
pub(crate) fn next_probe_id() -> u64 {
    NEXT_PROBE.fetch_add(1, Ordering::Relaxed)
}

/// Tells the observer of this task, if there is one, what `probe` has recorded so far.
pub(crate) fn notify(probe: u64, transcript: &Transcript) {
    let _ = OBSERVER.try_with(|observer| observer(probe, transcript));
}

/// Runs `future` (e.g. `run_plan(env, plan)`) with `observer` seeing every probe it runs on this
/// task as it records.
pub async fn observed<F: Future>(observer: ProbeObserver, future: F) -> F::Output {
    OBSERVER.scope(observer, future).await
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use mailprobe_proto::{Endpoint, EventKind, Protocol, Role, Security, Stage};

    use super::*;
    use crate::wire::Recorder;

    /// Events recorded inside `observed` reach the observer; outside it, nothing is called.
    #[tokio::test]
    async fn recorders_report_to_the_observer_of_their_task() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let observer: ProbeObserver =
            Arc::new(move |probe, t: &Transcript| sink.lock().unwrap().push((probe, t.events.len())));
        let endpoint = Endpoint { host: "mail.example.test".into(), port: 587, security: Security::Starttls };
        let record = || {
            let mut rec = Recorder::new(Protocol::Smtp, Role::Primary, endpoint.clone());
            rec.note(Stage::Connect, "one");
            rec.push(Stage::Banner, EventKind::Note { text: "two".into() });
        };
        observed(observer, async { record() }).await;
        record();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.iter().map(|s| s.1).collect::<Vec<_>>(), [0, 1, 2], "{seen:?}");
        assert!(seen.iter().all(|s| s.0 == seen[0].0));
    }
}
