//! Everything between the tracks and the chunk bytes of one recording: the audio path, the video
//! encoder thread, and the one muxer both write into, in timestamp order.
//!
//! With video, packets wait here until the other track has caught up to them, and nothing at or
//! past the next chunk boundary is written until the chunk before it is cut: the video thread
//! puts a key frame on each boundary, so each chunk starts a cluster at a key frame.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::audio_path::{AudioPacket, AudioPath};
use super::timeline::Timeline;
use super::video_path::{VideoOut, VideoPacket, VideoPath};
use crate::container::Muxer;
use crate::error::RecorderError;
use crate::media::AudioBuffer;

/// When the video track shows nothing new (a frozen camera) audio waits for it this long, in
/// ms of audio, and is then written without it; video that comes later than that is dropped.
const VIDEO_STALL_MS: u64 = 1_000;

/// Video counters for the recorder's stats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct VideoStats {
    pub encoded: u64,
    pub dropped: u64,
    pub width: u32,
    pub height: u32,
    pub description: String,
}

pub(crate) struct MediaPath {
    /// The pause timeline both paths read.
    timeline: Arc<Timeline>,
    audio: Option<AudioPath>,
    video: Option<VideoPath>,
    muxer: Box<dyn Muxer>,
    queued_audio: VecDeque<AudioPacket>,
    queued_video: VecDeque<VideoPacket>,
    audio_done: bool,
    video_done: bool,
    /// Nothing at or after this block time is written until the next cut (`u64::MAX`: no hold).
    hold_ms: u64,
    /// Block time of the newest block written.
    written_ms: u64,
    /// Media written, ms: the end of the last audio packet (pre-skip excluded) or video frame.
    written_end_ms: f64,
    last_video: Option<(u64, u64)>,
    /// Capture time of the newest video frame written.
    written_video_capture_ns: u64,
    /// Video packets that came after the audio had moved on without them.
    late_video: u64,
}

impl MediaPath {
    pub(crate) fn new(
        timeline: Arc<Timeline>,
        audio: Option<AudioPath>,
        video: Option<VideoPath>,
        muxer: Box<dyn Muxer>,
    ) -> MediaPath {
        MediaPath {
            timeline,
            audio_done: audio.is_none(),
            video_done: video.is_none(),
            audio,
            video,
            muxer,
            queued_audio: VecDeque::new(),
            queued_video: VecDeque::new(),
            hold_ms: u64::MAX,
            written_ms: 0,
            written_end_ms: 0.0,
            last_video: None,
            written_video_capture_ns: 0,
            late_video: 0,
        }
    }

    fn has_video(&self) -> bool {
        self.video.is_some()
    }

    /// The encoder thread's packets, for the recorder thread to wait on.
    pub(crate) fn video_packets(&self) -> Option<crossbeam_channel::Receiver<VideoOut>> {
        self.video.as_ref().map(|v| v.packets.clone())
    }

    /// The pause timeline both paths read.
    pub(crate) fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Media captured from `at_ns` on is not recorded. The API marks the stop on the timeline at
    /// the call; this is for a stop that did not come through it (the handle dropped).
    pub(crate) fn stop_at(&self, at_ns: u64) {
        self.timeline.stop_at(at_ns);
    }

    pub(crate) fn push_audio(&mut self, buf: &AudioBuffer) -> Result<(), RecorderError> {
        if let Some(a) = &mut self.audio {
            a.push(buf)?;
            self.queued_audio.extend(a.take_packets());
        }
        self.mux()
    }

    pub(crate) fn push_video(&mut self, out: VideoOut) -> Result<(), RecorderError> {
        match out {
            VideoOut::Packet(p) => self.queued_video.push_back(p),
            VideoOut::Failed(e) => return Err(e),
        }
        self.mux()
    }

    pub(crate) fn audio_ended(&mut self) -> Result<(), RecorderError> {
        self.audio_done = true;
        self.mux()
    }

    pub(crate) fn video_ended(&mut self) -> Result<(), RecorderError> {
        self.video_done = true;
        self.mux()
    }

    /// Every track has ended.
    pub(crate) fn all_ended(&self) -> bool {
        self.audio_done && self.video_done
    }

    /// Media ready to be cut into a chunk, ms. Audio only: what was recorded. With video: how far
    /// every live track has got (what lies before it is written or can be).
    pub(crate) fn media_ms(&self) -> f64 {
        if !self.has_video() {
            return self.audio.as_ref().map_or(0.0, AudioPath::media_ms);
        }
        let audio_at = self.queued_audio.front().map(AudioPacket::pts_ms);
        let video_at = self.queued_video.front().map(|p| p.pts_ms);
        let frontier = |at: Option<u64>, done: bool| match at {
            Some(at) => at,
            None if done => u64::MAX,
            None => self.written_ms,
        };
        let mut reached = frontier(audio_at, self.audio_done).min(frontier(video_at, self.video_done));
        if self.video_stalled() {
            reached = frontier(audio_at, self.audio_done);
        }
        if reached == u64::MAX {
            return self.written_end_ms;
        }
        reached as f64
    }

    /// Audio has waited for video for longer than [`VIDEO_STALL_MS`].
    fn video_stalled(&self) -> bool {
        match (self.queued_audio.front(), self.queued_audio.back()) {
            (Some(first), Some(last)) if self.queued_video.is_empty() && !self.video_done => {
                last.pts_ms() >= first.pts_ms() + VIDEO_STALL_MS
            }
            _ => false,
        }
    }

