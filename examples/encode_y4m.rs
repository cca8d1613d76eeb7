//! Encodes a `.y4m` file (8-bit 4:2:0) with the recorder's own video paths, as they run while
//! recording, into a video-only WebM, and prints the encode speed. Used by
//! `benches/video_encoders.sh` to compare with ffmpeg's encoders on the same input.
//!
//! `cargo run --release --example encode_y4m -- vp8|vp9|av1 BITRATE INPUT.y4m OUTPUT.webm`

use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use mediarecorder::codec::av1::{sequence_header_obu, Av1Config, Av1Encoder};
use mediarecorder::codec::vpx::{EncodedVideo, VpxCodec, VpxConfig, VpxEncoder};
use mediarecorder::container::webm::{VideoTrack, WebmMuxer};
use mediarecorder::container::Muxer;
use mediarecorder::media::VideoFrame;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [codec, bitrate, input, output] = args.as_slice() else {
        bail!("usage: encode_y4m vp8|vp9|av1 BITRATE INPUT.y4m OUTPUT.webm");
    };
    let bits_per_second: u32 = bitrate.parse().context("bitrate in bit/s")?;
    let mut reader = BufReader::new(std::fs::File::open(input).with_context(|| format!("cannot open {input}"))?);
    let mut header = String::new();
    reader.read_line(&mut header)?;
    let field = |tag: char| header.split_whitespace().find_map(|f| f.strip_prefix(tag)).map(str::to_string);
    let width: u32 = field('W').context("y4m width")?.parse()?;
    let height: u32 = field('H').context("y4m height")?.parse()?;
    let fps = field('F').and_then(|f| {
        let (n, d) = f.split_once(':')?;
        Some((n.parse::<f64>().ok()? / d.parse::<f64>().ok()?).round() as u32)
    });
    let fps = fps.unwrap_or(30).max(1);
    if field('C').is_some_and(|c| !c.starts_with("420")) {
        bail!("only 8-bit 4:2:0 input");
    }
    let mut frames = Vec::new();
    let size = VideoFrame::i420_len(width, height);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let mut data = vec![0u8; size];
        reader.read_exact(&mut data)?;
        frames.push(VideoFrame { pts_ns: 0, width, height, data: data.into() });
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8) as u32);
    let frame_ms = 1000 / u64::from(fps);
    // Real-time settings, as a recording uses them: libvpx cpu-used 8; rav1e speed 10, 4 tiles.
    let mut packets: Vec<EncodedVideo> = Vec::with_capacity(frames.len());
    let started = Instant::now();
    let (codec_id, private) = match codec.as_str() {
        "vp8" | "vp9" => {
            let codec = if codec == "vp8" { VpxCodec::Vp8 } else { VpxCodec::Vp9 };
            let mut enc = VpxEncoder::new(VpxConfig { codec, width, height, fps, bits_per_second, threads })?;
            for (n, f) in frames.iter().enumerate() {
                packets.extend(enc.encode(f, n as i64 * frame_ms as i64, frame_ms as u32, false)?);
            }
            packets.extend(enc.flush()?);
            (codec.webm_codec_id(), None)
        }
        "av1" => {
            let config = Av1Config { width, height, fps, bits_per_second, speed: 10, tiles: 4, threads };
            let mut enc = Av1Encoder::new(config)?;
            for (n, f) in frames.iter().enumerate() {
                packets.extend(enc.encode(f, n as i64 * frame_ms as i64, n == 0)?);
            }
            packets.extend(enc.flush()?);
            let header = packets.first().and_then(|p| sequence_header_obu(&p.data)).context("no sequence header")?;
            ("V_AV1", Some(enc.codec_private(&header)))
        }
        other => bail!("unknown codec {other}"),
    };
    let seconds = started.elapsed().as_secs_f64();
    let track = VideoTrack { codec_id, codec_private: private, width, height, frame_rate: fps };
    let mut mux = WebmMuxer::with_tracks(None, Some(track))?;
    for p in &packets {
        mux.write_video(&p.data, u64::try_from(p.pts_ms).unwrap_or(0), p.keyframe)?;
    }
    mux.finish(0)?;
    std::fs::write(output, mux.take_bytes())?;
    println!("{:.1}", frames.len() as f64 / seconds);
    Ok(())
}
