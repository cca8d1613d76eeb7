//! One test per rule of the MediaRecorder checklist (shared spec.md) that applies to audio,
//! run against the real engine with the built-in test tone.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::time::Duration;

use common::*;
use mediarecorder::{
    BitrateMode, MediaRecorder, MediaRecorderOptions, MediaStream, RecorderError, RecorderEvent, RecordingState,
};

const MIME: &str = "audio/webm;codecs=opus";
const T: Duration = Duration::from_secs(10);

fn tone_recorder(store: &tempfile::TempDir) -> MediaRecorder {
    recorder("test:tone", MIME, store.path())
}

// --- Construction ---

#[test]
fn new_with_an_unsupported_mime_type_is_not_supported() {
    let stream = MediaStream::open(Some("test:tone"), None).unwrap();
    let options = MediaRecorderOptions { mime_type: Some("audio/mp4;codecs=aac".into()), ..Default::default() };
    assert!(matches!(MediaRecorder::new(stream, options), Err(RecorderError::NotSupported(_))));
}

#[test]
fn mime_type_is_the_options_until_start_then_the_full_type() {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/webm", store.path());
    assert_eq!(r.mime_type(), "audio/webm");
    r.start(None).unwrap();
    assert_eq!(r.mime_type(), "audio/webm;codecs=opus");
    r.stop().unwrap();
    events_until_stop(&r, T);

    let stream = MediaStream::open(Some("test:tone"), None).unwrap();
    let r = MediaRecorder::new(stream, MediaRecorderOptions::default()).unwrap();
    r.set_store_dir(store.path());
    assert_eq!(r.mime_type(), "");
    r.start(None).unwrap();
    assert_eq!(r.mime_type(), "audio/ogg;codecs=opus");
    r.stop().unwrap();
}

#[test]
fn bits_per_second_overrides_and_values_are_clamped() {
    let stream = MediaStream::open(Some("test:tone"), None).unwrap();
    let options = MediaRecorderOptions {
        audio_bits_per_second: Some(64_000),
        bits_per_second: Some(96_000),
        ..Default::default()
    };
    assert_eq!(MediaRecorder::new(stream.clone(), options).unwrap().audio_bits_per_second(), 96_000);
    let options = MediaRecorderOptions { audio_bits_per_second: Some(5_000_000), ..Default::default() };
    assert_eq!(MediaRecorder::new(stream.clone(), options).unwrap().audio_bits_per_second(), 510_000);
    let r = MediaRecorder::new(stream, MediaRecorderOptions::default()).unwrap();
    assert_eq!(r.audio_bits_per_second(), 128_000);
}

#[test]
fn bitrate_mode_defaults_to_variable_and_state_to_inactive() {
    let stream = MediaStream::open(Some("test:tone"), None).unwrap();
    let r = MediaRecorder::new(stream, MediaRecorderOptions::default()).unwrap();
    assert_eq!(r.audio_bitrate_mode(), BitrateMode::Variable);
    assert_eq!(r.state(), RecordingState::Inactive);
}

// --- start(timeslice) ---

#[test]
fn start_when_not_inactive_is_invalid_state() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(None).unwrap();
    assert!(matches!(r.start(None), Err(RecorderError::InvalidState(_))));
    r.pause().unwrap();
    assert!(matches!(r.start(None), Err(RecorderError::InvalidState(_))));
    r.stop().unwrap();
}

#[test]
fn start_with_no_live_track_is_not_supported() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.stream().tracks()[0].stop();
    assert!(matches!(r.start(None), Err(RecorderError::NotSupported(_))));
    assert_eq!(r.state(), RecordingState::Inactive);
}

#[test]
fn start_sets_recording_before_returning_then_fires_start_first() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(Some(200)).unwrap();
    assert_eq!(r.state(), RecordingState::Recording);
    std::thread::sleep(Duration::from_millis(500));
    r.stop().unwrap();
    let ev = events_until_stop(&r, T);
    assert_eq!(names(&ev)[0], "start");
}

#[test]
fn timeslice_delivers_data_periodically_and_tiny_timeslices_are_raised() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(Some(1)).unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    r.stop().unwrap();
    let ev = events_until_stop(&r, T);
    let data = names(&ev).iter().filter(|n| **n == "data").count();
    // 1 s at the 100 ms minimum: about 10 blobs, never one per millisecond.
    assert!((6..=13).contains(&data), "{data} DataAvailable events");
}

