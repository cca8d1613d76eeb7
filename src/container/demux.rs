//! Reading the Opus packets back out of a recording (Ogg, WebM or MP4), for playback in the app.

use std::io::Cursor;

use webm_iterable::matroska_spec::{Master, MatroskaSpec};
use webm_iterable::WebmIterator;

use crate::error::RecorderError;

/// An Opus stream as stored: its header fields and packets in order.
#[derive(Debug, Default)]
pub struct OpusStream {
    /// Channels (1 or 2).
    pub channels: u16,
    /// Samples at 48 kHz to drop from the start (the encoder's lookahead).
    pub pre_skip: u16,
    /// The packets.
    pub packets: Vec<Vec<u8>>,
}

/// Reads every Opus packet of a whole Ogg Opus, WebM or MP4 file (or a session's chunks, joined).
///
/// # Errors
/// `Encoding` when the bytes are neither, or the stream's headers are missing.
pub fn opus_packets(bytes: &[u8]) -> Result<OpusStream, RecorderError> {
    if bytes.starts_with(b"OggS") {
        ogg_packets(bytes)
    } else if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        webm_packets(bytes)
    } else if bytes.get(4..8) == Some(b"ftyp") {
        mp4_packets(bytes)
    } else {
        Err(RecorderError::Encoding("not an Ogg, WebM or MP4 recording".into()))
    }
}

/// The Opus track of an MP4, saved (sample tables) or as recorded (fragments); a torn last
/// box ends it.
fn mp4_packets(bytes: &[u8]) -> Result<OpusStream, RecorderError> {
    use mp4_atom::{Codec, Decode, Moof, Moov, StszSamples};
    let bad = |e: &dyn std::fmt::Display| RecorderError::Encoding(format!("MP4: {e}"));
    let sample = |at: u64, size: u32| -> Result<Vec<u8>, RecorderError> {
        let (at, size) = (usize::try_from(at).map_err(|e| bad(&e))?, size as usize);
        bytes.get(at..at + size).map(<[u8]>::to_vec).ok_or_else(|| bad(&"a sample beyond the end"))
    };
    let mut stream = OpusStream::default();
    let mut track = None;
    let mut at = 0usize;
    while at + 8 <= bytes.len() {
        let short = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let size = match short {
            1 if at + 16 <= bytes.len() => {
                usize::try_from(u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap_or_default())).unwrap_or(0)
            }
            n => n,
        };
        if size < 8 || at + size > bytes.len() {
            break;
        }
        let whole = &bytes[at..at + size];
        match &whole[4..8] {
            b"moov" => {
                let moov = Moov::decode(&mut &whole[..]).map_err(|e| bad(&e))?;
                for trak in &moov.trak {
                    let stbl = &trak.mdia.minf.stbl;
                    let Some(Codec::Opus(opus)) = stbl.stsd.codecs.first() else { continue };
                    track = Some(trak.tkhd.track_id);
                    stream.channels = u16::from(opus.dops.output_channel_count);
                    stream.pre_skip = opus.dops.pre_skip;
                    // A saved file's samples, chunk by chunk.
                    let sizes = match &stbl.stsz.samples {
                        StszSamples::Identical { count, size } => vec![*size; *count as usize],
                        StszSamples::Different { sizes } => sizes.clone(),
                    };
                    let offsets: Vec<u64> = match (&stbl.stco, &stbl.co64) {
                        (_, Some(co64)) => co64.entries.clone(),
                        (Some(stco), None) => stco.entries.iter().map(|&o| u64::from(o)).collect(),
                        (None, None) => Vec::new(),
                    };
                    let mut sizes = sizes.into_iter();
                    for (i, offset) in offsets.into_iter().enumerate() {
                        let per_chunk = stbl.stsc.entries.iter().rev().find(|e| e.first_chunk as usize <= i + 1);
                        let mut pos = offset;
                        for size in sizes.by_ref().take(per_chunk.map_or(0, |e| e.samples_per_chunk as usize)) {
                            stream.packets.push(sample(pos, size)?);
                            pos += u64::from(size);
                        }
                    }
                }
            }
            b"moof" => {
                let moof = Moof::decode(&mut &whole[..]).map_err(|e| bad(&e))?;
                for traf in moof.traf.iter().filter(|t| Some(t.tfhd.track_id) == track) {
                    let base = traf.tfhd.base_data_offset.unwrap_or(at as u64);
                    for trun in &traf.trun {
                        let mut pos = base.saturating_add_signed(i64::from(trun.data_offset.unwrap_or(0)));
                        for entry in trun.samples.iter() {
                            let size = entry.size.or(traf.tfhd.default_sample_size).unwrap_or(0);
                            stream.packets.push(sample(pos, size)?);
                            pos += u64::from(size);
                        }
                    }
                }
            }
            _ => {}
        }
        at += size;
    }
    if track.is_none() {
        return Err(RecorderError::Encoding("MP4: no Opus track".into()));
    }
    Ok(stream)
}

/// OpusHead (RFC 7845 §5.1): channel count at byte 9, pre-skip at 10..12 (little-endian).
fn parse_head(head: &[u8]) -> Result<(u16, u16), RecorderError> {
    if head.len() < 19 || !head.starts_with(b"OpusHead") {
        return Err(RecorderError::Encoding("the Opus header is missing".into()));
    }
    Ok((u16::from(head[9]), u16::from_le_bytes([head[10], head[11]])))
}

