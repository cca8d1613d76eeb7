//! Speex's acoustic echo canceller (libspeexdsp, the one PulseAudio's echo-cancel module also
//! offers): an adaptive filter (MDF) that models the path from the speakers to the microphone and
//! subtracts what it predicts, then Speex's preprocessor to suppress the residual echo. The only
//! unsafe code for it is here.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void};
use std::ptr::NonNull;

#[repr(C)]
struct SpeexEchoState {
    _opaque: [u8; 0],
}

#[repr(C)]
struct SpeexPreprocessState {
    _opaque: [u8; 0],
}

const SPEEX_ECHO_SET_SAMPLING_RATE: c_int = 24;
const SPEEX_PREPROCESS_SET_ECHO_STATE: c_int = 24;
const SPEEX_PREPROCESS_SET_NOISE_SUPPRESS: c_int = 18;

#[link(name = "speexdsp")]
extern "C" {
    fn speex_echo_state_init(frame_size: c_int, filter_length: c_int) -> *mut SpeexEchoState;
    fn speex_echo_state_destroy(st: *mut SpeexEchoState);
    fn speex_echo_cancellation(st: *mut SpeexEchoState, rec: *const i16, play: *const i16, out: *mut i16);
    fn speex_echo_ctl(st: *mut SpeexEchoState, request: c_int, ptr: *mut c_void) -> c_int;
    fn speex_preprocess_state_init(frame_size: c_int, sampling_rate: c_int) -> *mut SpeexPreprocessState;
    fn speex_preprocess_state_destroy(st: *mut SpeexPreprocessState);
    fn speex_preprocess_ctl(st: *mut SpeexPreprocessState, request: c_int, ptr: *mut c_void) -> c_int;
    fn speex_preprocess_run(st: *mut SpeexPreprocessState, x: *mut i16) -> c_int;
}

/// One mono echo canceller with its residual-echo suppressor.
pub(crate) struct EchoCanceller {
    echo: NonNull<SpeexEchoState>,
    preprocess: NonNull<SpeexPreprocessState>,
    frame: usize,
}

// SAFETY: the states are owned by this value alone and only used through `&mut self`; libspeexdsp
// keeps no thread-local state, so moving them to another thread is sound.
unsafe impl Send for EchoCanceller {}

impl EchoCanceller {
    /// A canceller for `frame`-sample frames at `rate` Hz whose filter spans `filter` samples
    /// (the longest echo it can remove). `None` when libspeexdsp cannot allocate it.
    pub(crate) fn new(frame: usize, filter: usize, rate: u32) -> Option<EchoCanceller> {
        let (frame_c, filter_c, rate_c) =
            (c_int::try_from(frame).ok()?, c_int::try_from(filter).ok()?, c_int::try_from(rate).ok()?);
        // SAFETY: plain constructors; a null return is handled below.
        let echo = NonNull::new(unsafe { speex_echo_state_init(frame_c, filter_c) })?;
        // SAFETY: as above.
        let Some(preprocess) = NonNull::new(unsafe { speex_preprocess_state_init(frame_c, rate_c) }) else {
            // SAFETY: `echo` was created above and is not used again.
            unsafe { speex_echo_state_destroy(echo.as_ptr()) };
            return None;
        };
        let mut rate_arg = rate_c;
        // SAFETY: both states are live; each request takes a pointer to an int (or, for the
        // echo state, the echo state itself), which outlives the call.
        unsafe {
            speex_echo_ctl(echo.as_ptr(), SPEEX_ECHO_SET_SAMPLING_RATE, (&raw mut rate_arg).cast());
            // The residual echo is suppressed by the preprocessor's spectral gains, which it only
            // applies with its denoiser on: on, but taking at most 1 dB off noise (that is
            // RNNoise's job, noise suppression, not this one's). Measured on the test rig's echo
            // of speech: the filter alone takes 17-23 dB off, with the suppressor 28-31 dB.
            let mut least: c_int = -1;
            speex_preprocess_ctl(preprocess.as_ptr(), SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, (&raw mut least).cast());
            speex_preprocess_ctl(preprocess.as_ptr(), SPEEX_PREPROCESS_SET_ECHO_STATE, echo.as_ptr().cast());
        }
        Some(EchoCanceller { echo, preprocess, frame })
    }

    /// Removes the echo of `played` (what the speakers played at the same time) from `captured`
    /// (the microphone's frame) into `out`. All three are one frame long.
    pub(crate) fn cancel(&mut self, captured: &[i16], played: &[i16], out: &mut [i16]) {
        assert!(
            captured.len() == self.frame && played.len() == self.frame && out.len() == self.frame,
            "echo cancellation takes whole frames"
        );
        // SAFETY: the three buffers are `frame` samples long (checked above), as both states were
        // created for; the states are live and used by this thread alone.
        unsafe {
            speex_echo_cancellation(self.echo.as_ptr(), captured.as_ptr(), played.as_ptr(), out.as_mut_ptr());
            speex_preprocess_run(self.preprocess.as_ptr(), out.as_mut_ptr());
        }
    }
}

impl Drop for EchoCanceller {
    fn drop(&mut self) {
        // SAFETY: created in `new`, destroyed once here; the preprocessor (which points at the
        // echo state) goes first.
        unsafe {
            speex_preprocess_state_destroy(self.preprocess.as_ptr());
            speex_echo_state_destroy(self.echo.as_ptr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delayed_attenuated_copy_of_what_was_played_is_removed() {
        // Noise played; the microphone hears it 20 ms later at half the level.
        let mut seed = 1u32;
        let played: Vec<i16> = (0..48_000 * 6)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                ((seed >> 16) as i16) / 4
            })
            .collect();
        let delay = 960;
        let captured: Vec<i16> =
            (0..played.len()).map(|i| if i >= delay { played[i - delay] / 2 } else { 0 }).collect();
        let mut aec = EchoCanceller::new(480, 4800, 48_000).expect("a canceller");
        let mut out = vec![0i16; played.len()];
        for ((c, p), o) in captured.chunks_exact(480).zip(played.chunks_exact(480)).zip(out.chunks_exact_mut(480)) {
            aec.cancel(c, p, o);
        }
        let power = |s: &[i16]| s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / s.len() as f64;
        let tail = 48_000 * 4..;
        let drop_db = 10.0 * (power(&captured[tail.clone()]) / power(&out[tail]).max(1e-9)).log10();
        assert!(drop_db >= 20.0, "the echo falls by {drop_db:.1} dB");
    }
}
