//! What each fuzz target checks, shared with `tests/fuzz_regressions.rs`, which replays the
//! committed corpus and findings on every test run (no fuzzer needed there).
#![allow(dead_code)] // each target uses one check

use std::io::Cursor;

use mediarecorder::codec::opus;
use mediarecorder::container::{ogg, webm};
use mediarecorder::store::{parse_chunk_log, parse_chunk_log_leniently, parse_chunk_name, Manifest};
use mediarecorder::{settings, MediaRecorder};

/// The Ogg recovery scanner: never panics, never claims more than it was given, and a stream
/// it marks end-of-stream is still valid page by page.
pub fn ogg_recovery(data: &[u8]) {
    let (last, valid) = ogg::valid_pages(data);
    assert!(valid <= data.len());
    if let Some(start) = last {
        assert!(start < valid);
        let mut marked = data[..valid].to_vec();
        ogg::mark_end_of_stream(&mut marked, start);
        assert_eq!(ogg::valid_pages(&marked), (last, valid), "marking EOS keeps every page valid");
        assert!(ogg::page_granule(&marked, start).is_some());
    }
    let _ = ogg::pre_skip(data);
    let _ = opus::packet_samples(data);
}

/// WebM finalize on anything: an error or a file; and a file it writes, it can finalize again.
pub fn webm_finalize(data: &[u8]) {
    for damage in [webm::Damage::Refuse, webm::Damage::EndBefore] {
        let mut out = Vec::new();
        if let Ok(done) = webm::finalize(|| Ok(Cursor::new(data)), &mut out, damage) {
            assert_eq!(done.bytes as usize, out.len());
            let mut again = Vec::new();
            let redone = webm::finalize(|| Ok(Cursor::new(&out[..])), &mut again, webm::Damage::Refuse)
                .expect("a finalized file finalizes again");
            assert_eq!(redone.clusters, done.clusters);
        }
    }
}

/// Manifest and chunk-log parsers: never panic; strict and lenient agree on good logs; no
/// record ever names a file outside the session.
pub fn session_files(data: &[u8]) {
    let _ = Manifest::parse(data);
    let lenient = parse_chunk_log_leniently(data);
    if let Ok(strict) = parse_chunk_log(data) {
        assert_eq!(strict, lenient);
    }
    for record in &lenient {
        assert!(parse_chunk_name(&record.file).is_some() && !record.file.contains('/'));
    }
}

/// The settings parser: never panics; what it accepts is in range, of the right kind, and reads
/// back the same after being written.
pub fn settings(data: &[u8]) {
    let Ok(s) = settings::parse(data) else { return };
    assert!(s.mime_type.starts_with("audio/") && MediaRecorder::is_type_supported(&s.mime_type), "{s:?}");
    assert!(s.video_mime_type.starts_with("video/") && MediaRecorder::is_type_supported(&s.video_mime_type), "{s:?}");
    assert!((6_000..=510_000).contains(&s.audio_bitrate), "{s:?}");
    assert!((100_000..=50_000_000).contains(&s.video_bitrate), "{s:?}");
    assert!((100..=60_000).contains(&s.timeslice_ms), "{s:?}");
    assert!(!s.device_id.is_empty() && s.video_id.as_deref() != Some(""), "{s:?}");
    assert_eq!(settings::parse(&settings::to_json(&s)).as_ref(), Ok(&s));
}
