//! Snapshot images of the window's main states, rendered from fixed [`AppState`]s (no devices,
//! no clock): idle, recording, paused, a list of two recordings, an error, recording with video. Baselines are in
//! tests/snapshots; regenerate with `UPDATE_SNAPSHOTS=1` after a deliberate change of look.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod fixtures;

use egui_kittest::Harness;
use fixtures::{entry, idle};
use mediarecorder::app::main_ui;
use mediarecorder::app::state::{AppState, DeviceEntry, MeterReading, PreviewImage, RecordingStatus, SourceLevel};
use mediarecorder::RecordingState;

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
fn mixing_shows_a_meter_per_source() {
    let mut s = idle();
    s.settings.also_system_sound = true;
    s.devices.push(DeviceEntry { id: "system".into(), label: "System sound – Virtual_Speaker".into() });
    s.meter.sources = vec![
        SourceLevel { label: "Virtual Mic A (440 Hz)".into(), peak_dbfs: -12.0, rms_dbfs: -15.0 },
        SourceLevel {
            label: "System sound – Virtual_Speaker".into(),
            peak_dbfs: f32::NEG_INFINITY,
            rms_dbfs: f32::NEG_INFINITY,
        },
    ];
    snapshot("mixing", s);
}

#[test]
fn paused_window() {
    let mut s = idle();
    s.recording_state = RecordingState::Paused;
    s.media_ms = 12_700.0;
    s.bytes = 203_000;
    s.meter = MeterReading { peak_dbfs: f32::NEG_INFINITY, rms_dbfs: f32::NEG_INFINITY, silent: true, ..idle().meter };
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

/// Eight colour bars over a grey ramp, 320×240: a fixed picture for the video preview.
fn bars() -> PreviewImage {
    let colours = [
        [235, 235, 235],
        [235, 235, 16],
        [16, 235, 235],
        [16, 235, 16],
        [235, 16, 235],
        [235, 16, 16],
        [16, 16, 235],
        [16, 16, 16],
    ];
    let (w, h) = (320u32, 240u32);
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let rgb = if y < 160 { colours[(x * 8 / w) as usize] } else { [(x * 255 / w) as u8; 3] };
            rgba.extend_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
        }
    }
    PreviewImage { seq: 1, width: w, height: h, rgba: rgba.into(), source_size: (640, 480) }
}

#[test]
fn recording_with_video_shows_the_live_picture() {
    let mut s = idle();
    s.video_devices = vec![
        DeviceEntry { id: "screen:0".into(), label: "Screen 1 (1280×720)".into() },
        DeviceEntry { id: "test:pattern".into(), label: "Test pattern (640×480, 30 fps)".into() },
    ];
    s.no_camera = true;
    s.selected_video = Some("test:pattern".into());
    s.settings.video_id = Some("test:pattern".into());
    s.video_preview = Some(bars());
    s.capturing.push("Test pattern (640×480, 30 fps)".into());
    s.recording_state = RecordingState::Recording;
    s.media_ms = 5_300.0;
    s.bytes = 1_702_000;
    let mut r = entry("a", "Recording 2026-11-23 14-05-09", 0.0, 0, "webm", RecordingStatus::Recording);
    r.mime_type = "video/webm;codecs=vp8,opus".into();
    s.recordings = vec![r];
    s.selected_recording = Some("a".into());
    snapshot("video", s);
}
