//! The recordings on disk, as the list shows them: every session directory under the store root
//! that still holds chunks (finished ones, and unfinished ones left by a crash), with the user's
//! names. Runs on the controller thread.

use std::path::{Path, PathBuf};

use super::state::{RecordingEntry, RecordingStatus};
use crate::store::{self, SessionState};
use crate::t;

/// A listed recording and where its chunks are.
#[derive(Debug, Clone)]
pub struct Recording {
    /// What the list shows.
    pub entry: RecordingEntry,
    /// Its session directory.
    pub dir: PathBuf,
}

/// Reads every session under `root`, oldest first. Sessions another process is writing, and
/// sessions without a chunk, are left out (nothing to play or save).
pub fn scan(root: &Path) -> Vec<Recording> {
    let mut sessions = store::list_sessions(root);
    sessions.sort_by_key(|s| s.created_unix_ms.unwrap_or(0));
    sessions
        .into_iter()
        .filter(|s| !s.in_use && s.chunks > 0)
        .map(|s| {
            let manifest = store::read_manifest(&s.dir).ok();
            let complete = s.state == Some(SessionState::Complete);
            let duration_ms = manifest.as_ref().filter(|_| complete).map_or(s.duration_ms, |m| m.duration_ms);
            let mime_type = manifest.as_ref().map_or_else(|| "audio/ogg;codecs=opus".into(), |m| m.mime_type.clone());
            let error = manifest.and_then(|m| m.error);
            Recording {
                entry: RecordingEntry {
                    name: store::session_name(&s.dir).unwrap_or_else(|| default_name(s.created_unix_ms)),
                    id: s.id,
                    duration_ms,
                    bytes: s.bytes,
                    extension: s.extension,
                    mime_type,
                    status: if complete { RecordingStatus::Ready } else { RecordingStatus::Recovered },
                    error,
                },
                dir: s.dir,
            }
        })
        .collect()
}

/// `Recording 2026-11-23 14-05-09`, in local time: a name that sorts by date and is a valid file
/// name everywhere (no colons).
pub fn default_name(created_unix_ms: Option<u64>) -> String {
    let when = created_unix_ms
        .and_then(|ms| chrono::DateTime::from_timestamp_millis(i64::try_from(ms).ok()?))
        .map_or_else(chrono::Local::now, |t| t.with_timezone(&chrono::Local));
    t!("recording-name", when = when.format("%Y-%m-%d %H-%M-%S").to_string())
}

/// Where a save dialog starts: the user's music directory (XDG_MUSIC_DIR, else `~/Music`,
/// created as desktop recorders do), or for a video their videos directory (XDG_VIDEOS_DIR,
/// else `~/Videos`); else home.
pub fn default_save_dir(video: bool) -> PathBuf {
    let (xdg, fallback) = if video { (dirs::video_dir(), "Videos") } else { (dirs::audio_dir(), "Music") };
    if let Some(dir) = xdg {
        return dir;
    }
    let Some(home) = dirs::home_dir() else { return PathBuf::from(".") };
    let dir = home.join(fallback);
    if dir.is_dir() || std::fs::create_dir(&dir).is_ok() {
        dir
    } else {
        home
    }
}

/// The file name a recording is saved as by default: its name, with characters no file system
/// takes replaced, and its format's extension.
pub fn default_file_name(entry: &RecordingEntry) -> String {
    let clean: String =
        entry
            .name
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                    '-'
                } else {
                    c
                }
            })
            .collect();
    let clean = clean.trim().trim_start_matches('.');
    let fallback = t!("recording-fallback-name");
    let stem = if clean.is_empty() { fallback.as_str() } else { clean };
    format!("{stem}.{}", entry.extension)
}

/// Adds the recording's extension to a path typed without one.
pub fn with_extension(path: PathBuf, extension: &str) -> PathBuf {
    if path.extension().is_some() {
        path
    } else {
        path.with_extension(extension)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_carry_the_extension() {
        let mut e = RecordingEntry {
            id: "x".into(),
            name: "Interview: part 1/2".into(),
            duration_ms: 0.0,
            bytes: 0,
            extension: "ogg".into(),
            mime_type: "audio/ogg;codecs=opus".into(),
            status: RecordingStatus::Ready,
            error: None,
        };
        assert_eq!(default_file_name(&e), "Interview- part 1-2.ogg");
        e.name = "..".into();
        assert_eq!(default_file_name(&e), "Recording.ogg");
        assert_eq!(with_extension("/tmp/a".into(), "webm"), PathBuf::from("/tmp/a.webm"));
        assert_eq!(with_extension("/tmp/a.oga".into(), "ogg"), PathBuf::from("/tmp/a.oga"));
    }

    #[test]
    fn default_names_carry_the_local_date_and_time() {
        let name = default_name(Some(1_700_000_000_000));
        assert!(name.starts_with("Recording 2023-11-1"), "{name}");
        assert_eq!(name.len(), "Recording 2023-11-14 22-13-20".len());
    }
}
