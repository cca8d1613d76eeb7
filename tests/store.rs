//! The chunk store's promises: a chunk is durable before its event fires, chunks land at least
//! once a second whatever the timeslice, the manifest describes them, and assembling refuses
//! damage instead of writing a bad file.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::time::{Duration, Instant};

use common::*;
use mediarecorder::store::{read_manifest, SessionState};
use mediarecorder::{RecorderError, RecorderEvent};

fn chunk_bytes_on_disk(dir: &std::path::Path) -> Vec<u8> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("chunk-"))
        .collect();
    files.sort();
    files.iter().flat_map(|p| std::fs::read(p).unwrap()).collect()
}

#[test]
fn every_blob_is_already_on_disk_when_its_event_fires() {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/ogg", store.path());
    let events = r.events();
    r.start(Some(300)).unwrap();
    let mut delivered = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(1500);
    let mut checked = 0;
    while Instant::now() < deadline {
        if let Ok(RecorderEvent::DataAvailable(b)) = events.recv_timeout(Duration::from_millis(50)) {
            delivered.extend_from_slice(b.data.bytes());
            let on_disk = chunk_bytes_on_disk(&r.session_dir().unwrap());
            assert!(on_disk.starts_with(&delivered), "blob {checked} was delivered before it was durable");
            checked += 1;
        }
    }
    r.stop().unwrap();
    assert!(checked >= 3, "{checked} events checked");
}

#[test]
fn without_a_timeslice_chunks_still_land_every_second() {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/webm", store.path());
    r.start(None).unwrap();
    std::thread::sleep(Duration::from_millis(2600));
    // No DataAvailable yet (the spec holds data until stop), but two durable chunks exist.
    assert!(matches!(r.events().try_recv(), Ok(RecorderEvent::Start)));
    assert!(r.events().try_recv().is_err(), "no data event before stop without a timeslice");
    let manifest = read_manifest(&r.session_dir().unwrap()).unwrap();
    assert_eq!(manifest.state, SessionState::Recording);
    assert!(manifest.chunks.len() >= 2, "{} chunks after 2.6 s", manifest.chunks.len());
    r.stop().unwrap();
    let ev = events_until_stop(&r, Duration::from_secs(10));
    assert_eq!(names(&ev), ["data", "stop"]);
    // The one blob is the whole stream: exactly the chunks.
    assert_eq!(concat_blobs(&ev), chunk_bytes_on_disk(&r.session_dir().unwrap()));
}

#[test]
fn the_manifest_describes_the_finished_session() {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/ogg;codecs=opus", store.path());
    record_for(&r, Some(500), 1200);
    let dir = r.session_dir().unwrap();
    let m = read_manifest(&dir).unwrap();
    assert_eq!(m.state, SessionState::Complete);
    assert_eq!(m.mime_type, "audio/ogg;codecs=opus");
    assert_eq!(m.tracks, ["Test tone (440 Hz)"]);
    assert!((m.duration_ms - 1200.0).abs() < 100.0, "{} ms", m.duration_ms);
    for (i, c) in m.chunks.iter().enumerate() {
        let bytes = std::fs::read(dir.join(&c.file)).unwrap();
        assert_eq!(c.index as usize, i + 1);
        assert_eq!(c.bytes as usize, bytes.len());
        assert_eq!(c.crc32, crc32fast::hash(&bytes));
    }
    assert!(m.chunks.windows(2).all(|w| w[1].end_ms > w[0].end_ms));
    assert_eq!(r.stats().chunks as usize, m.chunks.len());
    // Recordings are private: the directory is the owner's alone, and so is every file in it.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        assert_eq!(entry.metadata().unwrap().permissions().mode() & 0o777, 0o600, "{:?}", entry.file_name());
    }
}

#[test]
fn assemble_refuses_a_damaged_chunk_and_writes_nothing() {
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/webm", store.path());
    record_for(&r, Some(300), 800);
    let dir = r.session_dir().unwrap();
    let chunk = dir.join(&read_manifest(&dir).unwrap().chunks[1].file);
    let mut bytes = std::fs::read(&chunk).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&chunk, bytes).unwrap();
    let target = out.path().join("x.webm");
    let err = mediarecorder::store::assemble(&dir, &target, false).unwrap_err();
    assert!(matches!(err, RecorderError::Encoding(_)), "{err}");
    assert!(err.to_string().contains("chunk 2"), "{err}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "no file, no temporary left behind");
}

#[test]
fn assemble_never_overwrites_unless_asked() {
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/ogg", store.path());
    record_for(&r, None, 500);
    let target = out.path().join("keep.ogg");
    std::fs::write(&target, b"precious").unwrap();
    let dir = r.session_dir().unwrap();
    assert!(matches!(mediarecorder::store::assemble(&dir, &target, false), Err(RecorderError::Io(_))));
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");
    mediarecorder::store::assemble(&dir, &target, true).unwrap();
    assert_eq!(ffmpeg_errors(&target), "");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1, "no temporary left behind");
}
