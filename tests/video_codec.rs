//! The VP8/VP9 encoder on the test pattern, checked by an independent decoder: frames written
//! as IVF, decoded by ffmpeg, and every decoded frame's burned-in code read back (frame number
//! and clock), so encoding keeps the code that drop and sync measurements rely on.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::process::Command;

use common::{chromium_duration, ffmpeg_errors, probe};

use mediarecorder::codec::opus::OpusEncoder;
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

/// Runs ffprobe for `(codec_type, codec_name)` of each stream.
fn streams(file: &std::path::Path) -> Vec<(String, String)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(',').map(|(a, b)| (b.to_string(), a.to_string())))
        .collect()
}

#[test]
fn the_webm_muxer_interleaves_video_and_opus_into_a_stream_players_decode() {
    use mediarecorder::codec::opus::{OpusEncoder, FRAME_SAMPLES};
    use mediarecorder::container::webm::{VideoTrack, WebmMuxer};
    use mediarecorder::container::Muxer;

    let dir = tempfile::tempdir().unwrap();
    let spec = PatternSpec::parse("test:pattern?w=640&h=480&fps=30").unwrap().unwrap();
    let (w, h) = (spec.width, spec.height);
    let mut video = VpxEncoder::new(VpxConfig {
        codec: VpxCodec::Vp8,
        width: w,
        height: h,
        fps: 30,
        bits_per_second: 1_000_000,
        threads: 2,
    })
    .unwrap();
    let mut audio = OpusEncoder::new(1, 64_000, true).unwrap();
    let track = VideoTrack {
        codec_id: VpxCodec::Vp8.webm_codec_id(),
        codec_private: None,
        width: w,
        height: h,
        frame_rate: 30,
    };
    let mut mux = WebmMuxer::with_tracks(Some((1, audio.pre_skip())), Some(track)).unwrap();

    // 3 s: a 20 ms Opus packet or a 33 ms frame, whichever starts first; a key frame each second.
    let (mut next_audio, mut next_video, mut n) = (0u64, 0u64, 0u32);
    let mut bytes = Vec::new();
    while next_audio < 3000 || next_video < 3000 {
        if next_audio <= next_video && next_audio < 3000 {
            let pcm: Vec<f32> = (0..FRAME_SAMPLES)
                .map(|i| {
                    let t = (next_audio * 48 + i as u64) as f32 / 48_000.0;
                    (t * 440.0 * std::f32::consts::TAU).sin() * 0.5
                })
                .collect();
            mux.write_audio(audio.encode(&pcm).unwrap(), next_audio * 48, FRAME_SAMPLES as u32).unwrap();
            next_audio += 20;
        } else {
            let mut data = vec![0u8; VideoFrame::i420_len(w, h)];
            render_pattern(&spec, n, next_video as u32, &mut data);
            let frame = VideoFrame { pts_ns: 0, width: w, height: h, data: data.into() };
            for p in video.encode(&frame, next_video as i64, 33, n % 30 == 0).unwrap() {
                mux.write_video(&p.data, p.pts_ms as u64, p.keyframe).unwrap();
            }
            n += 1;
            next_video = u64::from(n) * 1000 / 30;
        }
        bytes.extend(mux.take_bytes());
    }
    mux.finish(0).unwrap();
    bytes.extend(mux.take_bytes());
    let file = dir.path().join("av.webm");
    std::fs::write(&file, &bytes).unwrap();

    let mut found = streams(&file);
    found.sort();
    assert_eq!(found, [("audio".to_string(), "opus".to_string()), ("video".to_string(), "vp8".to_string())]);
    let check =
        Command::new("ffmpeg").args(["-v", "error", "-i"]).arg(&file).args(["-f", "null", "-"]).output().unwrap();
    assert!(check.status.success() && check.stderr.is_empty(), "{}", String::from_utf8_lossy(&check.stderr));
    // Every frame decodes with its own code, in order.
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&file)
        .args(["-map", "0:v", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-vsync", "passthrough", "-"])
        .output()
        .unwrap();
    let size = VideoFrame::i420_len(w, h);
    assert_eq!(out.stdout.len() / size, n as usize);
    for (i, decoded) in out.stdout.chunks(size).enumerate() {
        let i = i as u32;
        assert_eq!(read_code(decoded, w, h), Some((i, i * 1000 / 30)), "frame {i}");
    }
    // The streamed form has no length; finalized, it has Duration and Cues (on the video
    // track: clusters start at key frames) and plays in Chromium for its 3 s.
    assert_eq!(chromium_duration(&file), "duration=Infinity");
    let finished = dir.path().join("av-finished.webm");
    let mut out = Vec::new();
    let done = mediarecorder::container::webm::finalize(
        || Ok(std::io::Cursor::new(&bytes)),
        &mut out,
        mediarecorder::container::webm::Damage::Refuse,
    )
    .unwrap();
    std::fs::write(&finished, &out).unwrap();
    assert_eq!(done.clusters, 3, "one cluster per key frame");
    assert!((done.duration_ms - 3000.0).abs() < 40.0, "{}", done.duration_ms);
    assert_eq!(ffmpeg_errors(&finished), "");
    let d = probe(&finished).duration_s;
    assert!((d - 3.0).abs() < 0.05, "ffprobe {d}");
    let title = chromium_duration(&finished);
    let chromium: f64 = title.trim_start_matches("duration=").parse().unwrap_or(f64::NAN);
    assert!((chromium - 3.0).abs() <= 0.2, "Chromium: {title}");
    let cues = Command::new("mkvinfo").arg("--all").arg(&finished).output().unwrap();
    let cues = String::from_utf8_lossy(&cues.stdout);
    assert_eq!(cues.matches("Cue track: 2").count(), 3, "cues point at the video track: {cues}");
}

/// A stream of the test pattern encoded with `codec` and written as a 30 fps WebM video track,
/// frame `n` shown at `times_ms[n]`: what the recorder's video path and muxer make of frames
/// at those times. With `opus`, an Opus track too, with one packet of silence at 0.
fn pattern_stream(codec: VpxCodec, spec: &PatternSpec, times_ms: &[u64], opus: Option<&mut OpusEncoder>) -> Vec<u8> {
    use mediarecorder::container::webm::{VideoTrack, WebmMuxer};
    use mediarecorder::container::Muxer;

    let (w, h) = (spec.width, spec.height);
    let config = VpxConfig { codec, width: w, height: h, fps: 30, bits_per_second: 500_000, threads: 2 };
    let mut encoder = VpxEncoder::new(config).unwrap();
    let track =
        VideoTrack { codec_id: codec.webm_codec_id(), codec_private: None, width: w, height: h, frame_rate: 30 };
    let mut mux = WebmMuxer::with_tracks(opus.as_ref().map(|o| (o.channels(), o.pre_skip())), Some(track)).unwrap();
    if let Some(opus) = opus {
        mux.write_audio(opus.encode(&[0.0; 960]).unwrap(), 0, 960).unwrap();
    }
    for (n, &ms) in times_ms.iter().enumerate() {
        let mut data = vec![0u8; VideoFrame::i420_len(w, h)];
        render_pattern(spec, n as u32, ms as u32, &mut data);
        let frame = VideoFrame { pts_ns: 0, width: w, height: h, data: data.into() };
        // Shown until the next frame (the last one for as long as the one before it).
        let next = times_ms.get(n + 1).map_or(ms + (ms - times_ms[n.saturating_sub(1)]), |&t| t);
        let duration = u32::try_from(next - ms).unwrap().max(1);
        for p in encoder.encode(&frame, ms as i64, duration, n == 0).unwrap() {
            mux.write_video(&p.data, p.pts_ms as u64, p.keyframe).unwrap();
        }
    }
    mux.finish(0).unwrap();
    mux.take_bytes()
}

/// A source that starts slow and then runs at its full rate (a camera's auto-exposure at first
/// light; a machine busy at the start): without the track's DefaultDuration, ffprobe finds no
/// rate (it reports the time base, 1000/1) and ffmpeg falls back to an average of the first
/// frames, which can be below the true rate; its constant-rate clock then puts two frames in
/// one tick ('non monotonically increasing dts', seen once in CI). With it, the rate is known.
#[test]
fn a_slow_start_does_not_mislead_a_player_about_the_frame_rate() {
    let dir = tempfile::tempdir().unwrap();
    let spec = PatternSpec::parse("test:pattern?w=320&h=240&fps=30").unwrap().unwrap();
    // Ten frames at 22.5 fps, then 140 at 30 fps.
    let times: Vec<u64> = (0..150).map(|n| if n < 10 { n * 400 / 9 } else { 400 + (n - 9) * 1000 / 30 }).collect();
    let streamed = pattern_stream(VpxCodec::Vp8, &spec, &times, None);
    let mut finished = Vec::new();
    mediarecorder::container::webm::finalize(
        || Ok(std::io::Cursor::new(&streamed)),
        &mut finished,
        mediarecorder::container::webm::Damage::Refuse,
    )
    .unwrap();
    for (name, bytes) in [("streamed", &streamed), ("finished", &finished)] {
        let file = dir.path().join(format!("slow-start-{name}.webm"));
        std::fs::write(&file, bytes).unwrap();
        let rate = Command::new("ffprobe")
            .args(["-v", "error", "-show_entries", "stream=r_frame_rate", "-of", "csv=p=0"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&rate.stdout).trim(), "30/1", "{name}");
        assert_eq!(ffmpeg_errors(&file), "", "{name}");
    }
}

/// A steady source whose frames lie just past the half of their 30 fps slots (it depends on
/// when recording started): whole-millisecond block times truncated from those put frames on
/// both sides of the half, two in one slot for ffmpeg's constant-rate clock ('non monotonically
/// increasing dts', seen now and then in CI). `video_block_ms` keeps each in its own slot, also
/// when an Opus track moves the file's timeline 7 ms ahead of the video's time 0.
#[test]
fn frames_past_the_half_of_their_slot_each_keep_a_slot() {
    use mediarecorder::container::webm::{timeline_lead_ms, video_block_ms};

    let dir = tempfile::tempdir().unwrap();
    let spec = PatternSpec::parse("test:pattern?w=160&h=120&fps=30").unwrap().unwrap();
    for with_opus in [false, true] {
        let mut opus = with_opus.then(|| OpusEncoder::new(1, 32_000, true).unwrap());
        let lead_ms = timeline_lead_ms(opus.as_ref().map(OpusEncoder::pre_skip));
        // Truncation failed from 16.7 to 17.3 ms past the grid here without audio (checked
        // with ffmpeg), 7 ms earlier with it.
        for phase_us in [16_000u64, 16_500, 16_700, 16_900, 17_100, 17_300, 17_500].map(|p| p - lead_ms * 1000) {
            // The picture on show at the start, at 0, then the source's frames on its grid.
            let times: Vec<u64> = (0..60u64)
                .map(|n| if n == 0 { 0 } else { phase_us * 1000 + (n - 1) * 1_000_000_000 / 30 })
                .map(|ns| video_block_ms(ns, 30, &[lead_ms * 1000]))
                .collect();
            let file = dir.path().join(format!("phase-{phase_us}-{with_opus}.webm"));
            std::fs::write(&file, pattern_stream(VpxCodec::Vp9, &spec, &times, opus.as_mut())).unwrap();
            assert_eq!(ffmpeg_errors(&file), "", "frames {phase_us} µs past the grid, Opus: {with_opus}");
        }
    }
}
