//! `MediaStream`: the set of tracks a recorder records.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::devices;
use crate::error::RecorderError;
use crate::media::{MediaStreamTrack, MediaStreamTrackState};

struct StreamInner {
    tracks: Mutex<Vec<MediaStreamTrack>>,
    /// Bumped on every add/remove, so a recorder notices changes with one atomic load.
    generation: AtomicU64,
}

/// A set of tracks, as the web's `MediaStream`. Clones share the same set.
#[derive(Clone)]
pub struct MediaStream {
    inner: Arc<StreamInner>,
}

impl std::fmt::Debug for MediaStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStream").field("tracks", &self.tracks()).finish()
    }
}

impl MediaStream {
    /// A stream of the given tracks.
    pub fn new(tracks: Vec<MediaStreamTrack>) -> MediaStream {
        MediaStream { inner: Arc::new(StreamInner { tracks: Mutex::new(tracks), generation: AtomicU64::new(0) }) }
    }

    /// Opens devices by id (as listed by [`enumerate_devices`](crate::enumerate_devices)), like
    /// `getUserMedia`: `audio` is a microphone id, `"default"`, or `"test:tone"`; `video` is
    /// `"test:pattern"` or `"test:canvas"` (with `?w=…&h=…&fps=…`).
    ///
    /// # Errors
    /// `NotFound` for an unknown id or when no microphone exists; `NotSupported` when neither
    /// kind is asked for; `Unknown` when the audio server refuses the device.
    pub fn open(audio: Option<&str>, video: Option<&str>) -> Result<MediaStream, RecorderError> {
        if audio.is_none() && video.is_none() {
            return Err(RecorderError::NotSupported("ask for at least one of audio and video".into()));
        }
        let mut tracks = Vec::new();
        if let Some(id) = video {
            // Opened first so a bad video id does not open (and then drop) a microphone.
            tracks.push(devices::open_video(id)?);
        }
        if let Some(id) = audio {
            tracks.push(devices::open_audio(id)?);
        }
        Ok(MediaStream::new(tracks))
    }

    /// Asks the desktop to share a screen or a window, like `getDisplayMedia`: the desktop's
    /// own dialog (the ScreenCast portal, on Wayland) lets the user choose, unless
    /// `options.restore_token` names an earlier choice. Blocks until the user answers.
    ///
    /// # Errors
    /// `NotAllowed` when the user cancels or the desktop refuses; `NotFound` when the session
    /// has no ScreenCast portal (an X11 session without one: use `screen:N` ids there).
    #[cfg(target_os = "linux")]
    pub fn open_display(options: crate::DisplayMediaOptions) -> Result<MediaStream, RecorderError> {
        Ok(MediaStream::new(vec![devices::open_display(options)?]))
    }

    /// All tracks, in order.
    pub fn tracks(&self) -> Vec<MediaStreamTrack> {
        self.inner.tracks.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The video tracks.
    pub fn video_tracks(&self) -> Vec<MediaStreamTrack> {
        self.tracks().into_iter().filter(|t| t.kind() == crate::TrackKind::Video).collect()
    }

    /// The audio tracks.
    pub fn audio_tracks(&self) -> Vec<MediaStreamTrack> {
        self.tracks().into_iter().filter(|t| t.kind() == crate::TrackKind::Audio).collect()
    }

    /// `true` while any track is live.
    pub fn active(&self) -> bool {
        self.tracks().iter().any(|t| t.ready_state() == MediaStreamTrackState::Live)
    }

    /// Adds a track (a recorder recording this stream then fails with `InvalidModification`).
    pub fn add_track(&self, track: MediaStreamTrack) {
        let mut tracks = self.inner.tracks.lock().unwrap_or_else(PoisonError::into_inner);
        if !tracks.contains(&track) {
            tracks.push(track);
            self.inner.generation.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Removes a track (a recorder recording this stream then fails with `InvalidModification`).
    pub fn remove_track(&self, track: &MediaStreamTrack) {
        let mut tracks = self.inner.tracks.lock().unwrap_or_else(PoisonError::into_inner);
        let before = tracks.len();
        tracks.retain(|t| t != track);
        if tracks.len() != before {
            self.inner.generation.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Changes whenever the track set changes.
    pub(crate) fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }
}
