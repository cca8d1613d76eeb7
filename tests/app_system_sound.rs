//! "Also record the system's sound" in the window: the microphone and what the speakers play,
//! mixed into one track. Alone in its binary: it plays into the test PulseAudio's speaker, which
//! the other window tests play recordings through.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;
mod window;

use common::*;
use egui_kittest::kittest::Queryable;
use mediarecorder::app::state::RecordingStatus;
use window::*;

#[test]
fn the_system_sound_is_mixed_with_the_microphone_when_asked() {
    require_virtual_mics();
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
    let shown = format!("{mic} + System sound – Virtual_Speaker");
    assert!(harness.get_all_by_value(&shown).next().is_some(), "the picker says both");

    let _playing = Playing::start();
    std::thread::sleep(std::time::Duration::from_millis(500));
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
}
