//! Remembered choices: `$XDG_CONFIG_HOME/mediarecorder/settings.json`, written atomically.
//!
//! The file carries a `version`. Unknown fields are ignored and missing ones take their
//! defaults (`#[serde(default)]`), so an older file (or one from before versions) still loads. A
//! file this program cannot use — damaged, unreadable, or written by a newer version — is never
//! overwritten: it is renamed aside (its owner may want it back, or the newer version may), the
//! defaults are used and the user is told. Outside the app module (it needs no window): the
//! settings parser is fuzzed like every other file the program reads.

use std::path::{Path, PathBuf};

/// The settings file's format version that this program writes.
pub const VERSION: u32 = 1;

/// Recording formats and quality: remembered between runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The microphone last chosen (`default` for the system's).
    pub device_id: String,
    /// The camera, screen or test video last chosen (`None`: sound only).
    pub video_id: Option<String>,
    /// MIME type to record sound only.
    pub mime_type: String,
    /// MIME type to record with video.
    pub video_mime_type: String,
    /// Audio bitrate, bit/s.
    pub audio_bitrate: u32,
    /// Video bitrate, bit/s.
    pub video_bitrate: u32,
    /// Timeslice: how often chunks are delivered, ms.
    pub timeslice_ms: u32,
    /// Seconds between pressing Record and the recording starting (a countdown; 0: at once).
    pub start_delay_s: u32,
    /// The system's sound (what the speakers play) is mixed with the microphone.
    pub also_system_sound: bool,
    /// "Cancel echo": the microphone's `echoCancellation`.
    pub echo_cancellation: bool,
    /// "Reduce noise": the microphone's `noiseSuppression`.
    pub noise_suppression: bool,
    /// "Even out volume": the microphone's `autoGainControl`.
    pub auto_gain_control: bool,
    /// "Pause on silence": recordings pause while the sound stays under the threshold.
    pub pause_on_silence: bool,
    /// What the desktop returned when a screen was last shared through its portal: the same
    /// screen is shared again without asking, until the user revokes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_restore_token: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            device_id: crate::devices::DEFAULT_ID.into(),
            video_id: None,
            mime_type: "audio/ogg;codecs=opus".into(),
            // What browsers record by default.
            video_mime_type: "video/webm;codecs=vp8,opus".into(),
            audio_bitrate: 128_000,
            video_bitrate: 2_500_000,
            timeslice_ms: 1000,
            start_delay_s: 0,
            also_system_sound: false,
            // The browser's defaults for a microphone.
            echo_cancellation: true,
            noise_suppression: true,
            auto_gain_control: true,
            pause_on_silence: false,
            display_restore_token: None,
        }
    }
}

impl Settings {
    /// The MIME type the next recording uses: with video when a video source is chosen.
    pub fn recording_mime_type(&self) -> &str {
        if self.video_id.is_some() {
            &self.video_mime_type
        } else {
            &self.mime_type
        }
    }
}

/// Where settings live, if the system has a config directory.
pub fn default_path() -> Option<PathBuf> {
    Some(dirs::config_dir()?.join("mediarecorder").join("settings.json"))
}

/// Why a settings file was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// Not a settings file: bad JSON, or not an object of settings.
    #[error("the settings file is damaged: {0}")]
    Damaged(String),
    /// Written by a newer version of the program.
    #[error("the settings file is from a newer version (format {0}; this version reads up to {VERSION})")]
    FutureVersion(u32),
    /// The file exists but cannot be read.
    #[error("cannot read the settings file: {0}")]
    Unreadable(String),
}

/// A settings file that was not used, and where it was put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Why it was not used.
    pub reason: SettingsError,
    /// Its new name, or `None` when it could not be renamed (then it is left where it was, and
    /// settings are not written over it during this run).
    pub kept_as: Option<PathBuf>,
}

/// What [`load`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The settings to use: the file's, or the defaults.
    pub settings: Settings,
    /// Set when a file existed but could not be used.
    pub set_aside: Option<SetAside>,
}

