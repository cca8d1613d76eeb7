//! Microphones through cpal. PulseAudio's native host when the server answers (that is where
//! desktop microphones have their real names), otherwise ALSA, filtered to devices that capture.

use std::sync::Arc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample, StreamConfig};

use super::resample::LinearResampler;
use crate::error::RecorderError;
use crate::media::{now_ns, AudioBuffer, MediaStreamTrack, TrackKind, TrackSource, SAMPLE_RATE};

/// How often the owner thread drains the capture ring and delivers a buffer.
const DRAIN_PERIOD: Duration = Duration::from_millis(10);
/// Capture ring size. Besides scheduling hiccups of the draining thread, it must hold a whole
/// burst: a sound server that falls behind (seen with PulseAudio null sinks) delivers 2 s at once.
const RING_SECONDS: usize = 4;
/// A device that sends nothing for this long has stalled or vanished: the track ends.
const STALL_TIMEOUT: Duration = Duration::from_secs(3);
/// How often a chosen (non-default) microphone is checked for still being there. A sound server
/// does not report a removed device to its capture streams: PulseAudio and PipeWire silently
/// move them to the default source, so without this check another microphone would be recorded.
const PRESENCE_CHECK: Duration = Duration::from_millis(250);

/// When our sample-count timeline and the arrival clock disagree by more than this (data lost,
/// device clock drift), the timeline is re-anchored to the clock.
const RESYNC_NS: u64 = 200_000_000;

/// ALSA plugin PCMs that appear in the hint list but do not capture from a microphone.
const ALSA_NON_CAPTURE: &[&str] = &[
    "null",
    "lavrate",
    "samplerate",
    "speexrate",
    "jack",
    "oss",
    "upmix",
    "vdownmix",
    "pipewire",
    "speex",
    "a52",
    "usbstream",
    "dmix",
    "surround",
];

pub(super) struct MicInfo {
    pub id: String,
    pub label: String,
    pub is_default: bool,
}

/// alsa-lib prints every failed probe (e.g. "PulseAudio: Unable to connect" for its pulse
/// plugin when no server runs) to stderr. Enumerating is probing: capture those lines in a
/// thread-local buffer instead, for as long as the returned guard lives.
fn quiet_alsa() -> Option<std::rc::Rc<std::cell::RefCell<alsa::Output>>> {
    alsa::Output::local_error_handler().ok()
}

/// Set to `alsa` or `pulseaudio` to choose the audio host instead of preferring PulseAudio.
pub const HOST_ENV: &str = "MEDIARECORDER_AUDIO_HOST";

pub(crate) fn host() -> cpal::Host {
    let wanted = std::env::var(HOST_ENV).unwrap_or_default().to_ascii_lowercase();
    #[cfg(feature = "pulseaudio")]
    if wanted != "alsa" {
        if let Ok(host) = cpal::host_from_id(cpal::HostId::PulseAudio) {
            return host;
        }
    }
    if wanted == "alsa" || cfg!(feature = "pulseaudio") {
        if let Ok(host) = cpal::host_from_id(cpal::HostId::Alsa) {
            return host;
        }
    }
    cpal::default_host()
}

fn is_pulse(host: &cpal::Host) -> bool {
    host.id().name().eq_ignore_ascii_case("pulseaudio")
}

/// A device the picker should offer: captures, and is not a sink's monitor or an ALSA plugin.
fn is_microphone(host: &cpal::Host, device: &cpal::Device) -> bool {
    let Ok(id) = device.id() else { return false };
    if is_pulse(host) {
        // PulseAudio names every sink's monitor "<sink>.monitor": system audio, not a microphone.
        return device.supports_input() && !id.id().ends_with(".monitor");
    }
    let name = id.id();
    let base = name.split(':').next().unwrap_or(name);
    !ALSA_NON_CAPTURE.contains(&base) && device.default_input_config().is_ok()
}

fn label_of(device: &cpal::Device) -> String {
    device.description().map(|d| d.name().to_string()).unwrap_or_else(|_| device.to_string())
}

/// "System sound – <the output's name>" for a sink's monitor ("Monitor of <the output's name>").
fn system_sound_label(monitor: &cpal::Device, sink: &str) -> String {
    let name = label_of(monitor);
    let output = name.strip_prefix("Monitor of ").unwrap_or(sink);
    format!("{}{output}", super::labels::SYSTEM_SOUND_PREFIX)
}