    /// Writes what is due, in timestamp order, up to the hold.
    fn mux(&mut self) -> Result<(), RecorderError> {
        loop {
            let audio_at = self.queued_audio.front().map(AudioPacket::pts_ms);
            let video_at = self.queued_video.front().map(|p| p.pts_ms);
            let take_video = match (audio_at, video_at) {
                // Video first on a tie: its key frame opens the cluster the audio goes into.
                (Some(a), Some(v)) => v <= a,
                (Some(_), None) if self.video_done || self.video_stalled() => false,
                (None, Some(_)) if self.audio_done => true,
                _ => return Ok(()),
            };
            let at = if take_video { video_at } else { audio_at }.unwrap_or(0);
            if at >= self.hold_ms {
                return Ok(());
            }
            if take_video {
                let p = self.queued_video.pop_front().expect("a queued video packet");
                self.write_video(p)?;
            } else {
                let p = self.queued_audio.pop_front().expect("a queued audio packet");
                self.write_audio(p)?;
            }
        }
    }

    fn write_audio(&mut self, p: AudioPacket) -> Result<(), RecorderError> {
        let pre_skip = self.audio.as_ref().map_or(0, AudioPath::pre_skip);
        self.written_ms = self.written_ms.max(p.pts_ms());
        let end = (p.pts_samples + u64::from(p.samples)).saturating_sub(u64::from(pre_skip));
        self.written_end_ms = self.written_end_ms.max(end as f64 / 48.0);
        self.muxer.write_audio(p.data, p.pts_samples, p.samples)
    }

    fn write_video(&mut self, p: VideoPacket) -> Result<(), RecorderError> {
        if p.pts_ms < self.written_ms && self.written_ms > 0 {
            // The audio went on without it (a stalled video track); a block cannot go back.
            self.late_video += 1;
            return Ok(());
        }
        let interval = self.last_video.map_or(33, |(pts, _)| p.pts_ms.saturating_sub(pts).max(1));
        self.last_video = Some((p.pts_ms, interval));
        self.written_ms = p.pts_ms;
        self.written_end_ms = self.written_end_ms.max((p.pts_ms + interval) as f64);
        self.written_video_capture_ns = p.capture_ns;
        self.muxer.write_video(&p.data, p.pts_ms, p.keyframe)
    }

    /// Nothing at or after `ms` is written until the next cut.
    pub(crate) fn hold_until(&mut self, ms: f64) -> Result<(), RecorderError> {
        if self.has_video() {
            self.hold_ms = ms.max(0.0) as u64;
        }
        self.mux()
    }

    /// Media already in the container, ms.
    pub(crate) fn encoded_ms(&self) -> f64 {
        match &self.audio {
            Some(a) if !self.has_video() => a.encoded_ms(),
            _ => self.written_end_ms,
        }
    }

    /// Capture time of the end of what the next [`cut`](Self::cut) makes durable.
    pub(crate) fn encoded_capture_end_ns(&self) -> u64 {
        match &self.audio {
            Some(a) if !self.has_video() => a.encoded_capture_end_ns(),
            _ => self.written_video_capture_ns,
        }
    }

    /// Capture time just after the last recorded media.
    pub(crate) fn accepted_capture_end_ns(&self) -> u64 {
        let audio = self.audio.as_ref().map_or(0, AudioPath::accepted_capture_end_ns);
        audio.max(self.written_video_capture_ns)
    }

    /// Capture time up to which every live track's input has been seen.
    pub(crate) fn consumed_until_ns(&self) -> u64 {
        let audio = match &self.audio {
            Some(a) if !self.audio_done => a.consumed_until_ns(),
            _ => u64::MAX,
        };
        let video = match &self.video {
            Some(v) if !self.video_done => v.counters.consumed_ns.load(Ordering::Acquire),
            _ => u64::MAX,
        };
        audio.min(video)
    }

    /// Ends the current page/cluster and returns the bytes since the last cut (the first
    /// call's bytes begin with the container header).
    pub(crate) fn cut(&mut self) -> Result<Vec<u8>, RecorderError> {
        self.muxer.cut()?;
        Ok(self.muxer.take_bytes())
    }

    /// Ends every track after the media captured before `stop_ns`, writes everything left and
    /// ends the stream; returns the last bytes, and the video encoder's failure if it had one
    /// (what it encoded before is in the bytes).
    pub(crate) fn finish(&mut self, stop_ns: u64) -> Result<(Vec<u8>, Option<RecorderError>), RecorderError> {
        let mut failure = None;
        if let Some(v) = &mut self.video {
            for out in v.finish(stop_ns) {
                match out {
                    VideoOut::Packet(p) => self.queued_video.push_back(p),
                    VideoOut::Failed(e) => failure = Some(e),
                }
            }
        }
        let mut padding = 0;
        if let Some(a) = &mut self.audio {
            padding = a.finish()?;
            self.queued_audio.extend(a.take_packets());
        }
        self.audio_done = true;
        self.video_done = true;
        self.hold_ms = u64::MAX;
        self.mux()?;
        self.muxer.finish(padding)?;
        Ok((self.muxer.take_bytes(), failure))
    }

    /// Video counters (zero without video).
    pub(crate) fn video_stats(&self) -> VideoStats {
        self.video.as_ref().map_or_else(VideoStats::default, |v| VideoStats {
            encoded: v.counters.encoded.load(Ordering::Relaxed),
            dropped: v.counters.dropped.load(Ordering::Relaxed) + self.late_video,
            width: v.width,
            height: v.height,
            description: v.description.clone(),
        })
    }

    /// Media recorded so far, ms, for the stats (paused time excluded).
    pub(crate) fn recorded_ms(&self) -> f64 {
        match &self.audio {
            Some(a) => a.media_ms(),
            None => self.written_end_ms,
        }
    }
}
