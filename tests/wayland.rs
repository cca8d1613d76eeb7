//! Screens on Wayland, through the desktop's ScreenCast portal and PipeWire, each test on a
//! headless sway desktop of its own (scripts/wayland-session.sh): what `display` records is what
//! sway shows, the stream ending ends the video only, a kept token shares again without asking,
//! and a refusal is `NotAllowed` at once.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::wayland::WaylandSession;
use common::*;

/// The mean colour (R, G, B) of each video frame of `file`, decoded by ffmpeg (scaled down:
/// the background is one colour).
fn frame_colours(file: &Path) -> Vec<[f64; 3]> {
    let mut ffmpeg = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(file)
        .args([
            "-map",
            "0:v",
            "-vf",
            "scale=32:18",
            "-fps_mode",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = ffmpeg.stdout.take().unwrap();
    let mut frame = vec![0u8; 32 * 18 * 3];
    let mut colours = Vec::new();
    while out.read_exact(&mut frame).is_ok() {
        let mut sum = [0f64; 3];
        for px in frame.chunks_exact(3) {
            for (s, &c) in sum.iter_mut().zip(px) {
                *s += f64::from(c);
            }
        }
        colours.push(sum.map(|s| s / (32.0 * 18.0)));
    }
    assert!(ffmpeg.wait().unwrap().success());
    colours
}

fn is_colour(c: [f64; 3], want: [f64; 3]) -> bool {
    c.iter().zip(want).all(|(a, b)| (a - b).abs() <= 16.0)
}

const ORANGE: [f64; 3] = [255.0, 128.0, 0.0];
const GREEN: [f64; 3] = [0.0, 255.0, 0.0];

/// Streams of a file by type, with their durations (s).
fn streams(file: &Path) -> Vec<(String, f64)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_streams", "-show_format", "-of", "json"])
        .arg(file)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let format_duration = v["format"]["duration"].as_str().and_then(|d| d.parse().ok()).unwrap_or(f64::NAN);
    v["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let d = s["duration"].as_str().and_then(|d| d.parse().ok()).unwrap_or(format_duration);
            (s["codec_type"].as_str().unwrap().to_owned(), d)
        })
        .collect()
}

/// Starts `record` on the session (see `spawn_recording`).
fn start_recording(wl: &WaylandSession, home: &Path, args: &[&str]) -> (Child, crossbeam_channel::Receiver<String>) {
    let mut command = cli();
    wl.apply(&mut command)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .arg("record")
        .args(args);
    spawn_recording(&mut command)
}

