//! The recorder's video path: one encoder thread per recording. It takes frames from the track
//! through a queue of two (capture never waits for it: a frame that finds the queue full is
//! dropped whole and counted), places each on the media timeline by its capture time (the
//! recording's [`Timeline`]: paused spans cut out), encodes it and hands the packet to the
//! recorder thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::options::KeyFrameInterval;
use super::timeline::Timeline;
use crate::codec::video::{self, VideoEncoder, VideoSettings};
use crate::container::webm::video_block_ms;
use crate::error::RecorderError;
use crate::media::{now_ns, MediaStreamTrack, MissedFrames, VideoFrame};
use crate::mime::VideoCodec;

/// How long `start` waits for a track that has not shown a frame yet (a camera warming up).
const FIRST_FRAME_WAIT: Duration = Duration::from_secs(2);
/// After a stop, how long the thread waits for the frame that shows the source has passed the
/// stop time before it ends anyway (a frozen source).
const STOP_GRACE_NS: u64 = 300_000_000;
/// Packets waiting for the recorder thread: seconds of video; it only waits on an fsync.
const PACKET_QUEUE: usize = 64;
/// The frame rate assumed for a source that does not announce its own.
const NOMINAL_FPS: u32 = 30;

/// One encoded frame on the media timeline.
#[derive(Debug)]
pub(crate) struct VideoPacket {
    pub data: Vec<u8>,
    pub pts_ms: u64,
    pub keyframe: bool,
    /// When the frame was captured, on the engine's clock.
    pub capture_ns: u64,
}

/// What the encoder thread sends the recorder thread.
#[derive(Debug)]
pub(crate) enum VideoOut {
    Packet(VideoPacket),
    /// The encoder failed; the thread has ended.
    Failed(RecorderError),
}

/// Counters the recorder thread reads for its stats.
#[derive(Debug, Default)]
pub(crate) struct VideoCounters {
    /// Frames encoded.
    pub encoded: AtomicU64,
    /// Frames that found the encoder two frames behind (dropped whole), noted by the track.
    pub missed: Arc<MissedFrames>,
    /// Frames dropped within the recording: those of `missed` captured while recording and
    /// before the newest frame encoded (not those after its last frame, while it stops), and
    /// the frames left out for sharing a millisecond with the one before.
    pub dropped: AtomicU64,
    /// Capture time of the newest frame the thread has looked at (`u64::MAX` once it ended).
    pub consumed_ns: AtomicU64,
}

/// The recorder thread's handle on the encoder thread.
pub(crate) struct VideoPath {
    pub packets: Receiver<VideoOut>,
    pub counters: Arc<VideoCounters>,
    pub timeline: Arc<Timeline>,
    /// The size encoded (smaller than the source's when the governor halved it).
    pub width: u32,
    pub height: u32,
    /// The source's frame rate, which rate control plans for.
    pub frame_rate: u32,
    /// Matroska `CodecID` and `CodecPrivate`.
    pub codec_id: &'static str,
    pub codec_private: Option<Vec<u8>>,
    /// What encodes, in words (codec, size, settings chosen).
    pub description: String,
    thread: Option<JoinHandle<()>>,
}

