//! The chunk store: one directory per recording under the XDG data dir, one durable file per
//! chunk (written, fsynced and renamed into place before anyone is told), a manifest and an
//! append-only chunk log, and assembling a session into the user's file.

mod assemble;
mod chunk_reader;
mod durable;
mod manifest;
mod recover;
mod save;
mod session;

pub use assemble::{assemble, assemble_with_progress, read_stream, Assembled};
pub use durable::{write_atomically, write_document_atomically};
pub use manifest::{parse_chunk_log, parse_chunk_log_leniently, parse_chunk_name, ChunkRecord, Manifest, SessionState};
pub use recover::{list_sessions, recover, Recovered, SessionSummary};
pub use save::save;
pub use session::{read_manifest, remove_session, session_name, set_session_name, SessionStore};

use std::path::{Path, PathBuf};

/// Bytes free for an unprivileged user on the filesystem holding `path` (or its nearest existing
/// parent), if the system says.
pub fn available_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let stat = rustix::fs::statvfs(existing).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Where sessions live: `$XDG_DATA_HOME/mediarecorder/sessions` (`~/.local/share/…`).
pub fn default_root() -> PathBuf {
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("mediarecorder").join("sessions")
}
