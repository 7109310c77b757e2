//! The wake-up the device side gives the queue runner when a message was queued, so a new
//! message goes out at once instead of at the next queue run.

use std::sync::Arc;

use tokio::sync::Notify;

/// A cloneable handle: the device side calls [`Arrivals::notify`] after each message it queued;
/// the queue runner awaits [`Arrivals::wait`]. Arrivals while the runner is busy are not lost:
/// they leave one wake-up waiting (several coalesce into one, as the runner reads the whole
/// queue anyway).
#[derive(Clone, Debug, Default)]
pub struct Arrivals(Arc<Notify>);

impl Arrivals {
    /// A new handle (clone it for each side).
    pub fn new() -> Self {
        Self::default()
    }

    /// Says a message was queued.
    pub fn notify(&self) {
        self.0.notify_one();
    }

    /// Waits until a message was queued since the last wake-up.
    pub async fn wait(&self) {
        self.0.notified().await;
    }

    /// The `Notify` inside, for a runner that takes one ([`crate::Runner::new`]).
    pub fn handle(&self) -> Arc<Notify> {
        Arc::clone(&self.0)
    }
}

impl From<Arc<Notify>> for Arrivals {
    fn from(notify: Arc<Notify>) -> Self {
        Self(notify)
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
}
