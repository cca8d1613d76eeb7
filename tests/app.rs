//! The window, driven like a user drives it (egui_kittest: find widgets by label, click, type),
//! on the real engine and the virtual PulseAudio microphones (scripts/virtual-mics.sh).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;
mod window;

use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use egui_kittest::kittest::Queryable;
use mediarecorder::app::state::RecordingStatus;
use mediarecorder::RecordingState;
use window::*;

#[test]
fn choosing_the_second_microphone_records_880_hz_and_the_saved_file_is_clean() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the device list", |s| s.devices.iter().any(|d| d.label == "Virtual Mic B (880 Hz)"));
    wait_for(&mut harness, "the default mic's preview", |s| s.selected_device == "default");
    let default_label = harness.state().state().devices[0].label.clone();
    assert!(default_label.contains("Virtual Mic A"), "the default is marked: {default_label}");

    choose_microphone(&mut harness, "Virtual Mic B (880 Hz)");
    wait_for(&mut harness, "mic B selected", |s| s.selected_device == "pulseaudio:mic_b");
    wait_for(&mut harness, "a live level", |s| s.meter.peak_dbfs > -30.0);

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "2 s recorded", |s| s.media_ms >= 2000.0);
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "the stopped recording in the list", |s| {
        s.recordings.len() == 1 && s.recordings[0].status == RecordingStatus::Ready
    });

    let saved = save_first(&mut harness, &store.path().join("saved").join("memo"));
    assert_eq!(saved, store.path().join("saved").join("memo.ogg"));
    assert_eq!(ffmpeg_errors(&saved), "");
    let hz = dominant_hz(&decode_mono(&saved));
    assert!((hz - 880.0).abs() <= 5.0, "mic B gave {hz} Hz");
    let duration = probe(&saved).duration_s;
    assert!((2.0..2.6).contains(&duration), "duration {duration}");
    let notice = harness.state().state().notice.clone().unwrap_or_default();
    assert!(notice.contains(saved.to_str().unwrap()), "the window says where it went: {notice}");
    assert!(std::fs::read_dir(store.path()).unwrap().all(|e| e.unwrap().file_name() == "saved"), "chunks removed");
}

#[test]
fn record_pause_resume_stop_drive_the_buttons_and_the_timer() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "a preview", |s| !s.devices.is_empty() && s.meter.peak_dbfs.is_finite());
    assert!(enabled(&harness, "Record"));
    assert!(!enabled(&harness, "Pause"));
    assert!(!enabled(&harness, "Stop"));

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "recording", |s| s.recording_state == RecordingState::Recording && s.media_ms > 500.0);
    assert!(!enabled(&harness, "Record"));
    assert!(enabled(&harness, "Pause"));
    assert!(enabled(&harness, "Stop"));

    harness.get_by_label("Pause").click();
    wait_for(&mut harness, "paused", |s| s.recording_state == RecordingState::Paused);
    assert!(enabled(&harness, "Resume"), "Pause becomes Resume");
    // The timer stops while paused: once the last progress before the pause has arrived, it
    // holds still for a whole second.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_millis(400) {
        harness.run_steps(3);
        std::thread::sleep(Duration::from_millis(20));
    }
    let paused_at = harness.state().state().media_ms;
    let hold = Instant::now();
    while hold.elapsed() < Duration::from_secs(1) {
        harness.run_steps(3);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(harness.state().state().media_ms, paused_at, "the timer held still while paused");

    harness.get_by_label("Resume").click();
    wait_for(&mut harness, "the timer running again", |s| {
        s.recording_state == RecordingState::Recording && s.media_ms > paused_at + 500.0
    });
    assert!(enabled(&harness, "Pause"));

    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| {
        s.recording_state == RecordingState::Inactive
            && s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready)
    });
    assert!(enabled(&harness, "Record"));
    assert!(!enabled(&harness, "Pause"));
    assert!(!enabled(&harness, "Stop"));
    let r = &harness.state().state().recordings[0];
    let expected = harness.state().state().media_ms;
    assert!((r.duration_ms - expected).abs() < 100.0, "listed {} ms, timer {} ms", r.duration_ms, expected);
}

