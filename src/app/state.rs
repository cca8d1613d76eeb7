//! What the window shows, as plain data: the controller's [`Update`]s fold into [`AppState`], and
//! the panels turn clicks into [`Command`]s. Nothing here touches a device, an encoder or a file.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use crate::settings::Settings;
use crate::RecordingState;

/// A microphone (or the test tone) as the picker lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    /// What to open: `default`, a device id, or `test:tone`.
    pub id: String,
    /// Human label.
    pub label: String,
}

/// Peak and RMS level of the last ~50 ms and the recent waveform, for the live preview.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeterReading {
    /// Peak level in dBFS (`-inf` for silence).
    pub peak_dbfs: f32,
    /// RMS level in dBFS.
    pub rms_dbfs: f32,
    /// A sample reached full scale in the last second.
    pub clipping: bool,
    /// The input has been under the silence threshold for as long as pausing on silence waits.
    pub silent: bool,
    /// Peak of each 20 ms of the last few seconds, oldest first, in [0, 1].
    pub waveform: Vec<f32>,
    /// Each source's own level when several are mixed (empty otherwise).
    pub sources: Vec<SourceLevel>,
}

/// One source's level in a mix: the microphone's, the system sound's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceLevel {
    /// The source's label.
    pub label: String,
    /// Peak level in dBFS (`-inf` for silence).
    pub peak_dbfs: f32,
    /// RMS level in dBFS.
    pub rms_dbfs: f32,
}

/// The newest frame of the video source, scaled down for the preview: RGBA, row by row.
#[derive(Debug, Clone)]
pub struct PreviewImage {
    /// Counts frames sent: a new number is a new picture (the window uploads it once).
    pub seq: u64,
    /// Width of `rgba`, pixels.
    pub width: u32,
    /// Height of `rgba`, pixels.
    pub height: u32,
    /// `width × height` RGBA pixels.
    pub rgba: Arc<[u8]>,
    /// The source's own frame size.
    pub source_size: (u32, u32),
}

impl PartialEq for PreviewImage {
    /// Pictures are told apart by number: comparing pixels each frame would cost for nothing.
    fn eq(&self, other: &PreviewImage) -> bool {
        self.seq == other.seq && self.width == other.width && self.height == other.height
    }
}

/// Where a listed recording stands.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordingStatus {
    /// Being recorded now.
    Recording,
    /// Stopped cleanly; its chunks wait in its session directory.
    Ready,
    /// The app (or the machine) stopped before the recording finished: it can still be saved,
    /// up to its last durable chunk.
    Recovered,
    /// Being written to a file: fraction done.
    Saving(f32),
    /// Written to this file (the session's chunks are gone).
    Saved(PathBuf),
}

/// One recording in the session list.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingEntry {
    /// Session id (its directory name).
    pub id: String,
    /// The user's name for it; the default file name when saving.
    pub name: String,
    /// Media length in ms.
    pub duration_ms: f64,
    /// Bytes on disk.
    pub bytes: u64,
    /// File extension: `ogg` or `webm`.
    pub extension: String,
    /// Full MIME type with codecs (what [`format_label`] names).
    pub mime_type: String,
    /// Where it stands.
    pub status: RecordingStatus,
    /// Why it ended early, when it did (device unplugged, disk full…).
    pub error: Option<String>,
}

/// The MIME types offered for sound only, in the order shown (each checked with
/// `is_type_supported`).
pub const MIME_CHOICES: &[&str] = &["audio/ogg;codecs=opus", "audio/webm;codecs=opus", "audio/mp4;codecs=opus"];
/// The MIME types offered with video: VP8 first (real time at any size here), then VP9 and AV1
/// (the governor picks an AV1 encoder, or a smaller size, that keeps up); then MP4, H.264 first
/// (what plays everywhere).
pub const VIDEO_MIME_CHOICES: &[&str] = &[
    "video/webm;codecs=vp8,opus",
    "video/webm;codecs=vp9,opus",
    "video/webm;codecs=av1,opus",
    "video/mp4;codecs=avc1,opus",
    "video/mp4;codecs=av01,opus",
];
/// Audio bitrates offered, bit/s.
pub const BITRATE_CHOICES: &[u32] = &[32_000, 64_000, 96_000, 128_000, 192_000, 256_000];
/// Video bitrates offered, bit/s.
pub const VIDEO_BITRATE_CHOICES: &[u32] = &[1_000_000, 2_500_000, 5_000_000, 8_000_000];
/// Timeslices offered, ms.
pub const TIMESLICE_CHOICES: &[u32] = &[100, 250, 500, 1000, 2000, 5000];
/// Countdowns offered before recording starts, s (0: none).
pub const START_DELAY_CHOICES: &[u32] = &[0, 3, 5, 10];

