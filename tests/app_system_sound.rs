//! The window and the system's sound: "Also record the system's sound" (the microphone and what
//! the speakers play, mixed into one track) and "Pause on silence" on the speakers' sound. Alone
//! in its binary, one test at a time: they play into the test PulseAudio's speaker, which the
//! other window tests play recordings through.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;
mod window;

use common::*;
use egui_kittest::kittest::Queryable;
use mediarecorder::app::state::RecordingStatus;
use mediarecorder::RecordingState;
use window::*;

static SPEAKER: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn the_system_sound_is_mixed_with_the_microphone_when_asked() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the default mic's level", |s| {
        s.devices.iter().any(|d| d.id == "system") && s.meter.peak_dbfs > -30.0
    });
    let mic = harness.state().state().devices[0].label.clone();
    harness.get_by_value(&mic).click();
    harness.run_steps(3);
    harness.get_by_label("Also record the system's sound").click();
    wait_for(&mut harness, "the switch on", |s| s.settings.also_system_sound);
    // The microphone as captured: the test measures its tone beside the speakers'.
    for switch in ["Cancel echo", "Reduce noise", "Even out volume"] {
        harness.get_by_label(switch).click();
        harness.run_steps(3);
    }
    wait_for(&mut harness, "the processing off", |s| {
        !s.settings.echo_cancellation && !s.settings.noise_suppression && !s.settings.auto_gain_control
    });
    let shown = format!("{mic} + System sound – Virtual_Speaker");
    assert!(harness.get_all_by_value(&shown).next().is_some(), "the picker says both");

    let playing = Playing::start();
    // A meter per source under the mix's: both heard while the speakers play.
    wait_for(&mut harness, "both sources' meters", |s| {
        s.meter.sources.len() == 2 && s.meter.sources.iter().all(|source| source.rms_dbfs > -40.0)
    });
    harness.get_by_label("Record").click();
    wait_for(&mut harness, "2 s recorded", |s| s.media_ms >= 2000.0);
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
    let saved = save_first(&mut harness, &store.path().join("saved").join("both"));
    assert_eq!(ffmpeg_errors(&saved), "");
    let samples = decode_mono(&saved);
    let middle = &samples[(0.3 * 48_000.0) as usize..(1.8 * 48_000.0) as usize];
    let (voice, speakers) = (level_db(middle, 440.0), level_db(middle, 660.0));
    eprintln!("440 Hz {voice:.1} dB, 660 Hz {speakers:.1} dB");
    assert!((voice - speakers).abs() <= 6.0 && voice > -40.0, "both, alike: {voice:.1} / {speakers:.1} dB");
    // The speakers fall silent: their meter says so, the microphone's goes on.
    drop(playing);
    wait_for(&mut harness, "the system sound's meter to fall", |s| {
        let levels: Vec<f32> = s.meter.sources.iter().map(|source| source.rms_dbfs).collect();
        levels.len() == 2 && levels[0] > -40.0 && levels[1] < -60.0
    });
    let labels: Vec<String> = harness.state().state().meter.sources.iter().map(|s| s.label.clone()).collect();
    assert_eq!(labels, [mic.clone(), "System sound – Virtual_Speaker".into()]);
}

#[test]
fn pause_on_silence_pauses_while_the_speakers_are_quiet_and_resumes_on_their_sound() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the devices", |s| s.devices.iter().any(|d| d.id == "system"));
    let state = harness.state().state();
    let system = state.devices.iter().find(|d| d.id == "system").unwrap().label.clone();
    let shown = state.devices.iter().find(|d| d.id == state.selected_device).unwrap().label.clone();
    harness.get_by_value(&shown).click();
    harness.run_steps(3);
    harness.get_all_by_label(&system).next().unwrap().click();
    wait_for(&mut harness, "the system sound chosen", |s| s.selected_device == "system");
    harness.get_by_value(&system).click();
    harness.run_steps(3);
    harness.get_by_label("Pause on silence").click();
    wait_for(&mut harness, "the switch on", |s| s.settings.pause_on_silence);
    wait_for(&mut harness, "the meter to say silent", |s| s.meter.silent);

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "paused on silence", |s| s.recording_state == RecordingState::Paused);
    let playing = Playing::start();
    wait_for(&mut harness, "resumed on sound", |s| s.recording_state == RecordingState::Recording && !s.meter.silent);
    wait_for(&mut harness, "1.5 s recorded", |s| s.media_ms >= 1500.0);
    drop(playing);
    wait_for(&mut harness, "paused again", |s| s.recording_state == RecordingState::Paused);
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
    let saved = save_first(&mut harness, &store.path().join("saved").join("paused"));
    assert_eq!(ffmpeg_errors(&saved), "");
    let samples = decode_mono(&saved);
    let seconds = samples.len() as f64 / 48_000.0;
    // The silence before the tone is at most the hang-over and the pre-roll (0.75 s).
    let first = samples.chunks_exact(240).position(|w| rms_db(w) > -45.0).unwrap() as f64 * 0.005;
    eprintln!("{seconds:.2} s saved, the tone from {first:.3} s");
    assert!(first <= 0.8, "the silence before the tone was left out: it starts at {first:.3} s");
    assert!((1.5..4.0).contains(&seconds), "the tone and its hang-over: {seconds:.2} s");
    assert!(level_db(&samples[(first * 48_000.0) as usize..][..24_000], 660.0) > -30.0, "the tone recorded");
}
