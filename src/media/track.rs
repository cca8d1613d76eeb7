//! `MediaStreamTrack`: a cheap handle on one live source that fans its buffers out to subscribers.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TrySendError};

use super::VideoFrame;

/// A block of 48 kHz interleaved f32 audio with the capture time of its first sample.
#[derive(Debug, Clone)]
pub struct AudioBuffer {
    /// Capture time of the first frame, on [`now_ns`](crate::media::now_ns)'s clock.
    pub pts_ns: u64,
    /// Interleaved channel count (1 or 2).
    pub channels: u16,
    /// Interleaved samples in [-1, 1].
    pub samples: Arc<[f32]>,
}

impl AudioBuffer {
    /// Number of frames (samples per channel).
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.channels.max(1))
    }
}

/// `"audio"` or `"video"`, as the web's `MediaStreamTrack.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackKind {
    /// A microphone or test tone.
    Audio,
    /// A camera, screen or canvas.
    Video,
}

impl fmt::Display for TrackKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrackKind::Audio => "audio",
            TrackKind::Video => "video",
        })
    }
}

/// The web's `MediaStreamTrackState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaStreamTrackState {
    /// The source is producing media.
    Live,
    /// Stopped by [`MediaStreamTrack::stop`] or by the source (device gone).
    Ended,
}

/// Buffers queued per subscriber: 10 ms buffers, so ~2 s. When full the buffer is dropped and
/// counted (the subscriber is stalled for seconds; blocking the source would stall every other one).
const SUBSCRIBER_QUEUE: usize = 200;
/// Video frames queued per subscriber: a subscriber more than two frames behind loses the
/// newest frame (counted) rather than holding capture up or growing a queue of raw frames.
const VIDEO_SUBSCRIBER_QUEUE: usize = 2;

/// What a running source shares with its track handles. The source thread owns one `Arc` of it.
#[derive(Default)]
pub struct TrackSource {
    ended: AtomicBool,
    enabled: AtomicBool,
    subscribers: Mutex<Vec<Sender<AudioBuffer>>>,
    /// Each video subscriber, with where the frames it missed are noted (if it asked).
    video_subscribers: Mutex<Vec<VideoSubscriber>>,
    /// The newest frame: what the source shows now (a recorder's first frame).
    last_frame: Mutex<Option<VideoFrame>>,
    dropped_buffers: AtomicU64,
    dropped_frames: AtomicU64,
    skipped_frames: AtomicU64,
    overrun_frames: AtomicU64,
    end_reason: Mutex<Option<String>>,
}

impl TrackSource {
    /// A live, enabled source with no subscribers.
    pub fn new() -> Arc<TrackSource> {
        let s = TrackSource::default();
        s.enabled.store(true, Ordering::Relaxed);
        Arc::new(s)
    }

    /// `true` once the track was stopped: the source thread checks this and exits.
    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Sends one buffer to every subscriber (never blocks). A disabled track delivers silence,
    /// as the spec asks of muted tracks.
    pub fn deliver(&self, mut buffer: AudioBuffer) {
        if !self.enabled.load(Ordering::Relaxed) {
            buffer.samples = vec![0.0; buffer.samples.len()].into();
        }
        let mut subs = self.subscribers.lock().unwrap_or_else(PoisonError::into_inner);
        subs.retain(|tx| match tx.try_send(buffer.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.dropped_buffers.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        });
    }

    /// Sends one video frame to every subscriber (never blocks); a full subscriber misses it,
    /// counted in [`MediaStreamTrack::dropped_frames`].
    pub fn deliver_video(&self, frame: VideoFrame) {
        // Kept as the newest before anyone receives it: a subscriber that got a frame then
        // finds `last_frame` set (a recorder starting takes its first frame from there).
        // Frames share their pixels (`Arc`): keeping the newest costs no copy.
        *self.last_frame.lock().unwrap_or_else(PoisonError::into_inner) = Some(frame.clone());
        let mut subs = self.video_subscribers.lock().unwrap_or_else(PoisonError::into_inner);
        subs.retain(|(tx, missed)| match tx.try_send(frame.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                if let Some(missed) = missed {
                    missed.note(frame.pts_ns);
                }
                self.dropped_frames.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        });
    }

    /// For sources faster than real time (soak tests): `true` when someone is listening and
    /// every subscriber's queue is at most half full, so the source can pace itself on them.
    pub fn ready_for_more(&self) -> bool {
        let subs = self.subscribers.lock().unwrap_or_else(PoisonError::into_inner);
        !subs.is_empty() && subs.iter().all(|tx| tx.len() <= SUBSCRIBER_QUEUE / 2)
    }