/// The monitor of `sink` (its sound, as a source).
fn monitor_of(host: &cpal::Host, sink: &str) -> Option<cpal::Device> {
    let monitor = format!("{sink}.monitor");
    host.input_devices().ok()?.find(|d| d.id().is_ok_and(|i| i.id() == monitor))
}

/// What can be recorded from, in one pass over the audio server's sources.
#[derive(Default)]
pub(super) struct Sources {
    /// The microphones.
    pub mics: Vec<MicInfo>,
    /// The outputs' sound: each output's monitor (PulseAudio and PipeWire name a sink's monitor
    /// `<sink>.monitor`) as `monitor:<sink>`, and first `system`, the default output's. None on
    /// ALSA alone, which has no monitors.
    pub system: Vec<MicInfo>,
}

pub(super) fn sources() -> Sources {
    let _quiet = quiet_alsa();
    let host = host();
    let default_id = host.default_input_device().and_then(|d| d.id().ok());
    let default_sink = is_pulse(&host)
        .then(|| host.default_output_device().and_then(|d| d.id().ok()).map(|i| i.id().to_owned()))
        .flatten();
    let Ok(devices) = host.input_devices() else { return Sources::default() };
    let mut out = Sources::default();
    for device in devices {
        let Ok(id) = device.id() else { continue };
        if is_microphone(&host, &device) {
            let is_default = Some(&id) == default_id.as_ref();
            out.mics.push(MicInfo { label: label_of(&device), is_default, id: id.to_string() });
        } else if let Some(sink) = id.id().strip_suffix(".monitor").filter(|_| is_pulse(&host)) {
            let label = system_sound_label(&device, sink);
            if default_sink.as_deref() == Some(sink) {
                let system = MicInfo { id: super::SYSTEM_SOUND_ID.into(), label: label.clone(), is_default: true };
                out.system.insert(0, system);
            }
            out.system.push(MicInfo { id: format!("{}{sink}", super::MONITOR_PREFIX), label, is_default: false });
        }
    }
    out
}

/// Finds the device for `id` (`default`, `system`, `monitor:<sink>` or a listed cpal id).
fn find(host: &cpal::Host, id: &str) -> Result<cpal::Device, RecorderError> {
    if id == super::SYSTEM_SOUND_ID {
        let sink = host.default_output_device().and_then(|d| d.id().ok()).map(|i| i.id().to_owned());
        let sink = sink.ok_or_else(|| RecorderError::NotFound("no sound output: no system sound to record".into()))?;
        return monitor_of(host, &sink)
            .ok_or_else(|| RecorderError::NotFound(format!("the default output \"{sink}\" has no monitor to record")));
    }
    if let Some(sink) = id.strip_prefix(super::MONITOR_PREFIX) {
        return monitor_of(host, sink)
            .ok_or_else(|| RecorderError::NotFound(format!("no system sound from \"{sink}\": no such output")));
    }
    if id == super::DEFAULT_ID {
        let default = host.default_input_device().filter(|d| is_microphone(host, d));
        // With no microphone, PulseAudio's default source is a monitor: not what "default" means.
        return default
            .or_else(|| host.input_devices().ok()?.find(|d| is_microphone(host, d)))
            .ok_or_else(|| RecorderError::NotFound("no microphone found".into()));
    }
    let wanted: cpal::DeviceId =
        id.parse().map_err(|_| RecorderError::NotFound(format!("no audio input with id \"{id}\"")))?;
    let other_host = if wanted.host() == host.id() {
        None
    } else {
        Some(cpal::host_from_id(wanted.host()).map_err(|e| RecorderError::NotFound(format!("\"{id}\": {e}")))?)
    };
    other_host
        .as_ref()
        .unwrap_or(host)
        .device_by_id(&wanted)
        .filter(|d| d.supports_input())
        .ok_or_else(|| RecorderError::NotFound(format!("no audio input with id \"{id}\"")))
}