#[test]
fn keyboard_shortcuts_record_pause_and_stop() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "a preview", |s| !s.devices.is_empty() && s.meter.peak_dbfs.is_finite());
    harness.key_press(egui::Key::Space);
    wait_for(&mut harness, "Space starts", |s| s.recording_state == RecordingState::Recording);
    harness.key_press(egui::Key::P);
    wait_for(&mut harness, "P pauses", |s| s.recording_state == RecordingState::Paused);
    harness.key_press(egui::Key::P);
    wait_for(&mut harness, "P resumes", |s| s.recording_state == RecordingState::Recording);
    harness.key_press(egui::Key::Space);
    wait_for(&mut harness, "Space stops", |s| {
        s.recording_state == RecordingState::Inactive
            && s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready)
    });
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    wait_for(&mut harness, "Ctrl+S asks where to save", |s| s.save_path_prompt.is_some());
}

#[test]
fn recordings_survive_a_restart_and_delete_asks_first() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    {
        let mut harness = app(store.path());
        wait_for(&mut harness, "a preview", |s| !s.devices.is_empty() && s.meter.peak_dbfs.is_finite());
        harness.get_by_label("Record").click();
        wait_for(&mut harness, "recording", |s| s.media_ms > 300.0);
        harness.get_by_label("Stop").click();
        wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
        // Quit: the harness (and the controller) is dropped here.
    }
    let mut harness = app(store.path());
    wait_for(&mut harness, "the earlier recording listed", |s| {
        s.recordings.len() == 1 && s.recordings[0].status == RecordingStatus::Ready
    });
    harness.get_by_label("Delete").click();
    harness.run_steps(3);
    assert!(harness.state().state().confirm_delete.is_some(), "asks first");
    harness.get_by_label("Keep it").click();
    harness.run_steps(3);
    assert_eq!(harness.state().state().recordings.len(), 1, "kept");
    harness.get_by_label("Delete").click();
    harness.run_steps(3);
    let buttons: Vec<_> = harness.get_all_by_label("Delete").collect();
    buttons.last().unwrap().click();
    wait_for(&mut harness, "deleted", |s| s.recordings.is_empty());
    assert_eq!(std::fs::read_dir(store.path()).unwrap().count(), 0, "its chunks are gone");
}

#[test]
fn a_recording_plays_back_through_the_default_output() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the default mic's preview", |s| {
        s.selected_device == "default" && s.meter.peak_dbfs > -30.0
    });
    harness.get_by_label("Record").click();
    wait_for(&mut harness, "3 s recorded", |s| s.media_ms >= 3000.0);
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));

    // The default output is the virtual speaker; its monitor hears what the app plays.
    let heard_file = store.path().join("heard.raw");
    let mut listener = Command::new("parec")
        .args([
            "-d",
            "speaker.monitor",
            "--raw",
            "--format=float32le",
            "--rate=48000",
            "--channels=1",
            "--latency-msec=20",
        ])
        .stdout(std::fs::File::create(&heard_file).unwrap())
        .spawn()
        .expect("parec (pulseaudio-utils) is installed by the test command");
    harness.get_by_label("Play").click();
    wait_for(&mut harness, "playing", |s| s.playing.is_some());
    assert!(harness.get_all_by_label("Stop playing").next().is_some(), "Play becomes Stop playing");
    wait_for(&mut harness, "the end of playback", |s| s.playing.is_none());
    std::thread::sleep(Duration::from_millis(300));
    listener.kill().unwrap();
    listener.wait().unwrap();
    let raw = std::fs::read(&heard_file).unwrap();
    let heard: Vec<f32> = raw.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    let loud: Vec<f32> = heard.iter().copied().skip_while(|v| v.abs() < 0.01).collect();
    let loud_ms = loud.iter().rposition(|v| v.abs() >= 0.01).unwrap_or(0) / 48;
    assert!((2700..3600).contains(&loud_ms), "the whole recording (3 s) reached the speaker: {loud_ms} ms");
    let hz = dominant_hz(&loud[..48_000]);
    assert!((hz - 440.0).abs() <= 5.0, "the speaker played {hz} Hz (mic A is 440 Hz)");
    assert!(harness.get_all_by_label("Play").next().is_some(), "Play is back");
}

