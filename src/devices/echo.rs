//! The browser's `echoCancellation`: what the speakers play is taken out of the microphone, so a
//! call or a video playing while you speak is not recorded twice (once from the computer, once
//! through the air). The far end is the system's sound (the default output's monitor), placed
//! beside the microphone on the engine clock 10 ms at a time ([`Aligned`]); Speex's adaptive
//! filter models the path from the speakers to the microphone (up to [`TAIL_MS`] long) and takes
//! its prediction out, and its residual-echo suppressor the rest. The output is mono, as the
//! browser's processed microphone is.

use super::mix::Aligned;
use super::speex::EchoCanceller;
use crate::error::RecorderError;
use crate::media::{MediaStreamTrack, TrackKind};

/// The longest echo removed: the speakers' sound may reach the microphone this late (ms),
/// sound server and room together.
pub const TAIL_MS: usize = 200;
/// Speex works on 10 ms frames at 48 kHz.
const FRAME: usize = 480;
const SCALE: f32 = 32_767.0;

/// `track` with the echo of `reference` (what the speakers play) taken out: a new live mono
/// track with `track`'s label and id, ending with it (both are stopped when it is).
///
/// # Errors
/// `NotSupported` for a video track; `Unknown` when the canceller or its thread cannot start.
pub fn cancel_echo(track: MediaStreamTrack, reference: MediaStreamTrack) -> Result<MediaStreamTrack, RecorderError> {
    if track.kind() != TrackKind::Audio || reference.kind() != TrackKind::Audio {
        return Err(RecorderError::NotSupported("echo cancellation takes audio tracks".into()));
    }
    let mut canceller = EchoCanceller::new(FRAME, TAIL_MS * 48, 48_000)
        .ok_or_else(|| RecorderError::Unknown("the echo canceller cannot start".into()))?;
    let cancel = move |blocks: &[Vec<f32>], out: &mut [f32]| {
        let to_i16 = |b: &[f32]| b.iter().map(|s| (s * SCALE).round().clamp(-SCALE, SCALE) as i16).collect::<Vec<_>>();
        let (captured, played) = (to_i16(&blocks[0]), to_i16(&blocks[1]));
        let mut cleaned = [0i16; FRAME];
        canceller.cancel(&captured, &played, &mut cleaned);
        for (o, s) in out.iter_mut().zip(cleaned) {
            *o = f32::from(s) / SCALE;
        }
    };
    let aligned = Aligned {
        name: "echo",
        label: track.label().to_owned(),
        id: track.device_id().to_owned(),
        channels: 1,
        ends_with_first: true,
    };
    aligned.spawn(vec![(track, 1.0), (reference, 1.0)], cancel)
}
