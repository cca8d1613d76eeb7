//! Command-line interface: `devices`, `record` and `recover`, on the library alone.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use mediarecorder::{
    devices, enumerate_devices, store, BitrateMode, MediaRecorder, MediaRecorderOptions, MediaStream, RecorderEvent,
    SilenceOptions,
};
use mediarecorder::{i18n, settings, t};

/// The arguments. Their help texts are in the catalogues (assets/locales), set by [`localized_command`].
#[derive(Parser)]
#[command(name = "mediarecorder", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    Devices {
        #[arg(long)]
        json: bool,
    },
    Record(Box<RecordArgs>),
    Recover {
        #[arg(long)]
        list: bool,
        session: Option<String>,
        #[arg(short, long, required_unless_present = "list")]
        output: Option<PathBuf>,
        #[arg(long)]
        force: bool,
    },
    Completions {
        shell: clap_complete::Shell,
    },
    Man {
        command: Option<String>,
    },
}

/// The command line with its help in the user's language: every text from the catalogue.
fn localized_command() -> clap::Command {
    use clap::{Arg, ArgAction};
    let flags = |c: clap::Command| {
        // The built-in -h/-V say "Print help" in English whatever the language: ours instead.
        let c = c
            .disable_help_flag(true)
            .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help(t!("cli-help")));
        let c = c.help_template(format!(
            "{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            t!("cli-usage")
        ));
        c.subcommand_help_heading(t!("cli-commands")).mut_args(|a| {
            let heading = if a.is_positional() { t!("cli-arguments") } else { t!("cli-options") };
            a.help_heading(heading)
        })
    };
    let top = Cli::command()
        .about(t!("cli-about"))
        .long_about(t!("cli-long-about"))
        .after_help(t!("cli-examples"))
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version).help(t!("cli-version")))
        .mut_subcommand("devices", |c| c.about(t!("cli-devices")).mut_arg("json", |a| a.help(t!("cli-devices-json"))))
        .mut_subcommand("record", |c| {
            c.about(t!("cli-record"))
                .after_help(t!("cli-record-examples"))
                .mut_arg("audio", |a| a.help(t!("cli-record-audio")))
                .mut_arg("no_audio", |a| a.help(t!("cli-record-no-audio")))
                .mut_arg("echo_cancellation", |a| a.help(t!("cli-record-echo-cancellation")))
                .mut_arg("noise_suppression", |a| a.help(t!("cli-record-noise-suppression")))
                .mut_arg("auto_gain_control", |a| a.help(t!("cli-record-auto-gain")))
                .mut_arg("pause_on_silence", |a| a.help(t!("cli-record-pause-on-silence")))
                .mut_arg("video", |a| a.help(t!("cli-record-video")))
                .mut_arg("video_bitrate", |a| a.help(t!("cli-record-video-bitrate")))
                .mut_arg("key_frame_interval", |a| a.help(t!("cli-record-key-frame-interval")))
                .mut_arg("cursor", |a| a.help(t!("cli-record-cursor")))
                .mut_arg("mime", |a| a.help(t!("cli-record-mime")))
                .mut_arg("timeslice", |a| a.help(t!("cli-record-timeslice")))
                .mut_arg("duration", |a| a.help(t!("cli-record-duration")))
                .mut_arg("audio_bitrate", |a| a.help(t!("cli-record-audio-bitrate")))
                .mut_arg("cbr", |a| a.help(t!("cli-record-cbr")))
                .mut_arg("force", |a| a.help(t!("cli-force")))
                .mut_arg("output", |a| a.help(t!("cli-output")))
        })
        .mut_subcommand("recover", |c| {
            c.about(t!("cli-recover"))
                .mut_arg("list", |a| a.help(t!("cli-recover-list")))
                .mut_arg("session", |a| a.help(t!("cli-recover-session")))
                .mut_arg("output", |a| a.help(t!("cli-output")))
                .mut_arg("force", |a| a.help(t!("cli-force")))
        })
        .mut_subcommand("completions", |c| {
            c.about(t!("cli-completions")).mut_arg("shell", |a| a.help(t!("cli-completions-shell")))
        })
        .mut_subcommand("man", |c| c.about(t!("cli-man")).mut_arg("command", |a| a.help(t!("cli-man-command"))));
    flags(top).mut_subcommands(flags)
}