#[test]
fn a_test_video_previews_live_records_with_the_sound_and_plays_back() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the video sources and a live level", |s| {
        s.video_devices.iter().any(|d| d.id == "test:pattern") && s.meter.peak_dbfs > -30.0
    });
    assert_eq!(harness.state().state().selected_video, None, "sound only until a video source is chosen");
    assert_eq!(harness.state().state().no_camera, !mediarecorder::devices::has_camera(), "the window knows of cameras");

    harness.get_by_value("None (sound only)").click();
    harness.run_steps(3);
    harness.get_by_label("Test pattern (640×480, 30 fps)").click();
    wait_for(&mut harness, "the pattern's preview", |s| s.video_preview.is_some());
    let first = harness.state().state().video_preview.clone().unwrap();
    assert_eq!((first.width, first.height, first.source_size), (320, 240, (640, 480)));
    let colours: std::collections::HashSet<&[u8]> = first.rgba.chunks_exact(4).collect();
    assert!(colours.len() >= 8, "a picture, not a flat fill: {} colours", colours.len());
    wait_for(&mut harness, "a moving preview", |s| s.video_preview.as_ref().is_some_and(|p| p.seq >= first.seq + 10));
    assert!(harness.get_all_by_value("WebM VP8 + Opus").next().is_some(), "the format offered is a video one");

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "2 s recorded", |s| s.media_ms >= 2000.0);
    let during = harness.state().state().video_preview.as_ref().unwrap().seq;
    wait_for(&mut harness, "the preview going on while recording", |s| {
        s.video_preview.as_ref().is_some_and(|p| p.seq >= during + 5)
    });
    // The preview's rate follows the machine's spare CPU (the window gives way to the
    // recording), so the recording's length is what the timer showed at Stop.
    let timer_s = harness.state().state().media_ms / 1000.0;
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
    assert_eq!(harness.state().state().recordings[0].mime_type, "video/webm;codecs=vp8,opus");

    let saved = save_first(&mut harness, &store.path().join("saved").join("clip"));
    assert_eq!(saved.extension().and_then(|e| e.to_str()), Some("webm"));
    assert_eq!(ffmpeg_errors(&saved), "");
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_packets", "-show_entries", "stream=codec_name,nb_read_packets", "-of", "csv=p=0"])
        .arg(&saved)
        .output()
        .unwrap();
    let streams = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let frames: u64 = streams
        .lines()
        .find_map(|l| l.strip_prefix("vp8,"))
        .unwrap_or_else(|| panic!("a VP8 stream: {streams}"))
        .parse()
        .unwrap();
    assert!(streams.lines().any(|l| l.starts_with("opus,")), "an Opus stream: {streams}");
    let duration = probe(&saved).duration_s;
    assert!(duration >= 2.0 && (duration - timer_s).abs() < 0.5, "duration {duration} s, the timer said {timer_s} s");
    // The preview takes its own copy of each frame: the recording still gets them all.
    assert!(frames as f64 >= 0.95 * 30.0 * (duration - 0.1), "{frames} frames in {duration} s");
    let hz = dominant_hz(&decode_mono(&saved));
    assert!((hz - 440.0).abs() <= 5.0, "the default mic (440 Hz) was recorded: {hz} Hz");

    // Playback finds the sound among the video frames.
    play_to_the_end(&mut harness);
}

