//! Saving a session as the user's file: the one way the window and the command line do it.

use std::path::Path;

use super::assemble::assemble_with_progress;
use super::manifest::SessionState;
use super::recover::{recover, Recovered};
use super::session::read_manifest;
use crate::error::RecorderError;

/// Writes session `dir` to `out` (replacing it only with `overwrite`): assembled, every chunk
/// checked against its log, when the recording finished cleanly; else — it never finished, an
/// error ended it, or a chunk was damaged or lost since — recovered up to what reached the
/// disk, leaving out what cannot be used. `progress` gets the fraction done. The result says what went in and what was left
/// out: a caller keeps the session when anything was.
///
/// # Errors
/// As [`assemble`](super::assemble()) and [`recover`]: `Io` naming the file for the output
/// (a full disk included), `InvalidState` while a recorder still writes the session.
pub fn save(dir: &Path, out: &Path, overwrite: bool, progress: &dyn Fn(f32)) -> Result<Recovered, RecorderError> {
    // Ended by an error (a full disk), the last chunk — the stream's proper end — may never
    // have reached the disk: recovery ends the stream on what did.
    let clean = read_manifest(dir).is_ok_and(|m| m.state == SessionState::Complete && m.error.is_none());
    if clean {
        match assemble_with_progress(dir, out, overwrite, progress) {
            Ok(a) => {
                return Ok(Recovered {
                    bytes: a.bytes,
                    duration_ms: a.duration_ms,
                    chunks: a.chunks,
                    skipped: Vec::new(),
                })
            }
            Err(e) if !is_chunk_problem(&e, dir) => return Err(e),
            // Recovery keeps the other chunks and says which it left out.
            Err(_) => {}
        }
    }
    let recovered = recover(dir, out, overwrite)?;
    progress(1.0);
    Ok(recovered)
}

/// A chunk of the session is damaged (its checksum) or cannot be read, as opposed to a failure
/// of the output.
fn is_chunk_problem(e: &RecorderError, dir: &Path) -> bool {
    match e {
        RecorderError::Encoding(message) => message.starts_with("chunk "),
        RecorderError::Io(io) => io.path.as_deref().is_some_and(|p| p.starts_with(dir)),
        _ => false,
    }
}
