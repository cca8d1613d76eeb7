//! The recorder thread: one per recording. It owns the audio path and the session store,
//! applies commands on the capture clock, cuts durable chunks and fires the events.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};

use super::events::{Blob, BlobEvent, RecorderEvent};
use super::media_path::MediaPath;
use super::silence::{Change, DelayLine, SilenceDetector, SilenceOptions};
use super::RecordingState;
use crate::error::RecorderError;
use crate::media::{now_ns, AudioBuffer, MediaStream, MediaStreamTrack};
use crate::store::SessionStore;
use crossbeam_channel::never;

/// Chunks are made durable at least this often, whatever the timeslice.
pub(crate) const MAX_CHUNK_MS: f64 = 1_000.0;
/// The first chunk (the stream's headers and first audio) is made durable this early, so a crash
/// in the first second still leaves a file to recover.
const FIRST_CHUNK_MS: f64 = 100.0;
/// The smallest timeslice honoured: each chunk costs an fsync.
pub(crate) const MIN_TIMESLICE_MS: u32 = 100;
/// How long a stop or request_data waits for the audio captured before it to arrive.
const CATCH_UP: Duration = Duration::from_millis(400);
/// Wake-up period when nothing arrives (track-set checks, catch-up deadlines).
const TICK: Duration = Duration::from_millis(20);

/// Commands from the API, each stamped with the capture-clock time of the call, so that media
/// is cut exactly where the user pressed the button, however late the thread sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Command {
    Pause { at_ns: u64 },
    Resume { at_ns: u64 },
    RequestData { at_ns: u64 },
    Stop { at_ns: u64 },
}

/// Counters a UI or benchmark can read while recording.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecorderStats {
    /// Durable chunk files written.
    pub chunks: u64,
    /// Bytes in them.
    pub bytes: u64,
    /// Media recorded, ms (paused time excluded).
    pub media_ms: f64,
    /// Audio buffers the track dropped because the recorder fell ~2 s behind.
    pub dropped_buffers: u64,
    /// Frames the capture ring overran.
    pub overrun_frames: u64,
    /// Capture-to-durable delay of the last chunk: from the capture of its last sample to the
    /// end of its fsync, ms.
    pub last_durable_delay_ms: f64,
    /// The largest such delay so far, ms.
    pub max_durable_delay_ms: f64,
    /// Video frames encoded.
    pub video_frames: u64,
    /// Video frames dropped whole because the encoder was behind (or came too late to write).
    pub dropped_video_frames: u64,
    /// The recorded video's size (0×0 without video): smaller than the source's when AV1 had
    /// to halve it to keep up.
    pub video_size: (u32, u32),
    /// The video encoder and the settings chosen for it, in words (empty without video).
    pub video_encoder: String,
}

/// State shared between the API handle and the thread.
#[derive(Default)]
pub(crate) struct Shared {
    pub state: Mutex<RecordingState>,
    pub session_dir: Mutex<Option<PathBuf>>,
    pub stats: Mutex<RecorderStats>,
    /// Paused by silence, not by the user: sound resumes it. Changed under `state`'s lock.
    pub silence_paused: AtomicBool,
}

pub(crate) struct WorkerConfig {
    pub stream: MediaStream,
    /// The stream's track-set generation when `start` returned: any change after it is an error.
    pub generation: u64,
    /// The recorded tracks: audio (if any) first.
    pub tracks: Vec<MediaStreamTrack>,
    /// The audio track's buffers (`never()` without audio).
    pub audio: Receiver<AudioBuffer>,
    pub path: MediaPath,
    pub mime_type: String,
    pub extension: &'static str,
    pub timeslice_ms: Option<u32>,
    pub store_root: PathBuf,
    pub pause_on_silence: Option<SilenceOptions>,
}

/// Pausing on silence: the detector, and the audio held back so a resume keeps its pre-roll.
struct Silence {
    detector: SilenceDetector,
    delay: DelayLine,
}

/// Requests and the stop, waiting for the media captured before them.
#[derive(Default)]
struct Pending {
    requests: Vec<(u64, Instant)>,
    stop_at: Option<(u64, Instant)>,
}

struct Worker {
    stream: MediaStream,
    tracks: Vec<MediaStreamTrack>,
    path: MediaPath,
    /// The stop call's capture time: media after it is not recorded.
    stop_ns: u64,
    mime_type: String,
    store: Option<SessionStore>,
    events: Sender<RecorderEvent>,
    shared: Arc<Shared>,
    /// Chunk bytes not yet delivered in a `DataAvailable`.
    undelivered: Vec<u8>,
    /// Bytes whose chunk write failed (disk full): written ahead of the next chunk, so the
    /// stream on disk never has a hole in it.
    unwritten: Vec<u8>,
    /// Media time where `undelivered` starts (the next blob's timecode).
    undelivered_from_ms: f64,
    silence: Option<Silence>,
}

