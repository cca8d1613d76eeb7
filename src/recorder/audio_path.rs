//! The recorder's audio path: gate by the recording's pause timeline on the capture clock (the
//! one the video path reads too), splice the seams, encode 20 ms Opus frames into packets for
//! the muxer.

use std::sync::Arc;

use super::timeline::Timeline;
use crate::codec::opus::{OpusEncoder, FRAME_SAMPLES};
use crate::error::RecorderError;
use crate::media::AudioBuffer;

const NS_PER_FRAME: f64 = 1e9 / 48_000.0;
/// Resume seams are cross-faded over 5 ms: long enough that no click survives (a jump between
/// two arbitrary waveforms becomes a ramp), short enough not to be heard as a fade.
const SEAM_FRAMES: usize = 240;

/// A pause or resume, at a capture time.
#[derive(Debug, Clone, Copy)]
struct Gate {
    at_ns: u64,
    pause: bool,
}

/// One Opus packet and where it sits on the 48 kHz timeline (pre-skip included).
#[derive(Debug)]
pub(crate) struct AudioPacket {
    pub data: Vec<u8>,
    pub pts_samples: u64,
    pub samples: u32,
}

impl AudioPacket {
    /// The packet's block time in a WebM stream, ms.
    pub fn pts_ms(&self) -> u64 {
        self.pts_samples / 48
    }
}

/// The encoder side of one recording's audio track.
pub(crate) struct AudioPath {
    encoder: OpusEncoder,
    /// Encoded, not yet taken by the muxer.
    packets: Vec<AudioPacket>,
    channels: usize,
    /// Accepted, not yet encoded, interleaved. At least `SEAM_FRAMES` stay here so a resume can
    /// cross-fade into the audio just before the pause.
    pending: Vec<f32>,
    /// Frames handed to the encoder, padding included: the next packet's position.
    fed_frames: u64,
    /// Real frames on the timeline (paused media excluded).
    accepted_frames: u64,
    timeline: Arc<Timeline>,
    /// The timeline's next gate to pass.
    next_gate: usize,
    /// The stop has been passed: nothing more is recorded.
    stopped: bool,
    paused: bool,
    /// The next accepted audio follows a pause: cross-fade it in.
    seam: bool,
    consumed_until_ns: u64,
    /// Capture time just after the last accepted frame.
    accepted_capture_end_ns: u64,
}

impl AudioPath {
    pub(crate) fn new(
        channels: u16,
        bitrate: u32,
        vbr: bool,
        timeline: Arc<Timeline>,
    ) -> Result<AudioPath, RecorderError> {
        let encoder = OpusEncoder::new(channels, bitrate, vbr)?;
        Ok(AudioPath {
            encoder,
            packets: Vec::new(),
            channels: usize::from(channels),
            pending: Vec::with_capacity(48_000 * usize::from(channels)),
            fed_frames: 0,
            accepted_frames: 0,
            timeline,
            next_gate: 0,
            stopped: false,
            paused: false,
            seam: false,
            consumed_until_ns: 0,
            accepted_capture_end_ns: 0,
        })
    }

    /// Channels encoded.
    pub(crate) fn channels(&self) -> u16 {
        self.channels as u16
    }

    /// The encoder's pre-skip, samples.
    pub(crate) fn pre_skip(&self) -> u16 {
        self.encoder.pre_skip()
    }

    /// The next gate on the timeline: its next pause or resume, else the stop (a pause that is
    /// never resumed).
    fn upcoming(&self) -> Option<Gate> {
        match self.timeline.gate_at(self.next_gate) {
            Some((at_ns, pause)) => Some(Gate { at_ns, pause }),
            None if self.stopped => None,
            None => Some(self.timeline.stop_ns()).filter(|&at| at != u64::MAX).map(|at_ns| Gate { at_ns, pause: true }),
        }
    }

