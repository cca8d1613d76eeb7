//! The browser's audio constraints, measured on speech (espeak-ng) played into the test
//! PulseAudio's speaker and recorded from its monitor (`--audio system`), with the processing
//! off and on. Alone in its binary, one test at a time: they share the speaker.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use mediarecorder::{MediaRecorder, MediaRecorderOptions, MediaStream, SilenceOptions};

static SPEAKER: Mutex<()> = Mutex::new(());

/// A 48 kHz WAV of `seconds` of speech (espeak-ng, sentences repeated) at `gain`.
fn speech(dir: &Path, gain: f64, seconds: f64) -> PathBuf {
    let text = "The quick brown fox jumps over the lazy dog. Recording a voice memo on the desktop should sound clean and steady.";
    spoken(dir, "en", text, gain, seconds)
}

/// `text` spoken by espeak-ng's `voice`, repeated for `seconds`, at `gain`, as a 48 kHz WAV.
fn spoken(dir: &Path, voice: &str, text: &str, gain: f64, seconds: f64) -> PathBuf {
    let raw = dir.join(format!("{voice}.wav"));
    let status = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&raw)
        .arg(text)
        .status()
        .expect("espeak-ng (the test command installs it)");
    assert!(status.success());
    let out = dir.join(format!("{voice}-{gain}-{seconds}.wav"));
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-stream_loop", "-1", "-i"])
        .arg(&raw)
        .args(["-t", &seconds.to_string(), "-af", &format!("volume={gain}"), "-ar", "48000", "-ac", "1"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

/// Plays `wav` into an output while it lives.
struct Play(Child);

impl Play {
    /// Into the speaker.
    fn start(wav: &Path) -> Play {
        Play::into("speaker", wav)
    }

    fn into(sink: &str, wav: &Path) -> Play {
        let child = Command::new("paplay").args(["-d", sink]).arg(wav).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        Play(child)
    }
}

impl Drop for Play {
    fn drop(&mut self) {
        let _killed = self.0.kill();
        let _reaped = self.0.wait();
    }
}

/// Records the speaker for `seconds` with the given processing flags; the decoded samples,
/// stereo interleaved (levels are per channel, as the processing sees them: a mono downmix
/// would add the two sides up).
fn record(dir: &Path, name: &str, flags: &[&str], seconds: f64) -> Vec<f32> {
    let file = dir.join(format!("{name}.ogg"));
    let out = cli()
        .args(["record", "--audio", "system", "--duration", &seconds.to_string()])
        .args(flags)
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(ffmpeg_errors(&file), "");
    decode_stereo(&file)
}

/// Samples (stereo interleaved) from `seconds` on.
fn from(samples: &[f32], seconds: f64) -> &[f32] {
    &samples[(seconds * 96_000.0) as usize..]
}

/// The level of speech as the automatic gain defines it: the mean level (dB) of the voiced
/// 10 ms frames (stereo interleaved), those within `SPEECH_RANGE_DB` of the loudest 5 %.
fn speech_db(s: &[f32]) -> f64 {
    let mut frames: Vec<f64> = s.chunks_exact(960).map(rms_db).collect();
    frames.sort_by(|a, b| b.total_cmp(a));
    let floor = frames[frames.len() / 20] - f64::from(mediarecorder::devices::SPEECH_RANGE_DB);
    let voiced: Vec<f64> = frames.into_iter().filter(|&f| f > floor.max(-60.0)).collect();
    voiced.iter().sum::<f64>() / voiced.len() as f64
}

#[test]
fn noise_suppression_keeps_speech() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let voice = speech(dir.path(), 0.5, 20.0);
    let (off, on) = {
        let _playing = Play::start(&voice);
        (
            record(dir.path(), "speech-off", &[], 5.0),
            record(dir.path(), "speech-on", &["--noise-suppression", "on"], 5.0),
        )
    };
    let (before, after) = (speech_db(&off), speech_db(&on));
    eprintln!("speech: {before:.1} dBFS off, {after:.1} dBFS on");
    assert!(before > -40.0, "the speech was recorded: {before:.1} dBFS");
    assert!((before - after).abs() <= 3.0, "speech kept within 3 dB: {before:.1} → {after:.1}");
}

#[test]
fn automatic_gain_brings_quiet_and_loud_speech_to_the_target() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let target = f64::from(mediarecorder::devices::AGC_TARGET_DBFS);
    // espeak-ng speaks at about -17 dBFS: -41 and -5 dBFS here.
    for (gain, name) in [(0.06, "quiet"), (4.0, "loud")] {
        let voice = speech(dir.path(), gain, 20.0);
        let _playing = Play::start(&voice);
        let raw = record(dir.path(), &format!("{name}-off"), &[], 3.0);
        let on = record(dir.path(), name, &["--auto-gain-control", "on"], 7.0);
        let (before, after) = (speech_db(&raw), speech_db(from(&on, 3.0)));
        let peak = on.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        eprintln!("{name}: speech {before:.1} dBFS raw, {after:.1} dBFS after 3 s, peak {peak:.3}");
        assert!((after - target).abs() <= 3.0, "{name}: {after:.1} dBFS, target {target}");
        assert!(peak < 1.0, "{name}: nothing clips (peak {peak})");
    }
}

