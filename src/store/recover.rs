//! Finding recordings that never finished (the process died) and turning what reached the disk
//! into a file that plays. Reads the session; writes only the output file.

use std::collections::HashMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::chunk_reader::{ChunkReader, Piece};
use super::durable::write_document_atomically;
use super::manifest::{
    parse_chunk_log_leniently, parse_chunk_name, ChunkRecord, SessionState, CHUNK_LOG_FILE, MANIFEST_FILE,
};
use super::session::read_manifest;
use crate::container::{mp4, ogg, webm, Damage};
use crate::error::RecorderError;

/// A session directory, as found on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSummary {
    /// The directory.
    pub dir: PathBuf,
    /// Its name.
    pub id: String,
    /// From the manifest; `None` when the manifest is missing or unreadable.
    pub state: Option<SessionState>,
    /// A live recorder is still writing it.
    pub in_use: bool,
    /// `ogg` or `webm`.
    pub extension: String,
    /// When recording started (ms since the epoch), from the manifest or the directory name.
    pub created_unix_ms: Option<u64>,
    /// Chunk files present.
    pub chunks: usize,
    /// Their total size.
    pub bytes: u64,
    /// Media time at the end of the last logged chunk, ms.
    pub duration_ms: f64,
}

impl SessionSummary {
    /// Ended without finishing (the recorder died) and nobody is writing it now.
    pub fn needs_recovery(&self) -> bool {
        self.unsaved() && self.state != Some(SessionState::Complete)
    }

    /// Holds a recording and nobody is writing it now: a session is removed once its recording
    /// is saved, so this one is not saved anywhere yet (it never finished, its file could not be
    /// written, or the window keeps it until the user saves it).
    pub fn unsaved(&self) -> bool {
        !self.in_use && self.chunks > 0
    }
}

/// What [`recover`] wrote, and what it had to leave out.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    /// Bytes in the output file.
    pub bytes: u64,
    /// Media duration in ms.
    pub duration_ms: f64,
    /// Chunks that went into the file.
    pub chunks: usize,
    /// Chunks left out, and why.
    pub skipped: Vec<String>,
}

fn chunk_files(dir: &Path) -> Result<Vec<(u32, String, PathBuf)>, RecorderError> {
    let entries = fs::read_dir(dir).map_err(|e| RecorderError::io("cannot read the session", dir, e))?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let (index, ext) = parse_chunk_name(&name)?;
            Some((index, ext.to_string(), e.path()))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The chunk log's complete, readable lines by chunk index. Damaged lines are passed over:
/// the chunk files themselves are the truth, the log only vouches for them.
fn logged_chunks(dir: &Path) -> HashMap<u32, ChunkRecord> {
    let log = fs::read(dir.join(CHUNK_LOG_FILE)).unwrap_or_default();
    parse_chunk_log_leniently(&log).into_iter().map(|r| (r.index, r)).collect()
}

/// A live recorder holds an exclusive lock on its chunk log.
fn in_use(dir: &Path) -> bool {
    File::open(dir.join(CHUNK_LOG_FILE)).is_ok_and(|f| f.try_lock_shared().is_err())
}

/// Every session directory under `root`, oldest first. Unreadable ones are listed too, with
/// what could be read (a missing or damaged manifest does not hide a recording).
pub fn list_sessions(root: &Path) -> Vec<SessionSummary> {
    let Ok(entries) = fs::read_dir(root) else { return Vec::new() };
    let mut out: Vec<SessionSummary> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let dir = e.path();
            let files = chunk_files(&dir).ok()?;
            let manifest = read_manifest(&dir).ok();
            if files.is_empty() && manifest.is_none() && !dir.join(MANIFEST_FILE).exists() {
                return None; // not a session
            }
            let id = e.file_name().to_string_lossy().into_owned();
            let logged = logged_chunks(&dir);
            Some(SessionSummary {
                in_use: in_use(&dir),
                state: manifest.as_ref().map(|m| m.state),
                extension: manifest
                    .as_ref()
                    .map(|m| m.extension.clone())
                    .or_else(|| files.first().map(|f| f.1.clone()))
                    .unwrap_or_default(),
                created_unix_ms: manifest
                    .as_ref()
                    .map(|m| m.created_unix_ms)
                    .or_else(|| id.split('-').next()?.parse().ok()),
                chunks: files.len(),
                bytes: files.iter().filter_map(|f| fs::metadata(&f.2).ok()).map(|m| m.len()).sum(),
                duration_ms: logged.values().map(|r| r.end_ms).fold(0.0, f64::max),
                id,
                dir,
            })
        })
        .collect();
    out.sort_by_key(|s| (s.created_unix_ms, s.id.clone()));
    out
}

