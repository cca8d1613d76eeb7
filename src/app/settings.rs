//! Remembered choices: `$XDG_CONFIG_HOME/mediarecorder/settings.json`, written atomically.
//! Unknown fields are ignored and missing ones take their defaults (`#[serde(default)]`), so
//! an older or newer version's file still loads.

use std::path::{Path, PathBuf};

use super::state::Settings;

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

/// Writes settings.
///
/// # Errors
/// A readable message when the file cannot be written.
pub fn store(path: &Path, settings: &Settings) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot remember the settings: {e}");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    }
    let json = serde_json::to_vec_pretty(settings).map_err(|e| fail(&e))?;
    crate::store::write_atomically(path, true, |f| {
        std::io::Write::write_all(f, &json).map_err(|e| crate::RecorderError::io("cannot write", path, e))
    })
    .map_err(|e| fail(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

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
