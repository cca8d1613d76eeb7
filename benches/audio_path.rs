//! Audio path benchmark: `cargo bench --bench audio_path`.
//!
//! 1. Encode + mux cost: 60 s of stereo 48 kHz through libopus and each muxer, measured in
//!    this thread's CPU time (so a busy machine slows it down but does not inflate it).
//! 2. The browser's audio constraints (noise suppression, automatic gain) on 60 s of audio fed
//!    as fast as they take it: process CPU per second of audio, beside the same audio untouched.
//!    (Echo cancellation runs beside the system's sound in real time: it is measured in 3.)
//! 3. The whole recorder in real time (capture thread, recorder thread, fsynced 100 ms chunks):
//!    process CPU seconds per second of audio, and the delay from capturing a chunk's last
//!    sample to that chunk being durable on disk. Run with the virtual microphones
//!    (scripts/virtual-mics.sh) to measure a real PulseAudio microphone too.

use std::time::Duration;

use mediarecorder::codec::opus::{OpusEncoder, FRAME_SAMPLES};
use mediarecorder::container::new_muxer;
use mediarecorder::devices::{process_track, AudioProcessing};
use mediarecorder::mime::Container;
use mediarecorder::{MediaRecorder, MediaRecorderOptions, MediaStream, RecorderEvent, SilenceOptions};

/// CPU time of the calling thread, from the kernel's scheduler statistics.
fn thread_cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    Duration::from_nanos(s.split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// CPU time of the whole process (user + system, all threads).
fn process_cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime); the first field after the ')' that ends the command
    // name is field 3.
    let field = |n: usize| f.get(n - 3).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let ticks = field(14) + field(15);
    Duration::from_millis(ticks * 10) // CLK_TCK is 100 on Linux
}