impl VideoPath {
    /// Sets up the encoder for the track's current frame size and starts the thread, with key
    /// frames where `key_frames` puts them.
    ///
    /// # Errors
    /// `NotSupported` when the track shows no frame within 2 s or its size is not encodable;
    /// `Encoding` when the encoder cannot start.
    pub(crate) fn start(
        track: &MediaStreamTrack,
        codec: VideoCodec,
        bits_per_second: u32,
        timeline: Arc<Timeline>,
        key_frames: KeyFrames,
        leads_us: Vec<u64>,
    ) -> Result<VideoPath, RecorderError> {
        // A source that ended before its first frame says why (a display that failed, a
        // window closed); one that is merely silent, that it shows nothing.
        let no_picture = || match track.end_reason() {
            Some(reason) => {
                RecorderError::NotSupported(format!("the video track \"{}\" ended: {reason}", track.label()))
            }
            None => RecorderError::NotSupported(format!("the video track \"{}\" shows no picture", track.label())),
        };
        let shown = match track.last_frame() {
            Some(frame) => frame,
            None => track.subscribe_video().recv_timeout(FIRST_FRAME_WAIT).map_err(|_| no_picture())?,
        };
        let frame_rate = track.frame_rate().unwrap_or(NOMINAL_FPS).max(1);
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get().min(8) as u32);
        let settings =
            VideoSettings { width: shown.width, height: shown.height, fps: frame_rate, bits_per_second, cpus };
        let encoder = video::open(codec, &settings)?;
        let (width, height) = encoder.size();
        let (codec_id, codec_private, description) =
            (encoder.webm_codec_id(), encoder.codec_private(), encoder.description());
        let counters = Arc::new(VideoCounters::default());
        // Subscribed before the current frame is taken (after the encoder is set up, which
        // may take a moment), so no frame falls between the two.
        let frames = track.subscribe_video_noting(Arc::clone(&counters.missed));
        let first = track.last_frame().ok_or_else(no_picture)?;
        let source_size = (shown.width, shown.height);
        let (tx, packets) = crossbeam_channel::bounded(PACKET_QUEUE);
        let thread_counters = Arc::clone(&counters);
        let thread_timeline = Arc::clone(&timeline);
        let thread = std::thread::Builder::new()
            .name("video-encoder".into())
            .spawn(move || {
                let mut enc = Encoding {
                    encoder,
                    source_size,
                    timeline: thread_timeline,
                    counters: thread_counters,
                    tx,
                    key_frames,
                    next_key_ms: 0,
                    last_key: None,
                    frame_rate,
                    leads_us,
                    dropped: 0,
                    last_pts_ms: None,
                    last_capture_ns: 0,
                };
                enc.run(first, &frames);
            })
            .map_err(|e| RecorderError::os("cannot start the video encoder thread", e))?;
        Ok(VideoPath {
            packets,
            counters,
            timeline,
            width,
            height,
            frame_rate,
            codec_id,
            codec_private,
            description,
            thread: Some(thread),
        })
    }

    /// Ends the thread after the frames captured before `stop_ns`, and returns what it sent
    /// that the recorder thread has not taken yet.
    pub(crate) fn finish(&mut self, stop_ns: u64) -> Vec<VideoOut> {
        self.timeline.stop_at(stop_ns);
        // Drained until the thread drops its sender: it can never block on a full queue.
        let rest: Vec<VideoOut> = self.packets.iter().collect();
        if let Some(thread) = self.thread.take() {
            // A panic there already closed the channel; the packets sent before it are kept.
            let _joined = thread.join();
        }
        rest
    }
}

impl Drop for VideoPath {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _rest = self.finish(0);
        }
    }
}

/// Where key frames go: one opens each chunk (so each one decodes on its own), and the options'
/// interval asks for more between them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct KeyFrames {
    /// The chunk period, ms of media.
    pub chunk_ms: u64,
    pub interval: Option<KeyFrameInterval>,
}

/// The encoder thread's state.
struct Encoding {
    encoder: Box<dyn VideoEncoder>,
    /// The size of the frames the source delivers.
    source_size: (u32, u32),
    timeline: Arc<Timeline>,
    counters: Arc<VideoCounters>,
    tx: Sender<VideoOut>,
    key_frames: KeyFrames,
    /// The last key frame asked for: its block time, and frames encoded since.
    last_key: Option<(u64, u32)>,
    next_key_ms: u64,
    /// The source's frame rate (written as the track's default duration); a frame's length at
    /// it is the first frame's, before there is a previous one.
    frame_rate: u32,
    /// How long before media time 0 the file's timelines start (see `video_block_ms`).
    leads_us: Vec<u64>,
    /// Frames dropped within the recording so far (see [`VideoCounters::dropped`]).
    dropped: u64,
    last_pts_ms: Option<u64>,
    last_capture_ns: u64,
}

