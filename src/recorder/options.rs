//! `MediaRecorderOptions` and how bitrates are resolved from them.

use super::silence::SilenceOptions;
use crate::codec::opus;

/// Constant or variable bitrate for audio (the web's `BitrateMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BitrateMode {
    /// Every packet the same size: hides speech patterns from traffic analysis.
    Constant,
    /// The default: quality held, size varies.
    #[default]
    Variable,
}

/// Options for [`MediaRecorder::new`](crate::MediaRecorder::new), as the web's dictionary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaRecorderOptions {
    /// The container and codecs, e.g. `audio/ogg;codecs=opus`; `None` or empty: the recorder picks.
    pub mime_type: Option<String>,
    /// Audio bitrate in bit/s (default 128 kbit/s).
    pub audio_bits_per_second: Option<u32>,
    /// Video bitrate in bit/s.
    pub video_bits_per_second: Option<u32>,
    /// Total bitrate; overrides the per-track values (split as the recorder chooses).
    pub bits_per_second: Option<u32>,
    /// Constant or variable audio bitrate.
    pub audio_bitrate_mode: BitrateMode,
    /// Pause while the audio is silent, resume when sound returns (an extension; `None`: off).
    /// The pauses are the spec's: the state changes and `Pause`/`Resume` events fire.
    pub pause_on_silence: Option<SilenceOptions>,
    /// `videoKeyFrameIntervalDuration`: a key frame at least this often, ms of media.
    pub video_key_frame_interval_duration: Option<f64>,
    /// `videoKeyFrameIntervalCount`: a key frame at least every this many frames. Setting both
    /// makes `start()` fail with `NotSupported`, as the spec says.
    pub video_key_frame_interval_count: Option<u32>,
}

/// The key-frame interval the options ask for (besides the one opening each chunk).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum KeyFrameInterval {
    /// Media time since the last key frame, ms.
    Duration(f64),
    /// Frames since the last key frame.
    Count(u32),
}

/// The options' key-frame interval: `Err` (the spec's `NotSupportedError`) when both are set.
pub(crate) fn key_frame_interval(options: &MediaRecorderOptions) -> Result<Option<KeyFrameInterval>, String> {
    match (options.video_key_frame_interval_duration, options.video_key_frame_interval_count) {
        (Some(_), Some(_)) => {
            Err("videoKeyFrameIntervalDuration and videoKeyFrameIntervalCount cannot both be set".into())
        }
        (Some(ms), None) if ms.is_finite() && ms > 0.0 => Ok(Some(KeyFrameInterval::Duration(ms))),
        (None, Some(n)) if n > 0 => Ok(Some(KeyFrameInterval::Count(n))),
        // Zero, negative or not a number: no interval (the UA's choice), as a browser treats it.
        _ => Ok(None),
    }
}

/// Browsers' default video bitrate.
pub const DEFAULT_VIDEO_BITRATE: u32 = 2_500_000;

/// The bitrates in force: `(audio, video)`, clamped to what the encoders accept.
pub(crate) fn resolve_bitrates(options: &MediaRecorderOptions, has_video: bool) -> (u32, u32) {
    let clamp_audio = |b: u32| b.clamp(opus::MIN_BITRATE, opus::MAX_BITRATE);
    if let Some(total) = options.bits_per_second {
        // All of it to audio when there is no video; otherwise audio gets what Opus needs for
        // transparent music (up to 128 kbit/s, at most a tenth), video the rest.
        if !has_video {
            return (clamp_audio(total), total);
        }
        let audio = clamp_audio((total / 10).min(opus::DEFAULT_BITRATE));
        return (audio, total.saturating_sub(audio).max(100_000));
    }
    (
        clamp_audio(options.audio_bits_per_second.unwrap_or(opus::DEFAULT_BITRATE)),
        options.video_bits_per_second.unwrap_or(DEFAULT_VIDEO_BITRATE),
    )
}