/// Speech regions in `mono` (48 kHz): runs of 5 ms windows over -45 dBFS, merged across gaps
/// under 300 ms (between words); `(start, end)` in seconds.
fn speech_regions(mono: &[f32]) -> Vec<(f64, f64)> {
    let mut regions: Vec<(f64, f64)> = Vec::new();
    for (k, window) in mono.chunks_exact(240).enumerate() {
        if rms_db(window) <= -45.0 {
            continue;
        }
        let (start, end) = (k as f64 * 0.005, (k + 1) as f64 * 0.005);
        match regions.last_mut() {
            Some(last) if start - last.1 < 0.3 => last.1 = end,
            _ => regions.push((start, end)),
        }
    }
    regions
}

#[test]
fn silence_pauses_and_sound_resumes_keeping_the_words_whole() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    // 2 s of speech, 4 s of silence, the same 2 s of speech.
    let words = speech(dir.path(), 0.5, 2.0);
    let take = dir.path().join("take.wav");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(&words)
        .args(["-f", "lavfi", "-t", "4", "-i", "anullsrc=r=48000:cl=mono", "-i"])
        .arg(&words)
        .args(["-filter_complex", "[0][1][2]concat=n=3:v=0:a=1", "-ar", "48000", "-ac", "1"])
        .arg(&take)
        .status()
        .unwrap();
    assert!(status.success());
    let burst = speech_regions(&decode_mono(&words));
    assert_eq!(burst.len(), 1, "the 2 s of speech are one region: {burst:?}");
    let burst_s = burst[0].1 - burst[0].0;

    let stream = MediaStream::open(Some("system"), None).unwrap();
    let options = MediaRecorderOptions {
        mime_type: Some("audio/ogg;codecs=opus".into()),
        pause_on_silence: Some(SilenceOptions::default()),
        ..Default::default()
    };
    let recorder = MediaRecorder::new(stream, options).unwrap();
    recorder.set_store_dir(dir.path());
    recorder.start(Some(1000)).unwrap();
    let played = Command::new("paplay").args(["-d", "speaker"]).arg(&take).status().unwrap();
    assert!(played.success());
    std::thread::sleep(Duration::from_millis(200));
    recorder.stop().unwrap();
    let events = events_until_stop(&recorder, Duration::from_secs(10));
    let file = assemble(&recorder, dir.path(), "ogg");
    assert_eq!(ffmpeg_errors(&file), "");

    // Pauses and resumes alternate, one pair at least (the 4 s of silence).
    let gates: Vec<&str> = names(&events).into_iter().filter(|n| matches!(*n, "pause" | "resume")).collect();
    eprintln!("events: {:?}", names(&events));
    assert!(gates.len() >= 2, "paused and resumed: {gates:?}");
    assert!(gates.iter().enumerate().all(|(i, g)| *g == if i % 2 == 0 { "pause" } else { "resume" }), "{gates:?}");

    let regions = speech_regions(&decode_mono(&file));
    let duration = probe(&file).duration_s;
    eprintln!("file {duration:.3} s, speech regions {regions:?}, the source's burst {burst_s:.3} s");
    assert_eq!(regions.len(), 2, "both bursts, apart: {regions:?}");
    let (first, second) = (regions[0], regions[1]);
    let gap = second.0 - first.1;
    // The 4 s of silence shrink to the hang-over and the pre-roll (0.75 s, less a 5 ms seam).
    assert!((0.6..=0.9).contains(&gap), "silence between the bursts: {gap:.3} s");
    assert!(second.1 - first.0 <= 5.0, "speech, hang-over and pre-roll: {:.3} s", second.1 - first.0);
    // Each burst whole: its first 20 ms included (Opus's smear allowed for).
    for (start, end) in [first, second] {
        let kept = end - start;
        assert!(kept >= burst_s - 0.01 && kept <= burst_s + 0.03, "a burst of {burst_s:.3} s kept as {kept:.3} s");
    }
}