pub(crate) fn run(cfg: WorkerConfig, commands: Receiver<Command>, events: Sender<RecorderEvent>, shared: Arc<Shared>) {
    let generation = cfg.generation;
    let mut w = Worker {
        stream: cfg.stream,
        tracks: cfg.tracks,
        path: cfg.path,
        stop_ns: u64::MAX,
        mime_type: cfg.mime_type,
        store: None,
        events,
        shared,
        undelivered: Vec::new(),
        unwritten: Vec::new(),
        undelivered_from_ms: 0.0,
        silence: cfg
            .pause_on_silence
            .map(|options| Silence { detector: SilenceDetector::new(options), delay: DelayLine::default() }),
    };
    // The session exists before `start` fires, so a listener can ask for its directory then.
    let tracks = w.tracks.iter().map(|t| t.label().to_string()).collect();
    let created = SessionStore::create(&cfg.store_root, &w.mime_type, cfg.extension, tracks);
    if let Ok(store) = &created {
        *w.shared.session_dir.lock().unwrap_or_else(PoisonError::into_inner) = Some(store.dir().to_path_buf());
    }
    w.emit(RecorderEvent::Start);
    match created {
        Ok(store) => w.store = Some(store),
        Err(e) => return w.stop(Some(e)),
    }

    let chunk_ms = chunk_ms(cfg.timeslice_ms);
    let mut next_chunk_ms = chunk_ms.min(FIRST_CHUNK_MS);
    let mut next_event_ms = cfg.timeslice_ms.map(f64::from);
    let mut pending = Pending::default();
    let mut audio = cfg.audio;
    let mut video = w.path.video_packets().unwrap_or_else(never);
    if let Err(e) = w.path.hold_until(next_chunk_ms) {
        return w.stop(Some(e));
    }

    loop {
        select! {
            recv(commands) -> cmd => {
                if let Some(event) = w.command(cmd, &mut pending) {
                    w.emit(event);
                }
            },
            recv(audio) -> buf => {
                let pushed = match buf {
                    Ok(buf) => w.take_audio(buf, &commands, &mut pending),
                    Err(_) => {
                        // Ended: a closed channel is always ready, so stop listening to it.
                        audio = never();
                        w.flush_audio().and_then(|()| w.path.audio_ended())
                    }
                };
                if let Err(e) = pushed {
                    return w.stop(Some(e));
                }
            },
            recv(video) -> out => {
                let pushed = match out {
                    Ok(out) => w.path.push_video(out),
                    Err(_) => {
                        video = never();
                        w.path.video_ended()
                    }
                };
                if let Err(e) = pushed {
                    return w.stop(Some(e));
                }
            },
            default(TICK) => {}
        }

        if w.stream.generation() != generation {
            return w.stop(Some(RecorderError::InvalidModification(
                "a track was added to or removed from the stream".into(),
            )));
        }
        let media_ms = w.path.media_ms();
        // The time recorded, for a timer that runs smoothly (the rest of the counters change
        // with each chunk).
        w.shared.stats.lock().unwrap_or_else(PoisonError::into_inner).media_ms = w.path.recorded_ms();
        if media_ms >= next_chunk_ms {
            // After a burst (a device delivering seconds at once) one cut holds it all: the
            // schedule skips ahead rather than emitting empty chunks to catch up.
            next_chunk_ms = next_boundary(media_ms, chunk_ms);
            if let Err(e) = w.cut_chunk().and_then(|()| w.path.hold_until(next_chunk_ms)) {
                return w.stop(Some(e));
            }
            if let Some(timeslice) = cfg.timeslice_ms.map(f64::from) {
                if next_event_ms.is_some_and(|at| media_ms >= at) {
                    next_event_ms = Some(next_boundary(media_ms, timeslice));
                    w.deliver();
                }
            }
        }
        // Stopping: the audio held back for silence goes in now.
        if pending.stop_at.is_some() {
            if let Err(e) = w.flush_audio() {
                return w.stop(Some(e));
            }
        }
        // A request or stop covers media captured before the call: wait (briefly) for it.
        let received_until_ns = w.received_until_ns();
        let caught_up = |at_ns: u64, since: Instant, path: &MediaPath| {
            path.all_ended() || received_until_ns >= at_ns || since.elapsed() > CATCH_UP
        };
        while let Some(&(at_ns, since)) = pending.requests.first() {
            if !caught_up(at_ns, since, &w.path) {
                break;
            }
            pending.requests.remove(0);
            if let Err(e) = w.cut_chunk() {
                return w.stop(Some(e));
            }
            w.deliver();
        }
        if let Some((at_ns, since)) = pending.stop_at {
            if caught_up(at_ns, since, &w.path) {
                w.stop_ns = at_ns;
                return w.stop(None);
            }
        }
        if w.path.all_ended() {
            // All tracks ended: stop as if stop() was called (the spec's track-ended rule).
            return w.stop(None);
        }
    }
}

