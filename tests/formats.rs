//! Every supported MIME type, 3 s of the 440 Hz test tone with a 1000 ms timeslice, checked by
//! independent decoders: ffmpeg must decode it silently, ffprobe must see Opus at 48 kHz for
//! 3.0 ± 0.1 s, and the decoded pitch must be 440 ± 5 Hz.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use mediarecorder::RecorderEvent;

fn check_format(mime: &str, ext: &str, magic: &[u8]) {
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", mime, store.path());
    let events = record_for(&r, Some(1000), 3000);

    let blobs: Vec<_> =
        events.iter().filter_map(|e| if let RecorderEvent::DataAvailable(b) = e { Some(b) } else { None }).collect();
    let non_empty = blobs.iter().filter(|b| b.data.size() > 0).count();
    assert!(non_empty >= 3, "{mime}: {non_empty} non-empty DataAvailable events");
    assert!(blobs[0].data.bytes().starts_with(magic), "{mime}: first blob starts with the container magic");

    // The blobs concatenated are exactly the chunk files concatenated: one stream.
    let streamed = out.path().join(format!("streamed.{ext}"));
    std::fs::write(&streamed, concat_blobs(&events)).unwrap();
    let session = r.session_dir().unwrap();
    let manifest = mediarecorder::store::read_manifest(&session).unwrap();
    let chunks: Vec<u8> = manifest.chunks.iter().flat_map(|c| std::fs::read(session.join(&c.file)).unwrap()).collect();
    assert_eq!(chunks, std::fs::read(&streamed).unwrap(), "{mime}: chunks == blobs");
    assert_eq!(ffmpeg_errors(&streamed), "", "{mime}: the streamed file decodes cleanly");

    let file = assemble(&r, out.path(), ext);
    assert_eq!(ffmpeg_errors(&file), "", "{mime}: ffmpeg reports errors");
    let p = probe(&file);
    assert_eq!(p.codec, "opus", "{mime}");
    assert_eq!(p.sample_rate, 48_000, "{mime}");
    assert!((p.duration_s - 3.0).abs() <= 0.1, "{mime}: duration {} s", p.duration_s);
    let hz = dominant_hz(&decode_mono(&file));
    assert!((hz - 440.0).abs() <= 5.0, "{mime}: dominant frequency {hz} Hz");
}

#[test]
fn audio_ogg_codecs_opus() {
    check_format("audio/ogg;codecs=opus", "ogg", b"OggS");
}

#[test]
fn audio_ogg() {
    check_format("audio/ogg", "ogg", b"OggS");
}

#[test]
fn audio_webm_codecs_opus() {
    check_format("audio/webm;codecs=opus", "webm", &[0x1a, 0x45, 0xdf, 0xa3]);
}

#[test]
fn audio_webm() {
    check_format("audio/webm", "webm", &[0x1a, 0x45, 0xdf, 0xa3]);
}

#[test]
fn assembled_webm_has_duration_and_cues_for_seeking() {
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/webm", store.path());
    record_for(&r, Some(500), 2000);
    let file = assemble(&r, out.path(), "webm");
    let info = std::process::Command::new("mkvinfo").arg("--all").arg(&file).output().expect("mkvinfo (mkvtoolnix)");
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("Duration: 00:00:0"), "Duration element: {text}");
    assert!(text.matches("Cue point").count() >= 4, "one cue per cluster: {text}");
    // A seek into the middle decodes from there (ffmpeg uses the Cues).
    let seek = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-ss", "1.2", "-i"])
        .arg(&file)
        .args(["-f", "f32le", "-ac", "1", "-"])
        .output()
        .unwrap();
    let secs = seek.stdout.len() as f64 / 4.0 / 48_000.0;
    assert!((secs - 0.8).abs() < 0.1, "after seeking to 1.2 s, {secs} s remain");
}
