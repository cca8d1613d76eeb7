//! AV1 through rav1e (the `mediarecorder-av1` crate, where rav1e's generic encoder is compiled
//! optimised) or libaom's real-time mode ([`aom`]), on the engine's frames and errors; the
//! [`governor`] chooses between them, and their settings, for a recording.

mod aom;
mod governor;
mod memo;

pub use aom::{AomConfig, AomEncoder};
pub use governor::{choose_av1, Av1Choice, Av1Engine};
pub use mediarecorder_av1::sequence_header_obu;
use mediarecorder_av1::{Encoder, Settings};

use super::video::{EncodedVideo, VideoEncoder, VideoSettings};
use crate::error::RecorderError;
use crate::media::VideoFrame;

/// What the encoder is set up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Av1Config {
    /// Frame size (even).
    pub width: u32,
    /// Frame size (even).
    pub height: u32,
    /// Nominal frame rate, for rate control.
    pub fps: u32,
    /// Target bitrate.
    pub bits_per_second: u32,
    /// rav1e speed preset, 0 (slow) to 10 (fastest).
    pub speed: u8,
    /// Tiles (encoded in parallel); 0: rav1e decides.
    pub tiles: u32,
    /// Encoder threads.
    pub threads: u32,
}

/// Key frames at least this often (as the VPx path).
const MAX_KEYFRAME_INTERVAL_S: u64 = 2;

/// A rav1e encoder in low-latency mode: one packet per frame, no reordering.
pub struct Av1Encoder {
    inner: Encoder,
    config: Av1Config,
}

impl Av1Encoder {
    /// An encoder for `config`.
    ///
    /// # Errors
    /// `NotSupported` for a size rav1e refuses; `Encoding` for any other failure.
    pub fn new(config: Av1Config) -> Result<Av1Encoder, RecorderError> {
        crate::codec::check_size(config.width, config.height, crate::codec::MIN_SIDE)?;
        let inner = Encoder::new(Settings {
            width: config.width,
            height: config.height,
            fps: config.fps,
            bits_per_second: config.bits_per_second,
            speed: config.speed,
            tiles: config.tiles,
            threads: config.threads,
            max_key_interval: u64::from(config.fps.max(1)) * MAX_KEYFRAME_INTERVAL_S,
        })
        .map_err(RecorderError::Encoding)?;
        Ok(Av1Encoder { inner, config })
    }

    /// The configuration it runs with.
    pub fn config(&self) -> Av1Config {
        self.config
    }

    /// The WebM `CodecPrivate`: `av1C` and the sequence header OBU.
    pub fn codec_private(&self, sequence_header: &[u8]) -> Vec<u8> {
        self.inner.codec_private(sequence_header)
    }

    /// Encodes one frame shown at `pts_ms`; `keyframe` forces a key frame.
    ///
    /// # Errors
    /// `Encoding` when the frame's size differs from the configuration or rav1e fails.
    pub fn encode(
        &mut self,
        frame: &VideoFrame,
        pts_ms: i64,
        keyframe: bool,
    ) -> Result<Vec<EncodedVideo>, RecorderError> {
        super::check_frame_size(frame, (self.config.width, self.config.height))?;
        let (y, u, v) = frame.planes();
        let packets = self.inner.encode([y, u, v], pts_ms, keyframe).map_err(RecorderError::Encoding)?;
        Ok(packets.into_iter().map(|p| EncodedVideo { data: p.data, pts_ms: p.pts, keyframe: p.keyframe }).collect())
    }

    /// Ends the stream and returns the packets still inside the encoder.
    ///
    /// # Errors
    /// `Encoding` when rav1e fails.
    pub fn flush(&mut self) -> Result<Vec<EncodedVideo>, RecorderError> {
        let packets = self.inner.flush().map_err(RecorderError::Encoding)?;
        Ok(packets.into_iter().map(|p| EncodedVideo { data: p.data, pts_ms: p.pts, keyframe: p.keyframe }).collect())
    }
}

