//! The app's controller never waits for the window: a window that does not draw (minimised, on
//! another workspace, a compositor withholding frames) does not drain its updates, and the
//! controller must go on taking commands and the recorder's events all the same.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Arc;
use std::time::{Duration, Instant};

use mediarecorder::app::state::{AppState, Command, RecordingStatus, Settings};
use mediarecorder::app::{Controller, ControllerConfig, Redraw};
use mediarecorder::RecordingState;

/// Sends `command`, waiting while the command queue is full (the controller is busy, not stuck:
/// the deadline says when that would be a failure).
fn send(controller: &Controller, command: Command) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while let Err(e) = controller.send(command.clone()) {
        assert!(Instant::now() < deadline, "the controller stopped taking commands: {e}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn with_the_window_never_drawing_the_controller_records_and_saves_and_the_window_then_gets_the_newest_state() {
    let store = tempfile::tempdir().unwrap();
    let config = ControllerConfig {
        store_root: store.path().to_path_buf(),
        settings_file: None,
        native_dialogs: false,
        save_dir: Some(store.path().join("saved")),
    };
    // No window attached: nothing drains what the controller leaves for it until the end.
    let controller = Controller::spawn(config, Arc::new(Redraw::default())).unwrap();
    send(&controller, Command::SelectDevice("test:tone".into()));

    // Ten thousand updates for the window (each changed setting is one)…
    let mut settings = Settings::default();
    for i in 0..10_000u32 {
        settings.audio_bitrate = 64_000 + i;
        send(&controller, Command::ChangeSettings(settings.clone()));
    }
    // …then a recording, its recorder events (start, chunks, stop) taken by the controller…
    send(&controller, Command::Record);
    let sessions = store.path().to_path_buf();
    let session = || {
        std::fs::read_dir(&sessions)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.join("manifest.json").exists())
    };
    wait_until("a recording session", || session().is_some());
    let id = session().unwrap().file_name().unwrap().to_string_lossy().into_owned();
    std::thread::sleep(Duration::from_millis(1500));
    send(&controller, Command::Stop);
    let finished = || std::fs::read_to_string(session().unwrap().join("manifest.json")).unwrap().contains("complete");
    wait_until("the recording to finish", finished);
    // …and a save with its progress.
    let target = store.path().join("saved").join("memo");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let saved = store.path().join("saved").join("memo.ogg");
    // The controller lists the recording once it has taken the recorder's Stop: until then a
    // save is refused (not savable yet), so it is asked again.
    wait_until("the save", || {
        send(&controller, Command::SaveTo { id: id.clone(), path: target.clone(), overwrite: false });
        std::thread::sleep(Duration::from_millis(200));
        saved.exists()
    });

    // The window drains at last: the newest of everything.
    std::thread::sleep(Duration::from_millis(300));
    let updates: Vec<_> = controller.drain().collect();
    assert!(updates.len() < 100, "{} updates held for a window that never drew", updates.len());
    let mut state = AppState::default();
    for update in updates {
        state.apply(update);
    }
    assert_eq!(state.settings.audio_bitrate, 64_000 + 9_999, "the newest settings");
    assert_eq!(state.recording_state, RecordingState::Inactive);
    let listed = state.recordings.iter().find(|r| r.id == id).unwrap();
    assert_eq!(listed.status, RecordingStatus::Saved(saved.clone()));
    assert!(state.notice.unwrap_or_default().contains("memo.ogg"), "the window says where it went");
}
