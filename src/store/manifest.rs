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
    /// Chunk and output extension: `ogg`, `webm` or `mp4`.
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

/// `chunk-000012.ogg` → `(12, "ogg")`: the only file names a session's chunks may have (a
/// log naming anything else, `../x` included, is not believed).
pub fn parse_chunk_name(name: &str) -> Option<(u32, &str)> {
    let (stem, ext) = name.strip_prefix("chunk-")?.split_once('.')?;
    if stem.len() != 6 || !stem.bytes().all(|b| b.is_ascii_digit()) || !matches!(ext, "ogg" | "webm" | "mp4") {
        return None;
    }
    Some((stem.parse().ok()?, ext))
}

/// Why a `manifest.json` was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManifestError {
    /// Not a manifest: malformed JSON or values this program cannot use.
    #[error("damaged session manifest: {0}")]
    Damaged(String),
    /// Written by a newer version of this program.
    #[error("session manifest version {0} is newer than this program understands ({MANIFEST_VERSION})")]
    NewerVersion(u32),
}

impl Manifest {
    /// Parses `manifest.json`, checking what later code relies on.
    ///
    /// # Errors
    /// [`ManifestError`] for malformed JSON, an unknown format, or a newer format version.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| ManifestError::Damaged(e.to_string()))?;
        if manifest.version > MANIFEST_VERSION {
            return Err(ManifestError::NewerVersion(manifest.version));
        }
        if !matches!(manifest.extension.as_str(), "ogg" | "webm" | "mp4") {
            return Err(ManifestError::Damaged(format!("unknown format \"{}\"", manifest.extension)));
        }
        Ok(manifest)
    }
}

impl ChunkRecord {
    fn parse(line: &[u8]) -> Result<ChunkRecord, String> {
        let record: ChunkRecord = serde_json::from_slice(line).map_err(|e| e.to_string())?;
        match parse_chunk_name(&record.file) {
            Some((index, _)) if index == record.index => Ok(record),
            _ => Err(format!("\"{}\" is not chunk {}'s file name", record.file, record.index)),
        }
    }
}

/// The records of a chunk log's complete lines. A torn last line (no newline yet: the process
/// died while appending it) is not a record.
///
/// # Errors
/// The line number and what is wrong with the first damaged complete line.
pub fn parse_chunk_log(log: &[u8]) -> Result<Vec<ChunkRecord>, (usize, String)> {
    complete_lines(log).enumerate().map(|(n, line)| ChunkRecord::parse(line).map_err(|e| (n + 1, e))).collect()
}

/// Every readable record of a chunk log, passing over damaged lines (for recovery, where the
/// chunk files are the truth and the log only vouches for them).
pub fn parse_chunk_log_leniently(log: &[u8]) -> Vec<ChunkRecord> {
    complete_lines(log).filter_map(|line| ChunkRecord::parse(line).ok()).collect()
}

fn complete_lines(log: &[u8]) -> impl Iterator<Item = &[u8]> {
    let complete = log.len() - log.iter().rev().take_while(|&&b| b != b'\n').count();
    log[..complete].split(|&b| b == b'\n').filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_naming_files_outside_the_session_is_not_believed() {
        let good = br#"{"index":1,"file":"chunk-000001.ogg","bytes":5,"crc32":1,"end_ms":100.0}"#;
        let escape = br#"{"index":2,"file":"../../etc/passwd","bytes":5,"crc32":1,"end_ms":200.0}"#;
        let wrong_index = br#"{"index":3,"file":"chunk-000009.ogg","bytes":5,"crc32":1,"end_ms":300.0}"#;
        let log = [&good[..], b"\n", escape, b"\n", wrong_index, b"\n", b"{\"index\":4,\"fi"].concat();
        assert_eq!(parse_chunk_log(&log).unwrap_err().0, 2);
        let lenient = parse_chunk_log_leniently(&log);
        assert_eq!(lenient.len(), 1, "only the well-formed record, not the torn tail");
        assert_eq!(lenient[0].file, "chunk-000001.ogg");
        for bad in ["chunk-1.ogg", "chunk-00000a.ogg", "chunk-000001.mp3", "x/chunk-000001.ogg", "chunk-000001.ogg/.."]
        {
            assert_eq!(parse_chunk_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn manifests_from_the_future_or_with_unknown_formats_are_refused() {
        let m = |version: u32, ext: &str| {
            format!(
                r#"{{"version":{version},"id":"x","mime_type":"audio/ogg","extension":"{ext}","created_unix_ms":0,"tracks":[],"state":"recording","duration_ms":0.0}}"#
            )
        };
        assert!(Manifest::parse(m(1, "ogg").as_bytes()).is_ok());
        assert_eq!(Manifest::parse(m(2, "ogg").as_bytes()), Err(ManifestError::NewerVersion(2)));
        assert!(matches!(Manifest::parse(m(1, "exe").as_bytes()), Err(ManifestError::Damaged(_))));
        assert!(matches!(Manifest::parse(b"\xff garbage"), Err(ManifestError::Damaged(_))));
    }
}
