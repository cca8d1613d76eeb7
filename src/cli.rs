//! Command-line interface: `devices`, `record` and `recover`, on the library alone.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use mediarecorder::{
    devices, enumerate_devices, store, BitrateMode, MediaRecorder, MediaRecorderOptions, MediaStream, RecorderEvent,
};

#[derive(Parser)]
#[command(
    name = "mediarecorder",
    version,
    about = "Record microphones to Ogg Opus or WebM, the way the browser's MediaRecorder does",
    long_about = "Record microphones to Ogg Opus or WebM, the way the browser's MediaRecorder does.\n\n\
                  Without a command, opens the recorder's window."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// List capture devices (ids to pass to `record --audio`).
    Devices {
        /// Print JSON in the browser's MediaDeviceInfo shape.
        #[arg(long)]
        json: bool,
    },
    /// Record until the duration passes or Ctrl+C, then write the file.
    Record(RecordArgs),
    /// Turn a recording that never finished (the program died) into a file that plays.
    Recover {
        /// List the recordings that can be recovered.
        #[arg(long)]
        list: bool,
        /// Session id or directory (default: the most recent unfinished recording).
        session: Option<String>,
        /// Output file.
        #[arg(short, long, required_unless_present = "list")]
        output: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
}

pub fn run() -> Result<()> {
    let Some(command) = Cli::parse().command else { return open_window() };
    match command {
        Command::Devices { json } => list_devices(json),
        Command::Record(args) => record(args),
        Command::Recover { list, session, output, force } => match (list, output) {
            (true, _) => list_unfinished(),
            (false, Some(output)) => recover(session.as_deref(), &output, force),
            (false, None) => bail!("--output is required"),
        },
    }
}

#[cfg(feature = "app")]
fn open_window() -> Result<()> {
    // Set by benches/window.sh: when the first frame was drawn and each frame's cost.
    let frame_log = std::env::var_os("MEDIARECORDER_FRAME_LOG").map(PathBuf::from);
    mediarecorder::app::run(mediarecorder::app::ControllerConfig::default(), frame_log)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("cannot open the window (is there a display? `mediarecorder record` works without one)")
}

#[cfg(not(feature = "app"))]
fn open_window() -> Result<()> {
    bail!("built without the window (feature `app`): use `mediarecorder record`, or --help")
}

fn unfinished() -> Vec<store::SessionSummary> {
    store::list_sessions(&store::default_root()).into_iter().filter(store::SessionSummary::needs_recovery).collect()
}

