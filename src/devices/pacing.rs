//! Frame timing: pacing for sources that make their own frames (test videos, screen grabs),
//! and de-jittering for sources that pace themselves (cameras).

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

/// Capture times for frames that arrive on a source's own clock (a camera), stamped on arrival:
/// the thread's wake-up jitter would otherwise put a steady 30 fps source's frames a few ms off
/// its grid, now and then two in one slot of its rate (players cope; ffmpeg's strict check
/// does not). A frame within a quarter of a frame of the grid is stamped on it; the grid follows
/// a camera whose true rate is a little off (a 29.97 fps camera) by 1/32 of each offset,
/// and starts again from a frame far off it (exposure changed the rate, frames were lost).
pub(super) struct ArrivalGrid {
    period_ns: u64,
    /// The grid point the last frame was stamped with (or its arrival, on a new start).
    last_ns: Option<u64>,
}

impl ArrivalGrid {
    pub(super) fn new(fps: u32) -> ArrivalGrid {
        ArrivalGrid { period_ns: 1_000_000_000 / u64::from(fps.max(1)), last_ns: None }
    }

    /// The capture time to give a frame that arrived at `arrival_ns`.
    pub(super) fn stamp(&mut self, arrival_ns: u64) -> u64 {
        let stamped = self.last_ns.and_then(|last| {
            let since = arrival_ns.checked_sub(last)?;
            // The nearest grid point after the last frame's.
            let slots = ((since + self.period_ns / 2) / self.period_ns).max(1);
            let slot = last + slots * self.period_ns;
            let off = i128::from(arrival_ns) - i128::from(slot);
            (off.unsigned_abs() <= u128::from(self.period_ns / 4)).then(|| {
                // Follow a slow drift: the grid moves 1/32 of the way towards the frame.
                u64::try_from(i128::from(slot) + off / 32).unwrap_or(slot)
            })
        });
        let stamp = stamped.unwrap_or(arrival_ns);
        self.last_ns = Some(stamp);
        stamp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: u64 = 33_333_333;

    /// Pseudo-random jitter in ±`max` ns, reproducible.
    fn jitter(seed: &mut u64, max: u64) -> i64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        (*seed % (2 * max + 1)) as i64 - max as i64
    }

    #[test]
    fn a_jittery_steady_camera_is_stamped_on_its_grid() {
        let mut grid = ArrivalGrid::new(30);
        let mut seed = 7;
        let start = 5_000_000_000u64;
        let stamps: Vec<u64> = (0..300)
            .map(|k| grid.stamp((start + k * PERIOD).saturating_add_signed(jitter(&mut seed, 4_000_000))))
            .collect();
        // Every gap is one period, give or take the drift correction's share of the jitter
        // (1/32 of ±4 ms on each side).
        for gap in stamps.windows(2).map(|w| w[1] - w[0]) {
            assert!(gap.abs_diff(PERIOD) < 300_000, "gap {gap} ns");
        }
        // And the stamps stay within the jitter of the true capture times.
        for (k, s) in stamps.iter().enumerate() {
            assert!(s.abs_diff(start + k as u64 * PERIOD) <= 4_000_000, "frame {k}: {s}");
        }
    }

    #[test]
    fn the_grid_follows_a_camera_slightly_off_its_rate() {
        // 29.97 fps announced as 30: after a minute the frames are 60 ms later than 30 fps says.
        let mut grid = ArrivalGrid::new(30);
        let true_period = 33_366_700u64;
        for k in 0..1800u64 {
            let arrival = 1_000_000_000 + k * true_period;
            let s = grid.stamp(arrival);
            assert!(s.abs_diff(arrival) < 1_500_000, "frame {k}: stamped {s}, arrived {arrival}");
        }
    }

    #[test]
    fn lost_frames_and_a_slower_rate_keep_true_times() {
        let mut grid = ArrivalGrid::new(30);
        let mut last = None;
        // 30 fps, then 3 frames lost, then 15 fps (auto exposure in a dark room), then a frame
        // far off the grid.
        let t = 30 * PERIOD;
        let arrivals: Vec<u64> = (1..=30)
            .map(|k| k * PERIOD)
            .chain([t + 4 * PERIOD])
            .chain((1..30).map(|k| t + 4 * PERIOD + k * 2 * PERIOD))
            .chain([t + 64 * PERIOD + PERIOD / 2])
            .collect();
        for a in arrivals {
            let s = grid.stamp(a);
            assert!(s.abs_diff(a) <= PERIOD / 4, "stamped {s}, arrived {a}");
            assert!(last.is_none_or(|l| s > l), "stamps rise");
            last = Some(s);
        }
    }
}
