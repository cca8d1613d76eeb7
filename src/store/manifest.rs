//! The session's description, in two files so that recording costs O(1) per chunk:
//! `manifest.json`, small, rewritten atomically at start and at the end; and `chunks.jsonl`,
//! append-only, one fsynced JSON line per durable chunk.

use serde::{Deserialize, Serialize};

/// Manifest format version; a reader refuses newer ones rather than misreading them.
pub const MANIFEST_VERSION: u32 = 1;
/// The manifest's file name inside a session directory.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The chunk log's file name inside a session directory.
pub const CHUNK_LOG_FILE: &str = "chunks.jsonl";

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    /// Chunks are still being written (or the recorder died: recoverable).
    Recording,
    /// The recorder stopped and wrote its last chunk.
    Complete,
}

/// One durable chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkRecord {
    /// 1-based, as in the file name.
    pub index: u32,
    /// File name inside the session directory.
    pub file: String,
    /// Its length.
    pub bytes: u64,
    /// CRC-32 of its bytes, to notice damage.
    pub crc32: u32,
    /// Media time at the end of the chunk, in ms.
    pub end_ms: f64,
}

/// Everything needed to assemble or recover a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The format version (currently 1); newer versions are refused, not misread.
    pub version: u32,
    /// The session's id (its directory name).
    pub id: String,
    /// Full MIME type with codecs.
    pub mime_type: String,
    /// Chunk and output extension: `ogg` or `webm`.
    pub extension: String,
    /// When recording started, ms since the Unix epoch.
    pub created_unix_ms: u64,
    /// Labels of the recorded tracks.
    pub tracks: Vec<String>,
    /// Recording or complete.
    pub state: SessionState,
    /// Chunks in stream order (read from the chunk log, not stored in `manifest.json`).
    #[serde(skip)]
    pub chunks: Vec<ChunkRecord>,
    /// Media duration so far, ms.
    pub duration_ms: f64,
    /// Why recording ended early, if it did.
    #[serde(default)]
    pub error: Option<String>,
}
