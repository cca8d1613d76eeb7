//! Assembling a session's chunks into the user's file.

use std::path::Path;

use super::chunk_reader::{ChunkReader, Piece};
use super::durable::write_atomically;
use super::session::read_manifest;
use crate::container::webm;
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
/// `overwrite`). Ogg chunks are already one finished stream; WebM gets Duration and Cues.
///
/// # Errors
/// `Io` when a chunk is missing or the output cannot be written; `Encoding` when a chunk fails
/// its checksum or the stream is damaged.
pub fn assemble(dir: &Path, out: &Path, overwrite: bool) -> Result<Assembled, RecorderError> {
    let manifest = read_manifest(dir)?;
    let paths: Vec<_> = manifest.chunks.iter().map(|c| dir.join(&c.file)).collect();
    for (chunk, path) in manifest.chunks.iter().zip(&paths) {
        let bytes = std::fs::read(path).map_err(|e| RecorderError::io("cannot read a chunk", path, e))?;
        if bytes.len() as u64 != chunk.bytes || crc32fast::hash(&bytes) != chunk.crc32 {
            return Err(RecorderError::Encoding(format!("chunk {} is damaged ({})", chunk.index, path.display())));
        }
    }
    let pieces: Vec<Piece> = manifest.chunks.iter().zip(&paths).map(|(c, p)| Piece::File(p.clone(), c.bytes)).collect();
    let open_all = || -> std::io::Result<ChunkReader<'_>> { Ok(ChunkReader::new(&pieces)) };
    let (bytes, duration_ms) = write_atomically(out, overwrite, |file| {
        let mut writer = std::io::BufWriter::new(file);
        let result = match manifest.extension.as_str() {
            "webm" => webm::finalize(open_all, &mut writer, webm::Damage::Refuse).map(|f| (f.bytes, f.duration_ms)),
            _ => {
                let mut reader = open_all().map_err(|e| RecorderError::io("cannot read the chunks", dir, e))?;
                let n = std::io::copy(&mut reader, &mut writer)
                    .map_err(|e| RecorderError::io("cannot write the file", out, e))?;
                Ok((n, manifest.duration_ms))
            }
        }?;
        std::io::Write::flush(&mut writer).map_err(|e| RecorderError::io("cannot write the file", out, e))?;
        Ok(result)
    })?;
    Ok(Assembled { bytes, duration_ms, chunks: paths.len() })
}
