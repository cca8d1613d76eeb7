//! VP8 and VP9 through libvpx (Debian's `libvpx-dev`) in real-time mode, as browsers'
//! MediaRecorder uses them. The only module that calls libvpx: each `unsafe` block says why it
//! holds.
#![allow(unsafe_code)]

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::raw::{c_int, c_ulong};

use vpx_sys as ffi;

pub use super::video::EncodedVideo;
use super::video::{VideoEncoder, VideoSettings};
use crate::error::RecorderError;
use crate::media::VideoFrame;

/// Which libvpx codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpxCodec {
    /// VP8 (`vp8`).
    Vp8,
    /// VP9 profile 0 (`vp9`).
    Vp9,
}

impl VpxCodec {
    /// The WebM `CodecID`.
    pub fn webm_codec_id(self) -> &'static str {
        match self {
            VpxCodec::Vp8 => "V_VP8",
            VpxCodec::Vp9 => "V_VP9",
        }
    }

    /// Encoder threads for a recording of this size and rate on a machine with `cpus` cores.
    ///
    /// VP8's threads wait for one another by spinning (libvpx syncs macroblock rows with busy
    /// waits), which burns CPU and, when other programs want the cores, loses frames. Measured
    /// here (20 s of 640×480 at 30 fps + Opus, release build): 6.96 CPU-s with 2 threads, 1.72
    /// with 1; with two busy programs beside, 2 threads kept 587–596 of 601 frames, 1 thread all
    /// of them for 1.8 CPU-s. One thread encodes 1280×720 at 30 fps in a fifth of a core here
    /// (4.2 CPU-s for 20 s, 8.85 with 2 threads), so VP8 gets a thread per 1280×720 at 30 fps of
    /// picture. VP9's row-multithreading waits on locks (1.81 CPU-s with one thread, 1.87 with
    /// two at 640×480): it gets every core.
    pub fn threads_for(self, width: u32, height: u32, fps: u32, cpus: u32) -> u32 {
        const PIXELS_A_SECOND_A_THREAD: u64 = 1280 * 720 * 30;
        let threads = match self {
            VpxCodec::Vp8 => {
                let pixels = u64::from(width) * u64::from(height) * u64::from(fps);
                u32::try_from(pixels.div_ceil(PIXELS_A_SECOND_A_THREAD)).unwrap_or(u32::MAX)
            }
            VpxCodec::Vp9 => cpus,
        };
        threads.clamp(1, cpus.max(1))
    }
}

/// What the encoder is set up for.
#[derive(Debug, Clone, Copy)]
pub struct VpxConfig {
    /// VP8 or VP9.
    pub codec: VpxCodec,
    /// Frame size (even).
    pub width: u32,
    /// Frame size (even).
    pub height: u32,
    /// Nominal frame rate, for rate control.
    pub fps: u32,
    /// Target bitrate.
    pub bits_per_second: u32,
    /// Encoder threads.
    pub threads: u32,
}

/// A libvpx encoder: frames in (I420), packets out, no look-ahead (real time).
pub struct VpxEncoder {
    // Boxed: libvpx keeps pointers into the context, so it must not move. Initialised by
    // vpx_codec_enc_init_ver in `new`; only ever used through raw pointers.
    ctx: Box<MaybeUninit<ffi::vpx_codec_ctx_t>>,
    config: VpxConfig,
}

// SAFETY: a libvpx encoder context is used from one thread at a time (&mut self on every call);
// libvpx keeps no thread-local state tied to the thread that created it.
unsafe impl Send for VpxEncoder {}

/// Key frames at least this often, so a player can seek and a damaged chunk costs little.
const MAX_KEYFRAME_INTERVAL_S: u32 = 2;