/// An AV1 encoder for a recording, with the settings the governor measured this machine for:
/// the source's size, or half its width and height where only that keeps up.
///
/// # Errors
/// `NotSupported` when AV1 cannot keep up even at half size (naming VP8, which can);
/// `Encoding` when rav1e fails.
pub fn open(settings: &VideoSettings) -> Result<Box<dyn VideoEncoder>, RecorderError> {
    let choice = choose_av1(settings.width, settings.height, settings.fps, settings.bits_per_second)?;
    let engine = match choice.engine {
        Av1Engine::Rav1e(config) => Engine::Rav1e(Box::new(Av1Encoder::new(config)?)),
        Av1Engine::Aom(config) => Engine::Aom(AomEncoder::new(config)?),
    };
    Ok(Box::new(Av1Video {
        engine,
        size: choice.engine.size(),
        scale: choice.scale,
        codec_private: choice.codec_private.clone(),
        description: choice.describe(),
    }))
}

/// The encoder chosen.
enum Engine {
    Rav1e(Box<Av1Encoder>),
    Aom(AomEncoder),
}

/// The chosen AV1 encoder behind [`VideoEncoder`]: frames of the source's size, scaled as chosen.
struct Av1Video {
    engine: Engine,
    size: (u32, u32),
    /// 1: the source's size; 2: half its width and height.
    scale: u32,
    codec_private: Vec<u8>,
    description: String,
}

impl VideoEncoder for Av1Video {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn encode(
        &mut self,
        frame: &VideoFrame,
        pts_ms: i64,
        duration_ms: u32,
        keyframe: bool,
    ) -> Result<Vec<EncodedVideo>, RecorderError> {
        let half;
        let frame = match self.scale {
            1 => frame,
            _ => {
                half = frame.half();
                &half
            }
        };
        match &mut self.engine {
            Engine::Rav1e(encoder) => encoder.encode(frame, pts_ms, keyframe),
            Engine::Aom(encoder) => encoder.encode(frame, pts_ms, duration_ms, keyframe),
        }
    }

    fn flush(&mut self) -> Result<Vec<EncodedVideo>, RecorderError> {
        match &mut self.engine {
            Engine::Rav1e(encoder) => encoder.flush(),
            Engine::Aom(encoder) => encoder.flush(),
        }
    }

    fn webm_codec_id(&self) -> &'static str {
        "V_AV1"
    }

    fn codec_private(&self) -> Option<Vec<u8>> {
        Some(self.codec_private.clone())
    }

    fn description(&self) -> String {
        self.description.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::{render_pattern, PatternSpec};

    #[test]
    fn the_test_pattern_encodes_with_key_frames_where_asked() {
        let spec = PatternSpec::parse("test:pattern?w=320&h=240&fps=30").unwrap().unwrap();
        let config =
            Av1Config { width: 320, height: 240, fps: 30, bits_per_second: 500_000, speed: 10, tiles: 2, threads: 2 };
        let mut enc = Av1Encoder::new(config).unwrap();
        let mut packets = Vec::new();
        for n in 0..20u32 {
            let mut data = vec![0u8; VideoFrame::i420_len(320, 240)];
            render_pattern(&spec, n, n * 33, &mut data);
            let frame = VideoFrame { pts_ns: 0, width: 320, height: 240, data: data.into() };
            packets.extend(enc.encode(&frame, i64::from(n * 33), n == 10).unwrap());
        }
        packets.extend(enc.flush().unwrap());
        assert_eq!(packets.iter().map(|p| p.pts_ms).collect::<Vec<_>>(), (0..20).map(|n| n * 33).collect::<Vec<_>>());
        assert!(packets[0].keyframe && packets[10].keyframe && !packets[1].keyframe);
        assert!(sequence_header_obu(&packets[0].data).is_some());
        assert!(matches!(Av1Encoder::new(Av1Config { width: 321, ..config }), Err(RecorderError::NotSupported(_))));
    }
}
