//! Saving a recording: the native save dialog (rfd, GTK in-process) on its own thread, and the
//! assembling of chunks into the chosen file on another, with progress.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use crate::store;
use crate::t;

/// What the user did with the save dialog.
#[derive(Debug)]
pub enum DialogOutcome {
    /// Chose this file (the dialog has confirmed any overwrite).
    Chosen { id: String, path: PathBuf },
    /// Closed it.
    Cancelled,
    /// No dialog could be shown: ask in the window.
    Unavailable { id: String, suggested: PathBuf, reason: String },
}

/// A finished save.
#[derive(Debug)]
pub struct SaveDone {
    /// The recording.
    pub id: String,
    /// It never finished (listed as recovered): the status it goes back to if the save fails.
    pub recovering: bool,
    /// Where it went and what had to be left out (a damaged chunk), or why it was not saved.
    pub result: Result<(PathBuf, Vec<String>), crate::RecorderError>,
}

/// Whether a native dialog can be shown. GTK's start-up blocks forever in rfd when it cannot
/// reach a display (its GTK thread exits and the request is never answered), so this is checked
/// first rather than discovered.
///
/// # Errors
/// Why not, in words for the user.
pub fn display_available(native_dialogs: bool) -> Result<(), String> {
    if !native_dialogs {
        return Err(t!("dialogs-off"));
    }
    if let Some(wayland) = std::env::var_os("WAYLAND_DISPLAY") {
        let socket = Path::new(&wayland);
        let path = if socket.is_absolute() {
            socket.to_path_buf()
        } else {
            dirs::runtime_dir().unwrap_or_default().join(socket)
        };
        if path.exists() {
            return Ok(());
        }
    }
    let Some(display) = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) else {
        return Err(t!("no-display-for-dialog"));
    };
    // A local display `:N` (or `:N.S`) listens on /tmp/.X11-unix/XN; other forms are remote
    // and assumed reachable.
    if let Some(number) = display.strip_prefix(':') {
        let number = number.split('.').next().unwrap_or(number);
        if !Path::new("/tmp/.X11-unix").join(format!("X{number}")).exists() {
            return Err(t!("display-not-running", display = display.as_str()));
        }
    }
    Ok(())
}

/// Opens the save dialog on its own thread; `done` gets the outcome. The thread is detached on
/// purpose: a dialog waits on the user for as long as they like, and must not hold up quitting.
///
/// # Errors
/// When the thread cannot start.
pub fn spawn_dialog(
    id: String,
    dir: PathBuf,
    file_name: String,
    extension: String,
    done: impl FnOnce(DialogOutcome) + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("save-dialog".into()).spawn(move || {
        let suggested = dir.join(&file_name);
        let format = match extension.as_str() {
            "webm" => "WebM",
            "mp4" => "MP4",
            _ => "Ogg Opus",
        };
        let chosen = std::panic::catch_unwind(|| {
            rfd::FileDialog::new()
                .set_title(t!("save-recording"))
                .set_directory(&dir)
                .set_file_name(&file_name)
                .add_filter(format, &[extension.as_str()])
                .save_file()
        });
        done(match chosen {
            Ok(Some(path)) => DialogOutcome::Chosen { id, path },
            Ok(None) => DialogOutcome::Cancelled,
            Err(_) => DialogOutcome::Unavailable { id, suggested, reason: t!("save-dialog-failed") },
        });
    })?;
    Ok(())
}

/// Writes recording `dir` to `path` on a thread named `save-recording` ([`store::save`]:
/// assembled when it finished cleanly, recovered up to its last good chunk when it did not). `progress` gets the
/// fraction done, `done` the result; the caller joins the handle.
///
/// # Errors
/// When the thread cannot start.
pub fn spawn_save(
    id: String,
    dir: PathBuf,
    path: PathBuf,
    overwrite: bool,
    recovering: bool,
    progress: impl Fn(f32) + Send + 'static,
    done: impl FnOnce(SaveDone) + Send + 'static,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name("save-recording".into()).spawn(move || {
        let result = store::save(&dir, &path, overwrite, &progress).map(|saved| (path.clone(), saved.skipped));
        progress(1.0);
        done(SaveDone { id, recovering, result });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dialog_is_not_attempted_without_a_display() {
        assert!(display_available(false).is_err());
    }
}
