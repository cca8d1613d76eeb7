//! The one interface every video encoder offers the recorder. A recording asks [`open`] for an
//! encoder of its codec with [`VideoSettings`]; what it gets back encodes frames into packets and
//! says what it is. Adding an encoder is a module that implements [`VideoEncoder`] and a line in
//! [`ENCODERS`]: nothing in `recorder/` changes.

use crate::error::RecorderError;
use crate::media::VideoFrame;
use crate::mime::VideoCodec;

/// One encoded frame.
#[derive(Debug, Clone)]
pub struct EncodedVideo {
    /// The codec's bitstream for this frame.
    pub data: Vec<u8>,
    /// Presentation time in milliseconds, as given to [`VideoEncoder::encode`].
    pub pts_ms: i64,
    /// A key frame (a cluster may start here).
    pub keyframe: bool,
}

/// What a recording asks of its video encoder, whatever the codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoSettings {
    /// The source's frame width (an encoder may record a smaller picture: [`VideoEncoder::size`]).
    pub width: u32,
    /// The source's frame height.
    pub height: u32,
    /// The source's frame rate, which rate control plans for.
    pub fps: u32,
    /// Target bitrate.
    pub bits_per_second: u32,
    /// Cores the encoder may use.
    pub cpus: u32,
}

/// A real-time video encoder: I420 frames of the source's size in, packets out in the same
/// order (no reordering, no look-ahead beyond what [`flush`](VideoEncoder::flush) returns), a key
/// frame wherever asked and at least every 2 s.
pub trait VideoEncoder: Send {
    /// The size it records (smaller than the source's when it had to be, to keep up).
    fn size(&self) -> (u32, u32);

    /// Encodes `frame`, shown at `pts_ms` for `duration_ms`; `keyframe` forces a key frame.
    /// Returns the packets ready (none, one, or several after a delay).
    ///
    /// # Errors
    /// `Encoding` when the frame's size is not the source's or the encoder fails.
    fn encode(
        &mut self,
        frame: &VideoFrame,
        pts_ms: i64,
        duration_ms: u32,
        keyframe: bool,
    ) -> Result<Vec<EncodedVideo>, RecorderError>;

    /// Ends the stream: the packets still inside.
    ///
    /// # Errors
    /// `Encoding` when the encoder fails.
    fn flush(&mut self) -> Result<Vec<EncodedVideo>, RecorderError>;

    /// The Matroska `CodecID` (`V_VP8`, `V_VP9`, `V_AV1`, `V_MPEG4/ISO/AVC`), which also names
    /// the codec to the MP4 writer.
    fn webm_codec_id(&self) -> &'static str;

    /// The Matroska `CodecPrivate`, when the codec has one.
    fn codec_private(&self) -> Option<Vec<u8>>;

    /// What encodes and how, in words, for `stats().video_encoder` and the CLI's summary.
    fn description(&self) -> String;
}

/// Opens an encoder for a recording.
type Open = fn(&VideoSettings) -> Result<Box<dyn VideoEncoder>, RecorderError>;

/// Which encoder records which codec.
const ENCODERS: &[(VideoCodec, Open)] = &[
    (VideoCodec::Vp8, super::vpx::open_vp8),
    (VideoCodec::Vp9, super::vpx::open_vp9),
    (VideoCodec::Av1, super::av1::open),
    (VideoCodec::H264, super::h264::open),
];

/// An encoder for `codec`, set up for `settings`.
///
/// # Errors
/// `NotSupported` when no encoder records `codec`, or the one that does cannot on this machine
/// (AV1 too slow, naming the codec that can); `Encoding` when the encoder cannot start.
pub fn open(codec: VideoCodec, settings: &VideoSettings) -> Result<Box<dyn VideoEncoder>, RecorderError> {
    let (_, open) = ENCODERS
        .iter()
        .find(|(c, _)| *c == codec)
        .ok_or_else(|| RecorderError::NotSupported(format!("no encoder records {codec:?}")))?;
    open(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_video_codec_has_an_encoder() {
        let settings = VideoSettings { width: 64, height: 48, fps: 30, bits_per_second: 200_000, cpus: 2 };
        for codec in [VideoCodec::Vp8, VideoCodec::Vp9, VideoCodec::Av1, VideoCodec::H264] {
            let encoder = open(codec, &settings).unwrap_or_else(|e| panic!("{codec:?}: {e}"));
            assert!(!encoder.description().is_empty());
            assert!(encoder.webm_codec_id().starts_with("V_"));
        }
    }
}