impl VpxEncoder {
    /// A real-time encoder for `config`.
    ///
    /// # Errors
    /// `NotSupported` for a size libvpx refuses; `Encoding` when libvpx fails to start.
    pub fn new(config: VpxConfig) -> Result<VpxEncoder, RecorderError> {
        // Even, and not empty.
        super::check_size(config.width, config.height, 2)?;
        let iface = iface(config.codec);
        let mut cfg = MaybeUninit::<ffi::vpx_codec_enc_cfg_t>::uninit();
        // SAFETY: iface is libvpx's static interface; cfg is writable memory of the struct's size.
        check(unsafe { ffi::vpx_codec_enc_config_default(iface, cfg.as_mut_ptr(), 0) }, "default configuration")?;
        // SAFETY: libvpx filled every field (it copies a complete default configuration).
        let mut cfg = unsafe { cfg.assume_init() };
        cfg.g_w = config.width;
        cfg.g_h = config.height;
        cfg.g_threads = config.threads.max(1);
        // Timestamps in milliseconds, as the WebM blocks carry them.
        cfg.g_timebase = ffi::vpx_rational { num: 1, den: 1000 };
        // Real time: no look-ahead, no frames dropped inside the encoder (drops are the
        // recorder's to decide, count and report). Variable bitrate, the spec's default
        // bitrate mode: in constant-bitrate mode VP9 leaves small changes (a digit, a code
        // cell) stale for frames, and the test pattern's code then reads wrong.
        cfg.g_lag_in_frames = 0;
        cfg.g_pass = ffi::vpx_enc_pass::VPX_RC_ONE_PASS;
        cfg.rc_end_usage = ffi::vpx_rc_mode::VPX_VBR;
        cfg.rc_dropframe_thresh = 0;
        cfg.rc_target_bitrate = (config.bits_per_second / 1000).max(1);
        cfg.rc_min_quantizer = 4;
        cfg.rc_max_quantizer = 56;
        cfg.rc_undershoot_pct = 95;
        cfg.rc_overshoot_pct = 15;
        cfg.rc_buf_sz = 1000;
        cfg.rc_buf_initial_sz = 500;
        cfg.rc_buf_optimal_sz = 600;
        cfg.kf_mode = ffi::vpx_kf_mode::VPX_KF_AUTO;
        cfg.kf_min_dist = 0;
        cfg.kf_max_dist = config.fps.max(1) * MAX_KEYFRAME_INTERVAL_S;

        // Zeroed, as libvpx expects a context it is to fill.
        let mut ctx: Box<MaybeUninit<ffi::vpx_codec_ctx_t>> = Box::new(MaybeUninit::zeroed());
        // SAFETY: ctx is boxed (it never moves) and writable, cfg valid for the call, and the ABI
        // version is the one the bindings were generated for (1.12, the linked library's).
        let init = unsafe {
            ffi::vpx_codec_enc_init_ver(ctx.as_mut_ptr(), iface, &cfg, 0, ffi::VPX_ENCODER_ABI_VERSION as c_int)
        };
        if init != ffi::vpx_codec_err_t::VPX_CODEC_OK {
            // The context is not initialised: nothing to destroy.
            return Err(RecorderError::Encoding(format!("libvpx cannot start: {}", error_text(init))));
        }
        let mut encoder = VpxEncoder { ctx, config };
        match config.codec {
            // cpu-used 8: libvpx's fastest real-time setting that still looks like the browsers'.
            VpxCodec::Vp8 => encoder.control(ffi::vp8e_enc_control_id::VP8E_SET_CPUUSED as c_int, 8)?,
            VpxCodec::Vp9 => {
                encoder.control(ffi::vp8e_enc_control_id::VP8E_SET_CPUUSED as c_int, 8)?;
                encoder.control(ffi::vp8e_enc_control_id::VP9E_SET_ROW_MT as c_int, 1)?;
                // Tile columns (log2): one per 512 px of width, for the threads to share.
                let tiles = (config.width / 512).max(1).ilog2() as c_int;
                encoder.control(ffi::vp8e_enc_control_id::VP9E_SET_TILE_COLUMNS as c_int, tiles)?;
            }
        }
        Ok(encoder)
    }

    /// The configuration it runs with.
    pub fn config(&self) -> VpxConfig {
        self.config
    }