/// Reads settings; never fails. A missing file gives the defaults; a file that cannot be used is
/// renamed aside (`settings.damaged-<unix seconds>.json`, `settings.version-<N>-<unix
/// seconds>.json`) and the defaults are used.
pub fn load(path: &Path) -> Loaded {
    let reason = match std::fs::read(path) {
        Ok(bytes) => match parse(&bytes) {
            Ok(settings) => return Loaded { settings, set_aside: None },
            Err(e) => e,
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Loaded { settings: Settings::default(), set_aside: None }
        }
        Err(e) => SettingsError::Unreadable(e.to_string()),
    };
    let tag = match &reason {
        SettingsError::FutureVersion(v) => format!("version-{v}"),
        SettingsError::Damaged(_) => "damaged".into(),
        SettingsError::Unreadable(_) => "unreadable".into(),
    };
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let aside = path.with_file_name(format!("settings.{tag}-{secs}.json"));
    // Never replaces an earlier file set aside in the same second.
    let kept_as = (!aside.exists() && std::fs::rename(path, &aside).is_ok()).then_some(aside);
    Loaded { settings: Settings::default(), set_aside: Some(SetAside { reason, kept_as }) }
}

/// The file as written: the settings with the format's version.
#[derive(serde::Serialize, serde::Deserialize)]
struct File {
    /// Absent in files from before versions: those are version 1.
    #[serde(default = "first_version")]
    version: u32,
    #[serde(flatten)]
    settings: Settings,
}

fn first_version() -> u32 {
    1
}

/// Parses a settings file; values out of range are replaced by their defaults.
///
/// # Errors
/// [`SettingsError::Damaged`] when the bytes are not a settings object,
/// [`SettingsError::FutureVersion`] when a newer version wrote them.
pub fn parse(bytes: &[u8]) -> Result<Settings, SettingsError> {
    let damaged = |e: serde_json::Error| SettingsError::Damaged(e.to_string());
    // The version first, alone: a newer format may change the meaning of any other field.
    #[derive(serde::Deserialize)]
    struct Version {
        #[serde(default = "first_version")]
        version: u32,
    }
    let Version { version } = serde_json::from_slice(bytes).map_err(damaged)?;
    if version > VERSION {
        return Err(SettingsError::FutureVersion(version));
    }
    let File { settings: mut s, .. } = serde_json::from_slice(bytes).map_err(damaged)?;
    let defaults = Settings::default();
    if !s.mime_type.starts_with("audio/") || !crate::MediaRecorder::is_type_supported(&s.mime_type) {
        s.mime_type = defaults.mime_type;
    }
    if !s.video_mime_type.starts_with("video/") || !crate::MediaRecorder::is_type_supported(&s.video_mime_type) {
        s.video_mime_type = defaults.video_mime_type;
    }
    if !(100_000..=50_000_000).contains(&s.video_bitrate) {
        s.video_bitrate = defaults.video_bitrate;
    }
    if s.video_id.as_deref().is_some_and(str::is_empty) {
        s.video_id = None;
    }
    if !(6_000..=510_000).contains(&s.audio_bitrate) {
        s.audio_bitrate = defaults.audio_bitrate;
    }
    if !(100..=60_000).contains(&s.timeslice_ms) {
        s.timeslice_ms = defaults.timeslice_ms;
    }
    if s.device_id.is_empty() {
        s.device_id = defaults.device_id;
    }
    if s.start_delay_s > 60 {
        s.start_delay_s = defaults.start_delay_s;
    }
    Ok(s)
}

/// The file's bytes for `settings`.
pub fn to_json(settings: &Settings) -> Vec<u8> {
    // Plain strings and numbers: serialising cannot fail.
    serde_json::to_vec_pretty(&File { version: VERSION, settings: settings.clone() }).unwrap_or_default()
}

