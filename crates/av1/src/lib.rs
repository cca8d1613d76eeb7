//! AV1 through rav1e in low-latency mode (no frame reordering): 8-bit I420 planes in, one
//! packet per frame out, key frames on request, and the WebM `CodecPrivate`.

use rav1e::config::SpeedSettings;
use rav1e::prelude::{
    ChromaSampling, Config, Context, EncoderConfig, EncoderStatus, FrameParameters, FrameType, FrameTypeOverride,
    Opaque, Rational, SegmentationLevel,
};

/// What the encoder is set up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Frame size (even, at least 16).
    pub width: u32,
    /// Frame size (even, at least 16).
    pub height: u32,
    /// Nominal frame rate, for rate control.
    pub fps: u32,
    /// Target bitrate.
    pub bits_per_second: u32,
    /// rav1e speed preset, 0 (slow) to 10 (fastest; also turns CDEF and segmentation off).
    pub speed: u8,
    /// Tiles (encoded in parallel); 0: rav1e decides.
    pub tiles: u32,
    /// Encoder threads.
    pub threads: u32,
    /// Key frames at least every this many frames.
    pub max_key_interval: u64,
}

/// One encoded frame.
#[derive(Debug, Clone)]
pub struct Packet {
    /// The frame's OBUs, temporal delimiters left out (a Matroska block is the unit).
    pub data: Vec<u8>,
    /// The presentation time given with the frame.
    pub pts: i64,
    /// A key frame.
    pub keyframe: bool,
}

/// A rav1e encoder.
pub struct Encoder {
    ctx: Context<u8>,
    settings: Settings,
}

impl Encoder {
    /// An encoder for `settings`.
    ///
    /// # Errors
    /// A message for a size or setting rav1e refuses.
    pub fn new(settings: Settings) -> Result<Encoder, String> {
        let s = settings;
        if s.width < 16 || s.height < 16 || !s.width.is_multiple_of(2) || !s.height.is_multiple_of(2) {
            return Err(format!("video size {}×{}", s.width, s.height));
        }
        let preset = s.speed.min(10);
        let mut speed = SpeedSettings::from_preset(preset);
        if s.speed >= 10 {
            // Beyond the fastest preset: CDEF and segmentation cost a third of the time and
            // little quality at real-time bitrates.
            speed.cdef = false;
            speed.segmentation = SegmentationLevel::Disabled;
        }
        let fps = u64::from(s.fps.max(1));
        let enc = EncoderConfig {
            width: s.width as usize,
            height: s.height as usize,
            time_base: Rational { num: 1, den: fps },
            bit_depth: 8,
            chroma_sampling: ChromaSampling::Cs420,
            low_latency: true,
            bitrate: i32::try_from(s.bits_per_second).unwrap_or(i32::MAX),
            // In bitrate mode rav1e takes `quantizer` as the highest quantizer rate control may
            // choose; its default (100) kept detailed video from going below ~3× the target.
            quantizer: 255,
            // Scene cuts get key frames at most every half second (a key frame costs several
            // inter frames); chunk starts force theirs regardless.
            min_key_frame_interval: fps / 2,
            max_key_frame_interval: s.max_key_interval.max(1),
            tiles: s.tiles as usize,
            speed_settings: speed,
            ..EncoderConfig::with_speed_preset(preset)
        };
        let ctx = Config::new()
            .with_encoder_config(enc)
            .with_threads(s.threads.max(1) as usize)
            .new_context()
            .map_err(|e| format!("rav1e: {e}"))?;
        Ok(Encoder { ctx, settings })
    }

    /// The settings it runs with.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// The WebM `CodecPrivate`: the `av1C` record followed by `sequence_header` (the sequence
    /// header OBU of a key frame, see [`sequence_header_obu`]), as the Matroska AV1 mapping asks.
    pub fn codec_private(&self, sequence_header: &[u8]) -> Vec<u8> {
        let mut private = self.ctx.container_sequence_header();
        private.extend_from_slice(sequence_header);
        private
    }

    /// Encodes one frame of tightly packed planes shown at `pts`; `keyframe` forces a key frame.
    /// Returns the packets ready.
    ///
    /// # Errors
    /// A message when a plane is too short or rav1e fails.
    pub fn encode(&mut self, planes: [&[u8]; 3], pts: i64, keyframe: bool) -> Result<Vec<Packet>, String> {
        let (w, h) = (self.settings.width as usize, self.settings.height as usize);
        let sizes = [w * h, (w / 2) * (h / 2), (w / 2) * (h / 2)];
        if planes.iter().zip(sizes).any(|(p, size)| p.len() < size) {
            return Err(format!("a frame's planes are too short for {w}×{h}"));
        }
        let mut frame = self.ctx.new_frame();
        for ((plane, data), stride) in frame.planes.iter_mut().zip(planes).zip([w, w / 2, w / 2]) {
            plane.copy_from_raw_u8(data, stride, 1);
        }
        let params = FrameParameters {
            frame_type_override: if keyframe { FrameTypeOverride::Key } else { FrameTypeOverride::No },
            opaque: Some(Opaque::new(pts)),
            ..FrameParameters::default()
        };
        self.ctx.send_frame((frame, params)).map_err(|e| format!("rav1e: {e}"))?;
        self.packets()
    }

    /// Ends the stream and returns the packets still inside the encoder.
    ///
    /// # Errors
    /// A message when rav1e fails.
    pub fn flush(&mut self) -> Result<Vec<Packet>, String> {
        self.ctx.flush();
        self.packets()
    }

