//! The window, driven like a user drives it (egui_kittest: find widgets by label, click, type),
//! on the real engine and the virtual PulseAudio microphones (scripts/virtual-mics.sh).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use mediarecorder::app::state::RecordingStatus;
use mediarecorder::app::{AppState, ControllerConfig, RecorderApp};
use mediarecorder::RecordingState;

fn require_virtual_mics() {
    assert!(
        std::env::var_os("MEDIARECORDER_VIRTUAL_MICS").is_some(),
        "these tests need the virtual microphones: run them with scripts/test.sh"
    );
}

/// The app on a private store, settings not remembered, and the in-window "Save to" field
/// instead of a native dialog (the real dialog is driven in tests/desktop.rs).
fn app(store: &Path) -> Harness<'static, RecorderApp> {
    let config = ControllerConfig {
        store_root: store.to_path_buf(),
        settings_file: None,
        native_dialogs: false,
        save_dir: Some(store.join("saved")),
    };
    Harness::builder()
        .with_size(egui::vec2(900.0, 680.0))
        .build_eframe(move |cc| RecorderApp::new(&cc.egui_ctx, config).unwrap())
}

/// Steps frames (the controller wakes the UI on its own thread) until `done` holds, then a few
/// more so the widgets show that state (a new modal is laid out invisibly on its first frame).
fn wait_for(harness: &mut Harness<'_, RecorderApp>, what: &str, done: impl Fn(&AppState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.run_steps(3);
        if done(harness.state().state()) {
            harness.run_steps(3);
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {:#?}", harness.state().state());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn enabled(harness: &Harness<'_, RecorderApp>, label: &str) -> bool {
    !harness.get_by_label(label).accesskit_node().is_disabled()
}

#[test]
fn choosing_the_second_microphone_records_880_hz_and_the_saved_file_is_clean() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the device list", |s| s.devices.iter().any(|d| d.label == "Virtual Mic B (880 Hz)"));
    wait_for(&mut harness, "the default mic's preview", |s| s.selected_device == "default");
    let default_label = harness.state().state().devices[0].label.clone();
    assert!(default_label.contains("Virtual Mic A"), "the default is marked: {default_label}");

    harness.get_by_value(&default_label).click();
    harness.run_steps(3);
    harness.get_by_label("Virtual Mic B (880 Hz)").click();
    wait_for(&mut harness, "mic B selected", |s| s.selected_device == "pulseaudio:mic_b");
    wait_for(&mut harness, "a live level", |s| s.meter.peak_dbfs > -30.0);

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "2 s recorded", |s| s.media_ms >= 2000.0);
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "the stopped recording in the list", |s| {
        s.recordings.len() == 1 && s.recordings[0].status == RecordingStatus::Ready
    });

    let out = store.path().join("saved").join("memo");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    harness.get_by_label("Save…").click();
    wait_for(&mut harness, "the Save to field", |s| s.save_path_prompt.is_some());
    let field = harness.get_by_role(egui::accesskit::Role::TextInput);
    field.focus();
    harness.run_steps(3);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_role(egui::accesskit::Role::TextInput).type_text(out.to_str().unwrap());
    harness.run_steps(3);
    harness.get_by_label("Save").click();
    wait_for(&mut harness, "the save", |s| matches!(s.recordings[0].status, RecordingStatus::Saved(_)));

    let saved = out.with_extension("ogg");
    assert_eq!(harness.state().state().recordings[0].status, RecordingStatus::Saved(saved.clone()));
    assert_eq!(ffmpeg_errors(&saved), "");
    let hz = dominant_hz(&decode_mono(&saved));
    assert!((hz - 880.0).abs() <= 5.0, "mic B gave {hz} Hz");
    let duration = probe(&saved).duration_s;
    assert!((2.0..2.6).contains(&duration), "duration {duration}");
    let notice = harness.state().state().notice.clone().unwrap_or_default();
    assert!(notice.contains(saved.to_str().unwrap()), "the window says where it went: {notice}");
    assert!(std::fs::read_dir(store.path()).unwrap().all(|e| e.unwrap().file_name() == "saved"), "chunks removed");
}