    /// Encodes one frame shown at `pts_ms` for `duration_ms`; `keyframe` forces a key frame
    /// (a chunk's start, a resume). Returns the packets libvpx has ready (in real-time mode,
    /// this frame's).
    ///
    /// # Errors
    /// `Encoding` for a frame of another size or a libvpx failure.
    pub fn encode(
        &mut self,
        frame: &VideoFrame,
        pts_ms: i64,
        duration_ms: u32,
        keyframe: bool,
    ) -> Result<Vec<EncodedVideo>, RecorderError> {
        let (w, h) = (self.config.width, self.config.height);
        super::check_frame_size(frame, (w, h))?;
        let mut image = MaybeUninit::<ffi::vpx_image_t>::uninit();
        // SAFETY: the data is a tightly packed I420 frame of w×h (checked above); stride
        // alignment 1 makes libvpx's plane pointers and strides match that layout. libvpx only
        // reads the planes (the pointer is mut in the C signature alone), and `frame` outlives
        // the encode call below, after which libvpx keeps no reference (no look-ahead).
        let wrapped = unsafe {
            ffi::vpx_img_wrap(
                image.as_mut_ptr(),
                ffi::vpx_img_fmt::VPX_IMG_FMT_I420,
                w,
                h,
                1,
                frame.data.as_ptr().cast_mut(),
            )
        };
        if wrapped.is_null() {
            return Err(RecorderError::Encoding("libvpx refused the frame's layout".into()));
        }
        let flags = if keyframe { ffi::VPX_EFLAG_FORCE_KF as ffi::vpx_enc_frame_flags_t } else { 0 };
        // SAFETY: ctx is initialised; `wrapped` is the image libvpx filled in, describing memory
        // valid for the call.
        let err = unsafe {
            ffi::vpx_codec_encode(
                self.ctx.as_mut_ptr(),
                wrapped,
                pts_ms,
                c_ulong::from(duration_ms.max(1)),
                flags,
                c_ulong::from(ffi::VPX_DL_REALTIME),
            )
        };
        self.check_ctx(err, "encode")?;
        Ok(self.packets())
    }

    /// Asks libvpx for anything it still holds (at the end of a recording).
    ///
    /// # Errors
    /// `Encoding` on a libvpx failure.
    pub fn flush(&mut self) -> Result<Vec<EncodedVideo>, RecorderError> {
        // SAFETY: a null image is libvpx's documented flush request.
        let err = unsafe {
            ffi::vpx_codec_encode(self.ctx.as_mut_ptr(), std::ptr::null(), 0, 0, 0, c_ulong::from(ffi::VPX_DL_REALTIME))
        };
        self.check_ctx(err, "flush")?;
        Ok(self.packets())
    }

    fn packets(&mut self) -> Vec<EncodedVideo> {
        let mut out = Vec::new();
        let mut iter: ffi::vpx_codec_iter_t = std::ptr::null();
        loop {
            // SAFETY: ctx is initialised; iter is the cursor libvpx asks for, started at null.
            let pkt = unsafe { ffi::vpx_codec_get_cx_data(self.ctx.as_mut_ptr(), &mut iter) };
            if pkt.is_null() {
                break;
            }
            // SAFETY: pkt points at a packet libvpx owns until the next encode call; its kind is
            // read as the raw number (no assumption that it is a known enum value) and only a
            // frame packet's union member is read.
            unsafe {
                let kind = std::ptr::addr_of!((*pkt).kind).cast::<u32>().read();
                if kind != ffi::vpx_codec_cx_pkt_kind::VPX_CODEC_CX_FRAME_PKT as u32 {
                    continue;
                }
                let f = (*pkt).data.frame;
                // The packet is in memory, so its size fits in usize.
                let data = std::slice::from_raw_parts(f.buf.cast::<u8>(), f.sz as usize).to_vec();
                out.push(EncodedVideo { data, pts_ms: f.pts, keyframe: f.flags & ffi::VPX_FRAME_IS_KEY != 0 });
            }
        }
        out
    }

    fn control(&mut self, id: c_int, value: c_int) -> Result<(), RecorderError> {
        // SAFETY: ctx is initialised; these controls take one int argument.
        let err = unsafe { ffi::vpx_codec_control_(self.ctx.as_mut_ptr(), id, value) };
        self.check_ctx(err, "setting")
    }

