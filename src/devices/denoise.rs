//! Noise suppression on one channel: RNNoise (nnnoiseless) decides how much of each of its 22
//! bands to keep, and those gains are applied to the input's own spectrum.
//!
//! RNNoise's own output also runs its pitch filter, which mixes in the signal one pitch period
//! back: on speech without any noise that alone leaves an error 20 dB under the speech, and it
//! costs more than it removes. Measured on speech plus white noise 10 dB under it (SNR against
//! the clean speech, up to 20 kHz): espeak-ng's voice +6.0 dB through RNNoise's output, +8.1 dB
//! with its gains on the input; a human voice (alsa-utils' test sounds) +6.4 → +9.8 dB; espeak-ng's
//! female voice +5.1 → +7.1 dB. The noise in the pauses falls as much either way.
//!
//! The gains are read off RNNoise's output: each 20 ms window's band energies out over in, on the
//! same window RNNoise analyses (960 samples, every 480, its power-complementary window), so the
//! stage delays the signal by two 10 ms frames.

use std::sync::Arc;

use nnnoiseless::DenoiseState;
use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// RNNoise's frame: 10 ms at 48 kHz.
pub(super) const FRAME: usize = DenoiseState::FRAME_SIZE;
/// Its analysis window: two frames.
const WINDOW: usize = 2 * FRAME;
/// What the stage delays the signal by (samples).
pub(super) const DELAY: usize = 2 * FRAME;
/// RNNoise works on 16-bit sample values.
const SCALE: f32 = 32_768.0;
/// RNNoise's band edges, in its 5 ms units (4 bins of 50 Hz each): 0 Hz … 20 kHz.
const BANDS: [usize; 22] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 34, 40, 48, 60, 78, 100];
const BINS_PER_UNIT: usize = 4;

/// One channel's noise suppression.
pub(super) struct Denoiser {
    rnnoise: Box<DenoiseState<'static>>,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
    window: [f32; WINDOW],
    /// The last three input frames, oldest first (RNNoise's output lags its input by one).
    input: [f32; 3 * FRAME],
    /// RNNoise's last two output frames, aligned with `input`'s first two.
    denoised: [f32; WINDOW],
    /// The second half of the last window, to overlap-add with the next.
    tail: [f32; FRAME],
    /// RNNoise's voice probability for the window being resynthesised, and the newer one.
    voice: [f32; 2],
    scratch: Vec<f32>,
    spectrum: Vec<Complex32>,
    denoised_spectrum: Vec<Complex32>,
}

impl Denoiser {
    pub(super) fn new() -> Denoiser {
        let mut planner = RealFftPlanner::new();
        let forward = planner.plan_fft_forward(WINDOW);
        let inverse = planner.plan_fft_inverse(WINDOW);
        let spectrum = forward.make_output_vec();
        let denoised_spectrum = forward.make_output_vec();
        Denoiser {
            rnnoise: DenoiseState::new(),
            forward,
            inverse,
            window: power_complementary_window(),
            input: [0.0; 3 * FRAME],
            denoised: [0.0; WINDOW],
            tail: [0.0; FRAME],
            voice: [0.0; 2],
            scratch: vec![0.0; WINDOW],
            spectrum,
            denoised_spectrum,
        }
    }

    /// Takes the next 10 ms frame in place of the one [`DELAY`] samples earlier, denoised;
    /// returns RNNoise's voice probability for what it gives back.
    pub(super) fn process(&mut self, frame: &mut [f32; FRAME]) -> f32 {
        self.shift_in(frame);
        let mut out = [0.0f32; FRAME];
        let voice = self.rnnoise.process_frame(&mut out, &self.input[2 * FRAME..]);
        // RNNoise's output covers the input frame before the one it was given.
        self.denoised.copy_within(FRAME.., 0);
        self.denoised[FRAME..].copy_from_slice(&out);
        self.voice = [self.voice[1], voice];
        self.analyse_input();
        let gains = self.band_gains();
        self.resynthesise(&gains, frame);
        self.voice[0]
    }

    fn shift_in(&mut self, frame: &[f32; FRAME]) {
        self.input.copy_within(FRAME.., 0);
        for (slot, s) in self.input[2 * FRAME..].iter_mut().zip(frame) {
            *slot = s * SCALE;
        }
    }

    /// The spectrum of the window over the two older input frames, into `spectrum`.
    fn analyse_input(&mut self) {
        self.windowed(Source::Input);
        forward(&self.forward, &mut self.scratch, &mut self.spectrum);
    }

    /// `spectrum` (the input's, from [`analyse_input`](Self::analyse_input)) with `gains` on
    /// its bands, back to samples and overlap-added: the older of its two frames, finished,
    /// into `frame`.
    fn resynthesise(&mut self, gains: &[f32; BANDS.len()], frame: &mut [f32; FRAME]) {
        for (bin, g) in self.spectrum.iter_mut().zip(interpolate(gains)) {
            *bin *= g;
        }
        // Real gains keep the imaginary parts of 0 Hz and 24 kHz at zero, the one thing the
        // inverse checks besides the sizes fixed at construction.
        let _checked = self.inverse.process(&mut self.spectrum, &mut self.scratch);
        let norm = 1.0 / (WINDOW as f32 * SCALE);
        for (k, s) in frame.iter_mut().enumerate() {
            *s = self.tail[k] + self.scratch[k] * self.window[k] * norm;
            self.tail[k] = self.scratch[FRAME + k] * self.window[FRAME + k] * norm;
        }
    }

