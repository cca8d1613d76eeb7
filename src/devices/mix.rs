//! Several audio sources as one track, as the web mixes them with Web Audio into one
//! `MediaStreamAudioDestinationNode`: a microphone and the system's sound in one Opus track.
//!
//! Every source delivers 48 kHz buffers stamped with their capture time on the engine clock.
//! The mixer places each buffer on that clock, scales it by its source's gain and sums the
//! sources 10 ms at a time, [`LATENCY`] behind real time so each source's buffer for that
//! moment has arrived (sound servers deliver in bursts). A source whose buffer is late is silent
//! for that block; a source that ends leaves the others mixing; the mix ends when all have.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Receiver, TryRecvError};

use crate::error::RecorderError;
use crate::media::{now_ns, AudioBuffer, MediaStreamTrack, TrackKind, TrackSource};

const RATE: i64 = 48_000;
/// One block: 10 ms.
const BLOCK: usize = 480;
/// How far behind real time the mix runs at first: more than a sound server's burst
/// (PulseAudio and PipeWire deliver every 10–50 ms).
const LATENCY: Duration = Duration::from_millis(120);
/// How far it may fall behind to wait for a slow source (a monitor hands an output's sound over
/// at the output's pace, every few hundred ms on an output its players leave slow); past that, a
/// late source's sound is dropped rather than the whole mix delayed further.
const MAX_LATENCY: Duration = Duration::from_millis(1000);
/// A source's buffers more than this far from where its previous ones ended start afresh (a
/// gap in capture, a device restarted): frames, 50 ms.
const DISCONTINUITY: i64 = 2_400;

/// One source of the mix.
struct Input {
    buffers: Receiver<AudioBuffer>,
    gain: f32,
    channels: usize,
    /// Samples waiting, interleaved in the source's channels.
    pending: VecDeque<f32>,
    /// The frame (on the mix's count from its start) of `pending`'s first sample.
    head: Option<i64>,
    /// Why it ended, once it has (`Some("")` when it ended without saying).
    ended: Option<String>,
    track: MediaStreamTrack,
}

/// Mixes `inputs` (tracks with their gains, 1.0 as recorded) into one live audio track: its
/// label the sources' labels joined with " + ", its channels the most any source has. The
/// sources are stopped when the mix is.
///
/// # Errors
/// `NotSupported` for no input or a video track; `Unknown` when the mixing thread cannot start.
pub fn mix_tracks(inputs: Vec<(MediaStreamTrack, f32)>) -> Result<MediaStreamTrack, RecorderError> {
    if inputs.is_empty() || inputs.iter().any(|(t, _)| t.kind() != TrackKind::Audio) {
        return Err(RecorderError::NotSupported("a mix takes one or more audio tracks".into()));
    }
    let label = inputs.iter().map(|(t, _)| t.label()).collect::<Vec<_>>().join(" + ");
    let id = inputs.iter().map(|(t, _)| t.device_id()).collect::<Vec<_>>().join(" + ");
    let channels = inputs.iter().map(|(t, _)| t.channels()).max().unwrap_or(1).clamp(1, 2);
    let sum = |blocks: &[Vec<f32>], out: &mut [f32]| {
        for block in blocks {
            for (o, s) in out.iter_mut().zip(block) {
                *o += s;
            }
        }
        // Sources at full scale together would clip: the sum is limited, never wrapped.
        for s in out.iter_mut() {
            *s = s.clamp(-1.0, 1.0);
        }
    };
    let aligned = Aligned { name: "mix", label, id, channels, ends_with_first: false };
    aligned.spawn(inputs, sum)
}

/// Tracks placed side by side on the engine clock, 10 ms at a time, and made into one new track
/// by `combine` (the mix sums them; the echo canceller takes the first's echo of the second out).
pub(super) struct Aligned {
    /// The thread's name: `source:<name>`.
    pub name: &'static str,
    pub label: String,
    pub id: String,
    /// Of the new track: each input's block comes in these channels.
    pub channels: u16,
    /// The new track ends with its first input (else with the last to end).
    pub ends_with_first: bool,
}

impl Aligned {
    /// Starts the thread: each 10 ms, `combine(blocks, out)` gets each input's block (at its
    /// gain, in the new track's channels; silence where it had nothing) and fills `out`.
    pub(super) fn spawn(
        self,
        inputs: Vec<(MediaStreamTrack, f32)>,
        combine: impl FnMut(&[Vec<f32>], &mut [f32]) + Send + 'static,
    ) -> Result<MediaStreamTrack, RecorderError> {
        let inputs: Vec<Input> = inputs
            .into_iter()
            .map(|(track, gain)| Input {
                buffers: track.subscribe_audio(),
                gain,
                channels: usize::from(track.channels().clamp(1, 2)),
                pending: VecDeque::new(),
                head: None,
                ended: None,
                track,
            })
            .collect();
        let source = TrackSource::new();
        let thread_source = Arc::clone(&source);
        let (channels, ends_with_first) = (usize::from(self.channels), self.ends_with_first);
        let thread = std::thread::Builder::new()
            .name(format!("source:{}", self.name))
            .spawn(move || run(inputs, channels, ends_with_first, &thread_source, combine))
            .map_err(|e| RecorderError::os(format!("cannot start the {} thread", self.name), e))?;
        Ok(MediaStreamTrack::new(TrackKind::Audio, self.label, self.id, self.channels, None, source, thread))
    }
}

