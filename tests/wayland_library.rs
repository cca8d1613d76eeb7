//! `MediaStream::open_display` (the library's `getDisplayMedia`) on a headless sway desktop: the
//! track is the screen, labelled as such, recorded like any video track. Alone in its binary:
//! it points this process's session bus and display at the test's desktop.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::wayland::WaylandSession;
use common::*;
use mediarecorder::{DisplayMediaOptions, DisplaySurface, MediaRecorder, MediaRecorderOptions, MediaStream};

#[test]
fn open_display_shares_the_screen_as_a_video_track() {
    let wl = WaylandSession::start();
    for (name, value) in wl.vars() {
        std::env::set_var(name, value);
    }
    std::env::remove_var("DISPLAY");
    let store = tempfile::tempdir().unwrap();
    let options =
        DisplayMediaOptions { surface: DisplaySurface::Monitor, cursor: false, fps: 15, ..Default::default() };
    let stream = MediaStream::open_display(options).unwrap();
    let track = stream.video_tracks().remove(0);
    assert_eq!(track.label(), "Screen (1280×720, 15 fps)");
    assert_eq!(track.device_id(), "display?fps=15&surface=monitor&cursor=hidden");
    assert_eq!(track.frame_rate(), Some(15));
    assert!(track.restore_token().is_some(), "the desktop gave a token to share again");

    let options = MediaRecorderOptions { mime_type: Some("video/webm;codecs=vp8".into()), ..Default::default() };
    let recorder = MediaRecorder::new(stream.clone(), options).unwrap();
    recorder.set_store_dir(store.path());
    let events = record_for(&recorder, None, 2000);
    assert!(names(&events).ends_with(&["stop"]), "{:?}", names(&events));
    let file = assemble(&recorder, store.path(), "webm");
    assert_eq!(ffmpeg_errors(&file), "");
    let frames = frame_numbers(&file).len();
    assert!((28..=32).contains(&frames), "2 s at 15 fps: {frames} frames");
    track.stop();
}
