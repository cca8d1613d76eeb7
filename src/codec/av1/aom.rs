//! AV1 through libaom (Debian's `libaom-dev`) in its real-time mode, as Chromium's MediaRecorder
//! encodes AV1: where rav1e cannot keep up with the full size on this machine, libaom's
//! real-time speeds can. The only module that calls libaom: each `unsafe` block says why it holds.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::raw::{c_int, c_uint, c_ulong};

use aom_sys as ffi;
use mediarecorder_av1::{sequence_header_obu, without_temporal_delimiters};

use crate::codec::video::EncodedVideo;
use crate::error::RecorderError;
use crate::media::VideoFrame;

/// What the encoder is set up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AomConfig {
    /// Frame size (even).
    pub width: u32,
    /// Frame size (even).
    pub height: u32,
    /// Nominal frame rate, for rate control.
    pub fps: u32,
    /// Target bitrate.
    pub bits_per_second: u32,
    /// libaom's real-time speed (`cpu-used`), 7 (better) to 10 (fastest).
    pub speed: u8,
    /// Encoder threads.
    pub threads: u32,
}

/// Key frames at least this often (as the other encoders).
const MAX_KEYFRAME_INTERVAL_S: u32 = 2;

/// libaom's version, as the library loaded says (`3.6.0`, or with its build suffix).
pub fn version() -> String {
    // SAFETY: aom_codec_version_str returns a pointer to a static, NUL-terminated string.
    unsafe { std::ffi::CStr::from_ptr(ffi::aom_codec_version_str()) }.to_string_lossy().into_owned()
}

/// A libaom encoder in real-time mode: one packet per frame, no look-ahead.
pub struct AomEncoder {
    ctx: Box<MaybeUninit<ffi::aom_codec_ctx_t>>,
    config: AomConfig,
}

// SAFETY: a libaom encoder context is used from one thread at a time (&mut self on every call);
// libaom keeps no thread-local state tied to the thread that created it.
unsafe impl Send for AomEncoder {}

impl AomEncoder {
    /// An encoder for `config`.
    ///
    /// # Errors
    /// `NotSupported` for an odd or tiny size; `Encoding` when libaom cannot start.
    pub fn new(config: AomConfig) -> Result<AomEncoder, RecorderError> {
        crate::codec::check_size(config.width, config.height, crate::codec::MIN_SIDE)?;
        // SAFETY: libaom's static interface description.
        let iface = unsafe { ffi::aom_codec_av1_cx() };
        let mut cfg = MaybeUninit::<ffi::aom_codec_enc_cfg_t>::uninit();
        // SAFETY: iface is libaom's; cfg is writable memory of the struct's size.
        let err = unsafe { ffi::aom_codec_enc_config_default(iface, cfg.as_mut_ptr(), ffi::AOM_USAGE_REALTIME) };
        check(err, "default configuration")?;
        // SAFETY: libaom filled every field (it copies a complete default configuration).
        let mut cfg = unsafe { cfg.assume_init() };
        cfg.g_w = config.width;
        cfg.g_h = config.height;
        cfg.g_threads = config.threads.max(1);
        // Timestamps in milliseconds, as the WebM blocks carry them.
        cfg.g_timebase = ffi::aom_rational { num: 1, den: 1000 };
        // Real time: no look-ahead, no frames dropped inside the encoder (drops are the
        // recorder's to decide, count and report); variable bitrate, the spec's default.
        cfg.g_lag_in_frames = 0;
        cfg.rc_dropframe_thresh = 0;
        cfg.rc_end_usage = ffi::aom_rc_mode::AOM_VBR;
        cfg.rc_target_bitrate = (config.bits_per_second / 1000).max(1);
        cfg.kf_mode = ffi::aom_kf_mode::AOM_KF_AUTO;
        cfg.kf_min_dist = 0;
        cfg.kf_max_dist = config.fps.max(1) * MAX_KEYFRAME_INTERVAL_S;

        // Zeroed, as libaom expects a context it is to fill.
        let mut ctx: Box<MaybeUninit<ffi::aom_codec_ctx_t>> = Box::new(MaybeUninit::zeroed());
        // SAFETY: ctx is boxed (it never moves) and writable, cfg valid for the call, and the ABI
        // version is the one the bindings were generated for (the linked library's headers).
        let init = unsafe {
            ffi::aom_codec_enc_init_ver(ctx.as_mut_ptr(), iface, &cfg, 0, ffi::AOM_ENCODER_ABI_VERSION as c_int)
        };
        if init != ffi::aom_codec_err_t::AOM_CODEC_OK {
            // The context is not initialised: nothing to destroy.
            return Err(RecorderError::Encoding(format!("libaom cannot start: {}", error_text(init))));
        }
        let mut encoder = AomEncoder { ctx, config };
        encoder.control(ffi::aome_enc_control_id::AOME_SET_CPUUSED, c_int::from(config.speed))?;
        // Rows and tiles in parallel: one tile column per 640 px of width (log2).
        encoder.control(ffi::aome_enc_control_id::AV1E_SET_ROW_MT, 1)?;
        let tiles = (config.width / 640).max(1).ilog2() as c_int;
        encoder.control(ffi::aome_enc_control_id::AV1E_SET_TILE_COLUMNS, tiles)?;
        Ok(encoder)
    }

