//! Frame pacing for sources that make their own frames (test videos, screen grabs).

use std::time::Duration;

use crate::media::{now_ns, TrackSource};

/// Deadlines at `start + n / fps`: absolute, so scheduling jitter never accumulates into drift.
/// A deadline that has long passed (the thread was starved) is skipped, as a camera skips the
/// frame, and counted on the source.
pub(super) struct Pacer {
    start_ns: u64,
    period_ns: u64,
    n: u64,
}

impl Pacer {
    pub(super) fn new(fps: u32) -> Pacer {
        Pacer { start_ns: now_ns(), period_ns: 1_000_000_000 / u64::from(fps.max(1)), n: 0 }
    }

    /// Waits for the next frame's deadline; returns the frame's number and deadline (ns).
    pub(super) fn next(&mut self, source: &TrackSource) -> (u64, u64) {
        loop {
            let due = self.start_ns + self.n * self.period_ns;
            let now = now_ns();
            if due > now {
                std::thread::sleep(Duration::from_nanos(due - now));
            } else if now - due > self.period_ns {
                let caught_up = (now - self.start_ns) / self.period_ns;
                source.add_skipped(caught_up - self.n);
                self.n = caught_up;
                continue;
            }
            self.n += 1;
            return (self.n - 1, due);
        }
    }
}