impl Encoding {
    fn run(&mut self, first: VideoFrame, frames: &Receiver<VideoFrame>) {
        // The picture on show when the recording starts opens it at time 0: the newest frame
        // captured before media time 0, which is set after this thread starts. A frame that
        // arrives in between takes the opening's place (it would otherwise be lost, uncounted).
        let mut opening = Some(first);
        loop {
            let frame = match frames.recv_timeout(Duration::from_millis(50)) {
                Ok(frame) => frame,
                Err(RecvTimeoutError::Timeout) => {
                    if now_ns() > self.timeline.stop_ns().saturating_add(STOP_GRACE_NS) {
                        break;
                    }
                    // A source that sends only what changes (a still screen) opens with what
                    // it shows once the recording has started.
                    if let Some(shown) = opening.take_if(|_| self.timeline.has_started_by(now_ns())) {
                        if let Err(e) = self.open_with(&shown) {
                            return self.fail(e);
                        }
                    }
                    continue;
                }
                // The track ended.
                Err(RecvTimeoutError::Disconnected) => break,
            };
            self.counters.consumed_ns.store(frame.pts_ns, Ordering::Release);
            if frame.pts_ns >= self.timeline.stop_ns() {
                break;
            }
            if let Some(shown) = opening.take() {
                if frame.pts_ns <= shown.pts_ns {
                    // The opening picture again (sent as it was taken).
                    opening = Some(shown);
                    continue;
                }
                if !self.timeline.has_started_by(frame.pts_ns) {
                    opening = Some(frame);
                    continue;
                }
                if let Err(e) = self.open_with(&shown) {
                    return self.fail(e);
                }
            }
            // The frames missed before this one: drops if they were captured while recording.
            let missed = self.counters.missed.take_before(frame.pts_ns);
            self.dropped += missed.iter().filter(|&&t| self.timeline.media_ns(t).is_some()).count() as u64;
            if frame.pts_ns <= self.last_capture_ns {
                continue;
            }
            let Some(media_ns) = self.timeline.media_ns(frame.pts_ns) else { continue };
            let pts_ms = video_block_ms(media_ns, self.frame_rate, &self.leads_us);
            if self.last_pts_ms.is_some_and(|last| pts_ms <= last) {
                // Two frames within one millisecond (the picture on show at the start and the
                // first one captured after it): block timestamps cannot tell them apart, so the
                // second is dropped, and counted like any other drop.
                self.dropped += 1;
                continue;
            }
            if let Err(e) = self.encode(&frame, pts_ms) {
                return self.fail(e);
            }
            self.last_capture_ns = frame.pts_ns;
        }
        // Stopped before a frame came after the start: the recording is the opening picture.
        if let Some(shown) = opening.filter(|_| self.timeline.has_started_by(now_ns())) {
            if let Err(e) = self.open_with(&shown) {
                return self.fail(e);
            }
        }
        match self.encoder.flush() {
            Ok(rest) => {
                for p in rest {
                    self.send(p.data, p.pts_ms, p.keyframe, self.last_capture_ns);
                }
            }
            Err(e) => self.fail(e),
        }
        self.counters.consumed_ns.store(u64::MAX, Ordering::Release);
    }

    /// Encodes the opening picture at time 0.
    fn open_with(&mut self, shown: &VideoFrame) -> Result<(), RecorderError> {
        self.encode(shown, 0)?;
        self.last_capture_ns = shown.pts_ns;
        Ok(())
    }

