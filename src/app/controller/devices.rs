//! The device lists (hot-plug), the preview of the chosen microphone and video source, and the
//! level meter on it.

use super::*;

impl Engine {
    /// Re-reads the device lists; sends each that changed. Returns whether the microphones
    /// changed.
    pub(super) fn refresh_devices(&mut self) -> bool {
        self.last_device_poll = Instant::now();
        let (audio, video): (Vec<_>, Vec<_>) =
            enumerate_devices().unwrap_or_default().into_iter().partition(|d| d.kind == MediaDeviceKind::AudioInput);
        let entries = |list: Vec<crate::MediaDeviceInfo>| -> Vec<DeviceEntry> {
            list.into_iter()
                .map(|d| DeviceEntry { id: d.device_id, label: crate::i18n::device_label(&d.label) })
                .collect()
        };
        let (audio, video) = (entries(audio), entries(video));
        if video != self.video_devices {
            self.video_devices = video;
            self.send_video_devices();
        }
        if audio == self.devices {
            return false;
        }
        self.devices = audio;
        self.send_devices();
        true
    }

    pub(super) fn send_video_devices(&self) {
        self.out.send(Update::VideoDevices {
            list: self.video_devices.clone(),
            selected: self.wanted_video(),
            no_camera: !self.video_devices.iter().any(|d| d.id.starts_with("camera:")),
        });
        self.send_capturing();
    }

    /// Opens `wanted` for the video preview (`None`: closes it). A source that cannot be
    /// opened is said plainly, and the recording goes on with sound only.
    pub(super) fn open_video(&mut self, wanted: Option<&str>) {
        if let Some(old) = self.video.take() {
            old.track.stop();
        }
        // A newer choice replaces a screen still being asked for (its answer is let go).
        self.display_asked = None;
        if let Some(id) = wanted {
            if crate::devices::DisplayMediaOptions::parse(id).is_some() {
                self.ask_for_display(id);
            } else {
                match crate::devices::open_video(id) {
                    Ok(track) => self.show_video(id, track),
                    Err(e) => {
                        self.error(&t!("video-cannot-open", source = self.video_label(id), reason = e.to_string()))
                    }
                }
            }
        }
        self.out.send(Update::VideoPreview(None));
        self.send_video_devices();
    }

    /// The video source chosen: the one shown, or the screen the desktop is being asked for.
    pub(super) fn wanted_video(&self) -> Option<String> {
        self.video.as_ref().map(|v| v.device_id.clone()).or_else(|| self.display_asked.clone())
    }

    /// A screen shared through the desktop's portal: its dialog stays open until the user
    /// chooses (unless the token kept from the last share names the choice), so it is asked on
    /// a thread of its own and the controller goes on (meters, commands) meanwhile.
    fn ask_for_display(&mut self, id: &str) {
        let token = self.settings.display_restore_token.clone();
        let (tx, asked) = (self.internal_tx.clone(), id.to_owned());
        let spawned = std::thread::Builder::new().name("display-request".into()).spawn(move || {
            let result = crate::devices::open_video_with_token(&asked, token.as_deref());
            // The controller is gone only when the window closed: the track is dropped (stopped).
            let _ = tx.send(Internal::DisplayOpened { id: asked, result });
        });
        match spawned {
            Ok(_) => self.display_asked = Some(id.to_owned()),
            Err(e) => self.error(&t!("video-cannot-open", source = self.video_label(id), reason = e.to_string())),
        }
    }

    /// The desktop's answer: shown if it is still the one wanted.
    pub(super) fn display_opened(&mut self, id: &str, result: Result<MediaStreamTrack, crate::RecorderError>) {
        if self.display_asked.as_deref() != Some(id) {
            if let Ok(track) = result {
                track.stop();
            }
            return;
        }
        self.display_asked = None;
        match result {
            Ok(track) => {
                let token = self.settings.display_restore_token.clone();
                if let Some(new) = track.restore_token().filter(|t| Some(t) != token.as_ref()) {
                    self.settings.display_restore_token = Some(new);
                    self.save_settings();
                    self.out.send(Update::Settings(self.settings.clone()));
                }
                self.show_video(id, track);
            }
            Err(e) => {
                self.error(&t!("video-cannot-open", source = self.video_label(id), reason = e.to_string()));
                self.settings.video_id = None;
                self.save_settings();
                self.out.send(Update::Settings(self.settings.clone()));
            }
        }
        self.send_video_devices();
    }

    fn show_video(&mut self, id: &str, track: MediaStreamTrack) {
        let frames = track.subscribe_video();
        self.video = Some(VideoPreview { device_id: id.to_owned(), track, frames, newest: None, sent: 0 });
    }