/// The period of durable chunks for a timeslice: the timeslice, at most a second.
pub(crate) fn chunk_ms(timeslice_ms: Option<u32>) -> f64 {
    timeslice_ms.map_or(MAX_CHUNK_MS, |t| f64::from(t).min(MAX_CHUNK_MS))
}

/// The first multiple of `period` after `now` (both in ms of media).
fn next_boundary(now: f64, period: f64) -> f64 {
    ((now / period).floor() + 1.0) * period
}

impl Worker {
    /// Applies a command from the API; the event it fires.
    fn command(
        &mut self,
        cmd: Result<Command, crossbeam_channel::RecvError>,
        pending: &mut Pending,
    ) -> Option<RecorderEvent> {
        match cmd {
            // The API gated the timeline at the call, before it returned: both paths read it as
            // their media passes the gate.
            Ok(Command::Pause { .. }) => Some(RecorderEvent::Pause),
            Ok(Command::Resume { .. }) => {
                // The user's resume: silence pauses again only after a whole hang-over.
                if let Some(silence) = &mut self.silence {
                    silence.detector.reset();
                }
                Some(RecorderEvent::Resume)
            }
            Ok(Command::RequestData { at_ns }) => {
                pending.requests.push((at_ns, Instant::now()));
                None
            }
            Ok(Command::Stop { at_ns }) => {
                // Media captured after the call is not recorded, however long the wait for the
                // media captured before it (marked by the API already, unless the handle was
                // dropped).
                self.path.stop_at(at_ns);
                pending.stop_at = Some((at_ns, Instant::now()));
                None
            }
            // The handle is gone (dropped without stop): stop at once.
            Err(_) => {
                pending.stop_at = pending.stop_at.or(Some((0, Instant::now())));
                None
            }
        }
    }

    /// A captured buffer: heard for silence, held back if silence may pause, then recorded.
    fn take_audio(
        &mut self,
        buf: AudioBuffer,
        commands: &Receiver<Command>,
        pending: &mut Pending,
    ) -> Result<(), RecorderError> {
        let Some(silence) = &mut self.silence else { return self.path.push_audio(&buf) };
        let change = silence.detector.push(&buf);
        let due = silence.delay.push(buf);
        if let Some(change) = change {
            self.silence_changed(change, commands, pending);
        }
        due.iter().try_for_each(|b| self.path.push_audio(b))
    }

    /// Pauses or resumes on silence, as the API would, under the recording's state lock.
    fn silence_changed(&mut self, change: Change, commands: &Receiver<Command>, pending: &mut Pending) {
        let shared = Arc::clone(&self.shared);
        let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        // The API sends its commands under this lock: those it sent are all here, and go first,
        // so the events fire in the order of the timeline's gates.
        let mut events: Vec<RecorderEvent> = commands.try_iter().filter_map(|c| self.command(Ok(c), pending)).collect();
        if pending.stop_at.is_none() {
            let timeline = self.path.timeline();
            match change {
                // Now, not when the silence began: video already encoded past it stays in.
                Change::Silent if *state == RecordingState::Recording => {
                    timeline.gate(now_ns(), true);
                    *state = RecordingState::Paused;
                    shared.silence_paused.store(true, Ordering::Relaxed);
                    events.push(RecorderEvent::Pause);
                }
                // In the past, by the pre-roll: the audio is held back for it; video captured
                // since was left out and stays so.
                Change::Sound { resume_at_ns }
                    if *state == RecordingState::Paused && shared.silence_paused.load(Ordering::Relaxed) =>
                {
                    timeline.gate(resume_at_ns.max(self.path.consumed_until_ns()), false);
                    *state = RecordingState::Recording;
                    shared.silence_paused.store(false, Ordering::Relaxed);
                    events.push(RecorderEvent::Resume);
                }
                _ => {}
            }
        }
        drop(state);
        for event in events {
            self.emit(event);
        }
    }

    /// Records the audio held back for silence.
    fn flush_audio(&mut self) -> Result<(), RecorderError> {
        let held = self.silence.as_mut().map(|s| s.delay.drain()).unwrap_or_default();
        held.iter().try_for_each(|b| self.path.push_audio(b))
    }

    /// Capture time up to which the recording has its audio (held back or recorded).
    fn received_until_ns(&self) -> u64 {
        let held = self.silence.as_ref().map_or(0, |s| s.delay.received_until_ns());
        self.path.consumed_until_ns().max(held)
    }

