//! MP4 written as fragments: an init segment (`ftyp` + `moov` with `mvex`) and then a `moof` +
//! `mdat` per chunk, so every chunk is a byte range of one valid fragmented MP4, durable on its
//! own. [`finalize`] later rewrites it as a progressive MP4 with its index (`moov`) first.
//!
//! Tracks: Opus (`dOps`) first, then the video (`av01` with `av1C`, `vp09` with `vpcC`, `avc1`
//! with `avcC`). Audio is timed in 48 kHz samples, video in milliseconds (the recorder's block
//! times).

mod boxes;
mod finalize;

pub use boxes::AVC_CODEC_ID;
pub use finalize::{finalize, Finalized};

use mp4_atom::{Encode, Mdat, Mfhd, Moof, Tfdt, Tfhd, Traf, Trun, TrunEntry, TrunSamples};

use super::Muxer;
use super::VideoTrack;
use crate::error::RecorderError;

/// The audio track's id (the first track, as in the WebM this recorder writes).
const AUDIO_TRACK: u32 = 1;
/// Video timescale: the recorder's block times are whole milliseconds.
pub(crate) const VIDEO_TIMESCALE: u32 = 1000;
/// Opus is timed in 48 kHz samples whatever the input rate.
pub(crate) const AUDIO_TIMESCALE: u32 = 48_000;

/// `sample_flags` of a sync sample (depends on no other: 2 in `sample_depends_on`).
pub(crate) const SYNC_SAMPLE: u32 = 0x0200_0000;
/// `sample_flags` of a frame that depends on others and is not a sync sample.
pub(crate) const NON_SYNC_SAMPLE: u32 = 0x0101_0000;

pub(crate) fn enc_err(e: impl std::error::Error + Send + Sync + 'static) -> RecorderError {
    RecorderError::encoder("MP4 writer", e)
}

/// One buffered sample of the fragment being gathered.
struct Sample {
    data: Vec<u8>,
    duration: u32,
    flags: u32,
}

/// A track's samples since the last fragment.
struct Pending {
    track_id: u32,
    /// Decode time of the first buffered sample (the track's timescale).
    base: u64,
    /// Decode time of the last buffered sample.
    last: u64,
    samples: Vec<Sample>,
}

impl Pending {
    fn new(track_id: u32) -> Pending {
        Pending { track_id, base: 0, last: 0, samples: Vec::new() }
    }

    /// Adds a sample decoded at `time`; the one before it lasts until then.
    fn push(&mut self, data: Vec<u8>, time: u64, duration: u32, flags: u32) {
        match self.samples.last_mut() {
            Some(previous) => previous.duration = u32::try_from(time.saturating_sub(self.last)).unwrap_or(u32::MAX),
            None => self.base = time,
        }
        self.last = time;
        self.samples.push(Sample { data, duration, flags });
    }
}

/// Streaming fragmented-MP4 writer with an Opus track, a video track, or both.
pub struct Mp4Muxer {
    out: Vec<u8>,
    audio: Option<Pending>,
    video: Option<Pending>,
    /// A video frame's nominal length (ms): the last frame of a fragment lasts this long there
    /// (the next fragment's decode time corrects it; the saved file uses the true gap).
    frame_ms: u32,
    sequence: u32,
}

impl Mp4Muxer {
    /// A stream with an Opus track (`(channels, pre_skip)`) and/or a video track: writes the
    /// init segment.
    ///
    /// # Errors
    /// `Encoding` when no track is given, the video codec has no MP4 mapping here, or a box
    /// cannot be written.
    pub fn with_tracks(audio: Option<(u16, u16)>, video: Option<VideoTrack>) -> Result<Mp4Muxer, RecorderError> {
        if audio.is_none() && video.is_none() {
            return Err(RecorderError::Encoding("MP4 writer: a stream needs a track".into()));
        }
        let video_id = if audio.is_some() { AUDIO_TRACK + 1 } else { 1 };
        let frame_ms = video.as_ref().map_or(33, |v| (1000 + v.frame_rate / 2) / v.frame_rate.max(1)).max(1);
        let mut out = Vec::new();
        boxes::ftyp(video.as_ref(), true).encode(&mut out).map_err(enc_err)?;
        boxes::init_moov(audio.map(|a| (AUDIO_TRACK, a)), video.as_ref().map(|v| (video_id, v)))?
            .encode(&mut out)
            .map_err(enc_err)?;
        Ok(Mp4Muxer {
            out,
            audio: audio.map(|_| Pending::new(AUDIO_TRACK)),
            video: video.map(|_| Pending::new(video_id)),
            frame_ms,
            sequence: 0,
        })
    }