fn ogg_packets(bytes: &[u8]) -> Result<OpusStream, RecorderError> {
    let mut reader = ogg::PacketReader::new(Cursor::new(bytes));
    let mut stream = OpusStream::default();
    let mut index = 0;
    // A torn end (a recovered recording) ends the stream; what came before plays.
    while let Ok(Some(packet)) = reader.read_packet() {
        match index {
            0 => (stream.channels, stream.pre_skip) = parse_head(&packet.data)?,
            1 => {} // OpusTags
            _ => stream.packets.push(packet.data),
        }
        index += 1;
    }
    if index == 0 {
        return Err(RecorderError::Encoding("the Ogg stream holds no packets".into()));
    }
    Ok(stream)
}

fn webm_packets(bytes: &[u8]) -> Result<OpusStream, RecorderError> {
    let it = WebmIterator::new(
        Cursor::new(bytes),
        &[MatroskaSpec::TrackEntry(Master::Start), MatroskaSpec::BlockGroup(Master::Start)],
    );
    let mut stream = OpusStream::default();
    // The Opus track's number: a recording with video interleaves its frames in the same clusters.
    let mut opus_track = None;
    for tag in it {
        let Ok(tag) = tag else { break };
        match tag {
            MatroskaSpec::TrackEntry(Master::Full(children)) => {
                let is_opus = children.iter().any(|c| matches!(c, MatroskaSpec::CodecID(id) if id == "A_OPUS"));
                let number = children.iter().find_map(|c| match c {
                    MatroskaSpec::TrackNumber(n) => Some(*n),
                    _ => None,
                });
                let head = children.iter().find_map(|c| match c {
                    MatroskaSpec::CodecPrivate(p) => Some(p),
                    _ => None,
                });
                if let (true, Some(number), Some(head), None) = (is_opus, number, head, opus_track) {
                    (stream.channels, stream.pre_skip) = parse_head(head)?;
                    opus_track = Some(number);
                }
            }
            MatroskaSpec::SimpleBlock(block) => stream.packets.extend(block_frame(&block, opus_track)),
            MatroskaSpec::BlockGroup(Master::Full(children)) => {
                for c in children {
                    if let MatroskaSpec::Block(block) = c {
                        stream.packets.extend(block_frame(&block, opus_track));
                    }
                }
            }
            _ => {}
        }
    }
    if opus_track.is_none() {
        return Err(RecorderError::Encoding("the WebM recording has no Opus track".into()));
    }
    Ok(stream)
}

/// The frame of a block of `track`: after the track number (a vint), 16-bit time and flags.
fn block_frame(block: &[u8], track: Option<u64>) -> Option<Vec<u8>> {
    let first = *block.first()?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let number = block.get(1..len)?.iter().fold(u64::from(first) & (0xFF >> len), |n, &b| (n << 8) | u64::from(b));
    if Some(number) != track {
        return None;
    }
    block.get(len + 3..).map(<[u8]>::to_vec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::new_muxer;
    use crate::mime::Container;

    #[test]
    fn packets_written_by_either_muxer_read_back_in_order() {
        for container in [Container::Ogg, Container::WebM, Container::Mp4] {
            let mut mux = new_muxer(container, 2, 312).unwrap();
            let packets: Vec<Vec<u8>> = (0..120u8).map(|i| vec![0xFC, i, i, i]).collect();
            for (i, p) in packets.iter().enumerate() {
                mux.write_audio(p.clone(), 960 * i as u64, 960).unwrap();
                if i % 50 == 49 {
                    mux.cut().unwrap();
                }
            }
            mux.finish(0).unwrap();
            let bytes = mux.take_bytes();
            let stream = opus_packets(&bytes).unwrap();
            assert_eq!((stream.channels, stream.pre_skip), (2, 312), "{container:?}");
            assert_eq!(stream.packets, packets, "{container:?}");
            if container == Container::Mp4 {
                // Saved with its index first, it reads the same.
                let mut saved = Vec::new();
                let open = || Ok(std::io::Cursor::new(bytes.clone()));
                crate::container::mp4::finalize(open, &mut saved, crate::container::Damage::Refuse).unwrap();
                assert_eq!(opus_packets(&saved).unwrap().packets, packets, "saved MP4");
            }
        }
        assert!(opus_packets(b"RIFF....").is_err());
    }

    #[test]
    fn only_the_opus_tracks_blocks_are_read() {
        // Track 2's frames, then track 1's, with one- and two-byte track number vints.
        let block = |track: &[u8], payload: u8| [track, &[0, 0, 0x80, payload]].concat();
        assert_eq!(block_frame(&block(&[0x81], 7), Some(1)), Some(vec![7]));
        assert_eq!(block_frame(&block(&[0x82], 7), Some(1)), None);
        assert_eq!(block_frame(&block(&[0x40, 0x02], 9), Some(2)), Some(vec![9]));
        assert_eq!(block_frame(&block(&[0x81], 7), None), None);
        assert_eq!(block_frame(&[0x00, 1, 2, 3], Some(1)), None, "no vint");
    }
}
