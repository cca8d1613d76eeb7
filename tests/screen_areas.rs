//! Recording part of an X11 display (Xvfb): a window by its id, followed as it moves; an area of
//! a screen, cropped exactly; the pointer drawn in at its place, or left out. Windows of known
//! colours are made with x11rb; the command line records them; ffmpeg decodes the result.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::*;
use mediarecorder::media::VideoFrame;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ConfigureWindowAux, ConnectionExt, CreateWindowAux, PropMode, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// A mapped top-level window of one colour (0xRRGGBB), named `title`.
fn window(conn: &RustConnection, (x, y, w, h): (i16, i16, u16, u16), colour: u32, title: &str) -> Window {
    let root = conn.setup().roots[0].root;
    let id = conn.generate_id().unwrap();
    let aux = CreateWindowAux::new().background_pixel(colour).override_redirect(1);
    conn.create_window(0, id, root, x, y, w, h, 0, WindowClass::INPUT_OUTPUT, 0, &aux).unwrap();
    conn.change_property8(PropMode::REPLACE, id, AtomEnum::WM_NAME, AtomEnum::STRING, title.as_bytes()).unwrap();
    conn.map_window(id).unwrap();
    // A round trip: the window is there and drawn before anyone looks.
    conn.get_input_focus().unwrap().reply().unwrap();
    id
}

/// `record --no-audio --video ID` for `seconds` on `x`'s display, started in the background.
fn record(x: &Xvfb, video: &str, extra: &[&str], seconds: f64, out: &Path) -> Child {
    cli()
        .args(["record", "--no-audio", "--video", video, "--duration", &seconds.to_string()])
        .args(extra)
        .arg("-o")
        .arg(out)
        .env("DISPLAY", &x.display)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finished(child: Child) -> Output {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "record failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The decoded frames of `file`: its size and each frame's I420 bytes.
fn frames(file: &Path) -> ((u32, u32), Vec<Vec<u8>>) {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    let size = String::from_utf8_lossy(&probe.stdout).trim().to_string();
    let (w, h): (u32, u32) = size.split_once(',').map(|(w, h)| (w.parse().unwrap(), h.parse().unwrap())).unwrap();
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(file)
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-fps_mode", "passthrough", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    ((w, h), out.stdout.chunks_exact(VideoFrame::i420_len(w, h)).map(<[u8]>::to_vec).collect())
}

/// BT.601 limited-range (Y, U, V) of 0xRRGGBB, as the recorder converts.
fn yuv(rgb: u32) -> (f64, f64, f64) {
    let (r, g, b) = (f64::from(rgb >> 16 & 0xff), f64::from(rgb >> 8 & 0xff), f64::from(rgb & 0xff));
    let y = 16.0 + (65.738 * r + 129.057 * g + 25.064 * b) / 256.0;
    let u = 128.0 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256.0;
    let v = 128.0 + (112.439 * r - 94.154 * g - 18.285 * b) / 256.0;
    (y, u, v)
}

/// The (Y, U, V) at pixel (x, y) of an I420 frame `w` wide and `h` high.
fn pixel(frame: &[u8], (w, h): (u32, u32), x: u32, y: u32) -> (f64, f64, f64) {
    let (w, h, x, y) = (w as usize, h as usize, x as usize, y as usize);
    let c = (y / 2) * (w / 2) + x / 2;
    (f64::from(frame[y * w + x]), f64::from(frame[w * h + c]), f64::from(frame[w * h + w * h / 4 + c]))
}

fn close(a: (f64, f64, f64), b: (f64, f64, f64)) -> bool {
    (a.0 - b.0).abs() < 8.0 && (a.1 - b.1).abs() < 8.0 && (a.2 - b.2).abs() < 8.0
}

#[test]
fn a_window_is_recorded_at_its_size_and_followed_when_it_moves() {
    let x = Xvfb::start("800x600x24");
    let (conn, _) = x11rb::connect(Some(&x.display)).unwrap();
    let orange = 0xff_80_00;
    let w = window(&conn, (100, 50, 240, 160), orange, "Orange window");

    let listed = cli().args(["devices", "--json"]).env("DISPLAY", &x.display).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains(&format!("window:{w:#x}")) && listed.contains("Window: Orange window"), "{listed}");

    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("window.webm");
    let run = record(&x, &format!("window:{w:#x}"), &["--cursor", "hidden"], 3.0, &file);
    std::thread::sleep(Duration::from_millis(1500));
    conn.configure_window(w, &ConfigureWindowAux::new().x(420).y(330)).unwrap();
    conn.get_input_focus().unwrap().reply().unwrap();
    finished(run);

    assert_eq!(ffmpeg_errors(&file), "");
    let (size, frames) = frames(&file);
    assert_eq!(size, (240, 160), "the window's size");
    assert!(frames.len() >= 80, "{} frames in 3 s", frames.len());
    let expected = yuv(orange);
    for (n, f) in frames.iter().enumerate() {
        for (px, py) in [(10, 10), (120, 80), (230, 150)] {
            let got = pixel(f, size, px, py);
            assert!(close(got, expected), "frame {n} at ({px}, {py}): {got:?}, the window is {expected:?}");
        }
    }
}

#[test]
fn an_area_is_cropped_exactly_and_a_closed_window_ends_its_track() {
    let x = Xvfb::start("800x600x24");
    let (conn, _) = x11rb::connect(Some(&x.display)).unwrap();
    let (red, blue) = (0xe0_20_20, 0x20_20_e0);
    window(&conn, (100, 100, 200, 100), red, "Red");
    let blue_window = window(&conn, (300, 100, 200, 100), blue, "Blue");

    // From the middle of the red window to the middle of the blue one: the edge at column 100.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("area.webm");
    finished(record(&x, "screen:0?x=200&y=120&w=200&h=60", &["--cursor", "hidden"], 1.0, &file));
    let (size, frames) = frames(&file);
    assert_eq!(size, (200, 60));
    let last = frames.last().unwrap();
    let (r, b) = (yuv(red), yuv(blue));
    for column in [0, 50, 96] {
        assert!(close(pixel(last, size, column, 30), r), "column {column} is red: {:?}", pixel(last, size, column, 30));
    }
    for column in [104, 150, 199] {
        assert!(
            close(pixel(last, size, column, 30), b),
            "column {column} is blue: {:?}",
            pixel(last, size, column, 30)
        );
    }
    // Where the luma turns from red's to blue's: within a pixel of the window's edge.
    let edge = (0..200).find(|&c| (pixel(last, size, c, 30).0 - b.0).abs() < (pixel(last, size, c, 30).0 - r.0).abs());
    assert!(edge.is_some_and(|e| (99..=101).contains(&e)), "the edge is at column {edge:?}, not 100");

    // A window that closes ends its track: the recording stops and says so.
    let file = out.path().join("closed.webm");
    let run = record(&x, &format!("window:{blue_window:#x}"), &[], 10.0, &file);
    std::thread::sleep(Duration::from_millis(1500));
    conn.destroy_window(blue_window).unwrap();
    conn.get_input_focus().unwrap().reply().unwrap();
    let ended = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&ended.stderr);
    assert!(stderr.contains("the window was closed"), "{stderr}");
    assert_eq!(ffmpeg_errors(&file), "", "what was recorded is kept and plays");
    let d = probe_video_duration(&file);
    assert!((1.0..4.0).contains(&d), "{d} s kept, up to the window's closing");
}

