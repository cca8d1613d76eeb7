//! One recording's directory: chunks and manifest, written as the recorder produces them.

use std::fs::{self, DirBuilder};
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::durable::write_atomically;
use super::manifest::{ChunkRecord, Manifest, SessionState, MANIFEST_FILE, MANIFEST_VERSION};
use crate::error::RecorderError;

/// Writes one session: `chunk-000001.<ext>`, … and `manifest.json`.
#[derive(Debug)]
pub struct SessionStore {
    dir: PathBuf,
    manifest: Manifest,
}

impl SessionStore {
    /// Creates a new session directory (owner-only) under `root`.
    ///
    /// # Errors
    /// `Io` when the directory or the first manifest cannot be written.
    pub fn create(
        root: &Path,
        mime_type: &str,
        extension: &str,
        tracks: Vec<String>,
    ) -> Result<SessionStore, RecorderError> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(root)
            .map_err(|e| RecorderError::io("cannot create the recordings directory", root, e))?;
        let created = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let (dir, id) = (0..100)
            .find_map(|attempt| {
                let id = format!("{}-{:04x}", created.as_millis(), (std::process::id() as u64 + attempt) & 0xffff);
                let dir = root.join(&id);
                match DirBuilder::new().mode(0o700).create(&dir) {
                    Ok(()) => Some(Ok((dir, id))),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
                    Err(e) => Some(Err(RecorderError::io("cannot create the session directory", &dir, e))),
                }
            })
            .unwrap_or_else(|| Err(RecorderError::Unknown("no free session directory name".into())))?;
        let manifest = Manifest {
            version: MANIFEST_VERSION,
            id,
            mime_type: mime_type.into(),
            extension: extension.into(),
            created_unix_ms: created.as_millis() as u64,
            tracks,
            state: SessionState::Recording,
            chunks: Vec::new(),
            duration_ms: 0.0,
            error: None,
        };
        let store = SessionStore { dir, manifest };
        store.save_manifest()?;
        Ok(store)
    }

    /// The session directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest as last written.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Writes the next chunk durably, then records it in the manifest.
    ///
    /// # Errors
    /// `Io` when the disk refuses; chunks already written stay as they are.
    pub fn write_chunk(&mut self, bytes: &[u8], end_ms: f64) -> Result<ChunkRecord, RecorderError> {
        let index = self.manifest.chunks.len() as u32 + 1;
        let file = format!("chunk-{index:06}.{}", self.manifest.extension);
        write_atomically(&self.dir.join(&file), false, |f| {
            f.write_all(bytes)
                .map_err(|e| RecorderError::io(format!("cannot write chunk {index}"), self.dir.join(&file), e))
        })?;
        let record = ChunkRecord { index, file, bytes: bytes.len() as u64, crc32: crc32fast::hash(bytes), end_ms };
        self.manifest.chunks.push(record.clone());
        self.manifest.duration_ms = end_ms;
        self.save_manifest()?;
        Ok(record)
    }

    /// Marks the session complete (or ended by `error`).
    ///
    /// # Errors
    /// `Io` when the manifest cannot be written.
    pub fn finish(&mut self, duration_ms: f64, error: Option<String>) -> Result<(), RecorderError> {
        self.manifest.state = SessionState::Complete;
        self.manifest.duration_ms = duration_ms;
        self.manifest.error = error;
        self.save_manifest()
    }

    /// Bytes in all chunks so far.
    pub fn bytes_written(&self) -> u64 {
        self.manifest.chunks.iter().map(|c| c.bytes).sum()
    }

    fn save_manifest(&self) -> Result<(), RecorderError> {
        let path = self.dir.join(MANIFEST_FILE);
        let json = serde_json::to_vec_pretty(&self.manifest)
            .map_err(|e| RecorderError::Unknown(format!("cannot encode the manifest: {e}")))?;
        write_atomically(&path, true, |f| {
            f.write_all(&json).map_err(|e| RecorderError::io("cannot write the manifest", &path, e))
        })
    }
}

/// Reads a session's manifest.
///
/// # Errors
/// `Io` when it cannot be read; `Encoding` when it is not a manifest this version understands.
pub fn read_manifest(dir: &Path) -> Result<Manifest, RecorderError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = fs::read(&path).map_err(|e| RecorderError::io("cannot read the session manifest", &path, e))?;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| RecorderError::Encoding(format!("damaged session manifest: {e} ({})", path.display())))?;
    if manifest.version > MANIFEST_VERSION {
        return Err(RecorderError::NotSupported(format!(
            "session manifest version {} is newer than this program understands ({})",
            manifest.version,
            path.display()
        )));
    }
    Ok(manifest)
}