    pub(super) fn video_label(&self, id: &str) -> String {
        self.video_devices.iter().find(|d| d.id == id).map_or_else(|| id.to_owned(), |d| d.label.clone())
    }

    /// Keeps the frame for the next publishing of live values (a cheap clone: the pixels are
    /// shared).
    pub(super) fn preview_frame(&mut self, frame: VideoFrame) {
        if let Some(video) = &mut self.video {
            video.newest = Some(frame);
        }
    }

    /// The video source went away (camera unplugged, display closed). While recording, the
    /// recorder sees the same; either way the preview closes and says why.
    pub(super) fn video_ended(&mut self) {
        let Some(video) = self.video.take() else { return };
        let reason = video.track.end_reason().unwrap_or_else(|| t!("it-ended"));
        let label = self.video_label(&video.device_id);
        if self.active.is_none() {
            self.out.send(Update::Notice(t!(
                "video-stopped-sound-only",
                source = label.as_str(),
                reason = reason.as_str()
            )));
            self.refresh_devices();
        } else {
            // The recorder goes on with the sound (the spec stops only when every track ended).
            self.error(&t!("video-stopped-recording-goes-on", source = label.as_str(), reason = reason.as_str()));
        }
        self.out.send(Update::VideoPreview(None));
        self.send_video_devices();
    }

    pub(super) fn no_microphone(&self) -> bool {
        // The system's sound is listed with the microphones, but it is none.
        !self.devices.iter().any(|d| d.id != TEST_TONE_ID && !crate::devices::is_system_sound(&d.id))
    }

    pub(super) fn send_devices(&self) {
        let selected = self.preview.as_ref().map_or_else(|| self.settings.device_id.clone(), |p| p.device_id.clone());
        self.out.send(Update::Devices { list: self.devices.clone(), selected, no_microphone: self.no_microphone() });
        self.send_capturing();
    }

    /// The devices open now: the preview's, which are the recording's too.
    pub(super) fn send_capturing(&self) {
        let live = |t: &MediaStreamTrack| t.ready_state() == crate::MediaStreamTrackState::Live;
        let audio = self.preview.iter().flat_map(|p| p.stream.audio_tracks()).filter(live);
        let video = self.video.iter().map(|v| v.track.clone()).filter(live);
        self.out.send(Update::Capturing(audio.chain(video).map(|t| crate::i18n::device_label(t.label())).collect()));
    }

    /// Opens `wanted` for the preview, falling back to the default microphone, then the test
    /// tone, and saying so.
    pub(super) fn open_preview(&mut self, wanted: &str) {
        if let Some(old) = self.preview.take() {
            old.stream.tracks().iter().for_each(crate::MediaStreamTrack::stop);
        }
        let listed = |id: &str| self.devices.iter().any(|d| d.id == id) || id.starts_with("test:");
        let mut candidates = vec![wanted.to_owned()];
        if !self.no_microphone() {
            candidates.push(DEFAULT_ID.into());
        }
        candidates.push(TEST_TONE_ID.into());
        candidates.dedup();
        let mut failures = Vec::new();
        for id in candidates {
            if !listed(&id) {
                failures.push(t!("device-not-connected", device = self.label_of(&id)));
                continue;
            }
            match MediaStream::open(Some(&id), None).map(|stream| self.with_system_sound(self.processed(stream))) {
                Ok((stream, mixed)) => {
                    let sources = mixed
                        .iter()
                        .map(|t| SourceMeter {
                            label: self.label_of(t.device_id()),
                            audio: t.subscribe_audio(),
                            meter: Meter::default(),
                            last: None,
                        })
                        .collect();
                    let Some(track) = stream.audio_tracks().into_iter().next() else { continue };
                    let audio = track.subscribe_audio();
                    if id != wanted && !failures.is_empty() {
                        self.out.send(Update::Notice(t!(
                            "using-instead",
                            problems = failures.join("; "),
                            device = self.label_of(&id)
                        )));
                    }
                    self.preview = Some(Preview { device_id: id, stream, audio, meter: Meter::default(), sources });
                    self.send_devices();
                    return;
                }
                Err(e) => failures.push(t!("device-cannot-open", device = self.label_of(&id), reason = e.to_string())),
            }
        }
        self.error(&t!("no-audio-source", problems = failures.join("; ")));
        self.send_devices();
    }

