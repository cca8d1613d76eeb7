//! The app's engine side: one named thread that owns the preview stream, the recorder, the
//! recordings on disk, saves and playback. The window sends it [`Command`]s and drains its
//! [`Update`]s; it wakes the window when it has news. Nothing here waits on the UI.

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
use super::state::{Command, DeviceEntry, MeterReading, RecordingStatus, Settings, Update};
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
    SaveProgress { id: String, fraction: f32 },
    Saved(SaveDone),
    PlaybackEnded { id: String, error: Option<String> },
}

/// The live preview: an open device and the meter on it.
struct Preview {
    device_id: String,
    stream: MediaStream,
    audio: Receiver<AudioBuffer>,
    meter: Meter,
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
                default(self.live.next.saturating_duration_since(Instant::now())) => {}
            }
            self.tick();
        }
        self.shut_down();
    }

    // ---- commands ------------------------------------------------------------------------

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
                self.settings.video_id = self.video.as_ref().map(|v| v.device_id.clone());
                self.save_settings();
                self.out.send(Update::Settings(self.settings.clone()));
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
                // The sources are the controller's to say; the window's copy may be a frame old.
                self.settings = Settings {
                    device_id: self.settings.device_id.clone(),
                    video_id: self.settings.video_id.clone(),
                    ..s
                };
                self.save_settings();
                self.out.send(Update::Settings(self.settings.clone()));
            }
            Command::Record => self.record(),
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

    fn record(&mut self) {
        if self.active.is_some() {
            return;
        }
        let Some(preview) = &self.preview else {
            return self.error(&t!("no-microphone-open"));
        };
        let mut tracks = preview.stream.audio_tracks();
        let mut options = MediaRecorderOptions {
            mime_type: Some(self.settings.recording_mime_type().to_owned()),
            audio_bits_per_second: Some(self.settings.audio_bitrate),
            ..Default::default()
        };
        if let Some(video) = &self.video {
            tracks.push(video.track.clone());
            options.video_bits_per_second = Some(self.settings.video_bitrate);
        }
        let started = MediaRecorder::new(MediaStream::new(tracks), options).and_then(|recorder| {
            recorder.set_store_dir(&self.config.store_root);
            recorder.start(Some(self.settings.timeslice_ms))?;
            Ok(recorder)
        });
        match started {
            Ok(recorder) => {
                let events = recorder.events();
                self.live.dropped = 0;
                self.active = Some(Active { recorder, events, id: None, error: None });
                self.send_state();
            }
            Err(e) => self.error(&t!("cannot-start-recording", reason = e.to_string())),
        }
    }

    /// Pause, resume, stop: the recorder's own state rules apply; the new state is sent at once
    /// (the spec changes it synchronously), its event follows.
    fn with_recorder(&mut self, f: impl FnOnce(&MediaRecorder) -> Result<(), crate::RecorderError>) {
        let Some(active) = &self.active else { return };
        if let Err(e) = f(&active.recorder) {
            self.error(&e.to_string());
        }
        self.send_state();
    }

    fn rename(&mut self, id: &str, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            return self.error(&t!("name-needed"));
        }
        let Some(r) = self.recordings.iter_mut().find(|r| r.entry.id == id) else { return };
        if r.dir.exists() {
            if let Err(e) = crate::store::set_session_name(&r.dir, name) {
                return self.error(&e.to_string());
            }
        }
        r.entry.name = name.to_owned();
        self.send_recordings();
    }

    fn delete(&mut self, id: &str) {
        let Some(pos) = self.recordings.iter().position(|r| r.entry.id == id) else { return };
        let r = &self.recordings[pos];
        if matches!(r.entry.status, RecordingStatus::Recording | RecordingStatus::Saving(_)) {
            return self.error(&t!("cannot-delete-busy"));
        }
        if self.player.as_ref().is_some_and(|(p, _)| p == id) {
            self.player = None;
            self.out.send(Update::Playing(None));
        }
        let name = r.entry.name.clone();
        if r.dir.exists() {
            if let Err(e) = crate::store::remove_session(&r.dir) {
                return self.error(&t!("cannot-delete", name = name.as_str(), reason = e.to_string()));
            }
        }
        self.recordings.remove(pos);
        self.send_recordings();
        self.out.send(Update::Notice(t!("deleted", name = name.as_str())));
    }

    fn choose_save_target(&mut self, id: &str) {
        let Some(r) = self.recordings.iter().find(|r| r.entry.id == id) else { return };
        if !r.entry.can_save() {
            return;
        }
        let video = r.entry.mime_type.starts_with("video/");
        let dir = self.config.save_dir.clone().unwrap_or_else(|| recordings::default_save_dir(video));
        let file_name = recordings::default_file_name(&r.entry);
        let suggested = dir.join(&file_name);
        match save::display_available(self.config.native_dialogs) {
            Err(reason) => self.out.send(Update::AskSavePath { id: id.to_owned(), suggested, reason }),
            Ok(()) => {
                let tx = self.internal_tx.clone();
                let wake = self.out.waker();
                let spawned = save::spawn_dialog(id.to_owned(), dir, file_name, r.entry.extension.clone(), move |o| {
                    if tx.send(Internal::Dialog(o)).is_ok() {
                        wake();
                    }
                });
                if let Err(e) = spawned {
                    self.out.send(Update::AskSavePath {
                        id: id.to_owned(),
                        suggested,
                        reason: t!("save-dialog-cannot-start", reason = e.to_string()),
                    });
                }
            }
        }
    }

    fn save(&mut self, id: &str, path: PathBuf, overwrite: bool) {
        let Some(r) = self.recordings.iter_mut().find(|r| r.entry.id == id) else { return };
        if !r.entry.can_save() {
            return;
        }
        let path = recordings::with_extension(path, &r.entry.extension);
        let recovering = r.entry.status == RecordingStatus::Recovered;
        r.entry.status = RecordingStatus::Saving(0.0);
        let progress_tx = self.internal_tx.clone();
        let done_tx = self.internal_tx.clone();
        let wake = self.out.waker();
        let job_id = id.to_owned();
        let spawned = save::spawn_save(
            id.to_owned(),
            r.dir.clone(),
            path,
            overwrite,
            recovering,
            move |fraction| {
                // Progress is advisory: a full queue just skips a step of the bar.
                let _skipped = progress_tx.try_send(Internal::SaveProgress { id: job_id.clone(), fraction });
            },
            move |done| {
                if done_tx.send(Internal::Saved(done)).is_ok() {
                    wake();
                }
            },
        );
        match spawned {
            Ok(handle) => {
                self.saves.insert(id.to_owned(), handle);
            }
            Err(e) => {
                r.entry.status = if recovering { RecordingStatus::Recovered } else { RecordingStatus::Ready };
                self.error(&t!("cannot-start-saving", reason = e.to_string()));
            }
        }
        self.send_recordings();
    }

    fn play(&mut self, id: &str) {
        let Some(r) = self.recordings.iter().find(|r| r.entry.id == id) else { return };
        let source = match &r.entry.status {
            RecordingStatus::Saved(path) => path.clone(),
            RecordingStatus::Ready | RecordingStatus::Recovered => r.dir.clone(),
            _ => return self.error(&t!("cannot-play-now")),
        };
        self.player = None;
        let tx = self.internal_tx.clone();
        let wake = self.out.waker();
        let ended_id = id.to_owned();
        match Player::start(&source, move |error| {
            if tx.send(Internal::PlaybackEnded { id: ended_id, error }).is_ok() {
                wake();
            }
        }) {
            Ok(player) => {
                self.player = Some((id.to_owned(), player));
                self.out.send(Update::Playing(Some(id.to_owned())));
            }
            Err(e) => self.error(&t!("cannot-play", name = r.entry.name.as_str(), reason = e.to_string())),
        }
    }

    // ---- devices and preview -------------------------------------------------------------

    /// Re-reads the device lists; sends each that changed. Returns whether the microphones
    /// changed.
    fn refresh_devices(&mut self) -> bool {
        self.last_device_poll = Instant::now();
        let (audio, video): (Vec<_>, Vec<_>) =
            enumerate_devices().unwrap_or_default().into_iter().partition(|d| d.kind == MediaDeviceKind::AudioInput);
        let entries = |list: Vec<crate::MediaDeviceInfo>| -> Vec<DeviceEntry> {
            list.into_iter()
                .map(|d| DeviceEntry { id: d.device_id, label: crate::i18n::device_label(&d.label) })
                .collect()
        };
        let (audio, video) = (entries(audio), entries(video));
        if video != self.video_devices {
            self.video_devices = video;
            self.send_video_devices();
        }
        if audio == self.devices {
            return false;
        }
        self.devices = audio;
        self.send_devices();
        true
    }

    fn send_video_devices(&self) {
        self.out.send(Update::VideoDevices {
            list: self.video_devices.clone(),
            selected: self.video.as_ref().map(|v| v.device_id.clone()),
            no_camera: !self.video_devices.iter().any(|d| d.id.starts_with("camera:")),
        });
        self.send_capturing();
    }

    /// Opens `wanted` for the video preview (`None`: closes it). A source that cannot be
    /// opened is said plainly, and the recording goes on with sound only.
    fn open_video(&mut self, wanted: Option<&str>) {
        if let Some(old) = self.video.take() {
            old.track.stop();
        }
        if let Some(id) = wanted {
            match crate::devices::open_video(id) {
                Ok(track) => {
                    let frames = track.subscribe_video();
                    self.video = Some(VideoPreview { device_id: id.to_owned(), track, frames, newest: None, sent: 0 });
                }
                Err(e) => self.error(&t!("video-cannot-open", source = self.video_label(id), reason = e.to_string())),
            }
        }
        self.out.send(Update::VideoPreview(None));
        self.send_video_devices();
    }

    fn video_label(&self, id: &str) -> String {
        self.video_devices.iter().find(|d| d.id == id).map_or_else(|| id.to_owned(), |d| d.label.clone())
    }

    /// Keeps the frame for the next publishing of live values (a cheap clone: the pixels are
    /// shared).
    fn preview_frame(&mut self, frame: VideoFrame) {
        if let Some(video) = &mut self.video {
            video.newest = Some(frame);
        }
    }

    /// The video source went away (camera unplugged, display closed). While recording, the
    /// recorder sees the same; either way the preview closes and says why.
    fn video_ended(&mut self) {
        let Some(video) = self.video.take() else { return };
        let reason = video.track.end_reason().unwrap_or_else(|| t!("it-ended"));
        let label = self.video_label(&video.device_id);
        if self.active.is_none() {
            self.out.send(Update::Notice(t!(
                "video-stopped-sound-only",
                source = label.as_str(),
                reason = reason.as_str()
            )));
            self.refresh_devices();
        } else {
            // The recorder goes on with the sound (the spec stops only when every track ended).
            self.error(&t!("video-stopped-recording-goes-on", source = label.as_str(), reason = reason.as_str()));
        }
        self.out.send(Update::VideoPreview(None));
        self.send_video_devices();
    }

    fn no_microphone(&self) -> bool {
        !self.devices.iter().any(|d| d.id != TEST_TONE_ID)
    }

    fn send_devices(&self) {
        let selected = self.preview.as_ref().map_or_else(|| self.settings.device_id.clone(), |p| p.device_id.clone());
        self.out.send(Update::Devices { list: self.devices.clone(), selected, no_microphone: self.no_microphone() });
        self.send_capturing();
    }

    /// The devices open now: the preview's, which are the recording's too.
    fn send_capturing(&self) {
        let live = |t: &MediaStreamTrack| t.ready_state() == crate::MediaStreamTrackState::Live;
        let audio = self.preview.iter().flat_map(|p| p.stream.audio_tracks()).filter(live);
        let video = self.video.iter().map(|v| v.track.clone()).filter(live);
        self.out.send(Update::Capturing(audio.chain(video).map(|t| crate::i18n::device_label(t.label())).collect()));
    }

    /// Opens `wanted` for the preview, falling back to the default microphone, then the test
    /// tone, and saying so.
    fn open_preview(&mut self, wanted: &str) {
        if let Some(old) = self.preview.take() {
            old.stream.tracks().iter().for_each(crate::MediaStreamTrack::stop);
        }
        let listed = |id: &str| self.devices.iter().any(|d| d.id == id) || id.starts_with("test:");
        let mut candidates = vec![wanted.to_owned()];
        if !self.no_microphone() {
            candidates.push(DEFAULT_ID.into());
        }
        candidates.push(TEST_TONE_ID.into());
        candidates.dedup();
        let mut failures = Vec::new();
        for id in candidates {
            if !listed(&id) {
                failures.push(t!("device-not-connected", device = self.label_of(&id)));
                continue;
            }
            match MediaStream::open(Some(&id), None) {
                Ok(stream) => {
                    let Some(track) = stream.audio_tracks().into_iter().next() else { continue };
                    let audio = track.subscribe_audio();
                    if id != wanted && !failures.is_empty() {
                        self.out.send(Update::Notice(t!(
                            "using-instead",
                            problems = failures.join("; "),
                            device = self.label_of(&id)
                        )));
                    }
                    self.preview = Some(Preview { device_id: id, stream, audio, meter: Meter::default() });
                    self.send_devices();
                    return;
                }
                Err(e) => failures.push(t!("device-cannot-open", device = self.label_of(&id), reason = e.to_string())),
            }
        }
        self.error(&t!("no-audio-source", problems = failures.join("; ")));
        self.send_devices();
    }

    fn label_of(&self, id: &str) -> String {
        self.devices.iter().find(|d| d.id == id).map_or_else(|| id.to_owned(), |d| d.label.clone())
    }

    fn meter(&mut self, buffer: &AudioBuffer) {
        let Some(preview) = &mut self.preview else { return };
        if let Some(mut reading) = preview.meter.push(buffer) {
            if let Some(unshown) = self.live.meter.take() {
                // A peak between two of the window's frames is still shown.
                reading.peak_dbfs = reading.peak_dbfs.max(unshown.peak_dbfs);
                reading.clipping |= unshown.clipping;
            }
            self.live.meter = Some(reading);
        }
    }

    /// The previewed device went away (unplugged, server gone). While recording, the
    /// recorder reports it as an error; either way the preview moves to another source.
    fn preview_ended(&mut self) {
        let Some(preview) = self.preview.take() else { return };
        let reason = preview
            .stream
            .audio_tracks()
            .first()
            .and_then(crate::MediaStreamTrack::end_reason)
            .unwrap_or_else(|| t!("it-ended"));
        let label = self.label_of(&preview.device_id);
        if self.active.is_none() {
            self.out.send(Update::Notice(t!("device-stopped", device = label.as_str(), reason = reason.as_str())));
            self.refresh_devices();
            let wanted = self.settings.device_id.clone();
            self.open_preview(if wanted == preview.device_id { DEFAULT_ID } else { &wanted });
        } else {
            // Keep the stream for the recorder until it stops; re-open afterwards. With a live
            // video track the recording goes on (without one it stops, and says so then).
            self.preview = None;
            self.send_capturing();
            if self.video.is_some() {
                self.error(&t!(
                    "microphone-stopped-recording-goes-on",
                    device = label.as_str(),
                    reason = reason.as_str()
                ));
            }
        }
    }

    // ---- recorder events -----------------------------------------------------------------

    fn recorder_event(&mut self, event: RecorderEvent) {
        let Some(active) = &mut self.active else { return };
        match event {
            RecorderEvent::Start => {
                if let Some(dir) = active.recorder.session_dir() {
                    let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    active.id = Some(id.clone());
                    let manifest = crate::store::read_manifest(&dir).ok();
                    self.recordings.push(Recording {
                        entry: super::state::RecordingEntry {
                            id,
                            name: recordings::default_name(manifest.as_ref().map(|m| m.created_unix_ms)),
                            duration_ms: 0.0,
                            bytes: 0,
                            extension: manifest.as_ref().map_or_else(|| "ogg".into(), |m| m.extension.clone()),
                            mime_type: active.recorder.mime_type(),
                            status: RecordingStatus::Recording,
                            error: None,
                        },
                        dir,
                    });
                    self.send_recordings();
                }
                self.send_state();
            }
            RecorderEvent::Pause | RecorderEvent::Resume => self.send_state(),
            RecorderEvent::DataAvailable(_) => {}
            RecorderEvent::Error(e) => {
                let message = e.to_string();
                active.error = Some(message.clone());
                self.error(&message);
            }
            RecorderEvent::Stop => self.recording_stopped(),
        }
    }

    fn recording_stopped(&mut self) {
        let Some(active) = self.active.take() else { return };
        let stats = active.recorder.stats();
        // A track that ended with a reason was ended by its device (unplugged, server gone), not
        // by the user's Stop: the recorder stopped as the spec says, without an error event.
        let lost = active
            .recorder
            .stream()
            .tracks()
            .iter()
            .find_map(|t| Some((crate::i18n::device_label(t.label()), t.end_reason()?)));
        if let Some(r) = active.id.as_ref().and_then(|id| self.recordings.iter_mut().find(|r| &r.entry.id == id)) {
            let manifest = crate::store::read_manifest(&r.dir).ok();
            r.entry.duration_ms = manifest.as_ref().map_or(stats.media_ms, |m| m.duration_ms);
            r.entry.bytes = stats.bytes;
            r.entry.status = RecordingStatus::Ready;
            let ended = lost.map(|(label, reason)| {
                let kept_s = r.entry.duration_ms / 1000.0;
                t!("device-lost-recording-stopped", device = label, reason = reason, seconds = format!("{kept_s:.1}"))
            });
            if let Some(message) = &ended {
                self.out.send(Update::Error(message.clone()));
            }
            r.entry.error = active.error.or(ended).or_else(|| manifest.and_then(|m| m.error));
        }
        self.out.send(Update::Progress { media_ms: stats.media_ms, bytes: stats.bytes });
        self.out.send(Update::State(RecordingState::Inactive));
        self.send_recordings();
        if self.preview.is_none() {
            self.refresh_devices();
            let wanted = self.settings.device_id.clone();
            self.open_preview(&wanted);
        }
        // A video source that ended during the recording comes back if it is there again.
        if let (None, Some(wanted)) = (&self.video, self.settings.video_id.clone()) {
            self.refresh_devices();
            if self.video_devices.iter().any(|d| d.id == wanted) {
                self.open_video(Some(&wanted));
            }
        }
    }

    // ---- helper threads ------------------------------------------------------------------

    fn internal(&mut self, msg: Internal) {
        match msg {
            Internal::Dialog(DialogOutcome::Chosen { id, path }) => self.save(&id, path, true),
            Internal::Dialog(DialogOutcome::Cancelled) => {}
            Internal::Dialog(DialogOutcome::Unavailable { id, suggested, reason }) => {
                self.out.send(Update::AskSavePath { id, suggested, reason });
            }
            Internal::SaveProgress { id, fraction } => {
                if let Some(r) = self.find_mut(&id) {
                    if matches!(r.entry.status, RecordingStatus::Saving(_)) {
                        r.entry.status = RecordingStatus::Saving(fraction);
                        self.send_recordings();
                    }
                }
            }
            Internal::Saved(done) => self.save_finished(done),
            Internal::PlaybackEnded { id, error } => {
                if self.player.as_ref().is_some_and(|(p, _)| *p == id) {
                    self.player = None;
                    self.out.send(Update::Playing(None));
                }
                if let Some(e) = error {
                    self.error(&t!("playback-stopped", reason = e.to_string()));
                }
            }
        }
    }

    fn save_finished(&mut self, done: SaveDone) {
        if let Some(handle) = self.saves.remove(&done.id) {
            if handle.join().is_err() {
                self.error(&t!("save-thread-failed"));
            }
        }
        let Some(r) = self.recordings.iter_mut().find(|r| r.entry.id == done.id) else { return };
        match done.result {
            Ok(path) => {
                r.entry.status = RecordingStatus::Saved(path.clone());
                let name = r.entry.name.clone();
                // Saved: the chunks have done their job. A failure to remove them costs disk
                // space, not the recording: say so, keep going.
                let removed = crate::store::remove_session(&r.dir);
                self.out.send(Update::Notice(t!("saved", name = name.as_str(), path = path.display().to_string())));
                if let Err(e) = removed {
                    self.error(&t!("saved-chunks-kept", reason = e.to_string()));
                }
            }
            Err(e) => {
                r.entry.status = if done.recovering { RecordingStatus::Recovered } else { RecordingStatus::Ready };
                let name = r.entry.name.clone();
                self.error(&t!("cannot-save", name = name.as_str(), reason = e.to_string()));
            }
        }
        self.send_recordings();
    }

    // ---- periodic ------------------------------------------------------------------------

    fn tick(&mut self) {
        let now = Instant::now();
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

    /// The level, the newest picture (scaled to the budget's preview size) and the timer, in
    /// one frame's news. Nothing while the window is hidden: no one would see it.
    fn publish_live(&mut self) {
        if self.out.redraw.is_hidden() {
            self.live.meter = None;
            return;
        }
        let mut news = false;
        if let Some(reading) = self.live.meter.take() {
            self.out.mailbox.post(Update::Meter(reading));
            news = true;
        }
        if let Some(video) = &mut self.video {
            if let Some(frame) = video.newest.take() {
                video.sent += 1;
                let size = self.out.redraw.level().preview;
                self.out.mailbox.post(Update::VideoPreview(Some(thumbnail::thumbnail(&frame, size, video.sent))));
                news = true;
            }
        }
        if let Some(active) = &self.active {
            let stats = active.recorder.stats();
            self.out.mailbox.post(Update::Progress { media_ms: stats.media_ms, bytes: stats.bytes });
            news = true;
        }
        if news {
            self.out.redraw.request();
        }
    }

    /// Chooses the window's level for the next second: down when the machine is short of CPU or
    /// the recording dropped a frame, back up when there is plenty.
    fn govern(&mut self) {
        let dropped = self.active.as_ref().map_or(0, |a| a.recorder.stats().dropped_video_frames);
        let recorder_dropped = dropped > self.live.dropped;
        self.live.dropped = dropped;
        let idle = self.live.idle.read();
        let level = self.live.governor.second(idle, recorder_dropped);
        self.out.redraw.set_level(level);
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

    // ---- sending -------------------------------------------------------------------------

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

    fn load_settings(&mut self) {
        if let Some(path) = &self.config.settings_file {
            let loaded = settings::load(path);
            self.settings = loaded.settings;
            if let Some(aside) = loaded.set_aside {
                // A file that could not be moved is not written over either.
                self.settings_writable = aside.kept_as.is_some();
                self.out.send(Update::Notice(set_aside_message(&aside)));
            }
        }
        self.out.send(Update::Settings(self.settings.clone()));
    }

    fn save_settings(&self) {
        if let Some(path) = self.config.settings_file.as_ref().filter(|_| self.settings_writable) {
            if let Err(e) = settings::store(path, &self.settings) {
                self.error(&e);
            }
        }
    }
}

/// What the user is told when the settings file could not be used.
fn set_aside_message(aside: &settings::SetAside) -> String {
    match &aside.kept_as {
        Some(kept) => {
            t!("settings-set-aside", problem = settings_problem(&aside.reason), path = kept.display().to_string())
        }
        None => t!("settings-left-alone", problem = settings_problem(&aside.reason)),
    }
}

fn settings_problem(reason: &settings::SettingsError) -> String {
    match reason {
        settings::SettingsError::Damaged(detail) => t!("settings-damaged", detail = detail.as_str()),
        settings::SettingsError::FutureVersion(version) => {
            t!("settings-future", version = version.to_string(), supported = settings::VERSION.to_string())
        }
        settings::SettingsError::Unreadable(detail) => t!("settings-unreadable", detail = detail.as_str()),
    }
}
