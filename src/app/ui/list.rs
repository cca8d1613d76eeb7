//! The recordings: name (editable), duration, size, format and state, with Play, Save… and
//! Delete. The selected one is what Ctrl+S saves.

use egui::{Button, RichText, Ui};

use super::RED;
use crate::app::state::{
    format_bytes, format_duration, format_label, AppState, Command, RecordingEntry, RecordingStatus,
};
use crate::t;

/// The list, newest first.
pub fn recordings_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    ui.label(RichText::new(t!("recordings")).strong().size(16.0));
    if state.recordings.is_empty() {
        ui.label(RichText::new(t!("nothing-recorded")).weak());
        return;
    }
    egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
        let entries: Vec<RecordingEntry> = state.recordings.iter().rev().cloned().collect();
        for entry in &entries {
            row(ui, state, entry, commands);
        }
    });
}

fn row(ui: &mut Ui, state: &mut AppState, r: &RecordingEntry, commands: &mut Vec<Command>) {
    let selected = state.selected_recording.as_ref() == Some(&r.id);
    let frame = egui::Frame::group(ui.style()).fill(if selected {
        ui.visuals().selection.bg_fill.gamma_multiply(0.25)
    } else {
        ui.visuals().faint_bg_color
    });
    frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        // Both sides change the state, one after the other.
        let shared = std::cell::RefCell::new((&mut *state, &mut *commands));
        egui::Sides::new().shrink_left().show(
            ui,
            |ui| {
                let (state, commands) = &mut *shared.borrow_mut();
                name_ui(ui, state, r, commands);
            },
            |ui| {
                let (state, commands) = &mut *shared.borrow_mut();
                actions_ui(ui, state, r, commands);
            },
        );
        ui.horizontal(|ui| {
            let format = format_label(&r.mime_type);
            // The one being recorded shows the live timer's figures.
            let (ms, bytes) = if r.status == RecordingStatus::Recording {
                (state.media_ms, state.bytes)
            } else {
                (r.duration_ms, r.bytes)
            };
            ui.label(RichText::new(format_duration(ms)).monospace());
            ui.label(RichText::new(format_bytes(bytes)).weak());
            ui.label(RichText::new(format).weak());
            match &r.status {
                RecordingStatus::Recording => {
                    ui.label(RichText::new(t!("status-recording")).color(RED));
                }
                RecordingStatus::Recovered => {
                    ui.label(RichText::new(t!("status-recovered")).color(super::AMBER));
                }
                RecordingStatus::Saving(f) => {
                    ui.add(egui::ProgressBar::new(*f).desired_width(160.0).show_percentage());
                }
                RecordingStatus::Saved(path) => {
                    ui.label(t!("status-saved", path = path.display().to_string()));
                }
                RecordingStatus::Ready => {}
            }
        });
        if let Some(e) = &r.error {
            ui.label(RichText::new(t!("ended-early", reason = e.as_str())).color(RED));
        }
    });
}

fn name_ui(ui: &mut Ui, state: &mut AppState, r: &RecordingEntry, commands: &mut Vec<Command>) {
    match &mut state.renaming {
        Some((id, text)) if *id == r.id => {
            let edit = ui.add(egui::TextEdit::singleline(text).desired_width(260.0).hint_text(t!("name")));
            if edit.lost_focus() {
                if ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    commands.push(Command::Rename { id: r.id.clone(), name: text.clone() });
                }
                state.renaming = None;
            } else if !edit.has_focus() {
                edit.request_focus();
            }
        }
        _ => {
            let name = ui.add(egui::Label::new(RichText::new(&r.name).size(16.0)).sense(egui::Sense::click()));
            let name = name.on_hover_text(t!("name-tip"));
            if name.clicked() {
                state.selected_recording = Some(r.id.clone());
            }
            if name.double_clicked() && r.status != RecordingStatus::Recording {
                state.renaming = Some((r.id.clone(), r.name.clone()));
            }
        }
    }
}

fn actions_ui(ui: &mut Ui, state: &mut AppState, r: &RecordingEntry, commands: &mut Vec<Command>) {
    let idle = !matches!(r.status, RecordingStatus::Recording | RecordingStatus::Saving(_));
    if ui.add_enabled(idle, Button::new(t!("delete"))).on_hover_text(t!("delete-tip")).clicked() {
        state.confirm_delete = Some(r.id.clone());
    }
    if ui.add_enabled(r.can_save(), Button::new(t!("save-as"))).on_hover_text(t!("save-as-tip")).clicked() {
        state.selected_recording = Some(r.id.clone());
        commands.push(Command::ChooseSaveTarget { id: r.id.clone() });
    }
    if state.playing.as_ref() == Some(&r.id) {
        if ui.button(t!("stop-playing")).clicked() {
            commands.push(Command::StopPlayback);
        }
    } else if ui.add_enabled(idle, Button::new(t!("play"))).on_hover_text(t!("play-tip")).clicked() {
        commands.push(Command::Play { id: r.id.clone() });
    }
    if ui.add_enabled(idle, Button::new(t!("rename"))).clicked() {
        state.renaming = Some((r.id.clone(), r.name.clone()));
    }
}
