//! Pausing on silence: the recording pauses itself while its audio stays below a threshold and
//! resumes when sound returns, as the user's own pause and resume do (state, events, timeline).
//!
//! Nothing of a word may be lost: the recorder thread holds the audio back by [`DELAY_NS`] before
//! it reaches the encoder, so a resume can be placed [`SilenceOptions::pre_roll_ms`] before the
//! sound that caused it (the syllable's start, and a breath before it); a pause comes only after
//! [`SilenceOptions::hang_over_ms`] of silence (a word's tail, the gaps between words).

use std::collections::VecDeque;

use crate::media::AudioBuffer;

/// How far the audio is held back while silence may pause the recording: more than the longest
/// pre-roll plus a capture buffer, so a resume is always placed on audio not yet recorded.
pub(crate) const DELAY_NS: u64 = 600_000_000;
/// The longest pre-roll honoured, ms.
pub(crate) const MAX_PRE_ROLL_MS: u32 = 300;
/// The level is measured over 10 ms.
const WINDOW: usize = 480;

/// `pause on silence` (an extension: the web's recorder has none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SilenceOptions {
    /// Audio below this level (dBFS, over 10 ms) is silence.
    pub threshold_dbfs: f32,
    /// Silence lasting this long pauses the recording; the silence before the pause is kept.
    pub hang_over_ms: u32,
    /// A resume keeps this much audio before the sound (at most 300 ms).
    pub pre_roll_ms: u32,
}

impl Default for SilenceOptions {
    /// -45 dBFS (under quiet speech, over a quiet room's microphone), 500 ms, 250 ms.
    fn default() -> SilenceOptions {
        SilenceOptions { threshold_dbfs: -45.0, hang_over_ms: 500, pre_roll_ms: 250 }
    }
}

/// What the detector saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// Silence for the hang-over: pause.
    Silent,
    /// Sound again after silence: resume at this capture time (the pre-roll before it).
    Sound { resume_at_ns: u64 },
}

/// Tells sound from silence on a track's buffers, 10 ms at a time.
pub(crate) struct SilenceDetector {
    options: SilenceOptions,
    /// Energy threshold per sample (the square of the threshold's amplitude).
    threshold_power: f32,
    silent: bool,
    /// Capture time where the current run of quiet windows began.
    quiet_since_ns: Option<u64>,
    /// The window being measured: its sum of squares, samples in it, and its start.
    sum: f32,
    count: usize,
    window_ns: u64,
}

impl SilenceDetector {
    pub(crate) fn new(options: SilenceOptions) -> SilenceDetector {
        SilenceDetector {
            options,
            threshold_power: 10f32.powf(options.threshold_dbfs / 10.0),
            silent: false,
            quiet_since_ns: None,
            sum: 0.0,
            count: 0,
            window_ns: 0,
        }
    }

    /// Starts over as sound (after the user resumes: the hang-over counts from there).
    pub(crate) fn reset(&mut self) {
        self.silent = false;
        self.quiet_since_ns = None;
    }

    /// Takes a buffer; the change it brings, if any (the first, when one buffer holds two).
    pub(crate) fn push(&mut self, buffer: &AudioBuffer) -> Option<Change> {
        let channels = usize::from(buffer.channels.max(1));
        let mut change = None;
        for (i, frame) in buffer.samples.chunks_exact(channels).enumerate() {
            if self.count == 0 {
                self.window_ns = buffer.pts_ns + i as u64 * 1_000_000_000 / 48_000;
            }
            // The loudest channel: sound on one side is sound.
            self.sum += frame.iter().fold(0.0f32, |m, s| m.max(s * s));
            self.count += 1;
            if self.count == WINDOW {
                let loud = self.sum / WINDOW as f32 >= self.threshold_power;
                change = change.or(self.window(loud, self.window_ns));
                (self.sum, self.count) = (0.0, 0);
            }
        }
        change
    }

