//! `MediaRecorder`: the web's recorder, with its state machine, errors and events.

mod audio_path;
mod events;
mod media_path;
mod options;
mod silence;
mod timeline;
mod video_path;
mod worker;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, TrySendError};

pub use events::{Blob, BlobEvent, RecorderEvent};
pub use options::{BitrateMode, MediaRecorderOptions};
pub use silence::SilenceOptions;
pub use worker::RecorderStats;

use self::audio_path::AudioPath;
use self::media_path::MediaPath;
use self::options::KeyFrameInterval;
use self::timeline::Timeline;
use self::video_path::{KeyFrames, VideoPath};
use self::worker::{Command, Shared, WorkerConfig};
use crate::container::new_av_muxer;
use crate::container::webm::{timeline_lead_ms, VideoTrack};
use crate::error::RecorderError;
use crate::media::{now_ns, MediaStream, MediaStreamTrackState, TrackKind};
use crate::mime::{Container, Format};

/// The web's `RecordingState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordingState {
    /// Not recording (before `start`, after `stop`).
    #[default]
    Inactive,
    /// Gathering media.
    Recording,
    /// Started, but media is not being gathered.
    Paused,
}

/// Events queued for the consumer before the recorder thread waits for it to catch up.
const EVENT_QUEUE: usize = 1024;
/// Commands queued for the recorder thread. Users press buttons; 64 is never reached in use.
const COMMAND_QUEUE: usize = 64;

struct Running {
    commands: Sender<Command>,
    thread: JoinHandle<()>,
    /// The video timeline, gated here at the moment of a pause or resume call.
    timeline: Arc<Timeline>,
}

