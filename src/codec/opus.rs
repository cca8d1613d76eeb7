//! Opus through libopus, the reference encoder every browser ships: 48 kHz, 20 ms frames.

use crate::error::RecorderError;

/// Samples per channel in one 20 ms frame at 48 kHz.
pub const FRAME_SAMPLES: usize = 960;
/// libopus accepts 500 bit/s to 512 kbit/s; below 6 kbit/s nothing intelligible comes out.
pub const MIN_BITRATE: u32 = 6_000;
/// The top of libopus's range.
pub const MAX_BITRATE: u32 = 510_000;
/// The browsers' default.
pub const DEFAULT_BITRATE: u32 = 128_000;
/// Recommended decoder pre-roll after a seek (RFC 7845 §4.6: 80 ms).
pub const SEEK_PRE_ROLL_NS: u64 = 80_000_000;
/// Largest packet libopus produces (RFC 6716 §3.2.1: 1275 bytes per frame).
const MAX_PACKET: usize = 1_500;

/// A configured libopus encoder.
pub struct OpusEncoder {
    inner: ::opus::Encoder,
    channels: u16,
    pre_skip: u16,
    out: Vec<u8>,
}

impl OpusEncoder {
    /// An encoder for `channels` (1 or 2) at `bitrate` bit/s; `vbr` false means constant bitrate.
    ///
    /// # Errors
    /// `NotSupported` for other channel counts; `Encoder` (with libopus's error) when libopus
    /// refuses the settings.
    pub fn new(channels: u16, bitrate: u32, vbr: bool) -> Result<OpusEncoder, RecorderError> {
        let layout = match channels {
            1 => ::opus::Channels::Mono,
            2 => ::opus::Channels::Stereo,
            n => return Err(RecorderError::NotSupported(format!("{n} audio channels (expected 1 or 2)"))),
        };
        let enc_err = |e: ::opus::Error| RecorderError::encoder("libopus", e);
        let mut inner = ::opus::Encoder::new(48_000, layout, ::opus::Application::Audio).map_err(enc_err)?;
        inner.set_bitrate(::opus::Bitrate::Bits(bitrate.clamp(MIN_BITRATE, MAX_BITRATE) as i32)).map_err(enc_err)?;
        inner.set_vbr(vbr).map_err(enc_err)?;
        // The lookahead is what the decoder must skip (RFC 7845 §4.2): 312 samples in libopus 1.3.
        let pre_skip = u16::try_from(inner.get_lookahead().map_err(enc_err)?).unwrap_or(312);
        Ok(OpusEncoder { inner, channels, pre_skip, out: vec![0; MAX_PACKET] })
    }

    /// Channels per frame.
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// Samples at 48 kHz a decoder discards at the start.
    pub fn pre_skip(&self) -> u16 {
        self.pre_skip
    }

    /// Encodes one 20 ms frame of interleaved samples (`FRAME_SAMPLES * channels` of them).
    ///
    /// # Errors
    /// `Encoder` (with libopus's error) when libopus fails (it does not for valid input).
    pub fn encode(&mut self, pcm: &[f32]) -> Result<Vec<u8>, RecorderError> {
        let n = self.inner.encode_float(pcm, &mut self.out).map_err(|e| RecorderError::encoder("libopus", e))?;
        Ok(self.out[..n].to_vec())
    }

    /// The `OpusHead` identification header (RFC 7845 §5.1), also WebM's `CodecPrivate`.
    pub fn head(&self) -> Vec<u8> {
        opus_head(self.channels, self.pre_skip)
    }
}

/// `OpusHead` for mapping family 0 (mono/stereo) at 48 kHz with no output gain.
pub fn opus_head(channels: u16, pre_skip: u16) -> Vec<u8> {
    let mut h = Vec::with_capacity(19);
    h.extend_from_slice(b"OpusHead");
    h.push(1); // version
    h.push(channels as u8);
    h.extend_from_slice(&pre_skip.to_le_bytes());
    h.extend_from_slice(&48_000u32.to_le_bytes()); // input sample rate (informational)
    h.extend_from_slice(&0i16.to_le_bytes()); // output gain
    h.push(0); // channel mapping family 0
    h
}

/// `OpusTags` (RFC 7845 §5.2): the libopus version as vendor, and our name as ENCODER.
pub fn opus_tags() -> Vec<u8> {
    let vendor = ::opus::version();
    let encoder = format!("ENCODER=mediarecorder {}", env!("CARGO_PKG_VERSION"));
    let mut t = Vec::with_capacity(32 + vendor.len() + encoder.len());
    t.extend_from_slice(b"OpusTags");
    t.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    t.extend_from_slice(vendor.as_bytes());
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&(encoder.len() as u32).to_le_bytes());
    t.extend_from_slice(encoder.as_bytes());
    t
}

/// Samples (at 48 kHz) an Opus packet decodes to, from its TOC byte (RFC 6716 §3.1).
pub fn packet_samples(packet: &[u8]) -> Option<u32> {
    let toc = *packet.first()?;
    let config = toc >> 3;
    let frame = match config {
        0..=11 => [480, 960, 1920, 2880][usize::from(config % 4)], // SILK 10/20/40/60 ms
        12..=15 => [480, 960][usize::from(config % 2)],            // hybrid 10/20 ms
        _ => [120, 240, 480, 960][usize::from(config % 4)],        // CELT 2.5/5/10/20 ms
    };
    let frames = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => u32::from(*packet.get(1)? & 0x3f),
    };
    Some(frame * frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_20ms_frames_and_reports_their_length() {
        let mut enc = OpusEncoder::new(2, 64_000, true).unwrap();
        assert!(enc.pre_skip() > 0);
        let pcm: Vec<f32> = (0..FRAME_SAMPLES * 2).map(|i| ((i / 2) as f32 * 0.0575).sin() * 0.5).collect();
        let packet = enc.encode(&pcm).unwrap();
        assert!(!packet.is_empty());
        assert_eq!(packet_samples(&packet), Some(960));
        let head = enc.head();
        assert_eq!(&head[..8], b"OpusHead");
        assert_eq!(head.len(), 19);
    }

    #[test]
    fn a_libopus_failure_keeps_libopus_own_error_as_its_cause() {
        let mut enc = OpusEncoder::new(1, 64_000, true).unwrap();
        // 7 samples is no Opus frame size: libopus refuses it.
        let err = enc.encode(&[0.0; 7]).unwrap_err();
        assert!(matches!(&err, RecorderError::Encoder { what, .. } if what == "libopus"), "{err:?}");
        let cause = std::error::Error::source(&err).expect("the cause is kept");
        assert!(cause.downcast_ref::<::opus::Error>().is_some(), "libopus's own error: {cause}");
    }

    #[test]
    fn rejects_surround() {
        assert!(matches!(OpusEncoder::new(6, 64_000, true), Err(RecorderError::NotSupported(_))));
    }
}
