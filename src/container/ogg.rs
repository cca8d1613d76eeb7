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
    RecorderError::encoder("Ogg writer", e)
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

/// Ogg's page checksum: CRC-32 with polynomial 0x04c11db7, not reflected, zero initial value
/// (RFC 3533 §6), computed with the checksum field zeroed.
fn page_crc(page: &[u8]) -> u32 {
    let mut crc = 0u32;
    for (i, &byte) in page.iter().enumerate() {
        let byte = if (22..26).contains(&i) { 0 } else { byte };
        crc ^= u32::from(byte) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04c1_1db7 } else { crc << 1 };
        }
    }
    crc
}

/// The length of the page starting at `data[0]`, if a whole page with a valid checksum is there.
fn page_len(data: &[u8]) -> Option<usize> {
    if data.len() < 27 || &data[..4] != b"OggS" || data[4] != 0 {
        return None;
    }
    let segments = usize::from(data[26]);
    let header = 27 + segments;
    let body: usize = data.get(27..header)?.iter().map(|&l| usize::from(l)).sum();
    let page = data.get(..header + body)?;
    let stored = u32::from_le_bytes([page[22], page[23], page[24], page[25]]);
    (page_crc(page) == stored).then_some(header + body)
}

/// Walks whole, checksum-valid pages from the start of `data` and returns where the last one
/// starts and the length of that valid prefix. A torn or damaged tail is not part of it.
pub fn valid_pages(data: &[u8]) -> (Option<usize>, usize) {
    let (mut at, mut last) = (0, None);
    while let Some(len) = page_len(&data[at..]) {
        last = Some(at);
        at += len;
    }
    (last, at)
}

/// The granule position of the page starting at `data[page_start]`.
pub fn page_granule(data: &[u8], page_start: usize) -> Option<u64> {
    let bytes = data.get(page_start + 6..page_start + 14)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// The pre-skip from the `OpusHead` on the stream's first page, if it is there.
pub fn pre_skip(first_chunk: &[u8]) -> Option<u16> {
    let header = 27 + usize::from(*first_chunk.get(26)?);
    let head = first_chunk.get(header..header + 19)?;
    (&head[..8] == b"OpusHead").then(|| u16::from_le_bytes([head[10], head[11]]))
}

/// Sets the end-of-stream flag on the page starting at `data[page_start]` (what a recording
/// cut short by a crash lacks) and fixes its checksum.
pub fn mark_end_of_stream(data: &mut [u8], page_start: usize) {
    let Some(len) = page_len(&data[page_start..]) else { return };
    let page = &mut data[page_start..page_start + len];
    page[5] |= 0x04;
    let crc = page_crc(page);
    page[22..26].copy_from_slice(&crc.to_le_bytes());
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

    #[test]
    fn pages_are_walked_checked_and_marked_end_of_stream() {
        let mut enc = OpusEncoder::new(1, 32_000, true).unwrap();
        let mut mux = OggOpusMuxer::new(1, enc.pre_skip()).unwrap();
        for i in 0..30u64 {
            mux.write_audio(enc.encode(&[0.0; 960]).unwrap(), i * 960, 960).unwrap();
        }
        mux.cut().unwrap();
        let mut data = mux.take_bytes();
        let (last, valid) = valid_pages(&data);
        assert_eq!(valid, data.len(), "every page the muxer wrote checks out");
        // A torn tail is not a page.
        let (_, torn_valid) = valid_pages(&data[..data.len() - 10]);
        assert!(torn_valid < data.len() - 10);
        // Marking EOS keeps the page valid, and a reader sees the end of the stream.
        mark_end_of_stream(&mut data, last.unwrap());
        assert_eq!(valid_pages(&data).1, data.len());
        let mut reader = ogg::PacketReader::new(std::io::Cursor::new(data));
        let mut eos = false;
        while let Some(p) = reader.read_packet().unwrap() {
            eos = p.last_in_stream();
        }
        assert!(eos);
    }
}