    /// The configuration it runs with.
    pub fn config(&self) -> AomConfig {
        self.config
    }

    /// Encodes one frame shown at `pts_ms` for `duration_ms`; `keyframe` forces a key frame.
    /// Returns the packets ready (in real-time mode, this frame's), temporal delimiters left out
    /// (Matroska blocks carry none).
    ///
    /// # Errors
    /// `Encoding` for a frame of another size or a libaom failure.
    pub fn encode(
        &mut self,
        frame: &VideoFrame,
        pts_ms: i64,
        duration_ms: u32,
        keyframe: bool,
    ) -> Result<Vec<EncodedVideo>, RecorderError> {
        let (w, h) = (self.config.width, self.config.height);
        crate::codec::check_frame_size(frame, (w, h))?;
        let mut image = MaybeUninit::<ffi::aom_image_t>::uninit();
        // SAFETY: the data is a tightly packed I420 frame of w×h (checked above); stride
        // alignment 1 makes libaom's plane pointers and strides match that layout. libaom only
        // reads the planes (the pointer is mut in the C signature alone), and `frame` outlives
        // the encode call below, after which libaom keeps no reference (no look-ahead).
        let wrapped = unsafe {
            ffi::aom_img_wrap(
                image.as_mut_ptr(),
                ffi::aom_img_fmt::AOM_IMG_FMT_I420,
                w,
                h,
                1,
                frame.data.as_ptr().cast_mut(),
            )
        };
        if wrapped.is_null() {
            return Err(RecorderError::Encoding("libaom refused the frame's layout".into()));
        }
        let flags = if keyframe { ffi::AOM_EFLAG_FORCE_KF as ffi::aom_enc_frame_flags_t } else { 0 };
        // SAFETY: ctx is initialised; `wrapped` is the image libaom filled in, describing memory
        // valid for the call.
        let err = unsafe {
            ffi::aom_codec_encode(self.ctx.as_mut_ptr(), wrapped, pts_ms, c_ulong::from(duration_ms.max(1)), flags)
        };
        self.check_ctx(err, "encode")?;
        Ok(self.packets())
    }

    /// Asks libaom for anything it still holds (at the end of a recording).
    ///
    /// # Errors
    /// `Encoding` on a libaom failure.
    pub fn flush(&mut self) -> Result<Vec<EncodedVideo>, RecorderError> {
        // SAFETY: a null image is libaom's documented flush request.
        let err = unsafe { ffi::aom_codec_encode(self.ctx.as_mut_ptr(), std::ptr::null(), 0, 0, 0) };
        self.check_ctx(err, "flush")?;
        Ok(self.packets())
    }

    fn packets(&mut self) -> Vec<EncodedVideo> {
        let mut out = Vec::new();
        let mut iter: ffi::aom_codec_iter_t = std::ptr::null();
        loop {
            // SAFETY: ctx is initialised; iter is the cursor libaom asks for, started at null.
            let pkt = unsafe { ffi::aom_codec_get_cx_data(self.ctx.as_mut_ptr(), &mut iter) };
            if pkt.is_null() {
                break;
            }
            // SAFETY: pkt points at a packet libaom owns until the next encode call; its kind is
            // read as the raw number and only a frame packet's union member is read.
            unsafe {
                let kind = std::ptr::addr_of!((*pkt).kind).cast::<c_uint>().read();
                if kind != ffi::aom_codec_cx_pkt_kind::AOM_CODEC_CX_FRAME_PKT {
                    continue;
                }
                let f = (*pkt).data.frame;
                let data = std::slice::from_raw_parts(f.buf.cast::<u8>(), f.sz).to_vec();
                out.push(EncodedVideo {
                    data: without_temporal_delimiters(data),
                    pts_ms: f.pts,
                    keyframe: f.flags & ffi::AOM_FRAME_IS_KEY != 0,
                });
            }
        }
        out
    }

    fn control(&mut self, id: ffi::aome_enc_control_id::Type, value: c_int) -> Result<(), RecorderError> {
        // SAFETY: ctx is initialised; these controls take one int argument.
        let err = unsafe { ffi::aom_codec_control(self.ctx.as_mut_ptr(), id as c_int, value) };
        self.check_ctx(err, "setting")
    }

    fn check_ctx(&mut self, err: ffi::aom_codec_err_t::Type, what: &str) -> Result<(), RecorderError> {
        if err == ffi::aom_codec_err_t::AOM_CODEC_OK {
            return Ok(());
        }
        // SAFETY: ctx is initialised; the detail string (if any) lives in the context.
        let detail = unsafe {
            let p = ffi::aom_codec_error_detail(self.ctx.as_mut_ptr());
            if p.is_null() {
                String::new()
            } else {
                format!(" ({})", CStr::from_ptr(p).to_string_lossy())
            }
        };
        Err(RecorderError::Encoding(format!("libaom {what}: {}{detail}", error_text(err))))
    }
}

