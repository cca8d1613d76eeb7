//! The app's engine side: one named thread that owns the preview stream, the recorder, the
//! recordings on disk, saves and playback. The window sends it [`Command`]s and drains its
//! [`Update`]s; it asks for a frame when it has news. Nothing here waits on the UI.
//!
//! This module holds the thread, its loop and the commands' dispatch; the work is in its parts:
//! [`devices`] (the device lists, the preview and the meter), [`recording`] (the recorder and its
//! events), [`jobs`] (renaming, deleting, saving, playing), [`live`] (the window's live values and
//! its rendering level) and [`remembered`] (the settings file).

mod devices;
mod jobs;
mod live;
mod recording;
mod remembered;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{never, select, Receiver, Sender, TrySendError};

use super::mailbox::Mailbox;
use super::meter::Meter;
use super::playback::Player;
use super::recordings::{self, Recording};
use super::redraw::{Governor, IdleMeter, Redraw};
use super::save::{self, DialogOutcome, SaveDone};
use super::state::{Command, DeviceEntry, MeterReading, RecordingStatus, Settings, SourceLevel, Update};
use super::thumbnail;
use crate::devices::{DEFAULT_ID, TEST_TONE_ID};
use crate::media::{AudioBuffer, VideoFrame};
use crate::settings;
use crate::t;
use crate::{
    enumerate_devices, MediaDeviceKind, MediaRecorder, MediaRecorderOptions, MediaStream, MediaStreamTrack,
    RecorderEvent, RecordingState,
};

/// Commands queued from the window. Full means the controller is stuck for seconds: the window
/// says so instead of blocking (see [`Controller::send`]).
const COMMAND_QUEUE: usize = 64;
/// How often the device list is re-read while idle, for hot-plug.
const DEVICE_POLL: Duration = Duration::from_secs(2);
/// How often the window's level is chosen anew from the machine's idle CPU.
const GOVERNOR_TICK: Duration = Duration::from_secs(1);
/// How long quitting waits for a recording to finish its last chunk.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// How the controller is set up.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// Where recordings' session directories live.
    pub store_root: PathBuf,
    /// Where settings are remembered (`None`: not remembered).
    pub settings_file: Option<PathBuf>,
    /// Use the native save dialog when a display is there (else the window asks for a path).
    pub native_dialogs: bool,
    /// Where saving starts (`None`: the user's music directory).
    pub save_dir: Option<PathBuf>,
}

impl Default for ControllerConfig {
    fn default() -> ControllerConfig {
        ControllerConfig {
            store_root: crate::store::default_root(),
            settings_file: settings::default_path(),
            native_dialogs: true,
            save_dir: None,
        }
    }
}

/// The window's handle on the controller thread. Dropping it stops the thread (finishing a
/// recording in progress) and joins it.
pub struct Controller {
    commands: Option<Sender<Command>>,
    mailbox: Arc<Mailbox>,
    thread: Option<JoinHandle<()>>,
}

impl Controller {
    /// Starts the controller thread; it asks `redraw` for a frame whenever it has news, and
    /// publishes live values (level, picture, timer) at `redraw`'s rate.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn spawn(config: ControllerConfig, redraw: Arc<Redraw>) -> std::io::Result<Controller> {
        let (commands_tx, commands_rx) = crossbeam_channel::bounded(COMMAND_QUEUE);
        let mailbox = Arc::new(Mailbox::default());
        let out = Outbox { mailbox: Arc::clone(&mailbox), redraw };
        let thread = std::thread::Builder::new()
            .name("app-controller".into())
            .spawn(move || Engine::new(config, out).run(commands_rx))?;
        Ok(Controller { commands: Some(commands_tx), mailbox, thread: Some(thread) })
    }

    /// Queues a command.
    ///
    /// # Errors
    /// When the controller has not taken a command for the last [`COMMAND_QUEUE`] (it is
    /// stuck) or has stopped: the window shows this rather than freezing.
    pub fn send(&self, command: Command) -> Result<(), String> {
        let Some(tx) = &self.commands else { return Err(t!("recorder-stopped")) };
        tx.try_send(command).map_err(|e| match e {
            TrySendError::Full(_) => t!("recorder-busy"),
            TrySendError::Disconnected(_) => t!("recorder-stopped"),
        })
    }

    /// Every update waiting since the last call (the latest of each value, every message).
    pub fn drain(&self) -> impl Iterator<Item = Update> {
        self.mailbox.take().into_iter()
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        // A dropped command sender is the shutdown message; then join.
        self.commands = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                eprintln!("mediarecorder: the controller thread panicked while shutting down");
            }
        }
    }
}