/// Opens each id (as [`open_audio`](super::open_audio)) and mixes them at equal gains.
///
/// # Errors
/// As `open_audio` for the first id that cannot be opened (those already open are closed).
pub fn open_audio_mix(ids: &[&str]) -> Result<MediaStreamTrack, RecorderError> {
    let mut tracks = Vec::with_capacity(ids.len());
    for id in ids {
        tracks.push((super::open_audio(id)?, 1.0));
    }
    match tracks.len() {
        1 => Ok(tracks.remove(0).0),
        _ => mix_tracks(tracks),
    }
}

fn run(
    mut inputs: Vec<Input>,
    channels: usize,
    ends_with_first: bool,
    source: &TrackSource,
    mut combine: impl FnMut(&[Vec<f32>], &mut [f32]),
) {
    let start_ns = now_ns();
    let frame_of = |ns: u64| ((i128::from(ns) - i128::from(start_ns)) * i128::from(RATE) / 1_000_000_000) as i64;
    let ns_of = |frame: i64| start_ns + (i128::from(frame) * 1_000_000_000 / i128::from(RATE)) as u64;
    let mut out_frame: i64 = 0;
    let mut latency_ns = LATENCY.as_nanos() as u64;
    while !source.is_ended() {
        // The block [out_frame, out_frame + BLOCK) is mixed once it is `latency_ns` old: the
        // latest any source has handed its sound over so far, with a margin.
        let due = ns_of(out_frame + BLOCK as i64) + latency_ns;
        let now = now_ns();
        if due > now {
            std::thread::sleep(Duration::from_nanos(due - now));
        }
        for input in &mut inputs {
            let late_ns = take_arrived(input, &frame_of);
            latency_ns = latency_ns.max((late_ns + 30_000_000).min(MAX_LATENCY.as_nanos() as u64));
        }
        let done = |i: &Input| i.ended.is_some() && i.pending.is_empty();
        let ended = if ends_with_first { inputs.first().is_none_or(done) } else { inputs.iter().all(done) };
        if ended {
            let reason = inputs.iter().find_map(|i| i.ended.clone().filter(|r| !r.is_empty()));
            source.end(reason);
            break;
        }
        let blocks: Vec<Vec<f32>> = inputs
            .iter_mut()
            .map(|input| {
                let mut block = vec![0.0f32; BLOCK * channels];
                add_block(input, out_frame, channels, &mut block);
                block
            })
            .collect();
        let mut block = vec![0.0f32; BLOCK * channels];
        combine(&blocks, &mut block);
        source.deliver(AudioBuffer { pts_ns: ns_of(out_frame), channels: channels as u16, samples: block.into() });
        out_frame += BLOCK as i64;
    }
    for input in &inputs {
        input.track.stop();
    }
}

/// Moves what the source has delivered into `pending`, placed by capture time; returns how
/// late the latest of it arrived (ns after its last sample was captured).
fn take_arrived(input: &mut Input, frame_of: &impl Fn(u64) -> i64) -> u64 {
    let mut late_ns = 0;
    loop {
        let buffer = match input.buffers.try_recv() {
            Ok(buffer) => buffer,
            Err(TryRecvError::Empty) => return late_ns,
            Err(TryRecvError::Disconnected) => {
                input.ended.get_or_insert_with(|| input.track.end_reason().unwrap_or_default());
                return late_ns;
            }
        };
        let end_ns = buffer.pts_ns + buffer.frames() as u64 * 1_000_000_000 / RATE as u64;
        late_ns = late_ns.max(now_ns().saturating_sub(end_ns));
        let channels = usize::from(buffer.channels.clamp(1, 2));
        if channels != input.channels {
            // A source that changed shape starts afresh.
            input.channels = channels;
            input.pending.clear();
            input.head = None;
        }
        let at = frame_of(buffer.pts_ns);
        let queued = (input.pending.len() / channels) as i64;
        match input.head {
            Some(head) if (at - (head + queued)).abs() <= DISCONTINUITY => {}
            // A gap: silence up to the new buffer.
            Some(head) if at > head + queued && queued > 0 => {
                let gap = (at - (head + queued)) as usize * channels;
                input.pending.extend(std::iter::repeat_n(0.0, gap));
            }
            _ => {
                input.pending.clear();
                input.head = Some(at);
            }
        }
        input.pending.extend(buffer.samples.iter().copied());
    }
}

