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

/// A controller on `store` that records 2 s of the test tone as WebM and stops; returns it with
/// the recording's id once the recording is listed as ready.
fn recorded(store: &std::path::Path) -> (Controller, String) {
    let config = ControllerConfig {
        store_root: store.to_path_buf(),
        settings_file: None,
        native_dialogs: false,
        save_dir: None,
    };
    let controller = Controller::spawn(config, Arc::new(Redraw::default())).unwrap();
    send(&controller, Command::SelectDevice("test:tone".into()));
    let settings = Settings { mime_type: "audio/webm;codecs=opus".into(), timeslice_ms: 250, ..Settings::default() };
    send(&controller, Command::ChangeSettings(settings));
    send(&controller, Command::Record);
    std::thread::sleep(Duration::from_secs(2));
    send(&controller, Command::Stop);
    let mut state = AppState::default();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        controller.drain().for_each(|u| state.apply(u));
        if let Some(r) = state.recordings.iter().find(|r| r.status == RecordingStatus::Ready) {
            return (controller, r.id.clone());
        }
        assert!(Instant::now() < deadline, "the recording was not listed as ready: {state:#?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Saves recording `id` to `path` and returns the window's state once the save has ended.
fn save(controller: &Controller, id: &str, path: std::path::PathBuf) -> AppState {
    send(controller, Command::SaveTo { id: id.into(), path, overwrite: false });
    let mut state = AppState::default();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        controller.drain().for_each(|u| state.apply(u));
        let status = state.recordings.iter().find(|r| r.id == id).map(|r| r.status.clone());
        if matches!(status, Some(RecordingStatus::Saved(_) | RecordingStatus::Ready)) && state.error.is_some()
            || matches!(status, Some(RecordingStatus::Saved(_))) && state.notice.is_some()
        {
            return state;
        }
        assert!(Instant::now() < deadline, "the save did not end: {state:#?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn saving_onto_a_full_disk_says_so_and_keeps_the_recording() {
    let store = tempfile::tempdir().unwrap();
    let (controller, id) = recorded(store.path());
    let disk = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16k", "tmpfs"])
        .arg(disk.path())
        .status()
        .unwrap();
    assert!(mounted.success(), "this test mounts a small tmpfs and needs root");
    let state = save(&controller, &id, disk.path().join("memo"));
    let _unmounted = std::process::Command::new("umount").arg("-l").arg(disk.path()).status();
    let error = state.error.unwrap();
    assert!(error.contains("the disk is full") && error.contains("No space left on device"), "{error}");
    assert!(!error.contains("encoding failed"), "{error}");
    assert_eq!(state.recordings.iter().find(|r| r.id == id).unwrap().status, RecordingStatus::Ready);
    assert!(store.path().join(&id).join("manifest.json").exists(), "the session is kept");
}

#[test]
fn a_damaged_chunk_is_left_out_of_the_saved_file_named_and_the_session_kept() {
    let store = tempfile::tempdir().unwrap();
    let (controller, id) = recorded(store.path());
    let session = store.path().join(&id);
    let chunk = session.join("chunk-000003.webm");
    let mut bytes = std::fs::read(&chunk).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&chunk, bytes).unwrap();

    let saved = store.path().join("memo.webm");
    let state = save(&controller, &id, saved.clone());
    let error = state.error.unwrap();
    assert!(error.contains("chunk 3"), "the window names the chunk left out: {error}");
    assert!(error.contains(&session.display().to_string()), "and where the chunks are kept: {error}");
    assert_eq!(state.recordings.iter().find(|r| r.id == id).unwrap().status, RecordingStatus::Saved(saved.clone()));
    assert!(session.join("manifest.json").exists(), "the session is kept");
    assert!(std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&saved)
        .args(["-f", "null", "-"])
        .status()
        .unwrap()
        .success());
}
