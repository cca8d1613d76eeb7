//! Screen capture under Xvfb: the recording shows what the screen showed. The test draws on a
//! private X server's root window, records `screen:0`, and compares decoded frames with
//! screenshots taken by an independent grabber (ffmpeg's x11grab).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use mediarecorder::media::VideoFrame;
use mediarecorder::{enumerate_devices, MediaDeviceKind, MediaRecorder, MediaRecorderOptions, MediaStream};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ChangeGCAux, ConnectionExt, CreateGCAux, Rectangle};

const W: u32 = 640;
const H: u32 = 480;

/// Fills the root window with four coloured quadrants and a bar (0xRRGGBB pixels, TrueColor).
fn draw(display: &str, colours: [u32; 5]) {
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[screen].root;
    let gc = conn.generate_id().unwrap();
    conn.create_gc(gc, root, &CreateGCAux::new()).unwrap();
    let (w, h) = (W as u16 / 2, H as u16 / 2);
    let rects =
        [(0, 0, w, h), (w as i16, 0, w, h), (0, h as i16, w, h), (w as i16, h as i16, w, h), (200, 200, 240, 40)];
    for ((x, y, width, height), colour) in rects.into_iter().zip(colours) {
        conn.change_gc(gc, &ChangeGCAux::new().foreground(colour)).unwrap();
        conn.poly_fill_rectangle(root, gc, &[Rectangle { x, y, width, height }]).unwrap();
    }
    // A round trip: every request above has been carried out.
    conn.get_input_focus().unwrap().reply().unwrap();
}

/// The screen now, as ffmpeg's own X11 grabber sees it, in I420.
fn screenshot(display: &str) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-f", "x11grab", "-video_size", &format!("{W}x{H}"), "-i", display])
        .args(["-frames:v", "1", "-pix_fmt", "yuv420p", "-f", "rawvideo", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout.len(), VideoFrame::i420_len(W, H));
    out.stdout
}

/// PSNR of the luma planes, dB.
fn luma_psnr(a: &[u8], b: &[u8]) -> f64 {
    let n = (W * H) as usize;
    let mse = a[..n].iter().zip(&b[..n]).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum::<f64>() / n as f64;
    10.0 * (255.0f64.powi(2) / mse.max(1e-9)).log10()
}

#[test]
fn a_screen_recording_shows_what_the_screen_showed() {
    let x = Xvfb::start(&format!("{W}x{H}x24"));
    // The engine captures the display in $DISPLAY, as a desktop app does; this test binary has
    // no other test that could read it meanwhile.
    std::env::set_var("DISPLAY", &x.display);

    let screens: Vec<_> =
        enumerate_devices().unwrap().into_iter().filter(|d| d.device_id.starts_with("screen:")).collect();
    assert_eq!(screens.len(), 1, "{screens:?}");
    assert_eq!(screens[0].kind, MediaDeviceKind::VideoInput);
    assert_eq!(screens[0].label, "Screen 1 (640×480)");

    let first = [0xc0_20_20, 0x20_c0_20, 0x20_20_c0, 0xe0_e0_e0, 0x10_10_10];
    let second = [0x20_20_20, 0xf0_d0_10, 0x10_d0_f0, 0x80_10_80, 0xff_ff_ff];
    draw(&x.display, first);
    let shot_first = screenshot(&x.display);

    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let stream = MediaStream::open(None, Some("screen:0?fps=15")).unwrap();
    assert_eq!(stream.video_tracks()[0].label(), "Screen 1 (640×480, 15 fps)");
    let options = MediaRecorderOptions { mime_type: Some("video/webm;codecs=vp8".into()), ..Default::default() };
    let r = MediaRecorder::new(stream, options).unwrap();
    r.set_store_dir(store.path());
    r.start(None).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    draw(&x.display, second);
    let shot_second = screenshot(&x.display);
    std::thread::sleep(Duration::from_millis(1500));
    r.stop().unwrap();
    events_until_stop(&r, Duration::from_secs(10));
    let file = assemble(&r, out.path(), "webm");
    assert_eq!(ffmpeg_errors(&file), "");
    // Frames sit on the 15 fps grid, however late a grab began: a late grab stamped with its
    // start once landed 5 ms before the next frame, two frames in one slot for players.
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0"])
        .arg(&file)
        .output()
        .unwrap();
    let pts: Vec<f64> = String::from_utf8_lossy(&probe.stdout).lines().filter_map(|l| l.trim().parse().ok()).collect();
    assert!(pts.len() >= 35, "{pts:?}");
    // (The first frame is the picture on show at start(), stamped 0: the grid starts after it.)
    for pair in pts[1..].windows(2) {
        let slots = (pair[1] - pair[0]) * 15.0;
        // Millisecond timecodes: within 1.5 ms of a whole number of periods.
        assert!(slots >= 0.9 && (slots - slots.round()).abs() * 1000.0 / 15.0 <= 1.5, "frames at {pair:?} s");
    }

    let decoded = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(&file)
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-fps_mode", "passthrough", "-"])
        .output()
        .unwrap();
    let frames: Vec<&[u8]> = decoded.stdout.chunks_exact(VideoFrame::i420_len(W, H)).collect();
    assert!(frames.len() >= 35, "{} frames in 3 s at 15 fps", frames.len());
    // The two drawings differ (so the comparisons below can fail)…
    assert!(luma_psnr(&shot_first, &shot_second) < 20.0);
    // …and the recording shows each while it was on screen: the first half a second in, the
    // second at the end.
    let early = luma_psnr(frames[7], &shot_first);
    let late = luma_psnr(frames[frames.len() - 1], &shot_second);
    assert!(early >= 30.0, "frame at 0.5 s vs the first screenshot: {early:.1} dB");
    assert!(late >= 30.0, "last frame vs the second screenshot: {late:.1} dB");
}