pub fn run() -> Result<()> {
    let cli = Cli::from_arg_matches(&localized_command().get_matches()).unwrap_or_else(|e| e.exit());
    let Some(command) = cli.command else { return open_window() };
    match command {
        Command::Devices { json } => list_devices(json),
        Command::Record(args) => record(*args),
        Command::Recover { list, session, output, force } => match (list, output) {
            (true, _) => list_unsaved(),
            (false, Some(output)) => recover(session.as_deref(), &output, force),
            (false, None) => bail!(t!("cli-output-required")),
        },
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut localized_command(), "mediarecorder", &mut std::io::stdout());
            Ok(())
        }
        Command::Man { command } => print_manual(command.as_deref()),
    }
}

/// The man page of the program, or of one of its commands (`mediarecorder-record(1)`, as the
/// main page names them).
fn print_manual(command: Option<&str>) -> Result<()> {
    let mut top = localized_command();
    // Built, subcommands know their full names (`mediarecorder-record`).
    top.build();
    let page = match command {
        None => top,
        Some(name) => top
            .find_subcommand(name)
            .cloned()
            .with_context(|| t!("cli-no-such-command", name = name))?
            // Its footer names the version, as the main page's does.
            .version(env!("CARGO_PKG_VERSION")),
    };
    clap_mangen::Man::new(page).render(&mut std::io::stdout()).context(t!("cli-cannot-print-manual"))
}

#[cfg(feature = "app")]
fn open_window() -> Result<()> {
    // Set by benches/window.sh: when the first frame was drawn and each frame's cost.
    let frame_log = std::env::var_os("MEDIARECORDER_FRAME_LOG").map(PathBuf::from);
    mediarecorder::app::run(mediarecorder::app::ControllerConfig::default(), frame_log)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context(t!("cli-cannot-open-window"))
}

#[cfg(not(feature = "app"))]
fn open_window() -> Result<()> {
    bail!(t!("cli-no-window-feature"))
}

/// Recordings that never finished (the program died).
fn unfinished() -> Vec<store::SessionSummary> {
    store::list_sessions(&store::default_root()).into_iter().filter(store::SessionSummary::needs_recovery).collect()
}

/// Recordings not saved anywhere yet: unfinished ones, and finished ones whose file could not be
/// written (or that the window keeps until they are saved).
fn unsaved() -> Vec<store::SessionSummary> {
    store::list_sessions(&store::default_root()).into_iter().filter(store::SessionSummary::unsaved).collect()
}

fn list_unsaved() -> Result<()> {
    let sessions = unsaved();
    if sessions.is_empty() {
        println!("{}", t!("cli-no-unfinished"));
    }
    for s in sessions {
        println!(
            "{}  {:>7.1} s  {} chunks  {}  {}",
            s.id,
            s.duration_ms / 1000.0,
            s.chunks,
            s.extension,
            s.dir.display()
        );
    }
    Ok(())
}

fn recover(session: Option<&str>, output: &Path, force: bool) -> Result<()> {
    let dir = match session {
        Some(s) if Path::new(s).is_dir() => PathBuf::from(s),
        Some(id) => store::default_root().join(id),
        None => unsaved().pop().map(|s| s.dir).context(t!("cli-nothing-to-recover"))?,
    };
    check_output(output, force)?;
    let recovered = store::save(&dir, output, force, &|_| {})
        .with_context(|| t!("cli-cannot-recover", path = dir.display().to_string()))?;
    for note in &recovered.skipped {
        eprintln!("{note}");
    }
    println!(
        "{}",
        t!(
            "cli-recovered",
            path = output.display().to_string(),
            seconds = format!("{:.2}", recovered.duration_ms / 1000.0),
            bytes = recovered.bytes.to_string(),
            chunks = recovered.chunks.to_string()
        )
    );
    if recovered.skipped.is_empty() {
        // Everything is in the file now, which is fsynced: the session is redundant.
        if let Err(e) = store::remove_session(&dir) {
            eprintln!("{}", t!("cli-session-not-removed", reason = e.to_string()));
        }
    }
    Ok(())
}