    /// As [`ready_for_more`](Self::ready_for_more), for video: someone is listening and every
    /// subscriber has taken the last frame (their queues hold two).
    pub fn ready_for_more_video(&self) -> bool {
        let subs = self.video_subscribers.lock().unwrap_or_else(PoisonError::into_inner);
        !subs.is_empty() && subs.iter().all(|(tx, _)| tx.is_empty())
    }

    /// Counts video frames the source could not make in time (its thread was starved).
    pub fn add_skipped(&self, frames: u64) {
        self.skipped_frames.fetch_add(frames, Ordering::Relaxed);
    }

    /// Counts frames the device produced that the capture ring had no room for.
    pub fn add_overrun(&self, frames: u64) {
        self.overrun_frames.fetch_add(frames, Ordering::Relaxed);
    }

    /// Ends the track from the source side (device lost, stream error): subscribers see the
    /// channel close, and `end_reason` says why.
    pub fn end(&self, reason: Option<String>) {
        if let Some(reason) = reason {
            let mut slot = self.end_reason.lock().unwrap_or_else(PoisonError::into_inner);
            slot.get_or_insert(reason);
        }
        self.ended.store(true, Ordering::Release);
        // Dropping the senders is the end-of-stream signal.
        self.subscribers.lock().unwrap_or_else(PoisonError::into_inner).clear();
        self.video_subscribers.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

/// A video subscriber's queue, and where its misses are noted (if it asked).
type VideoSubscriber = (Sender<VideoFrame>, Option<Arc<MissedFrames>>);

/// The capture times of the frames a subscriber missed, so it can tell which of them fell
/// within what it made of the rest (a recording counts only the drops between its frames).
#[derive(Debug, Default)]
pub struct MissedFrames(Mutex<Vec<u64>>);

impl MissedFrames {
    fn note(&self, pts_ns: u64) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(pts_ns);
    }

    /// Takes the capture times of the frames missed before `pts_ns`; later ones stay.
    pub fn take_before(&self, pts_ns: u64) -> Vec<u64> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extract_if(.., |t| *t < pts_ns).collect()
    }
}

struct TrackInner {
    id: String,
    kind: TrackKind,
    label: String,
    device_id: String,
    channels: u16,
    frame_rate: Option<u32>,
    source: Arc<TrackSource>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// What the desktop returned to share the same screen again without asking.
    restore_token: Mutex<Option<String>>,
    /// The audio processing applied (the constraints `getSettings()` reports).
    processing: Mutex<crate::devices::AudioProcessing>,
}

impl Drop for TrackInner {
    // Last handle gone: stop the source and wait for its thread, so no device stays open.
    fn drop(&mut self) {
        self.source.end(None);
        let handle = self.thread.get_mut().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(handle) = handle {
            // A panicking source thread has already ended the track; nothing more to do here.
            let _joined = handle.join();
        }
    }
}

/// One source of media (a microphone, the test tone…): a cheap, cloneable handle.
///
/// Clones share the source; [`stop`](Self::stop) ends it for all of them.
#[derive(Clone)]
pub struct MediaStreamTrack {
    inner: Arc<TrackInner>,
}

impl fmt::Debug for MediaStreamTrack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaStreamTrack")
            .field("id", &self.inner.id)
            .field("kind", &self.inner.kind)
            .field("label", &self.inner.label)
            .field("ready_state", &self.ready_state())
            .finish()
    }
}

impl PartialEq for MediaStreamTrack {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl MediaStreamTrack {
    /// Wraps a running source. `thread` is the source's owner thread, joined when the last
    /// handle is dropped.
    pub(crate) fn new(
        kind: TrackKind,
        label: String,
        device_id: String,
        channels: u16,
        frame_rate: Option<u32>,
        source: Arc<TrackSource>,
        thread: JoinHandle<()>,
    ) -> MediaStreamTrack {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = format!("{kind}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        MediaStreamTrack {
            inner: Arc::new(TrackInner {
                id,
                kind,
                label,
                device_id,
                channels,
                frame_rate,
                source,
                thread: Mutex::new(Some(thread)),
                restore_token: Mutex::new(None),
                processing: Mutex::new(crate::devices::AudioProcessing::default()),
            }),
        }
    }

    /// A unique id for this track.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// Audio or video.
    pub fn kind(&self) -> TrackKind {
        self.inner.kind
    }

    /// The device's human label, e.g. "Virtual Mic B (880 Hz)".
    pub fn label(&self) -> &str {
        &self.inner.label
    }

    /// The device id it was opened from (as `enumerate_devices` lists it).
    pub fn device_id(&self) -> &str {
        &self.inner.device_id
    }

    /// Audio channels delivered (1 or 2); 0 for video.
    pub fn channels(&self) -> u16 {
        self.inner.channels
    }

    /// Frames per second a video source delivers (`getSettings().frameRate`): the rate asked
    /// of a test video or the screen, the one a camera agreed to; `None` for audio.
    pub fn frame_rate(&self) -> Option<u32> {
        self.inner.frame_rate
    }