pub(super) fn open(id: &str) -> Result<MediaStreamTrack, RecorderError> {
    let _quiet = quiet_alsa();
    let host = host();
    let device = find(&host, id)?;
    let system_sound = id == super::SYSTEM_SOUND_ID || id.starts_with(super::MONITOR_PREFIX);
    let label = match device.id() {
        Ok(monitor) if system_sound => {
            let sink = monitor.id().strip_suffix(".monitor").unwrap_or(monitor.id()).to_owned();
            system_sound_label(&device, &sink)
        }
        _ => label_of(&device),
    };
    // `default` and `system` keep their names (what they follow); a monitor is named by its output.
    let device_id = if id == super::DEFAULT_ID || system_sound {
        id.to_string()
    } else {
        device.id().map(|i| i.to_string()).unwrap_or_else(|_| id.into())
    };
    let (config, format) = choose_config(&device)?;
    let channels = config.channels.min(2);
    // `default` follows whatever the system's default is; a chosen device must stay that device.
    let watch = (id != super::DEFAULT_ID).then(|| device.id().ok()).flatten();

    let source = TrackSource::new();
    let thread_source = Arc::clone(&source);
    // cpal streams are not Send on every platform: the owner thread builds, runs and drops it,
    // and reports whether it started.
    let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
    let thread = std::thread::Builder::new()
        .name(format!("source:{label}"))
        .spawn(move || run(device, config, format, watch, thread_source, ready_tx))
        .map_err(|e| RecorderError::os("cannot start the capture thread", e))?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(MediaStreamTrack::new(TrackKind::Audio, label, device_id, channels, None, source, thread)),
        Ok(Err(e)) => {
            let _joined = thread.join();
            Err(e)
        }
        Err(_) => Err(RecorderError::Unknown(format!("the capture thread for \"{label}\" died"))),
    }
}

/// 48 kHz in f32 (or i16) with the device's own channel count (1 or 2) when offered; else the
/// device's default, resampled by the owner thread.
fn choose_config(device: &cpal::Device) -> Result<(StreamConfig, SampleFormat), RecorderError> {
    let default = device.default_input_config().map_err(|e| RecorderError::Device {
        device: label_of(device),
        what: "cannot capture".into(),
        source: Box::new(e),
    })?;
    let channels = default.channels().clamp(1, 2);
    let ranges: Vec<_> = device.supported_input_configs().map(|r| r.collect()).unwrap_or_default();
    for format in [SampleFormat::F32, SampleFormat::I16, SampleFormat::I32] {
        let ok = ranges.iter().any(|r: &cpal::SupportedStreamConfigRange| {
            r.channels() == channels
                && r.sample_format() == format
                && r.min_sample_rate() <= SAMPLE_RATE
                && r.max_sample_rate() >= SAMPLE_RATE
        });
        if ok {
            return Ok((
                StreamConfig { channels, sample_rate: SAMPLE_RATE, buffer_size: cpal::BufferSize::Default },
                format,
            ));
        }
    }
    let mut config = default.config();
    config.channels = default.channels();
    Ok((config, default.sample_format()))
}

