//! Playing a recording back through the default output: decoded on a `playback` thread into a
//! ring that cpal's output callback drains (no locks or allocation in the callback).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use crate::container::demux::opus_packets;
use crate::t;

/// Output rate: Opus decodes at 48 kHz, and PulseAudio/PipeWire resample as needed.
const RATE_HZ: u32 = 48_000;
/// Decoded audio queued ahead of the output: 500 ms (a hiccup of the decoder thread is inaudible).
const RING_FRAMES: usize = 24_000;
/// The output's period: 40 ms. The server's default buffer is 2 s, which would make Stop
/// playing late and cut the last 2 s (the stream is closed once everything is handed over).
const PERIOD_FRAMES: u32 = 1_920;

/// A recording playing. Dropping it stops playback and joins its thread.
pub struct Player {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Player {
    /// Plays `source` (a session directory or a saved file); `ended` is called once, with an
    /// error when playback failed midway.
    ///
    /// # Errors
    /// When the recording cannot be read or decoded, or no output device can be opened.
    pub fn start(source: &Path, ended: impl FnOnce(Option<String>) + Send + 'static) -> Result<Player, String> {
        let bytes = read_recording(source)?;
        let stream = opus_packets(&bytes).map_err(|e| e.to_string())?;
        let channels = stream.channels.clamp(1, 2);
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
        let thread = std::thread::Builder::new()
            .name("playback".into())
            .spawn(move || {
                let result = play(stream, channels, &thread_stop, &ready_tx);
                ended(result.err());
            })
            .map_err(|e| e.to_string())?;
        // The output is opened on the thread (cpal streams stay on the thread that made them);
        // wait for it so a missing device is reported here, not as a silent nothing.
        match ready_rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Ok(())) => Ok(Player { stop, thread: Some(thread) }),
            Ok(Err(e)) => {
                let _joined = thread.join();
                Err(e)
            }
            Err(_) => {
                stop.store(true, Ordering::Release);
                Err(t!("output-no-answer"))
            }
        }
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _panicked = thread.join();
        }
    }
}

/// The whole recording: a file, or a session's stream (its chunks in order, each checked).
fn read_recording(source: &Path) -> Result<Vec<u8>, String> {
    if source.is_dir() {
        return crate::store::read_stream(source).map_err(|e| e.to_string());
    }
    std::fs::read(source).map_err(|e| t!("cannot-read", path = source.display().to_string(), reason = e.to_string()))
}

fn play(
    stream: crate::container::demux::OpusStream,
    channels: u16,
    stop: &AtomicBool,
    ready: &crossbeam_channel::Sender<Result<(), String>>,
) -> Result<(), String> {
    let played = Arc::new(AtomicU64::new(0));
    let callback_played = played.clone();
    let output = (|| {
        let host = crate::devices::audio_host();
        let device = host.default_output_device().ok_or_else(|| t!("no-output-device"))?;
        let build = |buffer_size| {
            let (producer, mut consumer) = rtrb::RingBuffer::<f32>::new(RING_FRAMES * usize::from(channels));
            let callback_played = callback_played.clone();
            let config = cpal::StreamConfig { channels, sample_rate: RATE_HZ, buffer_size };
            device
                .build_output_stream(
                    config,
                    move |data: &mut [f32], _| {
                        let n = consumer.slots().min(data.len());
                        if let Ok(chunk) = consumer.read_chunk(n) {
                            let (a, b) = chunk.as_slices();
                            data[..a.len()].copy_from_slice(a);
                            data[a.len()..a.len() + b.len()].copy_from_slice(b);
                            chunk.commit_all();
                        }
                        // Underrun or end: silence, never stale samples.
                        data[n..].fill(0.0);
                        callback_played.fetch_add(n as u64, Ordering::Relaxed);
                    },
                    |e| eprintln!("mediarecorder: playback: {e}"),
                    None,
                )
                .map(|out| (out, producer))
        };
        // A short buffer where the host takes one (PulseAudio does), else the host's default.
        let (out, producer) = build(cpal::BufferSize::Fixed(PERIOD_FRAMES))
            .or_else(|_| build(cpal::BufferSize::Default))
            .map_err(|e| t!("cannot-open-output", reason = e.to_string()))?;
        out.play().map_err(|e| t!("cannot-start-output", reason = e.to_string()))?;
        Ok::<_, String>((out, producer))
    })();
    let (output, mut producer) = match output {
        Ok(o) => {
            let _receiver_gone = ready.send(Ok(()));
            o
        }
        Err(e) => {
            let _receiver_gone = ready.send(Err(e.clone()));
            return Err(e);
        }
    };

    let opus_channels = if channels == 2 { opus::Channels::Stereo } else { opus::Channels::Mono };
    let mut decoder = opus::Decoder::new(RATE_HZ, opus_channels).map_err(|e| e.to_string())?;
    let mut pcm = vec![0.0f32; 5760 * usize::from(channels)];
    let mut skip = usize::from(stream.pre_skip) * usize::from(channels);
    let mut queued = 0u64;
    for packet in &stream.packets {
        let frames =
            decoder.decode_float(packet, &mut pcm, false).map_err(|e| t!("cannot-decode", reason = e.to_string()))?;
        let mut samples = &pcm[..frames * usize::from(channels)];
        let dropped = skip.min(samples.len());
        samples = &samples[dropped..];
        skip -= dropped;
        while !samples.is_empty() {
            if stop.load(Ordering::Acquire) {
                return Ok(());
            }
            let n = producer.slots().min(samples.len());
            if n == 0 {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            if let Ok(chunk) = producer.write_chunk_uninit(n) {
                chunk.fill_from_iter(samples[..n].iter().copied());
            }
            samples = &samples[n..];
            queued += n as u64;
        }
    }
    // Let the ring drain to the speaker; an output that stops calling back (device gone)
    // ends playback at the deadline instead of hanging.
    let deadline = std::time::Instant::now() + Duration::from_secs(2) + Duration::from_millis(RING_FRAMES as u64 / 48);
    while played.load(Ordering::Relaxed) < queued && !stop.load(Ordering::Acquire) {
        if std::time::Instant::now() > deadline {
            return Err(t!("output-stopped"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // What the last callbacks handed over is still in the output's buffer (two periods).
    if !stop.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(u64::from(2 * PERIOD_FRAMES) * 1000 / u64::from(RATE_HZ) + 20));
    }
    drop(output);
    Ok(())
}
