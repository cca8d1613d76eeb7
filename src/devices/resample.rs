//! Rate conversion to the engine's 48 kHz, used only for devices that cannot deliver 48 kHz
//! themselves (PulseAudio, PipeWire and most ALSA hardware can, so this is rarely on the path).

/// Streaming linear-interpolation resampler for interleaved frames. Linear is enough for a
/// fallback path on voice; devices are asked for 48 kHz first so music never goes through it.
pub struct LinearResampler {
    channels: usize,
    /// Input frames advanced per output frame.
    step: f64,
    /// Position of the next output frame, relative to `last` (0.0 = `last`, 1.0 = next input).
    pos: f64,
    last: Vec<f32>,
    primed: bool,
}

impl LinearResampler {
    /// From `from_hz` to `to_hz` with `channels` interleaved channels.
    pub fn new(from_hz: u32, to_hz: u32, channels: usize) -> LinearResampler {
        LinearResampler {
            channels,
            step: f64::from(from_hz) / f64::from(to_hz),
            pos: 0.0,
            last: vec![0.0; channels],
            primed: false,
        }
    }

    /// Converts `input`, appending to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        let ch = self.channels;
        for frame in input.chunks_exact(ch) {
            if !self.primed {
                self.last.copy_from_slice(frame);
                self.primed = true;
                continue;
            }
            // Emit every output frame that falls between `last` and `frame`.
            while self.pos < 1.0 {
                let t = self.pos as f32;
                out.extend(self.last.iter().zip(frame).map(|(a, b)| a + (b - a) * t));
                self.pos += self.step;
            }
            self.pos -= 1.0;
            self.last.copy_from_slice(frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_44100_to_48000_at_the_right_rate_and_pitch() {
        let input: Vec<f32> = (0..44_100).map(|i| (i as f32 * 0.01).sin()).collect();
        let mut r = LinearResampler::new(44_100, 48_000, 1);
        let mut out = Vec::new();
        for block in input.chunks(441) {
            r.process(block, &mut out);
        }
        assert!((out.len() as i64 - 48_000).abs() <= 2, "got {} frames", out.len());
        // Output frame k sits at input position k·44100/48000.
        let k = 30_000;
        let expected = ((k as f64 * 44_100.0 / 48_000.0) * 0.01).sin() as f32;
        assert!((out[k] - expected).abs() < 1e-3);
    }
}
