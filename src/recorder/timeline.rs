//! One recording's pause timeline, shared by its audio and video paths: the API enters each pause,
//! resume and the stop here at the moment of the call (on the capture clock), before the call
//! returns. The video path asks where a frame falls ([`Timeline::media_ns`]); the audio path
//! walks the gates in order ([`Timeline::gate_at`]) as its samples pass them, to splice the seams.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The media timeline of one recording: capture times from `origin_ns` on, less the paused
/// spans. Pauses are entered by the API at the moment of the call, before the call returns,
/// so no frame captured after a pause is ever encoded.
pub(crate) struct Timeline {
    /// Capture time of media time 0: set when `start` has everything ready (`u64::MAX` before).
    origin_ns: AtomicU64,
    /// `(at_ns, pause)`, in call order.
    gates: Mutex<Vec<(u64, bool)>>,
    /// Capture time from which nothing is recorded (`u64::MAX`: not stopping).
    stop_ns: AtomicU64,
}

impl Timeline {
    /// A timeline that has not started: every frame is before its origin.
    pub(crate) fn new() -> Arc<Timeline> {
        Arc::new(Timeline {
            origin_ns: AtomicU64::new(u64::MAX),
            gates: Mutex::default(),
            stop_ns: AtomicU64::new(u64::MAX),
        })
    }

    /// Media time 0 is capture time `origin_ns`.
    pub(crate) fn start_at(&self, origin_ns: u64) {
        self.origin_ns.store(origin_ns, Ordering::Release);
    }

    /// Whether a frame captured at `capture_ns` is on or after media time 0 (the origin is
    /// set once every path is ready; until then nothing has started).
    pub(crate) fn has_started_by(&self, capture_ns: u64) -> bool {
        capture_ns >= self.origin_ns.load(Ordering::Acquire)
    }

    /// The `index`-th pause (`true`) or resume, with its capture time, in call order.
    pub(crate) fn gate_at(&self, index: usize) -> Option<(u64, bool)> {
        self.gates.lock().unwrap_or_else(PoisonError::into_inner).get(index).copied()
    }

    /// Adds a pause (`pause`) or a resume at capture time `at_ns` — if `send` (the command to the
    /// recorder thread) succeeds. Readers wait meanwhile: none ever sees a gate whose command did
    /// not go through.
    pub(crate) fn gate_if<E>(&self, at_ns: u64, pause: bool, send: impl FnOnce() -> Result<(), E>) -> Result<(), E> {
        let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        gates.push((at_ns, pause));
        let sent = send();
        if sent.is_err() {
            gates.pop();
        }
        sent
    }

    /// Adds a pause or resume from the recorder thread itself (silence), which holds the
    /// recording's state lock as the API does. A gate never goes before the one before it.
    pub(crate) fn gate(&self, at_ns: u64, pause: bool) {
        let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        let at_ns = gates.last().map_or(at_ns, |&(last, _)| at_ns.max(last));
        gates.push((at_ns, pause));
    }

    #[cfg(test)]
    pub(crate) fn pause_at(&self, at_ns: u64) {
        self.gate_if(at_ns, true, || Ok::<(), ()>(())).unwrap_or_default();
    }

    #[cfg(test)]
    pub(crate) fn resume_at(&self, at_ns: u64) {
        self.gate_if(at_ns, false, || Ok::<(), ()>(())).unwrap_or_default();
    }

    /// Media captured from `at_ns` on is not recorded.
    pub(crate) fn stop_at(&self, at_ns: u64) {
        self.stop_ns.store(at_ns, Ordering::Release);
    }

    /// Capture time from which nothing is recorded (`u64::MAX`: not stopping).
    pub(crate) fn stop_ns(&self) -> u64 {
        self.stop_ns.load(Ordering::Acquire)
    }

    /// Where a frame captured at `capture_ns` sits on the timeline; `None` when it was captured
    /// before the recording started or while paused.
    pub(crate) fn media_ns(&self, capture_ns: u64) -> Option<u64> {
        let origin_ns = self.origin_ns.load(Ordering::Acquire);
        if capture_ns < origin_ns {
            return None;
        }
        let gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut paused_since, mut paused_total) = (None, 0u64);
        for &(at, pause) in gates.iter().take_while(|(at, _)| *at <= capture_ns) {
            match (pause, paused_since) {
                (true, None) => paused_since = Some(at.max(origin_ns)),
                (false, Some(since)) => {
                    paused_total += at.saturating_sub(since);
                    paused_since = None;
                }
                _ => {}
            }
        }
        paused_since.is_none().then(|| capture_ns - origin_ns - paused_total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeline_cuts_out_pauses() {
        let t = Timeline::new();
        assert_eq!(t.media_ns(1_500), None, "not started");
        t.start_at(1_000);
        assert_eq!(t.media_ns(999), None);
        assert_eq!(t.media_ns(1_500), Some(500));
        t.pause_at(2_000);
        t.resume_at(3_000);
        assert_eq!(t.media_ns(2_500), None);
        assert_eq!(t.media_ns(3_000), Some(1_000));
        assert_eq!(t.media_ns(4_000), Some(2_000));
        t.pause_at(5_000);
        assert_eq!(t.media_ns(6_000), None);
        assert_eq!(t.media_ns(4_500), Some(2_500));
    }
}
