//! `mailprobe relay queue`: what is waiting and why (list), try a message now (retry), drop one
//! (delete), try everything now (flush). Works beside a running relay: changes go through the
//! spool's atomic state updates, and a touched wake-up file makes the runner look at once.

use std::path::{Path, PathBuf};

use crate::spool::{QueueId, Spool, SpoolError};

/// The file in the spool directory whose change wakes the runner (checked every second).
pub const WAKEUP_FILE: &str = "wakeup";

/// One queued message as `relay queue list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueEntry {
    /// Its id.
    pub id: QueueId,
    /// Seconds since it was accepted.
    pub age_secs: u64,
    /// The envelope sender (empty for a DSN).
    pub sender: String,
    /// Recipients still to deliver.
    pub recipients: Vec<String>,
    /// Recipients done (delivered, or returned to the sender).
    pub done: Vec<String>,
    /// The device it came from.
    pub device: String,
    /// Its size in bytes.
    pub size: u64,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// When the next attempt is due (seconds since the epoch; 0: now).
    pub next_attempt: u64,
    /// Why the last attempt failed: the finding id, its summary and first fix.
    pub last_error: Option<String>,
}

/// The relay's queue, for the `relay queue` commands.
#[derive(Debug)]
pub struct Queue {
    spool: Spool,
    dir: PathBuf,
}

impl Queue {
    /// The queue of the spool at `dir` (which a running relay may be using).
    pub fn open(dir: &Path) -> Result<Self, SpoolError> {
        Ok(Self { spool: Spool::attach(dir)?, dir: dir.to_owned() })
    }

    /// Every queued message, oldest first, as of `now` (seconds since the epoch).
    pub fn list(&self, now: u64) -> Result<Vec<QueueEntry>, SpoolError> {
        Ok(self
            .spool
            .list()?
            .into_iter()
            .map(|(m, s)| QueueEntry {
                age_secs: now.saturating_sub(m.arrived),
                sender: m.envelope.from,
                recipients: m.envelope.to.iter().filter(|r| !s.delivered.contains(r)).cloned().collect(),
                done: s.delivered,
                device: m.envelope.device,
                size: m.size,
                attempts: s.attempts,
                next_attempt: s.next_attempt,
                last_error: s.last_error,
                id: m.id,
            })
            .collect())
    }

    /// Makes one message due now (its attempts and last error are kept).
    pub fn retry(&self, id: &QueueId) -> Result<(), SpoolError> {
        let mut state = self.spool.state(id)?;
        state.next_attempt = 0;
        self.spool.update(id, &state)?;
        self.wake_runner()
    }

    /// Removes one message without delivering it (no DSN is sent).
    pub fn delete(&self, id: &QueueId) -> Result<(), SpoolError> {
        self.spool.remove(id)
    }

    /// Makes every message due now; returns how many were waiting.
    pub fn flush(&self) -> Result<usize, SpoolError> {
        let mut waiting = 0;
        for (m, mut state) in self.spool.list()? {
            if state.next_attempt == 0 {
                continue;
            }
            state.next_attempt = 0;
            match self.spool.update(&m.id, &state) {
                Ok(()) => waiting += 1,
                // delivered meanwhile
                Err(SpoolError::NotQueued(_)) => {}
                Err(e) => return Err(e),
            }
        }
        self.wake_runner()?;
        Ok(waiting)
    }

    /// Touches the wake-up file so a running runner starts a pass within a second.
    fn wake_runner(&self) -> Result<(), SpoolError> {
        let path = self.dir.join(WAKEUP_FILE);
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        std::fs::write(&path, format!("{stamp}\n")).map_err(|source| SpoolError::Io { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::{DeliveryState, Envelope};

    #[test]
    fn list_retry_flush_and_delete() {
        let dir = std::env::temp_dir().join(format!("mailprobe-queue-api-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let spool = Spool::open(&dir).unwrap();
        let env = Envelope {
            from: "p@example.test".into(),
            to: vec!["a@x.test".into(), "b@x.test".into()],
            device: "hp".into(),
        };
        let a = spool.enqueue(&env, b"Subject: a\r\n\r\nx", 1_000_000_000).unwrap();
        let b = spool.enqueue(&env, b"Subject: b\r\n\r\ny", 1_000_000_001).unwrap();
        let state = DeliveryState {
            attempts: 2,
            next_attempt: 5000,
            last_error: Some("rate.throttled: busy".into()),
            delivered: vec!["a@x.test".into()],
        };
        spool.update(&a, &state).unwrap();
        spool.update(&b, &DeliveryState { next_attempt: 7000, ..DeliveryState::default() }).unwrap();
        let q = Queue::open(&dir).unwrap();
        let list = q.list(1100).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, a);
        assert_eq!(list[0].age_secs, 100);
        assert_eq!(list[0].recipients, ["b@x.test"]);
        assert_eq!(list[0].done, ["a@x.test"]);
        assert_eq!((list[0].attempts, list[0].next_attempt), (2, 5000));
        assert_eq!(list[0].last_error.as_deref(), Some("rate.throttled: busy"));
        q.retry(&a).unwrap();
        let after = spool.state(&a).unwrap();
        assert_eq!((after.next_attempt, after.attempts), (0, 2));
        assert!(dir.join(WAKEUP_FILE).exists());
        assert_eq!(q.flush().unwrap(), 1, "only b was waiting");
        assert_eq!(spool.due(0).unwrap().len(), 2);
        q.delete(&b).unwrap();
        assert_eq!(q.list(0).unwrap().len(), 1);
        assert!(matches!(q.delete(&b), Err(SpoolError::NotQueued(_))));
        assert!(Queue::open(&dir.join("nowhere")).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
