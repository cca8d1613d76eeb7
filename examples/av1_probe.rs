//! Prints how fast rav1e and libaom's real-time mode encode the test pattern at a few sizes and
//! settings on this machine (`cargo run --release --example av1_probe`).
use std::time::Instant;

use mediarecorder::codec::av1::{AomConfig, AomEncoder, Av1Config, Av1Encoder};
use mediarecorder::devices::{render_pattern, PatternSpec};
use mediarecorder::media::VideoFrame;

/// 30 moving test-pattern frames of `w`×`h`.
fn frames(w: u32, h: u32) -> Vec<VideoFrame> {
    let spec = PatternSpec::parse(&format!("test:pattern?w={w}&h={h}")).expect("a test video id").expect("valid");
    (0..30)
        .map(|n| {
            let mut d = vec![0u8; VideoFrame::i420_len(w, h)];
            render_pattern(&spec, n, n * 33, &mut d);
            VideoFrame { pts_ns: 0, width: w, height: h, data: d.into() }
        })
        .collect()
}

fn main() {
    for (w, h) in [(320, 240), (640, 480), (1280, 720)] {
        let frames = frames(w, h);
        for (speed, tiles, threads) in [(10, 1, 1), (10, 4, 2), (9, 4, 2)] {
            let config = Av1Config { width: w, height: h, fps: 30, bits_per_second: 2_500_000, speed, tiles, threads };
            let mut e = Av1Encoder::new(config).expect("rav1e starts");
            let t = Instant::now();
            let mut n = 0;
            for (i, f) in frames.iter().enumerate() {
                n += e.encode(f, i as i64 * 33, i == 0).expect("encodes").len();
            }
            n += e.flush().expect("flushes").len();
            let fps = 30.0 / t.elapsed().as_secs_f64();
            println!("{w}x{h} rav1e speed {speed} tiles {tiles} threads {threads}: {fps:.1} fps ({n} packets)");
        }
        for (speed, threads) in [(8, 2), (9, 2), (10, 2)] {
            let config = AomConfig { width: w, height: h, fps: 30, bits_per_second: 2_500_000, speed, threads };
            let mut e = AomEncoder::new(config).expect("libaom starts");
            let t = Instant::now();
            let mut n = 0;
            for (i, f) in frames.iter().enumerate() {
                n += e.encode(f, i as i64 * 33, 33, i == 0).expect("encodes").len();
            }
            n += e.flush().expect("flushes").len();
            let fps = 30.0 / t.elapsed().as_secs_f64();
            println!("{w}x{h} libaom real-time speed {speed} threads {threads}: {fps:.1} fps ({n} packets)");
        }
    }
}
