//! The built-in test video as a live track: `getUserMedia`-style opening, frames paced at the
//! requested rate with capture timestamps on the engine's clock and the burned-in code counting
//! up; a subscriber that stops reading loses frames (counted) instead of holding capture up.
//! Recording video is not implemented yet, and the recorder says so rather than dropping it.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use mediarecorder::devices::read_code;
use mediarecorder::{
    enumerate_devices, MediaDeviceKind, MediaRecorder, MediaRecorderOptions, MediaStream, RecorderError, TrackKind,
};

#[test]
fn test_videos_are_listed_as_video_inputs() {
    let list = enumerate_devices().unwrap();
    let video: Vec<_> =
        list.iter().filter(|d| d.kind == MediaDeviceKind::VideoInput).map(|d| d.device_id.as_str()).collect();
    assert_eq!(video, ["test:pattern", "test:canvas"]);
}

#[test]
fn the_test_pattern_delivers_paced_frames_with_their_numbers() {
    let stream = MediaStream::open(None, Some("test:pattern?w=320&h=240&fps=25")).unwrap();
    let track = stream.video_tracks()[0].clone();
    assert_eq!(track.kind(), TrackKind::Video);
    assert_eq!(track.label(), "Test pattern (320×240, 25 fps)");
    let frames = track.subscribe_video();
    let got: Vec<_> = (0..30).map(|_| frames.recv_timeout(Duration::from_secs(2)).unwrap()).collect();
    let codes: Vec<(u32, u32)> = got.iter().map(|f| read_code(f.planes().0, f.width, f.height).unwrap()).collect();
    // Numbers count up (a source starved for longer than a frame skips numbers, as a camera
    // skips frames; never repeats them), the clock and the capture times step 40 ms a frame.
    for (pair, frames) in codes.windows(2).zip(got.windows(2)) {
        let step = pair[1].0 - pair[0].0;
        assert!(step >= 1, "{codes:?}");
        assert_eq!(pair[1].1 - pair[0].1, 40 * step, "{codes:?}");
        assert_eq!(frames[1].pts_ns - frames[0].pts_ns, 40_000_000 * u64::from(step));
    }
    let skipped = codes[29].0 - codes[0].0 - 29;
    assert!(skipped <= 3, "{skipped} frames skipped: {codes:?}");
    assert!(got.iter().all(|f| (f.width, f.height) == (320, 240)));
    assert_eq!(track.dropped_frames(), 0);

    // Stop reading: the queue of two fills, later frames are dropped and counted.
    // 25 frames are due in a second; two fit the queue.
    std::thread::sleep(Duration::from_millis(1000));
    assert!(track.dropped_frames() >= 10, "dropped {}", track.dropped_frames());
    assert!(frames.len() <= 2);
    track.stop();
}

#[test]
fn bad_video_ids_are_not_found_and_a_video_stream_records_as_webm() {
    for id in ["camera:nope", "test:pattern?w=641", "test:canvas?fps=500"] {
        assert!(matches!(MediaStream::open(None, Some(id)), Err(RecorderError::NotFound(_))), "{id}");
    }
    let stream = MediaStream::open(Some("test:tone"), Some("test:canvas")).unwrap();
    assert_eq!(stream.tracks().len(), 2);
    let store = tempfile::tempdir().unwrap();
    let recorder = MediaRecorder::new(stream, MediaRecorderOptions::default()).unwrap();
    recorder.set_store_dir(store.path());
    recorder.start(None).unwrap();
    // With no type asked for, the recorder picks what Chromium does for audio and video.
    assert_eq!(recorder.mime_type(), "video/webm;codecs=vp8,opus");
    recorder.stop().unwrap();
}

/// This machine has no camera (no /dev/video*): the list holds none, opening one says so in
/// words, and `devices` says which video sources remain. With a camera, it is listed instead.
#[test]
fn cameras_are_listed_when_present_and_their_absence_is_said_in_words() {
    let has_v4l2 = std::fs::read_dir("/dev")
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().starts_with("video"));
    let cameras: Vec<_> = mediarecorder::enumerate_devices()
        .unwrap()
        .into_iter()
        .filter(|d| d.device_id.starts_with("camera:"))
        .collect();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mediarecorder")).arg("devices").output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    if has_v4l2 {
        assert!(!cameras.is_empty(), "a V4L2 device exists but no camera is listed");
        assert!(cameras.iter().all(|c| c.kind == mediarecorder::MediaDeviceKind::VideoInput && !c.label.is_empty()));
    } else {
        assert!(cameras.is_empty(), "{cameras:?}");
        assert!(listing.contains("No camera found"), "{listing}");
        match MediaStream::open(None, Some("camera:0")) {
            Err(RecorderError::NotFound(message)) => assert!(message.contains("no camera"), "{message}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(MediaStream::open(None, Some("camera:zero")).is_err());
}
