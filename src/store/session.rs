//! One recording's directory: chunks and manifest, written as the recorder produces them.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::durable::{write_atomically, FILE_MODE};
use super::manifest::{
    parse_chunk_log, ChunkRecord, Manifest, ManifestError, SessionState, CHUNK_LOG_FILE, MANIFEST_FILE,
    MANIFEST_VERSION,
};
use crate::error::RecorderError;

/// The user's name for a recording (a line of text).
const NAME_FILE: &str = "name.txt";

/// Writes one session: `chunk-000001.<ext>`, … and `manifest.json`.
#[derive(Debug)]
pub struct SessionStore {
    dir: PathBuf,
    manifest: Manifest,
    chunk_log: File,
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
        let log_path = dir.join(CHUNK_LOG_FILE);
        let chunk_log = OpenOptions::new()
            .append(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&log_path)
            .map_err(|e| RecorderError::io("cannot create the chunk log", &log_path, e))?;
        // Held while recording: recovery skips sessions whose log is locked (still live).
        chunk_log.try_lock().map_err(|e| {
            RecorderError::io("cannot lock the chunk log", &log_path, std::io::Error::other(e.to_string()))
        })?;
        let store = SessionStore { dir, manifest, chunk_log };
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

    /// Writes the next chunk durably, then appends it to the chunk log (fsynced): a chunk the
    /// log names is whole on disk.
    ///
    /// # Errors
    /// `Io` when the disk refuses; chunks already written stay as they are.
    pub fn write_chunk(&mut self, bytes: &[u8], end_ms: f64) -> Result<ChunkRecord, RecorderError> {
        let index = self.manifest.chunks.len() as u32 + 1;
        let file = format!("chunk-{index:06}.{}", self.manifest.extension);
        let path = self.dir.join(&file);
        write_atomically(&path, false, |f| {
            f.write_all(bytes).map_err(|e| RecorderError::io(format!("cannot write chunk {index}"), &path, e))
        })?;
        let record = ChunkRecord { index, file, bytes: bytes.len() as u64, crc32: crc32fast::hash(bytes), end_ms };
        let mut line = serde_json::to_vec(&record)
            .map_err(|e| RecorderError::Unknown(format!("cannot encode the chunk record: {e}")))?;
        line.push(b'\n');
        let log_path = self.dir.join(CHUNK_LOG_FILE);
        self.chunk_log
            .write_all(&line)
            .and_then(|()| self.chunk_log.sync_data())
            .map_err(|e| RecorderError::io(format!("cannot record chunk {index}"), &log_path, e))?;
        self.manifest.chunks.push(record.clone());
        self.manifest.duration_ms = end_ms;
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

/// Reads a session's manifest and its chunk log. A torn last log line (the process died while
/// appending it) is ignored: its chunk file may be whole, but it was never reported durable.
///
/// # Errors
/// `Io` when the manifest cannot be read; `Encoding` when it is not a manifest this version
/// understands or a complete log line is damaged; `NotSupported` for a newer format version.
pub fn read_manifest(dir: &Path) -> Result<Manifest, RecorderError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = fs::read(&path).map_err(|e| RecorderError::io("cannot read the session manifest", &path, e))?;
    let mut manifest = Manifest::parse(&bytes).map_err(|e| match e {
        ManifestError::NewerVersion(_) => RecorderError::NotSupported(format!("{e} ({})", path.display())),
        ManifestError::Damaged(_) => RecorderError::Encoding(format!("{e} ({})", path.display())),
    })?;
    let log_path = dir.join(CHUNK_LOG_FILE);
    let log = fs::read(&log_path).map_err(|e| RecorderError::io("cannot read the chunk log", &log_path, e))?;
    manifest.chunks = parse_chunk_log(&log).map_err(|(line, e)| {
        RecorderError::Encoding(format!("damaged chunk log line {line}: {e} ({})", log_path.display()))
    })?;
    Ok(manifest)
}

/// The name a user gave a session (see [`set_session_name`]).
pub fn session_name(dir: &Path) -> Option<String> {
    let name = fs::read_to_string(dir.join(NAME_FILE)).ok()?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Names a session, as the user calls the recording (the app's editable name); kept beside its
/// chunks so it survives a restart.
///
/// # Errors
/// `Io` when the name cannot be written.
pub fn set_session_name(dir: &Path, name: &str) -> Result<(), RecorderError> {
    write_atomically(&dir.join(NAME_FILE), true, |file| {
        file.write_all(name.trim().as_bytes()).map_err(|e| RecorderError::io("cannot name the recording", dir, e))
    })
}

/// Deletes a session directory: only the files a session holds (chunks, chunk log, manifest,
/// temporaries), then the directory itself, which fails if anything else is in it. Never a
/// recursive delete of whatever a path points at.
///
/// # Errors
/// `Io` when a file cannot be removed or the directory holds something else.
pub fn remove_session(dir: &Path) -> Result<(), RecorderError> {
    let entries = fs::read_dir(dir).map_err(|e| RecorderError::io("cannot read the session directory", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| RecorderError::io("cannot read the session directory", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name == MANIFEST_FILE
            || name == NAME_FILE
            || name == CHUNK_LOG_FILE
            || name.starts_with("chunk-")
            || (name.starts_with('.') && name.ends_with(".part"));
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            fs::remove_file(entry.path()).map_err(|e| RecorderError::io("cannot remove", entry.path(), e))?;
        }
    }
    fs::remove_dir(dir).map_err(|e| RecorderError::io("cannot remove the session directory", dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_logged_and_a_torn_last_log_line_is_ignored() {
        let root = tempfile::tempdir().unwrap();
        let mut store = SessionStore::create(root.path(), "audio/ogg;codecs=opus", "ogg", vec!["mic".into()]).unwrap();
        store.write_chunk(b"first", 100.0).unwrap();
        store.write_chunk(b"second", 200.0).unwrap();
        let dir = store.dir().to_path_buf();
        let m = read_manifest(&dir).unwrap();
        assert_eq!(m.state, SessionState::Recording);
        assert_eq!(m.chunks.iter().map(|c| c.bytes).collect::<Vec<_>>(), [5, 6]);
        // A crash in the middle of appending the third line.
        let mut log = OpenOptions::new().append(true).open(dir.join(CHUNK_LOG_FILE)).unwrap();
        log.write_all(br#"{"index":3,"file":"chunk-0000"#).unwrap();
        assert_eq!(read_manifest(&dir).unwrap().chunks.len(), 2);
        store.finish(200.0, None).unwrap();
        assert_eq!(read_manifest(&dir).unwrap().state, SessionState::Complete);
        drop(store);
        remove_session(&dir).unwrap();
        assert!(!dir.exists());
    }

    #[test]
    fn removing_a_session_never_deletes_foreign_files() {
        let root = tempfile::tempdir().unwrap();
        let store = SessionStore::create(root.path(), "audio/ogg;codecs=opus", "ogg", vec![]).unwrap();
        let dir = store.dir().to_path_buf();
        std::fs::write(dir.join("notes.txt"), b"mine").unwrap();
        assert!(remove_session(&dir).is_err());
        assert_eq!(std::fs::read(dir.join("notes.txt")).unwrap(), b"mine");
    }
}
