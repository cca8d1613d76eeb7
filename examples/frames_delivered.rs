//! How many of a test video's frames a recording kept: decodes the file's video with ffmpeg and
//! reads the frame number each frame of `test:pattern` / `test:canvas` carries (as a block code
//! that survives encoding). Frames the source made between the first and the last one in the
//! file are "captured"; those in the file are "delivered"; a frame the recorder dropped, or the
//! source skipped because it did not get the CPU in time, is missing from the second.
//!
//! `cargo run --release --example frames_delivered -- FILE.webm` prints
//! `{"delivered": …, "captured": …, "unreadable": …}`.

use std::io::Read;
use std::process::{Command, Stdio};

use mediarecorder::devices::read_code;
use mediarecorder::media::VideoFrame;

fn main() -> anyhow::Result<()> {
    let file = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: frames_delivered FILE"))?;
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(&file)
        .output()?;
    let size = String::from_utf8(probe.stdout)?;
    let (w, h) = size
        .trim()
        .split_once(',')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("{file} has no video stream ({})", String::from_utf8_lossy(&probe.stderr)))?;

    // Streamed frame by frame: a minute of 720p is gigabytes of raw video.
    let mut ffmpeg = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i", &file])
        .args(["-map", "0:v", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-fps_mode", "passthrough", "-"])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut out = ffmpeg.stdout.take().ok_or_else(|| anyhow::anyhow!("no ffmpeg output"))?;
    let mut frame = vec![0u8; VideoFrame::i420_len(w, h)];
    let mut numbers = Vec::new();
    let mut unreadable = 0u32;
    while out.read_exact(&mut frame).is_ok() {
        match read_code(&frame, w, h) {
            Some((number, _ms)) => numbers.push(number),
            None => unreadable += 1,
        }
    }
    anyhow::ensure!(ffmpeg.wait()?.success(), "ffmpeg could not decode {file}");
    numbers.sort_unstable();
    numbers.dedup();
    let captured = match (numbers.first(), numbers.last()) {
        (Some(first), Some(last)) => last - first + 1,
        _ => 0,
    };
    println!("{}", serde_json::json!({ "delivered": numbers.len(), "captured": captured, "unreadable": unreadable }));
    Ok(())
}