fn encode_and_mux(container: Container, seconds: usize) -> f64 {
    let mut enc = OpusEncoder::new(2, 128_000, true).expect("encoder");
    let mut mux = new_muxer(container, 2, enc.pre_skip()).expect("muxer");
    let frame: Vec<f32> = (0..FRAME_SAMPLES * 2).map(|i| ((i / 2) as f32 * 0.0576).sin() * 0.5).collect();
    let start = thread_cpu();
    let mut bytes = 0;
    for k in 0..seconds * 50 {
        let packet = enc.encode(&frame).expect("encode");
        mux.write_audio(packet, (k * FRAME_SAMPLES) as u64, FRAME_SAMPLES as u32).expect("mux");
        if k % 5 == 4 {
            mux.cut().expect("cut");
            bytes += mux.take_bytes().len();
        }
    }
    let cpu = thread_cpu() - start;
    assert!(bytes > seconds * 10_000, "the muxer produced {bytes} bytes");
    cpu.as_secs_f64() * 1000.0 / seconds as f64
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Process CPU ms per second of audio to take `seconds` of a tone through `processing`.
fn processing_cost(processing: AudioProcessing, seconds: u32) -> f64 {
    let stream = MediaStream::open(Some(&format!("test:tone?realtime=0&seconds={seconds}")), None).expect("tone");
    let track = stream.audio_tracks().remove(0);
    let processed = process_track(track, processing).expect("processing");
    let buffers = processed.subscribe_audio();
    let cpu0 = process_cpu();
    let mut frames = 0usize;
    while let Ok(buffer) = buffers.recv_timeout(Duration::from_secs(10)) {
        frames += buffer.frames();
    }
    let cpu = process_cpu() - cpu0;
    let audio_s = frames as f64 / 48_000.0;
    assert!(audio_s >= f64::from(seconds) * 0.95, "{audio_s:.1} s of {seconds} came through");
    cpu.as_secs_f64() * 1000.0 / audio_s
}

fn real_time(source: &str, seconds: u64, stages: AudioProcessing, silence: bool) {
    let store = std::env::temp_dir().join(format!("mediarecorder-bench-{}", std::process::id()));
    let stream = match MediaStream::open(Some(source), None) {
        Ok(s) => s,
        Err(e) => {
            println!("  {source}: not measured ({e})");
            return;
        }
    };
    // The stages on the track; pausing on silence in the recorder (the silence level set under
    // the source's, so it hears and holds back every sample).
    let tracks = stream.audio_tracks().into_iter().map(|t| process_track(t, stages).expect("processing")).collect();
    let stream = MediaStream::new(tracks);
    let options = MediaRecorderOptions {
        mime_type: Some("audio/ogg;codecs=opus".into()),
        pause_on_silence: silence.then(|| SilenceOptions { threshold_dbfs: -90.0, ..SilenceOptions::default() }),
        ..Default::default()
    };
    let recorder = MediaRecorder::new(stream, options).expect("recorder");
    recorder.set_store_dir(&store);
    let events = recorder.events();
    let cpu0 = process_cpu();
    recorder.start(Some(100)).expect("start");
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds);
    let mut delays = Vec::new();
    while std::time::Instant::now() < deadline {
        if let Ok(RecorderEvent::DataAvailable(_)) = events.recv_timeout(Duration::from_millis(50)) {
            delays.push(recorder.stats().last_durable_delay_ms);
        }
    }
    recorder.stop().expect("stop");
    while !matches!(events.recv_timeout(Duration::from_secs(5)), Ok(RecorderEvent::Stop) | Err(_)) {}
    let cpu = process_cpu() - cpu0;
    let stats = recorder.stats();
    let _cleaned = std::fs::remove_dir_all(&store);
    delays.sort_by(f64::total_cmp);
    let mut named = Vec::new();
    for (on, name) in [
        (stages.echo_cancellation, "echo cancellation"),
        (stages.noise_suppression, "noise suppression"),
        (stages.auto_gain_control, "automatic gain"),
        (silence, "pausing on silence"),
    ] {
        if on {
            named.push(name);
        }
    }
    let stages = if named.is_empty() { String::new() } else { format!(" + {}", named.join(" + ")) };
    println!(
        "  {source}{stages}: {:.1} ms CPU per s of audio ({:.2}% of a core) over {:.1} s; {} chunks of 100 ms",
        cpu.as_secs_f64() * 1000.0 / (stats.media_ms / 1000.0),
        cpu.as_secs_f64() * 100.0 / (stats.media_ms / 1000.0),
        stats.media_ms / 1000.0,
        stats.chunks,
    );
    if !delays.is_empty() {
        println!(
            "    capture -> durable delay: median {:.1} ms, p95 {:.1} ms, max {:.1} ms; overruns {}, dropped {}",
            percentile(&delays, 0.5),
            percentile(&delays, 0.95),
            stats.max_durable_delay_ms,
            stats.overrun_frames,
            stats.dropped_buffers
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would too: keep both quick to parse.
    let quick = std::env::args().any(|a| a == "--quick");
    println!("Encode + mux, stereo 128 kbit/s VBR, CPU ms per second of audio (lower is better):");
    for (name, c) in [("Ogg", Container::Ogg), ("WebM", Container::WebM)] {
        println!("  {name}: {:.2} ms", encode_and_mux(c, if quick { 5 } else { 60 }));
    }
    println!("The browser's audio constraints, process CPU ms per second of audio (the mono test tone):");
    let audio_s = if quick { 5 } else { 60 };
    let raw = processing_cost(AudioProcessing::default(), audio_s);
    println!("  untouched: {raw:.2} ms");
    for (name, processing) in [
        ("noise suppression", AudioProcessing { noise_suppression: true, ..AudioProcessing::default() }),
        ("automatic gain", AudioProcessing { auto_gain_control: true, ..AudioProcessing::default() }),
        ("both", AudioProcessing { noise_suppression: true, auto_gain_control: true, ..AudioProcessing::default() }),
    ] {
        let cost = processing_cost(processing, audio_s);
        println!("  {name}: {cost:.2} ms ({:.2} ms more, {:.2}% of a core)", cost - raw, (cost - raw) / 10.0);
    }
    let seconds = if quick { 2 } else { 20 };
    println!("Whole recorder in real time, timeslice 100 ms, every chunk fsynced:");
    let raw = AudioProcessing::default();
    let ns_agc = AudioProcessing { noise_suppression: true, auto_gain_control: true, ..raw };
    real_time("test:tone", seconds, raw, false);
    real_time("test:tone", seconds, ns_agc, true);
    if std::env::var_os("PULSE_SERVER").is_some() {
        // Echo cancellation needs the system's sound (what it takes out): a sound server's.
        let echo = AudioProcessing { echo_cancellation: true, ..raw };
        real_time("pulseaudio:mic_a", seconds, raw, false);
        real_time("pulseaudio:mic_a", seconds, echo, false);
        real_time("pulseaudio:mic_a", seconds, AudioProcessing { echo_cancellation: true, ..ns_agc }, true);
    } else {
        println!("  (start scripts/virtual-mics.sh to measure a PulseAudio microphone too)");
    }
}