/// The settings that are switched on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggle {
    /// "Also record the system's sound".
    AlsoSystemSound,
    /// "Cancel echo".
    EchoCancellation,
    /// "Reduce noise".
    NoiseSuppression,
    /// "Even out volume".
    AutoGainControl,
    /// "Pause on silence".
    PauseOnSilence,
}

impl Toggle {
    /// The setting in `settings`.
    pub fn of(self, settings: &mut Settings) -> &mut bool {
        match self {
            Toggle::AlsoSystemSound => &mut settings.also_system_sound,
            Toggle::EchoCancellation => &mut settings.echo_cancellation,
            Toggle::NoiseSuppression => &mut settings.noise_suppression,
            Toggle::AutoGainControl => &mut settings.auto_gain_control,
            Toggle::PauseOnSilence => &mut settings.pause_on_silence,
        }
    }
}

/// What the user asked for; the controller carries it out.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Preview (and record from) this microphone.
    SelectDevice(String),
    /// Preview (and record from) this camera, screen or test video; `None`: sound only.
    SelectVideo(Option<String>),
    /// Change format or quality (and remember it).
    ChangeSettings(Settings),
    /// Turn one on/off setting on or off (and remember it). Applied to the controller's own
    /// settings: switches clicked in quick succession each keep their change, even when the
    /// window's copy was replaced in between by an answer to an earlier one.
    Switch(Toggle, bool),
    /// Start recording from the selected device (after the countdown in the settings, if any).
    Record,
    /// Cancel the countdown before a recording: nothing is recorded.
    CancelCountdown,
    /// Pause the recording.
    Pause,
    /// Resume the recording.
    Resume,
    /// Stop the recording.
    Stop,
    /// Rename a recording.
    Rename {
        /// The recording.
        id: String,
        /// Its new name.
        name: String,
    },
    /// Delete a recording's chunks (after the user confirmed).
    Delete {
        /// The recording.
        id: String,
    },
    /// Ask where to save a recording (the native dialog), then save it there.
    ChooseSaveTarget {
        /// The recording.
        id: String,
    },
    /// Save a recording to this file (replacing it only with `overwrite`: a native dialog has
    /// already asked the user).
    SaveTo {
        /// The recording.
        id: String,
        /// The file to write.
        path: PathBuf,
        /// Replace an existing file.
        overwrite: bool,
    },
    /// Play a recording through the default output.
    Play {
        /// The recording.
        id: String,
    },
    /// Stop playback.
    StopPlayback,
}

/// News from the controller.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// The device list (hot-plug) and which one is selected.
    Devices {
        /// Microphones, then the test tone.
        list: Vec<DeviceEntry>,
        /// The id previewed now.
        selected: String,
        /// Only the test tone is there.
        no_microphone: bool,
    },
    /// The video sources and which one is selected.
    VideoDevices {
        /// Cameras, screens, then the test videos.
        list: Vec<DeviceEntry>,
        /// The id previewed now (`None`: sound only).
        selected: Option<String>,
        /// No camera was found.
        no_camera: bool,
    },
    /// The live preview's level.
    Meter(MeterReading),
    /// The video source's newest picture (`None`: no video source is open).
    VideoPreview(Option<PreviewImage>),
    /// The devices open now (microphone, camera, screen), by label: the window shows that they
    /// are live.
    Capturing(Vec<String>),
    /// The recorder's state.
    State(RecordingState),
    /// Whole seconds left before the recording starts (`None`: no countdown).
    Countdown(Option<u32>),
    /// Media recorded so far in the current recording (paused time excluded), and its bytes.
    Progress {
        /// Media time, ms.
        media_ms: f64,
        /// Bytes written.
        bytes: u64,
    },
    /// The recordings of this and earlier sessions.
    Recordings(Vec<RecordingEntry>),
    /// The current settings.
    Settings(Settings),
    /// No save dialog could be shown: ask for the path in the window instead.
    AskSavePath {
        /// The recording.
        id: String,
        /// The path to offer.
        suggested: PathBuf,
        /// Why no dialog could be shown.
        reason: String,
    },
    /// A recording is playing (`None`: playback ended).
    Playing(Option<String>),
    /// Something the user did finished: say so.
    Notice(String),
    /// Something went wrong: say what, plainly.
    Error(String),
}

