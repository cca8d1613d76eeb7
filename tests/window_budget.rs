//! The window's rendering budget, on the real binary in a real window (Xvfb, Mesa's software
//! renderer): while recording it draws at most its frame cap, not at all while unmapped (as a
//! minimised window or one on another workspace is), and the recording made from it keeps every
//! frame of a 30 fps test video, shown and hidden.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::desktop::{App, Desktop};
use common::*;
use mediarecorder::app::redraw::LEVELS;

const VIDEO: &str = "test:pattern?w=640&h=480&fps=30";

fn unix_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

/// The frames the window logged: when each started (unix ms) and whether it was recording.
fn frames(log: &Path) -> Vec<(f64, bool)> {
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(log).unwrap()).unwrap();
    log["frames"].as_array().unwrap().iter().map(|f| (f[0].as_f64().unwrap(), f[2].as_bool().unwrap())).collect()
}

#[test]
fn the_window_draws_within_its_cap_not_at_all_while_unmapped_and_the_recording_keeps_every_frame() {
    let home = tempfile::tempdir().unwrap();
    let settings = home.path().join("config/mediarecorder/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    let choices = serde_json::json!({
        "version": 1,
        "device_id": "test:tone",
        "video_id": VIDEO,
        "video_mime_type": "video/webm;codecs=vp8,opus",
    });
    std::fs::write(&settings, choices.to_string()).unwrap();
    let log = home.path().join("frames.json");
    let x = Xvfb::start("1280x800x24");
    let mut app = App::start(&x, home.path(), |c| c.env("MEDIARECORDER_FRAME_LOG", &log));
    let window = x.window("^MediaRecorder$", Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(2));
    x.focus(&window);

    x.xdotool(&["key", "--clearmodifiers", "space"]);
    let recording = unix_ms();
    std::thread::sleep(Duration::from_secs(10));
    let unmapped = unix_ms();
    x.xdotool(&["windowunmap", "--sync", &window]);
    std::thread::sleep(Duration::from_secs(10));
    let mapped = unix_ms();
    x.xdotool(&["windowmap", "--sync", &window]);
    x.focus(&window);
    std::thread::sleep(Duration::from_secs(2));
    x.xdotool(&["key", "--clearmodifiers", "space"]);
    std::thread::sleep(Duration::from_secs(2));
    x.xdotool(&["key", "--clearmodifiers", "ctrl+q"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the window did not close on Ctrl+Q");
        std::thread::sleep(Duration::from_millis(100));
    }

    let frames = frames(&log);
    // Hidden: a frame already asked for when the window went may still come (one frame
    // interval); after that, none until it is shown again.
    let while_hidden: Vec<f64> = frames
        .iter()
        .map(|f| f.0)
        .filter(|at| *at > unmapped + 300.0 && *at < mapped)
        .map(|at| at - unmapped)
        .collect();
    assert!(while_hidden.is_empty(), "frames drawn while unmapped, ms after unmapping: {while_hidden:?}");

    // Shown and recording, with no input to draw for: at most the cap a second. A frame the
    // window's thread started late (it gives way to the recorder) may bring the next closer.
    let shown: Vec<f64> =
        frames.iter().filter(|f| f.1 && f.0 > recording + 1000.0 && f.0 < unmapped).map(|f| f.0).collect();
    let cap = LEVELS[0].fps;
    let second_from = |start: f64| shown.iter().filter(move |at| **at >= start && **at < start + 1000.0);
    let busiest_start = shown.iter().copied().max_by_key(|start| second_from(*start).count()).unwrap_or(0.0);
    let busiest = second_from(busiest_start).count();
    let mean_fps = shown.len() as f64 / ((unmapped - recording - 1000.0) / 1000.0);
    eprintln!("shown: {} frames, {mean_fps:.1} a second, at most {busiest} in a second (cap {cap})", shown.len());
    assert!(mean_fps <= f64::from(cap), "{mean_fps:.1} frames a second, over the cap of {cap}");
    let gaps: Vec<f64> = second_from(busiest_start).collect::<Vec<_>>().windows(2).map(|w| w[1] - w[0]).collect();
    assert!(busiest <= cap as usize + 1, "{busiest} frames in one second (cap {cap}); ms between them: {gaps:.0?}");
    // The meter and the picture are live: the window does draw them (the lowest level is 5 fps).
    assert!(mean_fps >= f64::from(LEVELS[LEVELS.len() - 1].fps) * 0.8, "{mean_fps:.1} frames a second");

    // The recording: every frame the source made is in the file, shown or hidden.
    let sessions = home.path().join("data/mediarecorder/sessions");
    let session = std::fs::read_dir(&sessions).unwrap().next().unwrap().unwrap().path();
    let mut chunks: Vec<_> = std::fs::read_dir(&session)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("chunk-"))
        .collect();
    chunks.sort();
    let streamed = home.path().join("streamed.webm");
    std::fs::write(&streamed, chunks.iter().flat_map(|c| std::fs::read(c).unwrap()).collect::<Vec<u8>>()).unwrap();
    let mut numbers: Vec<u32> = frame_numbers(&streamed).into_iter().flatten().collect();
    numbers.sort_unstable();
    numbers.dedup();
    let captured = numbers.last().unwrap() - numbers.first().unwrap() + 1;
    let delivered = numbers.len() as u32;
    eprintln!("recorded from the window: {delivered} of {captured} frames");
    assert!(captured >= 21 * 30, "{captured} frames in a recording of about 22 s");
    assert!(f64::from(delivered) >= 0.99 * f64::from(captured), "{delivered} of {captured} frames delivered");
}
