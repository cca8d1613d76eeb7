//! The real-time governor: before an AV1 recording starts, it measures how fast the AV1 encoders
//! encode moving pictures of the recording's size on this machine, and picks the best that keeps
//! up with the frame rate with room to spare: rav1e at the full size where it can (its pictures
//! are the better at a given speed), else libaom's real-time mode at the full size, and half the
//! width and height only where neither can. When nothing keeps up, the recording is refused
//! before it starts, naming the codec that can.
//!
//! Measurements are kept for the life of the process (per size and bitrate), and on disk for a
//! week ([`super::memo`]): a second recording starts at once, in this process or the next.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use super::aom::{self, AomConfig, AomEncoder};
use super::memo;
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
/// A probe this close to what is needed (as a fraction) is worth running again.
const NEAR_MISS: f64 = 0.6;

/// Which encoder, set up how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Av1Engine {
    /// rav1e.
    Rav1e(Av1Config),
    /// libaom in real-time mode.
    Aom(AomConfig),
}

impl Av1Engine {
    /// The size it records.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Av1Engine::Rav1e(c) => (c.width, c.height),
            Av1Engine::Aom(c) => (c.width, c.height),
        }
    }
}

/// What the governor chose for one recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Av1Choice {
    /// The encoder and its settings (its size is the size recorded).
    pub engine: Av1Engine,
    /// 1: full size; 2: half the width and height.
    pub scale: u32,
    /// Frames per second the probe encoded with these settings.
    pub measured_fps: f64,
    /// The WebM `CodecPrivate` these settings produce (`av1C` and the sequence header).
    pub codec_private: Vec<u8>,
    /// Why not something better (what was tried and how fast it went), for the summary.
    pub passed_over: Vec<String>,
}

impl Av1Choice {
    /// A line for logs and the CLI summary.
    pub fn describe(&self) -> String {
        let (width, height) = self.engine.size();
        let how = match &self.engine {
            Av1Engine::Rav1e(c) => format!("rav1e speed {}, {} tiles", c.speed, c.tiles),
            Av1Engine::Aom(c) => format!("libaom real-time speed {}", c.speed),
        };
        let why = if self.passed_over.is_empty() {
            String::new()
        } else {
            format!("; too slow here: {}", self.passed_over.join(", "))
        };
        format!(
            "AV1 at {width}×{height}{}, {how} ({:.0} fps measured{why})",
            if self.scale > 1 { " (half size to keep up)" } else { "" },
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
    let memo = memo::default_path().map(|path| (path, memo::key(width, height, fps, bits_per_second)));
    if let Some(choice) = memo.as_ref().and_then(|(path, k)| memo::load(path, k, fps, bits_per_second)) {
        CHOSEN
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(HashMap::new)
            .insert(key, choice.clone());
        return Ok(choice);
    }
    let needed = f64::from(fps) * HEADROOM;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8) as u32);
    let mut passed_over = Vec::new();
    // Better pictures first: rav1e at full size, libaom's real-time mode at full size, then each
    // at half size. Each at its fastest speed first: when that falls short the slower one
    // would too, and is not measured; when it keeps up, the slower (better) one is tried.
    let families = [
        (1, Family::Rav1e, [10, 9]),
        (1, Family::Aom, [10, 8]),
        (2, Family::Rav1e, [10, 10]),
        (2, Family::Aom, [10, 10]),
    ];
    for (scale, family, [fastest, better]) in families {
        let (w, h) = ((width / scale) & !1, (height / scale) & !1);
        if w < 16 || h < 16 {
            break;
        }
        let engine = |speed: u8| match family {
            // Tiles are encoded in parallel: one per 160 px of width, at most 4 (rav1e's sweet
            // spot here).
            Family::Rav1e => {
                let tiles = (w / 160).clamp(1, 4);
                Av1Engine::Rav1e(Av1Config { width: w, height: h, fps, bits_per_second, speed, tiles, threads })
            }
            Family::Aom => Av1Engine::Aom(AomConfig { width: w, height: h, fps, bits_per_second, speed, threads }),
        };
        let fast = measure(engine(fastest), needed)?;
        if fast.0 < needed {
            passed_over.push(format!("{} at {w}×{h} {:.0} fps", family.name(fastest), fast.0));
            continue;
        }
        let mut chosen = (engine(fastest), fast);
        if better != fastest {
            let slower = measure(engine(better), needed)?;
            if slower.0 >= needed {
                chosen = (engine(better), slower);
            }
        }
        let (engine, (measured_fps, codec_private)) = chosen;
        let choice = Av1Choice { engine, scale, measured_fps, codec_private, passed_over };
        CHOSEN
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(HashMap::new)
            .insert(key, choice.clone());
        if let Some((path, k)) = &memo {
            memo::store(path, k, &choice);
        }
        return Ok(choice);
    }
    Err(RecorderError::NotSupported(format!(
        "AV1 cannot keep up with {width}×{height} at {fps} fps on this machine ({}); video/webm;codecs=vp8 can",
        passed_over.join(", ")
    )))
}

