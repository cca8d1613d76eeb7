//! WebM written as a live stream: unknown-size Segment and Clusters, so every chunk is a byte
//! range of one valid stream. [`finalize`] later rewrites it with Duration and Cues.

mod finalize;

pub use finalize::{finalize, Damage, Finalized};

use webm_iterable::matroska_spec::{Master, MatroskaSpec};
use webm_iterable::{WebmWriter, WriteOptions};

use super::Muxer;
use crate::codec::opus::{opus_head, SEEK_PRE_ROLL_NS};
use crate::error::RecorderError;

/// Matroska timestamps in milliseconds (the WebM default, and what browsers write).
pub const TIMESTAMP_SCALE_NS: u64 = 1_000_000;
/// A cluster's block timestamps are 16-bit offsets; start a new cluster well before that runs out.
const MAX_CLUSTER_MS: u64 = 5_000;
const AUDIO_TRACK: u64 = 1;

pub(crate) fn enc_err(e: impl std::fmt::Display) -> RecorderError {
    RecorderError::Encoding(format!("WebM writer: {e}"))
}

/// Streaming WebM writer with one Opus track.
pub struct WebmMuxer {
    writer: WebmWriter<Vec<u8>>,
    /// Start of the open cluster in ms, if one is open.
    cluster_ms: Option<u64>,
    /// Held back so the last block can carry `DiscardPadding` (it must be a BlockGroup then).
    held: Option<(Vec<u8>, u64)>,
}

/// The `EBML` header shared with [`finalize`].
pub(crate) fn ebml_header() -> MatroskaSpec {
    MatroskaSpec::Ebml(Master::Full(vec![
        MatroskaSpec::EbmlVersion(1),
        MatroskaSpec::EbmlReadVersion(1),
        MatroskaSpec::EbmlMaxIdLength(4),
        MatroskaSpec::EbmlMaxSizeLength(8),
        MatroskaSpec::DocType("webm".into()),
        MatroskaSpec::DocTypeVersion(4),
        MatroskaSpec::DocTypeReadVersion(2),
    ]))
}

/// Block payload (SimpleBlock or Block): track number, 16-bit relative time, flags, frame.
fn block_bytes(rel_ms: i16, keyframe: bool, frame: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(4 + frame.len());
    b.push(0x80 | AUDIO_TRACK as u8); // 1-byte vint track number
    b.extend_from_slice(&rel_ms.to_be_bytes());
    b.push(if keyframe { 0x80 } else { 0x00 });
    b.extend_from_slice(frame);
    b
}

impl WebmMuxer {
    /// Writes the EBML header, the open Segment, Info and Tracks.
    ///
    /// # Errors
    /// `Encoding` if the writer fails.
    pub fn new(channels: u16, pre_skip: u16) -> Result<WebmMuxer, RecorderError> {
        let mut writer = WebmWriter::new(Vec::new());
        let app = format!("mediarecorder {}", env!("CARGO_PKG_VERSION"));
        writer.write(&ebml_header()).map_err(enc_err)?;
        writer
            .write_advanced(&MatroskaSpec::Segment(Master::Start), WriteOptions::is_unknown_sized_element())
            .map_err(enc_err)?;
        writer
            .write(&MatroskaSpec::Info(Master::Full(vec![
                MatroskaSpec::TimestampScale(TIMESTAMP_SCALE_NS),
                MatroskaSpec::MuxingApp(app.clone()),
                MatroskaSpec::WritingApp(app),
            ])))
            .map_err(enc_err)?;
        let uid = u64::from(crc32fast::hash(&crate::media::now_ns().to_le_bytes())) | 1;
        writer
            .write(&MatroskaSpec::Tracks(Master::Full(vec![MatroskaSpec::TrackEntry(Master::Full(vec![
                MatroskaSpec::TrackNumber(AUDIO_TRACK),
                MatroskaSpec::TrackUID(uid),
                MatroskaSpec::TrackType(2),
                MatroskaSpec::CodecID("A_OPUS".into()),
                MatroskaSpec::CodecPrivate(opus_head(channels, pre_skip)),
                // The pre-skip, in ns, as the Matroska Opus mapping asks.
                MatroskaSpec::CodecDelay(u64::from(pre_skip) * 1_000_000_000 / 48_000),
                MatroskaSpec::SeekPreRoll(SEEK_PRE_ROLL_NS),
                MatroskaSpec::Audio(Master::Full(vec![
                    MatroskaSpec::SamplingFrequency(48_000.0),
                    MatroskaSpec::Channels(u64::from(channels)),
                ])),
            ]))])))
            .map_err(enc_err)?;
        Ok(WebmMuxer { writer, cluster_ms: None, held: None })
    }

    fn write_block(&mut self, frame: &[u8], pts_ms: u64, discard_padding_ns: Option<i64>) -> Result<(), RecorderError> {
        let cluster_ms = match self.cluster_ms {
            Some(c) if pts_ms - c < MAX_CLUSTER_MS => c,
            open => {
                if open.is_some() {
                    self.writer.write(&MatroskaSpec::Cluster(Master::End)).map_err(enc_err)?;
                }
                self.writer
                    .write_advanced(&MatroskaSpec::Cluster(Master::Start), WriteOptions::is_unknown_sized_element())
                    .map_err(enc_err)?;
                self.writer.write(&MatroskaSpec::Timestamp(pts_ms)).map_err(enc_err)?;
                self.cluster_ms = Some(pts_ms);
                pts_ms
            }
        };
        let rel = i16::try_from(pts_ms - cluster_ms).map_err(enc_err)?;
        let tag = match discard_padding_ns {
            None => MatroskaSpec::SimpleBlock(block_bytes(rel, true, frame)),
            Some(ns) => MatroskaSpec::BlockGroup(Master::Full(vec![
                MatroskaSpec::Block(block_bytes(rel, false, frame)),
                MatroskaSpec::DiscardPadding(ns),
            ])),
        };
        self.writer.write(&tag).map_err(enc_err)
    }

    fn release_held(&mut self, discard_padding_ns: Option<i64>) -> Result<(), RecorderError> {
        if let Some((frame, pts_ms)) = self.held.take() {
            self.write_block(&frame, pts_ms, discard_padding_ns)?;
        }
        Ok(())
    }
}

impl Muxer for WebmMuxer {
    fn write_audio(&mut self, packet: Vec<u8>, pts_samples: u64, _samples: u32) -> Result<(), RecorderError> {
        self.release_held(None)?;
        self.held = Some((packet, pts_samples / 48));
        Ok(())
    }

    fn cut(&mut self) -> Result<(), RecorderError> {
        self.release_held(None)?;
        if self.cluster_ms.take().is_some() {
            self.writer.write(&MatroskaSpec::Cluster(Master::End)).map_err(enc_err)?;
        }
        Ok(())
    }

    fn finish(&mut self, trailing_padding: u32) -> Result<(), RecorderError> {
        let padding = (trailing_padding > 0).then(|| i64::from(trailing_padding) * 1_000_000_000 / 48_000);
        self.release_held(padding)?;
        if self.cluster_ms.take().is_some() {
            self.writer.write(&MatroskaSpec::Cluster(Master::End)).map_err(enc_err)?;
        }
        Ok(())
    }

    fn take_bytes(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.get_mut())
    }
}
