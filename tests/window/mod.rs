//! Driving the window in egui_kittest like a user: the app on a private store, waiting for the
//! controller's news, saving through the in-window "Save to" field. Shared by the window tests.

#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use mediarecorder::app::state::RecordingStatus;
use mediarecorder::app::{AppState, ControllerConfig, RecorderApp};

/// The app on a private store, settings not remembered, and the in-window "Save to" field
/// instead of a native dialog (the real dialog is driven in tests/desktop.rs).
pub fn app(store: &Path) -> Harness<'static, RecorderApp> {
    app_with_settings(store, None)
}

/// [`app`], remembering its settings in `settings_file`.
pub fn app_with_settings(store: &Path, settings_file: Option<std::path::PathBuf>) -> Harness<'static, RecorderApp> {
    let config = ControllerConfig {
        store_root: store.to_path_buf(),
        settings_file,
        native_dialogs: false,
        save_dir: Some(store.join("saved")),
    };
    Harness::builder()
        .with_size(egui::vec2(900.0, 680.0))
        .build_eframe(move |cc| RecorderApp::new(&cc.egui_ctx, config).unwrap())
}

/// Steps frames (the controller wakes the UI on its own thread) until `done` holds, then a few
/// more so the widgets show that state (a new modal is laid out invisibly on its first frame).
pub fn wait_for(harness: &mut Harness<'_, RecorderApp>, what: &str, done: impl Fn(&AppState) -> bool) {
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

pub fn enabled(harness: &Harness<'_, RecorderApp>, label: &str) -> bool {
    !harness.get_by_label(label).accesskit_node().is_disabled()
}

/// Picks a microphone from the dropdown by its label.
pub fn choose_microphone(harness: &mut Harness<'_, RecorderApp>, label: &str) {
    let s = harness.state().state();
    let current = s.devices.iter().find(|d| d.id == s.selected_device).map(|d| d.label.clone()).unwrap();
    harness.get_by_value(&current).click();
    harness.run_steps(3);
    harness.get_by_label(label).click();
    harness.run_steps(3);
}

/// Saves the first listed recording through the window's "Save to" field as `path` (the
/// format's extension is added); returns the saved file.
pub fn save_first(harness: &mut Harness<'_, RecorderApp>, path: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    harness.get_by_label("Save…").click();
    wait_for(harness, "the Save to field", |s| s.save_path_prompt.is_some());
    harness.get_by_role(egui::accesskit::Role::TextInput).focus();
    harness.run_steps(3);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_role(egui::accesskit::Role::TextInput).type_text(path.to_str().unwrap());
    harness.run_steps(3);
    harness.get_by_label("Save").click();
    wait_for(harness, "the save", |s| matches!(s.recordings[0].status, RecordingStatus::Saved(_)));
    match &harness.state().state().recordings[0].status {
        RecordingStatus::Saved(saved) => saved.clone(),
        other => panic!("not saved: {other:?}"),
    }
}

/// Plays the first recording to its end; the window reports no error.
pub fn play_to_the_end(harness: &mut Harness<'_, RecorderApp>) {
    harness.get_by_label("Play").click();
    wait_for(harness, "playing", |s| s.playing.is_some());
    wait_for(harness, "the end of playback", |s| s.playing.is_none());
    assert_eq!(harness.state().state().error, None);
}