    /// Passes the gate [`upcoming`](Self::upcoming) returned.
    fn pass(&mut self, gate: Gate) {
        if self.timeline.gate_at(self.next_gate).is_some() {
            self.next_gate += 1;
        } else {
            self.stopped = true;
        }
        if gate.pause != self.paused {
            self.paused = gate.pause;
            self.seam |= !gate.pause;
        }
    }

    /// Capture time up to which input has been seen (recorded or discarded).
    pub(crate) fn consumed_until_ns(&self) -> u64 {
        self.consumed_until_ns
    }

    /// Real media on the timeline, in ms.
    pub(crate) fn media_ms(&self) -> f64 {
        self.accepted_frames as f64 / 48.0
    }

    /// Media already encoded into the container (pre-skip excluded), in ms.
    pub(crate) fn encoded_ms(&self) -> f64 {
        self.fed_frames.saturating_sub(u64::from(self.encoder.pre_skip())) as f64 / 48.0
    }

    /// Capture time of the end of what the next [`cut`](Self::cut) makes durable.
    pub(crate) fn encoded_capture_end_ns(&self) -> u64 {
        let pending_frames = self.pending.len() / self.channels;
        self.accepted_capture_end_ns.saturating_sub((pending_frames as f64 * NS_PER_FRAME) as u64)
    }

    /// Capture time just after the last recorded frame.
    pub(crate) fn accepted_capture_end_ns(&self) -> u64 {
        self.accepted_capture_end_ns
    }

    /// Takes one captured buffer through the pause gates into the encoder.
    pub(crate) fn push(&mut self, buf: &AudioBuffer) -> Result<(), RecorderError> {
        let frames = buf.frames();
        let in_ch = usize::from(buf.channels.max(1));
        let mut i = 0;
        while i < frames {
            let t = buf.pts_ns + (i as f64 * NS_PER_FRAME) as u64;
            while let Some(gate) = self.upcoming().filter(|g| g.at_ns <= t) {
                self.pass(gate);
            }
            // This run ends where the next gate falls inside the buffer.
            let run_end = match self.upcoming() {
                Some(g) => (((g.at_ns - buf.pts_ns) as f64 / NS_PER_FRAME).ceil() as usize).clamp(i + 1, frames),
                None => frames,
            };
            if !self.paused {
                self.accept(&buf.samples[i * in_ch..run_end * in_ch], in_ch)?;
                self.accepted_capture_end_ns = buf.pts_ns + (run_end as f64 * NS_PER_FRAME) as u64;
            }
            i = run_end;
        }
        self.consumed_until_ns = buf.pts_ns + (frames as f64 * NS_PER_FRAME) as u64;
        Ok(())
    }

    fn accept(&mut self, samples: &[f32], in_ch: usize) -> Result<(), RecorderError> {
        let ch = self.channels;
        let mut converted;
        let samples = if in_ch == ch {
            samples
        } else {
            // Mono is duplicated to both sides; stereo (or wider) is averaged into mono.
            converted = Vec::with_capacity(samples.len() / in_ch * ch);
            for frame in samples.chunks_exact(in_ch) {
                if ch == 2 {
                    converted.extend_from_slice(&[frame[0], frame[1.min(in_ch - 1)]]);
                } else {
                    converted.push(frame.iter().sum::<f32>() / in_ch as f32);
                }
            }
            &converted[..]
        };
        let mut new_frames = samples.len() / ch;
        let mut rest = samples;
        if self.seam {
            self.seam = false;
            // Linear cross-fade of the first frames after the resume over the last frames
            // before the pause; the overlap shortens the timeline by those few ms.
            let overlap = SEAM_FRAMES.min(self.pending.len() / ch).min(new_frames);
            let tail = self.pending.len() - overlap * ch;
            for f in 0..overlap {
                let w = (f as f32 + 0.5) / overlap as f32;
                for c in 0..ch {
                    let old = &mut self.pending[tail + f * ch + c];
                    *old = *old * (1.0 - w) + samples[f * ch + c] * w;
                }
            }
            rest = &samples[overlap * ch..];
            new_frames -= overlap;
        }
        self.pending.extend_from_slice(rest);
        self.accepted_frames += new_frames as u64;
        while self.pending.len() / ch >= FRAME_SAMPLES + SEAM_FRAMES {
            self.encode_front()?;
        }
        Ok(())
    }

