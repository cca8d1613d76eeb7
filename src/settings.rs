//! Remembered choices: `$XDG_CONFIG_HOME/mediarecorder/settings.json`, written atomically.
//! Unknown fields are ignored and missing ones take their defaults (`#[serde(default)]`), so
//! an older or newer version's file still loads. Outside the app module (it needs no window):
//! the settings parser is fuzzed like every other file the program reads.

use std::path::{Path, PathBuf};

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

/// Reads settings; a missing file gives the defaults.
///
/// # Errors
/// A readable message when the file exists but cannot be read or parsed (the defaults are used).
pub fn load(path: &Path) -> Result<Settings, String> {
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes).map_err(|e| format!("settings ignored, {e} ({})", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(e) => Err(format!("cannot read the settings: {e} ({})", path.display())),
    }
}

/// Parses a settings file; values out of range are replaced by their defaults.
///
/// # Errors
/// When the bytes are not a settings object.
pub fn parse(bytes: &[u8]) -> Result<Settings, String> {
    let mut s: Settings = serde_json::from_slice(bytes).map_err(|e| format!("they are damaged: {e}"))?;
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
    Ok(s)
}

/// The file's bytes for `settings`.
pub fn to_json(settings: &Settings) -> Vec<u8> {
    // Plain strings and numbers: serialising cannot fail.
    serde_json::to_vec_pretty(settings).unwrap_or_default()
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
        assert_eq!(load(&path).unwrap(), Settings::default());
        let mine = Settings {
            device_id: "mic_b".into(),
            video_id: Some("screen:0".into()),
            mime_type: "audio/webm;codecs=opus".into(),
            video_mime_type: "video/webm;codecs=vp9,opus".into(),
            audio_bitrate: 64_000,
            video_bitrate: 5_000_000,
            timeslice_ms: 250,
        };
        store(&path, &mine).unwrap();
        assert_eq!(load(&path).unwrap(), mine);

        let odd = parse(br#"{"mime_type":"video/x-nope","audio_bitrate":5,"timeslice_ms":0,"extra":1}"#).unwrap();
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
}