/// Everything the window draws.
#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// Microphones and the test tone.
    pub devices: Vec<DeviceEntry>,
    /// The id being previewed.
    pub selected_device: String,
    /// No microphone was found: the test tone is in use.
    pub no_microphone: bool,
    /// Cameras, screens and test videos.
    pub video_devices: Vec<DeviceEntry>,
    /// The video source being previewed (`None`: sound only).
    pub selected_video: Option<String>,
    /// No camera was found (screens and test videos may still be listed).
    pub no_camera: bool,
    /// Live level.
    pub meter: MeterReading,
    /// Live picture of the video source.
    pub video_preview: Option<PreviewImage>,
    /// Labels of the devices open now (for the "live" indicator).
    pub capturing: Vec<String>,
    /// The recorder's state.
    pub recording_state: RecordingState,
    /// Seconds left before a recording starts, while counting down.
    pub countdown_s: Option<u32>,
    /// Media recorded in the current recording, ms.
    pub media_ms: f64,
    /// Bytes written in the current recording.
    pub bytes: u64,
    /// The list of recordings.
    pub recordings: Vec<RecordingEntry>,
    /// The selected recording (Ctrl+S saves it).
    pub selected_recording: Option<String>,
    /// Format and quality.
    pub settings: Settings,
    /// The recording being played.
    pub playing: Option<String>,
    /// A recording waiting for the user's "Delete?" confirmation.
    pub confirm_delete: Option<String>,
    /// A recording being renamed, with the text typed so far.
    pub renaming: Option<(String, String)>,
    /// No dialog could be shown: the path field for this recording, with why.
    pub save_path_prompt: Option<SavePrompt>,
    /// The last notice.
    pub notice: Option<String>,
    /// The last error, until dismissed.
    pub error: Option<String>,
    /// "Area…" is open: the user is choosing part of a screen.
    pub area_picker: Option<AreaPicker>,
}

/// The "Area…" dialog's state.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaPicker {
    /// The whole screen's id (its areas are cut from it).
    pub whole: String,
    /// The picture the user chooses on (the preview when the dialog opened).
    pub still: PreviewImage,
    /// The rectangle dragged so far: its corners as fractions of the picture.
    pub drag: Option<(egui::Vec2, egui::Vec2)>,
}

/// The in-window "Save to" field shown when no native dialog could open.
#[derive(Debug, Clone, PartialEq)]
pub struct SavePrompt {
    /// The recording to save.
    pub id: String,
    /// The path typed so far.
    pub path: String,
    /// Why the dialog could not be shown.
    pub reason: String,
}

impl Default for AppState {
    fn default() -> AppState {
        AppState {
            devices: Vec::new(),
            selected_device: crate::devices::DEFAULT_ID.into(),
            no_microphone: false,
            video_devices: Vec::new(),
            selected_video: None,
            no_camera: false,
            video_preview: None,
            capturing: Vec::new(),
            meter: MeterReading { peak_dbfs: f32::NEG_INFINITY, rms_dbfs: f32::NEG_INFINITY, ..Default::default() },
            recording_state: RecordingState::Inactive,
            countdown_s: None,
            media_ms: 0.0,
            bytes: 0,
            recordings: Vec::new(),
            selected_recording: None,
            settings: Settings::default(),
            playing: None,
            confirm_delete: None,
            renaming: None,
            save_path_prompt: None,
            notice: None,
            error: None,
            area_picker: None,
        }
    }
}

impl AppState {
    /// Folds one update in.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Devices { list, selected, no_microphone } => {
                self.devices = list;
                self.selected_device = selected;
                self.no_microphone = no_microphone;
            }
            Update::VideoDevices { list, selected, no_camera } => {
                self.video_devices = list;
                self.selected_video = selected;
                self.no_camera = no_camera;
            }
            Update::Meter(m) => self.meter = m,
            Update::VideoPreview(p) => self.video_preview = p,
            Update::Capturing(labels) => self.capturing = labels,
            Update::State(s) => {
                if s == RecordingState::Recording && self.recording_state == RecordingState::Inactive {
                    self.media_ms = 0.0;
                    self.bytes = 0;
                }
                self.recording_state = s;
            }
            Update::Countdown(left) => self.countdown_s = left,
            Update::Progress { media_ms, bytes } => {
                self.media_ms = media_ms;
                self.bytes = bytes;
            }
            Update::Recordings(list) => {
                // A new recording becomes the selected one (what Ctrl+S saves).
                let newest_new = list.iter().rev().find(|r| !self.recordings.iter().any(|o| o.id == r.id));
                if let Some(r) = newest_new {
                    self.selected_recording = Some(r.id.clone());
                }
                if self.selected_recording.as_ref().is_some_and(|id| !list.iter().any(|r| &r.id == id)) {
                    self.selected_recording = list.last().map(|r| r.id.clone());
                }
                self.recordings = list;
            }
            Update::Settings(s) => self.settings = s,
            Update::AskSavePath { id, suggested, reason } => {
                self.save_path_prompt = Some(SavePrompt { id, path: suggested.display().to_string(), reason });
            }
            Update::Playing(id) => self.playing = id,
            Update::Notice(n) => self.notice = Some(n),
            Update::Error(e) => self.error = Some(e),
        }
    }

    /// The recording Ctrl+S saves: the selected one, if it can be saved.
    pub fn savable_selection(&self) -> Option<&RecordingEntry> {
        let id = self.selected_recording.as_ref()?;
        self.recordings.iter().find(|r| &r.id == id && r.can_save())
    }

    /// Whether the device picker and format choices can change (not while recording or counting
    /// down to it).
    pub fn can_configure(&self) -> bool {
        self.recording_state == RecordingState::Inactive && self.countdown_s.is_none()
    }
}

