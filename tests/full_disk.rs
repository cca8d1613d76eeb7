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
        let dir = tempfile::tempdir().unwrap();
        let out =
            Command::new("mount").args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"]).arg(dir.path()).output().unwrap();
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