#[test]
fn the_users_pause_takes_over_from_the_silences() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let stream = MediaStream::open(Some("system"), None).unwrap();
    let options = MediaRecorderOptions { pause_on_silence: Some(SilenceOptions::default()), ..Default::default() };
    let recorder = MediaRecorder::new(stream, options).unwrap();
    recorder.set_store_dir(dir.path());
    recorder.start(None).unwrap();
    let events = recorder.events();
    let next = |what: &str| {
        let event = events.recv_timeout(Duration::from_secs(5)).unwrap_or_else(|e| panic!("{what}: {e}"));
        names(&[event])[0]
    };
    assert_eq!(next("start"), "start");
    assert_eq!(next("the silence's pause"), "pause");
    // Paused by the user now: sound no longer resumes.
    recorder.pause().unwrap();
    let playing = Playing::start();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(recorder.state(), mediarecorder::RecordingState::Paused);
    assert!(events.try_recv().is_err(), "no event while the user's pause holds");
    // The user's resume; the tone keeps it recording, its end pauses it again.
    recorder.resume().unwrap();
    assert_eq!(next("the user's resume"), "resume");
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(recorder.state(), mediarecorder::RecordingState::Recording);
    drop(playing);
    assert_eq!(next("the silence's pause again"), "pause");
    recorder.stop().unwrap();
    let rest = names(&events_until_stop(&recorder, Duration::from_secs(10)));
    assert_eq!(rest, ["data", "stop"]);
}

/// An echo path in the test PulseAudio, as a laptop's speakers reach its microphone: what the
/// speaker plays goes on into a "room" (a fixed delay, no resampling) whose monitor is the
/// microphone `room_mic`; a talker near the microphone plays into the room directly. Removed
/// when dropped.
struct Room {
    modules: Vec<String>,
    reader: Child,
}

