//! Device enumeration (`enumerateDevices`) and opening a device id as a track.

#[cfg(target_os = "linux")]
mod camera;
mod denoise;
mod echo;
mod mic;
mod mix;
mod pacing;
mod pattern;
mod process;
mod resample;
#[cfg(target_os = "linux")]
mod screen;
mod sim_clock;
mod speex;
mod tone;

use serde::Serialize;

use crate::error::RecorderError;
use crate::media::MediaStreamTrack;

#[cfg(target_os = "linux")]
pub use camera::{CameraSpec, CAMERA_PREFIX};
pub use echo::{cancel_echo, TAIL_MS as ECHO_TAIL_MS};
pub use mic::HOST_ENV;
pub use mix::{mix_tracks, open_audio_mix};
pub use pattern::{read_code, render as render_pattern, Drawing, PatternSpec, TEST_CANVAS_ID, TEST_PATTERN_ID};
pub use process::{process_track, AudioProcessing, SPEECH_RANGE_DB, TARGET_DBFS as AGC_TARGET_DBFS};
#[cfg(target_os = "linux")]
pub use screen::portal::{DisplayMediaOptions, DisplaySurface, DISPLAY_ID};
pub use screen::{bgrx_to_i420, ScreenSpec, ScreenTarget, SCREEN_PREFIX, WINDOW_PREFIX};
pub use tone::ToneSpec;

/// The id of the system's default microphone.
pub const DEFAULT_ID: &str = "default";
/// The id of the built-in 440 Hz test tone (`test:tone?hz=880` for another pitch).
pub const TEST_TONE_ID: &str = "test:tone";
/// The default output's sound (what the speakers play), as `default` is the default microphone.
pub const SYSTEM_SOUND_ID: &str = "system";
/// Device ids of one output's sound start with this (then the output's name: `monitor:speaker`).
pub const MONITOR_PREFIX: &str = "monitor:";

/// `true` for the system's sound (`system`, `monitor:…`), which is not a microphone.
pub fn is_system_sound(id: &str) -> bool {
    id == SYSTEM_SOUND_ID || id.starts_with(MONITOR_PREFIX)
}

/// `"audioinput"` or `"videoinput"`, as the web's `MediaDeviceKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MediaDeviceKind {
    /// A microphone or other audio source.
    #[serde(rename = "audioinput")]
    AudioInput,
    /// A camera, screen or canvas.
    #[serde(rename = "videoinput")]
    VideoInput,
}

/// One capture device, in the shape of the web's `MediaDeviceInfo` (its JSON uses the web's names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaDeviceInfo {
    /// Pass to [`MediaStream::open`](crate::MediaStream::open).
    pub device_id: String,
    /// Audio or video input.
    pub kind: MediaDeviceKind,
    /// Human label, e.g. "Virtual Mic A (440 Hz)".
    pub label: String,
    /// Devices of one physical unit share this (here: one group per device).
    pub group_id: String,
}

/// The words the library puts in the labels of its own sources, with a source's details after
/// them (`Test tone (440 Hz)`, `Screen 1 (1280×720)`). English, like the rest of the API; the
/// app and the CLI show them translated ([`crate::i18n::device_label`]).
pub mod labels {
    /// Before the system default microphone's own name.
    pub const DEFAULT_PREFIX: &str = "Default – ";
    /// The built-in test tone.
    pub const TEST_TONE: &str = "Test tone";
    /// The built-in moving test pattern.
    pub const TEST_PATTERN: &str = "Test pattern";
    /// The built-in animated drawing.
    pub const TEST_CANVAS: &str = "Test canvas";
    /// A screen, before its number.
    pub const SCREEN: &str = "Screen";
    /// A window, before its title (`Window: Terminal`).
    pub const WINDOW: &str = "Window";
    /// The desktop's own choice of screen or window (Wayland's ScreenCast portal).
    pub const DISPLAY: &str = "Screen or window (ask)";
    /// Before an output's name: its sound (`System sound – Speakers`).
    pub const SYSTEM_SOUND_PREFIX: &str = "System sound – ";
}

