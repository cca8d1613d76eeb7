//! The browser's audio constraints on a track, before the encoder: `echoCancellation`,
//! `noiseSuppression` and `autoGainControl` (`getUserMedia({audio: {noiseSuppression: true, …}})`),
//! in that order, as the browser applies them. Echo cancellation is [`super::echo`]'s.
//!
//! Noise suppression is RNNoise's band gains on each channel, 10 ms at a time ([`super::denoise`]),
//! followed by a gentle downward expander on the frames RNNoise is sure hold no voice (between
//! words RNNoise alone takes white noise 20–29 dB down on three voices; the expander adds 1–3 dB
//! there). Automatic gain brings speech toward
//! [`TARGET_DBFS`] (measured on frames with voice, so pauses do not pump it up), a few dB a
//! second, and a limiter keeps every sample under -1 dBFS.

use std::sync::Arc;

use super::denoise::{Denoiser, DELAY, FRAME};
use crate::error::RecorderError;
use crate::media::{AudioBuffer, MediaStreamTrack, TrackKind, TrackSource};

/// The speech level automatic gain aims at: the mean level of voiced 10 ms frames, dBFS.
pub const TARGET_DBFS: f32 = -20.0;
/// Gain limits and speeds of the automatic gain (dB, dB per second).
const MAX_GAIN_DB: f32 = 30.0;
const MIN_GAIN_DB: f32 = -20.0;
const RISE_DB_PER_S: f32 = 10.0;
const FALL_DB_PER_S: f32 = 30.0;
/// The limiter's ceiling: -1 dBFS.
const CEILING: f32 = 0.891;
/// Frames this far below the speech level are not speech (dB): pauses, breaths, the tails of
/// words.
pub const SPEECH_RANGE_DB: f32 = 25.0;
/// The expander: frames RNNoise is sure hold no voice are lowered by up to this (dB).
const EXPANDER_DB: f32 = 12.0;
/// RNNoise's voice probability under which a frame holds no voice. Low: the expander lowering
/// the quiet ends of words costs more against the clean speech than it takes off the pauses
/// (at 0.3, 0.3–0.7 dB less SNR for 0.3–2 dB more in the pauses, on three voices).
const NO_VOICE: f32 = 0.1;

/// Which of the browser's audio processing constraints are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AudioProcessing {
    /// `echoCancellation`: what the system's default output plays is taken out.
    pub echo_cancellation: bool,
    /// `noiseSuppression`.
    pub noise_suppression: bool,
    /// `autoGainControl`.
    pub auto_gain_control: bool,
}

impl AudioProcessing {
    /// What the browser turns on for a source unless asked otherwise: everything for a
    /// microphone (`getUserMedia`), nothing for the system's sound (as `getDisplayMedia`'s
    /// audio) or a test source.
    pub fn defaults_for(id: &str) -> AudioProcessing {
        let microphone = !super::is_system_sound(id) && !id.starts_with("test:");
        AudioProcessing { echo_cancellation: microphone, noise_suppression: microphone, auto_gain_control: microphone }
    }

    /// Nothing on: the track is recorded as captured.
    pub fn is_off(&self) -> bool {
        !self.echo_cancellation && !self.noise_suppression && !self.auto_gain_control
    }
}

/// `track` with `processing` applied, as a new live track of the same label and id (the source
/// stops with it); the track itself when nothing is on. Echo cancellation takes the system's
/// sound (`system`) as what the speakers play; where there is none to record (an ALSA-only
/// machine, an output without a monitor) there is nothing it could take out, and the track is
/// processed without it — its [`processing`](MediaStreamTrack::processing) says which ran, as
/// `getSettings()` does.
///
/// # Errors
/// `NotSupported` for a video track; `Unknown` when a processing thread cannot start.
pub fn process_track(track: MediaStreamTrack, processing: AudioProcessing) -> Result<MediaStreamTrack, RecorderError> {
    if track.kind() != TrackKind::Audio {
        return Err(RecorderError::NotSupported("audio processing takes an audio track".into()));
    }
    let reference = processing.echo_cancellation.then(|| super::open_audio(super::SYSTEM_SOUND_ID).ok()).flatten();
    let processing = AudioProcessing { echo_cancellation: reference.is_some(), ..processing };
    if processing.is_off() {
        return Ok(track);
    }
    let track = match reference {
        Some(reference) => {
            let cancelled = super::cancel_echo(track, reference)?;
            if !processing.noise_suppression && !processing.auto_gain_control {
                cancelled.set_processing(processing);
                return Ok(cancelled);
            }
            cancelled
        }
        None => track,
    };
    let buffers = track.subscribe_audio();
    let source = TrackSource::new();
    let thread_source = Arc::clone(&source);
    let input = track.clone();
    let thread = std::thread::Builder::new()
        .name("source:process".into())
        .spawn(move || {
            let mut chain = Chain::new(processing, usize::from(input.channels().clamp(1, 2)));
            // Woken now and then without a buffer: a stalled device must not keep this thread
            // (and whoever stops the track, which joins it) waiting.
            while !thread_source.is_ended() {
                match buffers.recv_timeout(std::time::Duration::from_millis(100)) {
                    Ok(buffer) => {
                        if let Some(out) = chain.push(&buffer) {
                            thread_source.deliver(out);
                        }
                    }
                    Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                    Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
                }
            }
            input.stop();
            thread_source.end(input.end_reason());
        })
        .map_err(|e| RecorderError::os("cannot start the audio processing thread", e))?;
    let processed = MediaStreamTrack::new(
        TrackKind::Audio,
        track.label().to_owned(),
        track.device_id().to_owned(),
        track.channels(),
        None,
        source,
        thread,
    );
    processed.set_processing(processing);
    Ok(processed)
}

