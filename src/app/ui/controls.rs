//! Record / Pause-Resume / Stop, the timer, and the format and quality choices.

use egui::{Button, RichText, Ui};

use super::{AMBER, RED};
use crate::app::state::{
    format_bytes, format_duration, format_label, AppState, Command, Settings, BITRATE_CHOICES, MIME_CHOICES,
    START_DELAY_CHOICES, TIMESLICE_CHOICES, VIDEO_BITRATE_CHOICES, VIDEO_MIME_CHOICES,
};
use crate::t;
use crate::{MediaRecorder, RecordingState};

const BUTTON: egui::Vec2 = egui::vec2(130.0, 44.0);

/// Buttons whose enabled state follows the recorder's state, the running timer, and the format.
pub fn controls_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let s = state.recording_state;
    ui.horizontal(|ui| {
        // Counting down, the Record button says how long is left, and calls it off.
        let (text, tip, command) = match state.countdown_s {
            Some(seconds) => (t!("starting-in", seconds = seconds), t!("starting-in-tip"), Command::CancelCountdown),
            None => (t!("record"), t!("record-tip"), Command::Record),
        };
        let record =
            Button::new(RichText::new(text).size(20.0).strong().color(egui::Color32::WHITE)).fill(RED).min_size(BUTTON);
        if ui.add_enabled(s == RecordingState::Inactive, record).on_hover_text(tip).clicked() {
            commands.push(command);
        }
        let (label, command, tip) = if s == RecordingState::Paused {
            (t!("resume"), Command::Resume, t!("resume-tip"))
        } else {
            (t!("pause"), Command::Pause, t!("pause-tip"))
        };
        let pause = Button::new(RichText::new(label).size(20.0)).min_size(BUTTON);
        if ui.add_enabled(s != RecordingState::Inactive, pause).on_hover_text(tip).clicked() {
            commands.push(command);
        }
        let stop = Button::new(RichText::new(t!("stop")).size(20.0)).min_size(BUTTON);
        if ui.add_enabled(s != RecordingState::Inactive, stop).on_hover_text(t!("stop-tip")).clicked() {
            commands.push(Command::Stop);
        }
        ui.add_space(16.0);
        let color = match s {
            RecordingState::Recording => RED,
            RecordingState::Paused => AMBER,
            RecordingState::Inactive => ui.visuals().text_color(),
        };
        ui.vertical(|ui| {
            ui.label(RichText::new(format_duration(state.media_ms)).monospace().size(34.0).color(color))
                .on_hover_text(t!("timer-tip"));
            if s != RecordingState::Inactive {
                ui.label(RichText::new(format_bytes(state.bytes)).weak());
            }
        });
    });
    format_ui(ui, state, commands);
}

fn format_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let mut wanted: Settings = state.settings.clone();
    ui.add_enabled_ui(state.can_configure(), |ui| {
        // Wrapped: with a video source the choices need more than an 800 px window's width.
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(t!("format"));
            // With a video source the choice is among the video formats, else the sound ones;
            // each is remembered on its own.
            let (choices, mime) = if state.selected_video.is_some() {
                (VIDEO_MIME_CHOICES, &mut wanted.video_mime_type)
            } else {
                (MIME_CHOICES, &mut wanted.mime_type)
            };
            egui::ComboBox::from_id_salt("format")
                .selected_text(format_label(mime))
                .show_ui(ui, |ui| {
                    for choice in choices.iter().filter(|m| MediaRecorder::is_type_supported(m)) {
                        ui.selectable_value(mime, (*choice).to_owned(), format_label(choice)).on_hover_text(*choice);
                    }
                })
                .response
                .labelled_by(label.id);
            if state.selected_video.is_some() {
                let label = ui.label(t!("video-bitrate"));
                egui::ComboBox::from_id_salt("video-bitrate")
                    .selected_text(mbits(wanted.video_bitrate))
                    .show_ui(ui, |ui| {
                        for &b in VIDEO_BITRATE_CHOICES {
                            ui.selectable_value(&mut wanted.video_bitrate, b, mbits(b));
                        }
                    })
                    .response
                    .labelled_by(label.id)
                    .on_hover_text(t!("video-bitrate-tip"));
            }
            let label = ui.label(if state.selected_video.is_some() { t!("sound-bitrate") } else { t!("quality") });
            egui::ComboBox::from_id_salt("bitrate")
                .selected_text(format!("{} kbit/s", wanted.audio_bitrate / 1000))
                .show_ui(ui, |ui| {
                    for &b in BITRATE_CHOICES {
                        ui.selectable_value(&mut wanted.audio_bitrate, b, format!("{} kbit/s", b / 1000));
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label(t!("saved-every"));
            egui::ComboBox::from_id_salt("timeslice")
                .selected_text(timeslice_label(wanted.timeslice_ms))
                .show_ui(ui, |ui| {
                    for &t in TIMESLICE_CHOICES {
                        ui.selectable_value(&mut wanted.timeslice_ms, t, timeslice_label(t));
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(t!("saved-every-tip"));
            let label = ui.label(t!("start-after"));
            egui::ComboBox::from_id_salt("start-after")
                .selected_text(delay_label(wanted.start_delay_s))
                .show_ui(ui, |ui| {
                    for &d in START_DELAY_CHOICES {
                        ui.selectable_value(&mut wanted.start_delay_s, d, delay_label(d));
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(t!("start-after-tip"));
        });
    });
    if wanted != state.settings {
        commands.push(Command::ChangeSettings(wanted));
    }
}

/// `2.5 Mbit/s`.
fn mbits(bps: u32) -> String {
    format!("{} Mbit/s", f64::from(bps) / 1e6)
}

fn delay_label(seconds: u32) -> String {
    if seconds == 0 {
        t!("start-after-off")
    } else {
        format!("{seconds} s")
    }
}

fn timeslice_label(ms: u32) -> String {
    if ms >= 1000 {
        format!("{} s", ms / 1000)
    } else {
        format!("{ms} ms")
    }
}