impl RecordingEntry {
    /// Chunks are on disk and no save is running.
    pub fn can_save(&self) -> bool {
        matches!(self.status, RecordingStatus::Ready | RecordingStatus::Recovered)
    }
}

/// A MIME type as people name it: `WebM VP8 + Opus`, `Ogg Opus`.
pub fn format_label(mime: &str) -> String {
    let container = if mime.contains("webm") {
        "WebM"
    } else if mime.contains("mp4") {
        "MP4"
    } else {
        "Ogg"
    };
    let codecs = mime
        .split_once("codecs=")
        .map_or("opus", |(_, c)| c)
        .trim_matches('"')
        .split(',')
        .map(|c| match c.trim().to_ascii_lowercase().as_str() {
            "opus" => "Opus".to_owned(),
            "avc1" => "H.264".to_owned(),
            "av01" => "AV1".to_owned(),
            "vp09" => "VP9".to_owned(),
            other => other.to_ascii_uppercase(),
        })
        .collect::<Vec<_>>()
        .join(" + ");
    format!("{container} {codecs}")
}

/// `mm:ss.t` (or `h:mm:ss`) for the timer and the list.
pub fn format_duration(ms: f64) -> String {
    let d = Duration::from_millis(ms.max(0.0) as u64);
    let secs = d.as_secs();
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{:02}:{:02}.{}", secs / 60, secs % 60, d.subsec_millis() / 100)
    }
}

/// `1.2 MB`, `340 kB`, `12 B`.
pub fn format_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{} kB", b / 1_000),
        b => format!("{b} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> RecordingEntry {
        RecordingEntry {
            id: id.into(),
            name: id.into(),
            duration_ms: 1000.0,
            bytes: 10,
            extension: "ogg".into(),
            mime_type: "audio/ogg;codecs=opus".into(),
            status: RecordingStatus::Ready,
            error: None,
        }
    }

    #[test]
    fn a_new_recording_becomes_the_selection_and_a_deleted_one_leaves_it() {
        let mut s = AppState::default();
        s.apply(Update::Recordings(vec![entry("a")]));
        assert_eq!(s.selected_recording.as_deref(), Some("a"));
        s.apply(Update::Recordings(vec![entry("a"), entry("b")]));
        assert_eq!(s.selected_recording.as_deref(), Some("b"));
        s.apply(Update::Recordings(vec![entry("a")]));
        assert_eq!(s.selected_recording.as_deref(), Some("a"));
        s.apply(Update::Recordings(vec![]));
        assert_eq!(s.selected_recording, None);
    }

    #[test]
    fn the_timer_restarts_with_each_recording() {
        let mut s = AppState::default();
        s.apply(Update::State(RecordingState::Recording));
        s.apply(Update::Progress { media_ms: 2500.0, bytes: 9 });
        s.apply(Update::State(RecordingState::Paused));
        s.apply(Update::State(RecordingState::Recording));
        assert_eq!(s.media_ms, 2500.0, "resuming keeps the time");
        s.apply(Update::State(RecordingState::Inactive));
        s.apply(Update::State(RecordingState::Recording));
        assert_eq!(s.media_ms, 0.0);
    }

    #[test]
    fn durations_and_sizes_read_naturally() {
        assert_eq!(format_duration(3_250.0), "00:03.2");
        assert_eq!(format_duration(3_725_000.0), "1:02:05");
        assert_eq!(format_bytes(1_234_567), "1.2 MB");
        assert_eq!(format_bytes(340_100), "340 kB");
        assert_eq!(format_label("audio/ogg;codecs=opus"), "Ogg Opus");
        assert_eq!(format_label("video/webm;codecs=vp8,opus"), "WebM VP8 + Opus");
        assert_eq!(format_label("video/webm;codecs=\"av1\""), "WebM AV1");
        assert_eq!(format_label("video/mp4;codecs=avc1,opus"), "MP4 H.264 + Opus");
        assert_eq!(format_label("audio/mp4;codecs=opus"), "MP4 Opus");
    }
}
