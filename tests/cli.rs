//! Bad input gets one clear line, a non-zero exit and nothing half-written.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

fn run_fails(args: &[&str], data: &Path) -> String {
    let out = cli().args(args).env("XDG_DATA_HOME", data).output().unwrap();
    assert!(!out.status.success(), "{args:?} should fail");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!err.contains("panicked"), "no panic: {err}");
    err
}

#[test]
fn unsupported_mime_type_is_refused_before_recording() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.ogg");
    let err = run_fails(
        &[
            "record",
            "--audio",
            "test:tone",
            "--mime",
            "audio/mp4;codecs=aac",
            "--duration",
            "1",
            "-o",
            file.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(err.contains("not supported"), "{err}");
    assert!(!file.exists());
}

#[test]
fn unknown_device_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.ogg");
    let err = run_fails(
        &["record", "--audio", "pulseaudio:no_such_mic", "--duration", "1", "-o", file.to_str().unwrap()],
        dir.path(),
    );
    assert!(err.contains("not found"), "{err}");
    let err =
        run_fails(&["record", "--audio", "nonsense", "--duration", "1", "-o", file.to_str().unwrap()], dir.path());
    assert!(err.contains("not found"), "{err}");
    assert!(!file.exists());
}

#[test]
fn missing_output_directory_is_refused_before_recording() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("missing/x.ogg");
    let err =
        run_fails(&["record", "--audio", "test:tone", "--duration", "1", "-o", file.to_str().unwrap()], dir.path());
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn read_only_output_directory_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = ro.join("x.ogg");
    // Root ignores permission bits: run the CLI as nobody when we are root.
    let mut cmd = if running_as_root() {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_mediarecorder")]);
        c
    } else {
        cli()
    };
    let out = cmd
        .args(["record", "--audio", "test:tone", "--duration", "1", "-o", file.to_str().unwrap()])
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "must fail: {err}");
    assert!(err.contains("cannot write to the output directory"), "{err}");
    assert_eq!(std::fs::read_dir(&ro).unwrap().count(), 0, "nothing half-written");
}

fn running_as_root() -> bool {
    std::process::Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false)
}

#[test]
fn existing_output_is_not_overwritten_silently() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.ogg");
    std::fs::write(&file, b"precious").unwrap();
    let err =
        run_fails(&["record", "--audio", "test:tone", "--duration", "1", "-o", file.to_str().unwrap()], dir.path());
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"precious");
}

#[test]
fn record_writes_a_valid_file_and_reports_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tone.webm");
    let out = cli()
        .args(["record", "--audio", "test:tone?hz=880", "--timeslice", "500", "--duration", "1.5", "-o"])
        .arg(&file)
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.matches("chunk ").count() >= 3, "{stdout}");
    assert!(stdout.contains("Wrote"), "{stdout}");
    assert_eq!(ffmpeg_errors(&file), "");
    assert!((dominant_hz(&decode_mono(&file)) - 880.0).abs() < 5.0);
    // The output holds everything: the session's chunks are not left behind to fill the disk.
    let sessions = dir.path().join("mediarecorder/sessions");
    assert_eq!(std::fs::read_dir(&sessions).unwrap().count(), 0, "session removed after writing the file");
}

#[test]
fn ctrl_c_stops_cleanly_and_still_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("interrupted.ogg");
    let child = cli()
        .args(["record", "--audio", "test:tone", "-o"])
        .arg(&file)
        .env("XDG_DATA_HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let spawned = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    // Starting `kill` itself can take a while on a busy machine: the signal was sent by now.
    let signalled_s = spawned.elapsed().as_secs_f64();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(ffmpeg_errors(&file), "");
    let d = probe(&file).duration_s;
    // Start-up takes a moment; what matters is that what was recorded up to the signal is there
    // (and no more: the CLI looks for the signal every 100 ms).
    assert!(d >= 0.8 && d <= signalled_s + 0.2, "{d} s, signalled after {signalled_s:.2} s");
}