    fn window(&mut self, loud: bool, at_ns: u64) -> Option<Change> {
        if loud {
            self.quiet_since_ns = None;
            if self.silent {
                self.silent = false;
                let pre_roll_ns = u64::from(self.options.pre_roll_ms.min(MAX_PRE_ROLL_MS)) * 1_000_000;
                return Some(Change::Sound { resume_at_ns: at_ns.saturating_sub(pre_roll_ns) });
            }
            return None;
        }
        let since = *self.quiet_since_ns.get_or_insert(at_ns);
        let quiet_ns = at_ns + 10_000_000 - since;
        if !self.silent && quiet_ns >= u64::from(self.options.hang_over_ms) * 1_000_000 {
            self.silent = true;
            return Some(Change::Silent);
        }
        None
    }
}

/// The audio held back by [`DELAY_NS`], in capture order.
#[derive(Default)]
pub(crate) struct DelayLine {
    buffers: VecDeque<AudioBuffer>,
    /// Capture time just after the newest buffer.
    received_until_ns: u64,
}

impl DelayLine {
    /// Takes a buffer; returns those now old enough to record.
    pub(crate) fn push(&mut self, buffer: AudioBuffer) -> Vec<AudioBuffer> {
        self.received_until_ns = self.received_until_ns.max(end_ns(&buffer));
        self.buffers.push_back(buffer);
        let mut due = Vec::new();
        while self.buffers.front().is_some_and(|b| end_ns(b) + DELAY_NS <= self.received_until_ns) {
            due.extend(self.buffers.pop_front());
        }
        due
    }

    /// Everything held back (the recording stops, or its audio ended).
    pub(crate) fn drain(&mut self) -> Vec<AudioBuffer> {
        self.buffers.drain(..).collect()
    }

    /// Capture time up to which audio has been received.
    pub(crate) fn received_until_ns(&self) -> u64 {
        self.received_until_ns
    }
}

fn end_ns(buffer: &AudioBuffer) -> u64 {
    buffer.pts_ns + buffer.frames() as u64 * 1_000_000_000 / 48_000
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 10 ms buffers: `level` for each.
    fn run(detector: &mut SilenceDetector, levels: &[f32]) -> Vec<(usize, Change)> {
        let mut changes = Vec::new();
        for (k, &level) in levels.iter().enumerate() {
            let samples: Vec<f32> = (0..480).map(|i| level * (i as f32 * 0.3).sin()).collect();
            let buffer = AudioBuffer { pts_ns: k as u64 * 10_000_000, channels: 1, samples: samples.into() };
            changes.extend(detector.push(&buffer).map(|c| (k, c)));
        }
        changes
    }

    #[test]
    fn silence_pauses_after_the_hang_over_and_sound_resumes_with_the_pre_roll() {
        let mut d = SilenceDetector::new(SilenceOptions::default());
        // 1 s of sound (-10 dBFS), 1 s of silence, sound again.
        let levels: Vec<f32> = (0..300).map(|k| if (100..200).contains(&k) { 0.0 } else { 0.45 }).collect();
        let changes = run(&mut d, &levels);
        assert_eq!(changes, vec![(149, Change::Silent), (200, Change::Sound { resume_at_ns: 1_750_000_000 })]);
    }

    #[test]
    fn gaps_shorter_than_the_hang_over_and_quiet_sound_above_the_threshold_do_not_pause() {
        let mut d = SilenceDetector::new(SilenceOptions::default());
        // Gaps of 400 ms between words, and -40 dBFS (a sine of amplitude 0.014) throughout.
        let levels: Vec<f32> = (0..400).map(|k| if k % 80 >= 40 { 0.014 } else { 0.3 }).collect();
        assert_eq!(run(&mut d, &levels), vec![]);
        let levels: Vec<f32> = (0..400).map(|k| if k % 100 >= 60 { 0.0 } else { 0.3 }).collect();
        assert_eq!(run(&mut SilenceDetector::new(SilenceOptions::default()), &levels), vec![]);
    }

    #[test]
    fn the_delay_line_holds_back_600_ms_and_gives_everything_up_on_drain() {
        let mut line = DelayLine::default();
        let mut out = 0;
        for k in 0..100u64 {
            let buffer = AudioBuffer { pts_ns: k * 10_000_000, channels: 1, samples: vec![0.0; 480].into() };
            out += line.push(buffer).len();
        }
        assert_eq!(out, 40, "1 s in, 0.4 s out");
        assert_eq!(line.received_until_ns(), 1_000_000_000);
        assert_eq!(line.drain().len(), 60);
    }
}
