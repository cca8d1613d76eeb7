//! The recording: starting it on the previewed devices, pause/resume/stop, and the recorder's
//! events.

use super::*;

impl Engine {
    /// Record: at once, or after the countdown the settings ask for.
    pub(super) fn ask_to_record(&mut self) {
        if self.active.is_some() || self.countdown.is_some() {
            return;
        }
        match self.settings.start_delay_s {
            0 => self.record(),
            seconds => {
                self.countdown = Some((Instant::now() + Duration::from_secs(u64::from(seconds)), seconds));
                self.out.send(Update::Countdown(Some(seconds)));
            }
        }
    }

    /// Nothing is recorded.
    pub(super) fn cancel_countdown(&mut self) {
        if self.countdown.take().is_some() {
            self.out.send(Update::Countdown(None));
        }
    }

    /// Shows the seconds left; at the end, records.
    pub(super) fn count_down(&mut self, now: Instant) {
        let Some((at, shown)) = self.countdown else { return };
        if now >= at {
            self.countdown = None;
            self.out.send(Update::Countdown(None));
            return self.record();
        }
        let left = u32::try_from(at.duration_since(now).as_millis().div_ceil(1000)).unwrap_or(u32::MAX);
        if left != shown {
            self.countdown = Some((at, left));
            self.out.send(Update::Countdown(Some(left)));
        }
    }

    pub(super) fn record(&mut self) {
        if self.active.is_some() {
            return;
        }
        let Some(preview) = &self.preview else {
            return self.error(&t!("no-microphone-open"));
        };
        let mut tracks = preview.stream.audio_tracks();
        let mut options = MediaRecorderOptions {
            mime_type: Some(self.settings.recording_mime_type().to_owned()),
            audio_bits_per_second: Some(self.settings.audio_bitrate),
            pause_on_silence: self.settings.pause_on_silence.then(crate::SilenceOptions::default),
            ..Default::default()
        };
        if let Some(video) = &self.video {
            tracks.push(video.track.clone());
            options.video_bits_per_second = Some(self.settings.video_bitrate);
        }
        let started = MediaRecorder::new(MediaStream::new(tracks), options).and_then(|recorder| {
            recorder.set_store_dir(&self.config.store_root);
            recorder.start(Some(self.settings.timeslice_ms))?;
            Ok(recorder)
        });
        match started {
            Ok(recorder) => {
                let events = recorder.events();
                self.live.dropped = 0;
                self.active = Some(Active { recorder, events, id: None, error: None });
                self.send_state();
            }
            Err(e) => self.error(&t!("cannot-start-recording", reason = e.to_string())),
        }
    }

    /// Pause, resume, stop: the recorder's own state rules apply; the new state is sent at once
    /// (the spec changes it synchronously), its event follows.
    pub(super) fn with_recorder(&mut self, f: impl FnOnce(&MediaRecorder) -> Result<(), crate::RecorderError>) {
        let Some(active) = &self.active else { return };
        if let Err(e) = f(&active.recorder) {
            self.error(&e.to_string());
        }
        self.send_state();
    }

    pub(super) fn recorder_event(&mut self, event: RecorderEvent) {
        let Some(active) = &mut self.active else { return };
        match event {
            RecorderEvent::Start => {
                if let Some(dir) = active.recorder.session_dir() {
                    let id = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    active.id = Some(id.clone());
                    let manifest = crate::store::read_manifest(&dir).ok();
                    self.recordings.push(Recording {
                        entry: crate::app::state::RecordingEntry {
                            id,
                            name: recordings::default_name(manifest.as_ref().map(|m| m.created_unix_ms)),
                            duration_ms: 0.0,
                            bytes: 0,
                            extension: manifest.as_ref().map_or_else(|| "ogg".into(), |m| m.extension.clone()),
                            mime_type: active.recorder.mime_type(),
                            status: RecordingStatus::Recording,
                            error: None,
                        },
                        dir,
                    });
                    self.send_recordings();
                }
                self.send_state();
            }
            RecorderEvent::Pause | RecorderEvent::Resume => self.send_state(),
            RecorderEvent::DataAvailable(_) => {}
            RecorderEvent::Error(e) => {
                let message = e.to_string();
                active.error = Some(message.clone());
                self.error(&message);
            }
            RecorderEvent::Stop => self.recording_stopped(),
        }
    }

    pub(super) fn recording_stopped(&mut self) {
        let Some(active) = self.active.take() else { return };
        let stats = active.recorder.stats();
        // A track that ended with a reason was ended by its device (unplugged, server gone), not
        // by the user's Stop: the recorder stopped as the spec says, without an error event.
        let lost = active
            .recorder
            .stream()
            .tracks()
            .iter()
            .find_map(|t| Some((crate::i18n::device_label(t.label()), t.end_reason()?)));
        if let Some(r) = active.id.as_ref().and_then(|id| self.recordings.iter_mut().find(|r| &r.entry.id == id)) {
            let manifest = crate::store::read_manifest(&r.dir).ok();
            r.entry.duration_ms = manifest.as_ref().map_or(stats.media_ms, |m| m.duration_ms);
            r.entry.bytes = stats.bytes;
            r.entry.status = RecordingStatus::Ready;
            let ended = lost.map(|(label, reason)| {
                let kept_s = r.entry.duration_ms / 1000.0;
                t!("device-lost-recording-stopped", device = label, reason = reason, seconds = format!("{kept_s:.1}"))
            });
            if let Some(message) = &ended {
                self.out.send(Update::Error(message.clone()));
            }
            r.entry.error = active.error.or(ended).or_else(|| manifest.and_then(|m| m.error));
        }
        self.out.send(Update::Progress { media_ms: stats.media_ms, bytes: stats.bytes });
        self.out.send(Update::State(RecordingState::Inactive));
        self.send_recordings();
        if self.preview.is_none() {
            self.refresh_devices();
            let wanted = self.settings.device_id.clone();
            self.open_preview(&wanted);
        }
        // A video source that ended during the recording comes back if it is there again.
        if let (None, None, Some(wanted)) = (&self.video, &self.display_asked, self.settings.video_id.clone()) {
            self.refresh_devices();
            if self.video_devices.iter().any(|d| d.id == wanted) {
                self.open_video(Some(&wanted));
            }
        }
    }
}
