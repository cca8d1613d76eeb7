//! Soak with video: one simulated hour of 640×480 VP8 at 15 fps plus Opus through the real
//! recorder (encoders, muxer, durable chunks), in minutes, with both test sources running faster
//! than real time on their shared simulated clock. Nothing may be dropped; peak memory, open
//! files and threads stay flat; the file is an hour long and clean. Alone in its binary, so the
//! process's own counters measure this recording only.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::time::Duration;

use common::*;
use mediarecorder::{MediaRecorder, MediaRecorderOptions, MediaStream, RecorderEvent};

const SECONDS: u32 = 3600;
const FPS: u32 = 15;

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn counts() -> (usize, usize) {
    (std::fs::read_dir("/proc/self/fd").unwrap().count(), std::fs::read_dir("/proc/self/task").unwrap().count())
}

#[test]
fn an_hour_of_video_and_sound_keeps_memory_files_and_threads_flat() {
    let store = tempfile::tempdir().unwrap();
    let stream = MediaStream::open(
        Some(&format!("test:tone?realtime=0&seconds={SECONDS}")),
        Some(&format!("test:pattern?w=640&h=480&fps={FPS}&realtime=0&seconds={SECONDS}")),
    )
    .unwrap();
    let options = MediaRecorderOptions { mime_type: Some("video/webm;codecs=vp8,opus".into()), ..Default::default() };
    let r = MediaRecorder::new(stream, options).unwrap();
    r.set_store_dir(store.path());
    let events = r.events();
    r.start(Some(1000)).unwrap();
    let (mut after_a_minute, mut blobs) = (None, 0);
    loop {
        match events.recv_timeout(Duration::from_secs(60)).expect("the recorder keeps going") {
            RecorderEvent::DataAvailable(_) => {
                blobs += 1;
                if after_a_minute.is_none() && r.stats().media_ms >= 60_000.0 {
                    after_a_minute = Some((status_kb("VmHWM:"), counts()));
                }
            }
            RecorderEvent::Stop => break,
            RecorderEvent::Error(e) => panic!("{e}"),
            _ => {}
        }
    }
    let (minute_rss_kb, minute_counts) = after_a_minute.unwrap();
    let (end_rss_kb, end_counts) = (status_kb("VmHWM:"), counts());
    let stats = r.stats();
    let frames = u64::from(SECONDS * FPS);
    eprintln!(
        "{} frames encoded, {} dropped; {} ms; peak RSS {minute_rss_kb} kB at 1 min, {end_rss_kb} kB at the end",
        stats.video_frames, stats.dropped_video_frames, stats.media_ms
    );
    assert_eq!(stats.dropped_video_frames, 0, "nothing dropped: the sources wait for the encoders");
    assert!(
        stats.video_frames + 1 >= frames && stats.video_frames <= frames,
        "{} of {frames} frames",
        stats.video_frames
    );
    assert_eq!((stats.dropped_buffers, stats.overrun_frames), (0, 0));
    assert!(blobs >= SECONDS as usize, "{blobs} DataAvailable events");
    assert!(
        end_rss_kb as f64 <= minute_rss_kb as f64 * 1.10,
        "peak RSS grew from {minute_rss_kb} kB at 1 min to {end_rss_kb} kB at 60 min"
    );
    assert!(end_counts.0 <= minute_counts.0, "open files {minute_counts:?} -> {end_counts:?}");
    assert!(end_counts.1 <= minute_counts.1, "threads {minute_counts:?} -> {end_counts:?}");

    let out = tempfile::tempdir().unwrap();
    let file = assemble(&r, out.path(), "webm");
    let d = probe(&file).duration_s;
    assert!((d - f64::from(SECONDS)).abs() <= 1.0, "{d} s");
    assert_eq!(ffmpeg_errors(&file), "");
}
