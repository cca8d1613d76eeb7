//! The system's sound as a source: each output's monitor (`monitor:<output>`) and `system`, the
//! default output's, recorded from the test command's PulseAudio, whose default output is the
//! virtual speaker. A tone is played into the speaker for the test.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::process::Command;

use common::*;

/// A 660 Hz sine played into the virtual speaker while it lives (a PulseAudio module).
struct Playing(String);

impl Playing {
    fn start() -> Playing {
        let out = Command::new("pactl")
            .args(["load-module", "module-sine", "sink=speaker", "rate=48000", "frequency=660"])
            .output()
            .unwrap();
        assert!(out.status.success(), "pactl: {}", String::from_utf8_lossy(&out.stderr));
        Playing(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

impl Drop for Playing {
    fn drop(&mut self) {
        let _unloaded = Command::new("pactl").args(["unload-module", &self.0]).status();
    }
}

#[test]
fn the_system_sound_is_listed_and_records_what_the_speakers_play() {
    require_virtual_mics();
    let listed = cli().args(["devices", "--json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let label_of = |id: &str| {
        list.as_array().unwrap().iter().find(|d| d["deviceId"] == id).map(|d| d["label"].as_str().unwrap().to_owned())
    };
    assert_eq!(label_of("system").as_deref(), Some("System sound – Virtual_Speaker"), "{list}");
    assert_eq!(label_of("monitor:speaker").as_deref(), Some("System sound – Virtual_Speaker"));
    let no_mic = cli().args(["devices"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&no_mic.stdout).contains("No microphone"), "the microphones are still there");

    let _playing = Playing::start();
    let dir = tempfile::tempdir().unwrap();
    for id in ["system", "monitor:speaker"] {
        let file = dir.path().join(format!("{}.ogg", id.replace(':', "-")));
        let run = cli().args(["record", "--audio", id, "--duration", "2", "-o"]).arg(&file).output().unwrap();
        assert!(run.status.success(), "{id}: {}", String::from_utf8_lossy(&run.stderr));
        assert!(String::from_utf8_lossy(&run.stderr).contains("Recording System sound – Virtual_Speaker"), "{id}");
        assert_eq!(ffmpeg_errors(&file), "", "{id}");
        let hz = dominant_hz(&decode_mono(&file));
        assert!((hz - 660.0).abs() <= 5.0, "{id}: the speaker's 660 Hz was recorded, not {hz} Hz");
    }
}
