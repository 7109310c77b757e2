//! The wake-up the device side gives the queue runner when a message was queued, so a new
//! message goes out at once instead of at the next queue run. It carries the new message's id:
//! the runner hands it to a delivery worker without listing the whole queue.

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::spool::QueueId;

/// Ids held for the runner at most; past this (a runner that does not run) they are dropped
/// and the runner lists the whole queue instead, so memory stays bounded.
const MAX_HELD: usize = 10_000;

/// A cloneable handle: the device side calls [`Arrivals::queued`] after each message it queued;
/// the queue runner awaits [`Arrivals::wait`] and takes the ids. Arrivals while the runner is
/// busy are not lost: they leave one wake-up waiting and their ids in a list.
#[derive(Clone, Debug, Default)]
pub struct Arrivals {
    notify: Arc<Notify>,
    ids: Arc<Mutex<Held>>,
}

#[derive(Debug, Default)]
struct Held {
    ids: Vec<QueueId>,
    /// Ids were dropped (or a wake-up came without one): the runner must list the queue.
    list_all: bool,
}

/// What the runner takes after a wake-up.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Taken {
    /// Messages queued since the last take, in order.
    pub ids: Vec<QueueId>,
    /// True when the whole queue must be listed (a wake-up without ids).
    pub list_all: bool,
}

impl Arrivals {
    /// A new handle (clone it for each side).
    pub fn new() -> Self {
        Self::default()
    }

    /// Says a message was queued (the runner lists the whole queue).
    pub fn notify(&self) {
        self.lock().list_all = true;
        self.notify.notify_one();
    }

    /// Says message `id` was queued.
    pub fn queued(&self, id: QueueId) {
        {
            let mut held = self.lock();
            if held.ids.len() < MAX_HELD {
                held.ids.push(id);
            } else {
                held.list_all = true;
            }
        }
        self.notify.notify_one();
    }

    /// Waits until a message was queued since the last wake-up.
    pub async fn wait(&self) {
        self.notify.notified().await;
    }

    /// The ids queued since the last take. A runner woken with no id here (a wake-up through
    /// [`Arrivals::handle`] alone) lists the whole queue, as for `list_all`.
    pub fn take(&self) -> Taken {
        let mut held = self.lock();
        let taken = Taken { ids: std::mem::take(&mut held.ids), list_all: held.list_all };
        held.list_all = false;
        taken
    }

    /// The `Notify` inside, for a runner that takes one ([`crate::Runner::new`]).
    pub fn handle(&self) -> Arc<Notify> {
        Arc::clone(&self.notify)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Held> {
        self.ids.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl From<Arc<Notify>> for Arrivals {
    fn from(notify: Arc<Notify>) -> Self {
        Self { notify, ids: Arc::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_arrival_while_nobody_waits_is_kept_for_the_next_wait() {
        let arrivals = Arrivals::new();
        let runner = arrivals.clone();
        arrivals.notify();
        arrivals.notify();
        tokio::time::timeout(std::time::Duration::from_secs(1), runner.wait()).await.unwrap();
        // The two arrivals coalesced: a second wait has nothing to take.
        let again = tokio::time::timeout(std::time::Duration::from_millis(50), runner.wait()).await;
        assert!(again.is_err());
    }

    #[test]
    fn ids_are_taken_in_order_and_an_overflow_asks_for_a_listing() {
        let arrivals = Arrivals::new();
        let a = QueueId::parse("0000000000000A000001000001").unwrap();
        let b = QueueId::parse("0000000000000B000001000002").unwrap();
        arrivals.queued(a.clone());
        arrivals.queued(b.clone());
        assert_eq!(arrivals.take(), Taken { ids: vec![a.clone(), b], list_all: false });
        assert_eq!(arrivals.take(), Taken::default());
        for _ in 0..=MAX_HELD {
            arrivals.queued(a.clone());
        }
        let taken = arrivals.take();
        assert_eq!((taken.ids.len(), taken.list_all), (MAX_HELD, true));
        arrivals.notify();
        assert!(arrivals.take().list_all);
    }
}
