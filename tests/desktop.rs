//! The real binary in a real window: Xvfb for the display, xdotool for the keyboard, GTK's own
//! save dialog (rfd), the virtual microphones for sound, headless Chromium to play the result.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::desktop::{App, Desktop};
use common::*;

fn wait_for_file(path: &Path, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} was not written", path.display());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn space_records_three_seconds_and_ctrl_s_saves_through_the_real_dialog() {
    assert!(
        std::env::var_os("MEDIARECORDER_VIRTUAL_MICS").is_some(),
        "this test needs the virtual microphones: run it with scripts/test.sh"
    );
    let home = tempfile::tempdir().unwrap();
    let x = Xvfb::start("1280x800x24");
    let runtime = home.path().join("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    let app = App::start(&x, home.path(), |c| c.env("GDK_BACKEND", "x11"));
    let window = x.window("^MediaRecorder$", Duration::from_secs(30));
    // The window exists before it is mapped and drawn, and the preview opens the default mic in
    // the background: give both a moment, as a user would, then give the window the keyboard.
    std::thread::sleep(Duration::from_millis(1500));
    x.focus(&window);

    x.xdotool(&["key", "--clearmodifiers", "space"]);
    std::thread::sleep(Duration::from_secs(3));
    x.xdotool(&["key", "--clearmodifiers", "space"]);
    // The recording is listed (and selected) when its last chunk is on disk.
    std::thread::sleep(Duration::from_millis(1000));
    x.xdotool(&["key", "--clearmodifiers", "ctrl+s"]);

    let dialog = x.window("^Save recording$", Duration::from_secs(20));
    x.focus(&dialog);
    std::thread::sleep(Duration::from_millis(500));
    let target: PathBuf = home.path().join("memo.ogg");
    x.xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    x.xdotool(&["type", "--delay", "20", target.to_str().unwrap()]);
    x.xdotool(&["key", "--clearmodifiers", "Return"]);

    wait_for_file(&target, Duration::from_secs(20));
    // Written atomically: once it exists under its name, it is whole.
    assert_eq!(ffmpeg_errors(&target), "");
    let reported = chromium_duration(&target);
    let duration: f64 = reported.strip_prefix("duration=").and_then(|d| d.parse().ok()).unwrap_or_else(|| {
        panic!("Chromium could not play it: {reported}");
    });
    eprintln!("Chromium plays the saved file: {duration} s");
    assert!((duration - 3.0).abs() <= 0.3, "Chromium says {duration} s");
    drop(app);
}

/// Started with `LANG=zh_CN.UTF-8`, the real window draws its strings in Chinese: read back from
/// a screenshot of the window by OCR (tesseract's Simplified Chinese model). The screenshot is
/// kept in the test's temporary directory (`target/tmp/window-zh_CN.png`; the README's comes from
/// it).
#[test]
fn with_a_chinese_locale_the_real_window_is_in_chinese() {
    let home = tempfile::tempdir().unwrap();
    let x = Xvfb::start("1280x800x24");
    let app = App::start(&x, home.path(), |c| {
        c.env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANGUAGE").env("LANG", "zh_CN.UTF-8")
    });
    let window = x.window("^MediaRecorder$", Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(2500));
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("window-zh_CN.png");
    let taken = Command::new("import").args(["-window", &window]).arg(&shot).env("DISPLAY", &x.display).status();
    assert!(taken.unwrap().success(), "screenshot");
    drop(app);

    // Twice the size: tesseract reads 13-20 px CJK text far better that way.
    let big = home.path().join("big.png");
    assert!(Command::new("convert").arg(&shot).args(["-resize", "200%"]).arg(&big).status().unwrap().success());
    let ocr = Command::new("tesseract").arg(&big).args(["-", "-l", "chi_sim", "--psm", "11"]).output().unwrap();
    assert!(ocr.status.success(), "tesseract: {}", String::from_utf8_lossy(&ocr.stderr));
    let text: String = String::from_utf8_lossy(&ocr.stdout).chars().filter(|c| !c.is_whitespace()).collect();
    let expected = ["麦克风", "视频", "录制", "暂停", "停止", "格式", "就绪", "录音", "保存间隔", "音质"];
    let found: Vec<_> = expected.iter().filter(|w| text.contains(**w)).collect();
    eprintln!("OCR found {found:?} in the window ({})", shot.display());
    assert!(found.len() >= 5, "the window should read in Chinese; OCR found {found:?} in: {text}");
}
