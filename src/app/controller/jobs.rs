//! What the user does with recordings: rename, delete, save (the native dialog, then a save
//! thread), play; and the helper threads' reports.

use super::*;

impl Engine {
    pub(super) fn rename(&mut self, id: &str, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            return self.error(&t!("name-needed"));
        }
        let Some(r) = self.recordings.iter_mut().find(|r| r.entry.id == id) else { return };
        if r.dir.exists() {
            if let Err(e) = crate::store::set_session_name(&r.dir, name) {
                return self.error(&e.to_string());
            }
        }
        r.entry.name = name.to_owned();
        self.send_recordings();
    }

    pub(super) fn delete(&mut self, id: &str) {
        let Some(pos) = self.recordings.iter().position(|r| r.entry.id == id) else { return };
        let r = &self.recordings[pos];
        if matches!(r.entry.status, RecordingStatus::Recording | RecordingStatus::Saving(_)) {
            return self.error(&t!("cannot-delete-busy"));
        }
        if self.player.as_ref().is_some_and(|(p, _)| p == id) {
            self.player = None;
            self.out.send(Update::Playing(None));
        }
        let name = r.entry.name.clone();
        if r.dir.exists() {
            if let Err(e) = crate::store::remove_session(&r.dir) {
                return self.error(&t!("cannot-delete", name = name.as_str(), reason = e.to_string()));
            }
        }
        self.recordings.remove(pos);
        self.send_recordings();
        self.out.send(Update::Notice(t!("deleted", name = name.as_str())));
    }

    pub(super) fn choose_save_target(&mut self, id: &str) {
        let Some(r) = self.recordings.iter().find(|r| r.entry.id == id) else { return };
        if !r.entry.can_save() {
            return;
        }
        let video = r.entry.mime_type.starts_with("video/");
        let dir = self.config.save_dir.clone().unwrap_or_else(|| recordings::default_save_dir(video));
        let file_name = recordings::default_file_name(&r.entry);
        let suggested = dir.join(&file_name);
        match save::display_available(self.config.native_dialogs) {
            Err(reason) => self.out.send(Update::AskSavePath { id: id.to_owned(), suggested, reason }),
            Ok(()) => {
                let tx = self.internal_tx.clone();
                let wake = self.out.waker();
                let spawned = save::spawn_dialog(id.to_owned(), dir, file_name, r.entry.extension.clone(), move |o| {
                    if tx.send(Internal::Dialog(o)).is_ok() {
                        wake();
                    }
                });
                if let Err(e) = spawned {
                    self.out.send(Update::AskSavePath {
                        id: id.to_owned(),
                        suggested,
                        reason: t!("save-dialog-cannot-start", reason = e.to_string()),
                    });
                }
            }
        }
    }

    pub(super) fn save(&mut self, id: &str, path: PathBuf, overwrite: bool) {
        let Some(r) = self.recordings.iter_mut().find(|r| r.entry.id == id) else { return };
        if !r.entry.can_save() {
            return;
        }
        let path = recordings::with_extension(path, &r.entry.extension);
        let recovering = r.entry.status == RecordingStatus::Recovered;
        r.entry.status = RecordingStatus::Saving(0.0);
        let progress_tx = self.internal_tx.clone();
        let done_tx = self.internal_tx.clone();
        let wake = self.out.waker();
        let job_id = id.to_owned();
        let spawned = save::spawn_save(
            id.to_owned(),
            r.dir.clone(),
            path,
            overwrite,
            recovering,
            move |fraction| {
                // Progress is advisory: a full queue just skips a step of the bar.
                let _skipped = progress_tx.try_send(Internal::SaveProgress { id: job_id.clone(), fraction });
            },
            move |done| {
                if done_tx.send(Internal::Saved(done)).is_ok() {
                    wake();
                }
            },
        );
        match spawned {
            Ok(handle) => {
                self.saves.insert(id.to_owned(), handle);
            }
            Err(e) => {
                r.entry.status = if recovering { RecordingStatus::Recovered } else { RecordingStatus::Ready };
                self.error(&t!("cannot-start-saving", reason = e.to_string()));
            }
        }
        self.send_recordings();
    }

    pub(super) fn play(&mut self, id: &str) {
        let Some(r) = self.recordings.iter().find(|r| r.entry.id == id) else { return };
        let source = match &r.entry.status {
            RecordingStatus::Saved(path) => path.clone(),
            RecordingStatus::Ready | RecordingStatus::Recovered => r.dir.clone(),
            _ => return self.error(&t!("cannot-play-now")),
        };
        self.player = None;
        let tx = self.internal_tx.clone();
        let wake = self.out.waker();
        let ended_id = id.to_owned();
        match Player::start(&source, move |error| {
            if tx.send(Internal::PlaybackEnded { id: ended_id, error }).is_ok() {
                wake();
            }
        }) {
            Ok(player) => {
                self.player = Some((id.to_owned(), player));
                self.out.send(Update::Playing(Some(id.to_owned())));
            }
            Err(e) => self.error(&t!("cannot-play", name = r.entry.name.as_str(), reason = e.to_string())),
        }
    }

    pub(super) fn internal(&mut self, msg: Internal) {
        match msg {
            Internal::Dialog(DialogOutcome::Chosen { id, path }) => self.save(&id, path, true),
            Internal::Dialog(DialogOutcome::Cancelled) => {}
            Internal::Dialog(DialogOutcome::Unavailable { id, suggested, reason }) => {
                self.out.send(Update::AskSavePath { id, suggested, reason });
            }
            Internal::SaveProgress { id, fraction } => {
                if let Some(r) = self.find_mut(&id) {
                    if matches!(r.entry.status, RecordingStatus::Saving(_)) {
                        r.entry.status = RecordingStatus::Saving(fraction);
                        self.send_recordings();
                    }
                }
            }
            Internal::Saved(done) => self.save_finished(done),
            Internal::DisplayOpened { id, result } => self.display_opened(&id, result),
            Internal::PlaybackEnded { id, error } => {
                if self.player.as_ref().is_some_and(|(p, _)| *p == id) {
                    self.player = None;
                    self.out.send(Update::Playing(None));
                }
                if let Some(e) = error {
                    self.error(&t!("playback-stopped", reason = e.to_string()));
                }
            }
        }
    }

    pub(super) fn save_finished(&mut self, done: SaveDone) {
        if let Some(handle) = self.saves.remove(&done.id) {
            if handle.join().is_err() {
                self.error(&t!("save-thread-failed"));
            }
        }
        let Some(r) = self.recordings.iter_mut().find(|r| r.entry.id == done.id) else { return };
        match done.result {
            Ok((path, skipped)) => {
                r.entry.status = RecordingStatus::Saved(path.clone());
                let name = r.entry.name.clone();
                if skipped.is_empty() {
                    // Saved: the chunks have done their job. A failure to remove them costs disk
                    // space, not the recording: say so, keep going.
                    let removed = crate::store::remove_session(&r.dir);
                    self.out.send(Update::Notice(t!("saved", name = name.as_str(), path = path.display().to_string())));
                    if let Err(e) = removed {
                        self.error(&t!("saved-chunks-kept", reason = e.to_string()));
                    }
                } else {
                    // Something could not be used: the chunks stay, for whoever can do better.
                    let session = r.dir.display().to_string();
                    self.error(&t!(
                        "saved-with-gaps",
                        name = name.as_str(),
                        path = path.display().to_string(),
                        skipped = skipped.join("; "),
                        session = session
                    ));
                }
            }
            Err(e) => {
                r.entry.status = if done.recovering { RecordingStatus::Recovered } else { RecordingStatus::Ready };
                let name = r.entry.name.clone();
                let reason = if e.is_disk_full() { format!("{}: {e}", t!("disk-full")) } else { e.to_string() };
                self.error(&t!("cannot-save", name = name.as_str(), reason = reason));
            }
        }
        self.send_recordings();
    }
}
