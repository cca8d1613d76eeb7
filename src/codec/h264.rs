//! H.264 through OpenH264 (Cisco's encoder, built from source by the `openh264` crate), as
//! Chromium records `video/mp4;codecs=avc1` on Linux: Constrained Baseline, real-time mode, no
//! frame reordering. Packets are MP4 samples — NAL units with 4-byte lengths — and the
//! parameter sets go in the `avcC` that [`VideoEncoder::codec_private`] returns.

use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, RateControlMode, UsageType,
};
use openh264::formats::YUVSlices;
use openh264::OpenH264API;

use super::{check_frame_size, EncodedVideo, VideoEncoder, VideoSettings};
use crate::container::mp4::AVC_CODEC_ID;
use crate::error::RecorderError;
use crate::media::VideoFrame;

/// Key frames at least this often (as the other encoders).
const MAX_KEYFRAME_INTERVAL_S: u32 = 2;
/// NAL unit types of the sequence and picture parameter sets.
const NAL_SPS: u8 = 7;
const NAL_PPS: u8 = 8;

fn err(e: openh264::Error) -> RecorderError {
    RecorderError::encoder("OpenH264", e)
}

/// An OpenH264 encoder for one recording.
pub struct H264Encoder {
    inner: Encoder,
    settings: VideoSettings,
    threads: u16,
    /// `AVCDecoderConfigurationRecord` (the `avcC` box's body, Matroska's CodecPrivate).
    avcc: Vec<u8>,
}

fn config(s: &VideoSettings, threads: u16) -> EncoderConfig {
    EncoderConfig::new()
        .usage_type(UsageType::CameraVideoRealTime)
        .rate_control_mode(RateControlMode::Bitrate)
        .bitrate(BitRate::from_bps(s.bits_per_second))
        .max_frame_rate(FrameRate::from_hz(s.fps as f32))
        // Every frame is encoded: a skipped one would be a frame lost from the file.
        .skip_frames(false)
        .complexity(Complexity::Low)
        .intra_frame_period(IntraFramePeriod::from_num_frames(s.fps * MAX_KEYFRAME_INTERVAL_S))
        .num_threads(threads)
}