/// The window's mailbox and its rendering budget.
#[derive(Clone)]
struct Outbox {
    mailbox: Arc<Mailbox>,
    redraw: Arc<Redraw>,
}

impl Outbox {
    /// Leaves an update for the window and asks for a frame (never waits: see [`Mailbox`]).
    fn send(&self, update: Update) {
        self.mailbox.post(update);
        self.redraw.request();
    }

    /// A waker for helper threads: a frame, to show what they left with the controller.
    fn waker(&self) -> impl Fn() + Send + 'static {
        let redraw = Arc::clone(&self.redraw);
        move || redraw.request()
    }
}

/// Messages from the controller's own helper threads.
enum Internal {
    Dialog(DialogOutcome),
    SaveProgress {
        id: String,
        fraction: f32,
    },
    Saved(SaveDone),
    PlaybackEnded {
        id: String,
        error: Option<String>,
    },
    /// The desktop answered a request to share a screen (`display`).
    DisplayOpened {
        id: String,
        result: Result<MediaStreamTrack, crate::RecorderError>,
    },
}

/// The live preview: an open device and the meter on it.
struct Preview {
    device_id: String,
    stream: MediaStream,
    audio: Receiver<AudioBuffer>,
    meter: Meter,
    /// The mixed sources' own meters (none when one source is recorded).
    sources: Vec<SourceMeter>,
}

/// A meter on one source of a mix.
struct SourceMeter {
    label: String,
    audio: Receiver<AudioBuffer>,
    meter: Meter,
    last: Option<MeterReading>,
}

/// The live video preview: an open camera, screen or test video. The recorder subscribes to
/// the same track on its own; this subscription is two frames deep and misses frames rather
/// than ever holding capture (or the recording) up.
struct VideoPreview {
    device_id: String,
    track: MediaStreamTrack,
    frames: Receiver<VideoFrame>,
    /// The newest frame not yet shown: only it is scaled, when live values are published.
    newest: Option<VideoFrame>,
    sent: u64,
}

/// The window's live values and when they are published next: together, at the rendering
/// budget's rate, so the window draws one frame for all of them.
struct Live {
    next: Instant,
    meter: Option<MeterReading>,
    governor: Governor,
    idle: IdleMeter,
    next_governor: Instant,
    /// The recording's dropped video frames at the last governor tick.
    dropped: u64,
}

/// The recording in progress.
struct Active {
    recorder: MediaRecorder,
    events: Receiver<RecorderEvent>,
    id: Option<String>,
    error: Option<String>,
}

struct Engine {
    config: ControllerConfig,
    out: Outbox,
    internal_tx: Sender<Internal>,
    internal_rx: Receiver<Internal>,
    settings: Settings,
    /// False when an unusable settings file could not be moved aside: it is left alone.
    settings_writable: bool,
    devices: Vec<DeviceEntry>,
    video_devices: Vec<DeviceEntry>,
    preview: Option<Preview>,
    video: Option<VideoPreview>,
    active: Option<Active>,
    recordings: Vec<Recording>,
    saves: HashMap<String, JoinHandle<()>>,
    player: Option<(String, Player)>,
    last_device_poll: Instant,
    live: Live,
    /// Counting down to a recording: when it starts, and the seconds left last shown.
    countdown: Option<(Instant, u32)>,
    /// A screen asked of the desktop whose answer has not come (its dialog is open).
    display_asked: Option<String>,
}

