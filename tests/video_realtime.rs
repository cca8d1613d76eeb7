//! Real time on this machine: a minute of `test:pattern` at 1280×720, 30 fps, with the test tone.
//! VP8 and AV1 must deliver at least 99 % of the frames captured at the full 1280×720 (AV1 through
//! whichever encoder its governor chose, named in the summary); in both, memory stays flat (the
//! peak RSS over the minute within 20 % of the peak over the first 10 s).
//!
//! Drops are counted by the engine (tests/video_recording.rs checks that every gap in the burned-in
//! frame numbers is a counted drop); here the counts are read from its stats, and ffprobe counts
//! the frames in the file.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use mediarecorder::{MediaRecorder, MediaRecorderOptions, MediaStream, RecorderEvent};

const SOURCE: &str = "test:pattern?w=1280&h=720&fps=30";
const MINUTE: Duration = Duration::from_secs(60);

/// One recording at a time: two would measure each other.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap()
}

fn video_packets(file: &Path) -> u64 {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v", "-count_packets", "-show_entries", "stream=nb_read_packets"])
        .args(["-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

struct Minute {
    delivered: f64,
    encoder: String,
    size: (u32, u32),
    peak_10s_kib: u64,
    peak_kib: u64,
}

fn record_a_minute(mime: &str) -> Minute {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let stream = MediaStream::open(Some("test:tone"), Some(SOURCE)).unwrap();
    let r = MediaRecorder::new(stream, MediaRecorderOptions { mime_type: Some(mime.into()), ..Default::default() })
        .unwrap();
    r.set_store_dir(store.path());
    let events = r.events();
    r.start(Some(1000)).unwrap();
    let started = Instant::now();
    let (mut peak_10s_kib, mut peak_kib) = (0, 0);
    // Events are taken as they come (a page would), RSS sampled at least twice a second, and
    // the minute ends on time (waiting for events until none came for 500 ms overran it by up
    // to a second).
    while let Some(left) = MINUTE.checked_sub(started.elapsed()) {
        if let Ok(event) = events.recv_timeout(left.min(Duration::from_millis(500))) {
            assert!(!matches!(event, RecorderEvent::Error(_)), "{mime}: {event:?}");
        }
        let rss = rss_kib();
        peak_kib = peak_kib.max(rss);
        if started.elapsed() <= Duration::from_secs(10) {
            peak_10s_kib = peak_10s_kib.max(rss);
        }
    }
    r.stop().unwrap();
    let recorded_s = started.elapsed().as_secs_f64();
    let rest = events_until_stop(&r, Duration::from_secs(20));
    assert!(!rest.iter().any(|e| matches!(e, RecorderEvent::Error(_))), "{mime}: {rest:?}");
    let file = assemble(&r, out.path(), "webm");
    assert_eq!(ffmpeg_errors(&file), "", "{mime}");
    let duration = probe(&file).duration_s;
    assert!((duration - recorded_s).abs() < 0.5, "{mime}: {duration} s in the file, {recorded_s:.2} s recorded");
    assert!((duration - 60.0).abs() < 1.0, "{mime}: {duration} s");

    let stats = r.stats();
    assert_eq!(video_packets(&file), stats.video_frames, "{mime}: frames in the file == frames encoded");
    let skipped = r.stream().video_tracks()[0].skipped_frames();
    let captured = stats.video_frames + stats.dropped_video_frames + skipped;
    let delivered = stats.video_frames as f64 / captured as f64;
    println!(
        "{mime}: {}; {} of {captured} frames delivered ({:.2} %), {} dropped by the recorder, {skipped} skipped by \
         the source; peak RSS {peak_10s_kib} KiB at 10 s, {peak_kib} KiB over the minute",
        stats.video_encoder,
        stats.video_frames,
        delivered * 100.0,
        stats.dropped_video_frames
    );
    Minute { delivered, encoder: stats.video_encoder, size: stats.video_size, peak_10s_kib, peak_kib }
}

#[test]
fn vp8_at_720p_delivers_99_percent_of_frames_for_a_minute_with_flat_memory() {
    let m = record_a_minute("video/webm;codecs=vp8,opus");
    assert_eq!(m.size, (1280, 720));
    assert!(m.delivered >= 0.99, "{:.2} % delivered", m.delivered * 100.0);
    assert!(
        m.peak_kib as f64 <= m.peak_10s_kib as f64 * 1.2,
        "RSS {} KiB at 10 s, {} KiB at 60 s",
        m.peak_10s_kib,
        m.peak_kib
    );
}

#[test]
fn av1_at_720p_delivers_99_percent_of_frames_at_full_size_for_a_minute() {
    let m = record_a_minute("video/webm;codecs=av1,opus");
    assert!(m.encoder.starts_with("AV1 at 1280×720, "), "the full size, the encoder named: {}", m.encoder);
    assert!(m.encoder.contains("rav1e") || m.encoder.contains("libaom"), "{}", m.encoder);
    assert_eq!(m.size, (1280, 720), "{}", m.encoder);
    assert!(m.delivered >= 0.99, "{:.2} % delivered with {}", m.delivered * 100.0, m.encoder);
    assert!(
        m.peak_kib as f64 <= m.peak_10s_kib as f64 * 1.2,
        "RSS {} KiB at 10 s, {} KiB at 60 s",
        m.peak_10s_kib,
        m.peak_kib
    );
}
