//! The simulated clock of the test sources that run faster than real time (`realtime=0`, for
//! soak tests). Their timestamps count from one shared epoch, and none runs more than
//! [`SLACK_NS`] of media ahead of the slowest: a recording's sound and picture advance together,
//! as they would live, however fast each can be produced and encoded.
//!
//! The clock is per process: every faster-than-real-time source open at once is on it.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::media::now_ns;

/// How far (media time) one source may run ahead of another: well under the recorder's
/// interleaving window, so neither ever waits on the other for long.
const SLACK_NS: u64 = 200_000_000;
/// The epoch is set this far ahead of the first delivery: a recording that subscribed just
/// before then starts its media time before the first frame, never after it.
const EPOCH_LEAD_NS: u64 = 10_000_000;

#[derive(Default)]
struct State {
    /// Capture time of simulated time 0; set by the first delivery.
    epoch_ns: Option<u64>,
    /// Each member's id and how much media it has delivered (ns since the epoch).
    members: Vec<(u64, u64)>,
    next_id: u64,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

fn lock() -> MutexGuard<'static, Option<State>> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One source on the clock; leaving (drop) frees the others from waiting on it.
pub(super) struct SimMember {
    id: u64,
}

impl SimMember {
    /// Joins the clock with nothing delivered yet.
    pub(super) fn join() -> SimMember {
        let mut guard = lock();
        let state = guard.get_or_insert_with(State::default);
        let id = state.next_id;
        state.next_id += 1;
        state.members.push((id, 0));
        SimMember { id }
    }

    /// The capture time of media `offset_ns` into this source, if it may be delivered now:
    /// `None` while it would be more than [`SLACK_NS`] ahead of another member.
    pub(super) fn time_of(&self, offset_ns: u64) -> Option<u64> {
        let mut guard = lock();
        let state = guard.get_or_insert_with(State::default);
        let ahead = state.members.iter().any(|&(id, done)| id != self.id && offset_ns > done + SLACK_NS);
        if ahead {
            return None;
        }
        let epoch = *state.epoch_ns.get_or_insert_with(|| now_ns() + EPOCH_LEAD_NS);
        Some(epoch + offset_ns)
    }

    /// Media up to `offset_ns` (since the epoch) has been delivered.
    pub(super) fn delivered(&self, offset_ns: u64) {
        if let Some(state) = lock().as_mut() {
            if let Some(member) = state.members.iter_mut().find(|(id, _)| *id == self.id) {
                member.1 = offset_ns;
            }
        }
    }
}

impl Drop for SimMember {
    fn drop(&mut self) {
        let mut guard = lock();
        if let Some(state) = guard.as_mut() {
            state.members.retain(|(id, _)| *id != self.id);
            if state.members.is_empty() {
                // The next run starts a new simulated time.
                *guard = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_share_an_epoch_and_none_runs_far_ahead() {
        let (a, b) = (SimMember::join(), SimMember::join());
        let t0 = a.time_of(0).unwrap();
        assert_eq!(b.time_of(0), Some(t0), "one epoch");
        assert_eq!(a.time_of(SLACK_NS), Some(t0 + SLACK_NS));
        assert_eq!(a.time_of(SLACK_NS + 1), None, "b has delivered nothing yet");
        b.delivered(1_000_000_000);
        assert_eq!(a.time_of(1_100_000_000), Some(t0 + 1_100_000_000));
        drop(b);
        assert!(a.time_of(10_000_000_000).is_some(), "alone, a runs freely");
    }
}
