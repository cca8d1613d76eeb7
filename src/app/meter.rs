//! Level metering for the live preview: peak and RMS over ~50 ms windows, a clip indicator held
//! for a second, a silence indicator (as quiet, as long, as pausing on silence needs), and a
//! scrolling waveform of 20 ms peaks.

use std::collections::VecDeque;

use super::state::MeterReading;
use crate::media::AudioBuffer;
use crate::SilenceOptions;

/// Capture rate of every track (see `AudioBuffer`).
const RATE_HZ: usize = 48_000;
/// One reading per 50 ms: smooth enough for the eye, 20 updates a second to the UI.
const WINDOW_FRAMES: usize = RATE_HZ / 20;
/// One waveform column per 20 ms…
const BIN_FRAMES: usize = RATE_HZ / 50;
/// …for the last 5 s.
const WAVEFORM_BINS: usize = 250;
/// A sample this close to full scale counts as clipping (float capture can exceed 1.0 slightly).
const CLIP_LEVEL: f32 = 0.999;
/// How long the clip indicator stays lit after the last clipped sample.
const CLIP_HOLD_FRAMES: usize = RATE_HZ;

/// Accumulates captured audio into [`MeterReading`]s.
pub struct Meter {
    window_peak: f32,
    window_sum_sq: f64,
    window_samples: usize,
    window_frames: usize,
    bin_peak: f32,
    bin_frames: usize,
    waveform: VecDeque<f32>,
    frames_since_clip: usize,
    /// Windows in a row under the silence threshold.
    quiet_windows: usize,
}

impl Default for Meter {
    fn default() -> Meter {
        Meter {
            window_peak: 0.0,
            window_sum_sq: 0.0,
            window_samples: 0,
            window_frames: 0,
            bin_peak: 0.0,
            bin_frames: 0,
            waveform: VecDeque::from(vec![0.0; WAVEFORM_BINS]),
            frames_since_clip: usize::MAX,
            quiet_windows: 0,
        }
    }
}

impl Meter {
    /// Feeds one buffer; returns a reading each time a 50 ms window completes (the last one
    /// when the buffer completes several).
    pub fn push(&mut self, buffer: &AudioBuffer) -> Option<MeterReading> {
        let channels = usize::from(buffer.channels.max(1));
        let mut reading = None;
        for frame in buffer.samples.chunks_exact(channels) {
            let mut frame_peak = 0.0f32;
            for &s in frame {
                let a = s.abs();
                frame_peak = frame_peak.max(a);
                self.window_sum_sq += f64::from(s) * f64::from(s);
            }
            self.window_samples += channels;
            self.window_peak = self.window_peak.max(frame_peak);
            self.bin_peak = self.bin_peak.max(frame_peak);
            self.frames_since_clip =
                if frame_peak >= CLIP_LEVEL { 0 } else { self.frames_since_clip.saturating_add(1) };
            self.bin_frames += 1;
            if self.bin_frames == BIN_FRAMES {
                self.waveform.pop_front();
                self.waveform.push_back(self.bin_peak.min(1.0));
                self.bin_peak = 0.0;
                self.bin_frames = 0;
            }
            self.window_frames += 1;
            if self.window_frames == WINDOW_FRAMES {
                let rms = (self.window_sum_sq / self.window_samples.max(1) as f64).sqrt() as f32;
                let quiet = to_dbfs(rms) < SilenceOptions::default().threshold_dbfs;
                self.quiet_windows = if quiet { self.quiet_windows.saturating_add(1) } else { 0 };
                reading = Some(self.reading());
                self.window_peak = 0.0;
                self.window_sum_sq = 0.0;
                self.window_samples = 0;
                self.window_frames = 0;
            }
        }
        reading
    }

    fn reading(&self) -> MeterReading {
        let rms = (self.window_sum_sq / self.window_samples.max(1) as f64).sqrt() as f32;
        MeterReading {
            peak_dbfs: to_dbfs(self.window_peak),
            rms_dbfs: to_dbfs(rms),
            clipping: self.frames_since_clip < CLIP_HOLD_FRAMES,
            silent: self.quiet_windows * WINDOW_FRAMES * 1000 / RATE_HZ
                >= SilenceOptions::default().hang_over_ms as usize,
            waveform: self.waveform.iter().copied().collect(),
            sources: Vec::new(),
        }
    }
}

/// Amplitude to dBFS (full-scale sine peak = 0 dBFS).
pub fn to_dbfs(amplitude: f32) -> f32 {
    if amplitude <= 0.0 {
        f32::NEG_INFINITY
    } else {
        20.0 * amplitude.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(amplitude: f32, frames: usize) -> AudioBuffer {
        let samples: Vec<f32> = (0..frames)
            .flat_map(|i| {
                let s = amplitude * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / RATE_HZ as f32).sin();
                [s, s]
            })
            .collect();
        AudioBuffer { pts_ns: 0, channels: 2, samples: samples.into() }
    }

    #[test]
    fn a_half_scale_sine_reads_minus_6_peak_and_minus_9_rms() {
        let mut m = Meter::default();
        let r = m.push(&sine(0.5, WINDOW_FRAMES)).expect("one window");
        assert!((r.peak_dbfs + 6.02).abs() < 0.1, "{}", r.peak_dbfs);
        assert!((r.rms_dbfs + 9.03).abs() < 0.1, "{}", r.rms_dbfs);
        assert!(!r.clipping);
        assert!((r.waveform.last().copied().unwrap_or(0.0) - 0.5).abs() < 0.01);
    }

    #[test]
    fn half_a_second_under_the_silence_threshold_reads_silent_and_sound_ends_it() {
        let mut m = Meter::default();
        let readings: Vec<bool> =
            (0..10).filter_map(|_| m.push(&sine(0.003, WINDOW_FRAMES))).map(|r| r.silent).collect();
        assert_eq!(readings, [false, false, false, false, false, false, false, false, false, true]);
        assert!(!m.push(&sine(0.1, WINDOW_FRAMES)).expect("reading").silent);
    }

    #[test]
    fn clipping_is_held_for_a_second_then_released() {
        let mut m = Meter::default();
        assert!(m.push(&sine(1.0, WINDOW_FRAMES)).expect("reading").clipping);
        let mut last = None;
        for _ in 0..(RATE_HZ / WINDOW_FRAMES) {
            last = m.push(&sine(0.1, WINDOW_FRAMES));
        }
        assert!(!last.expect("reading").clipping);
    }

    #[test]
    fn silence_reads_minus_infinity() {
        let mut m = Meter::default();
        let r = m.push(&sine(0.0, WINDOW_FRAMES)).expect("reading");
        assert_eq!(r.peak_dbfs, f32::NEG_INFINITY);
    }
}
