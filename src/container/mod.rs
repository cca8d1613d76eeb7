//! Streaming muxers. Each writes into memory; the recorder takes the bytes at chunk cuts, so every
//! chunk is a byte range of one valid stream.

pub mod demux;
pub mod mp4;
pub mod ogg;
pub mod webm;

use crate::error::RecorderError;
use crate::mime::Container;

/// How to treat a stream that breaks off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Damage {
    /// Any damage is an error (assembling a finished recording).
    Refuse,
    /// The stream ends at the last whole block before the damage (recovering after a crash).
    EndBefore,
}

/// The video track of a stream (WebM or MP4), as its encoder describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoTrack {
    /// Matroska `CodecID`: `V_VP8`, `V_VP9`, `V_AV1`, `V_MPEG4/ISO/AVC` (which also names the
    /// codec to the MP4 writer).
    pub codec_id: &'static str,
    /// `CodecPrivate` (AV1's `av1C`, H.264's `avcC`; none for VP8/VP9).
    pub codec_private: Option<Vec<u8>>,
    /// Frame size.
    pub width: u32,
    /// Frame size.
    pub height: u32,
    /// The source's frames per second, written as the track's `DefaultDuration`: without it
    /// players guess the rate from the first frames' times, and a guess below the true rate
    /// (a source that started slow) makes ffmpeg's constant-rate clock put two frames in one
    /// tick.
    pub frame_rate: u32,
}

/// What the recorder needs from a container, whichever it is.
pub trait Muxer: Send {
    /// Adds one encoded audio packet: `pts_samples` is where it starts on the 48 kHz timeline
    /// (the encoder's pre-skip included), `samples` how many it decodes to.
    ///
    /// # Errors
    /// `Encoding` when the container writer fails.
    fn write_audio(&mut self, packet: Vec<u8>, pts_samples: u64, samples: u32) -> Result<(), RecorderError>;

    /// Adds one encoded video frame shown from `pts_ms`; a key frame may start a cluster.
    ///
    /// # Errors
    /// `Encoding` when the container has no video track or its writer fails.
    fn write_video(&mut self, _frame: &[u8], _pts_ms: u64, _keyframe: bool) -> Result<(), RecorderError> {
        Err(RecorderError::Encoding("this container carries no video".into()))
    }

    /// Ends the current page/cluster so the bytes taken next start a new one.
    ///
    /// # Errors
    /// `Encoding` when the container writer fails.
    fn cut(&mut self) -> Result<(), RecorderError>;

    /// Ends the stream; `trailing_padding` samples of the last packet are not real audio.
    ///
    /// # Errors
    /// `Encoding` when the container writer fails.
    fn finish(&mut self, trailing_padding: u32) -> Result<(), RecorderError>;

    /// Bytes written since the last call.
    fn take_bytes(&mut self) -> Vec<u8>;
}

/// A muxer for `container`, already holding the stream headers.
///
/// # Errors
/// `Encoding` when the headers cannot be written.
pub fn new_muxer(container: Container, channels: u16, pre_skip: u16) -> Result<Box<dyn Muxer>, RecorderError> {
    new_av_muxer(container, Some((channels, pre_skip)), None)
}

/// A muxer for an Opus track (`(channels, pre_skip)`) and/or a video track.
///
/// # Errors
/// `Encoding` when the container cannot carry the tracks or the headers cannot be written.
pub fn new_av_muxer(
    container: Container,
    audio: Option<(u16, u16)>,
    video: Option<VideoTrack>,
) -> Result<Box<dyn Muxer>, RecorderError> {
    Ok(match (container, audio, video) {
        (Container::Ogg, Some((channels, pre_skip)), None) => Box::new(ogg::OggOpusMuxer::new(channels, pre_skip)?),
        (Container::Ogg, ..) => return Err(RecorderError::Encoding("Ogg carries one Opus track here".into())),
        (Container::WebM, audio, video) => Box::new(webm::WebmMuxer::with_tracks(audio, video)?),
        (Container::Mp4, audio, video) => Box::new(mp4::Mp4Muxer::with_tracks(audio, video)?),
    })
}
