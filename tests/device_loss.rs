//! The audio server stalls, then dies, mid-recording: the recorder takes the burst that follows
//! the stall without losing or padding anything, ends the track when the server is gone, stops
//! as the spec says, and the CLI still writes a valid file and exits non-zero saying why.
//! This test starts its own PulseAudio (scripts/virtual-mics.sh) and stops it by pid.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;

#[test]
fn a_stalled_then_crashed_audio_server_ends_the_recording_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let (daemon, env) = PrivatePulse::start(&dir.path().join("pulse"));
    let file = dir.path().join("lost.ogg");
    let child = cli()
        .args(["record", "--audio", "pulseaudio:mic_b", "--timeslice", "500", "-o"])
        .arg(&file)
        .envs(env)
        .env("XDG_DATA_HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // With its low-latency reader gone, the mic's feed switches to 2-second blocks: a stall,
    // then a burst.
    daemon.kill("parec-mic_b_feed.pid", "-TERM");
    std::thread::sleep(Duration::from_millis(3000));
    daemon.kill("pulseaudio.pid", "-KILL");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);

    assert!(!out.status.success(), "the recording ended early: the exit status says so");
    assert!(stderr.contains("Virtual Mic B (880 Hz) stopped:"), "{stderr}");
    assert!(stderr.contains("recording ended early; what was recorded is in"), "{stderr}");
    assert!(!stdout.contains(": 0 bytes"), "no empty chunks while catching up after the burst:\n{stdout}");
    assert!(stdout.contains(", 0 overrun frames)"), "the burst fit in the capture ring:\n{stdout}");
    assert_eq!(ffmpeg_errors(&file), "");
    let d = probe(&file).duration_s;
    assert!(d >= 1.3, "everything captured before the crash is kept: {d} s");
    assert!((dominant_hz(&decode_mono(&file)) - 880.0).abs() < 5.0);
}
