//! Recording onto a full disk: `Error` then `Stop`, every chunk already written kept, the
//! message says how much, and what was kept plays. Each test mounts its own 256 KiB tmpfs
//! (the test command runs as root on CI) and unmounts it however the test ends.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;
use mediarecorder::{MediaRecorder, MediaRecorderOptions, MediaStream, RecorderError, RecorderEvent};

struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount() -> SmallDisk {
        SmallDisk::of("256k")
    }

    fn of(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let options = format!("size={size}");
        let out =
            Command::new("mount").args(["-t", "tmpfs", "-o", &options, "tmpfs"]).arg(dir.path()).output().unwrap();
        assert!(
            out.status.success(),
            "this test mounts a small tmpfs and needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _unmounted = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_fires_error_then_last_data_then_stop_and_keeps_the_chunks() {
    let disk = SmallDisk::mount();
    let stream = MediaStream::open(Some("test:tone"), None).unwrap();
    let options = MediaRecorderOptions {
        mime_type: Some("audio/webm".into()),
        audio_bits_per_second: Some(510_000),
        ..Default::default()
    };
    let r = MediaRecorder::new(stream, options).unwrap();
    r.set_store_dir(disk.path());
    r.start(Some(500)).unwrap();
    let events = events_until_stop(&r, Duration::from_secs(30));
    let order = names(&events);
    let error = order.iter().position(|n| *n == "error").expect("an error event");
    assert_eq!(&order[error..], ["error", "data", "stop"], "{order:?}");
    assert!(order[1..error].iter().all(|n| *n == "data") && error >= 4, "{order:?}");
    match &events[error] {
        RecorderEvent::Error(RecorderError::Io(io)) => {
            assert!(io.is_disk_full());
            assert!(io.to_string().contains("the disk is full: recording stopped, the first"), "{io}");
        }
        other => panic!("expected a disk-full Io error, got {other:?}"),
    }
    // Nothing delivered is lost: the blobs hold the whole stream, and it decodes.
    let out = tempfile::tempdir().unwrap();
    let blobs = out.path().join("blobs.webm");
    std::fs::write(&blobs, concat_blobs(&events)).unwrap();
    assert_eq!(ffmpeg_errors(&blobs), "");
    // The chunks on the full disk are kept and recover into a file that plays.
    let file = out.path().join("kept.webm");
    let kept = mediarecorder::store::recover(&r.session_dir().unwrap(), &file, false).unwrap();
    assert!(kept.chunks >= 4);
    assert_eq!(ffmpeg_errors(&file), "");
    assert!(probe(&file).duration_s >= 2.0);
}

fn record_until_full(ext: &str) -> (std::process::Output, PathBuf, tempfile::TempDir) {
    let disk = SmallDisk::mount();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join(format!("take.{ext}"));
    let run = cli()
        .args(["record", "--audio", "test:tone", "--audio-bitrate", "510000", "--timeslice", "500", "-o"])
        .arg(&file)
        .env("XDG_DATA_HOME", disk.path())
        .output()
        .unwrap();
    drop(disk);
    (run, file, out)
}

#[test]
fn the_cli_writes_what_was_kept_and_says_so() {
    for ext in ["ogg", "webm"] {
        let (run, file, _dir) = record_until_full(ext);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{ext}: the recording ended early");
        assert!(stderr.contains("Warning: only"), "{ext}: low space is announced: {stderr}");
        assert!(stderr.contains("the disk is full"), "{ext}: {stderr}");
        assert!(stderr.contains("what was recorded is in"), "{ext}: {stderr}");
        assert_eq!(stderr.matches("No space left on device").count(), 2, "{ext}: said once per line: {stderr}");
        assert_eq!(ffmpeg_errors(&file), "", "{ext}");
        let d = probe(&file).duration_s;
        assert!(d >= 3.0, "{ext}: {d} s kept");
        let title = chromium_duration(&file);
        let played: f64 = title.strip_prefix("duration=").and_then(|t| t.parse().ok()).unwrap_or(f64::NAN);
        assert!((played - d).abs() < 0.1, "{ext}: Chromium says {title}");
        if ext == "ogg" {
            let info = Command::new("opusinfo").arg(&file).output().unwrap();
            let text = String::from_utf8_lossy(&info.stdout).to_lowercase();
            assert!(!text.contains("warning"), "a clean stream, ended properly: {text}");
        }
    }
}

/// `sh -c 'umask 022; exec …'`: the file modes a user with the usual umask gets.
fn with_umask_022(program: &Path) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", "umask 022; exec \"$0\" \"$@\""]).arg(program);
    c
}

#[test]
fn an_output_that_does_not_fit_keeps_the_session_which_recover_lists_and_writes() {
    // Room for the output's first pages, not for 5 s of sound; the chunks are elsewhere.
    let disk = SmallDisk::of("16k");
    let data = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_mediarecorder"));
    let take = disk.path().join("take.webm");
    let run = with_umask_022(bin)
        .args(["record", "--audio", "test:tone", "--audio-bitrate", "510000", "--duration", "5", "-o"])
        .arg(&take)
        .env("XDG_DATA_HOME", data.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "the output did not fit: {stderr}");
    assert!(stderr.contains("the disk is full"), "{stderr}");
    assert!(!stderr.contains("encoding failed"), "{stderr}");
    let sessions = data.path().join("mediarecorder/sessions");
    let id = std::fs::read_dir(&sessions).unwrap().next().unwrap().unwrap().file_name().to_string_lossy().into_owned();
    assert!(stderr.contains(&id), "the message names the session: {stderr}");
    assert!(stderr.contains(&format!("mediarecorder recover {id} -o")), "and the command that gets it back: {stderr}");
    assert!(!take.exists(), "no partial file is left");

    let list = cli().args(["recover", "--list"]).env("XDG_DATA_HOME", data.path()).output().unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains(&id), "recover --list lists it: {listed}");

    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("got-it-back.webm");
    let recovered = with_umask_022(bin).args(["recover", "-o"]).arg(&file).env("XDG_DATA_HOME", data.path()).output();
    let recovered = recovered.unwrap();
    assert!(recovered.status.success(), "recover -o: {}", String::from_utf8_lossy(&recovered.stderr));
    assert_eq!(ffmpeg_errors(&file), "");
    let d = probe(&file).duration_s;
    assert!((d - 5.0).abs() < 0.3, "{d} s");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "a saved file follows the umask (022), as any document does");
    assert!(!sessions.join(&id).exists(), "written whole, the session is removed");
}