fn list_unfinished() -> Result<()> {
    let sessions = unfinished();
    if sessions.is_empty() {
        println!("No unfinished recordings.");
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
        None => unfinished().pop().map(|s| s.dir).context("no unfinished recording to recover")?,
    };
    check_output(output, force)?;
    let recovered = store::recover(&dir, output, force).with_context(|| format!("cannot recover {}", dir.display()))?;
    for note in &recovered.skipped {
        eprintln!("{note}");
    }
    println!(
        "Recovered {} ({:.2} s, {} bytes, {} chunks)",
        output.display(),
        recovered.duration_ms / 1000.0,
        recovered.bytes,
        recovered.chunks
    );
    if recovered.skipped.is_empty() {
        // Everything is in the file now, which is fsynced: the session is redundant.
        if let Err(e) = store::remove_session(&dir) {
            eprintln!("could not remove the session directory: {e}");
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
        println!("No microphone found; the test tone is available.");
    }
    if !devices::has_camera() {
        println!("No camera found; the screen (with a display) and the test videos are available.");
    }
    for d in list {
        println!("{:<40} {}", d.device_id, d.label);
    }
    Ok(())
}

#[derive(clap::Args)]
struct RecordArgs {
    /// Audio device id: `default`, an id from `devices`, or `test:tone[?hz=F]`.
    /// Without it: the default microphone, or the test tone when there is none.
    #[arg(long)]
    audio: Option<String>,
    /// Record no audio (a video-only file; needs --video).
    #[arg(long, requires = "video", conflicts_with = "audio")]
    no_audio: bool,
    /// Video device id from `devices`: `camera:0[?w=1280&h=720&fps=30]`, `screen:0[?fps=15]`,
    /// `test:pattern[?w=640&h=480&fps=30]`, `test:canvas`.
    #[arg(long)]
    video: Option<String>,
    /// Video bitrate in bit/s (default 2500000).
    #[arg(long)]
    video_bitrate: Option<u32>,
    /// Container and codecs, e.g. `audio/ogg;codecs=opus`, `audio/webm;codecs=opus`,
    /// `video/webm;codecs=vp9,opus`, `video/webm;codecs=av1,opus` (default: from the output file's
    /// extension and the tracks).
    #[arg(long)]
    mime: Option<String>,
    /// Deliver data every this many milliseconds of media.
    #[arg(long)]
    timeslice: Option<u32>,
    /// Stop after this many seconds (default: until Ctrl+C).
    #[arg(long)]
    duration: Option<f64>,
    /// Audio bitrate in bit/s (default 128000).
    #[arg(long)]
    audio_bitrate: Option<u32>,
    /// Constant bitrate instead of variable.
    #[arg(long)]
    cbr: bool,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
    /// Output file.
    #[arg(short, long)]
    output: PathBuf,
}

/// The MIME type from `--mime`, else from the output's extension.
fn mime_for(args: &RecordArgs) -> Result<String> {
    if let Some(m) = &args.mime {
        if !MediaRecorder::is_type_supported(m) {
            bail!(
                "the MIME type \"{m}\" is not supported (try audio/ogg;codecs=opus, audio/webm;codecs=opus \
                 or video/webm;codecs=vp8,opus)"
            );
        }
        return Ok(m.clone());
    }
    let extension = args.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    Ok(match (extension.as_deref(), args.video.is_some()) {
        // The recorder picks the codecs for the tracks (VP8 and Opus).
        (Some("webm"), true) => "video/webm".into(),
        (_, true) => bail!("video is recorded to WebM: give the output a .webm name"),
        (Some("webm" | "weba"), false) => "audio/webm;codecs=opus".into(),
        (_, false) => "audio/ogg;codecs=opus".into(),
    })
}

/// Fails before recording when the output could not be written afterwards.
fn check_output(path: &Path, force: bool) -> Result<()> {
    if path.exists() && !force {
        bail!("{} already exists (use --force to replace it)", path.display());
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        bail!("the output directory does not exist: {}", dir.display());
    }
    // Permission bits lie (root, ACLs, read-only mounts): try to create a file.
    let probe = dir.join(format!(".mediarecorder-probe-{}", std::process::id()));
    std::fs::File::create(&probe).with_context(|| format!("cannot write to the output directory {}", dir.display()))?;
    std::fs::remove_file(&probe).with_context(|| format!("cannot clean up {}", probe.display()))?;
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
                    "Warning: only {:.1} MB free for {} (about {} minutes at this bitrate).",
                    free as f64 / 1e6,
                    place.display(),
                    free / bytes_per_minute.max(1)
                );
            }
        }
    }
}