fn list_devices(json: bool) -> Result<()> {
    let list = enumerate_devices()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    if !devices::has_microphone() {
        println!("{}", t!("cli-no-microphone"));
    }
    if !devices::has_camera() {
        println!("{}", t!("cli-no-camera"));
    }
    for d in list {
        println!("{:<40} {}", d.device_id, i18n::device_label(&d.label));
    }
    Ok(())
}

#[derive(clap::Args)]
struct RecordArgs {
    #[arg(long)]
    audio: Vec<String>,
    #[arg(long, requires = "video", conflicts_with = "audio")]
    no_audio: bool,
    #[arg(long, value_parser = ["on", "off"])]
    echo_cancellation: Option<String>,
    #[arg(long, value_parser = ["on", "off"])]
    noise_suppression: Option<String>,
    #[arg(long, value_parser = ["on", "off"])]
    auto_gain_control: Option<String>,
    /// The threshold in dBFS, or the default's.
    #[arg(long, value_name = "DBFS", num_args = 0..=1, require_equals = true, allow_negative_numbers = true)]
    pause_on_silence: Option<Option<f32>>,
    #[arg(long)]
    video: Option<String>,
    #[arg(long)]
    video_bitrate: Option<u32>,
    #[arg(long, value_name = "MS|Nf", value_parser = parse_key_frame_interval, requires = "video")]
    key_frame_interval: Option<KeyFrameIntervalArg>,
    #[arg(long, value_parser = ["embedded", "hidden"], requires = "video")]
    cursor: Option<String>,
    #[arg(long)]
    mime: Option<String>,
    #[arg(long)]
    timeslice: Option<u32>,
    #[arg(long)]
    duration: Option<f64>,
    #[arg(long)]
    audio_bitrate: Option<u32>,
    #[arg(long)]
    cbr: bool,
    #[arg(long)]
    force: bool,
    #[arg(short, long)]
    output: PathBuf,
}

/// `--key-frame-interval`: milliseconds (`500`) or a count of frames (`15f`).
#[derive(Debug, Clone, Copy)]
enum KeyFrameIntervalArg {
    Ms(f64),
    Frames(u32),
}

fn parse_key_frame_interval(value: &str) -> Result<KeyFrameIntervalArg, String> {
    let invalid = || t!("cli-key-frame-interval-invalid", value = value);
    match value.strip_suffix('f') {
        Some(n) => n.parse().ok().filter(|&n| n > 0).map(KeyFrameIntervalArg::Frames).ok_or_else(invalid),
        None => value
            .parse()
            .ok()
            .filter(|ms: &f64| ms.is_finite() && *ms > 0.0)
            .map(KeyFrameIntervalArg::Ms)
            .ok_or_else(invalid),
    }
}

/// The MIME type from `--mime`, else from the output's extension.
fn mime_for(args: &RecordArgs) -> Result<String> {
    if let Some(m) = &args.mime {
        if !MediaRecorder::is_type_supported(m) {
            bail!(t!("cli-mime-unsupported", mime = m.as_str()));
        }
        return Ok(m.clone());
    }
    let extension = args.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    Ok(match (extension.as_deref(), args.video.is_some()) {
        // The recorder picks the codecs for the tracks (VP8 and Opus).
        (Some("webm"), true) => "video/webm".into(),
        // H.264 and Opus, as Chromium records `video/mp4`.
        (Some("mp4"), true) => "video/mp4".into(),
        (_, true) => bail!(t!("cli-video-needs-webm")),
        (Some("webm" | "weba"), false) => "audio/webm;codecs=opus".into(),
        (Some("mp4" | "m4a"), false) => "audio/mp4;codecs=opus".into(),
        (_, false) => "audio/ogg;codecs=opus".into(),
    })
}

/// Fails before recording when the output could not be written afterwards.
fn check_output(path: &Path, force: bool) -> Result<()> {
    if path.exists() && !force {
        bail!(t!("cli-output-exists", path = path.display().to_string()));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        bail!(t!("cli-output-dir-missing", path = dir.display().to_string()));
    }
    // Permission bits lie (root, ACLs, read-only mounts): try to create a file.
    let probe = dir.join(format!(".mediarecorder-probe-{}", std::process::id()));
    std::fs::File::create(&probe).with_context(|| t!("cli-output-dir-unwritable", path = dir.display().to_string()))?;
    std::fs::remove_file(&probe).with_context(|| t!("cli-cannot-clean-up", path = probe.display().to_string()))?;
    Ok(())
}

