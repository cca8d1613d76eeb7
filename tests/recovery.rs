//! Whatever happens to the process, what reached the disk becomes a file that plays.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use mediarecorder::store::{self, list_sessions, recover};
use mediarecorder::RecorderError;

/// A CLI recording of the test tone (1000 ms timeslice) SIGKILLed `after` into recording.
struct Killed {
    dir: tempfile::TempDir,
    ext: &'static str,
    /// Seconds recorded before the kill.
    recorded: f64,
    /// Where the media of the chunks whose `dataavailable` fired before the kill ends, s: they
    /// were durable then, so recovery must hold them, however loaded the machine.
    durable_s: f64,
}

fn record_and_kill(ext: &'static str, after: Duration) -> Killed {
    record_and_kill_with(ext, &[], after)
}

/// As [`record_and_kill`], with more arguments for `record` (a video source).
fn record_and_kill_with(ext: &'static str, extra: &[&str], after: Duration) -> Killed {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join(format!("never-written.{ext}"));
    let mut child = cli()
        .args(["record", "--audio", "test:tone", "--timeslice", "1000"])
        .args(extra)
        .arg("-o")
        .arg(&target)
        .env("XDG_DATA_HOME", dir.path())
        .env("LC_ALL", "C.UTF-8")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Recording has begun once the CLI says so (start() has returned).
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("Recording") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the CLI ended before recording");
    }
    let started = Instant::now();
    std::thread::sleep(after);
    let killed = std::process::Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap();
    let recorded = started.elapsed().as_secs_f64();
    assert!(killed.success());
    child.wait().unwrap();
    assert!(!target.exists(), "a killed recorder never wrote the output");
    // The CLI prints "chunk N: B bytes at S s" for each dataavailable (S: the blob's timecode);
    // whatever it printed, it printed before the kill. Each blob holds a timeslice (1 s).
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    let durable_s = out
        .lines()
        .filter_map(|l| l.strip_prefix("chunk ")?.split(" at ").nth(1)?.strip_suffix(" s")?.parse::<f64>().ok())
        .map(|timecode| timecode + 1.0)
        .fold(0.0, f64::max);
    Killed { dir, ext, recorded, durable_s }
}

/// Recovers a killed recording with the CLI and checks it against what was recorded.
fn recover_and_check(k: &Killed) {
    let (dir, ext, recorded) = (k.dir.path(), k.ext, k.recorded);
    let file = dir.join(format!("recovered.{ext}"));
    let run = cli().args(["recover", "-o"]).arg(&file).env("XDG_DATA_HOME", dir).output().unwrap();
    assert!(run.status.success(), "recover failed: {}", String::from_utf8_lossy(&run.stderr));
    let what = format!("killed after {recorded:.2} s ({ext}), dataavailable for {:.1} s", k.durable_s);
    assert_eq!(ffmpeg_errors(&file), "", "{what}");
    let d = probe(&file).duration_s;
    // Everything a dataavailable announced was durable, and so is recovered (less a frame or
    // two: a blob holds whole 20 ms Opus packets, so it can end just short of its timeslice)...
    assert!(d >= k.durable_s - 0.05, "{what}: recovered {d} s");
    // ...which is all but at most the last timeslice: a chunk is durable within moments of
    // its end (the margin is for fsync and scheduling on a shared machine).
    assert!(d >= recorded - 1.1 && d <= recorded + 0.1, "{what}: recovered {d} s");
    let title = chromium_duration(&file);
    let played: f64 = title.strip_prefix("duration=").and_then(|t| t.parse().ok()).unwrap_or(f64::NAN);
    assert!((played - d).abs() < 0.1, "{what}: Chromium says {title}");
    if ext == "mp4" {
        assert_eq!(mp4_boxes(&file), ["ftyp", "moov", "mdat"], "{what}: the index first");
    }
    // Recovered, so the session is gone and nothing is offered again.
    assert!(list_sessions(&dir.join("mediarecorder/sessions")).is_empty(), "{what}");
}