#[test]
fn record_pause_resume_stop_drive_the_buttons_and_the_timer() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "a preview", |s| !s.devices.is_empty() && s.meter.peak_dbfs.is_finite());
    assert!(enabled(&harness, "Record"));
    assert!(!enabled(&harness, "Pause"));
    assert!(!enabled(&harness, "Stop"));

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "recording", |s| s.recording_state == RecordingState::Recording && s.media_ms > 500.0);
    assert!(!enabled(&harness, "Record"));
    assert!(enabled(&harness, "Pause"));
    assert!(enabled(&harness, "Stop"));

    harness.get_by_label("Pause").click();
    wait_for(&mut harness, "paused", |s| s.recording_state == RecordingState::Paused);
    assert!(enabled(&harness, "Resume"), "Pause becomes Resume");
    // The timer stops while paused: once the last progress before the pause has arrived, it
    // holds still for a whole second.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_millis(400) {
        harness.run_steps(3);
        std::thread::sleep(Duration::from_millis(20));
    }
    let paused_at = harness.state().state().media_ms;
    let hold = Instant::now();
    while hold.elapsed() < Duration::from_secs(1) {
        harness.run_steps(3);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(harness.state().state().media_ms, paused_at, "the timer held still while paused");

    harness.get_by_label("Resume").click();
    wait_for(&mut harness, "the timer running again", |s| {
        s.recording_state == RecordingState::Recording && s.media_ms > paused_at + 500.0
    });
    assert!(enabled(&harness, "Pause"));

    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| {
        s.recording_state == RecordingState::Inactive
            && s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready)
    });
    assert!(enabled(&harness, "Record"));
    assert!(!enabled(&harness, "Pause"));
    assert!(!enabled(&harness, "Stop"));
    let r = &harness.state().state().recordings[0];
    let expected = harness.state().state().media_ms;
    assert!((r.duration_ms - expected).abs() < 100.0, "listed {} ms, timer {} ms", r.duration_ms, expected);
}

#[test]
fn keyboard_shortcuts_record_pause_and_stop() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "a preview", |s| !s.devices.is_empty() && s.meter.peak_dbfs.is_finite());
    harness.key_press(egui::Key::Space);
    wait_for(&mut harness, "Space starts", |s| s.recording_state == RecordingState::Recording);
    harness.key_press(egui::Key::P);
    wait_for(&mut harness, "P pauses", |s| s.recording_state == RecordingState::Paused);
    harness.key_press(egui::Key::P);
    wait_for(&mut harness, "P resumes", |s| s.recording_state == RecordingState::Recording);
    harness.key_press(egui::Key::Space);
    wait_for(&mut harness, "Space stops", |s| {
        s.recording_state == RecordingState::Inactive
            && s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready)
    });
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    wait_for(&mut harness, "Ctrl+S asks where to save", |s| s.save_path_prompt.is_some());
}

#[test]
fn recordings_survive_a_restart_and_delete_asks_first() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    {
        let mut harness = app(store.path());
        wait_for(&mut harness, "a preview", |s| !s.devices.is_empty() && s.meter.peak_dbfs.is_finite());
        harness.get_by_label("Record").click();
        wait_for(&mut harness, "recording", |s| s.media_ms > 300.0);
        harness.get_by_label("Stop").click();
        wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
        // Quit: the harness (and the controller) is dropped here.
    }
    let mut harness = app(store.path());
    wait_for(&mut harness, "the earlier recording listed", |s| {
        s.recordings.len() == 1 && s.recordings[0].status == RecordingStatus::Ready
    });
    harness.get_by_label("Delete").click();
    harness.run_steps(3);
    assert!(harness.state().state().confirm_delete.is_some(), "asks first");
    harness.get_by_label("Keep it").click();
    harness.run_steps(3);
    assert_eq!(harness.state().state().recordings.len(), 1, "kept");
    harness.get_by_label("Delete").click();
    harness.run_steps(3);
    let buttons: Vec<_> = harness.get_all_by_label("Delete").collect();
    buttons.last().unwrap().click();
    wait_for(&mut harness, "deleted", |s| s.recordings.is_empty());
    assert_eq!(std::fs::read_dir(store.path()).unwrap().count(), 0, "its chunks are gone");
}
