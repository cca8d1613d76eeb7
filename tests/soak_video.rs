//! Soak with video: one simulated hour of 640×480 VP8 at 15 fps plus Opus through the real
//! recorder (encoders, muxer, durable chunks), in minutes, with both test sources running faster
//! than real time on their shared simulated clock. Nothing may be dropped; peak memory, open
//! files and threads stay flat; the file is an hour long and clean. Alone in its binary, so the
//! process's own counters measure this recording only.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::soak::soak;
use common::*;
use mediarecorder::{MediaRecorder, MediaRecorderOptions, MediaStream};

const SECONDS: u32 = 3600;
const FPS: u32 = 15;

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
    let run = soak(&r);
    let stats = r.stats();
    let frames = u64::from(SECONDS * FPS);
    eprintln!(
        "{} frames encoded, {} dropped; {} ms; peak RSS {} kB at 1 min, {} kB at the end",
        stats.video_frames,
        stats.dropped_video_frames,
        stats.media_ms,
        run.after_a_minute.peak_rss_kb,
        run.at_the_end.peak_rss_kb
    );
    assert_eq!(stats.dropped_video_frames, 0, "nothing dropped: the sources wait for the encoders");
    // The first frame may fall just before media time 0.
    assert!((frames - 1..=frames).contains(&stats.video_frames), "{} of {frames} frames", stats.video_frames);
    assert_eq!((stats.dropped_buffers, stats.overrun_frames), (0, 0));
    assert!(run.blobs >= SECONDS as usize, "{} DataAvailable events", run.blobs);
    run.assert_flat();

    let out = tempfile::tempdir().unwrap();
    let file = assemble(&r, out.path(), "webm");
    let d = probe(&file).duration_s;
    assert!((d - f64::from(SECONDS)).abs() <= 1.0, "{d} s");
    assert_eq!(ffmpeg_errors(&file), "");
}
