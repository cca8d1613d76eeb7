//! The reference player: headless Chromium loads the assembled files and reports a finite
//! duration (a streamed WebM without our finalize step reports Infinity: checked too, so the
//! test can tell the difference).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::Path;

use common::*;

fn record(mime: &str, ext: &str, out: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    record_ms(mime, ext, out, 2500)
}

/// `ms` of the test tone in `mime`, 1000 ms timeslice: the assembled file and the streamed one.
fn record_ms(mime: &str, ext: &str, out: &Path, ms: u64) -> (std::path::PathBuf, std::path::PathBuf) {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", mime, store.path());
    let events = record_for(&r, Some(1000), ms);
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

#[test]
fn audio_mp4_plays_in_chromium_with_its_duration_and_seeks() {
    let out = tempfile::tempdir().unwrap();
    let (file, streamed) = record_ms("audio/mp4;codecs=opus", "mp4", out.path(), 5000);
    assert_eq!(ffmpeg_errors(&file), "");
    assert_eq!(ffmpeg_errors(&streamed), "", "the chunks joined are a fragmented MP4 ffmpeg reads");
    assert_eq!(mp4_boxes(&file), ["ftyp", "moov", "mdat"], "the index first");
    let d = parse_duration(&chromium_duration(&file));
    assert!((d - 5.0).abs() <= 0.2, "Chromium duration {d}");
    let seeked = chromium_seek(&file, 4.0);
    assert!(seeked.starts_with("seeked=4"), "Chromium seeking to 4 s: {seeked}");
}
