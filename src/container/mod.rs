//! Streaming muxers. Each writes into memory; the recorder takes the bytes at chunk cuts, so every
//! chunk is a byte range of one valid stream.

pub mod demux;
pub mod ogg;
pub mod webm;

use crate::error::RecorderError;
use crate::mime::Container;

/// What the recorder needs from a container, whichever it is.
pub trait Muxer: Send {
    /// Adds one encoded audio packet: `pts_samples` is where it starts on the 48 kHz timeline
    /// (the encoder's pre-skip included), `samples` how many it decodes to.
    ///
    /// # Errors
    /// `Encoding` when the container writer fails.
    fn write_audio(&mut self, packet: Vec<u8>, pts_samples: u64, samples: u32) -> Result<(), RecorderError>;

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
    Ok(match container {
        Container::Ogg => Box::new(ogg::OggOpusMuxer::new(channels, pre_skip)?),
        Container::WebM => Box::new(webm::WebmMuxer::new(channels, pre_skip)?),
    })
}