/// Writes settings.
///
/// # Errors
/// A readable message when the file cannot be written.
pub fn store(path: &Path, settings: &Settings) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot remember the settings: {e}");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    }
    let json = to_json(settings);
    crate::store::write_atomically(path, true, |f| {
        std::io::Write::write_all(f, &json).map_err(|e| crate::RecorderError::io("cannot write", path, e))
    })
    .map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_format_follows_the_video_choice() {
        let mut s = Settings::default();
        assert_eq!(s.recording_mime_type(), "audio/ogg;codecs=opus");
        s.video_id = Some("test:pattern".into());
        assert_eq!(s.recording_mime_type(), "video/webm;codecs=vp8,opus");
    }

    #[test]
    fn settings_survive_a_round_trip_and_bad_values_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("settings.json");
        assert_eq!(load(&path), Loaded { settings: Settings::default(), set_aside: None });
        let mine = Settings {
            device_id: "mic_b".into(),
            video_id: Some("screen:0".into()),
            mime_type: "audio/webm;codecs=opus".into(),
            video_mime_type: "video/webm;codecs=vp9,opus".into(),
            audio_bitrate: 64_000,
            video_bitrate: 5_000_000,
            timeslice_ms: 250,
            start_delay_s: 5,
            also_system_sound: true,
            echo_cancellation: false,
            noise_suppression: false,
            auto_gain_control: false,
            pause_on_silence: true,
            display_restore_token: Some("3fd56803-0b7c-4b15-a45a-042e5f7b0010".into()),
        };
        store(&path, &mine).unwrap();
        assert_eq!(load(&path), Loaded { settings: mine, set_aside: None });
        assert!(String::from_utf8(to_json(&Settings::default())).unwrap().contains("\"version\": 1"));

        let odd =
            parse(br#"{"mime_type":"video/x-nope","audio_bitrate":5,"timeslice_ms":0,"start_delay_s":99,"extra":1}"#)
                .unwrap();
        assert_eq!(odd, Settings::default());
        // Each MIME type stays of its kind; a file from before video still loads.
        let swapped = parse(
            br#"{"mime_type":"video/webm;codecs=vp8,opus","video_mime_type":"audio/ogg","video_id":"","video_bitrate":1}"#,
        )
        .unwrap();
        assert_eq!(swapped, Settings::default());
        let old = parse(br#"{"device_id":"mic_b","mime_type":"audio/webm;codecs=opus"}"#).unwrap();
        assert_eq!((old.video_id, old.video_mime_type), (None, Settings::default().video_mime_type));
        assert!(parse(b"{not json").is_err());
        assert!(parse(b"42").is_err());
    }

    #[test]
    fn a_file_it_cannot_use_is_set_aside_and_the_defaults_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let aside = |loaded: &Loaded| loaded.set_aside.as_ref().unwrap().kept_as.clone().unwrap();

        std::fs::write(&path, b"\x00garbage{{").unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.settings, Settings::default());
        assert!(matches!(loaded.set_aside.as_ref().unwrap().reason, SettingsError::Damaged(_)), "{loaded:?}");
        assert!(aside(&loaded).file_name().unwrap().to_str().unwrap().starts_with("settings.damaged-"));
        assert_eq!(std::fs::read(aside(&loaded)).unwrap(), b"\x00garbage{{");
        assert!(!path.exists());

        let future = br#"{"version": 7, "device_id": "mic_b", "mime_type": {"new": "shape"}}"#;
        std::fs::write(&path, future).unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.settings, Settings::default());
        assert_eq!(loaded.set_aside.as_ref().unwrap().reason, SettingsError::FutureVersion(7));
        assert!(aside(&loaded).file_name().unwrap().to_str().unwrap().starts_with("settings.version-7-"));
        assert_eq!(std::fs::read(aside(&loaded)).unwrap(), future);

        // A file from before versions is version 1.
        std::fs::write(&path, br#"{"device_id": "mic_b"}"#).unwrap();
        assert_eq!(load(&path).settings.device_id, "mic_b");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    }
}