fn run(
    device: cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
    watch: Option<cpal::DeviceId>,
    source: Arc<TrackSource>,
    ready: crossbeam_channel::Sender<Result<(), RecorderError>>,
) {
    let device_channels = usize::from(config.channels);
    let (producer, mut consumer) =
        rtrb::RingBuffer::<f32>::new(config.sample_rate as usize * device_channels * RING_SECONDS);
    let (err_tx, err_rx) = crossbeam_channel::bounded::<String>(4);
    let stream = match format {
        SampleFormat::F32 => build::<f32>(&device, &config, producer, Arc::clone(&source), err_tx),
        SampleFormat::I16 => build::<i16>(&device, &config, producer, Arc::clone(&source), err_tx),
        SampleFormat::I32 => build::<i32>(&device, &config, producer, Arc::clone(&source), err_tx),
        SampleFormat::U16 => build::<u16>(&device, &config, producer, Arc::clone(&source), err_tx),
        SampleFormat::U8 => build::<u8>(&device, &config, producer, Arc::clone(&source), err_tx),
        other => Err(RecorderError::NotSupported(format!("sample format {other} from the device"))),
    };
    let stream = match stream.and_then(|s| {
        s.play().map_err(|e| RecorderError::Device {
            device: label_of(&device),
            what: "cannot start capture".into(),
            source: Box::new(e),
        })?;
        Ok(s)
    }) {
        Ok(s) => s,
        Err(e) => {
            source.end(Some(e.to_string()));
            // The opener is waiting on this; if it gave up there is nobody left to tell.
            let _told = ready.send(Err(e));
            return;
        }
    };
    let _told = ready.send(Ok(()));
    drop(ready);

    let out_channels = device_channels.min(2);
    let mut resampler = (config.sample_rate != SAMPLE_RATE)
        .then(|| LinearResampler::new(config.sample_rate, SAMPLE_RATE, out_channels));
    let ns_per_frame = 1_000_000_000f64 / f64::from(SAMPLE_RATE);
    let mut anchor_ns: Option<u64> = None;
    let mut frames_out: u64 = 0;
    let mut last_data = std::time::Instant::now();
    let mut folded = Vec::new();
    let mut resampled = Vec::new();
    let watch_host = watch.as_ref().and_then(|id| cpal::host_from_id(id.host()).ok());
    let mut last_check = std::time::Instant::now();

    while !source.is_ended() {
        std::thread::sleep(DRAIN_PERIOD);
        if let (Some(host), Some(id)) = (&watch_host, &watch) {
            if last_check.elapsed() >= PRESENCE_CHECK {
                last_check = std::time::Instant::now();
                let _quiet = quiet_alsa();
                if host.device_by_id(id).is_none() {
                    source.end(Some("the microphone was disconnected".into()));
                    break;
                }
            }
        }
        if let Ok(message) = err_rx.try_recv() {
            source.end(Some(message));
            break;
        }
        let available = consumer.slots() - consumer.slots() % device_channels;
        if available == 0 {
            if last_data.elapsed() > STALL_TIMEOUT {
                source.end(Some(format!("the microphone sent nothing for {} s", STALL_TIMEOUT.as_secs())));
            }
            continue;
        }
        last_data = std::time::Instant::now();
        folded.clear();
        if let Ok(chunk) = consumer.read_chunk(available) {
            let (a, b) = chunk.as_slices();
            fold_channels(a, b, device_channels, out_channels, &mut folded);
            chunk.commit_all();
        }
        let samples: &[f32] = match resampler.as_mut() {
            Some(r) => {
                resampled.clear();
                r.process(&folded, &mut resampled);
                &resampled
            }
            None => &folded,
        };
        let frames = (samples.len() / out_channels) as u64;
        if frames == 0 {
            continue;
        }
        // Timestamps come from the sample count, anchored where the first sample was captured;
        // re-anchored only when the clock and the count drift apart (lost data, clock skew).
        let now = now_ns();
        let arrived_start = now.saturating_sub((frames as f64 * ns_per_frame) as u64);
        let anchor = *anchor_ns.get_or_insert(arrived_start);
        let mut pts = anchor + (frames_out as f64 * ns_per_frame) as u64;
        if pts.abs_diff(arrived_start) > RESYNC_NS {
            anchor_ns = Some(arrived_start.saturating_sub((frames_out as f64 * ns_per_frame) as u64));
            pts = arrived_start;
        }
        frames_out += frames;
        source.deliver(AudioBuffer { pts_ns: pts, channels: out_channels as u16, samples: samples.into() });
    }
    drop(stream);
}

/// Copies the ring's two slices, keeping the first two channels of wider devices.
fn fold_channels(a: &[f32], b: &[f32], from: usize, to: usize, out: &mut Vec<f32>) {
    if from == to {
        out.extend_from_slice(a);
        out.extend_from_slice(b);
        return;
    }
    // Slices split on sample, not frame, boundaries: walk them as one sequence.
    let all = a.iter().chain(b.iter()).copied().collect::<Vec<_>>();
    for frame in all.chunks_exact(from) {
        out.extend_from_slice(&frame[..to]);
    }
}

fn build<T>(
    device: &cpal::Device,
    config: &StreamConfig,
    mut producer: rtrb::Producer<f32>,
    source: Arc<TrackSource>,
    errors: crossbeam_channel::Sender<String>,
) -> Result<cpal::Stream, RecorderError>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let channels = usize::from(config.channels.max(1));
    device
        .build_input_stream::<T, _, _>(
            *config,
            // Real-time callback: no locks, no allocation, no logging. What does not fit in the
            // ring is dropped whole-frame and counted in an atomic (ring full = the draining
            // thread is more than 2 s late).
            move |data: &[T], _info| {
                let free = producer.slots();
                let n = data.len().min(free - free % channels);
                if let Ok(chunk) = producer.write_chunk_uninit(n) {
                    chunk.fill_from_iter(data.iter().map(|&s| s.to_sample::<f32>()));
                }
                if n < data.len() {
                    source.add_overrun(((data.len() - n) / channels) as u64);
                }
            },
            move |err| {
                // Not the real-time path: the error callback may allocate. A full queue means an
                // error is already waiting to end the track.
                let _queued = errors.try_send(err.to_string());
            },
            Some(Duration::from_secs(3)),
        )
        .map_err(|e| RecorderError::Device {
            device: label_of(device),
            what: "cannot open the microphone".into(),
            source: Box::new(e),
        })
}