impl Drop for AomEncoder {
    fn drop(&mut self) {
        // SAFETY: ctx was initialised in `new` and is destroyed once, here.
        let _status = unsafe { ffi::aom_codec_destroy(self.ctx.as_mut_ptr()) };
    }
}

fn check(err: ffi::aom_codec_err_t::Type, what: &str) -> Result<(), RecorderError> {
    if err == ffi::aom_codec_err_t::AOM_CODEC_OK {
        Ok(())
    } else {
        Err(RecorderError::Encoding(format!("libaom {what}: {}", error_text(err))))
    }
}

fn error_text(err: ffi::aom_codec_err_t::Type) -> String {
    // SAFETY: libaom returns a static string for any error code.
    unsafe {
        let p = ffi::aom_codec_err_to_string(err);
        if p.is_null() {
            format!("error {err}")
        } else {
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }
}

/// The WebM `CodecPrivate` for a stream whose key frame is `packet`: the `av1C` record (profile,
/// level and tier read from the sequence header; 8-bit 4:2:0, as libaom is set up) and the
/// sequence header OBU. `None` when the packet holds no sequence header.
pub fn codec_private(packet: &[u8]) -> Option<Vec<u8>> {
    let header = sequence_header_obu(packet)?;
    let (profile, level, tier) = profile_level_tier(&header)?;
    let mut av1c = vec![0x81, (profile << 5) | level, (tier << 7) | 0b0000_1100, 0];
    av1c.extend_from_slice(&header);
    Some(av1c)
}

/// `seq_profile`, the first operating point's `seq_level_idx` and `seq_tier`, from a sequence
/// header OBU (AV1 spec 5.5).
fn profile_level_tier(obu: &[u8]) -> Option<(u8, u8, u8)> {
    // The payload follows the OBU header (and its extension byte) and the leb128 size.
    let mut i = 1 + usize::from(obu.first()? & 0x4 != 0);
    while obu.get(i)? & 0x80 != 0 {
        i += 1;
    }
    let mut bits = Bits { data: obu.get(i + 1..)?, at: 0 };
    let profile = bits.read(3)? as u8;
    let _still_picture = bits.read(1)?;
    if bits.read(1)? == 1 {
        // reduced_still_picture_header: one level, main tier.
        return Some((profile, bits.read(5)? as u8, 0));
    }
    if bits.read(1)? == 1 {
        // timing_info
        bits.read(32)?;
        bits.read(32)?;
        if bits.read(1)? == 1 {
            bits.uvlc()?;
        }
        if bits.read(1)? == 1 {
            // decoder_model_info
            bits.read(5)?;
            bits.read(32)?;
            bits.read(10)?;
        }
    }
    let _initial_display_delay_present = bits.read(1)?;
    let _operating_points_minus_1 = bits.read(5)?;
    let _operating_point_idc = bits.read(12)?;
    let level = bits.read(5)? as u8;
    let tier = if level > 7 { bits.read(1)? as u8 } else { 0 };
    Some((profile, level, tier))
}

/// A big-endian bit reader.
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: u32) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = *self.data.get(self.at / 8)?;
            v = (v << 1) | u32::from((byte >> (7 - self.at % 8)) & 1);
            self.at += 1;
        }
        Some(v)
    }

    fn uvlc(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.read(1)? == 0 {
            zeros += 1;
            if zeros > 32 {
                return None;
            }
        }
        Some(self.read(zeros)? + ((1u64 << zeros) - 1) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::{render_pattern, PatternSpec};

    #[test]
    fn the_test_pattern_encodes_in_real_time_mode_with_key_frames_where_asked() {
        let spec = PatternSpec::parse("test:pattern?w=320&h=240&fps=30").unwrap().unwrap();
        let config = AomConfig { width: 320, height: 240, fps: 30, bits_per_second: 500_000, speed: 10, threads: 2 };
        let mut enc = AomEncoder::new(config).unwrap();
        let mut packets = Vec::new();
        for n in 0..20u32 {
            let mut data = vec![0u8; VideoFrame::i420_len(320, 240)];
            render_pattern(&spec, n, n * 33, &mut data);
            let frame = VideoFrame { pts_ns: 0, width: 320, height: 240, data: data.into() };
            packets.extend(enc.encode(&frame, i64::from(n * 33), 33, n == 10).unwrap());
        }
        packets.extend(enc.flush().unwrap());
        assert_eq!(packets.iter().map(|p| p.pts_ms).collect::<Vec<_>>(), (0..20).map(|n| n * 33).collect::<Vec<_>>());
        assert!(packets[0].keyframe && packets[10].keyframe && !packets[1].keyframe);
        let private = codec_private(&packets[0].data).expect("a sequence header in the first packet");
        assert_eq!(private[0], 0x81);
        assert_eq!(private[1] >> 5, 0, "main profile");
        assert!(packets.iter().all(|p| (p.data[0] >> 3) & 0xf != 2), "no temporal delimiter first");
        assert!(matches!(AomEncoder::new(AomConfig { width: 321, ..config }), Err(RecorderError::NotSupported(_))));
    }
}
