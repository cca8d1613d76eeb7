//! Writing files so they survive a crash or power cut: temporary file, fsync, rename, fsync dir.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::RecorderError;

/// Owner-only: sessions (the chunks, the manifest) are private.
pub(crate) const FILE_MODE: u32 = 0o600;
/// A file the user saves is their document: it gets their usual permissions, as any file an
/// application saves does (the umask takes away what they do not give: 0644 under 022).
const DOCUMENT_MODE: u32 = 0o666;

/// fsyncs a directory so a rename inside it is durable.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// A temporary path beside `path` (same filesystem, so the final rename is atomic).
pub(crate) fn temp_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.part", std::process::id()))
}

/// Creates `path` from what `fill` writes, atomically: readers see the old state or the whole
/// new file, never a part. With `overwrite` false an existing file is an error, not replaced.
///
/// # Errors
/// `Io` naming the path when creating, writing, syncing or renaming fails (the temporary file is
/// removed); whatever `fill` returns.
pub fn write_atomically<T>(
    path: &Path,
    overwrite: bool,
    fill: impl FnOnce(&mut File) -> Result<T, RecorderError>,
) -> Result<T, RecorderError> {
    write_with_mode(path, overwrite, FILE_MODE, fill)
}

/// [`write_atomically`] for a file the user saves (a recording's output): created with the
/// user's usual permissions (the umask's), not the session's owner-only ones.
///
/// # Errors
/// As [`write_atomically`].
pub fn write_document_atomically<T>(
    path: &Path,
    overwrite: bool,
    fill: impl FnOnce(&mut File) -> Result<T, RecorderError>,
) -> Result<T, RecorderError> {
    write_with_mode(path, overwrite, DOCUMENT_MODE, fill)
}

fn write_with_mode<T>(
    path: &Path,
    overwrite: bool,
    mode: u32,
    fill: impl FnOnce(&mut File) -> Result<T, RecorderError>,
) -> Result<T, RecorderError> {
    let tmp = temp_beside(path);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)
            .map_err(|e| RecorderError::io("cannot create the file", path, e))?;
        let value = fill(&mut file)?;
        file.flush().map_err(|e| RecorderError::io("cannot write the file", path, e))?;
        file.sync_all().map_err(|e| RecorderError::io("cannot write the file to disk", path, e))?;
        drop(file);
        if overwrite {
            fs::rename(&tmp, path).map_err(|e| RecorderError::io("cannot move the file into place", path, e))?;
        } else {
            // link() fails if the name exists: no window where another file could be replaced.
            fs::hard_link(&tmp, path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    RecorderError::io("the file already exists (not overwritten)", path, e)
                } else {
                    RecorderError::io("cannot move the file into place", path, e)
                }
            })?;
            fs::remove_file(&tmp).map_err(|e| RecorderError::io("cannot remove the temporary file", &tmp, e))?;
        }
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        sync_dir(dir).map_err(|e| RecorderError::io("cannot sync the directory", dir, e))?;
        Ok(value)
    })();
    if result.is_err() {
        // Best effort: the error being returned is the one that matters.
        let _removed = fs::remove_file(&tmp);
    }
    result
}