    fn packets(&mut self) -> Result<Vec<Packet>, String> {
        let mut out = Vec::new();
        loop {
            match self.ctx.receive_packet() {
                Ok(p) => {
                    let pts = p.opaque.and_then(|o| o.downcast::<i64>().ok()).map_or(0, |b| *b);
                    let data = without_temporal_delimiters(p.data);
                    out.push(Packet { data, pts, keyframe: p.frame_type == FrameType::KEY });
                }
                // A frame was processed without a packet yet: ask again.
                Err(EncoderStatus::Encoded) => {}
                Err(EncoderStatus::NeedMoreData | EncoderStatus::LimitReached) => return Ok(out),
                Err(e) => return Err(format!("rav1e: {e}")),
            }
        }
    }
}

/// The OBUs of a packet: `(type, whole OBU bytes)`; `None` for a malformed packet.
fn obus(data: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let header = data[at];
        let kind = (header >> 3) & 0x0f;
        let extension = header & 0x04 != 0;
        let has_size = header & 0x02 != 0;
        let mut pos = at + 1 + usize::from(extension);
        let size = if has_size {
            // leb128
            let mut value = 0usize;
            for i in 0..8 {
                let byte = *data.get(pos)?;
                pos += 1;
                value |= usize::from(byte & 0x7f) << (7 * i);
                if byte & 0x80 == 0 {
                    break;
                }
            }
            value
        } else {
            data.len().checked_sub(pos)?
        };
        let end = pos.checked_add(size).filter(|&e| e <= data.len())?;
        out.push((kind, &data[at..end]));
        at = end;
    }
    Some(out)
}

const OBU_SEQUENCE_HEADER: u8 = 1;
const OBU_TEMPORAL_DELIMITER: u8 = 2;

/// The sequence header OBU of a key frame's packet, if it has one.
pub fn sequence_header_obu(packet: &[u8]) -> Option<Vec<u8>> {
    obus(packet)?.into_iter().find(|(kind, _)| *kind == OBU_SEQUENCE_HEADER).map(|(_, obu)| obu.to_vec())
}

/// The packet without its temporal delimiter OBUs (Matroska blocks carry none).
pub fn without_temporal_delimiters(data: Vec<u8>) -> Vec<u8> {
    match obus(&data) {
        Some(list) if list.iter().any(|(kind, _)| *kind == OBU_TEMPORAL_DELIMITER) => {
            list.into_iter().filter(|(kind, _)| *kind != OBU_TEMPORAL_DELIMITER).flat_map(|(_, o)| o.to_vec()).collect()
        }
        _ => data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_back_in_order_with_key_frames_where_asked_and_an_av1c_header() {
        let settings = Settings {
            width: 64,
            height: 48,
            fps: 30,
            bits_per_second: 200_000,
            speed: 10,
            tiles: 1,
            threads: 1,
            max_key_interval: 60,
        };
        let mut enc = Encoder::new(settings).unwrap();
        let mut packets = Vec::new();
        for n in 0..20u8 {
            // A gradient that moves one pixel a frame.
            let y: Vec<u8> = (0..64 * 48).map(|i| ((i % 64) as u8).wrapping_add(n).wrapping_mul(3)).collect();
            let c = vec![128u8; 32 * 24];
            packets.extend(enc.encode([&y, &c, &c], i64::from(n) * 33, n == 10).unwrap());
        }
        packets.extend(enc.flush().unwrap());
        assert_eq!(packets.iter().map(|p| p.pts).collect::<Vec<_>>(), (0..20).map(|n| n * 33).collect::<Vec<_>>());
        assert!(packets[0].keyframe && packets[10].keyframe && !packets[1].keyframe && !packets[11].keyframe);
        // av1C: marker bit and version 1, then the sequence header OBU of the first key frame.
        let header = sequence_header_obu(&packets[0].data).expect("a key frame carries the sequence header");
        let private = enc.codec_private(&header);
        assert_eq!(private[0], 0x81, "{private:02x?}");
        assert_eq!(&private[4..], &header[..]);
        assert!(packets.iter().all(|p| obus(&p.data).unwrap().iter().all(|(kind, _)| *kind != OBU_TEMPORAL_DELIMITER)));
        assert!(Encoder::new(Settings { width: 321, ..settings }).is_err());
        assert!(enc.encode([&[], &[], &[]], 0, false).is_err());
    }

    #[test]
    fn detailed_video_is_held_near_the_target_bitrate() {
        // Noise that changes every frame: the hardest thing to compress. Rate control must
        // raise the quantizer as far as it takes (rav1e's default ceiling of 100 left this 10× over).
        let settings = Settings {
            width: 160,
            height: 120,
            fps: 30,
            bits_per_second: 400_000,
            speed: 10,
            tiles: 1,
            threads: 1,
            max_key_interval: 60,
        };
        let mut enc = Encoder::new(settings).unwrap();
        let mut seed = 0x9E37_79B9_u32;
        let mut noise = |len: usize| -> Vec<u8> {
            (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    (seed >> 24) as u8
                })
                .collect()
        };
        // The first frames (the key frame and rate control's first guesses) run over; after
        // that the stream must sit at the target.
        let mut sizes = Vec::new();
        for n in 0..150 {
            let (y, u, v) = (noise(160 * 120), noise(80 * 60), noise(80 * 60));
            sizes.extend(enc.encode([&y, &u, &v], n * 33, false).unwrap().iter().map(|p| p.data.len()));
        }
        sizes.extend(enc.flush().unwrap().iter().map(|p| p.data.len()));
        assert_eq!(sizes.len(), 150);
        let last_two_seconds: usize = sizes[90..].iter().sum();
        let bps = last_two_seconds as f64 * 8.0 / 2.0;
        assert!((0.75 * 400_000.0..1.25 * 400_000.0).contains(&bps), "{bps:.0} bit/s for a 400 kbit/s target");
    }
}