    fn emit(&self, event: RecorderEvent) {
        // Blocks when the consumer is 1024 events behind: dropping an event (above all a
        // DataAvailable) would lose data. Fails only when the handle is gone: nobody to tell.
        let _delivered = self.events.send(event);
    }

    fn set_state(&self, state: RecordingState) {
        *self.shared.state.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }

    fn update_stats(&self, durable_delay_ms: Option<f64>) {
        let mut stats = self.shared.stats.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(store) = &self.store {
            stats.chunks = store.manifest().chunks.len() as u64;
            stats.bytes = store.bytes_written();
        }
        stats.media_ms = self.path.recorded_ms();
        // Audio tracks' counters (a video track has none of these).
        stats.dropped_buffers = self.tracks.iter().map(MediaStreamTrack::dropped_buffers).sum();
        stats.overrun_frames = self.tracks.iter().map(MediaStreamTrack::overrun_frames).sum();
        let video = self.path.video_stats();
        stats.video_frames = video.encoded;
        stats.dropped_video_frames = video.dropped;
        stats.video_size = (video.width, video.height);
        stats.video_encoder = video.description;
        if let Some(d) = durable_delay_ms {
            stats.last_durable_delay_ms = d;
            stats.max_durable_delay_ms = stats.max_durable_delay_ms.max(d);
        }
    }

    /// Makes everything encoded so far durable as the next chunk file.
    fn cut_chunk(&mut self) -> Result<(), RecorderError> {
        let captured_end_ns = self.path.encoded_capture_end_ns();
        let bytes = self.path.cut()?;
        self.persist(bytes, captured_end_ns)
    }

    fn persist(&mut self, bytes: Vec<u8>, captured_end_ns: u64) -> Result<(), RecorderError> {
        if bytes.is_empty() && self.unwritten.is_empty() {
            return Ok(());
        }
        // Kept for the blob whether or not the disk takes it: a full disk must not lose media
        // the consumer can still receive.
        self.undelivered.extend_from_slice(&bytes);
        self.unwritten.extend_from_slice(&bytes);
        if let Some(store) = self.store.as_mut() {
            store.write_chunk(&self.unwritten, self.path.encoded_ms()).map_err(|e| match e {
                // Say what a full disk means for the take: how much of it is safe.
                RecorderError::Io(mut io) if io.is_disk_full() => {
                    io.what = format!(
                        "the disk is full: recording stopped, the first {:.1} s are kept",
                        store.manifest().duration_ms / 1000.0
                    );
                    io.path = Some(store.dir().to_path_buf());
                    RecorderError::Io(io)
                }
                other => other,
            })?;
        }
        self.unwritten.clear();
        let delay_ms = now_ns().saturating_sub(captured_end_ns) as f64 / 1e6;
        self.update_stats(Some(delay_ms));
        Ok(())
    }

    fn deliver(&mut self) {
        let data = Blob::new(std::mem::take(&mut self.undelivered), self.mime_type.clone());
        let timecode = self.undelivered_from_ms;
        self.undelivered_from_ms = self.path.encoded_ms();
        self.emit(RecorderEvent::DataAvailable(BlobEvent { data, timecode }));
    }

    /// The spec's stop sequence: state inactive, [error], last data, stop.
    fn stop(mut self, error: Option<RecorderError>) {
        self.set_state(RecordingState::Inactive);
        let error = error.or_else(|| self.flush_audio().err());
        let mut message = error.as_ref().map(ToString::to_string);
        if let Some(e) = error {
            self.emit(RecorderEvent::Error(e));
        }
        let stop_ns = if self.stop_ns == u64::MAX { now_ns() } else { self.stop_ns };
        let finished = self.path.finish(stop_ns);
        let captured_end_ns = self.path.accepted_capture_end_ns();
        match finished {
            Ok((bytes, failure)) => {
                if let Some(e) = failure.filter(|_| message.is_none()) {
                    message = Some(e.to_string());
                    self.emit(RecorderEvent::Error(e));
                }
                if let Err(e) = self.persist(bytes, captured_end_ns) {
                    // The last chunk could not be stored; its bytes still go out in the blob.
                    if message.is_none() {
                        message = Some(e.to_string());
                        self.emit(RecorderEvent::Error(e));
                    }
                }
            }
            Err(e) => {
                if message.is_none() {
                    message = Some(e.to_string());
                    self.emit(RecorderEvent::Error(e));
                }
            }
        }
        if let Some(mut store) = self.store.take() {
            // The chunks are durable either way; an unwritable manifest is found by recovery.
            let _recorded = store.finish(self.path.encoded_ms(), message);
            // Closed (and unlocked) before Stop: whoever reacts to Stop may open the session.
        }
        self.update_stats(None);
        self.deliver();
        self.emit(RecorderEvent::Stop);
    }
}
