//! Frames, tracks, streams and the one clock they share.

mod clock;
mod stream;
mod track;
mod video;

pub use clock::now_ns;
pub use stream::MediaStream;
pub use track::{AudioBuffer, MediaStreamTrack, MediaStreamTrackState, MissedFrames, TrackKind, TrackSource};
pub use video::{packed_to_i420, split_planes, PackedLayout, VideoFrame};

/// The engine's sample rate: every audio track delivers 48 kHz, Opus's native rate.
pub const SAMPLE_RATE: u32 = 48_000;
