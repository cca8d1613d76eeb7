//! The window asking the desktop for a screen (Wayland's ScreenCast portal) while the desktop's
//! dialog is open: the window goes on (its meter moves) and shows the screen once the user has
//! chosen, and keeps the desktop's token. Alone in its binary: it points this process's session
//! bus and display at the test's own headless desktop.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;
mod window;

use std::time::{Duration, Instant};

use common::wayland::WaylandSession;
use common::*;
use egui_kittest::kittest::Queryable;
use window::*;

#[test]
fn the_window_goes_on_while_the_desktop_asks_which_screen() {
    require_virtual_mics();
    let wl = WaylandSession::slow();
    for (name, value) in wl.vars() {
        std::env::set_var(name, value);
    }
    std::env::remove_var("DISPLAY");
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the desktop's screen listed and a live level", |s| {
        s.video_devices.iter().any(|d| d.id == "display") && s.meter.peak_dbfs > -30.0
    });
    harness.get_by_value("None (sound only)").click();
    harness.run_steps(3);
    harness.get_by_label("Screen or window (ask)").click();
    let asked = Instant::now();
    wait_for(&mut harness, "the request under way", |s| s.selected_video.as_deref() == Some("display"));
    let before = harness.state().state().meter.waveform.clone();
    while asked.elapsed() < Duration::from_millis(1200) {
        harness.run_steps(3);
        std::thread::sleep(Duration::from_millis(20));
    }
    let s = harness.state().state();
    assert!(s.video_preview.is_none(), "the desktop has not answered yet (its user takes 2 s)");
    assert_ne!(s.meter.waveform, before, "the meter went on while the desktop was asking");

    wait_for(&mut harness, "the screen's picture", |s| {
        s.video_preview.as_ref().is_some_and(|p| p.source_size == (1280, 720))
    });
    let waited = asked.elapsed();
    assert!(waited >= Duration::from_secs(2), "after the user chose: {waited:?}");
    assert!(harness.state().state().settings.display_restore_token.is_some(), "the desktop's token is kept");
}
