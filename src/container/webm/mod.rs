//! WebM written as a live stream: unknown-size Segment and Clusters, so every chunk is a byte
//! range of one valid stream. [`finalize`] later rewrites it with Duration and Cues.

mod finalize;

pub use super::{Damage, VideoTrack};
pub use finalize::{finalize, Finalized};

use webm_iterable::matroska_spec::{Master, MatroskaSpec};
use webm_iterable::{WebmWriter, WriteOptions};

use super::Muxer;
use crate::codec::opus::{opus_head, SEEK_PRE_ROLL_NS};
use crate::error::RecorderError;

/// Matroska timestamps in milliseconds (the WebM default, and what browsers write).
pub const TIMESTAMP_SCALE_NS: u64 = 1_000_000;
/// A cluster's block timestamps are 16-bit offsets; start a new cluster well before that runs out.
const MAX_CLUSTER_MS: u64 = 5_000;
/// The audio track's number (the first track, as browsers write it).
const AUDIO_TRACK: u8 = 1;

pub(crate) fn enc_err(e: impl std::error::Error + Send + Sync + 'static) -> RecorderError {
    RecorderError::encoder("WebM writer", e)
}

/// Streaming WebM writer with an Opus track, a video track, or both. Blocks must come in
/// timestamp order across tracks; with video, clusters start at video key frames so each one
/// (and each chunk) can be decoded on its own.
pub struct WebmMuxer {
    writer: WebmWriter<Vec<u8>>,
    /// Start of the open cluster in ms, if one is open.
    cluster_ms: Option<u64>,
    /// Held back so the last block can carry `DiscardPadding` (it must be a BlockGroup then).
    held: Option<(Vec<u8>, u64)>,
    /// The video track's number, when there is one.
    video_track: Option<u8>,
}

/// How long before media time 0 a player's timeline of the file starts: an Opus track's codec
/// delay (its pre-skip), which ffmpeg takes off the audio's times, rounded to the millisecond
/// (312 samples: 7 ms, a start time of -0.007 s); 0 without audio.
pub fn timeline_lead_ms(opus_pre_skip: Option<u16>) -> u64 {
    opus_pre_skip.map_or(0, |samples| (u64::from(samples) * 1000 + 24_000) / 48_000)
}

