//! The Opus stream itself: RFC 7845 as the reference tool (opusinfo, from opus-tools) reads it,
//! and the bitrate options doing what they say.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use mediarecorder::{BitrateMode, MediaRecorder, MediaRecorderOptions, MediaStream};

fn record_ogg(options: MediaRecorderOptions, ms: u64, out: &Path) -> PathBuf {
    let store = tempfile::tempdir().unwrap();
    let stream = MediaStream::open(Some("test:tone"), None).unwrap();
    let r =
        MediaRecorder::new(stream, MediaRecorderOptions { mime_type: Some("audio/ogg".into()), ..options }).unwrap();
    r.set_store_dir(store.path());
    r.start(Some(500)).unwrap();
    std::thread::sleep(Duration::from_millis(ms));
    r.stop().unwrap();
    events_until_stop(&r, Duration::from_secs(10));
    assemble(&r, out, "ogg")
}

/// The audio packets (after OpusHead and OpusTags).
fn audio_packets(file: &Path) -> Vec<Vec<u8>> {
    let mut reader = ogg::PacketReader::new(std::fs::File::open(file).unwrap());
    let mut packets = Vec::new();
    while let Some(p) = reader.read_packet().unwrap() {
        packets.push(p.data);
    }
    assert_eq!(&packets[0][..8], b"OpusHead");
    assert_eq!(&packets[1][..8], b"OpusTags");
    packets.split_off(2)
}

#[test]
fn ogg_opus_passes_the_reference_checker() {
    let out = tempfile::tempdir().unwrap();
    let file = record_ogg(MediaRecorderOptions::default(), 2000, out.path());
    let run = std::process::Command::new("opusinfo").arg(&file).output().expect("opusinfo (opus-tools)");
    let text = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "{text}");
    assert!(!text.to_lowercase().contains("warning") && !text.to_lowercase().contains("error"), "{text}");
    assert!(text.contains("Pre-skip: 312"), "{text}");
    assert!(text.contains("Packet duration:   20.0ms (max),   20.0ms (avg),   20.0ms (min)"), "{text}");
    assert!(text.contains("Logical stream 1 ended"), "an end-of-stream page: {text}");
    let length = text.split("Playback length: 0m:").nth(1).and_then(|t| t.split('s').next()).unwrap();
    let length: f64 = length.trim().parse().unwrap();
    assert!((length - probe(&file).duration_s).abs() < 0.03, "opusinfo {length} s");
}

#[test]
fn constant_bitrate_makes_every_packet_the_same_size() {
    let out = tempfile::tempdir().unwrap();
    let options = MediaRecorderOptions {
        audio_bits_per_second: Some(64_000),
        audio_bitrate_mode: BitrateMode::Constant,
        ..Default::default()
    };
    let packets = audio_packets(&record_ogg(options, 1500, out.path()));
    assert!(packets.len() > 60);
    // 64 kbit/s × 20 ms = 160 bytes, every packet.
    assert!(packets.iter().all(|p| p.len() == 160), "sizes: {:?}", packets.iter().map(Vec::len).collect::<Vec<_>>());
}

#[test]
fn variable_bitrate_averages_near_the_requested_rate() {
    let out = tempfile::tempdir().unwrap();
    let options = MediaRecorderOptions { audio_bits_per_second: Some(96_000), ..Default::default() };
    let packets = audio_packets(&record_ogg(options, 2000, out.path()));
    let sizes: Vec<usize> = packets.iter().map(Vec::len).collect();
    let kbps = sizes.iter().sum::<usize>() as f64 * 8.0 / (sizes.len() as f64 * 0.02) / 1000.0;
    assert!((kbps - 96.0).abs() < 96.0 * 0.2, "{kbps} kbit/s");
    assert!(sizes.iter().min() != sizes.iter().max(), "VBR packet sizes vary: {sizes:?}");
}