/// Lists the capture devices: `default` (when a microphone exists), each microphone, the
/// built-in test tone, the cameras (`camera:0`…), the screens of the X display (`screen:0`…),
/// then the built-in test videos (`test:pattern`, `test:canvas`).
///
/// # Errors
/// None today (an unreachable audio server just means no microphones); kept fallible as the web's.
pub fn enumerate_devices() -> Result<Vec<MediaDeviceInfo>, RecorderError> {
    let mic::Sources { mics, system } = mic::sources();
    let mut out = Vec::with_capacity(mics.len() + 2);
    if let Some(default) = mics.iter().find(|m| m.is_default).or(mics.first()) {
        out.push(MediaDeviceInfo {
            device_id: DEFAULT_ID.into(),
            kind: MediaDeviceKind::AudioInput,
            label: format!("{}{}", labels::DEFAULT_PREFIX, default.label),
            group_id: group_of(&default.id),
        });
    }
    out.extend(mics.into_iter().map(|m| MediaDeviceInfo {
        group_id: group_of(&m.id),
        device_id: m.id,
        kind: MediaDeviceKind::AudioInput,
        label: m.label,
    }));
    out.extend(system.into_iter().map(|m| MediaDeviceInfo {
        group_id: "system".into(),
        device_id: m.id,
        kind: MediaDeviceKind::AudioInput,
        label: m.label,
    }));
    out.push(MediaDeviceInfo {
        device_id: TEST_TONE_ID.into(),
        kind: MediaDeviceKind::AudioInput,
        label: format!("{} (440 Hz)", labels::TEST_TONE),
        group_id: "test".into(),
    });
    #[cfg(target_os = "linux")]
    out.extend(camera::list().into_iter().map(|(device_id, label)| MediaDeviceInfo {
        group_id: group_of(&device_id),
        device_id,
        kind: MediaDeviceKind::VideoInput,
        label,
    }));
    // On Wayland the desktop's own dialog chooses (X11 screens are listed below, where X11 is).
    #[cfg(target_os = "linux")]
    if std::env::var_os("WAYLAND_DISPLAY").is_some() && screen::portal::available() {
        out.push(MediaDeviceInfo {
            device_id: DISPLAY_ID.into(),
            kind: MediaDeviceKind::VideoInput,
            label: labels::DISPLAY.into(),
            group_id: "screen".into(),
        });
    }
    #[cfg(target_os = "linux")]
    out.extend(screen::list().into_iter().map(|(device_id, label)| MediaDeviceInfo {
        device_id,
        kind: MediaDeviceKind::VideoInput,
        label,
        group_id: "screen".into(),
    }));
    out.extend([(TEST_PATTERN_ID, labels::TEST_PATTERN), (TEST_CANVAS_ID, labels::TEST_CANVAS)].map(|(id, name)| {
        MediaDeviceInfo {
            device_id: id.into(),
            kind: MediaDeviceKind::VideoInput,
            label: format!("{name} (640×480, 30 fps)"),
            group_id: "test".into(),
        }
    }));
    Ok(out)
}

/// The audio host the app uses for input and output: PulseAudio's when it answers, else ALSA.
#[cfg(feature = "app")]
pub(crate) fn audio_host() -> cpal::Host {
    mic::host()
}

/// `true` when at least one camera is present.
pub fn has_camera() -> bool {
    #[cfg(target_os = "linux")]
    return !camera::list().is_empty();
    #[cfg(not(target_os = "linux"))]
    false
}

/// `true` when at least one real microphone is present.
pub fn has_microphone() -> bool {
    !mic::sources().mics.is_empty()
}

/// Opens an audio device id as a live track.
///
/// # Errors
/// `NotFound` for an unknown id (or `default` with no microphone); `Unknown` when the audio
/// server refuses to open the device.
pub fn open_audio(id: &str) -> Result<MediaStreamTrack, RecorderError> {
    if let Some(spec) = ToneSpec::parse(id) {
        return tone::open(spec?);
    }
    mic::open(id)
}

/// Opens a video device id as a live track: a camera (`camera:0`), a screen (`screen:0`) or the
/// built-in `test:pattern` and `test:canvas`.
///
/// # Errors
/// `NotFound` for an id that names no video source (or a screen with no display), or bad
/// parameters; `NotSupported` for a screen whose pixel format is not captured.
pub fn open_video(id: &str) -> Result<MediaStreamTrack, RecorderError> {
    #[cfg(target_os = "linux")]
    if let Some(spec) = CameraSpec::parse(id) {
        return camera::open(spec?);
    }
    #[cfg(target_os = "linux")]
    if let Some(spec) = ScreenSpec::parse(id) {
        return screen::open(spec?);
    }
    #[cfg(target_os = "linux")]
    if let Some(options) = DisplayMediaOptions::parse(id) {
        return open_display(options?);
    }
    match PatternSpec::parse(id) {
        Some(spec) => pattern::open(spec?),
        None => Err(RecorderError::NotFound(format!("no video source \"{id}\""))),
    }
}

