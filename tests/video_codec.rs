//! The VP8/VP9 encoder on the test pattern, checked by an independent decoder: frames written
//! as IVF, decoded by ffmpeg, and every decoded frame's burned-in code read back (frame number
//! and clock), so encoding keeps the code that drop and sync measurements rely on.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::Command;

use mediarecorder::codec::vpx::{VpxCodec, VpxConfig, VpxEncoder};
use mediarecorder::devices::{read_code, render_pattern, PatternSpec};
use mediarecorder::media::VideoFrame;

fn ivf(codec: VpxCodec, width: u32, height: u32, packets: &[(i64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"DKIF");
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&32u16.to_le_bytes());
    out.extend_from_slice(match codec {
        VpxCodec::Vp8 => b"VP80",
        VpxCodec::Vp9 => b"VP90",
    });
    out.extend_from_slice(&(width as u16).to_le_bytes());
    out.extend_from_slice(&(height as u16).to_le_bytes());
    out.extend_from_slice(&1000u32.to_le_bytes()); // time base 1/1000: pts in ms
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(packets.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for (pts, data) in packets {
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(*pts as u64).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

#[test]
fn vp8_and_vp9_keep_the_burned_in_code_readable_in_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    for (id, codec, bps) in [
        ("test:pattern?w=640&h=480&fps=30", VpxCodec::Vp8, 1_000_000),
        ("test:canvas?w=640&h=480&fps=30", VpxCodec::Vp9, 1_000_000),
        ("test:pattern?w=1280&h=720&fps=30", VpxCodec::Vp9, 2_500_000),
        ("test:canvas?w=1280&h=720&fps=30", VpxCodec::Vp8, 2_500_000),
    ] {
        let spec = PatternSpec::parse(id).unwrap().unwrap();
        let (w, h) = (spec.width, spec.height);
        let config = VpxConfig { codec, width: w, height: h, fps: 30, bits_per_second: bps, threads: 2 };
        let mut encoder = VpxEncoder::new(config).unwrap();
        let mut packets = Vec::new();
        let frames = 90u32;
        for n in 0..frames {
            let ms = n * 1000 / 30;
            let mut data = vec![0u8; VideoFrame::i420_len(w, h)];
            render_pattern(&spec, n, ms, &mut data);
            let frame = VideoFrame { pts_ns: 0, width: w, height: h, data: data.into() };
            for p in encoder.encode(&frame, i64::from(ms), 33, n % 30 == 0).unwrap() {
                packets.push((p.pts_ms, p.data));
            }
        }
        for p in encoder.flush().unwrap() {
            packets.push((p.pts_ms, p.data));
        }
        let file = dir.path().join(format!("{}.ivf", id.replace([':', '?', '&', '='], "_")));
        std::fs::write(&file, ivf(codec, w, h, &packets)).unwrap();

        let out = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&file)
            .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
            .output()
            .expect("ffmpeg is installed by the test command");
        assert!(out.status.success() && out.stderr.is_empty(), "{id}: {}", String::from_utf8_lossy(&out.stderr));
        let size = VideoFrame::i420_len(w, h);
        assert_eq!(out.stdout.len(), size * frames as usize, "{id}: every frame decoded");
        for (n, decoded) in out.stdout.chunks(size).enumerate() {
            let n = n as u32;
            assert_eq!(read_code(decoded, w, h), Some((n, n * 1000 / 30)), "{id} ({codec:?}): frame {n}");
        }
    }
}
