//! What the controller has to tell the window, waiting for the window's next frame. Most updates
//! are the latest value of something (the level, the picture, the device list, the state): a
//! newer one replaces the one waiting, so the window draws each from its latest value and a
//! window that does not draw (hidden, minimised, on another workspace) holds at most one of each.
//! Messages (notices, errors, "where to save?") are kept in order, the oldest dropped past
//! [`MAX_MESSAGES`]. Posting never blocks: the controller, and through it the recorder, never
//! waits on the window.

use std::mem::{discriminant, Discriminant};
use std::sync::{Mutex, PoisonError};

use super::state::Update;

/// Messages kept for a window that is not drawing; older ones are superseded by then.
pub const MAX_MESSAGES: usize = 32;

/// Updates waiting for the window.
#[derive(Default)]
pub struct Mailbox {
    waiting: Mutex<Vec<Update>>,
}

impl Mailbox {
    /// Leaves `update` for the window: in place of the waiting one of its kind if it is a value,
    /// after the others if it is a message.
    pub fn post(&self, update: Update) {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        match value_kind(&update) {
            Some(kind) => waiting.retain(|u| value_kind(u) != Some(kind)),
            None => {
                let messages = waiting.iter().filter(|u| value_kind(u).is_none()).count();
                if messages >= MAX_MESSAGES {
                    if let Some(oldest) = waiting.iter().position(|u| value_kind(u).is_none()) {
                        waiting.remove(oldest);
                    }
                }
            }
        }
        waiting.push(update);
    }

    /// Everything waiting, in the order it was (last) posted.
    pub fn take(&self) -> Vec<Update> {
        std::mem::take(&mut *self.waiting.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The kind of a value update (a newer one of the same kind replaces it); `None` for messages.
fn value_kind(update: &Update) -> Option<Discriminant<Update>> {
    match update {
        Update::Notice(_) | Update::Error(_) | Update::AskSavePath { .. } => None,
        value => Some(discriminant(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordingState;

    fn progress(ms: f64) -> Update {
        Update::Progress { media_ms: ms, bytes: 0 }
    }

    #[test]
    fn a_newer_value_replaces_the_waiting_one_and_messages_are_all_kept_in_order() {
        let mailbox = Mailbox::default();
        mailbox.post(progress(100.0));
        mailbox.post(Update::Notice("one".into()));
        mailbox.post(Update::State(RecordingState::Recording));
        mailbox.post(progress(200.0));
        mailbox.post(Update::Error("two".into()));
        assert_eq!(
            mailbox.take(),
            vec![
                Update::Notice("one".into()),
                Update::State(RecordingState::Recording),
                progress(200.0),
                Update::Error("two".into())
            ]
        );
        assert_eq!(mailbox.take(), Vec::new());
    }

    #[test]
    fn a_window_that_never_draws_holds_one_of_each_value_and_the_newest_messages() {
        let mailbox = Mailbox::default();
        for i in 0..100_000 {
            mailbox.post(progress(f64::from(i)));
            mailbox.post(Update::Meter(Default::default()));
            if i % 100 == 0 {
                mailbox.post(Update::Notice(format!("notice {i}")));
            }
        }
        let waiting = mailbox.take();
        assert_eq!(waiting.len(), 2 + MAX_MESSAGES);
        assert_eq!(waiting.iter().filter(|u| matches!(u, Update::Progress { .. })).count(), 1);
        assert!(waiting.contains(&progress(99_999.0)));
        assert_eq!(waiting.first(), Some(&Update::Notice(format!("notice {}", 100 * (1000 - MAX_MESSAGES)))));
    }
}
