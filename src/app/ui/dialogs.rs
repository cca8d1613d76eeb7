//! The error banner and the two questions the window asks: "Delete?" and, when no native save
//! dialog could open, "Save to:".

use egui::{RichText, Ui};

use super::RED;
use crate::app::state::{AppState, Command};
use crate::t;

/// The last error, in words, until dismissed.
pub fn error_banner(ui: &mut Ui, state: &mut AppState) {
    let Some(error) = state.error.clone() else { return };
    egui::Frame::new()
        .fill(RED.gamma_multiply(0.15))
        .stroke(egui::Stroke::new(1.0, RED))
        .corner_radius(6.0)
        .inner_margin(10.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            egui::Sides::new().shrink_left().wrap().show(
                ui,
                |ui| {
                    ui.label(RichText::new(t!("problem")).color(RED).strong());
                    ui.label(RichText::new(&error).size(15.0));
                },
                |ui| {
                    if ui.button(t!("dismiss")).clicked() {
                        state.error = None;
                    }
                },
            );
        });
}

/// Modal questions.
pub fn modals(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    if let Some(id) = state.confirm_delete.clone() {
        let name = state.recordings.iter().find(|r| r.id == id).map_or_else(String::new, |r| r.name.clone());
        let modal = egui::Modal::new(egui::Id::unique("confirm-delete")).show(ui.ctx(), |ui| {
            ui.set_width(380.0);
            ui.heading(t!("delete-question"));
            ui.label(t!("delete-warning", name = name.as_str()));
            ui.horizontal(|ui| {
                if ui.button(RichText::new(t!("delete")).color(RED)).clicked() {
                    commands.push(Command::Delete { id: id.clone() });
                    state.confirm_delete = None;
                }
                if ui.button(t!("keep-it")).clicked() {
                    state.confirm_delete = None;
                }
            });
        });
        if modal.should_close() {
            state.confirm_delete = None;
        }
    }
    if let Some(prompt) = &mut state.save_path_prompt {
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("save-path")).show(ui.ctx(), |ui| {
            ui.set_width(520.0);
            ui.heading(t!("save-recording"));
            ui.label(RichText::new(t!("no-save-dialog", reason = prompt.reason.as_str())).weak());
            ui.label(t!("save-to"));
            let field = ui.add(egui::TextEdit::singleline(&mut prompt.path).desired_width(f32::INFINITY));
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if ui.button(t!("save")).clicked() || entered {
                    commands.push(Command::SaveTo {
                        id: prompt.id.clone(),
                        path: prompt.path.trim().into(),
                        overwrite: false,
                    });
                    close = true;
                }
                if ui.button(t!("cancel")).clicked() {
                    close = true;
                }
            });
        });
        if close || modal.should_close() {
            state.save_path_prompt = None;
        }
    }
}