#[test]
fn first_blob_starts_with_the_header_and_timecodes_count_media_ms() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(Some(500)).unwrap();
    std::thread::sleep(Duration::from_millis(1700));
    r.stop().unwrap();
    let ev = events_until_stop(&r, T);
    let blobs: Vec<_> =
        ev.iter().filter_map(|e| if let RecorderEvent::DataAvailable(b) = e { Some(b) } else { None }).collect();
    assert!(blobs.len() >= 3);
    assert_eq!(&blobs[0].data.bytes()[..4], &[0x1a, 0x45, 0xdf, 0xa3], "EBML magic");
    assert_eq!(blobs[0].timecode, 0.0);
    assert!((blobs[1].timecode - 500.0).abs() < 50.0, "second blob at {} ms", blobs[1].timecode);
    assert!(blobs.windows(2).all(|w| w[1].timecode > w[0].timecode));
    assert_eq!(blobs[0].data.mime_type(), "audio/webm;codecs=opus");
}

// --- stop() ---

#[test]
fn stop_when_inactive_does_nothing() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.stop().unwrap();
    assert!(r.events().recv_timeout(Duration::from_millis(300)).is_err(), "no event");
}

#[test]
fn stop_sets_inactive_at_once_then_fires_last_data_then_stop() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(None).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    r.stop().unwrap();
    assert_eq!(r.state(), RecordingState::Inactive);
    let ev = events_until_stop(&r, T);
    assert_eq!(names(&ev), ["start", "data", "stop"]);
    assert!(concat_blobs(&ev).len() > 1000, "the last blob holds the recording");
    assert!(r.events().recv_timeout(Duration::from_millis(200)).is_err(), "nothing after stop");
}

// --- pause() / resume() ---

#[test]
fn pause_and_resume_when_inactive_are_invalid_state() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    assert!(matches!(r.pause(), Err(RecorderError::InvalidState(_))));
    assert!(matches!(r.resume(), Err(RecorderError::InvalidState(_))));
}

#[test]
fn pause_twice_and_resume_while_recording_fire_nothing_extra() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(None).unwrap();
    r.resume().unwrap(); // already recording: nothing
    r.pause().unwrap();
    assert_eq!(r.state(), RecordingState::Paused);
    r.pause().unwrap(); // already paused: nothing
    r.resume().unwrap();
    assert_eq!(r.state(), RecordingState::Recording);
    r.stop().unwrap();
    let ev = events_until_stop(&r, T);
    assert_eq!(names(&ev), ["start", "pause", "resume", "data", "stop"]);
}

// --- request_data() ---

#[test]
fn request_data_when_inactive_is_invalid_state() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    assert!(matches!(r.request_data(), Err(RecorderError::InvalidState(_))));
}

#[test]
fn request_data_delivers_what_was_gathered_and_starts_a_new_blob() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(None).unwrap();
    std::thread::sleep(Duration::from_millis(600));
    r.request_data().unwrap();
    std::thread::sleep(Duration::from_millis(600));
    r.stop().unwrap();
    let ev = events_until_stop(&r, T);
    assert_eq!(names(&ev), ["start", "data", "data", "stop"]);
    let sizes: Vec<usize> = ev
        .iter()
        .filter_map(|e| if let RecorderEvent::DataAvailable(b) = e { Some(b.data.size()) } else { None })
        .collect();
    assert!(sizes.iter().all(|&s| s > 1000), "both blobs hold ~0.6 s of audio: {sizes:?}");
}

// --- Tracks during recording ---

#[test]
fn all_tracks_ending_stops_the_recorder_with_last_data_then_stop() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(None).unwrap();
    std::thread::sleep(Duration::from_millis(400));
    r.stream().tracks()[0].stop();
    let ev = events_until_stop(&r, T);
    assert_eq!(names(&ev), ["start", "data", "stop"]);
    assert_eq!(r.state(), RecordingState::Inactive);
}

#[test]
fn a_track_removed_while_recording_is_an_invalid_modification() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(None).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let track = r.stream().tracks()[0].clone();
    r.stream().remove_track(&track);
    let ev = events_until_stop(&r, T);
    assert_eq!(names(&ev), ["start", "error", "data", "stop"]);
    assert!(matches!(ev[1], RecorderEvent::Error(RecorderError::InvalidModification(_))));
}