    fn check_ctx(&mut self, err: ffi::vpx_codec_err_t, what: &str) -> Result<(), RecorderError> {
        if err == ffi::vpx_codec_err_t::VPX_CODEC_OK {
            return Ok(());
        }
        // SAFETY: ctx is initialised; the detail string (if any) lives in the context.
        let detail = unsafe {
            let p = ffi::vpx_codec_error_detail(self.ctx.as_mut_ptr());
            if p.is_null() {
                String::new()
            } else {
                format!(" ({})", CStr::from_ptr(p).to_string_lossy())
            }
        };
        Err(RecorderError::Encoding(format!("libvpx {what}: {}{detail}", error_text(err))))
    }
}

impl Drop for VpxEncoder {
    fn drop(&mut self) {
        // SAFETY: ctx was initialised in `new` and is destroyed once, here.
        let _status = unsafe { ffi::vpx_codec_destroy(self.ctx.as_mut_ptr()) };
    }
}

fn iface(codec: VpxCodec) -> *mut ffi::vpx_codec_iface_t {
    // SAFETY: these return pointers to libvpx's static interface descriptions.
    unsafe {
        match codec {
            VpxCodec::Vp8 => ffi::vpx_codec_vp8_cx(),
            VpxCodec::Vp9 => ffi::vpx_codec_vp9_cx(),
        }
    }
}

fn check(err: ffi::vpx_codec_err_t, what: &str) -> Result<(), RecorderError> {
    if err == ffi::vpx_codec_err_t::VPX_CODEC_OK {
        Ok(())
    } else {
        Err(RecorderError::Encoding(format!("libvpx {what}: {}", error_text(err))))
    }
}

fn error_text(err: ffi::vpx_codec_err_t) -> String {
    // SAFETY: vpx_codec_err_to_string returns a static string for any error value.
    unsafe { CStr::from_ptr(ffi::vpx_codec_err_to_string(err)).to_string_lossy().into_owned() }
}

/// A VP8 encoder for a recording (see [`VpxCodec::threads_for`] for its threads).
///
/// # Errors
/// As [`VpxEncoder::new`].
pub fn open_vp8(settings: &VideoSettings) -> Result<Box<dyn VideoEncoder>, RecorderError> {
    open(VpxCodec::Vp8, settings)
}

/// A VP9 encoder for a recording.
///
/// # Errors
/// As [`VpxEncoder::new`].
pub fn open_vp9(settings: &VideoSettings) -> Result<Box<dyn VideoEncoder>, RecorderError> {
    open(VpxCodec::Vp9, settings)
}

fn open(codec: VpxCodec, s: &VideoSettings) -> Result<Box<dyn VideoEncoder>, RecorderError> {
    let threads = codec.threads_for(s.width, s.height, s.fps, s.cpus);
    let config =
        VpxConfig { codec, width: s.width, height: s.height, fps: s.fps, bits_per_second: s.bits_per_second, threads };
    Ok(Box::new(VpxEncoder::new(config)?))
}

impl VideoEncoder for VpxEncoder {
    fn size(&self) -> (u32, u32) {
        (self.config.width, self.config.height)
    }

    fn encode(
        &mut self,
        frame: &VideoFrame,
        pts_ms: i64,
        duration_ms: u32,
        keyframe: bool,
    ) -> Result<Vec<EncodedVideo>, RecorderError> {
        VpxEncoder::encode(self, frame, pts_ms, duration_ms, keyframe)
    }

    fn flush(&mut self) -> Result<Vec<EncodedVideo>, RecorderError> {
        VpxEncoder::flush(self)
    }

    fn webm_codec_id(&self) -> &'static str {
        self.config.codec.webm_codec_id()
    }

    fn codec_private(&self) -> Option<Vec<u8>> {
        None
    }

    fn description(&self) -> String {
        let c = &self.config;
        let name = match c.codec {
            VpxCodec::Vp8 => "VP8",
            VpxCodec::Vp9 => "VP9",
        };
        let plural = if c.threads == 1 { "" } else { "s" };
        format!("{name} at {}×{} (libvpx {}, real time, {} thread{plural})", c.width, c.height, version(), c.threads)
    }
}