    /// The window over the two older input frames, or over RNNoise's output for them, into
    /// `scratch`.
    fn windowed(&mut self, source: Source) {
        let samples = match source {
            Source::Input => &self.input[..WINDOW],
            Source::Denoised => &self.denoised[..],
        };
        for (s, (x, w)) in self.scratch.iter_mut().zip(samples.iter().zip(&self.window)) {
            *s = x * w;
        }
    }

    /// Each band's energy in RNNoise's output over the input's (`spectrum`), on the older
    /// window: the gain RNNoise gave it (0 to 1).
    fn band_gains(&mut self) -> [f32; BANDS.len()] {
        self.windowed(Source::Denoised);
        forward(&self.forward, &mut self.scratch, &mut self.denoised_spectrum);
        let (noisy, denoised) = (band_energies(&self.spectrum), band_energies(&self.denoised_spectrum));
        let mut gains = [0.0; BANDS.len()];
        for (g, (y, x)) in gains.iter_mut().zip(denoised.iter().zip(&noisy)) {
            *g = (y / (x + 1e-3)).sqrt().min(1.0);
        }
        gains
    }
}

/// A forward transform; its sizes are fixed at construction, the one thing it checks.
fn forward(fft: &Arc<dyn RealToComplex<f32>>, samples: &mut [f32], spectrum: &mut [Complex32]) {
    let _checked = fft.process(samples, spectrum);
}

#[derive(Clone, Copy)]
enum Source {
    Input,
    Denoised,
}

/// RNNoise's window: power-complementary (its squares overlapped by half sum to one).
fn power_complementary_window() -> [f32; WINDOW] {
    let mut window = [0.0; WINDOW];
    for i in 0..FRAME {
        let s = (0.5 * std::f64::consts::PI * (i as f64 + 0.5) / FRAME as f64).sin();
        window[i] = (0.5 * std::f64::consts::PI * s * s).sin() as f32;
        window[WINDOW - 1 - i] = window[i];
    }
    window
}

/// Band energies with triangular bands, as RNNoise computes them.
fn band_energies(spectrum: &[Complex32]) -> [f32; BANDS.len()] {
    let mut energies = [0.0; BANDS.len()];
    for i in 0..BANDS.len() - 1 {
        let size = (BANDS[i + 1] - BANDS[i]) * BINS_PER_UNIT;
        for j in 0..size {
            let frac = j as f32 / size as f32;
            let e = spectrum[BANDS[i] * BINS_PER_UNIT + j].norm_sqr();
            energies[i] += (1.0 - frac) * e;
            energies[i + 1] += frac * e;
        }
    }
    energies
}

/// A gain for every bin, linear between the bands' centres, as RNNoise interpolates them;
/// nothing above 20 kHz (RNNoise leaves nothing there either).
fn interpolate(gains: &[f32; BANDS.len()]) -> [f32; WINDOW / 2 + 1] {
    let mut bins = [0.0; WINDOW / 2 + 1];
    for i in 0..BANDS.len() - 1 {
        let size = (BANDS[i + 1] - BANDS[i]) * BINS_PER_UNIT;
        for j in 0..size {
            let frac = j as f32 / size as f32;
            bins[BANDS[i] * BINS_PER_UNIT + j] = (1.0 - frac) * gains[i] + frac * gains[i + 1];
        }
    }
    bins
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms_db(s: &[f32]) -> f32 {
        10.0 * (s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).max(1e-18).log10()
    }

    /// With every band's gain at one, what comes out is what went in (below 20 kHz), two frames
    /// later: the window and the resynthesis lose nothing of their own.
    #[test]
    fn the_resynthesis_alone_gives_the_input_back_two_frames_later() {
        let mut d = Denoiser::new();
        let input: Vec<f32> =
            (0..FRAME * 40).map(|i| 0.3 * (i as f32 * 0.031).sin() + 0.2 * (i as f32 * 1.7).sin()).collect();
        let mut out = Vec::new();
        for chunk in input.chunks_exact(FRAME) {
            let mut frame: [f32; FRAME] = chunk.try_into().unwrap();
            d.shift_in(&frame);
            d.analyse_input();
            d.resynthesise(&[1.0; BANDS.len()], &mut frame);
            out.extend_from_slice(&frame);
        }
        let error: Vec<f32> = out[DELAY + FRAME..].iter().zip(&input[FRAME..]).map(|(o, i)| o - i).collect();
        let (signal, error) = (rms_db(&input), rms_db(&error));
        assert!(signal - error > 60.0, "error {error:.1} dB against {signal:.1} dB");
    }

    /// White noise alone at -31 dBFS, a level RNNoise takes down even with no speech around
    /// (at others it takes little off hiss alone: the README has the figures).
    #[test]
    fn white_noise_alone_is_taken_down() {
        let mut d = Denoiser::new();
        let mut seed = 7u32;
        let mut input = Vec::new();
        let mut out = Vec::new();
        for _ in 0..300 {
            let mut frame = [0.0f32; FRAME];
            for s in &mut frame {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                *s = (seed as f32 / u32::MAX as f32 * 2.0 - 1.0) * 0.05;
            }
            input.extend_from_slice(&frame);
            d.process(&mut frame);
            out.extend_from_slice(&frame);
        }
        let (before, after) = (rms_db(&input[48_000..]), rms_db(&out[48_000..]));
        assert!(before - after > 10.0, "{before:.1} → {after:.1} dBFS");
    }
}