    /// Writes what is buffered as one fragment (`moof` + `mdat`), if anything is.
    fn flush(&mut self) -> Result<(), RecorderError> {
        let tracks: Vec<&mut Pending> = [self.audio.as_mut(), self.video.as_mut()]
            .into_iter()
            .flatten()
            .filter(|t| !t.samples.is_empty())
            .collect();
        if tracks.is_empty() {
            return Ok(());
        }
        self.sequence += 1;
        let mut moof = Moof { mfhd: Mfhd { sequence_number: self.sequence }, traf: Vec::new() };
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        for track in tracks {
            offsets.push(data.len());
            let entries = track
                .samples
                .iter()
                .map(|s| TrunEntry {
                    duration: Some(s.duration),
                    size: Some(u32::try_from(s.data.len()).unwrap_or(u32::MAX)),
                    flags: Some(s.flags),
                    cts: None,
                })
                .collect();
            for s in track.samples.drain(..) {
                data.extend_from_slice(&s.data);
            }
            moof.traf.push(Traf {
                tfhd: Tfhd { track_id: track.track_id, default_base_is_moof: true, ..Default::default() },
                tfdt: Some(Tfdt { base_media_decode_time: track.base }),
                trun: vec![Trun { data_offset: Some(0), samples: TrunSamples::Explicit(entries) }],
                ..Default::default()
            });
        }
        // The runs' offsets count from the moof's start: its size first (they do not change it).
        let mut probe = Vec::new();
        moof.encode(&mut probe).map_err(enc_err)?;
        let header = probe.len() + 8;
        for (traf, offset) in moof.traf.iter_mut().zip(offsets) {
            traf.trun[0].data_offset = Some(i32::try_from(header + offset).map_err(enc_err)?);
        }
        moof.encode(&mut self.out).map_err(enc_err)?;
        Mdat { data }.encode(&mut self.out).map_err(enc_err)
    }
}

impl Muxer for Mp4Muxer {
    fn write_audio(&mut self, packet: Vec<u8>, pts_samples: u64, samples: u32) -> Result<(), RecorderError> {
        let track = self.audio.as_mut().ok_or_else(|| RecorderError::Encoding("MP4 writer: no audio track".into()))?;
        track.push(packet, pts_samples, samples, SYNC_SAMPLE);
        Ok(())
    }

    fn write_video(&mut self, frame: &[u8], pts_ms: u64, keyframe: bool) -> Result<(), RecorderError> {
        let frame_ms = self.frame_ms;
        let track = self.video.as_mut().ok_or_else(|| RecorderError::Encoding("MP4 writer: no video track".into()))?;
        if !track.samples.is_empty() && pts_ms <= track.last {
            return Err(RecorderError::Encoding(format!(
                "MP4 writer: a frame at {pts_ms} ms after one at {} ms",
                track.last
            )));
        }
        track.push(frame.to_vec(), pts_ms, frame_ms, if keyframe { SYNC_SAMPLE } else { NON_SYNC_SAMPLE });
        Ok(())
    }

    fn cut(&mut self) -> Result<(), RecorderError> {
        self.flush()
    }

    fn finish(&mut self, _trailing_padding: u32) -> Result<(), RecorderError> {
        self.flush()
    }

    fn take_bytes(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
}
