//! The reference player: headless Chromium loads the assembled files and reports a finite
//! duration (a streamed WebM without our finalize step reports Infinity: checked too, so the
//! test can tell the difference).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;

/// `duration` as Chromium reports it at `loadedmetadata`, or the media error.
fn chromium_duration(file: &Path) -> String {
    let dir = file.parent().unwrap();
    let page = dir.join("player.html");
    let name = file.file_name().unwrap().to_string_lossy();
    std::fs::write(
        &page,
        format!(
            r#"<!doctype html><title>pending</title><audio id=a preload=auto src="{name}"></audio><script>
const a = document.getElementById('a');
a.onloadedmetadata = () => document.title = 'duration=' + a.duration;
a.onerror = () => document.title = 'error=' + (a.error && a.error.code);
</script>"#
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
            "--virtual-time-budget=20000",
            "--allow-file-access-from-files",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium must be installed (the test command installs it)");
    let dom = String::from_utf8_lossy(&out.stdout);
    dom.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or("no title").to_string()
}

fn record(mime: &str, ext: &str, out: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", mime, store.path());
    r.start(Some(1000)).unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    r.stop().unwrap();
    let events = events_until_stop(&r, Duration::from_secs(10));
    let streamed = out.join(format!("streamed.{ext}"));
    std::fs::write(&streamed, concat_blobs(&events)).unwrap();
    (assemble(&r, out, ext), streamed)
}

fn parse_duration(title: &str) -> f64 {
    title.strip_prefix("duration=").and_then(|d| d.parse().ok()).unwrap_or_else(|| panic!("Chromium said {title}"))
}

#[test]
fn assembled_webm_has_a_finite_duration_in_chromium() {
    let out = tempfile::tempdir().unwrap();
    let (file, streamed) = record("audio/webm;codecs=opus", "webm", out.path());
    let d = parse_duration(&chromium_duration(&file));
    assert!((d - 2.5).abs() <= 0.15, "Chromium duration {d}");
    // Without finalize Chromium cannot know the length: the reason assemble exists.
    assert_eq!(chromium_duration(&streamed), "duration=Infinity");
}

#[test]
fn ogg_plays_in_chromium_with_its_duration() {
    let out = tempfile::tempdir().unwrap();
    let (file, _) = record("audio/ogg;codecs=opus", "ogg", out.path());
    let d = parse_duration(&chromium_duration(&file));
    assert!((d - 2.5).abs() <= 0.15, "Chromium duration {d}");
}
