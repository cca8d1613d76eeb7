//! Real microphones through cpal, on the two virtual PulseAudio microphones the test command
//! starts (scripts/virtual-mics.sh): 440 Hz on mic_a (the default), 880 Hz on mic_b.
//! These tests fail, never skip, when the virtual mics are missing.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;

#[test]
fn devices_json_lists_both_virtual_mics_with_their_labels() {
    require_virtual_mics();
    let out = cli().args(["devices", "--json"]).output().unwrap();
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    let label_of =
        |id: &str| list.iter().find(|d| d["deviceId"] == id).map(|d| d["label"].as_str().unwrap().to_string());
    assert_eq!(label_of("pulseaudio:mic_a").as_deref(), Some("Virtual Mic A (440 Hz)"));
    assert_eq!(label_of("pulseaudio:mic_b").as_deref(), Some("Virtual Mic B (880 Hz)"));
    assert!(label_of("default").unwrap().contains("Virtual Mic A"), "default is marked");
    assert!(list.iter().all(|d| d["groupId"].is_string()));
    // Screens are listed when there is an X display (tests/screen.rs); no camera here.
    let video: Vec<_> = list
        .iter()
        .filter(|d| d["kind"] == "videoinput")
        .map(|d| d["deviceId"].as_str().unwrap())
        .filter(|id| !id.starts_with("screen:") && !id.starts_with("window:"))
        .collect();
    assert_eq!(video, ["test:pattern", "test:canvas"], "the test videos are video inputs");
    assert!(list.iter().all(|d| d["kind"] == "audioinput" || d["kind"] == "videoinput"));
    assert!(
        !list.iter().any(|d| d["deviceId"].as_str().unwrap().ends_with(".monitor")),
        "monitors are not microphones"
    );
}

fn record_pitch(device: &str) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mic.ogg");
    let out = cli()
        .args(["record", "--audio", device, "--duration", "2"])
        .args(UNPROCESSED)
        .arg("-o")
        .arg(&file)
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(ffmpeg_errors(&file), "");
    let p = probe(&file);
    assert!((p.duration_s - 2.0).abs() <= 0.1, "duration {}", p.duration_s);
    assert_eq!(p.channels, 2, "the virtual mics are stereo");
    dominant_hz(&decode_mono(&file))
}

#[test]
fn recording_the_second_mic_yields_880_hz_and_the_default_440() {
    require_virtual_mics();
    let hz = record_pitch("pulseaudio:mic_b");
    assert!((hz - 880.0).abs() <= 5.0, "mic_b gave {hz} Hz");
    let hz = record_pitch("default");
    assert!((hz - 440.0).abs() <= 5.0, "default gave {hz} Hz");
}

#[test]
fn library_api_records_a_real_microphone() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let r = recorder("pulseaudio:mic_b", "audio/webm;codecs=opus", store.path());
    assert_eq!(r.stream().tracks()[0].label(), "Virtual Mic B (880 Hz)");
    let events = record_for(&r, Some(500), 1500);
    assert!(names(&events).iter().filter(|n| **n == "data").count() >= 3);
    let stats = r.stats();
    assert_eq!(stats.overrun_frames, 0);
    assert_eq!(stats.dropped_buffers, 0);
}

#[test]
fn the_alsa_host_lists_capture_pcms_by_label_and_records_them() {
    require_virtual_mics();
    // The test command defines ALSA PCMs mic_a/mic_b routed to the same virtual mics.
    let out = cli().args(["devices", "--json"]).env("MEDIARECORDER_AUDIO_HOST", "alsa").output().unwrap();
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|d| d["deviceId"].as_str().unwrap()).collect();
    assert!(ids.contains(&"alsa:mic_b"), "{ids:?}");
    let label = list.as_array().unwrap().iter().find(|d| d["deviceId"] == "alsa:mic_b").unwrap()["label"].clone();
    assert_eq!(label, "Virtual Mic B (880 Hz)");
    for plugin in
        ["alsa:null", "alsa:lavrate", "alsa:samplerate", "alsa:speexrate", "alsa:jack", "alsa:oss", "alsa:upmix"]
    {
        assert!(!ids.contains(&plugin), "{plugin} cannot capture and must not be listed: {ids:?}");
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alsa.ogg");
    let out = cli()
        .args(["record", "--audio", "alsa:mic_b", "--duration", "1.5", "-o"])
        .arg(&file)
        .env("MEDIARECORDER_AUDIO_HOST", "alsa")
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(ffmpeg_errors(&file), "");
    let hz = dominant_hz(&decode_mono(&file));
    assert!((hz - 880.0).abs() <= 5.0, "alsa:mic_b gave {hz} Hz");
}