    /// For a screen shared through the desktop's portal: the token that shares the same screen
    /// again without asking ([`DisplayMediaOptions::restore_token`](crate::DisplayMediaOptions)),
    /// valid until the user revokes it. `None` for other tracks, or when the desktop keeps none.
    pub fn restore_token(&self) -> Option<String> {
        self.inner.restore_token.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The audio processing applied to this track (`getSettings()`'s `noiseSuppression` and
    /// `autoGainControl`): all off for a track as captured.
    pub fn processing(&self) -> crate::devices::AudioProcessing {
        *self.inner.processing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_processing(&self, processing: crate::devices::AudioProcessing) {
        *self.inner.processing.lock().unwrap_or_else(PoisonError::into_inner) = processing;
    }

    pub(crate) fn set_restore_token(&self, token: Option<String>) {
        *self.inner.restore_token.lock().unwrap_or_else(PoisonError::into_inner) = token;
    }

    /// Ends the track: the device is released, recorders see it end.
    pub fn stop(&self) {
        self.inner.source.end(None);
    }

    /// `Live` or `Ended`.
    pub fn ready_state(&self) -> MediaStreamTrackState {
        if self.inner.source.is_ended() {
            MediaStreamTrackState::Ended
        } else {
            MediaStreamTrackState::Live
        }
    }

    /// Whether media flows; a disabled track is recorded as silence.
    pub fn enabled(&self) -> bool {
        self.inner.source.enabled.load(Ordering::Relaxed)
    }

    /// Enables or disables (mutes) the track.
    pub fn set_enabled(&self, enabled: bool) {
        self.inner.source.enabled.store(enabled, Ordering::Relaxed);
    }

    /// Why the source ended on its own (device lost, stream error), if it did.
    pub fn end_reason(&self) -> Option<String> {
        self.inner.source.end_reason.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Audio buffers dropped because a subscriber fell more than ~2 s behind.
    pub fn dropped_buffers(&self) -> u64 {
        self.inner.source.dropped_buffers.load(Ordering::Relaxed)
    }

    /// Video frames a subscriber missed because it was more than two frames behind.
    pub fn dropped_frames(&self) -> u64 {
        self.inner.source.dropped_frames.load(Ordering::Relaxed)
    }

    /// Video frames the source itself skipped (it could not make them on time).
    pub fn skipped_frames(&self) -> u64 {
        self.inner.source.skipped_frames.load(Ordering::Relaxed)
    }

    /// Frames lost in the capture ring (the device delivered faster than we drained).
    pub fn overrun_frames(&self) -> u64 {
        self.inner.source.overrun_frames.load(Ordering::Relaxed)
    }

    /// A new receiver of this track's audio. It disconnects when the track ends.
    pub fn subscribe_audio(&self) -> Receiver<AudioBuffer> {
        let (tx, rx) = crossbeam_channel::bounded(SUBSCRIBER_QUEUE);
        let mut subs = self.inner.source.subscribers.lock().unwrap_or_else(PoisonError::into_inner);
        // Checked under the lock `end` clears: a track never gains a subscriber after ending.
        if !self.inner.source.is_ended() && self.inner.kind == TrackKind::Audio {
            subs.push(tx);
        }
        rx
    }

    /// A new receiver of this track's video frames (queue of two). It disconnects when the
    /// track ends.
    pub fn subscribe_video(&self) -> Receiver<VideoFrame> {
        self.subscribe_video_with(None)
    }

    /// As [`subscribe_video`](Self::subscribe_video), and `missed` notes the frames this
    /// subscriber missed because it was two frames behind.
    pub fn subscribe_video_noting(&self, missed: Arc<MissedFrames>) -> Receiver<VideoFrame> {
        self.subscribe_video_with(Some(missed))
    }

    fn subscribe_video_with(&self, missed: Option<Arc<MissedFrames>>) -> Receiver<VideoFrame> {
        let (tx, rx) = crossbeam_channel::bounded(VIDEO_SUBSCRIBER_QUEUE);
        let mut subs = self.inner.source.video_subscribers.lock().unwrap_or_else(PoisonError::into_inner);
        if !self.inner.source.is_ended() && self.inner.kind == TrackKind::Video {
            subs.push((tx, missed));
        }
        rx
    }

    /// The newest video frame the source delivered (what it shows now), if any.
    pub fn last_frame(&self) -> Option<VideoFrame> {
        self.inner.source.last_frame.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::MissedFrames;

    #[test]
    fn missed_frames_are_taken_by_capture_time() {
        let missed = MissedFrames::default();
        for t in [30, 10, 20] {
            missed.note(t);
        }
        assert_eq!(missed.take_before(20), [10]);
        assert_eq!(missed.take_before(20), [] as [u64; 0], "taken once");
        assert_eq!(missed.take_before(31), [30, 20]);
    }
}
