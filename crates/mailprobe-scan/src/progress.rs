//! A one-line progress bar on standard error, for a person watching a terminal: redrawn at most
//! ten times a second, cleared at the end. Off (and silent) anywhere else.

use std::io::Write as _;
use std::time::{Duration, Instant};

/// The bar's state.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    total: usize,
    done: usize,
    failed: usize,
    started: Instant,
    drawn: Option<Instant>,
}

impl Progress {
    /// A bar for `total` targets, drawn only when `enabled` (standard error is a terminal, the
    /// output is not quiet).
    pub fn new(total: usize, enabled: bool) -> Self {
        Self { enabled, total, done: 0, failed: 0, started: Instant::now(), drawn: None }
    }

    /// One more target finished (`failed`: not ok).
    pub fn advance(&mut self, failed: bool) {
        self.done += 1;
        self.failed += usize::from(failed);
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self.done < self.total && self.drawn.is_some_and(|t| now - t < Duration::from_millis(100)) {
            return;
        }
        self.drawn = Some(now);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}", self.line());
        let _ = err.flush();
    }

    /// The bar's text: `[#####-----] 50/100  3 failed  2.1 s`.
    pub fn line(&self) -> String {
        const WIDTH: usize = 30;
        let filled = (self.done * WIDTH).checked_div(self.total).unwrap_or(WIDTH);
        format!(
            "[{}{}] {}/{}  {} failed  {:.1} s",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            self.done,
            self.total,
            self.failed,
            self.started.elapsed().as_secs_f64()
        )
    }

    /// Clears the bar's line.
    pub fn finish(&mut self) {
        if self.enabled && self.drawn.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts() {
        let mut p = Progress::new(4, false);
        p.advance(false);
        p.advance(true);
        assert!(p.line().starts_with("[###############---------------] 2/4  1 failed"), "{}", p.line());
        assert!(Progress::new(0, false).line().starts_with("[##############################] 0/0"));
    }
}
