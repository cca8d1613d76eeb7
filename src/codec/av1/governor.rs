//! The real-time governor: before an AV1 recording starts, it measures how fast rav1e encodes
//! moving pictures of the recording's size on this machine, and picks the best settings that
//! keep up with the frame rate with room to spare — the full size if it can, else half the
//! width and height. When nothing keeps up, the recording is refused before it starts, naming
//! the codec that can.
//!
//! Measurements are kept for the life of the process (per size and bitrate): a second recording
//! starts at once.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use super::{sequence_header_obu, Av1Config, Av1Encoder};
use crate::devices::{render_pattern, Drawing, PatternSpec};
use crate::error::RecorderError;
use crate::media::VideoFrame;

/// Encode throughput needed, as a multiple of the frame rate: the machine also captures,
/// encodes audio and writes chunks, and it is shared.
const HEADROOM: f64 = 1.5;
/// Frames encoded per probe (a key frame and the inter frames after it, as recorded).
const PROBE_FRAMES: u32 = 20;
/// Probes of one setting at most, when the first falls short.
const PROBES: u32 = 3;

/// What the governor chose for one recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Av1Choice {
    /// The encoder's settings (its size is the size recorded).
    pub config: Av1Config,
    /// 1: full size; 2: half the width and height.
    pub scale: u32,
    /// Frames per second the probe encoded with these settings.
    pub measured_fps: f64,
    /// The sequence header OBU these settings produce (for the WebM `CodecPrivate`).
    pub sequence_header: Vec<u8>,
}

impl Av1Choice {
    /// A line for logs and the CLI summary.
    pub fn describe(&self) -> String {
        let c = &self.config;
        format!(
            "AV1 at {}×{}{}, rav1e speed {}, {} tiles ({:.0} fps measured)",
            c.width,
            c.height,
            if self.scale > 1 { " (half size to keep up)" } else { "" },
            c.speed,
            c.tiles,
            self.measured_fps
        )
    }
}

type Key = (u32, u32, u32, u32);
static CHOSEN: Mutex<Option<HashMap<Key, Av1Choice>>> = Mutex::new(None);

/// Chooses AV1 settings for `width`×`height` frames at `fps`.
///
/// # Errors
/// `NotSupported` when even the fastest settings at half size cannot keep up (the message
/// names VP8, which can); `Encoding` when rav1e fails.
pub fn choose_av1(width: u32, height: u32, fps: u32, bits_per_second: u32) -> Result<Av1Choice, RecorderError> {
    let key = (width, height, fps, bits_per_second);
    if let Some(choice) =
        CHOSEN.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_with(HashMap::new).get(&key)
    {
        return Ok(choice.clone());
    }
    let needed = f64::from(fps) * HEADROOM;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8) as u32);
    let mut best: Option<Av1Choice> = None;
    // Better pictures first: a slower preset at full size, the fastest at full size, then the
    // fastest at half size.
    for (scale, speed) in [(1, 9), (1, 10), (2, 10)] {
        let (w, h) = ((width / scale) & !1, (height / scale) & !1);
        if w < 16 || h < 16 {
            break;
        }
        // Tiles are encoded in parallel: one per 160 px of width, at most 4 (rav1e's sweet spot here).
        let tiles = (w / 160).clamp(1, 4);
        let config = Av1Config { width: w, height: h, fps, bits_per_second, speed, tiles, threads };
        // The machine is shared: a probe that falls short is run again (up to PROBES times)
        // and the fastest run counts, so a moment's load elsewhere does not cost AV1.
        let (mut measured_fps, sequence_header) = probe(config)?;
        for _ in 1..PROBES {
            if measured_fps >= needed {
                break;
            }
            measured_fps = measured_fps.max(probe(config)?.0);
        }
        let choice = Av1Choice { config, scale, measured_fps, sequence_header };
        if measured_fps >= needed {
            CHOSEN
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert_with(HashMap::new)
                .insert(key, choice.clone());
            return Ok(choice);
        }
        if best
            .as_ref()
            .is_none_or(|b| measured_fps > b.measured_fps * f64::from(scale * scale) / f64::from(b.scale * b.scale))
        {
            best = Some(choice);
        }
    }
    let best_fps = best.map_or(0.0, |b| b.measured_fps);
    Err(RecorderError::NotSupported(format!(
        "AV1 cannot keep up with {width}×{height} at {fps} fps on this machine (at best {best_fps:.0} fps, even at half \
         size); video/webm;codecs=vp8 can"
    )))
}

/// Encodes moving test-pattern frames of the config's size; returns frames per second and the
/// sequence header.
fn probe(config: Av1Config) -> Result<(f64, Vec<u8>), RecorderError> {
    let spec = PatternSpec {
        drawing: Drawing::Pattern,
        width: config.width,
        height: config.height,
        fps: config.fps,
        realtime: true,
        seconds: None,
    };
    // Drawn before the clock starts: only encoding is timed.
    let frames: Vec<VideoFrame> = (0..PROBE_FRAMES)
        .map(|n| {
            let mut data = vec![0u8; VideoFrame::i420_len(config.width, config.height)];
            render_pattern(&spec, n, n * 1000 / config.fps.max(1), &mut data);
            VideoFrame { pts_ns: 0, width: config.width, height: config.height, data: data.into() }
        })
        .collect();
    let mut encoder = Av1Encoder::new(config)?;
    let started = Instant::now();
    let mut packets = Vec::new();
    for (n, frame) in frames.iter().enumerate() {
        packets.extend(encoder.encode(frame, n as i64 * 33, n == 0)?);
    }
    // The flush is timed too: rav1e looks a few frames ahead, so some of the work is there.
    packets.extend(encoder.flush()?);
    let elapsed = started.elapsed().as_secs_f64();
    let header = packets
        .iter()
        .find_map(|p| sequence_header_obu(&p.data))
        .ok_or_else(|| RecorderError::Encoding("rav1e wrote no sequence header".into()))?;
    Ok((f64::from(PROBE_FRAMES) / elapsed.max(1e-6), header))
}