    fn encode(&mut self, frame: &VideoFrame, pts_ms: u64) -> Result<(), RecorderError> {
        let (w, h) = self.source_size;
        if (frame.width, frame.height) != (w, h) {
            return Err(RecorderError::Encoding(format!(
                "the video size changed from {w}×{h} to {}×{} while recording",
                frame.width, frame.height
            )));
        }
        let chunk_ms = self.key_frames.chunk_ms.max(1);
        let due = match (self.key_frames.interval, self.last_key) {
            (_, None) => true,
            (None, _) => false,
            // The frame nearest the interval: within half a frame of it.
            (Some(KeyFrameInterval::Duration(ms)), Some((at, _))) => {
                (pts_ms - at) as f64 >= ms - 500.0 / f64::from(self.frame_rate)
            }
            (Some(KeyFrameInterval::Count(n)), Some((_, since))) => since >= n,
        };
        // A chunk's key frame comes with the next frame: the interval's waits for it (one frame
        // late at most) rather than putting two key frames a frame apart.
        let chunk_next = (self.next_key_ms.saturating_sub(pts_ms) as f64) <= 1000.0 / f64::from(self.frame_rate);
        let keyframe = pts_ms >= self.next_key_ms || (due && (self.last_key.is_none() || !chunk_next));
        if keyframe {
            self.next_key_ms = (pts_ms / chunk_ms + 1) * chunk_ms;
            self.last_key = Some((pts_ms, 0));
        }
        let duration =
            self.last_pts_ms.map_or(1000 / self.frame_rate, |last| u32::try_from(pts_ms - last).unwrap_or(u32::MAX));
        let pts = i64::try_from(pts_ms).unwrap_or(i64::MAX);
        for p in self.encoder.encode(frame, pts, duration, keyframe)? {
            self.send(p.data, p.pts_ms, p.keyframe, frame.pts_ns);
        }
        self.last_pts_ms = Some(pts_ms);
        if let Some((_, since)) = &mut self.last_key {
            *since += 1;
        }
        self.counters.encoded.fetch_add(1, Ordering::Relaxed);
        self.counters.dropped.store(self.dropped, Ordering::Relaxed);
        Ok(())
    }

    fn send(&self, data: Vec<u8>, pts_ms: i64, keyframe: bool, capture_ns: u64) {
        let pts_ms = u64::try_from(pts_ms).unwrap_or(0);
        // Fails only when the recorder thread has gone: nobody left to write it.
        let _sent = self.tx.send(VideoOut::Packet(VideoPacket { data, pts_ms, keyframe, capture_ns }));
    }

    fn fail(&self, e: RecorderError) {
        let _sent = self.tx.send(VideoOut::Failed(e));
        self.counters.consumed_ns.store(u64::MAX, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{TrackKind, TrackSource};

    const MS: u64 = 1_000_000;

    fn frame(pts_ns: u64) -> VideoFrame {
        VideoFrame { pts_ns, width: 160, height: 120, data: vec![128u8; VideoFrame::i420_len(160, 120)].into() }
    }

    #[test]
    fn the_newest_frame_before_media_time_0_opens_the_recording() {
        let source = TrackSource::new();
        let track = MediaStreamTrack::new(
            TrackKind::Video,
            "frames".into(),
            "test:frames".into(),
            0,
            Some(30),
            Arc::clone(&source),
            std::thread::Builder::new().name("source:frames".into()).spawn(|| {}).unwrap(),
        );
        let t0 = now_ns();
        source.deliver_video(frame(t0));
        let timeline = Timeline::new();
        let key_frames = KeyFrames { chunk_ms: 1000, interval: None };
        let mut path =
            VideoPath::start(&track, VideoCodec::Vp8, 500_000, Arc::clone(&timeline), key_frames, vec![0]).unwrap();
        // Captured after the encoder was set up and before the recording's origin (a busy
        // machine between the two): it, not the frame before, is what shows at time 0.
        source.deliver_video(frame(t0 + 33 * MS));
        std::thread::sleep(Duration::from_millis(30));
        timeline.start_at(t0 + 50 * MS);
        source.deliver_video(frame(t0 + 66 * MS));
        std::thread::sleep(Duration::from_millis(30));
        timeline.stop_at(t0 + 90 * MS);
        source.deliver_video(frame(t0 + 100 * MS));
        let out = path.finish(t0 + 90 * MS);
        let captured: Vec<u64> = out
            .iter()
            .map(|o| match o {
                VideoOut::Packet(p) => (p.capture_ns - t0) / MS,
                VideoOut::Failed(e) => panic!("{e}"),
            })
            .collect();
        assert_eq!(captured, [33, 66]);
        assert_eq!(path.counters.dropped.load(Ordering::Relaxed), 0);
        track.stop();
    }
}