/// Records a [`MediaStream`] into Ogg or WebM, as the browser's `MediaRecorder` does, and keeps
/// every chunk durable on disk as it goes.
///
/// ```no_run
/// use mediarecorder::{MediaRecorder, MediaRecorderOptions, MediaStream, RecorderEvent};
/// let stream = MediaStream::open(Some("test:tone"), None)?;
/// let recorder = MediaRecorder::new(stream, MediaRecorderOptions::default())?;
/// recorder.start(Some(1000))?;
/// std::thread::sleep(std::time::Duration::from_secs(3));
/// recorder.stop()?;
/// for event in recorder.events().iter() {
///     match event {
///         RecorderEvent::DataAvailable(e) => println!("{} bytes", e.data.size()),
///         RecorderEvent::Stop => break,
///         _ => {}
///     }
/// }
/// # Ok::<(), mediarecorder::RecorderError>(())
/// ```
pub struct MediaRecorder {
    stream: MediaStream,
    requested: Option<Format>,
    audio_bps: u32,
    video_bps: u32,
    bitrate_mode: BitrateMode,
    pause_on_silence: Option<SilenceOptions>,
    /// `Err` when the options ask for both kinds of interval: `start()` says so.
    key_frame_interval: Result<Option<KeyFrameInterval>, String>,
    store_root: Mutex<PathBuf>,
    mime_type: Mutex<String>,
    /// The current (or last) recording's state, session and counters: each recording has its
    /// own, so a previous one still finishing never writes over the next one's.
    current: Mutex<Arc<Shared>>,
    events_tx: Sender<RecorderEvent>,
    events_rx: Receiver<RecorderEvent>,
    running: Mutex<Option<Running>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MediaRecorder {
    /// A recorder for `stream`, in state `Inactive`.
    ///
    /// # Errors
    /// `NotSupported` when `options.mime_type` is non-empty and not supported.
    pub fn new(stream: MediaStream, options: MediaRecorderOptions) -> Result<MediaRecorder, RecorderError> {
        let requested_mime = options.mime_type.clone().unwrap_or_default();
        let requested = Format::parse(&requested_mime).map_err(RecorderError::NotSupported)?;
        let has_video = stream.tracks().iter().any(|t| t.kind() == TrackKind::Video);
        let (audio_bps, video_bps) = options::resolve_bitrates(&options, has_video);
        let (events_tx, events_rx) = crossbeam_channel::bounded(EVENT_QUEUE);
        Ok(MediaRecorder {
            stream,
            requested,
            mime_type: Mutex::new(requested_mime),
            audio_bps,
            video_bps,
            bitrate_mode: options.audio_bitrate_mode,
            pause_on_silence: options.pause_on_silence,
            key_frame_interval: options::key_frame_interval(&options),
            store_root: Mutex::new(crate::store::default_root()),
            current: Mutex::new(Arc::new(Shared::default())),
            events_tx,
            events_rx,
            running: Mutex::new(None),
        })
    }

    /// `true` when the recorder can produce `mime_type` (the empty string: always).
    pub fn is_type_supported(mime_type: &str) -> bool {
        Format::parse(mime_type).is_ok()
    }

    /// Sets where session directories are created (default: the XDG data dir).
    pub fn set_store_dir(&self, dir: impl Into<PathBuf>) {
        *lock(&self.store_root) = dir.into();
    }

    /// Starts recording. With a `timeslice_ms`, a `DataAvailable` fires about every that many
    /// milliseconds of media (at least 100); without, data is delivered on `stop` or
    /// `request_data` — but it is durable on disk at least every second either way.
    ///
    /// # Errors
    /// `InvalidState` unless `Inactive`; `NotSupported` when the stream has no live track or
    /// the MIME type cannot carry its tracks; `Encoding` when the encoder cannot be set up.
    pub fn start(&self, timeslice_ms: Option<u32>) -> Result<(), RecorderError> {
        let current = self.shared();
        let state = lock(&current.state);
        if *state != RecordingState::Inactive {
            return Err(RecorderError::InvalidState(format!("start() while {:?}", *state)));
        }
        let live: Vec<_> =
            self.stream.tracks().into_iter().filter(|t| t.ready_state() == MediaStreamTrackState::Live).collect();
        if live.is_empty() {
            return Err(RecorderError::NotSupported("the stream has no live track".into()));
        }
        // One track of each kind is recorded, as browsers do.
        let audio_track = live.iter().find(|t| t.kind() == TrackKind::Audio).cloned();
        let video_track = live.iter().find(|t| t.kind() == TrackKind::Video).cloned();
        let format = Format::for_tracks(self.requested, audio_track.is_some(), video_track.is_some())
            .map_err(RecorderError::NotSupported)?;
        let key_frame_interval = self.key_frame_interval.clone().map_err(RecorderError::NotSupported)?;
        // Set-up can take a while (the AV1 governor measures the encoder): the state is not
        // held meanwhile, so `state()` stays instant; a start that raced this one wins.
        drop(state);
        let timeslice_ms = timeslice_ms.map(|t| t.max(worker::MIN_TIMESLICE_MS));
        let chunk_ms = worker::chunk_ms(timeslice_ms);
        let timeline = Timeline::new();
        let audio = match &audio_track {
            Some(track) => Some(AudioPath::new(
                track.channels().clamp(1, 2),
                self.audio_bps,
                self.bitrate_mode == BitrateMode::Variable,
                Arc::clone(&timeline),
            )?),
            None => None,
        };
        let video = match (&video_track, format.video) {
            (Some(track), Some(codec)) => {
                // Where players' timelines start, before media time 0: at Opus' codec delay
                // in WebM (in whole ms) and in MP4's fragments; at 0 in the saved MP4, whose
                // edit list hides the delay.
                let pre_skip = audio.as_ref().map(AudioPath::pre_skip);
                let leads_us = match format.container {
                    Container::WebM => vec![timeline_lead_ms(pre_skip) * 1000],
                    Container::Mp4 => vec![0, pre_skip.map_or(0, |s| u64::from(s) * 1_000_000 / 48_000)],
                    Container::Ogg => vec![0],
                };
                let key_frames = KeyFrames { chunk_ms: chunk_ms as u64, interval: key_frame_interval };
                Some(VideoPath::start(track, codec, self.video_bps, Arc::clone(&timeline), key_frames, leads_us)?)
            }
            _ => None,
        };
        let muxer = new_av_muxer(
            format.container,
            audio.as_ref().map(|a| (a.channels(), a.pre_skip())),
            video.as_ref().map(|v| VideoTrack {
                codec_id: v.codec_id,
                codec_private: v.codec_private.clone(),
                width: v.width,
                height: v.height,
                frame_rate: v.frame_rate,
            }),
        )?;
        // Committed under the current recording's state lock (which stop, pause and resume take
        // too), the lock on which recording is current held around it: a start that raced this
        // one and won has made its own recording current.
        let mut current = lock(&self.current);
        let previous_shared = Arc::clone(&current);
        let previous_state = lock(&previous_shared.state);
        if *previous_state != RecordingState::Inactive {
            return Err(RecorderError::InvalidState(format!("start() while {:?}", *previous_state)));
        }
        let shared = Arc::new(Shared { state: Mutex::new(RecordingState::Recording), ..Shared::default() });
        let config_has_audio = audio_track.is_some();
        let config = WorkerConfig {
            audio: audio_track.as_ref().map_or_else(crossbeam_channel::never, |t| t.subscribe_audio()),
            generation: self.stream.generation(),
            stream: self.stream.clone(),
            tracks: audio_track.into_iter().chain(video_track).collect(),
            path: MediaPath::new(Arc::clone(&timeline), audio, video, muxer),
            mime_type: format.mime_type(),
            extension: format.container.extension(),
            timeslice_ms,
            store_root: lock(&self.store_root).clone(),
            // Silence is heard on the audio track: without one there is nothing to pause on.
            pause_on_silence: self.pause_on_silence.filter(|_| config_has_audio),
        };
        // Media time 0: now, with the encoders ready and the audio subscribed.
        timeline.start_at(now_ns());
        let (commands, commands_rx) = crossbeam_channel::bounded(COMMAND_QUEUE);
        let events = self.events_tx.clone();
        // A previous recording may still be finishing (its last chunk, or waiting for a consumer
        // that reads no events): its last events must come before this one's Start, so this
        // recording's thread waits for it — never the caller, who may be the one to read them.
        let previous = lock(&self.running).take();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("recorder".into())
            .spawn(move || {
                if let Some(previous) = previous {
                    let _finished = previous.thread.join();
                }
                let shared = thread_shared;
                let (events_after, shared_after) = (events.clone(), Arc::clone(&shared));
                let run = std::panic::AssertUnwindSafe(|| worker::run(config, commands_rx, events, shared));
                if std::panic::catch_unwind(run).is_err() {
                    // A bug, not a state of the world: still end as the spec says, so nobody
                    // waits forever for a Stop. The chunks written so far stay on disk.
                    *lock(&shared_after.state) = RecordingState::Inactive;
                    let _told = events_after.send(RecorderEvent::Error(RecorderError::Unknown(
                        "the recorder thread failed; the chunks written so far are kept".into(),
                    )));
                    let _told = events_after.send(RecorderEvent::Stop);
                }
            })
            .map_err(|e| RecorderError::os("cannot start the recorder thread", e))?;
        *lock(&self.running) = Some(Running { commands, thread, timeline });
        *lock(&self.mime_type) = format.mime_type();
        drop(previous_state);
        *current = shared;
        Ok(())
    }

    /// The current (or last) recording's shared state.
    fn shared(&self) -> Arc<Shared> {
        Arc::clone(&lock(&self.current))
    }

    /// Sends a command to the recorder thread and, only if that worked, moves to `next`.
    fn command(&self, state: &mut RecordingState, command: Command, next: RecordingState) -> Result<(), RecorderError> {
        let running = lock(&self.running);
        let Some(running) = running.as_ref() else {
            return Err(RecorderError::InvalidState("the recorder is not running".into()));
        };
        // The timeline is gated before the call returns, and only if the recorder thread takes
        // the command: no media captured after a pause (or the stop) is recorded, however soon
        // the audio or video path sees it, and no path sees a gate whose command failed.
        let send = || running.commands.try_send(command);
        let sent = match command {
            Command::Pause { at_ns } => running.timeline.gate_if(at_ns, true, send),
            Command::Resume { at_ns } => running.timeline.gate_if(at_ns, false, send),
            Command::Stop { at_ns } => send().inspect(|()| running.timeline.stop_at(at_ns)),
            Command::RequestData { .. } => send(),
        };
        match sent {
            Ok(()) => {
                *state = next;
                Ok(())
            }
            Err(TrySendError::Full(_)) => Err(RecorderError::Busy),
            // The thread ended on its own (error or tracks ended) and set Inactive already.
            Err(TrySendError::Disconnected(_)) => Err(RecorderError::InvalidState("the recorder has stopped".into())),
        }
    }

    /// Stops recording: a final `DataAvailable` with everything not yet delivered, then `Stop`.
    /// Does nothing when already `Inactive`.
    ///
    /// # Errors
    /// `Busy` only if the recorder thread cannot take the command now (try again).
    pub fn stop(&self) -> Result<(), RecorderError> {
        let shared = self.shared();
        let mut state = lock(&shared.state);
        if *state == RecordingState::Inactive {
            return Ok(());
        }
        self.command(&mut state, Command::Stop { at_ns: now_ns() }, RecordingState::Inactive)
    }

    /// Pauses: media is not recorded until `resume`, and the timeline has no gap.
    ///
    /// # Errors
    /// `InvalidState` when `Inactive`; `Busy` when the recorder thread cannot take it now.
    pub fn pause(&self) -> Result<(), RecorderError> {
        let shared = self.shared();
        let mut state = lock(&shared.state);
        match *state {
            RecordingState::Inactive => Err(RecorderError::InvalidState("pause() while inactive".into())),
            // Paused on silence: the user's pause takes over, sound no longer resumes.
            RecordingState::Paused => {
                shared.silence_paused.store(false, Ordering::Relaxed);
                Ok(())
            }
            RecordingState::Recording => {
                self.command(&mut state, Command::Pause { at_ns: now_ns() }, RecordingState::Paused)
            }
        }
    }

    /// Resumes after `pause`.
    ///
    /// # Errors
    /// `InvalidState` when `Inactive`; `Busy` when the recorder thread cannot take it now.
    pub fn resume(&self) -> Result<(), RecorderError> {
        let shared = self.shared();
        let mut state = lock(&shared.state);
        match *state {
            RecordingState::Inactive => Err(RecorderError::InvalidState("resume() while inactive".into())),
            RecordingState::Recording => Ok(()),
            RecordingState::Paused => {
                self.command(&mut state, Command::Resume { at_ns: now_ns() }, RecordingState::Recording)?;
                shared.silence_paused.store(false, Ordering::Relaxed);
                Ok(())
            }
        }
    }

    /// Delivers what was gathered since the last `DataAvailable` now, and starts a new blob.
    ///
    /// # Errors
    /// `InvalidState` when `Inactive`; `Busy` when the recorder thread cannot take it now.
    pub fn request_data(&self) -> Result<(), RecorderError> {
        let shared = self.shared();
        let mut state = lock(&shared.state);
        match *state {
            RecordingState::Inactive => Err(RecorderError::InvalidState("request_data() while inactive".into())),
            current => self.command(&mut state, Command::RequestData { at_ns: now_ns() }, current),
        }
    }

    /// `Inactive`, `Recording` or `Paused`.
    pub fn state(&self) -> RecordingState {
        *lock(&self.shared().state)
    }

    /// The options' MIME type until `start`; after it, the full type in use, codecs included.
    pub fn mime_type(&self) -> String {
        lock(&self.mime_type).clone()
    }

    /// The stream being recorded.
    pub fn stream(&self) -> &MediaStream {
        &self.stream
    }

    /// Audio bitrate in force, bit/s.
    pub fn audio_bits_per_second(&self) -> u32 {
        self.audio_bps
    }

    /// Video bitrate in force, bit/s.
    pub fn video_bits_per_second(&self) -> u32 {
        self.video_bps
    }

    /// Constant or variable.
    pub fn audio_bitrate_mode(&self) -> BitrateMode {
        self.bitrate_mode
    }

    /// The event channel. Every call returns a handle on the same queue, so one consumer should
    /// drain it: after 1024 undrained events the recorder thread waits for the consumer (it
    /// never drops an event), and capture overruns are then counted in [`stats`](Self::stats).
    pub fn events(&self) -> Receiver<RecorderEvent> {
        self.events_rx.clone()
    }

    /// The current (or last) recording's session directory: set before the `Start` event fires.
    pub fn session_dir(&self) -> Option<PathBuf> {
        lock(&self.shared().session_dir).clone()
    }

    /// Counters for the current (or last) recording.
    pub fn stats(&self) -> RecorderStats {
        lock(&self.shared().stats).clone()
    }
}

impl Drop for MediaRecorder {
    // Order: ask the thread to stop, keep draining events so it can never block on a full
    // queue, then join. Chunks are durable already; this only finishes the last one.
    fn drop(&mut self) {
        let Some(running) = self.running.get_mut().unwrap_or_else(PoisonError::into_inner).take() else { return };
        let _sent = running.commands.try_send(Command::Stop { at_ns: now_ns() });
        drop(running.commands);
        while !running.thread.is_finished() {
            while self.events_rx.try_recv().is_ok() {}
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _joined = running.thread.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorder_can_be_moved_to_and_shared_with_other_threads() {
        // The app keeps its recorder on the UI thread and hands events to workers.
        fn check<T: Send + Sync>() {}
        check::<MediaRecorder>();
        check::<RecorderEvent>();
        check::<MediaStream>();
    }
}