/// Chunks go to the data dir, the file to the output's: both must hold the take. Warn when
/// either has room for less than ten minutes at this bitrate.
fn warn_if_space_is_low(output: &Path, bitrate: u32) {
    let bytes_per_minute = u64::from(bitrate) / 8 * 60;
    for place in [store::default_root(), output.to_path_buf()] {
        if let Some(free) = store::available_bytes(&place) {
            if free < bytes_per_minute * 10 {
                eprintln!(
                    "{}",
                    t!(
                        "cli-low-space",
                        megabytes = format!("{:.1}", free as f64 / 1e6),
                        path = place.display().to_string(),
                        minutes = (free / bytes_per_minute.max(1)).to_string()
                    )
                );
            }
        }
    }
}

/// `getUserMedia` for the CLI's ids: the video first (a bad video id opens no microphone),
/// then the audio, several ids mixed into one track.
/// The audio constraints given on the command line; `None`: the browser's default for each source
/// (on for microphones, off for the system's sound and the test sources).
#[derive(Debug, Clone, Copy)]
struct AudioConstraints {
    echo_cancellation: Option<bool>,
    noise_suppression: Option<bool>,
    auto_gain_control: Option<bool>,
}

impl AudioConstraints {
    fn from_args(args: &RecordArgs) -> AudioConstraints {
        let on = |flag: &Option<String>| flag.as_deref().map(|v| v == "on");
        AudioConstraints {
            echo_cancellation: on(&args.echo_cancellation),
            noise_suppression: on(&args.noise_suppression),
            auto_gain_control: on(&args.auto_gain_control),
        }
    }

    /// The processing for source `id`. Never echo cancellation on the system's sound: it is
    /// what echo cancellation takes out.
    fn for_source(self, id: &str) -> devices::AudioProcessing {
        let defaults = devices::AudioProcessing::defaults_for(id);
        devices::AudioProcessing {
            echo_cancellation: self.echo_cancellation.unwrap_or(defaults.echo_cancellation)
                && !devices::is_system_sound(id),
            noise_suppression: self.noise_suppression.unwrap_or(defaults.noise_suppression),
            auto_gain_control: self.auto_gain_control.unwrap_or(defaults.auto_gain_control),
        }
    }
}

/// The stream to record: the video source, and the audio sources each with its processing,
/// mixed into one track when there are several.
fn open_stream(
    audio: &[String],
    constraints: AudioConstraints,
    video: Option<&str>,
) -> Result<MediaStream, mediarecorder::RecorderError> {
    let video = match video {
        Some(id) if devices::DisplayMediaOptions::parse(id).is_some() => Some(open_display(id)?),
        Some(id) => Some(devices::open_video(id)?),
        None => None,
    };
    let mut tracks = Vec::with_capacity(audio.len());
    for id in audio {
        let track = devices::open_audio(id)?;
        tracks.push((devices::process_track(track, constraints.for_source(id))?, 1.0));
    }
    let audio = match tracks.len() {
        0 => None,
        1 => Some(tracks.remove(0).0),
        _ => Some(devices::mix_tracks(tracks)?),
    };
    Ok(MediaStream::new(video.into_iter().chain(audio).collect()))
}

/// A screen shared through the desktop's portal: with the token the settings keep from the
/// last share (as the window does), keeping the new one, so the desktop does not ask again.
fn open_display(id: &str) -> Result<mediarecorder::MediaStreamTrack, mediarecorder::RecorderError> {
    let path = settings::default_path();
    let token = path.as_deref().and_then(|p| settings::load(p).settings.display_restore_token);
    let display = devices::open_video_with_token(id, token.as_deref())?;
    if let (Some(path), Some(new)) = (&path, display.restore_token().filter(|t| Some(t) != token.as_ref())) {
        let loaded = settings::load(path);
        // A settings file this version cannot read is left as it is.
        if loaded.set_aside.is_none() {
            let kept = settings::Settings { display_restore_token: Some(new), ..loaded.settings };
            if let Err(e) = settings::store(path, &kept) {
                eprintln!("{}", t!("cli-cannot-keep-token", reason = e));
            }
        }
    }
    Ok(display)
}