    /// The microphone's stream with the system's sound mixed in, when the settings ask for it
    /// and the system has one, and the mixed sources (for their own meters; none unmixed); a
    /// system sound that cannot be opened is said, and the microphone records alone.
    fn with_system_sound(&self, stream: MediaStream) -> (MediaStream, Vec<MediaStreamTrack>) {
        let system_listed = self.devices.iter().any(|d| d.id == crate::devices::SYSTEM_SOUND_ID);
        let Some(mic) = stream.audio_tracks().into_iter().next() else { return (stream, Vec::new()) };
        if !self.settings.also_system_sound || !system_listed || crate::devices::is_system_sound(mic.device_id()) {
            return (stream, Vec::new());
        }
        let mixed = crate::devices::open_audio(crate::devices::SYSTEM_SOUND_ID).and_then(|system| {
            let mix = crate::devices::mix_tracks(vec![(mic.clone(), 1.0), (system.clone(), 1.0)])?;
            Ok((mix, system))
        });
        match mixed {
            Ok((mix, system)) => (MediaStream::new(vec![mix]), vec![mic, system]),
            Err(e) => {
                let system = self.label_of(crate::devices::SYSTEM_SOUND_ID);
                self.out.send(Update::Notice(t!("device-cannot-open", device = system, reason = e.to_string())));
                (stream, Vec::new())
            }
        }
    }

    /// The microphone's track with the processing the settings ask for ("Cancel echo", "Reduce
    /// noise", "Even out volume"), before the system's sound is mixed in (or echo cancellation
    /// would take it out); the test tone and the system's sound are recorded as they are.
    fn processed(&self, stream: MediaStream) -> MediaStream {
        let processing = crate::devices::AudioProcessing {
            echo_cancellation: self.settings.echo_cancellation,
            noise_suppression: self.settings.noise_suppression,
            auto_gain_control: self.settings.auto_gain_control,
        };
        let Some(track) = stream.audio_tracks().into_iter().next() else { return stream };
        let id = track.device_id().to_owned();
        if processing.is_off() || id.starts_with("test:") || crate::devices::is_system_sound(&id) {
            return stream;
        }
        match crate::devices::process_track(track.clone(), processing) {
            Ok(processed) => MediaStream::new(vec![processed]),
            Err(e) => {
                self.out.send(Update::Notice(t!("device-cannot-open", device = track.label(), reason = e.to_string())));
                stream
            }
        }
    }

    pub(super) fn label_of(&self, id: &str) -> String {
        self.devices.iter().find(|d| d.id == id).map_or_else(|| id.to_owned(), |d| d.label.clone())
    }

    pub(super) fn meter(&mut self, buffer: &AudioBuffer) {
        let Some(preview) = &mut self.preview else { return };
        // Each mixed source's meter catches up with what it has delivered (the mix runs a
        // little behind them).
        for source in &mut preview.sources {
            while let Ok(b) = source.audio.try_recv() {
                source.last = source.meter.push(&b).or(source.last.take());
            }
        }
        if let Some(mut reading) = preview.meter.push(buffer) {
            reading.sources = preview
                .sources
                .iter()
                .map(|s| SourceLevel {
                    label: s.label.clone(),
                    peak_dbfs: s.last.as_ref().map_or(f32::NEG_INFINITY, |r| r.peak_dbfs),
                    rms_dbfs: s.last.as_ref().map_or(f32::NEG_INFINITY, |r| r.rms_dbfs),
                })
                .collect();
            if let Some(unshown) = self.live.meter.take() {
                // A peak between two of the window's frames is still shown.
                reading.peak_dbfs = reading.peak_dbfs.max(unshown.peak_dbfs);
                reading.clipping |= unshown.clipping;
            }
            self.live.meter = Some(reading);
        }
    }

    /// The previewed device went away (unplugged, server gone). While recording, the
    /// recorder reports it as an error; either way the preview moves to another source.
    pub(super) fn preview_ended(&mut self) {
        let Some(preview) = self.preview.take() else { return };
        let reason = preview
            .stream
            .audio_tracks()
            .first()
            .and_then(crate::MediaStreamTrack::end_reason)
            .unwrap_or_else(|| t!("it-ended"));
        let label = self.label_of(&preview.device_id);
        if self.active.is_none() {
            self.out.send(Update::Notice(t!("device-stopped", device = label.as_str(), reason = reason.as_str())));
            self.refresh_devices();
            let wanted = self.settings.device_id.clone();
            self.open_preview(if wanted == preview.device_id { DEFAULT_ID } else { &wanted });
        } else {
            // Keep the stream for the recorder until it stops; re-open afterwards. With a live
            // video track the recording goes on (without one it stops, and says so then).
            self.preview = None;
            self.send_capturing();
            if self.video.is_some() {
                self.error(&t!(
                    "microphone-stopped-recording-goes-on",
                    device = label.as_str(),
                    reason = reason.as_str()
                ));
            }
        }
    }
}