/// An AV1 encoder to try.
#[derive(Debug, Clone, Copy)]
enum Family {
    Rav1e,
    Aom,
}

impl Family {
    fn name(self, speed: u8) -> String {
        match self {
            Family::Rav1e => format!("rav1e speed {speed}"),
            Family::Aom => format!("libaom speed {speed}"),
        }
    }
}

/// Frames per second `engine` encodes here, and its `CodecPrivate`. The machine is shared: a
/// probe that falls a little short of `needed` is run again (up to PROBES times) and the fastest
/// run counts, so a moment's load elsewhere does not cost AV1; one far short (under NEAR_MISS of
/// it) is not: no moment's load explains it.
fn measure(engine: Av1Engine, needed: f64) -> Result<(f64, Vec<u8>), RecorderError> {
    let (mut measured_fps, codec_private) = probe(engine)?;
    for _ in 1..PROBES {
        if measured_fps >= needed || measured_fps < needed * NEAR_MISS {
            break;
        }
        measured_fps = measured_fps.max(probe(engine)?.0);
    }
    Ok((measured_fps, codec_private))
}

/// Encodes moving test-pattern frames of the engine's size; returns frames per second and the
/// WebM `CodecPrivate` the stream gets.
fn probe(engine: Av1Engine) -> Result<(f64, Vec<u8>), RecorderError> {
    let (width, height) = engine.size();
    let fps = match engine {
        Av1Engine::Rav1e(c) => c.fps,
        Av1Engine::Aom(c) => c.fps,
    };
    let spec = PatternSpec { drawing: Drawing::Pattern, width, height, fps, realtime: true, seconds: None };
    // Drawn before the clock starts: only encoding is timed.
    let frames: Vec<VideoFrame> = (0..PROBE_FRAMES)
        .map(|n| {
            let mut data = vec![0u8; VideoFrame::i420_len(width, height)];
            render_pattern(&spec, n, n * 1000 / fps.max(1), &mut data);
            VideoFrame { pts_ns: 0, width, height, data: data.into() }
        })
        .collect();
    let mut packets = Vec::new();
    let started = Instant::now();
    let codec_private = match engine {
        Av1Engine::Rav1e(config) => {
            let mut encoder = Av1Encoder::new(config)?;
            for (n, frame) in frames.iter().enumerate() {
                packets.extend(encoder.encode(frame, n as i64 * 33, n == 0)?);
            }
            // The flush is timed too: rav1e looks a few frames ahead, so some of the work is there.
            packets.extend(encoder.flush()?);
            let header = packets
                .iter()
                .find_map(|p| sequence_header_obu(&p.data))
                .ok_or_else(|| RecorderError::Encoding("rav1e wrote no sequence header".into()))?;
            encoder.codec_private(&header)
        }
        Av1Engine::Aom(config) => {
            let mut encoder = AomEncoder::new(config)?;
            for (n, frame) in frames.iter().enumerate() {
                packets.extend(encoder.encode(frame, n as i64 * 33, 33, n == 0)?);
            }
            packets.extend(encoder.flush()?);
            packets
                .first()
                .and_then(|p| aom::codec_private(&p.data))
                .ok_or_else(|| RecorderError::Encoding("libaom wrote no sequence header".into()))?
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    Ok((f64::from(PROBE_FRAMES) / elapsed.max(1e-6), codec_private))
}