/// The processing state of one track.
struct Chain {
    processing: AudioProcessing,
    channels: usize,
    denoisers: Vec<Denoiser>,
    /// Samples waiting for a whole frame, interleaved, with the capture time of the first.
    pending: Vec<f32>,
    pending_ns: u64,
    expander_gain: f32,
    agc_db: f32,
    speech_db: Option<f32>,
}

impl Chain {
    fn new(processing: AudioProcessing, channels: usize) -> Chain {
        Chain {
            processing,
            channels,
            denoisers: (0..channels).map(|_| Denoiser::new()).collect(),
            pending: Vec::new(),
            pending_ns: 0,
            expander_gain: 1.0,
            agc_db: 0.0,
            speech_db: None,
        }
    }

    /// Takes a buffer; returns the whole frames processed so far (`None` until one is).
    fn push(&mut self, buffer: &AudioBuffer) -> Option<AudioBuffer> {
        if usize::from(buffer.channels.clamp(1, 2)) != self.channels {
            return Some(buffer.clone());
        }
        if self.pending.is_empty() {
            self.pending_ns = buffer.pts_ns;
        }
        self.pending.extend_from_slice(&buffer.samples);
        let whole = self.pending.len() / (FRAME * self.channels) * FRAME * self.channels;
        if whole == 0 {
            return None;
        }
        let mut out: Vec<f32> = self.pending.drain(..whole).collect();
        for frame in out.chunks_exact_mut(FRAME * self.channels) {
            self.frame(frame);
        }
        // What comes out was captured the denoiser's delay earlier.
        let delay_ns = if self.processing.noise_suppression { DELAY as u64 * 1_000_000_000 / 48_000 } else { 0 };
        let pts_ns = self.pending_ns.saturating_sub(delay_ns);
        self.pending_ns += (whole / self.channels) as u64 * 1_000_000_000 / 48_000;
        Some(AudioBuffer { pts_ns, channels: self.channels as u16, samples: out.into() })
    }

    /// One 10 ms frame, interleaved, in place.
    fn frame(&mut self, frame: &mut [f32]) {
        let ch = self.channels;
        let mut voice = 0.0f32;
        if self.processing.noise_suppression {
            for (c, denoiser) in self.denoisers.iter_mut().enumerate() {
                let mut samples = [0.0f32; FRAME];
                for (s, x) in samples.iter_mut().zip(frame.iter().skip(c).step_by(ch)) {
                    *s = *x;
                }
                voice = voice.max(denoiser.process(&mut samples));
                for (i, s) in samples.iter().enumerate() {
                    frame[i * ch + c] = *s;
                }
            }
            // The expander: down quickly in the pauses, up at once when a voice starts.
            let target = if voice < NO_VOICE { db_to_gain(-EXPANDER_DB) } else { 1.0 };
            let speed = if target < self.expander_gain { 0.15 } else { 0.6 };
            let next = self.expander_gain + (target - self.expander_gain) * speed;
            ramp(frame, ch, self.expander_gain, next);
            self.expander_gain = next;
        }
        if self.processing.auto_gain_control {
            self.auto_gain(frame, voice);
        }
    }

    fn auto_gain(&mut self, frame: &mut [f32], voice: f32) {
        let ch = self.channels;
        let rms = (frame.iter().map(|s| s * s).sum::<f32>() / frame.len() as f32).sqrt();
        let level_db = 20.0 * rms.max(1e-9).log10();
        // Voiced frames steer the gain: RNNoise's word when it runs, and a level gate (within
        // SPEECH_RANGE_DB of the speech so far, above -60 dBFS), so pauses never pump it up.
        let near_speech = level_db > -60.0 && self.speech_db.is_none_or(|s| level_db > s - SPEECH_RANGE_DB);
        let voiced = near_speech && (!self.processing.noise_suppression || voice > 0.6);
        if voiced {
            // The speech level: the mean level (dB) of its voiced frames, over about a second.
            let speech = self.speech_db.map_or(level_db, |s| s + (level_db - s) * 0.02);
            self.speech_db = Some(speech);
        }
        let from = self.agc_db;
        if let Some(speech) = self.speech_db {
            let wanted = (TARGET_DBFS - speech).clamp(MIN_GAIN_DB, MAX_GAIN_DB);
            let step = if wanted > from { RISE_DB_PER_S / 100.0 } else { -FALL_DB_PER_S / 100.0 };
            self.agc_db = if (wanted - from).abs() <= step.abs() { wanted } else { from + step };
        }
        // The limiter: the frame's peak after the gain stays under the ceiling.
        let peak = frame.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        let limit_db = 20.0 * (CEILING / peak.max(1e-9)).log10();
        let to = self.agc_db.min(limit_db);
        ramp(frame, ch, db_to_gain(from.min(limit_db)), db_to_gain(to));
        self.agc_db = self.agc_db.min(limit_db.max(MIN_GAIN_DB));
    }
}

fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Scales a frame by a gain moving linearly from `from` to `to` (no step, no click).
fn ramp(frame: &mut [f32], channels: usize, from: f32, to: f32) {
    let n = (frame.len() / channels) as f32;
    for (i, sample) in frame.chunks_exact_mut(channels).enumerate() {
        let g = from + (to - from) * (i as f32 + 1.0) / n;
        for s in sample {
            *s = (*s * g).clamp(-CEILING, CEILING);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, level: f32, seed: &mut u32) -> Vec<f32> {
        (0..n)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 17;
                *seed ^= *seed << 5;
                (*seed as f32 / u32::MAX as f32 * 2.0 - 1.0) * level
            })
            .collect()
    }

    fn rms_db(s: &[f32]) -> f32 {
        20.0 * ((s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).sqrt()).max(1e-9).log10()
    }

    fn run(processing: AudioProcessing, input: &[f32]) -> Vec<f32> {
        let mut chain = Chain::new(processing, 1);
        let mut out = Vec::new();
        for (k, block) in input.chunks(480).enumerate() {
            let buffer = AudioBuffer { pts_ns: k as u64 * 10_000_000, channels: 1, samples: block.to_vec().into() };
            if let Some(b) = chain.push(&buffer) {
                out.extend_from_slice(&b.samples);
            }
        }
        out
    }

    /// What comes out carries the capture time of what went in: the denoiser's delay is taken
    /// off the timestamps, so sound and picture stay together.
    #[test]
    fn the_timestamps_account_for_the_denoisers_delay() {
        let input = noise(48_000, 0.1, &mut 11);
        let mut chain = Chain::new(AudioProcessing { noise_suppression: true, ..Default::default() }, 1);
        let start_ns = 5_000_000_000u64;
        let (mut out, mut out_start_ns) = (Vec::new(), None);
        for (k, block) in input.chunks(441).enumerate() {
            let pts_ns = start_ns + k as u64 * 441 * 1_000_000_000 / 48_000;
            let buffer = AudioBuffer { pts_ns, channels: 1, samples: block.to_vec().into() };
            if let Some(b) = chain.push(&buffer) {
                out_start_ns.get_or_insert(b.pts_ns);
                out.extend_from_slice(&b.samples);
            }
        }
        // Where the input shows up in the output (samples), by correlation.
        let at = |lag: usize| out[lag..].iter().zip(&input[..24_000]).map(|(a, b)| a * b).sum::<f32>();
        let lag = (0..2_000).max_by(|&a, &b| at(a).total_cmp(&at(b))).unwrap();
        let echoed_ns = out_start_ns.unwrap() + lag as u64 * 1_000_000_000 / 48_000;
        assert!(
            echoed_ns.abs_diff(start_ns) < 100_000,
            "the input's start is stamped {} µs off",
            (echoed_ns as i64 - start_ns as i64) / 1000
        );
    }

    #[test]
    fn noise_alone_is_lowered_by_more_than_12_db() {
        let input = noise(48_000 * 3, 0.05, &mut 7);
        let out = run(AudioProcessing { noise_suppression: true, ..Default::default() }, &input);
        let (before, after) = (rms_db(&input[48_000..]), rms_db(&out[48_000..]));
        assert!(before - after >= 12.0, "noise {before:.1} → {after:.1} dBFS");
    }

    #[test]
    fn automatic_gain_brings_quiet_and_loud_toward_the_target_and_never_clips() {
        let tone = |amp: f32| (0..48_000 * 5).map(|i| amp * (i as f32 * 0.0523).sin()).collect::<Vec<f32>>();
        for amp in [0.014, 0.95] {
            let out = run(AudioProcessing { auto_gain_control: true, ..Default::default() }, &tone(amp));
            let level = rms_db(&out[48_000 * 4..]);
            assert!((level - TARGET_DBFS).abs() <= 3.0, "{amp}: {level:.1} dBFS after 4 s");
            assert!(out.iter().all(|s| s.abs() <= CEILING), "{amp}: no sample over -1 dBFS");
        }
    }
}
