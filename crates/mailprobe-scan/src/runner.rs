//! Checking many targets at once: at most `concurrency` in flight, each within its deadline,
//! results handed back as they finish. Targets are taken from the list only when a slot frees,
//! so memory follows the concurrency, not the inventory's size.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;

/// How one check ended, when it did not end by itself.
#[derive(Debug)]
pub enum Outcome<R> {
    /// The check returned.
    Done(R),
    /// The check was still running at its deadline, and was stopped.
    TimedOut(Duration),
    /// The check panicked (a bug of ours): the other targets go on.
    Crashed,
}

/// Runs `check` on every item, at most `concurrency` at once (at least 1), each stopped at
/// `deadline`, and calls `done` with the item's index and its outcome as each finishes (in the
/// order they finish). The checks run as tasks of the current tokio runtime: on a
/// multi-threaded runtime, on all its threads.
pub async fn run_bounded<T, R, F, Fut>(
    items: impl IntoIterator<Item = T>,
    concurrency: usize,
    deadline: Duration,
    check: F,
    mut done: impl FnMut(usize, Outcome<R>),
) where
    F: Fn(T) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let concurrency = concurrency.max(1);
    let mut items = items.into_iter().enumerate();
    let mut running = JoinSet::new();
    // task id → item index, to name the item of a task that panicked
    let mut index_of = HashMap::with_capacity(concurrency);
    loop {
        while running.len() < concurrency {
            let Some((index, item)) = items.next() else { break };
            let work = check(item);
            let handle = running.spawn(async move { (index, tokio::time::timeout(deadline, work).await) });
            index_of.insert(handle.id(), index);
        }
        let Some(joined) = running.join_next_with_id().await else { break };
        match joined {
            Ok((id, (index, result))) => {
                index_of.remove(&id);
                done(index, result.map_or(Outcome::TimedOut(deadline), Outcome::Done));
            }
            Err(e) => {
                if let Some(index) = index_of.remove(&e.id()) {
                    done(index, Outcome::Crashed);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_the_limit_and_every_item_reported() {
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut seen = [false; 50];
        let (n, p) = (now.clone(), peak.clone());
        run_bounded(
            0..50u64,
            7,
            Duration::from_secs(5),
            move |i| {
                let (now, peak) = (n.clone(), p.clone());
                async move {
                    let in_flight = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(in_flight, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(1 + i % 5)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    i * 2
                }
            },
            |index, outcome| {
                assert!(matches!(outcome, Outcome::Done(v) if v == index as u64 * 2));
                seen[index] = true;
            },
        )
        .await;
        assert!(seen.iter().all(|s| *s));
        assert_eq!(peak.load(Ordering::SeqCst), 7);
    }

    #[tokio::test]
    async fn deadlines_and_panics_are_outcomes_of_their_item_alone() {
        let mut outcomes = Vec::new();
        run_bounded(
            [0u8, 1, 2],
            3,
            Duration::from_millis(50),
            |i| async move {
                match i {
                    0 => tokio::time::sleep(Duration::from_secs(30)).await,
                    1 => panic!("a bug"),
                    _ => {}
                }
                i
            },
            |index, outcome| outcomes.push((index, outcome)),
        )
        .await;
        outcomes.sort_by_key(|(i, _)| *i);
        assert!(matches!(outcomes[0], (0, Outcome::TimedOut(_))));
        assert!(matches!(outcomes[1], (1, Outcome::Crashed)));
        assert!(matches!(outcomes[2], (2, Outcome::Done(2))));
    }
}