fn probe_video_duration(file: &Path) -> f64 {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn the_pointer_is_drawn_where_it_is_unless_hidden() {
    let x = Xvfb::start("800x600x24");
    let (conn, _) = x11rb::connect(Some(&x.display)).unwrap();
    let grey = 0x80_80_80;
    window(&conn, (0, 0, 400, 300), grey, "Grey");
    let xdotool = |args: &[&str]| {
        assert!(Command::new("xdotool").args(args).env("DISPLAY", &x.display).status().unwrap().success());
    };
    // Where in the frame the picture is not the window's grey: the pointer's box.
    let drawn = |file: &Path| -> Option<(u32, u32, u32, u32)> {
        let (size, frames) = frames(file);
        let f = frames.last().unwrap();
        let background = yuv(grey);
        let marked: Vec<(u32, u32)> = (0..size.1)
            .flat_map(|y| (0..size.0).map(move |x| (x, y)))
            .filter(|&(x, y)| (pixel(f, size, x, y).0 - background.0).abs() > 40.0)
            .collect();
        let xs = marked.iter().map(|p| p.0);
        let ys = marked.iter().map(|p| p.1);
        Some((xs.clone().min()?, ys.clone().min()?, xs.max()?, ys.max()?))
    };
    let out = tempfile::tempdir().unwrap();
    let area = "screen:0?x=0&y=0&w=400&h=300";
    let mut places = Vec::new();
    for (n, (px, py)) in [(100, 80), (300, 200)].into_iter().enumerate() {
        xdotool(&["mousemove", &px.to_string(), &py.to_string()]);
        let file = out.path().join(format!("pointer-{n}.webm"));
        finished(record(&x, area, &[], 1.0, &file));
        let (x0, y0, x1, y1) = drawn(&file).expect("the pointer is in the picture");
        assert!(x1 - x0 <= 40 && y1 - y0 <= 40, "a pointer-sized mark: ({x0}, {y0})–({x1}, {y1})");
        assert!((x0..=x1).contains(&px) && (y0..=y1).contains(&py), "at ({px}, {py}): ({x0}, {y0})–({x1}, {y1})");
        places.push((x0, y0));
    }
    assert_ne!(places[0], places[1], "the mark moved with the pointer");
    let hidden = out.path().join("hidden.webm");
    finished(record(&x, area, &["--cursor", "hidden"], 1.0, &hidden));
    assert_eq!(drawn(&hidden), None, "--cursor hidden leaves the pointer out");
}