impl Room {
    fn set_up() -> Room {
        let load = |args: &[&str]| {
            let out = Command::new("pactl").arg("load-module").args(args).output().unwrap();
            assert!(out.status.success(), "pactl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        let modules = vec![
            load(&["module-null-sink", "sink_name=room", "rate=48000", "channels=1"]),
            // adjust_time=0: no rate adjustment, so the path is the same throughout (a real
            // speaker and microphone on one sound card share a clock too).
            load(&["module-loopback", "source=speaker.monitor", "sink=room", "latency_msec=40", "adjust_time=0"]),
            load(&["module-remap-source", "source_name=room_mic", "master=room.monitor"]),
        ];
        // A null sink nobody reads hands its monitor over in 2 s bursts: read it in small blocks.
        let reader = Command::new("parec")
            .args(["--latency-msec=20", "-d", "room.monitor"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        Room { modules, reader }
    }

    /// Plays `wav` near the microphone (into the room) while the returned value lives.
    fn talk(wav: &Path) -> Play {
        Play::into("room", wav)
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        let _killed = self.reader.kill();
        let _reaped = self.reader.wait();
        for module in self.modules.iter().rev() {
            let _unloaded = Command::new("pactl").args(["unload-module", module]).status();
        }
    }
}

/// Records the room's microphone for `seconds`, echo cancellation `on` or off (and nothing else:
/// a microphone's other constraints are on by default); mono samples.
fn record_room(dir: &Path, name: &str, on: bool, seconds: f64) -> Vec<f32> {
    let file = dir.join(format!("{name}.ogg"));
    let out = cli()
        .args(["record", "--audio", "pulseaudio:room_mic", "--duration", &seconds.to_string()])
        .args(["--echo-cancellation", if on { "on" } else { "off" }])
        .args(["--noise-suppression", "off", "--auto-gain-control", "off"])
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(ffmpeg_errors(&file), "");
    decode_mono(&file)
}

#[test]
fn echo_cancellation_takes_the_speakers_out_and_keeps_the_voice() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let other = "She sells sea shells by the sea shore, and the shells she sells are surely sea shells.";
    // The far end's voice and another (espeak-ng's female voice) near the microphone.
    let (far, near) = (speech(dir.path(), 0.5, 40.0), spoken(dir.path(), "en+f3", other, 0.5, 40.0));
    let _room = Room::set_up();
    // The far end alone: what the speakers play reaches the microphone.
    let (echo_off, echo_on) = {
        let _playing = Play::start(&far);
        (record_room(dir.path(), "echo-off", false, 4.0), record_room(dir.path(), "echo-on", true, 8.0))
    };
    // The voice alone, then with the far end playing (both talking).
    let (voice_off, both_on) = {
        let _talking = Room::talk(&near);
        let voice_off = record_room(dir.path(), "voice-off", false, 4.0);
        let _playing = Play::start(&far);
        (voice_off, record_room(dir.path(), "both-on", true, 8.0))
    };
    let tail = |s: &[f32], from: f64| rms_db(&s[(from * 48_000.0) as usize..]);
    let (echo_before, echo_after) = (tail(&echo_off, 1.0), tail(&echo_on, 4.0));
    let (voice, voice_with_echo) = (tail(&voice_off, 1.0), tail(&both_on, 4.0));
    eprintln!(
        "echo {echo_before:.1} → {echo_after:.1} dBFS; the voice alone {voice:.1} dBFS, with the echo cancelled \
         {voice_with_echo:.1} dBFS"
    );
    assert!(echo_before > -35.0, "the echo reached the microphone: {echo_before:.1} dBFS");
    assert!(echo_before - echo_after >= 15.0, "the echo falls by 15 dB: {echo_before:.1} → {echo_after:.1}");
    assert!((voice - voice_with_echo).abs() <= 3.0, "the voice kept within 3 dB: {voice:.1} → {voice_with_echo:.1}");
}

/// Writes mono 48 kHz samples as a 16-bit WAV.
fn write_wav(path: &Path, samples: &[f32]) {
    let data: Vec<u8> = samples.iter().flat_map(|s| ((s.clamp(-1.0, 1.0) * 32_767.0) as i16).to_le_bytes()).collect();
    let mut wav = Vec::with_capacity(44 + data.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    for field in [16u32.to_le_bytes(), [1, 0, 1, 0], 48_000u32.to_le_bytes(), 96_000u32.to_le_bytes(), [2, 0, 16, 0]] {
        wav.extend_from_slice(&field);
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    std::fs::write(path, wav).unwrap();
}

fn power(s: &[f32]) -> f64 {
    s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len().max(1) as f64
}

/// The power of a loud 10 ms frame of speech: where the loudest 5 % of `frames` begin.
fn loud_frame(frames: &[f64]) -> f64 {
    let mut sorted = frames.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    sorted[sorted.len() / 20]
}

/// Where `recorded` starts in `clean` (samples): by 10 ms envelopes, then sample by sample.
fn offset_in(clean: &[f32], recorded: &[f32]) -> usize {
    let envelope = |s: &[f32]| s.chunks_exact(480).map(|c| power(c).sqrt()).collect::<Vec<f64>>();
    let (ec, er) = (envelope(clean), envelope(recorded));
    let score = |o: usize| er.iter().zip(&ec[o..]).map(|(a, b)| a * b).sum::<f64>();
    let coarse = (0..ec.len() - er.len()).max_by(|&a, &b| score(a).total_cmp(&score(b))).unwrap() * 480;
    let window = &recorded[48_000..144_000];
    let fine =
        |o: usize| window.iter().zip(&clean[o + 48_000..]).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum::<f64>();
    (coarse.saturating_sub(960)..coarse + 960).max_by(|&a, &b| fine(a).total_cmp(&fine(b))).unwrap()
}

/// A recording of `clean` (played as `noisy`) measured against it, from 2 s in. Speech differs
/// from stretch to stretch, so each figure is taken against what was played over the same
/// stretch: the noise's power in the pauses (dB), the speech frames' power over the clean
/// speech's there (dB), the SNR against the clean speech (at the gain that fits best), and the
/// SNR of what was played.
struct AgainstClean {
    pauses: f64,
    speech: f64,
    snr: f64,
    played_snr: f64,
}

fn against_clean(clean: &[f32], noisy: &[f32], recorded: &[f32]) -> AgainstClean {
    let recorded = &recorded[96_000..recorded.len() - 48_000];
    let at = offset_in(clean, recorded);
    let played = &noisy[at..at + recorded.len()];
    let clean = &clean[at..at + recorded.len()];
    let frames: Vec<f64> = clean.chunks_exact(480).map(power).collect();
    let loud = loud_frame(&frames);
    let (mut pauses, mut speech, mut clean_speech) = (Vec::new(), Vec::new(), Vec::new());
    for (k, &f) in frames.iter().enumerate() {
        let frame = &recorded[k * 480..(k + 1) * 480];
        if f < loud * 1e-4 {
            pauses.push(power(frame));
        } else if f > loud / 316.0 {
            speech.push(power(frame));
            clean_speech.push(f);
        }
    }
    let mean_db = |v: &[f64]| 10.0 * (v.iter().sum::<f64>() / v.len().max(1) as f64).log10();
    AgainstClean {
        pauses: mean_db(&pauses),
        speech: mean_db(&speech) - mean_db(&clean_speech),
        snr: snr(clean, recorded),
        played_snr: snr(clean, played),
    }
}

/// The SNR of `signal` against `clean`, at the gain that fits best (dB).
fn snr(clean: &[f32], signal: &[f32]) -> f64 {
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum::<f64>();
    let gain = dot(signal, clean) / dot(clean, clean);
    let error: f64 = signal.iter().zip(clean).map(|(r, c)| (f64::from(*r) - gain * f64::from(*c)).powi(2)).sum();
    10.0 * (gain * gain * dot(clean, clean) / error).log10()
}

#[test]
fn noise_suppression_quiets_white_noise_around_speech_and_keeps_the_speech() {
    require_virtual_mics();
    let _alone = SPEAKER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let clean = decode_mono(&speech(dir.path(), 0.5, 30.0));
    // White noise 10 dB under the speech (the mean power of its voiced 10 ms frames).
    let frames: Vec<f64> = clean.chunks_exact(480).map(power).collect();
    let loud = loud_frame(&frames);
    let voiced: Vec<f64> = frames.iter().copied().filter(|&f| f > loud / 316.0).collect();
    let amplitude = (voiced.iter().sum::<f64>() / voiced.len() as f64 / 10.0 * 3.0).sqrt() as f32;
    let mut seed = 0x2545_f491u32;
    let noisy: Vec<f32> = clean
        .iter()
        .map(|s| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            s + (seed as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude
        })
        .collect();
    let noisy_wav = dir.path().join("noisy.wav");
    write_wav(&noisy_wav, &noisy);
    let (off, on) = {
        let _playing = Play::start(&noisy_wav);
        // At Opus' top rate: its own coding error (about 20 dB under the speech at the default
        // 128 kbit/s, counted against the clean speech too) would hide what the stage does.
        let top = ["--audio-bitrate", "510000"];
        (
            record(dir.path(), "noisy-off", &top, 9.0),
            record(dir.path(), "noisy-on", &[&top[..], &["--noise-suppression", "on"]].concat(), 9.0),
        )
    };
    let mono = |s: &[f32]| s.chunks_exact(2).map(|f| 0.5 * (f[0] + f[1])).collect::<Vec<f32>>();
    let off = against_clean(&clean, &noisy, &mono(&off));
    let on = against_clean(&clean, &noisy, &mono(&on));
    eprintln!(
        "noise in the pauses {:.1} → {:.1} dB, speech over the clean {:+.1} → {:+.1} dB, SNR against the clean \
         speech: off {:.1} played → {:.1} recorded, on {:.1} played → {:.1} recorded",
        off.pauses, on.pauses, off.speech, on.speech, off.played_snr, off.snr, on.played_snr, on.snr
    );
    let (played_off, snr_off, played_on, snr_on) = (off.played_snr, off.snr, on.played_snr, on.snr);
    assert!((8.0..12.0).contains(&played_off), "the noise was played 10 dB under the speech: SNR {played_off:.1} dB");
    assert!((snr_off - played_off).abs() <= 1.0, "off, the SNR is unchanged: {played_off:.1} → {snr_off:.1}");
    assert!(off.pauses - on.pauses >= 12.0, "the pauses' noise falls by 12 dB: {:.1} → {:.1}", off.pauses, on.pauses);
    assert!(
        (off.speech - on.speech).abs() <= 3.0,
        "the speech kept within 3 dB: {:+.1} → {:+.1}",
        off.speech,
        on.speech
    );
    // The stage's own gain: the path alone (off) raises the SNR a little too (Opus leaves out
    // the noise above 20 kHz), which is not the stage's. About +7.4 dB here.
    let gain = (snr_on - played_on) - (snr_off - played_off);
    assert!(
        gain >= 6.0,
        "the SNR rises by 6 dB more than the path alone raises it: on {played_on:.1} → {snr_on:.1}, \
         off {played_off:.1} → {snr_off:.1}: {gain:+.1} dB"
    );
}