fn record(args: RecordArgs) -> Result<()> {
    let mime = mime_for(&args)?;
    check_output(&args.output, args.force)?;
    let video_bitrate = args.video.as_ref().map_or(0, |_| args.video_bitrate.unwrap_or(2_500_000));
    warn_if_space_is_low(&args.output, args.audio_bitrate.unwrap_or(128_000) + video_bitrate);
    let pending = unfinished().len();
    if pending > 0 {
        eprintln!("{pending} earlier recording(s) never finished: see `mediarecorder recover --list`.");
    }
    let audio_id = match &args.audio {
        _ if args.no_audio => None,
        Some(id) => Some(id.clone()),
        None if devices::has_microphone() => Some(devices::DEFAULT_ID.to_string()),
        None => {
            eprintln!("No microphone found: recording the test tone.");
            Some(devices::TEST_TONE_ID.to_string())
        }
    };
    let stream = MediaStream::open(audio_id.as_deref(), args.video.as_deref()).with_context(|| {
        let ids: Vec<&str> = audio_id.iter().chain(&args.video).map(String::as_str).collect();
        format!("cannot open \"{}\"", ids.join("\" and \""))
    })?;
    let label = stream.tracks().iter().map(|t| t.label().to_string()).collect::<Vec<_>>().join(" + ");
    let options = MediaRecorderOptions {
        mime_type: Some(mime),
        audio_bits_per_second: args.audio_bitrate,
        video_bits_per_second: args.video_bitrate,
        audio_bitrate_mode: if args.cbr { BitrateMode::Constant } else { BitrateMode::Variable },
        ..Default::default()
    };
    let recorder = MediaRecorder::new(stream, options)?;

    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).context("cannot install the Ctrl+C handler")?;

    let events = recorder.events();
    recorder.start(args.timeslice)?;
    eprintln!("Recording {label} as {} … (Ctrl+C to stop)", recorder.mime_type());
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
                println!("chunk {blobs}: {} bytes at {:.3} s", e.data.size(), e.timecode / 1000.0);
            }
            Ok(RecorderEvent::Error(e)) => {
                eprintln!("error while recording: {e}");
                failure = Some(e);
            }
            Ok(RecorderEvent::Stop) => break,
            Ok(RecorderEvent::Start | RecorderEvent::Pause | RecorderEvent::Resume) => {}
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => bail!("the recorder went away"),
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
        recorder.stream().tracks().iter().find_map(|t| Some(format!("{} stopped: {}", t.label(), t.end_reason()?)))
    };
    if let Some(reason) = &ended_early {
        eprintln!("{reason}");
    }
    let session = recorder.session_dir().context("the recorder wrote no session")?;
    let stats = recorder.stats();
    let cannot_write =
        || format!("cannot write {} (the recording is kept in {})", args.output.display(), session.display());
    // After a failure (disk full, encoder error) the session may lack its last chunk: recovery
    // takes what is there and ends the stream properly.
    let (assembled, everything_kept) = if failure.is_some() {
        let r = store::recover(&session, &args.output, args.force).with_context(cannot_write)?;
        for note in &r.skipped {
            eprintln!("{note}");
        }
        let all = r.skipped.is_empty();
        (store::Assembled { bytes: r.bytes, duration_ms: r.duration_ms, chunks: r.chunks }, all)
    } else {
        (store::assemble(&session, &args.output, args.force).with_context(cannot_write)?, true)
    };
    if everything_kept {
        // The file now holds everything the chunks did (and is fsynced): the session is redundant.
        if let Err(e) = store::remove_session(&session) {
            eprintln!("could not remove the session directory: {e}");
        }
    }
    println!(
        "Wrote {} ({:.2} s, {} bytes, {} chunks; dropped {} buffers, {} overrun frames)",
        args.output.display(),
        assembled.duration_ms / 1000.0,
        assembled.bytes,
        assembled.chunks,
        stats.dropped_buffers,
        stats.overrun_frames
    );
    if stats.video_size != (0, 0) {
        let total = stats.video_frames + stats.dropped_video_frames;
        println!(
            "Video: {}; {} frames encoded, {} dropped ({:.1} % delivered)",
            stats.video_encoder,
            stats.video_frames,
            stats.dropped_video_frames,
            100.0 * stats.video_frames as f64 / total.max(1) as f64
        );
    }
    let kept = format!("recording ended early; what was recorded is in {}", args.output.display());
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
                eprintln!("{} stopped: {reason}; recording goes on with the other tracks", t.label());
                told.push(t.id().to_owned());
            }
        }
    }
}