#[test]
fn sigkill_at_twenty_moments_always_recovers_all_but_the_last_timeslice() {
    // 20 moments spread over a 10 s recording, pseudo-random but reproducible (fixed seed).
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let moments: Vec<Duration> = (0..20)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            Duration::from_millis(300 + seed % 9_400)
        })
        .collect();
    // Four recordings at a time (each waits in real time); they are checked once all four are
    // killed, so that ffmpeg and Chromium do not load the machine under a recording.
    for batch in moments.chunks(4) {
        let recordings: Vec<Killed> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .iter()
                .enumerate()
                .map(|(i, &after)| {
                    let ext = if i % 2 == 0 { "webm" } else { "ogg" };
                    s.spawn(move || record_and_kill(ext, after))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        std::thread::scope(|s| {
            for k in &recordings {
                s.spawn(|| recover_and_check(k));
            }
        });
    }
}

#[test]
fn a_killed_mp4_recording_recovers_all_but_the_last_timeslice_with_its_index_first() {
    // H.264 and Opus (what `.mp4` records), and Opus alone; killed mid-fragment.
    let runs: [(&[&str], u64); 3] =
        [(&["--video", "test:pattern"], 2_300), (&["--video", "test:pattern"], 4_700), (&[], 3_500)];
    for (extra, after) in runs {
        let k = record_and_kill_with("mp4", extra, Duration::from_millis(after));
        recover_and_check(&k);
    }
}

/// A finished recording whose session is then damaged as a crash or a bad disk would.
fn damaged_session(mime: &str, store_dir: &Path) -> std::path::PathBuf {
    let r = recorder("test:tone", mime, store_dir);
    record_for(&r, Some(500), 2600);
    let dir = r.session_dir().unwrap();
    let m = store::read_manifest(&dir).unwrap();
    assert!(m.chunks.len() >= 6);
    // A bit flipped in chunk 3, chunk 4 deleted, the last chunk torn in half, the manifest lost.
    let mut third = std::fs::read(dir.join(&m.chunks[2].file)).unwrap();
    let mid = third.len() / 2;
    third[mid] ^= 0x55;
    std::fs::write(dir.join(&m.chunks[2].file), third).unwrap();
    std::fs::remove_file(dir.join(&m.chunks[3].file)).unwrap();
    let last = dir.join(&m.chunks.last().unwrap().file);
    let len = std::fs::metadata(&last).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&last).unwrap().set_len(len / 2).unwrap();
    std::fs::remove_file(dir.join("manifest.json")).unwrap();
    dir
}

#[test]
fn damaged_and_torn_chunks_and_a_lost_manifest_still_recover() {
    for (mime, ext) in [("audio/ogg", "ogg"), ("audio/webm", "webm")] {
        let store_dir = tempfile::tempdir().unwrap();
        let dir = damaged_session(mime, store_dir.path());
        let sessions = list_sessions(store_dir.path());
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].state, None, "no manifest");
        assert!(sessions[0].needs_recovery(), "{mime}");
        assert_eq!(sessions[0].extension, ext);

        let out = tempfile::tempdir().unwrap();
        let file = out.path().join(format!("r.{ext}"));
        let r = recover(&dir, &file, false).unwrap();
        assert!(r.skipped.iter().any(|s| s.starts_with("chunk 3: damaged")), "{mime}: {:?}", r.skipped);
        assert!(r.skipped.iter().any(|s| s == "chunk 4: missing, left out"), "{mime}: {:?}", r.skipped);
        assert!(r.skipped.iter().any(|s| s.contains("damaged at the end")), "{mime}: {:?}", r.skipped);
        assert_eq!(ffmpeg_errors(&file), "", "{mime}");
        let d = probe(&file).duration_s;
        // 2.6 s recorded, less at most the torn last chunk (0.5 s). The left-out chunks 3 and 4
        // stay a gap on the timeline: what follows keeps its true time.
        assert!((1.9..=2.7).contains(&d), "{mime}: {d} s");
        assert!((dominant_hz(&decode_mono(&file)) - 440.0).abs() < 5.0);
    }
}

#[test]
fn a_session_still_recording_is_not_offered_for_recovery() {
    let store_dir = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/ogg", store_dir.path());
    r.start(Some(200)).unwrap();
    std::thread::sleep(Duration::from_millis(700));
    let sessions = list_sessions(store_dir.path());
    assert_eq!(sessions.len(), 1);
    assert!(sessions[0].in_use && !sessions[0].needs_recovery());
    let out = tempfile::tempdir().unwrap();
    let err = recover(&sessions[0].dir, &out.path().join("x.ogg"), false).unwrap_err();
    assert!(matches!(err, RecorderError::InvalidState(_)), "{err}");
    r.stop().unwrap();
    events_until_stop(&r, Duration::from_secs(10));
    // Finished normally: complete, and not offered either.
    let sessions = list_sessions(store_dir.path());
    assert!(!sessions[0].in_use && !sessions[0].needs_recovery());
}
