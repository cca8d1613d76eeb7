//! A chosen microphone unplugged mid-recording (its PulseAudio module unloaded). The server
//! silently moves the capture to the default microphone; the recorder must notice, end the
//! track, and stop as the spec says (last data, then stop) with a valid file of that mic only.
//! Alone in its test binary: it points this process's environment at a private PulseAudio.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::time::Duration;

use common::*;
use mediarecorder::{MediaStreamTrackState, RecordingState};

#[test]
fn unplugging_the_recorded_microphone_ends_the_track_and_stops_the_recorder() {
    let dir = tempfile::tempdir().unwrap();
    let (pulse, env) = PrivatePulse::start(&dir.path().join("pulse"));
    for (k, v) in &env {
        // Set before the recorder's threads exist: the library finds the server from here.
        std::env::set_var(k, v);
    }
    let store = dir.path().join("store");
    let r = recorder("pulseaudio:mic_b", "audio/webm", &store);
    r.start(Some(500)).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    pulse.unplug(&env, "mic_b");

    let events = events_until_stop(&r, Duration::from_secs(5));
    let order = names(&events);
    assert_eq!(order[0], "start");
    assert!(order[1..].iter().rev().skip(1).all(|n| *n == "data") && order.len() >= 5, "{order:?}");
    assert_eq!(order.last(), Some(&"stop"));
    assert_eq!(r.state(), RecordingState::Inactive);
    let track = r.stream().tracks()[0].clone();
    assert_eq!(track.ready_state(), MediaStreamTrackState::Ended);
    assert_eq!(track.end_reason().as_deref(), Some("the microphone was disconnected"));

    let out = tempfile::tempdir().unwrap();
    let file = assemble(&r, out.path(), "webm");
    assert_eq!(ffmpeg_errors(&file), "");
    let d = probe(&file).duration_s;
    assert!((1.3..=2.0).contains(&d), "recorded until the unplug: {d} s");
    // Mic B, not the default mic (440 Hz) the server moved the capture to: presence is checked
    // every 250 ms, so at most that much of another microphone can slip in at the very end
    // (none was seen in practice).
    let samples = decode_mono(&file);
    assert!((dominant_hz(&samples) - 880.0).abs() < 5.0);
    let leaked_ms = samples.rchunks(960).take_while(|w| (dominant_hz(w) - 440.0).abs() < 60.0).count() * 20;
    assert!(leaked_ms <= 300, "{leaked_ms} ms of the other microphone recorded");
}