#[test]
fn display_records_the_wayland_screen_and_follows_its_changes() {
    let wl = WaylandSession::start();
    let home = tempfile::tempdir().unwrap();

    let mut devices = cli();
    let out = wl.apply(&mut devices).args(["devices", "--json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let display = list.as_array().unwrap().iter().find(|d| d["deviceId"] == "display").expect("display is listed");
    assert_eq!(
        (display["kind"].as_str(), display["label"].as_str()),
        (Some("videoinput"), Some("Screen or window (ask)"))
    );

    let file = home.path().join("screen.webm");
    let args = ["--video", "display", "--no-audio", "--duration", "4", "-o", file.to_str().unwrap()];
    let (child, rx) = start_recording(&wl, home.path(), &args);
    std::thread::sleep(Duration::from_secs(2));
    wl.swaymsg(&["output", "HEADLESS-1", "bg", "#00ff00", "solid_color"]);
    let (ok, stderr) = finish_recording(child, &rx);
    assert!(ok, "{stderr}");

    assert_eq!(ffmpeg_errors(&file), "", "the file decodes cleanly");
    let colours = frame_colours(&file);
    let duration = streams(&file)[0].1;
    let nominal = duration * 30.0;
    eprintln!(
        "{} frames in {duration:.3} s ({:.1} % of nominal)",
        colours.len(),
        100.0 * colours.len() as f64 / nominal
    );
    // The screen changed once: the portal sent two frames; the track repeats them at its rate.
    assert!(colours.len() as f64 >= 0.95 * nominal, "{} frames for {duration:.3} s", colours.len());
    assert!(is_colour(colours[2], ORANGE), "sway's orange first: {:?}", colours[2]);
    assert!(is_colour(*colours.last().unwrap(), GREEN), "then its green: {:?}", colours.last());
    let first_green = colours.iter().position(|&c| is_colour(c, GREEN)).unwrap();
    assert!((45..=105).contains(&first_green), "the change shows about 2 s in: frame {first_green}");
    assert!(colours[first_green..].iter().all(|&c| is_colour(c, GREEN)), "and stays");

    let played = chromium_duration(&file);
    let played_s: f64 = played.strip_prefix("duration=").and_then(|d| d.parse().ok()).expect(&played);
    assert!((played_s - duration).abs() < 0.2, "Chromium plays it with its duration: {played} vs {duration}");
}

#[test]
fn the_desktop_ending_the_share_ends_the_video_and_the_sound_goes_on() {
    let wl = WaylandSession::start();
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("ended.webm");
    let args = ["--video", "display", "--audio", "test:tone", "--duration", "5", "-o", file.to_str().unwrap()];
    let (child, rx) = start_recording(&wl, home.path(), &args);
    std::thread::sleep(Duration::from_secs(2));
    wl.stop_sharing();
    let (ok, stderr) = finish_recording(child, &rx);

    assert!(ok, "the recording ran to its end: {stderr}");
    assert!(
        stderr.contains("stopped: the desktop stopped sharing the screen; recording goes on with the other tracks"),
        "the user is told: {stderr}"
    );
    assert_eq!(ffmpeg_errors(&file), "", "the file decodes cleanly");
    let streams = streams(&file);
    let audio = streams.iter().find(|(kind, _)| kind == "audio").expect("an audio track").1;
    assert!((audio - 5.0).abs() < 0.3, "the sound goes on to the end: {audio:.3} s");
    let frames = frame_colours(&file).len();
    assert!((45..=100).contains(&frames), "the video ends about 2 s in: {frames} frames");
}

#[test]
fn a_kept_token_shares_again_without_asking() {
    let wl = WaylandSession::start();
    let home = tempfile::tempdir().unwrap();
    let settings = home.path().join("config/mediarecorder/settings.json");
    let token = || -> Option<String> {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&settings).ok()?).ok()?;
        json["display_restore_token"].as_str().map(str::to_owned)
    };
    let restores = || wl.backend_log().matches("restore data available").count();
    for (n, name) in ["first.webm", "second.webm"].into_iter().enumerate() {
        let file = home.path().join(name);
        let args = ["--video", "display", "--no-audio", "--duration", "1", "-o", file.to_str().unwrap()];
        let (child, rx) = start_recording(&wl, home.path(), &args);
        let (ok, stderr) = finish_recording(child, &rx);
        assert!(ok, "{stderr}");
        assert!(token().is_some(), "the desktop's token is kept in the settings");
        // The backend is handed the earlier choice (which output) instead of choosing again.
        assert_eq!(restores(), n, "recording {}: {}", n + 1, wl.backend_log());
    }
}

#[test]
fn a_refused_share_is_not_allowed_at_once() {
    let wl = WaylandSession::refusing();
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("refused.webm");
    let mut command = cli();
    wl.apply(&mut command)
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .args(["record", "--video", "display", "--no-audio", "--duration", "2", "-o"])
        .arg(&file);
    let started = Instant::now();
    let out = command.output().unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("refused after {took:?}: {stderr}");
    assert!(!out.status.success());
    assert!(stderr.contains("not allowed: the desktop's screen sharing request was refused"), "{stderr}");
    // A hang check with room for a loaded machine (it takes about 50 ms here).
    assert!(took < Duration::from_secs(3), "refused after {took:?}");
    assert!(!file.exists(), "nothing written");
}

#[test]
fn the_window_opens_on_wayland() {
    let wl = WaylandSession::start();
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mediarecorder"));
    wl.apply(&mut command)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut app = command.spawn().unwrap();
    // The compositor lists the window by its app id once it is mapped: a Wayland client, not
    // an X11 one (there is no X server here).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !wl.tree().contains("\"app_id\": \"io.github.mediarecorder.MediaRecorder\"") {
        if Instant::now() > deadline || app.try_wait().unwrap().is_some() {
            let _killed = app.kill();
            let _reaped = app.wait();
            panic!("the window did not open on sway: {}", wl.tree());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let png = wl.screenshot(&home.path().join("window.png"));
    let _killed = app.kill();
    let _reaped = app.wait();
    // The window fills the output (sway tiles it): the background's orange is gone, and the
    // window's dark theme shows instead.
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(&png)
        .args(["-vf", "scale=32:18", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    assert_eq!(out.stdout.len(), 32 * 18 * 3);
    let orange = out.stdout.chunks_exact(3).filter(|p| is_colour([p[0], p[1], p[2]].map(f64::from), ORANGE)).count();
    let dark = out.stdout.chunks_exact(3).filter(|p| p.iter().all(|&c| c < 64)).count();
    assert!(orange == 0 && dark > 32 * 18 / 2, "the screenshot shows the window: {orange} orange, {dark} dark of 576");
}
