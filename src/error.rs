//! The library's one error type, named after the DOMExceptions the web API throws.

use std::path::PathBuf;

/// Everything that can go wrong in the recorder, as the web's `DOMException` names.
///
/// Calls return these where the web would throw; the recorder sends them in
/// [`RecorderEvent::Error`](crate::RecorderEvent::Error) where the web fires `error`.
#[derive(Debug, thiserror::Error)]
pub enum RecorderError {
    /// The call is not allowed in the recorder's (or track's) current state.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// A MIME type, codec or stream shape that this recorder cannot produce.
    #[error("not supported: {0}")]
    NotSupported(String),
    /// No device with that id.
    #[error("not found: {0}")]
    NotFound(String),
    /// Tracks were added to or removed from the stream while recording.
    #[error("invalid modification: {0}")]
    InvalidModification(String),
    /// The user or the system refused to share (the desktop's screen sharing dialog was
    /// cancelled, a kept permission was revoked): the web's `NotAllowedError`.
    #[error("not allowed: {0}")]
    NotAllowed(String),
    /// Capture was refused (permissions).
    #[error("security: {0}")]
    Security(String),
    /// The recording's data is not what it should be (a damaged chunk, a stream this recorder
    /// did not write), or an encoder refused a frame; the message says which.
    #[error("encoding failed: {0}")]
    Encoding(String),
    /// An encoder or container writer (libopus, libvpx, rav1e, the WebM and Ogg writers)
    /// failed: what it was doing, and the library's own error.
    #[error("encoding failed: {what}: {source}")]
    Encoder {
        /// What was being done, e.g. "libopus".
        what: String,
        /// The library's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A capture device could not be opened or started (the web's `NotReadableError`): which
    /// device, what was being done, and the audio or video library's error.
    #[error("{device}: {what}: {source}")]
    Device {
        /// The device's name.
        device: String,
        /// What was being done, e.g. "cannot start capture".
        what: String,
        /// The library's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Reading or writing a file failed; the path names where.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The recorder cannot take the call now (its command queue is full: it is writing a
    /// chunk); the same call a moment later succeeds.
    #[error("the recorder is busy; try again")]
    Busy,
    /// Anything else, e.g. the audio server went away.
    #[error("{0}")]
    Unknown(String),
}

/// An I/O failure with what was being done and where (the path last, as users read it).
#[derive(Debug, thiserror::Error)]
#[error("{what}: {source}{}", path.as_ref().map(|p| format!(" ({})", p.display())).unwrap_or_default())]
pub struct IoError {
    /// What the recorder was doing, e.g. "writing chunk 3".
    pub what: String,
    /// The file or directory involved, when there is one.
    pub path: Option<PathBuf>,
    /// The operating system's error.
    #[source]
    pub source: std::io::Error,
}

impl IoError {
    /// `true` when the disk (or quota) is full: the message then says how much was kept.
    pub fn is_disk_full(&self) -> bool {
        matches!(self.source.raw_os_error(), Some(libc::ENOSPC) | Some(libc::EDQUOT))
    }
}

impl RecorderError {
    /// An [`RecorderError::Io`] for `what` that involves no file (starting a thread, say).
    pub fn os(what: impl Into<String>, source: std::io::Error) -> Self {
        RecorderError::Io(IoError { what: what.into(), path: None, source })
    }

    /// An [`RecorderError::Encoder`]: `what` failed with the library's `source`.
    pub fn encoder(what: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        RecorderError::Encoder { what: what.into(), source: Box::new(source) }
    }

    /// An [`RecorderError::Io`] for `what` at `path`.
    pub fn io(what: impl Into<String>, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RecorderError::Io(IoError { what: what.into(), path: Some(path.into()), source })
    }

    /// An I/O error that names no file yet names `path` (a writer that knew no paths failed
    /// writing there).
    pub fn or_path(self, path: &std::path::Path) -> Self {
        match self {
            RecorderError::Io(IoError { what, path: None, source }) => {
                RecorderError::Io(IoError { what, path: Some(path.to_path_buf()), source })
            }
            other => other,
        }
    }

    /// The disk (or quota) is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, RecorderError::Io(io) if io.is_disk_full())
    }
}
