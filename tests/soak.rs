//! Soak: one simulated hour of audio through the real recorder (encoder, muxer, durable chunks)
//! in seconds, using the test tone's faster-than-real-time mode. Peak memory, open files and
//! threads must stay flat, and the file must be an hour long. Alone in its binary, so the
//! process's own counters measure this recording only.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::soak::soak;
use common::*;

#[test]
fn an_hour_of_recording_keeps_memory_files_and_threads_flat() {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone?realtime=0&seconds=3600", "audio/webm", store.path());
    let run = soak(&r);
    let stats = r.stats();
    assert!((stats.media_ms - 3_600_000.0).abs() < 1.0, "{} ms recorded", stats.media_ms);
    assert_eq!((stats.dropped_buffers, stats.overrun_frames), (0, 0), "nothing dropped");
    assert!(run.blobs >= 3600, "{} DataAvailable events", run.blobs);
    run.assert_flat();

    let out = tempfile::tempdir().unwrap();
    let file = assemble(&r, out.path(), "webm");
    let d = probe(&file).duration_s;
    assert!((d - 3600.0).abs() <= 1.0, "{d} s");
    assert_eq!(ffmpeg_errors(&file), "");
}
