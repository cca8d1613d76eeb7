//! Encoders. Each FFI library stays behind one small module.

pub mod av1;
pub mod h264;
pub mod opus;
pub mod video;
pub mod vpx;

pub use video::{EncodedVideo, VideoEncoder, VideoSettings};

use crate::error::RecorderError;
use crate::media::VideoFrame;

/// Refuses a frame whose size is not the encoder's (or whose data is short): an encoder reads
/// exactly `width`×`height` of I420 from it.
pub(crate) fn check_frame_size(frame: &VideoFrame, (width, height): (u32, u32)) -> Result<(), RecorderError> {
    if frame.width != width || frame.height != height || frame.data.len() < VideoFrame::i420_len(width, height) {
        return Err(RecorderError::Encoding(format!(
            "a {}×{} frame for a {width}×{height} encoder",
            frame.width, frame.height
        )));
    }
    Ok(())
}