#[test]
fn mp4_with_h264_is_offered_recorded_saved_with_its_index_first_and_played_back() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "the video sources", |s| s.video_devices.iter().any(|d| d.id == "test:pattern"));
    harness.get_by_value("None (sound only)").click();
    harness.run_steps(3);
    harness.get_by_label("Test pattern (640×480, 30 fps)").click();
    wait_for(&mut harness, "the pattern's preview", |s| s.video_preview.is_some());
    harness.get_by_value("WebM VP8 + Opus").click();
    harness.run_steps(3);
    harness.get_by_label("MP4 H.264 + Opus").click();
    wait_for(&mut harness, "MP4 chosen", |s| s.settings.video_mime_type == "video/mp4;codecs=avc1,opus");

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "2 s recorded", |s| s.media_ms >= 2000.0);
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
    assert_eq!(harness.state().state().recordings[0].mime_type, "video/mp4;codecs=avc1,opus");
    assert!(harness.get_all_by_value("MP4 H.264 + Opus").next().is_some(), "the list names the format");

    let saved = save_first(&mut harness, &store.path().join("saved").join("clip"));
    assert_eq!(saved.extension().and_then(|e| e.to_str()), Some("mp4"));
    assert_eq!(ffmpeg_errors(&saved), "");
    assert_eq!(mp4_boxes(&saved), ["ftyp", "moov", "mdat"]);
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0"])
        .arg(&saved)
        .output()
        .unwrap();
    let mut codecs: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect();
    codecs.sort();
    assert_eq!(codecs, ["h264", "opus"]);
    let hz = dominant_hz(&decode_mono(&saved));
    assert!((hz - 440.0).abs() <= 5.0, "the default mic (440 Hz) was recorded: {hz} Hz");

    // Playback reads the Opus track out of the MP4.
    play_to_the_end(&mut harness);
}

/// A settings file of garbage, and one a newer version wrote, each leave the app starting with
/// the defaults; the file is kept aside under a new name (never written over) and the window says
/// so. The next change writes a fresh file of this version.
#[test]
fn a_damaged_or_newer_settings_file_is_kept_aside_and_the_app_starts_with_defaults() {
    require_virtual_mics();
    let cases: [(&[u8], &str); 2] = [
        (b"\x00\x9f garbage {{{", "settings.damaged-"),
        (
            br#"{"version": 99, "mime_type": "audio/webm;codecs=opus", "timeslice_ms": {"new": true}}"#,
            "settings.version-99-",
        ),
    ];
    for (content, kept_as) in cases {
        let store = tempfile::tempdir().unwrap();
        let config = tempfile::tempdir().unwrap();
        let file = config.path().join("settings.json");
        std::fs::write(&file, content).unwrap();
        let mut harness = app_with_settings(store.path(), Some(file.clone()));
        wait_for(&mut harness, "the notice about the settings", |s| s.notice.is_some());
        let state = harness.state().state();
        assert_eq!(state.settings, mediarecorder::settings::Settings::default(), "{kept_as}: defaults");
        let notice = state.notice.clone().unwrap();
        assert!(notice.contains("default settings are in use") && notice.contains(kept_as), "{notice}");
        let aside: Vec<_> = std::fs::read_dir(config.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(kept_as))
            .collect();
        assert_eq!(aside.len(), 1, "{kept_as}: kept aside");
        assert_eq!(std::fs::read(&aside[0]).unwrap(), content, "kept as it was");

        // The window works: a choice is remembered in a new file of this version.
        harness.get_by_value("Ogg Opus").click();
        harness.run_steps(3);
        harness.get_by_label("WebM Opus").click();
        wait_for(&mut harness, "the new format", |s| s.settings.mime_type == "audio/webm;codecs=opus");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !file.exists() {
            assert!(Instant::now() < deadline, "settings written");
            std::thread::sleep(Duration::from_millis(50));
        }
        let written = mediarecorder::settings::load(&file);
        assert_eq!((written.settings.mime_type.as_str(), written.set_aside), ("audio/webm;codecs=opus", None));
    }
}

