//! Encoders. Each FFI library stays behind one small module.

pub mod av1;
pub mod h264;
pub mod opus;
pub mod video;
pub mod vpx;

pub use video::{EncodedVideo, VideoEncoder, VideoSettings};

use crate::error::RecorderError;
use crate::media::VideoFrame;

/// The smallest side rav1e, libaom and OpenH264 are given here.
pub(crate) const MIN_SIDE: u32 = 16;

/// Refuses a picture size an encoder cannot take: odd, or under `min` pixels a side.
pub(crate) fn check_size(width: u32, height: u32, min: u32) -> Result<(), RecorderError> {
    if width < min || height < min || !width.is_multiple_of(2) || !height.is_multiple_of(2) {
        return Err(RecorderError::NotSupported(format!("video size {width}×{height}")));
    }
    Ok(())
}

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
