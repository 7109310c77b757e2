//! Events counted over a sliding window (a device's messages a minute, the upstream's pace) in
//! memory that does not grow with the rate: a timestamp per event would hold 60,000 of them for
//! a minute at 1,000 messages a second (the benchmark's rate), and a `VecDeque` keeps the
//! capacity it once needed.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Buckets a window is cut into. An event is counted until the last event of its bucket leaves
/// the window, so the count errs on the safe side (a limit is never exceeded) and a wait is at
/// most one bucket's span (1/64 of the window) longer than with exact times.
const BUCKETS: u32 = 64;

/// Events in the last `window`, in at most `BUCKETS + 2` buckets.
#[derive(Debug)]
pub(crate) struct SlidingWindow {
    window: Duration,
    /// The first and last event of each bucket and how many it holds, oldest first.
    buckets: VecDeque<(Instant, Instant, u64)>,
    total: u64,
}

impl SlidingWindow {
    /// An empty window of `window`.
    pub(crate) fn new(window: Duration) -> Self {
        Self { window, buckets: VecDeque::new(), total: 0 }
    }

    /// The events within the window at `now` (forgetting the buckets that left it).
    pub(crate) fn count(&mut self, now: Instant) -> u64 {
        while let Some(&(_, last, n)) = self.buckets.front() {
            if now.saturating_duration_since(last) < self.window {
                break;
            }
            self.total -= n;
            self.buckets.pop_front();
        }
        self.total
    }

    /// Counts an event at `now`.
    pub(crate) fn record(&mut self, now: Instant) {
        let span = self.window / BUCKETS;
        match self.buckets.back_mut() {
            Some((first, last, n)) if now.saturating_duration_since(*first) < span => {
                *last = (*last).max(now);
                *n += 1;
            }
            _ => self.buckets.push_back((now, now, 1)),
        }
        self.total += 1;
    }

    /// How long after `now` the oldest bucket leaves the window (zero when there is none).
    pub(crate) fn until_oldest_leaves(&self, now: Instant) -> Duration {
        self.buckets.front().map_or(Duration::ZERO, |&(_, last, _)| {
            self.window.saturating_sub(now.saturating_duration_since(last))
        })
    }

    /// Buckets held (for the test of its bound).
    #[cfg(test)]
    fn buckets(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_leave_with_their_bucket_and_memory_stays_bounded() {
        let minute = Duration::from_secs(60);
        let mut w = SlidingWindow::new(minute);
        let t0 = Instant::now();
        w.record(t0);
        w.record(t0 + Duration::from_secs(1));
        assert_eq!(w.count(t0 + Duration::from_secs(30)), 2);
        assert_eq!(w.count(t0 + minute), 1);
        assert_eq!(w.until_oldest_leaves(t0 + minute), Duration::from_secs(1));
        assert_eq!(w.count(t0 + minute + Duration::from_secs(1)), 0);
        // 1,000 events a second for three minutes: every one counted for a full minute, in a
        // bounded number of buckets
        let mut w = SlidingWindow::new(minute);
        for ms in 0..180_000u64 {
            let now = t0 + Duration::from_millis(ms);
            w.record(now);
            let n = w.count(now);
            assert!(n >= 60_000.min(ms + 1), "{n} at {ms} ms");
            assert!(n <= 60_000 + 60_000 / u64::from(BUCKETS) + 1000, "{n} at {ms} ms");
            assert!(w.buckets() <= BUCKETS as usize + 2, "{} buckets", w.buckets());
        }
    }
}