fn record(args: RecordArgs) -> Result<()> {
    let mime = mime_for(&args)?;
    check_output(&args.output, args.force)?;
    let video_bitrate = args.video.as_ref().map_or(0, |_| args.video_bitrate.unwrap_or(2_500_000));
    warn_if_space_is_low(&args.output, args.audio_bitrate.unwrap_or(128_000) + video_bitrate);
    let pending = unfinished().len();
    if pending > 0 {
        eprintln!("{}", t!("unfinished-recordings", count = pending));
    }
    let audio_ids: Vec<String> = match args.audio.as_slice() {
        _ if args.no_audio => Vec::new(),
        [] if devices::has_microphone() => vec![devices::DEFAULT_ID.to_string()],
        [] => {
            eprintln!("{}", t!("cli-recording-test-tone"));
            vec![devices::TEST_TONE_ID.to_string()]
        }
        ids => ids.to_vec(),
    };
    // --cursor is the screen's or window's `cursor=` parameter.
    let video_id = args.video.as_ref().map(|id| match &args.cursor {
        Some(mode) => format!("{id}{}cursor={mode}", if id.contains('?') { '&' } else { '?' }),
        None => id.clone(),
    });
    let stream =
        open_stream(&audio_ids, AudioConstraints::from_args(&args), video_id.as_deref()).with_context(|| {
            let ids: Vec<&str> = audio_ids.iter().chain(&video_id).map(String::as_str).collect();
            t!("cli-cannot-open", ids = format!("\"{}\"", ids.join("\" + \"")))
        })?;
    let label = stream.tracks().iter().map(|t| i18n::device_label(t.label())).collect::<Vec<_>>().join(" + ");
    let options = MediaRecorderOptions {
        mime_type: Some(mime),
        audio_bits_per_second: args.audio_bitrate,
        video_bits_per_second: args.video_bitrate,
        audio_bitrate_mode: if args.cbr { BitrateMode::Constant } else { BitrateMode::Variable },
        pause_on_silence: args.pause_on_silence.map(|threshold| {
            let default = SilenceOptions::default();
            SilenceOptions { threshold_dbfs: threshold.unwrap_or(default.threshold_dbfs), ..default }
        }),
        video_key_frame_interval_duration: match args.key_frame_interval {
            Some(KeyFrameIntervalArg::Ms(ms)) => Some(ms),
            _ => None,
        },
        video_key_frame_interval_count: match args.key_frame_interval {
            Some(KeyFrameIntervalArg::Frames(n)) => Some(n),
            _ => None,
        },
        ..Default::default()
    };
    let recorder = MediaRecorder::new(stream, options)?;

    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).context(t!("cli-ctrlc"))?;

    let events = recorder.events();
    recorder.start(args.timeslice)?;
    eprintln!("{}", t!("cli-recording", label = label, mime = recorder.mime_type()));
    let started = Instant::now();
    let deadline = args.duration.map(|s| started + Duration::from_secs_f64(s.max(0.0)));
    let mut stop_sent = false;
    let mut failure = None;
    let mut blobs = 0usize;
    let mut told_ended = Vec::new();
    loop {
        let due = deadline.is_some_and(|d| Instant::now() >= d) || interrupted.load(Ordering::SeqCst);
        if due && !stop_sent {
            recorder.stop()?;
            stop_sent = true;
        }
        let wait = deadline
            .map_or(Duration::from_millis(100), |d| d.saturating_duration_since(Instant::now()))
            .clamp(Duration::from_millis(1), Duration::from_millis(100));
        match events.recv_timeout(wait) {
            Ok(RecorderEvent::DataAvailable(e)) => {
                blobs += 1;
                let seconds = format!("{:.3}", e.timecode / 1000.0);
                println!("{}", t!("cli-chunk", n = blobs, bytes = e.data.size().to_string(), seconds = seconds));
            }
            Ok(RecorderEvent::Error(e)) => {
                eprintln!("{}", t!("cli-error-while-recording", reason = e.to_string()));
                failure = Some(e);
            }
            Ok(RecorderEvent::Stop) => break,
            // Nobody pauses from here but the silence.
            Ok(RecorderEvent::Pause) => eprintln!("{}", t!("cli-paused-on-silence")),
            Ok(RecorderEvent::Resume) => eprintln!("{}", t!("cli-resumed-on-sound")),
            Ok(RecorderEvent::Start) => {}
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => bail!(t!("cli-recorder-gone")),
        }
        if !stop_sent {
            tell_ended_tracks(&recorder, &mut told_ended);
        }
    }

    // A track that ended on its own (device unplugged, audio server gone) stopped the recording
    // before it was asked to: the file is written, and the exit status says it ended early.
    let ended_early = if stop_sent {
        None
    } else {
        recorder.stream().tracks().iter().find_map(|t| {
            Some(t!("cli-track-stopped", track = i18n::device_label(t.label()), reason = t.end_reason()?))
        })
    };
    if let Some(reason) = &ended_early {
        eprintln!("{reason}");
    }
    let session = recorder.session_dir().context(t!("cli-no-session"))?;
    let stats = recorder.stats();
    let id = session.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let cannot_write = |e: &mediarecorder::RecorderError| {
        let kept = t!(
            "cli-cannot-write",
            path = args.output.display().to_string(),
            session = session.display().to_string(),
            id = id.as_str()
        );
        if e.is_disk_full() {
            format!("{}: {kept}", t!("disk-full"))
        } else {
            kept
        }
    };
    // After a failure (disk full, encoder error) the session may lack its last chunk: saving
    // then recovers what is there and ends the stream properly.
    let saved = store::save(&session, &args.output, args.force, &|_| {}).map_err(|e| {
        let context = cannot_write(&e);
        anyhow::Error::new(e).context(context)
    })?;
    for note in &saved.skipped {
        eprintln!("{note}");
    }
    let everything_kept = saved.skipped.is_empty();
    let assembled = store::Assembled { bytes: saved.bytes, duration_ms: saved.duration_ms, chunks: saved.chunks };
    if everything_kept {
        // The file now holds everything the chunks did (and is fsynced): the session is redundant.
        if let Err(e) = store::remove_session(&session) {
            eprintln!("{}", t!("cli-session-not-removed", reason = e.to_string()));
        }
    }
    println!(
        "{}",
        t!(
            "cli-wrote",
            path = args.output.display().to_string(),
            seconds = format!("{:.2}", assembled.duration_ms / 1000.0),
            bytes = assembled.bytes.to_string(),
            chunks = assembled.chunks.to_string(),
            buffers = stats.dropped_buffers.to_string(),
            overrun = stats.overrun_frames.to_string()
        )
    );
    if stats.video_size != (0, 0) {
        let total = stats.video_frames + stats.dropped_video_frames;
        println!(
            "{}",
            t!(
                "cli-video-summary",
                encoder = stats.video_encoder.to_string(),
                encoded = stats.video_frames.to_string(),
                dropped = stats.dropped_video_frames.to_string(),
                percent = format!("{:.1}", 100.0 * stats.video_frames as f64 / total.max(1) as f64)
            )
        );
    }
    let kept = t!("cli-ended-early", path = args.output.display().to_string());
    match (failure, ended_early) {
        (Some(e), _) => Err(anyhow::Error::new(e).context(kept)),
        (None, Some(reason)) => Err(anyhow::anyhow!("{reason}").context(kept)),
        (None, None) => Ok(()),
    }
}

/// Says once when a track ends while others go on (a camera unplugged, the microphone still
/// there): the recording continues with what is left. When none is left, the recorder stops and
/// the caller says why.
fn tell_ended_tracks(recorder: &MediaRecorder, told: &mut Vec<String>) {
    let tracks = recorder.stream().tracks();
    if tracks.iter().all(|t| t.end_reason().is_some()) {
        return;
    }
    for t in &tracks {
        if let Some(reason) = t.end_reason() {
            if !told.iter().any(|id| id == t.id()) {
                eprintln!(
                    "{}",
                    t!("cli-track-stopped-going-on", track = i18n::device_label(t.label()), reason = reason)
                );
                told.push(t.id().to_owned());
            }
        }
    }
}
