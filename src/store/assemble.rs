//! Assembling a session's chunks into the user's file.

use std::cell::{Cell, RefCell};
use std::path::Path;

use super::chunk_reader::{ChunkReader, Piece};
use super::durable::write_document_atomically;
use super::manifest::Manifest;
use super::session::read_manifest;
use crate::container::{mp4, webm, Damage};
use crate::error::RecorderError;

/// What [`assemble`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembled {
    /// Bytes in the output file.
    pub bytes: u64,
    /// Media duration in ms.
    pub duration_ms: f64,
    /// Chunks read.
    pub chunks: usize,
}

/// Writes session `dir` to `out` (atomically; an existing `out` is replaced only if
/// `overwrite`). Ogg chunks are already one finished stream; WebM gets Duration and Cues; MP4
/// is rewritten with its index first.
///
/// # Errors
/// `Io` when a chunk is missing or the output cannot be written; `Encoding` when a chunk fails
/// its checksum or the stream is damaged.
pub fn assemble(dir: &Path, out: &Path, overwrite: bool) -> Result<Assembled, RecorderError> {
    assemble_with_progress(dir, out, overwrite, &|_| {})
}

/// [`assemble`], calling `progress` with the fraction done (0 to 1) as the chunks are read.
///
/// # Errors
/// As [`assemble`].
pub fn assemble_with_progress(
    dir: &Path,
    out: &Path,
    overwrite: bool,
    progress: &dyn Fn(f32),
) -> Result<Assembled, RecorderError> {
    let manifest = read_manifest(dir)?;
    // WebM and MP4 are read twice (sizes and index first, then the copy).
    let passes = if manifest.extension == "ogg" { 1 } else { 2 };
    let total = (manifest.chunks.iter().map(|c| c.bytes).sum::<u64>() * passes).max(1);
    let done = Cell::new(0u64);
    let on_read = |n: usize| {
        let before = done.get();
        done.set(before + n as u64);
        // Only whole percents reach the caller: a UI needs no more.
        if (before * 100 / total) != (done.get() * 100 / total) {
            progress((done.get() as f64 / total as f64).min(1.0) as f32);
        }
    };
    let pieces = logged_pieces(dir, &manifest);
    // Chunks are checked while they stream into the file; a damaged or missing one fails the
    // write (the temporary file is removed) and is reported here with its meaning.
    let problem = RefCell::new(None);
    let open_all = || -> std::io::Result<ChunkReader<'_>> {
        Ok(ChunkReader::new(&pieces).reporting_to(&problem).on_read(&on_read))
    };
    let written = write_document_atomically(out, overwrite, |file| {
        let mut writer = std::io::BufWriter::new(file);
        let result = match manifest.extension.as_str() {
            "webm" => webm::finalize(open_all, &mut writer, Damage::Refuse)
                .map(|f| (f.bytes, f.duration_ms))
                // A damaged chunk is reported on its own (below); what fails here is the write.
                .map_err(|e| e.or_path(out)),
            "mp4" => mp4::finalize(open_all, &mut writer, Damage::Refuse)
                .map(|f| (f.bytes, f.duration_ms))
                .map_err(|e| e.or_path(out)),
            _ => {
                let mut reader = ChunkReader::new(&pieces).reporting_to(&problem).on_read(&on_read);
                std::io::copy(&mut reader, &mut writer)
                    .map(|n| (n, manifest.duration_ms))
                    .map_err(|e| RecorderError::io("cannot write the file", out, e))
            }
        }?;
        std::io::Write::flush(&mut writer).map_err(|e| RecorderError::io("cannot write the file", out, e))?;
        Ok(result)
    });
    if let Some(problem) = problem.into_inner() {
        return Err(problem);
    }
    let (bytes, duration_ms) = written?;
    Ok(Assembled { bytes, duration_ms, chunks: pieces.len() })
}

/// The session's stream as it was recorded, in memory: its logged chunks in order, each checked
/// against its size and CRC-32 (what playback reads; the chunks concatenated are the streamed
/// file).
///
/// # Errors
/// As [`read_manifest`]; `Io` when a chunk is missing, `Encoding` when one is damaged.
pub fn read_stream(dir: &Path) -> Result<Vec<u8>, RecorderError> {
    let manifest = read_manifest(dir)?;
    let pieces = logged_pieces(dir, &manifest);
    let problem = RefCell::new(None);
    let mut stream = Vec::with_capacity(manifest.chunks.iter().map(|c| c.bytes as usize).sum());
    let read = std::io::Read::read_to_end(&mut ChunkReader::new(&pieces).reporting_to(&problem), &mut stream);
    if let Some(problem) = problem.into_inner() {
        return Err(problem);
    }
    read.map_err(|e| RecorderError::io("cannot read the recording", dir, e))?;
    Ok(stream)
}

/// The session's logged chunks, to be read in order and checked against their log lines.
fn logged_pieces(dir: &Path, manifest: &Manifest) -> Vec<Piece> {
    manifest
        .chunks
        .iter()
        .map(|c| Piece::Logged { path: dir.join(&c.file), index: c.index, bytes: c.bytes, crc32: c.crc32 })
        .collect()
}