/// A video frame's block time (whole ms, the timestamp scale) for its media time: the
/// millisecond it falls in, or the next one when it lies in the later half of its slot at the
/// nominal `frame_rate`, slots counted from the start of the file's timeline (`leads_us` before
/// media time 0, see [`timeline_lead_ms`]). A tool that retimes to that rate (ffmpeg does, from
/// the track's default duration) rounds each frame to the nearest slot; plain truncation put
/// frames just past a half-slot on either side of it (a 30 fps source 16.4 ms past the grid:
/// 50 ms → slot 2, 83 ms → slot 2), two frames in one slot, which ffmpeg reports as
/// non-monotonic timestamps. Rounded towards their own side of the half, the frames of a
/// steady source each keep a slot.
///
/// A recording read on two timelines (MP4: its fragments start at Opus' codec delay, the saved
/// file, whose edit list hides it, at 0) gives every lead: a frame is near the half of one
/// grid at most (the leads are milliseconds apart), and that grid decides.
pub fn video_block_ms(media_ns: u64, frame_rate: u32, leads_us: &[u64]) -> u64 {
    // Where the frame sits in its slot, in billionths of a slot.
    let phase = |lead_us: u64| {
        let on_timeline_ns = u128::from(media_ns) + u128::from(lead_us) * 1000;
        (on_timeline_ns * u128::from(frame_rate) % 1_000_000_000) as u64
    };
    let nearest_half =
        leads_us.iter().map(|&lead| phase(lead)).min_by_key(|p| p.abs_diff(500_000_000)).unwrap_or_else(|| phase(0));
    if nearest_half >= 500_000_000 {
        media_ns.div_ceil(1_000_000)
    } else {
        media_ns / 1_000_000
    }
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
fn block_bytes(track: u8, rel_ms: i16, keyframe: bool, frame: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(4 + frame.len());
    b.push(0x80 | track); // 1-byte vint track number (tracks 1 and 2)
    b.extend_from_slice(&rel_ms.to_be_bytes());
    b.push(if keyframe { 0x80 } else { 0x00 });
    b.extend_from_slice(frame);
    b
}

/// A frame's length in ns at `fps`, rounded.
fn frame_ns(fps: u32) -> u64 {
    let fps = u64::from(fps.max(1));
    (1_000_000_000 + fps / 2) / fps
}

impl WebmMuxer {
    /// An Opus-only stream: the EBML header, the open Segment, Info and Tracks.
    ///
    /// # Errors
    /// `Encoding` if the writer fails.
    pub fn new(channels: u16, pre_skip: u16) -> Result<WebmMuxer, RecorderError> {
        WebmMuxer::with_tracks(Some((channels, pre_skip)), None)
    }

    /// A stream with an Opus track (`(channels, pre_skip)`) and/or a video track.
    ///
    /// # Errors
    /// `Encoding` if the writer fails or no track is given.
    pub fn with_tracks(audio: Option<(u16, u16)>, video: Option<VideoTrack>) -> Result<WebmMuxer, RecorderError> {
        if audio.is_none() && video.is_none() {
            return Err(RecorderError::Encoding("WebM writer: a stream needs a track".into()));
        }
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
        let mut entries = Vec::new();
        if let Some((channels, pre_skip)) = audio {
            entries.push(MatroskaSpec::TrackEntry(Master::Full(vec![
                MatroskaSpec::TrackNumber(u64::from(AUDIO_TRACK)),
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
            ])));
        }
        let video_track = video.as_ref().map(|_| if audio.is_some() { AUDIO_TRACK + 1 } else { 1 });
        if let (Some(v), Some(number)) = (video, video_track) {
            let mut entry = vec![
                MatroskaSpec::TrackNumber(u64::from(number)),
                MatroskaSpec::TrackUID(uid.wrapping_add(1) | 1),
                MatroskaSpec::TrackType(1),
                MatroskaSpec::CodecID(v.codec_id.into()),
                MatroskaSpec::DefaultDuration(frame_ns(v.frame_rate)),
            ];
            if let Some(private) = v.codec_private {
                entry.push(MatroskaSpec::CodecPrivate(private));
            }
            entry.push(MatroskaSpec::Video(Master::Full(vec![
                MatroskaSpec::PixelWidth(u64::from(v.width)),
                MatroskaSpec::PixelHeight(u64::from(v.height)),
            ])));
            entries.push(MatroskaSpec::TrackEntry(Master::Full(entry)));
        }
        writer.write(&MatroskaSpec::Tracks(Master::Full(entries))).map_err(enc_err)?;
        Ok(WebmMuxer { writer, cluster_ms: None, held: None, video_track })
    }

    /// Adds one encoded video frame shown from `pts_ms`. A key frame starts a new cluster.
    ///
    /// # Errors
    /// `Encoding` without a video track, for a frame older than the open cluster, or when the
    /// writer fails.
    pub fn write_video(&mut self, frame: &[u8], pts_ms: u64, keyframe: bool) -> Result<(), RecorderError> {
        let track = self.video_track.ok_or_else(|| RecorderError::Encoding("WebM writer: no video track".into()))?;
        // Audio up to here first: blocks stay in time order.
        self.release_held(None)?;
        if keyframe && self.cluster_ms.is_some_and(|c| pts_ms > c) {
            self.close_cluster()?;
        }
        let rel = self.open_cluster_for(pts_ms)?;
        self.writer.write(&MatroskaSpec::SimpleBlock(block_bytes(track, rel, keyframe, frame))).map_err(enc_err)
    }

    fn close_cluster(&mut self) -> Result<(), RecorderError> {
        if self.cluster_ms.take().is_some() {
            self.writer.write(&MatroskaSpec::Cluster(Master::End)).map_err(enc_err)?;
        }
        Ok(())
    }

    /// The open cluster's offset for a block at `pts_ms`, opening a cluster when none is open
    /// or the open one has run long.
    fn open_cluster_for(&mut self, pts_ms: u64) -> Result<i16, RecorderError> {
        let cluster_ms = match self.cluster_ms {
            Some(c) if pts_ms >= c && pts_ms - c < MAX_CLUSTER_MS => c,
            Some(c) if pts_ms < c => {
                return Err(RecorderError::Encoding(format!(
                    "WebM writer: a block at {pts_ms} ms after a cluster at {c} ms"
                )))
            }
            _ => {
                self.close_cluster()?;
                self.writer
                    .write_advanced(&MatroskaSpec::Cluster(Master::Start), WriteOptions::is_unknown_sized_element())
                    .map_err(enc_err)?;
                self.writer.write(&MatroskaSpec::Timestamp(pts_ms)).map_err(enc_err)?;
                self.cluster_ms = Some(pts_ms);
                pts_ms
            }
        };
        i16::try_from(pts_ms - cluster_ms).map_err(enc_err)
    }

    fn write_block(&mut self, frame: &[u8], pts_ms: u64, discard_padding_ns: Option<i64>) -> Result<(), RecorderError> {
        let rel = self.open_cluster_for(pts_ms)?;
        let tag = match discard_padding_ns {
            None => MatroskaSpec::SimpleBlock(block_bytes(AUDIO_TRACK, rel, true, frame)),
            Some(ns) => MatroskaSpec::BlockGroup(Master::Full(vec![
                MatroskaSpec::Block(block_bytes(AUDIO_TRACK, rel, false, frame)),
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
    fn write_video(&mut self, frame: &[u8], pts_ms: u64, keyframe: bool) -> Result<(), RecorderError> {
        WebmMuxer::write_video(self, frame, pts_ms, keyframe)
    }

    fn write_audio(&mut self, packet: Vec<u8>, pts_samples: u64, _samples: u32) -> Result<(), RecorderError> {
        self.release_held(None)?;
        self.held = Some((packet, pts_samples / 48));
        Ok(())
    }

    fn cut(&mut self) -> Result<(), RecorderError> {
        self.release_held(None)?;
        self.close_cluster()
    }

    fn finish(&mut self, trailing_padding: u32) -> Result<(), RecorderError> {
        let padding = (trailing_padding > 0).then(|| i64::from(trailing_padding) * 1_000_000_000 / 48_000);
        self.release_held(padding)?;
        self.close_cluster()
    }

    fn take_bytes(&mut self) -> Vec<u8> {
        std::mem::take(self.writer.get_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slot ffmpeg puts a block time in at `fps` (rounding halves up, as it does), its
    /// timeline starting `lead_us` before the file's time 0.
    fn ffmpeg_slot(ms: u64, fps: u32, lead_us: u64) -> u64 {
        ((ms * 1000 + lead_us) * u64::from(fps) * 2 + 1_000_000) / 2_000_000
    }

    #[test]
    fn the_timeline_of_a_file_with_opus_starts_at_its_codec_delay() {
        assert_eq!(timeline_lead_ms(None), 0);
        assert_eq!(timeline_lead_ms(Some(312)), 7, "6.5 ms, as ffmpeg rounds it");
        assert_eq!(timeline_lead_ms(Some(120)), 3);
    }

    #[test]
    fn each_frame_of_a_steady_source_gets_its_own_slot_whatever_its_phase() {
        // No audio; WebM with Opus; MP4 with Opus (fragments and the saved file).
        let timelines: [&[u64]; 3] = [&[0], &[7000], &[0, 6500]];
        for (fps, leads) in [10, 15, 24, 25, 30, 50, 60].into_iter().flat_map(|f| timelines.map(|t| (f, t))) {
            let period_ns = 1_000_000_000 / u64::from(fps);
            // Every phase against the recording's start, 10 µs apart.
            for phase_ns in (0..period_ns).step_by(10_000) {
                let blocks: Vec<u64> = (0..300)
                    .map(|k| phase_ns + k * 1_000_000_000 / u64::from(fps))
                    .map(|ns| video_block_ms(ns, fps, leads))
                    .collect();
                for &lead_us in leads {
                    let slots: Vec<u64> = blocks.iter().map(|&ms| ffmpeg_slot(ms, fps, lead_us)).collect();
                    assert!(
                        slots.windows(2).all(|s| s[0] < s[1]),
                        "{fps} fps, frames {} µs past the grid, timeline {lead_us} µs ahead: slots {slots:?}",
                        phase_ns / 1000
                    );
                }
            }
        }
    }

    #[test]
    fn a_block_time_is_within_a_millisecond_of_the_frame() {
        for ns in (0..200_000_000u64).step_by(77_777) {
            let ms = video_block_ms(ns, 30, &[7000]);
            assert!(ms * 1_000_000 + 1_000_000 > ns && ms * 1_000_000 < ns + 1_000_000, "{ns} ns → {ms} ms");
        }
    }
}