    /// Encodes the first 20 ms of `pending` (zero-padded if shorter).
    fn encode_front(&mut self) -> Result<(), RecorderError> {
        let n = (FRAME_SAMPLES * self.channels).min(self.pending.len());
        let mut frame: Vec<f32> = self.pending.drain(..n).collect();
        frame.resize(FRAME_SAMPLES * self.channels, 0.0);
        let data = self.encoder.encode(&frame)?;
        self.packets.push(AudioPacket { data, pts_samples: self.fed_frames, samples: FRAME_SAMPLES as u32 });
        self.fed_frames += FRAME_SAMPLES as u64;
        Ok(())
    }

    /// The packets encoded since the last call, in order.
    pub(crate) fn take_packets(&mut self) -> Vec<AudioPacket> {
        std::mem::take(&mut self.packets)
    }

    /// Encodes everything left plus the encoder's lookahead (take the packets after), and
    /// returns how many samples at the end are padding, not audio.
    pub(crate) fn finish(&mut self) -> Result<u32, RecorderError> {
        let needed = self.accepted_frames + u64::from(self.encoder.pre_skip());
        while self.fed_frames < needed {
            self.encode_front()?;
        }
        Ok(u32::try_from(self.fed_frames - needed).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(pts_ns: u64, frames: usize, start_frame: usize) -> AudioBuffer {
        let samples: Vec<f32> = (start_frame..start_frame + frames)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 48_000.0).sin())
            .collect();
        AudioBuffer { pts_ns, channels: 1, samples: samples.into() }
    }

    #[test]
    fn pause_window_is_cut_out_of_the_timeline() {
        let timeline = Timeline::new();
        let mut path = AudioPath::new(1, 64_000, true, Arc::clone(&timeline)).unwrap();
        timeline.pause_at(1_000_000_000);
        timeline.resume_at(2_000_000_000);
        // 3 s of input in 10 ms buffers.
        for k in 0..300u64 {
            path.push(&tone(k * 10_000_000, 480, k as usize * 480)).unwrap();
        }
        // 2 s recorded, less the 5 ms seam overlap.
        assert!((path.media_ms() - 1995.0).abs() < 1.0, "{}", path.media_ms());
        assert_eq!(path.consumed_until_ns(), 3_000_000_000);
    }

    #[test]
    fn nothing_captured_after_the_stop_is_recorded_even_while_a_pause_waits_ahead() {
        let timeline = Timeline::new();
        let mut path = AudioPath::new(1, 64_000, true, Arc::clone(&timeline)).unwrap();
        timeline.stop_at(1_500_000_000);
        for k in 0..300u64 {
            path.push(&tone(k * 10_000_000, 480, k as usize * 480)).unwrap();
        }
        assert!((path.media_ms() - 1500.0).abs() < 1.0, "{}", path.media_ms());
    }

    #[test]
    fn finish_encodes_everything_including_the_lookahead() {
        let mut path = AudioPath::new(2, 64_000, false, Timeline::new()).unwrap();
        path.push(&AudioBuffer { pts_ns: 0, channels: 1, samples: vec![0.1; 1000].into() }).unwrap();
        assert!(path.take_packets().is_empty(), "the seam reserve holds the first 25 ms");
        let padding = path.finish().unwrap();
        let packets = path.take_packets();
        let end = packets.last().map(|p| p.pts_samples + u64::from(p.samples)).unwrap();
        assert_eq!(end - u64::from(padding), 1000 + u64::from(path.pre_skip()));
        assert_eq!(packets[1].pts_samples, 960);
    }
}
