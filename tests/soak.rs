//! Soak: one simulated hour of audio through the real recorder (encoder, muxer, durable chunks)
//! in seconds, using the test tone's faster-than-real-time mode. Peak memory, open files and
//! threads must stay flat, and the file must be an hour long. Alone in its binary, so the
//! process's own counters measure this recording only.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::time::Duration;

use common::*;
use mediarecorder::RecorderEvent;

#[derive(Debug, Clone, Copy)]
struct Usage {
    peak_rss_kb: u64,
    open_files: usize,
    threads: usize,
}

fn usage() -> Usage {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak_rss_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    Usage {
        peak_rss_kb,
        open_files: std::fs::read_dir("/proc/self/fd").unwrap().count(),
        threads: std::fs::read_dir("/proc/self/task").unwrap().count(),
    }
}

#[test]
fn an_hour_of_recording_keeps_memory_files_and_threads_flat() {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone?realtime=0&seconds=3600", "audio/webm", store.path());
    let events = r.events();
    r.start(Some(1000)).unwrap();
    let (mut after_a_minute, mut blobs) = (None, 0);
    loop {
        match events.recv_timeout(Duration::from_secs(60)).expect("the recorder keeps going") {
            RecorderEvent::DataAvailable(_) => {
                blobs += 1;
                if after_a_minute.is_none() && r.stats().media_ms >= 60_000.0 {
                    after_a_minute = Some(usage());
                }
            }
            RecorderEvent::Stop => break,
            RecorderEvent::Error(e) => panic!("{e}"),
            _ => {}
        }
    }
    let minute = after_a_minute.unwrap();
    let end = usage();
    let stats = r.stats();
    assert!((stats.media_ms - 3_600_000.0).abs() < 1.0, "{} ms recorded", stats.media_ms);
    assert_eq!((stats.dropped_buffers, stats.overrun_frames), (0, 0), "nothing dropped");
    assert!(blobs >= 3600, "{blobs} DataAvailable events");
    assert!(
        end.peak_rss_kb as f64 <= minute.peak_rss_kb as f64 * 1.10,
        "peak RSS grew from {} kB at 1 min to {} kB at 60 min",
        minute.peak_rss_kb,
        end.peak_rss_kb
    );
    assert!(end.open_files <= minute.open_files, "open files {minute:?} -> {end:?}");
    assert!(end.threads <= minute.threads, "threads {minute:?} -> {end:?}");

    let out = tempfile::tempdir().unwrap();
    let file = assemble(&r, out.path(), "webm");
    let d = probe(&file).duration_s;
    assert!((d - 3600.0).abs() <= 1.0, "{d} s");
    assert_eq!(ffmpeg_errors(&file), "");
}
