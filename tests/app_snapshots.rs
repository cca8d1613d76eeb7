//! Snapshot images of the window's main states, rendered from fixed [`AppState`]s (no devices,
//! no clock): idle, recording, paused, a list of two recordings, an error. Baselines are in
//! tests/snapshots; regenerate with `UPDATE_SNAPSHOTS=1` after a deliberate change of look.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use egui_kittest::Harness;
use mediarecorder::app::main_ui;
use mediarecorder::app::state::{AppState, DeviceEntry, MeterReading, RecordingEntry, RecordingStatus};
use mediarecorder::RecordingState;

fn idle() -> AppState {
    AppState {
        devices: vec![
            DeviceEntry { id: "default".into(), label: "Default – Virtual Mic A (440 Hz)".into() },
            DeviceEntry { id: "pulseaudio:mic_a".into(), label: "Virtual Mic A (440 Hz)".into() },
            DeviceEntry { id: "pulseaudio:mic_b".into(), label: "Virtual Mic B (880 Hz)".into() },
            DeviceEntry { id: "test:tone".into(), label: "Test tone (440 Hz)".into() },
        ],
        selected_device: "default".into(),
        meter: MeterReading {
            peak_dbfs: -6.0,
            rms_dbfs: -9.0,
            clipping: false,
            // A fixed, speech-like envelope.
            waveform: (0..250)
                .map(|i| (0.5 + 0.45 * ((i as f32) * 0.13).sin()) * ((i as f32) * 0.031).sin().abs())
                .collect(),
        },
        ..AppState::default()
    }
}

fn entry(id: &str, name: &str, ms: f64, bytes: u64, ext: &str, status: RecordingStatus) -> RecordingEntry {
    RecordingEntry {
        id: id.into(),
        name: name.into(),
        duration_ms: ms,
        bytes,
        extension: ext.into(),
        status,
        error: None,
    }
}

fn snapshot(name: &str, mut state: AppState) {
    let mut harness = Harness::builder().with_size(egui::vec2(900.0, 680.0)).build_ui_state(
        |ui, state: &mut AppState| {
            main_ui(ui, state);
        },
        state.clone(),
    );
    harness.run();
    harness.snapshot(name);
    // Rendering asked for nothing: the panels are views of the state.
    state.renaming = None;
    assert_eq!(harness.state().recording_state, state.recording_state);
}

#[test]
fn idle_window() {
    snapshot("idle", idle());
}

#[test]
fn recording_window() {
    let mut s = idle();
    s.recording_state = RecordingState::Recording;
    s.media_ms = 83_400.0;
    s.bytes = 1_334_000;
    s.recordings = vec![entry("a", "Recording 2026-11-23 14-05-09", 0.0, 0, "ogg", RecordingStatus::Recording)];
    s.selected_recording = Some("a".into());
    snapshot("recording", s);
}

#[test]
fn paused_window() {
    let mut s = idle();
    s.recording_state = RecordingState::Paused;
    s.media_ms = 12_700.0;
    s.bytes = 203_000;
    s.meter = MeterReading { peak_dbfs: f32::NEG_INFINITY, rms_dbfs: f32::NEG_INFINITY, ..idle().meter };
    snapshot("paused", s);
}

#[test]
fn list_with_two_recordings() {
    let mut s = idle();
    s.recordings = vec![
        entry("a", "Interview with Sam", 754_200.0, 12_080_000, "ogg", RecordingStatus::Ready),
        entry("b", "Recording 2026-11-23 14-05-09", 3_020.0, 48_600, "webm", RecordingStatus::Saving(0.4)),
    ];
    s.selected_recording = Some("a".into());
    s.notice = Some("Saved “Standup” to /home/me/Music/Standup.ogg".into());
    snapshot("two_recordings", s);
}

#[test]
fn an_error_is_shown_and_the_recording_kept() {
    let mut s = idle();
    s.error = Some(
        "the microphone “Virtual Mic B (880 Hz)” was unplugged: recording stopped, the first 41.2 s are kept".into(),
    );
    let mut r = entry("a", "Recording 2026-11-23 14-05-09", 41_200.0, 660_000, "ogg", RecordingStatus::Ready);
    r.error = Some("the microphone was unplugged".into());
    s.recordings = vec![r];
    s.meter.clipping = true;
    s.meter.peak_dbfs = 0.0;
    snapshot("error", s);
}
