//! The remembered choices: loaded at start, written on each change, and what the user is told
//! when the file could not be used.

use super::*;

impl Engine {
    pub(super) fn load_settings(&mut self) {
        if let Some(path) = &self.config.settings_file {
            let loaded = settings::load(path);
            self.settings = loaded.settings;
            if let Some(aside) = loaded.set_aside {
                // A file that could not be moved is not written over either.
                self.settings_writable = aside.kept_as.is_some();
                self.out.send(Update::Notice(set_aside_message(&aside)));
            }
        }
        self.out.send(Update::Settings(self.settings.clone()));
    }

    pub(super) fn save_settings(&self) {
        if let Some(path) = self.config.settings_file.as_ref().filter(|_| self.settings_writable) {
            if let Err(e) = settings::store(path, &self.settings) {
                self.error(&e);
            }
        }
    }
}

/// What the user is told when the settings file could not be used.
fn set_aside_message(aside: &settings::SetAside) -> String {
    match &aside.kept_as {
        Some(kept) => {
            t!("settings-set-aside", problem = settings_problem(&aside.reason), path = kept.display().to_string())
        }
        None => t!("settings-left-alone", problem = settings_problem(&aside.reason)),
    }
}

fn settings_problem(reason: &settings::SettingsError) -> String {
    match reason {
        settings::SettingsError::Damaged(detail) => t!("settings-damaged", detail = detail.as_str()),
        settings::SettingsError::FutureVersion(version) => {
            t!("settings-future", version = version.to_string(), supported = settings::VERSION.to_string())
        }
        settings::SettingsError::Unreadable(detail) => t!("settings-unreadable", detail = detail.as_str()),
    }
}