/// libvpx's version string, e.g. "v1.12.0".
pub fn version() -> String {
    // SAFETY: returns a static string.
    unsafe { CStr::from_ptr(ffi::vpx_codec_version_str()).to_string_lossy().into_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::{render_pattern, PatternSpec};

    fn frames(spec: &PatternSpec, n: u32) -> Vec<VideoFrame> {
        (0..n)
            .map(|i| {
                let mut data = vec![0u8; VideoFrame::i420_len(spec.width, spec.height)];
                render_pattern(spec, i, i * 1000 / spec.fps, &mut data);
                VideoFrame { pts_ns: 0, width: spec.width, height: spec.height, data: data.into() }
            })
            .collect()
    }

    #[test]
    fn each_frame_gives_one_packet_and_key_frames_come_when_asked() {
        let spec = PatternSpec::parse("test:pattern?w=320&h=240&fps=30").unwrap().unwrap();
        for codec in [VpxCodec::Vp8, VpxCodec::Vp9] {
            let config = VpxConfig { codec, width: 320, height: 240, fps: 30, bits_per_second: 500_000, threads: 2 };
            let mut enc = VpxEncoder::new(config).unwrap();
            let mut packets = Vec::new();
            for (i, frame) in frames(&spec, 40).iter().enumerate() {
                let out = enc.encode(frame, i as i64 * 33, 33, i == 20).unwrap();
                assert_eq!(out.len(), 1, "{codec:?} frame {i}: real time, no look-ahead");
                packets.extend(out);
            }
            packets.extend(enc.flush().unwrap());
            assert!(packets[0].keyframe && packets[20].keyframe, "{codec:?}");
            assert!(!packets[1].keyframe && !packets[21].keyframe, "{codec:?}");
            assert_eq!(
                packets.iter().map(|p| p.pts_ms).collect::<Vec<_>>(),
                (0..40).map(|i| i * 33).collect::<Vec<_>>()
            );
            // 500 kbit/s for 1.33 s is 83 kB at most (variable bitrate spends less on an easy
            // picture), with room for the two key frames.
            let bytes: usize = packets.iter().map(|p| p.data.len()).sum();
            assert!((5_000..=150_000).contains(&bytes), "{codec:?}: {bytes} bytes");
        }
    }

    #[test]
    fn a_frame_of_another_size_is_an_error() {
        let config =
            VpxConfig { codec: VpxCodec::Vp8, width: 320, height: 240, fps: 30, bits_per_second: 500_000, threads: 1 };
        let mut enc = VpxEncoder::new(config).unwrap();
        let frame =
            VideoFrame { pts_ns: 0, width: 640, height: 480, data: vec![0; VideoFrame::i420_len(640, 480)].into() };
        assert!(matches!(enc.encode(&frame, 0, 33, false), Err(RecorderError::Encoding(_))));
        assert!(VpxEncoder::new(VpxConfig { width: 321, ..config }).is_err());
    }

    #[test]
    fn vp8_gets_a_thread_per_720p_at_30_fps_and_vp9_every_core() {
        assert_eq!(VpxCodec::Vp8.threads_for(640, 480, 30, 2), 1);
        assert_eq!(VpxCodec::Vp8.threads_for(1280, 720, 30, 2), 1);
        assert_eq!(VpxCodec::Vp8.threads_for(1920, 1080, 30, 8), 3);
        assert_eq!(VpxCodec::Vp8.threads_for(3840, 2160, 60, 8), 8);
        assert_eq!(VpxCodec::Vp8.threads_for(3840, 2160, 60, 2), 2);
        assert_eq!(VpxCodec::Vp9.threads_for(640, 480, 30, 2), 2);
        assert_eq!(VpxCodec::Vp9.threads_for(640, 480, 30, 0), 1);
        assert!(version().contains("1."), "{}", version());
    }
}
