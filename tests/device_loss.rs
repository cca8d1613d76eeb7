//! The audio server stalls, then dies, mid-recording: the recorder takes the burst that follows
//! the stall without losing or padding anything, ends the track when the server is gone, stops
//! as the spec says, and the CLI still writes a valid file and exits non-zero saying why.
//! A screen whose display goes away mid-recording ends its track; the sound goes on to the end
//! and the file stays valid. These tests start their own PulseAudio (scripts/virtual-mics.sh)
//! and Xvfb, and stop them by pid.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::process::{Command, Stdio};
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

/// Seconds of each stream of `file`, from its last packet's end (ffprobe).
fn stream_ends(file: &std::path::Path) -> Vec<(String, f64)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "packet=codec_type,pts_time,duration_time", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    let mut ends: Vec<(String, f64)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split(',').collect();
        let (Some(kind), Some(pts)) = (f.first(), f.get(1).and_then(|p| p.parse::<f64>().ok())) else { continue };
        let end = pts + f.get(2).and_then(|d| d.parse::<f64>().ok()).unwrap_or(0.0);
        match ends.iter_mut().find(|(k, _)| k == kind) {
            Some((_, e)) => *e = e.max(end),
            None => ends.push(((*kind).to_owned(), end)),
        }
    }
    ends
}

#[test]
fn a_screen_that_goes_away_ends_its_track_and_the_sound_records_on() {
    let dir = tempfile::tempdir().unwrap();
    let xvfb = Xvfb::start("320x240x24");
    let file = dir.path().join("screen-lost.webm");
    let (child, rx) = spawn_recording(
        cli()
            .args(["record", "--audio", "test:tone", "--video", "screen:0?fps=15", "--timeslice", "500"])
            .args(["--duration", "5", "-o"])
            .arg(&file)
            .env("DISPLAY", &xvfb.display)
            .env("XDG_DATA_HOME", dir.path()),
    );
    std::thread::sleep(Duration::from_millis(2000));
    drop(xvfb);
    let (ok, stderr) = finish_recording(child, &rx);

    assert!(ok, "the recording ran to its end: {stderr}");
    assert!(
        stderr.contains("stopped: the X display stopped answering") && stderr.contains("goes on with the other tracks"),
        "the user is told the screen went away: {stderr}"
    );
    assert_eq!(ffmpeg_errors(&file), "");
    let ends = stream_ends(&file);
    let end_of = |kind: &str| ends.iter().find(|(k, _)| k == kind).map(|(_, e)| *e).unwrap_or(0.0);
    let (video, audio) = (end_of("video"), end_of("audio"));
    assert!((1.0..3.0).contains(&video), "the picture up to the display's end is kept: {ends:?}");
    assert!((4.7..5.6).contains(&audio), "the sound runs to the end: {ends:?}");
    assert!((dominant_hz(&decode_mono(&file)) - 440.0).abs() < 5.0);
}