/// As [`open_video`], and for a screen shared through the desktop's portal (`display`), shares
/// again what `restore_token` names without asking; the track's
/// [`restore_token`](MediaStreamTrack::restore_token) is the one to keep for next time.
///
/// # Errors
/// As [`open_video`]; `NotAllowed` when the desktop refuses to share.
pub fn open_video_with_token(id: &str, restore_token: Option<&str>) -> Result<MediaStreamTrack, RecorderError> {
    #[cfg(target_os = "linux")]
    if let Some(options) = DisplayMediaOptions::parse(id) {
        return open_display(DisplayMediaOptions { restore_token: restore_token.map(str::to_owned), ..options? });
    }
    open_video(id)
}

/// The id of `area` (`(x, y, width, height)` in the picture's pixels) of the screen `id` names:
/// an X11 screen (`screen:0…`) or a screen shared through the desktop (`display…`); any area it
/// had is replaced. `None` for other sources (a window, a camera, a test video).
pub fn with_area(id: &str, (x, y, w, h): (u32, u32, u32, u32)) -> Option<String> {
    let narrow = |n: u32| u16::try_from(n).ok();
    #[cfg(target_os = "linux")]
    if let Some(Ok(options)) = DisplayMediaOptions::parse(id) {
        return Some(DisplayMediaOptions { area: Some((x, y, w, h)), ..options }.device_id());
    }
    match ScreenSpec::parse(id)? {
        Ok(ScreenSpec { target: ScreenTarget::Screen { screen, .. }, fps, cursor }) => {
            let area = Some((narrow(x)?, narrow(y)?, narrow(w)?, narrow(h)?));
            Some(ScreenSpec { target: ScreenTarget::Screen { screen, area }, fps, cursor }.device_id())
        }
        _ => None,
    }
}

/// The area `(x, y, width, height)` a screen id names (`with_area`), if it names one.
pub fn area_of(id: &str) -> Option<(u32, u32, u32, u32)> {
    #[cfg(target_os = "linux")]
    if let Some(Ok(options)) = DisplayMediaOptions::parse(id) {
        return options.area;
    }
    match ScreenSpec::parse(id)? {
        Ok(ScreenSpec { target: ScreenTarget::Screen { area: Some((x, y, w, h)), .. }, .. }) => {
            Some((u32::from(x), u32::from(y), u32::from(w), u32::from(h)))
        }
        _ => None,
    }
}

/// The id of the whole screen an area id (`with_area`) was cut from; the id itself otherwise.
pub fn without_area(id: &str) -> String {
    #[cfg(target_os = "linux")]
    if let Some(Ok(options)) = DisplayMediaOptions::parse(id) {
        return DisplayMediaOptions { area: None, ..options }.device_id();
    }
    match ScreenSpec::parse(id) {
        Some(Ok(ScreenSpec { target: ScreenTarget::Screen { screen, area: Some(_) }, fps, cursor })) => {
            ScreenSpec { target: ScreenTarget::Screen { screen, area: None }, fps, cursor }.device_id()
        }
        _ => id.to_owned(),
    }
}

/// Asks the desktop's ScreenCast portal for a screen or window (see
/// [`MediaStream::open_display`](crate::MediaStream::open_display)).
#[cfg(target_os = "linux")]
pub(crate) fn open_display(options: DisplayMediaOptions) -> Result<MediaStreamTrack, RecorderError> {
    screen::portal::open(options)
}

/// An opaque group id derived from the device id (stable across runs, reveals nothing).
fn group_of(device_id: &str) -> String {
    format!("{:08x}", crc32fast::hash(device_id.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_cut_from_screens_only_and_put_back() {
        let area = (10, 20, 320, 240);
        let x11 = with_area("screen:0?fps=15&cursor=hidden", area).unwrap();
        assert_eq!(x11, "screen:0?fps=15&x=10&y=20&w=320&h=240&cursor=hidden");
        assert_eq!(without_area(&x11), "screen:0?fps=15&cursor=hidden");
        assert_eq!(area_of(&x11), Some(area));
        let wayland = with_area("display", area).unwrap();
        assert_eq!(DisplayMediaOptions::parse(&wayland).unwrap().unwrap().area, Some(area));
        assert_eq!(DisplayMediaOptions::parse(&without_area(&wayland)).unwrap().unwrap().area, None);
        for other in ["window:0x1e00007", "camera:0", "test:pattern"] {
            assert_eq!(with_area(other, area), None, "{other}");
            assert_eq!(area_of(other), None, "{other}");
            assert_eq!(without_area(other), other);
        }
    }
}