/// Adds the source's part of the block starting at `out_frame` (scaled by its gain) to `block`,
/// dropping what it has from before the block.
fn add_block(input: &mut Input, out_frame: i64, channels: usize, block: &mut [f32]) {
    let Some(head) = input.head else { return };
    let ch = input.channels;
    let queued = (input.pending.len() / ch) as i64;
    // Behind the mix (late, or from before it started): what is past is gone.
    let stale = (out_frame - head).clamp(0, queued);
    input.pending.drain(..stale as usize * ch);
    let head = head + stale;
    let offset = (head - out_frame).max(0);
    let take = (BLOCK as i64 - offset).clamp(0, (input.pending.len() / ch) as i64) as usize;
    for (k, frame) in input.pending.drain(..take * ch).collect::<Vec<_>>().chunks_exact(ch).enumerate() {
        let at = (offset as usize + k) * channels;
        for c in 0..channels {
            // Mono into stereo on both sides; stereo into mono as the mean.
            let s = match (ch, channels) {
                (1, _) => frame[0],
                (_, 1) => 0.5 * (frame[0] + frame[1]),
                _ => frame[c],
            };
            block[at + c] += s * input.gain;
        }
    }
    input.head = Some(head + take as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(channels: usize) -> (Input, crossbeam_channel::Sender<AudioBuffer>) {
        let (tx, rx) = crossbeam_channel::bounded(16);
        let track = crate::devices::open_audio("test:tone").unwrap();
        track.stop();
        let input =
            Input { buffers: rx, gain: 0.5, channels, pending: VecDeque::new(), head: None, ended: None, track };
        (input, tx)
    }

    #[test]
    fn buffers_land_on_the_clock_with_their_gain_and_gaps_stay_silent() {
        let start_ns = 1_000_000_000u64;
        let frame_of = |ns: u64| ((ns - start_ns) * 48 / 1_000_000) as i64;
        let (mut a, tx) = input(1);
        // 10 ms of ones starting 5 ms into the mix, then (after a 60 ms hole) more.
        tx.send(AudioBuffer { pts_ns: start_ns + 5_000_000, channels: 1, samples: vec![1.0; 480].into() }).unwrap();
        tx.send(AudioBuffer { pts_ns: start_ns + 75_000_000, channels: 1, samples: vec![1.0; 480].into() }).unwrap();
        take_arrived(&mut a, &frame_of);
        let mut block = vec![0.0; BLOCK * 2];
        add_block(&mut a, 0, 2, &mut block);
        assert!(block[..240 * 2].iter().all(|&s| s == 0.0), "silent before the source's first sample");
        assert!(block[240 * 2..].iter().all(|&s| s == 0.5), "then the source at its gain, on both sides");
        let mut next = vec![0.0; BLOCK * 2];
        add_block(&mut a, 480, 2, &mut next);
        assert!(next[..240 * 2].iter().all(|&s| s == 0.5) && next[240 * 2..].iter().all(|&s| s == 0.0));
        // The hole is silence; the second buffer plays at 75 ms.
        for at in [960, 1440, 1920, 2400, 2880] {
            let mut b = vec![0.0; BLOCK * 2];
            add_block(&mut a, at, 2, &mut b);
            assert!(b.iter().all(|&s| s == 0.0), "block at frame {at} is in the hole");
        }
        let mut b = vec![0.0; BLOCK * 2];
        add_block(&mut a, 3360, 2, &mut b);
        assert!(b[..240 * 2].iter().all(|&s| s == 0.0) && b[240 * 2..].iter().all(|&s| s == 0.5));
    }

    #[test]
    fn a_late_source_loses_only_what_is_past() {
        let frame_of = |ns: u64| (ns * 48 / 1_000_000) as i64;
        let (mut a, tx) = input(2);
        tx.send(AudioBuffer { pts_ns: 0, channels: 2, samples: vec![0.2; 960 * 2].into() }).unwrap();
        take_arrived(&mut a, &frame_of);
        // The mix is already at 10 ms: the first 10 ms of the buffer are dropped, the rest plays.
        let mut block = vec![0.0; BLOCK];
        add_block(&mut a, 480, 1, &mut block);
        assert!(block.iter().all(|&s| (s - 0.1).abs() < 1e-6), "stereo into mono, at its gain");
        assert!(a.pending.is_empty());
    }

    #[test]
    fn a_source_that_ends_leaves_the_others_mixing_and_the_mix_ends_with_the_last() {
        let low = crate::devices::open_audio("test:tone").unwrap();
        let high = crate::devices::open_audio("test:tone?hz=880").unwrap();
        let mix = mix_tracks(vec![(low.clone(), 1.0), (high.clone(), 1.0)]).unwrap();
        assert_eq!(mix.label(), "Test tone (440 Hz) + Test tone (880 Hz)");
        let buffers = mix.subscribe_audio();
        let wait = std::time::Duration::from_secs(3);
        buffers.recv_timeout(wait).expect("the mix delivers");
        high.stop();
        // A second after the 880 Hz ended, the mix goes on: with the 440 Hz alone.
        let until = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while std::time::Instant::now() < until {
            buffers.recv_timeout(wait).expect("the mix goes on");
        }
        assert_eq!(mix.ready_state(), crate::MediaStreamTrackState::Live);
        low.stop();
        while buffers.recv_timeout(wait).is_ok() {}
        assert_eq!(mix.ready_state(), crate::MediaStreamTrackState::Ended, "the mix ends with its last source");
    }
}
