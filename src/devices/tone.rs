//! The built-in test tone: a sine paced in real time like a device, the default source on
//! machines without a microphone.

use std::f64::consts::TAU;
use std::sync::Arc;
use std::time::Duration;

use super::sim_clock::SimMember;
use crate::error::RecorderError;
use crate::media::{now_ns, AudioBuffer, MediaStreamTrack, TrackKind, TrackSource, SAMPLE_RATE};

/// 10 ms blocks, the usual period of a desktop capture device.
const BLOCK_FRAMES: usize = 480;

/// A parsed `test:tone[?hz=F][&realtime=0][&seconds=S]` id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneSpec {
    /// Frequency in Hz.
    pub hz: f64,
    /// Paced like a device (the default), or as fast as the recorder takes it, on a simulated
    /// clock: an hour of audio in well under a minute, for soak tests.
    pub realtime: bool,
    /// End the track after this many seconds of audio (as a device that is unplugged).
    pub seconds: Option<f64>,
}

impl Default for ToneSpec {
    fn default() -> ToneSpec {
        ToneSpec { hz: 440.0, realtime: true, seconds: None }
    }
}

impl ToneSpec {
    /// `None` when `id` is not a tone id; `Some(Err)` when it is one with bad parameters.
    pub fn parse(id: &str) -> Option<Result<ToneSpec, RecorderError>> {
        let rest = id.strip_prefix(super::TEST_TONE_ID)?;
        let query = match rest {
            "" => return Some(Ok(ToneSpec::default())),
            q => q.strip_prefix('?')?,
        };
        let mut spec = ToneSpec::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let bad = || RecorderError::NotFound(format!("bad test tone parameter \"{pair}\" in \"{id}\""));
            match pair.split_once('=') {
                Some(("hz", v)) => match v.parse::<f64>() {
                    Ok(hz) if (1.0..=20_000.0).contains(&hz) => spec.hz = hz,
                    _ => return Some(Err(bad())),
                },
                Some(("realtime", "0" | "false")) => spec.realtime = false,
                Some(("realtime", "1" | "true")) => spec.realtime = true,
                Some(("seconds", v)) => match v.parse::<f64>() {
                    Ok(s) if s > 0.0 && s.is_finite() => spec.seconds = Some(s),
                    _ => return Some(Err(bad())),
                },
                _ => return Some(Err(bad())),
            }
        }
        Some(Ok(spec))
    }
}

pub(super) fn open(spec: ToneSpec) -> Result<MediaStreamTrack, RecorderError> {
    let source = TrackSource::new();
    let thread_source = Arc::clone(&source);
    let thread = std::thread::Builder::new()
        .name("source:tone".into())
        .spawn(move || run(spec, &thread_source))
        .map_err(|e| RecorderError::os("cannot start the test tone thread", e))?;
    let pace = if spec.realtime { "" } else { ", faster than real time" };
    let label = format!("{} ({} Hz{pace})", super::labels::TEST_TONE, spec.hz);
    let mut params = Vec::new();
    if spec.hz != 440.0 {
        params.push(format!("hz={}", spec.hz));
    }
    if !spec.realtime {
        params.push("realtime=0".into());
    }
    if let Some(seconds) = spec.seconds {
        params.push(format!("seconds={seconds}"));
    }
    let id = match params.is_empty() {
        true => super::TEST_TONE_ID.to_string(),
        false => format!("{}?{}", super::TEST_TONE_ID, params.join("&")),
    };
    Ok(MediaStreamTrack::new(TrackKind::Audio, label, id, 1, None, source, thread))
}

/// Mono sine at -6 dBFS, one block per 10 ms. Pacing uses absolute deadlines (start + n·period),
/// so scheduling jitter never accumulates into drift; timestamps come from the sample count, on
/// the shared simulated clock when not real time.
fn run(spec: ToneSpec, source: &TrackSource) {
    let start_ns = now_ns();
    let simulated = (!spec.realtime).then(SimMember::join);
    let step = TAU * spec.hz / f64::from(SAMPLE_RATE);
    let mut phase = 0.0f64;
    let mut frames_done: u64 = 0;
    let last_frame = spec.seconds.map(|s| (s * f64::from(SAMPLE_RATE)).round() as u64);
    let offset_of = |frames: u64| frames * 1_000_000_000 / u64::from(SAMPLE_RATE);
    while !source.is_ended() {
        if last_frame.is_some_and(|last| frames_done >= last) {
            // A planned end, not a failure: no reason to report.
            source.end(None);
            break;
        }
        let pts_ns = match &simulated {
            None => {
                // A device delivers a block once it has been captured: wait until its last
                // sample is "real".
                let block_end_ns = start_ns + offset_of(frames_done + BLOCK_FRAMES as u64);
                let now = now_ns();
                if block_end_ns > now {
                    std::thread::sleep(Duration::from_nanos(block_end_ns - now));
                }
                start_ns + offset_of(frames_done)
            }
            // As fast as the listeners take it, and never faster: nothing is dropped. (Readiness
            // first: the clock's epoch is set by the first delivery, not by waiting.)
            Some(clock) => match source.ready_for_more().then(|| clock.time_of(offset_of(frames_done))).flatten() {
                Some(pts_ns) => pts_ns,
                None => {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
            },
        };
        let samples: Vec<f32> = (0..BLOCK_FRAMES)
            .map(|_| {
                let s = (phase.sin() * 0.5) as f32;
                phase = (phase + step) % TAU;
                s
            })
            .collect();
        source.deliver(AudioBuffer { pts_ns, channels: 1, samples: samples.into() });
        frames_done += BLOCK_FRAMES as u64;
        if let Some(clock) = &simulated {
            clock.delivered(offset_of(frames_done));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tone_ids() {
        assert_eq!(ToneSpec::parse("test:tone").unwrap().unwrap().hz, 440.0);
        assert_eq!(ToneSpec::parse("test:tone?hz=880").unwrap().unwrap().hz, 880.0);
        let fast = ToneSpec::parse("test:tone?realtime=0&seconds=3600").unwrap().unwrap();
        assert_eq!((fast.realtime, fast.seconds), (false, Some(3600.0)));
        assert!(ToneSpec::parse("test:tone?seconds=-1").unwrap().is_err());
        assert!(ToneSpec::parse("test:tone?hz=0").unwrap().is_err());
        assert!(ToneSpec::parse("test:tone?volume=1").unwrap().is_err());
        assert!(ToneSpec::parse("test:tones").is_none());
        assert!(ToneSpec::parse("pulseaudio:mic").is_none());
    }
}
