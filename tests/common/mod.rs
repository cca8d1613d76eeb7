//! Helpers shared by the integration tests: recording with the real engine, and checking the
//! output with independent tools (ffmpeg/ffprobe decode it; an FFT measures its pitch).
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mediarecorder::{MediaRecorder, MediaRecorderOptions, MediaStream, RecorderEvent};

pub mod desktop;
pub mod soak;
pub mod wayland;

/// The CLI's audio constraints off: microphones recorded as captured (echo cancellation, noise
/// suppression and automatic gain are on for them by default), for tests that measure a tone.
pub const UNPROCESSED: [&str; 6] =
    ["--echo-cancellation", "off", "--noise-suppression", "off", "--auto-gain-control", "off"];

/// Collects events until `Stop` (or panics after `timeout`).
pub fn events_until_stop(recorder: &MediaRecorder, timeout: Duration) -> Vec<RecorderEvent> {
    let rx = recorder.events();
    let deadline = Instant::now() + timeout;
    let mut out = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(RecorderEvent::Stop) => {
                out.push(RecorderEvent::Stop);
                return out;
            }
            Ok(e) => out.push(e),
            Err(e) => panic!("no Stop within {timeout:?} ({e}); got {out:?}"),
        }
    }
}

/// Starts `recorder`, records for `ms` of wall time, stops, and returns every event.
pub fn record_for(recorder: &MediaRecorder, timeslice: Option<u32>, ms: u64) -> Vec<RecorderEvent> {
    recorder.start(timeslice).expect("start");
    std::thread::sleep(Duration::from_millis(ms));
    recorder.stop().expect("stop");
    events_until_stop(recorder, Duration::from_secs(10))
}

/// Event names, for order assertions.
pub fn names(events: &[RecorderEvent]) -> Vec<&'static str> {
    events
        .iter()
        .map(|e| match e {
            RecorderEvent::Start => "start",
            RecorderEvent::DataAvailable(_) => "data",
            RecorderEvent::Pause => "pause",
            RecorderEvent::Resume => "resume",
            RecorderEvent::Stop => "stop",
            RecorderEvent::Error(_) => "error",
        })
        .collect()
}

/// All blobs' bytes concatenated: what a web page would save.
pub fn concat_blobs(events: &[RecorderEvent]) -> Vec<u8> {
    events
        .iter()
        .filter_map(|e| if let RecorderEvent::DataAvailable(b) = e { Some(b.data.bytes().to_vec()) } else { None })
        .flatten()
        .collect()
}

/// A recorder on `source` storing its sessions in `store`.
pub fn recorder(source: &str, mime: &str, store: &Path) -> MediaRecorder {
    let stream = MediaStream::open(Some(source), None).expect("open source");
    let options = MediaRecorderOptions { mime_type: Some(mime.into()), ..Default::default() };
    let r = MediaRecorder::new(stream, options).expect("recorder");
    r.set_store_dir(store);
    r
}