#[test]
fn a_track_added_while_recording_is_an_invalid_modification() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(None).unwrap();
    let extra = MediaStream::open(Some("test:tone?hz=880"), None).unwrap().tracks()[0].clone();
    r.stream().add_track(extra);
    let ev = events_until_stop(&r, T);
    assert_eq!(names(&ev), ["start", "error", "data", "stop"]);
    assert!(matches!(ev[1], RecorderEvent::Error(RecorderError::InvalidModification(_))));
}

#[test]
fn a_disabled_track_is_recorded_as_silence() {
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.stream().tracks()[0].set_enabled(false);
    r.start(None).unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    r.stop().unwrap();
    events_until_stop(&r, T);
    let samples = decode_mono(&assemble(&r, out.path(), "webm"));
    assert!(samples.len() > 40_000, "about a second of audio: {}", samples.len());
    let peak = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    assert!(peak < 1e-3, "silence expected, peak {peak}");
}

// --- Errors while recording ---

#[test]
fn a_failing_store_fires_error_then_last_data_then_stop() {
    let store = tempfile::tempdir().unwrap();
    let blocker = store.path().join("a-file");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let r = recorder("test:tone", MIME, &blocker.join("sessions"));
    r.start(None).unwrap();
    let ev = events_until_stop(&r, T);
    assert_eq!(names(&ev), ["start", "error", "data", "stop"]);
    assert!(matches!(ev[1], RecorderEvent::Error(RecorderError::Io(_))));
    assert_eq!(r.state(), RecordingState::Inactive);
}

// --- is_type_supported ---

#[test]
fn is_type_supported_follows_the_rules() {
    assert!(MediaRecorder::is_type_supported(""));
    for yes in [
        "audio/ogg;codecs=opus",
        "audio/ogg",
        "audio/webm;codecs=opus",
        "audio/webm",
        "AUDIO/WEBM; CODECS=\"Opus\"",
        "video/webm",
        "video/webm;codecs=vp8",
        "video/webm;codecs=vp9,opus",
        "video/webm;codecs=\"vp8, opus\"",
        "video/webm;codecs=av1,opus",
        "video/webm;codecs=av01.0.04M.08",
        // MP4 as Chromium records it.
        "audio/mp4",
        "audio/mp4;codecs=opus",
        "video/mp4",
        "video/mp4;codecs=avc1",
        "video/mp4;codecs=avc1.42E01F,opus",
        "video/mp4;codecs=av01,opus",
        "video/mp4;codecs=vp9",
    ] {
        assert!(MediaRecorder::is_type_supported(yes), "{yes}");
    }
    for no in [
        "not a type",
        "audio/",
        "audio/mp4;codecs=mp4a.40.2",
        "audio/webm;codecs=vorbis",
        "audio/ogg;codecs=opus,flac",
        "text/html",
        "audio/webm;codecs=vp8",
        "video/ogg",
        "video/mp4;codecs=vp8",
        "video/webm;codecs=h264",
    ] {
        assert!(!MediaRecorder::is_type_supported(no), "{no}");
    }
}

// --- Event order, in one picture ---

#[test]
fn events_follow_the_spec_order_through_pause_and_resume() {
    let store = tempfile::tempdir().unwrap();
    let r = tone_recorder(&store);
    r.start(Some(300)).unwrap();
    std::thread::sleep(Duration::from_millis(700));
    r.pause().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    r.resume().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    r.stop().unwrap();
    let ev = names(&events_until_stop(&r, T));
    let pause = ev.iter().position(|n| *n == "pause").unwrap();
    let resume = ev.iter().position(|n| *n == "resume").unwrap();
    assert_eq!(ev[0], "start");
    assert!(pause < resume);
    assert!(ev[1..pause].iter().all(|n| *n == "data") && pause >= 3, "{ev:?}");
    assert!(ev[resume + 1..ev.len() - 1].iter().all(|n| *n == "data") && ev.len() - resume >= 4, "{ev:?}");
    assert!(!ev[pause + 1..resume].contains(&"data"), "no data while paused: {ev:?}");
    assert_eq!(ev.last(), Some(&"stop"));
}