impl Engine {
    fn new(config: ControllerConfig, out: Outbox) -> Engine {
        // Helper threads report back here; bounded like everything else (they send a handful
        // of messages each, and the controller drains this every pass).
        let (internal_tx, internal_rx) = crossbeam_channel::bounded(256);
        Engine {
            settings: Settings::default(),
            settings_writable: true,
            config,
            out,
            internal_tx,
            internal_rx,
            devices: Vec::new(),
            video_devices: Vec::new(),
            preview: None,
            video: None,
            active: None,
            recordings: Vec::new(),
            saves: HashMap::new(),
            player: None,
            countdown: None,
            display_asked: None,
            last_device_poll: Instant::now(),
            live: Live {
                next: Instant::now(),
                meter: None,
                governor: Governor::default(),
                idle: IdleMeter::default(),
                next_governor: Instant::now(),
                dropped: 0,
            },
        }
    }

    fn run(mut self, commands: Receiver<Command>) {
        self.load_settings();
        self.recordings = recordings::scan(&self.config.store_root);
        self.send_recordings();
        self.refresh_devices();
        let wanted = self.settings.device_id.clone();
        self.open_preview(&wanted);
        let wanted_video = self.settings.video_id.clone();
        self.open_video(wanted_video.as_deref());

        loop {
            let audio = self.preview.as_ref().map_or_else(never, |p| p.audio.clone());
            let frames = self.video.as_ref().map_or_else(never, |v| v.frames.clone());
            let events = self.active.as_ref().map_or_else(never, |a| a.events.clone());
            let internal = self.internal_rx.clone();
            select! {
                recv(commands) -> c => match c {
                    Ok(c) => self.handle(c),
                    Err(_) => break,
                },
                recv(audio) -> buffer => match buffer {
                    Ok(buffer) => self.meter(&buffer),
                    Err(_) => self.preview_ended(),
                },
                recv(frames) -> frame => match frame {
                    Ok(frame) => self.preview_frame(frame),
                    Err(_) => self.video_ended(),
                },
                recv(events) -> event => match event {
                    Ok(event) => self.recorder_event(event),
                    Err(_) => self.active = None,
                },
                recv(internal) -> msg => if let Ok(msg) = msg { self.internal(msg) },
                default(self.next_wake().saturating_duration_since(Instant::now())) => {}
            }
            self.tick();
        }
        self.shut_down();
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::SelectDevice(id) => {
                if self.active.is_some() {
                    return self.error(&t!("busy-microphone"));
                }
                self.open_preview(&id);
                self.settings.device_id = id;
                self.save_settings();
            }
            Command::SelectVideo(id) => {
                if self.active.is_some() {
                    return self.error(&t!("busy-video"));
                }
                self.open_video(id.as_deref());
                self.settings.video_id = self.wanted_video();
                self.save_settings();
                self.out.send(Update::Settings(self.settings.clone()));
            }
            Command::Switch(toggle, on) => {
                let mut s = self.settings.clone();
                *toggle.of(&mut s) = on;
                self.handle(Command::ChangeSettings(s));
            }
            Command::ChangeSettings(s) => {
                if self.active.is_some() {
                    return self.error(&t!("busy-format"));
                }
                for mime in [&s.mime_type, &s.video_mime_type] {
                    if !MediaRecorder::is_type_supported(mime) {
                        return self.error(&t!("format-unsupported", mime = mime.as_str()));
                    }
                }
                let mix_changed = s.also_system_sound != self.settings.also_system_sound
                    || s.echo_cancellation != self.settings.echo_cancellation
                    || s.noise_suppression != self.settings.noise_suppression
                    || s.auto_gain_control != self.settings.auto_gain_control;
                // The sources are the controller's to say; the window's copy may be a frame old.
                self.settings = Settings {
                    device_id: self.settings.device_id.clone(),
                    video_id: self.settings.video_id.clone(),
                    display_restore_token: self.settings.display_restore_token.clone(),
                    ..s
                };
                self.save_settings();
                self.out.send(Update::Settings(self.settings.clone()));
                if mix_changed {
                    let id =
                        self.preview.as_ref().map_or_else(|| self.settings.device_id.clone(), |p| p.device_id.clone());
                    self.open_preview(&id);
                }
            }
            Command::Record => self.ask_to_record(),
            Command::CancelCountdown => self.cancel_countdown(),
            Command::Pause => self.with_recorder(|r| r.pause()),
            Command::Resume => self.with_recorder(|r| r.resume()),
            Command::Stop => self.with_recorder(|r| r.stop()),
            Command::Rename { id, name } => self.rename(&id, &name),
            Command::Delete { id } => self.delete(&id),
            Command::ChooseSaveTarget { id } => self.choose_save_target(&id),
            Command::SaveTo { id, path, overwrite } => self.save(&id, path, overwrite),
            Command::Play { id } => self.play(&id),
            Command::StopPlayback => {
                self.player = None;
                self.out.send(Update::Playing(None));
            }
        }
    }

    /// When the loop must wake even with nothing arriving: the next live values, or the end of a
    /// countdown (to the millisecond: the recording starts when the user was told it would).
    fn next_wake(&self) -> Instant {
        self.countdown.map_or(self.live.next, |(at, _)| at.min(self.live.next))
    }

    fn tick(&mut self) {
        let now = Instant::now();
        self.count_down(now);
        if now >= self.live.next {
            // On the budget's grid; after a late tick, a whole interval from now (never two at
            // once to catch up).
            let interval = self.out.redraw.interval();
            let next = self.live.next + interval;
            self.live.next = if next > now { next } else { now + interval };
            self.publish_live();
        }
        if now >= self.live.next_governor {
            self.live.next_governor = now + GOVERNOR_TICK;
            self.govern();
        }
        if self.active.is_none() && self.last_device_poll.elapsed() >= DEVICE_POLL && self.refresh_devices() {
            // The previewed device vanished: move to what is there.
            let current = self.preview.as_ref().map(|p| p.device_id.clone());
            if let Some(current) = current {
                if !self.devices.iter().any(|d| d.id == current) && !current.starts_with("test:") {
                    let label = current.clone();
                    self.out.send(Update::Notice(t!("device-disconnected", device = label.as_str())));
                    self.open_preview(DEFAULT_ID);
                }
            } else {
                let wanted = self.settings.device_id.clone();
                self.open_preview(&wanted);
            }
        }
    }

    fn shut_down(&mut self) {
        if let Some(active) = &self.active {
            // Finish the recording so it is listed as complete next time (its chunks are safe
            // either way).
            if active.recorder.state() != RecordingState::Inactive && active.recorder.stop().is_ok() {
                let deadline = Instant::now() + STOP_GRACE;
                while let Ok(event) = active.events.recv_deadline(deadline) {
                    if matches!(event, RecorderEvent::Stop) {
                        break;
                    }
                }
            }
        }
        self.active = None;
        self.player = None;
        if let Some(p) = self.preview.take() {
            p.stream.tracks().iter().for_each(crate::MediaStreamTrack::stop);
        }
        if let Some(v) = self.video.take() {
            v.track.stop();
        }
        for (_, handle) in self.saves.drain() {
            // A save in progress finishes: its file is written atomically either way.
            let _panicked = handle.join();
        }
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut Recording> {
        self.recordings.iter_mut().find(|r| r.entry.id == id)
    }

    fn send_state(&self) {
        let state = self.active.as_ref().map_or(RecordingState::Inactive, |a| a.recorder.state());
        self.out.send(Update::State(state));
    }

    fn send_recordings(&self) {
        self.out.send(Update::Recordings(self.recordings.iter().map(|r| r.entry.clone()).collect()));
    }

    fn error(&self, message: &str) {
        self.out.send(Update::Error(message.to_owned()));
    }
}
