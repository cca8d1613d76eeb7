//! The system's sound as a source: each output's monitor (`monitor:<output>`) and `system`, the
//! default output's, recorded from the test command's PulseAudio, whose default output is the
//! virtual speaker. A tone is played into the speaker for the test.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use common::*;

/// The speaker is one for the whole binary: one test plays into it at a time.
static SPEAKER: Mutex<()> = Mutex::new(());

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

    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
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

#[test]
fn a_microphone_and_the_system_sound_mix_into_one_track() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mix.ogg");
    let playing = Playing::start();
    let (child, rx) = spawn_recording(
        cli()
            .args(["record", "--audio", "pulseaudio:mic_a", "--audio", "system", "--duration", "4"])
            .args(UNPROCESSED)
            .arg("-o")
            .arg(&file),
    );
    std::thread::sleep(Duration::from_secs(2));
    drop(playing);
    let (ok, stderr) = finish_recording(child, &rx);
    assert!(ok, "{stderr}");
    assert_eq!(ffmpeg_errors(&file), "");
    let streams = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&streams.stdout).trim(), "audio", "one audio track");

    let samples = decode_mono(&file);
    let part = |from: f64, to: f64| &samples[(from * 48_000.0) as usize..(to * 48_000.0) as usize];
    let both = part(0.3, 1.6);
    let (mic, speaker) = (level_db(both, 440.0), level_db(both, 660.0));
    eprintln!("while playing: 440 Hz {mic:.1} dB, 660 Hz {speaker:.1} dB");
    assert!((mic - speaker).abs() <= 6.0, "both sources, within 6 dB: 440 Hz {mic:.1} dB, 660 Hz {speaker:.1} dB");
    assert!(mic > -40.0, "and loud: {mic:.1} dB");
    let alone = part(2.8, 3.8);
    let (mic, speaker) = (level_db(alone, 440.0), level_db(alone, 660.0));
    eprintln!("after: 440 Hz {mic:.1} dB, 660 Hz {speaker:.1} dB");
    assert!(mic - speaker >= 30.0, "the microphone goes on alone: 440 Hz {mic:.1} dB, 660 Hz {speaker:.1} dB");
}