/// The NAL units of an Annex-B stream (start codes of 3 or 4 bytes), without their start codes.
fn nal_units(annex_b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= annex_b.len() {
        if annex_b[i] == 0 && annex_b[i + 1] == 0 && annex_b[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .map(|&s| {
            // The next start code, with the zero byte of a 4-byte one.
            let at = s - 3;
            if at > 0 && annex_b[at - 1] == 0 {
                at - 1
            } else {
                at
            }
        })
        .chain(std::iter::once(annex_b.len()))
        .collect();
    starts.into_iter().zip(ends).map(move |(s, e)| &annex_b[s..e.max(s)])
}

impl H264Encoder {
    /// An encoder for `settings`, its parameter sets (what `avcC` carries) learnt from a black
    /// frame; the recording's first frame is a key frame again.
    ///
    /// # Errors
    /// `NotSupported` for an odd or tiny size; `Encoding` when OpenH264 fails.
    pub fn new(settings: &VideoSettings) -> Result<H264Encoder, RecorderError> {
        let (w, h) = (settings.width, settings.height);
        super::check_size(w, h, super::MIN_SIDE)?;
        // Slices in parallel: a thread per 360 rows is plenty at real-time speed.
        let threads = u16::try_from(settings.cpus.clamp(1, 4).min(h.div_ceil(360))).unwrap_or(1);
        // OpenH264 warns once, as it starts, that without frame skipping the bitrate is a
        // target rather than a cap: a skipped frame would be a frame lost from the recording.
        let mut inner = Encoder::with_api_config(OpenH264API::from_source(), config(settings, threads)).map_err(err)?;
        let black = black(w, h);
        let first = inner.encode(&yuv(&black, w, h)).map_err(err)?.to_vec();
        inner.force_intra_frame();
        let (mut sps, mut pps) = (None, None);
        for nal in nal_units(&first) {
            match nal.first().map(|b| b & 0x1f) {
                Some(NAL_SPS) => sps = Some(nal.to_vec()),
                Some(NAL_PPS) => pps = Some(nal.to_vec()),
                _ => {}
            }
        }
        let (Some(sps), Some(pps)) = (sps, pps) else {
            return Err(RecorderError::Encoding("OpenH264 wrote no parameter sets".into()));
        };
        let mut avcc = Vec::new();
        let avcc_err = |e| RecorderError::encoder("OpenH264's parameter sets", e);
        mp4_atom::Encode::encode(&mp4_atom::Avcc::new(&sps, &pps).map_err(avcc_err)?, &mut avcc).map_err(avcc_err)?;
        // The record without the box's own 8-byte header.
        let avcc = avcc.split_off(8);
        Ok(H264Encoder { inner, settings: *settings, threads, avcc })
    }
}

/// A black I420 frame (studio range).
fn black(w: u32, h: u32) -> VideoFrame {
    let luma = (w * h) as usize;
    let mut data = vec![16u8; VideoFrame::i420_len(w, h)];
    data[luma..].fill(128);
    VideoFrame { pts_ns: 0, width: w, height: h, data: data.into() }
}

fn yuv(frame: &VideoFrame, w: u32, h: u32) -> YUVSlices<'_> {
    let (w, h) = (w as usize, h as usize);
    let (y, chroma) = frame.data.split_at(w * h);
    let (u, v) = chroma.split_at(w * h / 4);
    YUVSlices::new((y, u, &v[..w * h / 4]), (w, h), (w, w / 2, w / 2))
}

impl VideoEncoder for H264Encoder {
    fn size(&self) -> (u32, u32) {
        (self.settings.width, self.settings.height)
    }

    fn encode(
        &mut self,
        frame: &VideoFrame,
        pts_ms: i64,
        _duration_ms: u32,
        keyframe: bool,
    ) -> Result<Vec<EncodedVideo>, RecorderError> {
        let (w, h) = self.size();
        check_frame_size(frame, (w, h))?;
        if keyframe {
            self.inner.force_intra_frame();
        }
        let stream = self.inner.encode(&yuv(frame, w, h)).map_err(err)?;
        let key = matches!(stream.frame_type(), FrameType::IDR);
        let annex_b = stream.to_vec();
        // Length-prefixed NAL units, as MP4 samples are; the parameter sets live in avcC.
        let mut data = Vec::with_capacity(annex_b.len());
        for nal in nal_units(&annex_b).filter(|n| !matches!(n.first().map(|b| b & 0x1f), Some(NAL_SPS | NAL_PPS))) {
            let len = u32::try_from(nal.len()).map_err(|_| RecorderError::Encoding("a NAL unit over 4 GiB".into()))?;
            data.extend_from_slice(&len.to_be_bytes());
            data.extend_from_slice(nal);
        }
        if data.is_empty() {
            return Err(RecorderError::Encoding("OpenH264 skipped a frame".into()));
        }
        Ok(vec![EncodedVideo { data, pts_ms, keyframe: key }])
    }

    fn flush(&mut self) -> Result<Vec<EncodedVideo>, RecorderError> {
        // One packet per frame, nothing held back.
        Ok(Vec::new())
    }

    fn webm_codec_id(&self) -> &'static str {
        AVC_CODEC_ID
    }

    fn codec_private(&self) -> Option<Vec<u8>> {
        Some(self.avcc.clone())
    }

    fn description(&self) -> String {
        let s = &self.settings;
        let plural = if self.threads == 1 { "" } else { "s" };
        format!(
            "H.264 at {}×{} (OpenH264 2.7, Constrained Baseline, real time, {} thread{plural})",
            s.width, s.height, self.threads
        )
    }
}

/// Opens an H.264 encoder (the [`super::video::ENCODERS`] entry).
///
/// # Errors
/// As [`H264Encoder::new`].
pub fn open(settings: &VideoSettings) -> Result<Box<dyn VideoEncoder>, RecorderError> {
    Ok(Box::new(H264Encoder::new(settings)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nal_units_split_at_three_and_four_byte_start_codes() {
        let stream = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5];
        let units: Vec<&[u8]> = nal_units(&stream).collect();
        assert_eq!(units, [&[0x67, 1, 2][..], &[0x68, 3], &[0x65, 4, 5]]);
    }

    #[test]
    fn frames_become_length_prefixed_samples_and_asked_keys_are_idr() {
        let settings = VideoSettings { width: 320, height: 240, fps: 30, bits_per_second: 500_000, cpus: 2 };
        let mut enc = H264Encoder::new(&settings).unwrap();
        let avcc = enc.codec_private().unwrap();
        assert_eq!(avcc[0], 1, "avcC version");
        assert_eq!(avcc[1], 66, "Baseline profile");
        let frame = black(320, 240);
        let mut keys = Vec::new();
        for n in 0..6 {
            let out = enc.encode(&frame, n * 33, 33, n == 4).unwrap();
            assert_eq!(out.len(), 1);
            let data = &out[0].data;
            // Walks the lengths: they cover the sample exactly.
            let mut at = 0;
            while at < data.len() {
                let len = u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]) as usize;
                let kind = data[at + 4] & 0x1f;
                assert!(kind != NAL_SPS && kind != NAL_PPS, "parameter sets stay in avcC");
                at += 4 + len;
            }
            assert_eq!(at, data.len());
            keys.push(out[0].keyframe);
        }
        assert_eq!(keys, [true, false, false, false, true, false]);
    }
}
