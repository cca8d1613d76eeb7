//! "Area…" in the window: on a screen's still, the user drags a rectangle, and the recording is
//! that area of the screen. Alone in its binary: the window's process captures the private X
//! display this test starts (its `DISPLAY`).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;
mod window;

use common::*;
use egui_kittest::kittest::Queryable;
use mediarecorder::app::state::RecordingStatus;
use mediarecorder::devices::{ScreenSpec, ScreenTarget};
use window::*;

#[test]
fn area_records_the_rectangle_dragged_over_the_screen() {
    require_virtual_mics();
    let x = Xvfb::start("640x480x24");
    std::env::set_var("DISPLAY", &x.display);
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the screen listed", |s| s.video_devices.iter().any(|d| d.id == "screen:0"));
    let screen = harness.state().state().video_devices.iter().find(|d| d.id == "screen:0").unwrap().label.clone();
    harness.get_by_value("None (sound only)").click();
    harness.run_steps(3);
    harness.get_by_label(&screen).click();
    wait_for(&mut harness, "the screen's preview", |s| {
        s.video_preview.as_ref().is_some_and(|p| p.source_size == (640, 480))
    });

    harness.get_by_label("Area…").click();
    wait_for(&mut harness, "the area dialog", |s| s.area_picker.is_some());
    let still = harness.get_by_label("Still of the screen").rect();
    let at = |fx: f32, fy: f32| still.min + egui::vec2(fx, fy) * still.size();
    harness.hover_at(at(0.25, 0.25));
    harness.run_steps(2);
    harness.drag_at(at(0.25, 0.25));
    harness.run_steps(2);
    for f in [0.4, 0.6, 0.75] {
        harness.hover_at(at(f, f));
        harness.run_steps(2);
    }
    harness.drop_at(at(0.75, 0.75));
    harness.run_steps(3);
    harness.get_by_label("Record this area").click();
    wait_for(&mut harness, "the area chosen", |s| s.selected_video.as_deref().is_some_and(|id| id.contains("&w=")));

    let id = harness.state().state().selected_video.clone().unwrap();
    let Some(Ok(ScreenSpec { target: ScreenTarget::Screen { screen: 0, area: Some((ax, ay, aw, ah)) }, .. })) =
        ScreenSpec::parse(&id)
    else {
        panic!("an area of screen 0: {id}")
    };
    let near = |got: u16, want: u16| got.abs_diff(want) <= 4;
    assert!(near(ax, 160) && near(ay, 120) && near(aw, 320) && near(ah, 240), "the dragged rectangle: {id}");
    assert!(
        harness.get_all_by_value(&format!("{screen}, area {aw}×{ah} at ({ax}, {ay})")).next().is_some(),
        "the picker says so"
    );
    wait_for(&mut harness, "the area's preview", |s| {
        s.video_preview.as_ref().is_some_and(|p| p.source_size == (u32::from(aw), u32::from(ah)))
    });

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "1 s recorded", |s| s.media_ms >= 1000.0);
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
    let saved = save_first(&mut harness, &store.path().join("saved").join("area"));
    assert_eq!(ffmpeg_errors(&saved), "");
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("{aw},{ah}"), "the file is the area's size");
}