/// What `ffmpeg -v error -i FILE -f null -` prints: empty for a clean file.
pub fn ffmpeg_errors(path: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg must be installed (the test command installs it)");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The numbers the test video's frames in `file` carry, in decoding order (`None`: a frame whose
/// code cannot be read), decoded by ffmpeg one frame at a time (a minute of raw video would fill
/// gigabytes).
pub fn frame_numbers(file: &Path) -> Vec<Option<u32>> {
    use std::io::Read;
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .expect("ffprobe must be installed");
    let size = String::from_utf8_lossy(&probe.stdout).trim().to_string();
    let (w, h) = size.split_once(',').map(|(w, h)| (w.parse().unwrap(), h.parse().unwrap())).expect("a video stream");
    let mut ffmpeg = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(file)
        .args(["-map", "0:v", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-fps_mode", "passthrough", "-"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("ffmpeg");
    let mut out = ffmpeg.stdout.take().unwrap();
    let mut frame = vec![0u8; mediarecorder::media::VideoFrame::i420_len(w, h)];
    let mut numbers = Vec::new();
    while out.read_exact(&mut frame).is_ok() {
        numbers.push(mediarecorder::devices::read_code(&frame, w, h).map(|(n, _ms)| n));
    }
    assert!(ffmpeg.wait().unwrap().success(), "ffmpeg could not decode {}", file.display());
    numbers
}

/// ffprobe's view of the first audio stream.
#[derive(Debug)]
pub struct Probe {
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
    pub duration_s: f64,
}

pub fn probe(path: &Path) -> Probe {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_streams", "-show_format", "-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe must be installed");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("ffprobe JSON");
    let s = &v["streams"][0];
    Probe {
        codec: s["codec_name"].as_str().unwrap_or_default().to_string(),
        sample_rate: s["sample_rate"].as_str().and_then(|x| x.parse().ok()).unwrap_or(0),
        channels: s["channels"].as_u64().unwrap_or(0) as u32,
        duration_s: v["format"]["duration"].as_str().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN),
    }
}

/// Decodes to mono 48 kHz f32 with ffmpeg (independent of our code).
pub fn decode_mono(path: &Path) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-ac", "1", "-ar", "48000", "-f", "f32le", "-"])
        .output()
        .expect("ffmpeg");
    assert!(out.status.success(), "ffmpeg decode failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

/// Both channels, interleaved, 48 kHz.
pub fn decode_stereo(file: &Path) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(file)
        .args(["-ac", "2", "-ar", "48000", "-f", "f32le", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

/// RMS of `samples` (any channels), dBFS.
pub fn rms_db(s: &[f32]) -> f64 {
    20.0 * ((s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len().max(1) as f64).sqrt()).max(1e-9).log10()
}

/// The level of `hz` in `samples` (48 kHz), dB (Goertzel, a Hann window).
pub fn level_db(samples: &[f32], hz: f64) -> f64 {
    let n = samples.len() as f64;
    let w = 2.0 * std::f64::consts::PI * hz / 48_000.0;
    let (mut re, mut im) = (0.0, 0.0);
    for (i, &s) in samples.iter().enumerate() {
        let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n).cos();
        let x = f64::from(s) * hann;
        re += x * (w * i as f64).cos();
        im -= x * (w * i as f64).sin();
    }
    20.0 * ((re * re + im * im).sqrt() / n).max(1e-12).log10()
}

/// A 660 Hz sine played into the virtual speaker while it lives (a PulseAudio module).
pub struct Playing(String);

impl Playing {
    pub fn start() -> Playing {
        let out = Command::new("pactl")
            .args(["load-module", "module-sine", "sink=speaker", "rate=48000", "frequency=660"])
            .output()
            .unwrap();
        assert!(out.status.success(), "pactl: {}", String::from_utf8_lossy(&out.stderr));
        Playing(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

impl Drop for Playing {
    fn drop(&mut self) {
        let _unloaded = Command::new("pactl").args(["unload-module", &self.0]).status();
    }
}

/// The strongest frequency in `samples` (48 kHz), by FFT with parabolic peak interpolation.
pub fn dominant_hz(samples: &[f32]) -> f64 {
    use rustfft::{num_complex::Complex, FftPlanner};
    let n = samples.len().min(1 << 16).next_power_of_two() / 2 * 2;
    let n = if n > samples.len() { n / 2 } else { n };
    // Hann window over a stretch from the middle, away from the start-up.
    let start = (samples.len() - n) / 2;
    let mut buf: Vec<Complex<f32>> = samples[start..start + n]
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let w = 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos();
            Complex::new(s * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    let mags: Vec<f32> = buf[..n / 2].iter().map(|c| c.norm()).collect();
    let k = (1..mags.len() - 1).max_by(|&a, &b| mags[a].total_cmp(&mags[b])).unwrap_or(1);
    let (a, b, c) = (mags[k - 1] as f64, mags[k] as f64, mags[k + 1] as f64);
    let offset = 0.5 * (a - c) / (a - 2.0 * b + c);
    (k as f64 + offset) * 48_000.0 / n as f64
}

/// The file the store assembles for the recorder's last session.
pub fn assemble(recorder: &MediaRecorder, out_dir: &Path, ext: &str) -> PathBuf {
    let session = recorder.session_dir().expect("a session directory");
    let out = out_dir.join(format!("out.{ext}"));
    mediarecorder::store::assemble(&session, &out, true).expect("assemble");
    out
}

/// The built CLI.
pub fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mediarecorder"))
}

/// Starts `command` (a `record`) with its stderr read line by line; returns once it says it is
/// recording (a test's timings start there, not at a spawn a loaded machine may take seconds
/// to carry out), with the lines it prints after.
pub fn spawn_recording(command: &mut Command) -> (Child, crossbeam_channel::Receiver<String>) {
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    // `record` prints a few lines: the queue never fills (if it did, the reader would wait).
    let (tx, rx) = crossbeam_channel::bounded(1024);
    let stderr = child.stderr.take().unwrap();
    std::thread::Builder::new()
        .name("test:stderr".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        })
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut said = Vec::new();
    while let Ok(line) = rx.recv_deadline(deadline) {
        if line.starts_with("Recording ") {
            return (child, rx);
        }
        said.push(line);
    }
    let _killed = child.kill();
    let status = child.wait();
    panic!("record did not start recording ({status:?}): {}", said.join("\n"));
}

/// Waits for a `spawn_recording` to end: whether it succeeded, and what it printed after
/// saying it was recording.
pub fn finish_recording(mut child: Child, rx: &crossbeam_channel::Receiver<String>) -> (bool, String) {
    let ok = child.wait().unwrap().success();
    // The reader ends with the pipe; what it read is all in the queue then.
    let lines: Vec<String> = rx.iter().collect();
    (ok, lines.join("\n"))
}

/// `duration` as headless Chromium (the reference player) reports it at `loadedmetadata`, or
/// the media error. Each call uses its own page and Chromium, so calls may run in parallel.
pub fn chromium_duration(file: &Path) -> String {
    chromium_report(file, "duration", "a.onloadedmetadata = () => report('duration=' + a.duration);")
}

/// Where headless Chromium lands when asked to seek `file` to `seconds` (`seeked=<currentTime>`
/// once the frame there is ready to show, `ready=4`), or the media error.
pub fn chromium_seek(file: &Path, seconds: f64) -> String {
    let script = format!(
        "a.onloadedmetadata = () => a.currentTime = {seconds};\n\
         a.onseeked = () => a.readyState >= 4 ? done() : a.addEventListener('canplaythrough', done, {{ once: true }});\n\
         const done = () => report('seeked=' + a.currentTime + ' ready=' + a.readyState);"
    );
    chromium_report(file, "seek", &script)
}

/// What `script` (given the media element `a`, a muted `<video>`, and `report(text)`) reports.
///
/// The page tells a listener of this process over HTTP, and Chromium runs on real time until it
/// has: `--virtual-time-budget` with `--dump-dom` does not wait for the media pipeline's own
/// threads, so on a busy machine the page was dumped before a seek had finished.
fn chromium_report(file: &Path, purpose: &str, script: &str) -> String {
    use std::io::{Read, Write};
    use std::os::unix::process::CommandExt;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = file.parent().unwrap();
    let page = dir.join(format!("player-{purpose}-{}.html", file.file_stem().unwrap().to_string_lossy()));
    let name = file.file_name().unwrap().to_string_lossy();
    std::fs::write(
        &page,
        format!(
            r#"<!doctype html><title>pending</title><video id=a preload=auto muted src="{name}"></video><script>
const a = document.getElementById('a');
let reported = false;
const report = (text) => {{
  if (reported) return;
  reported = true;
  fetch('http://127.0.0.1:{port}/report?' + encodeURIComponent(text), {{ mode: 'no-cors' }});
}};
{script}
a.onerror = () => report('error=' + (a.error && a.error.code));
</script>"#
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let mut chromium = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        // What it leaves in the temporary directory when killed goes with its profile.
        .env("TMPDIR", profile.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group, so the browser and its helpers stop together.
        .process_group(0)
        .spawn()
        .expect("chromium must be installed (the test command installs it)");
    let deadline = Instant::now() + Duration::from_secs(90);
    let reported = loop {
        match listener.accept() {
            Ok((mut stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
                let line = String::from_utf8_lossy(&request).lines().next().unwrap_or_default().to_string();
                if let Some(query) = line.split(' ').nth(1).and_then(|t| t.strip_prefix("/report?")) {
                    break percent_encoding::percent_decode_str(query).decode_utf8_lossy().into_owned();
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() > deadline {
                    break "no report from Chromium in 90 s".to_string();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("listening for Chromium: {e}"),
        }
    };
    let group = format!("-{}", chromium.id());
    let _gone = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = chromium.wait();
    reported
}

/// The top-level boxes of an MP4 file, in order.
pub fn mp4_boxes(file: &Path) -> Vec<String> {
    let bytes = std::fs::read(file).unwrap();
    let mut at = 0usize;
    let mut kinds = Vec::new();
    while at + 8 <= bytes.len() {
        let mut size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        if size == 1 {
            size = u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap()) as usize;
        }
        kinds.push(String::from_utf8_lossy(&bytes[at + 4..at + 8]).into_owned());
        if size < 8 {
            break;
        }
        at += size;
    }
    kinds
}

/// A private PulseAudio with the two virtual mics (scripts/virtual-mics.sh), for tests that
/// break it; stopped by pid however the test ends.
pub struct PrivatePulse {
    dir: PathBuf,
    /// Readers started by `plug_in`, stopped with the daemon.
    readers: std::cell::RefCell<Vec<std::process::Child>>,
}

impl PrivatePulse {
    pub fn start(dir: &Path) -> (PrivatePulse, Vec<(String, String)>) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/virtual-mics.sh");
        let out = Command::new(script).arg("start").arg(dir).output().unwrap();
        assert!(out.status.success(), "virtual mics: {}", String::from_utf8_lossy(&out.stderr));
        let env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export ")?.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        (PrivatePulse { dir: dir.to_path_buf(), readers: Default::default() }, env)
    }

    pub fn kill(&self, pid_file: &str, signal: &str) {
        let pid = std::fs::read_to_string(self.dir.join(pid_file)).unwrap();
        let status = Command::new("kill").args([signal, pid.trim()]).status().unwrap();
        assert!(status.success(), "kill {signal} {pid}");
    }
}

impl Drop for PrivatePulse {
    fn drop(&mut self) {
        for mut reader in self.readers.take() {
            let _gone = reader.kill();
            let _reaped = reader.wait();
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/virtual-mics.sh");
        let _stopped = Command::new(script).arg("stop").arg(&self.dir).status();
    }
}

impl PrivatePulse {
    /// Runs `pactl` against this daemon.
    pub fn pactl(&self, env: &[(String, String)], args: &[&str]) -> String {
        let out = Command::new("pactl").args(args).envs(env.iter().cloned()).output().unwrap();
        assert!(out.status.success(), "pactl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl PrivatePulse {
    /// Plugs in another microphone made like the virtual ones: a sine of `hz` on a null sink,
    /// remapped into source `name`, with a low-latency reader on the feed (stopped with the
    /// daemon) so it delivers in small blocks rather than 2 s bursts.
    pub fn plug_in(&self, env: &[(String, String)], name: &str, description: &str, hz: u32) {
        let feed = format!("{name}_feed");
        self.pactl(env, &["load-module", "module-null-sink", &format!("sink_name={feed}"), "rate=48000", "channels=2"]);
        self.pactl(
            env,
            &["load-module", "module-sine", &format!("sink={feed}"), "rate=48000", &format!("frequency={hz}")],
        );
        let reader = Command::new("parec")
            .args(["--latency-msec=20", "-d", &format!("{feed}.monitor")])
            .envs(env.iter().cloned())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        self.readers.borrow_mut().push(reader);
        self.pactl(
            env,
            &[
                "load-module",
                "module-remap-source",
                &format!("source_name={name}"),
                &format!("master={feed}.monitor"),
                &format!("source_properties=\"device.description='{description}'\""),
            ],
        );
    }

    /// Unplugs microphone `name`: unloads its source module (the server moves its streams to
    /// the default source, as when a USB microphone is pulled).
    pub fn unplug(&self, env: &[(String, String)], name: &str) {
        let modules = self.pactl(env, &["list", "modules", "short"]);
        let pattern = format!("source_name={name} ");
        let id = modules.lines().find(|l| l.contains(&pattern)).unwrap().split('\t').next().unwrap().to_string();
        self.pactl(env, &["unload-module", &id]);
    }
}

/// Fails (never skips) when the test command's virtual microphones are not running.
pub fn require_virtual_mics() {
    assert!(
        std::env::var_os("MEDIARECORDER_VIRTUAL_MICS").is_some(),
        "these tests need the virtual microphones: run them with scripts/test.sh"
    );
}

/// A private X server, stopped by pid when dropped.
pub struct Xvfb {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb with one screen of `screen` (e.g. `1280x800x24`) on a display it picks.
    pub fn start(screen: &str) -> Xvfb {
        // -displayfd: Xvfb picks a free display number itself and writes it to stdout.
        let mut child = Command::new("Xvfb")
            // -noreset: the server would otherwise reset (clearing the screen and refusing
            // connections for a moment) each time its last client disconnects.
            .args(["-displayfd", "1", "-screen", "0", screen, "-nolisten", "tcp", "-noreset"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb must be installed (the test command installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let display = format!(":{}", line.trim());
        assert!(display.len() > 1, "Xvfb did not report a display");
        Xvfb { child, display }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _gone = self.child.kill();
        let _reaped = self.child.wait();
    }
}