#[test]
fn start_after_three_seconds_counts_down_and_escape_calls_it_off() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let mut harness = app(store.path());
    wait_for(&mut harness, "a preview", |s| !s.devices.is_empty() && s.meter.peak_dbfs.is_finite());
    harness.get_by_value("At once").click();
    harness.run_steps(3);
    harness.get_by_label("3 s").click();
    wait_for(&mut harness, "a 3 s countdown chosen", |s| s.settings.start_delay_s == 3);

    // Escape during the countdown: nothing is recorded.
    harness.get_by_label("Record").click();
    wait_for(&mut harness, "the countdown", |s| s.countdown_s == Some(3));
    assert!(enabled(&harness, "Starting in 3…"), "the button calls the countdown off");
    let counting = Instant::now();
    while counting.elapsed() < Duration::from_millis(1200) {
        harness.run_steps(3);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(harness.state().state().countdown_s, Some(2), "it counts down");
    harness.key_press(egui::Key::Escape);
    wait_for(&mut harness, "the countdown called off", |s| s.countdown_s.is_none());
    let after = Instant::now();
    while after.elapsed() < Duration::from_secs(3) {
        harness.run_steps(3);
        std::thread::sleep(Duration::from_millis(20));
    }
    let s = harness.state().state();
    assert_eq!(s.recording_state, RecordingState::Inactive, "nothing recorded");
    assert!(s.recordings.is_empty(), "no recording: {:?}", s.recordings);

    // The whole countdown: the recording starts 3 s after the click.
    let clicked_ms = unix_ms();
    harness.get_by_label("Record").click();
    wait_for(&mut harness, "recording", |s| s.recording_state == RecordingState::Recording);
    // start() returns at once; the recorder thread makes the session just after.
    let deadline = Instant::now() + Duration::from_secs(5);
    let manifest = loop {
        let session = std::fs::read_dir(store.path()).unwrap().map(|e| e.unwrap().path()).find(|p| p.is_dir());
        if let Some(manifest) = session.and_then(|dir| mediarecorder::store::read_manifest(&dir).ok()) {
            break manifest;
        }
        assert!(Instant::now() < deadline, "the session's manifest written");
        harness.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    };
    let waited_s = (manifest.created_unix_ms as f64 - clicked_ms) / 1000.0;
    eprintln!("the recording started {waited_s:.3} s after the click");
    assert!((waited_s - 3.0).abs() <= 0.2, "the recording started {waited_s:.3} s after the click");
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
}

fn unix_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

#[test]
fn the_microphone_is_processed_as_the_browser_does_until_a_switch_says_otherwise() {
    require_virtual_mics();
    let store = tempfile::tempdir().unwrap();
    let settings = store.path().join("settings.json");
    let mut harness = app_with_settings(store.path(), Some(settings.clone()));
    wait_for(&mut harness, "a preview", |s| !s.devices.is_empty() && s.meter.peak_dbfs > -30.0);
    let on = &harness.state().state().settings;
    assert!(on.echo_cancellation && on.noise_suppression && on.auto_gain_control, "the browser's defaults");

    harness.get_by_label("Record").click();
    wait_for(&mut harness, "5 s recorded", |s| s.media_ms >= 5000.0);
    harness.get_by_label("Stop").click();
    wait_for(&mut harness, "stopped", |s| s.recordings.first().is_some_and(|r| r.status == RecordingStatus::Ready));
    let saved = save_first(&mut harness, &store.path().join("saved").join("even"));
    assert_eq!(ffmpeg_errors(&saved), "");
    // The virtual microphone's tone (-9 dBFS) is far louder than speech is aimed at (-20 dBFS);
    // echo cancellation's output is mono, as the browser's.
    assert_eq!(probe(&saved).channels, 1, "mono, as the browser's processed microphone");
    let samples = decode_mono(&saved);
    let level = rms_db(&samples[(3.5 * 48_000.0) as usize..]);
    eprintln!("the tone after 3.5 s: {level:.1} dBFS");
    assert!((level - f64::from(mediarecorder::devices::AGC_TARGET_DBFS)).abs() <= 3.0, "{level:.1} dBFS");
    assert!((dominant_hz(&samples) - 440.0).abs() <= 5.0, "the tone itself kept");

    // "Even out volume" off, the others left on; remembered.
    let mic = harness.state().state().devices[0].label.clone();
    harness.get_by_value(&mic).click();
    harness.run_steps(3);
    harness.get_by_label("Even out volume").click();
    // The window shows the switch off at once; the controller remembers it a moment later.
    let remembered = || -> Option<serde_json::Value> { serde_json::from_slice(&std::fs::read(&settings).ok()?).ok() };
    wait_for(&mut harness, "the switch off and remembered", |s| {
        !s.settings.auto_gain_control && remembered().is_some_and(|r| r["auto_gain_control"] == false)
    });
    assert!(harness.state().state().settings.noise_suppression, "one switch at a time");
    assert_eq!(remembered().unwrap()["echo_cancellation"], true, "the others remembered as they were");
}
