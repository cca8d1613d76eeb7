//! Ogg Opus (RFC 7845): `OpusHead` alone on the first (BOS) page, `OpusTags` on the next,
//! then audio pages whose granule position counts 48 kHz samples including the pre-skip.

use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use super::Muxer;
use crate::codec::opus::{opus_head, opus_tags};
use crate::error::RecorderError;

/// Packets per page: 10 × 20 ms = 200 ms, so a torn file loses at most a fifth of a second and
/// seeking stays precise, for ~1% overhead.
const PACKETS_PER_PAGE: u32 = 10;

/// Streaming Ogg Opus writer.
pub struct OggOpusMuxer {
    writer: PacketWriter<'static, Vec<u8>>,
    serial: u32,
    /// One packet is held back: a page can only be ended by the packet written with `EndPage`,
    /// and only the next call knows whether this packet ends a chunk or the stream.
    held: Option<(Vec<u8>, u64)>,
    packets_in_page: u32,
}

fn enc_err(e: std::io::Error) -> RecorderError {
    RecorderError::Encoding(format!("Ogg writer: {e}"))
}

impl OggOpusMuxer {
    /// Writes the two header pages.
    ///
    /// # Errors
    /// `Encoding` if the writer fails.
    pub fn new(channels: u16, pre_skip: u16) -> Result<OggOpusMuxer, RecorderError> {
        // Serial numbers only need to differ between streams of one physical file; a clock-based
        // value also keeps chained recordings apart.
        let serial = crc32fast::hash(&crate::media::now_ns().to_le_bytes()) ^ std::process::id();
        let mut writer = PacketWriter::new(Vec::new());
        writer.write_packet(opus_head(channels, pre_skip), serial, PacketWriteEndInfo::EndPage, 0).map_err(enc_err)?;
        writer.write_packet(opus_tags(), serial, PacketWriteEndInfo::EndPage, 0).map_err(enc_err)?;
        Ok(OggOpusMuxer { writer, serial, held: None, packets_in_page: 0 })
    }

    fn release_held(&mut self, end: PacketWriteEndInfo) -> Result<(), RecorderError> {
        if let Some((packet, granule)) = self.held.take() {
            let end = if end == PacketWriteEndInfo::NormalPacket && self.packets_in_page + 1 >= PACKETS_PER_PAGE {
                PacketWriteEndInfo::EndPage
            } else {
                end
            };
            self.packets_in_page = if end == PacketWriteEndInfo::NormalPacket { self.packets_in_page + 1 } else { 0 };
            self.writer.write_packet(packet, self.serial, end, granule).map_err(enc_err)?;
        }
        Ok(())
    }
}

impl Muxer for OggOpusMuxer {
    fn write_audio(&mut self, packet: Vec<u8>, pts_samples: u64, samples: u32) -> Result<(), RecorderError> {
        self.release_held(PacketWriteEndInfo::NormalPacket)?;
        // A page's granule is the end of its last complete packet (RFC 7845 §4).
        self.held = Some((packet, pts_samples + u64::from(samples)));
        Ok(())
    }

    fn cut(&mut self) -> Result<(), RecorderError> {
        self.release_held(PacketWriteEndInfo::EndPage)
    }

    fn finish(&mut self, trailing_padding: u32) -> Result<(), RecorderError> {
        // The last page's granule is cut back by the padding, so decoders trim it (RFC 7845 §4.5).
        if let Some((_, granule)) = self.held.as_mut() {
            *granule -= u64::from(trailing_padding).min(*granule);
        } else {
            // The recorder always encodes at least one frame (the encoder's lookahead), so this
            // is a bug in the caller, not a state of the stream.
            return Err(RecorderError::Encoding("Ogg stream finished without any packet".into()));
        }
        self.release_held(PacketWriteEndInfo::EndStream)
    }

    fn take_bytes(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.inner_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::opus::OpusEncoder;

    #[test]
    fn pages_carry_granules_and_the_last_is_eos() {
        let mut enc = OpusEncoder::new(1, 32_000, true).unwrap();
        let mut mux = OggOpusMuxer::new(1, enc.pre_skip()).unwrap();
        let head = mux.take_bytes();
        assert_eq!(&head[..4], b"OggS");
        assert_eq!(head[5] & 0x02, 0x02, "first page is BOS");
        for i in 0..25u64 {
            let p = enc.encode(&[0.0; 960]).unwrap();
            mux.write_audio(p, i * 960, 960).unwrap();
        }
        mux.finish(100).unwrap();
        let body = mux.take_bytes();
        let mut reader = ogg::PacketReader::new(std::io::Cursor::new([head, body].concat()));
        let mut last = None;
        while let Some(p) = reader.read_packet().unwrap() {
            last = Some(p);
        }
        let last = last.unwrap();
        assert!(last.last_in_stream());
        assert_eq!(last.absgp_page(), 25 * 960 - 100);
    }
}