/// Writes what session `dir` holds into `out` (atomically; `overwrite` as for
/// [`assemble`](super::assemble)). Chunks that fail their logged checksum are left out and
/// named in [`Recovered::skipped`]; a torn last chunk is cut at its last whole Ogg page, WebM
/// block or MP4 fragment; Ogg gets its end-of-stream page, WebM its Duration and Cues, MP4 its
/// index first.
///
/// # Errors
/// `InvalidState` while a recorder is still writing the session; `NotFound` when it holds no
/// chunk; `Encoding` when the first chunk (the stream's headers) is lost; `Io` for the output.
pub fn recover(dir: &Path, out: &Path, overwrite: bool) -> Result<Recovered, RecorderError> {
    if in_use(dir) {
        return Err(RecorderError::InvalidState(format!("{} is still being recorded", dir.display())));
    }
    let files = chunk_files(dir)?;
    let Some(first) = files.first() else {
        return Err(RecorderError::NotFound(format!("no recorded chunks in {}", dir.display())));
    };
    let extension = first.1.clone();
    let logged = logged_chunks(dir);
    let mut parts = Vec::new();
    let mut skipped = Vec::new();
    let last_index = files.last().map(|f| f.0);
    let mut expected = 1;
    for (index, ext, path) in &files {
        // A gap in the numbering is a chunk that is gone: say so (what follows keeps its time).
        for missing in expected..*index {
            skipped.push(format!("chunk {missing}: missing, left out"));
        }
        expected = index + 1;
        let bytes = fs::read(path).map_err(|e| RecorderError::io("cannot read a chunk", path, e))?;
        let good = match logged.get(index) {
            Some(r) => r.bytes == bytes.len() as u64 && r.crc32 == crc32fast::hash(&bytes),
            // Renamed into place whole, but the process died before logging it.
            None => true,
        };
        if ext != &extension {
            skipped.push(format!("chunk {index}: not part of this {extension} stream"));
        } else if good && (ext != "ogg" || ogg::valid_pages(&bytes).1 == bytes.len()) {
            parts.push(Piece::File(path.clone(), bytes.len() as u64));
        } else if Some(*index) == last_index {
            // A torn tail: keep its whole pages (Ogg); finalize keeps WebM's whole blocks and MP4's
            // whole fragments.
            let keep = if ext == "ogg" { ogg::valid_pages(&bytes).1 } else { bytes.len() };
            skipped.push(format!("chunk {index}: damaged at the end, {keep} of {} bytes kept", bytes.len()));
            if keep > 0 {
                parts.push(Piece::Bytes(bytes[..keep].to_vec()));
            }
        } else {
            skipped.push(format!("chunk {index}: damaged (checksum mismatch), left out"));
        }
        if *index == first.0 && parts.is_empty() {
            return Err(RecorderError::Encoding(format!(
                "the first chunk, which holds the stream's headers, is damaged ({})",
                path.display()
            )));
        }
    }

    let (bytes, duration_ms) = match extension.as_str() {
        "ogg" => recover_ogg(&mut parts, out, overwrite)?,
        // WebM and MP4 are rewritten: what was whole, with its index.
        container => write_document_atomically(out, overwrite, |file| {
            let mut writer = std::io::BufWriter::new(file);
            let open = || Ok(ChunkReader::new(&parts));
            let finalized = match container {
                "mp4" => mp4::finalize(open, &mut writer, Damage::EndBefore).map(|f| (f.bytes, f.duration_ms)),
                _ => webm::finalize(open, &mut writer, Damage::EndBefore).map(|f| (f.bytes, f.duration_ms)),
            };
            let (bytes, duration_ms) = finalized.map_err(|e| e.or_path(out))?;
            std::io::Write::flush(&mut writer).map_err(|e| RecorderError::io("cannot write the file", out, e))?;
            Ok((bytes, duration_ms))
        })?,
    };
    Ok(Recovered { bytes, duration_ms, chunks: parts.len(), skipped })
}

/// Ogg: the chunks as they are, with the end-of-stream flag set on the very last page.
fn recover_ogg(parts: &mut [Piece], out: &Path, overwrite: bool) -> Result<(u64, f64), RecorderError> {
    let read = |p: &Path| fs::read(p).map_err(|e| RecorderError::io("cannot read a chunk", p, e));
    let pre_skip = match parts.first() {
        Some(Piece::File(p, _) | Piece::Logged { path: p, .. }) => ogg::pre_skip(&read(p)?),
        Some(Piece::Bytes(b)) => ogg::pre_skip(b),
        None => None,
    }
    .unwrap_or(0);
    let mut duration_ms = 0.0;
    if let Some(last) = parts.last_mut() {
        let mut bytes = match last {
            Piece::File(p, _) | Piece::Logged { path: p, .. } => read(p)?,
            Piece::Bytes(b) => std::mem::take(b),
        };
        if let (Some(page), _) = ogg::valid_pages(&bytes) {
            ogg::mark_end_of_stream(&mut bytes, page);
            let granule = ogg::page_granule(&bytes, page).unwrap_or(0);
            duration_ms = granule.saturating_sub(u64::from(pre_skip)) as f64 / 48.0;
        }
        *last = Piece::Bytes(bytes);
    }
    write_document_atomically(out, overwrite, |file| {
        let n = std::io::copy(&mut ChunkReader::new(parts), file)
            .map_err(|e| RecorderError::io("cannot write the file", out, e))?;
        Ok((n, duration_ms))
    })
}
