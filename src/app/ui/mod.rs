//! The window's panels. Each is a function of the [`AppState`] that returns what the user asked
//! for as [`Command`]s; none touches a device, an encoder or a file.

mod area;
mod controls;
mod dialogs;
mod list;
mod source;

use egui::{Color32, Key, Modifiers, RichText, Ui};

use super::state::{AppState, Command};
use crate::t;
use crate::RecordingState;

/// Recording red: the indicator, the timer while recording, the Record button.
pub const RED: Color32 = Color32::from_rgb(214, 48, 49);
/// Paused amber.
pub const AMBER: Color32 = Color32::from_rgb(230, 145, 20);

/// Draws the whole window into `ui` and returns the user's commands. Each panel fills its own
/// background.
pub fn main_ui(ui: &mut Ui, state: &mut AppState) -> Vec<Command> {
    window_ui(ui, state, true)
}

/// [`main_ui`] for a window whose renderer first clears it to the panels' colour (the app's
/// `clear_color`): the panels are left unfilled. On a software rasteriser that saves a whole
/// window of blended pixels a frame, about 40 % of a frame's CPU here (Mesa llvmpipe, 900×680).
pub fn main_ui_on_cleared(ui: &mut Ui, state: &mut AppState) -> Vec<Command> {
    window_ui(ui, state, false)
}

fn window_ui(ui: &mut Ui, state: &mut AppState, fill: bool) -> Vec<Command> {
    let mut commands = Vec::new();
    shortcuts(ui, state, &mut commands);
    let filled = |frame: egui::Frame| if fill { frame } else { frame.fill(Color32::TRANSPARENT) };
    let bar = filled(egui::Frame::side_top_panel(ui.style()));
    egui::Panel::top("header").frame(bar).show(ui, |ui| header_ui(ui, state));
    egui::Panel::bottom("status").frame(bar).show(ui, |ui| status_ui(ui, state));
    egui::CentralPanel::default().frame(filled(egui::Frame::central_panel(ui.style()))).show(ui, |ui| {
        ui.spacing_mut().item_spacing = egui::vec2(10.0, 10.0);
        dialogs::error_banner(ui, state);
        source::source_ui(ui, state, &mut commands);
        ui.separator();
        controls::controls_ui(ui, state, &mut commands);
        ui.separator();
        list::recordings_ui(ui, state, &mut commands);
    });
    dialogs::modals(ui, state, &mut commands);
    area::area_dialog(ui, state, &mut commands);
    commands
}

/// Space: record/stop; P: pause/resume; Ctrl+S: save the selected recording. Consumed before
/// the widgets run, so a focused button does not also take the Space; left alone while typing
/// or while a dialog is open.
fn shortcuts(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    let dialog_open = state.confirm_delete.is_some() || state.save_path_prompt.is_some() || state.area_picker.is_some();
    if ui.ctx().egui_wants_keyboard_input() || dialog_open {
        return;
    }
    ui.ctx().input_mut(|i| {
        if state.countdown_s.is_some() {
            // Counting down: Escape or Space calls it off.
            if i.consume_key(Modifiers::NONE, Key::Escape) || i.consume_key(Modifiers::NONE, Key::Space) {
                commands.push(Command::CancelCountdown);
            }
            return;
        }
        if i.consume_key(Modifiers::NONE, Key::Space) {
            commands.push(match state.recording_state {
                RecordingState::Inactive => Command::Record,
                _ => Command::Stop,
            });
        }
        if i.consume_key(Modifiers::NONE, Key::P) {
            match state.recording_state {
                RecordingState::Recording => commands.push(Command::Pause),
                RecordingState::Paused => commands.push(Command::Resume),
                RecordingState::Inactive => {}
            }
        }
        if i.consume_key(Modifiers::COMMAND, Key::S) {
            if let Some(r) = state.savable_selection() {
                commands.push(Command::ChooseSaveTarget { id: r.id.clone() });
            }
        }
    });
}

fn header_ui(ui: &mut Ui, state: &AppState) {
    egui::Sides::new().show(
        ui,
        |ui| ui.heading(RichText::new("MediaRecorder").strong()),
        |ui| {
            match state.recording_state {
                RecordingState::Recording => {
                    ui.label(RichText::new(t!("state-recording")).color(RED).strong().size(18.0));
                    dot(ui, RED);
                }
                RecordingState::Paused => {
                    ui.label(RichText::new(t!("state-paused")).color(AMBER).strong().size(18.0));
                    dot(ui, AMBER);
                }
                RecordingState::Inactive => {
                    ui.label(RichText::new(t!("state-ready")).weak().size(18.0));
                }
            }
            live_indicator(ui, &state.capturing);
        },
    );
}

/// Which devices are open (capturing) now, whatever the recorder does: the microphone and
/// camera are never on without the window saying so.
fn live_indicator(ui: &mut Ui, devices: &[String]) {
    if devices.is_empty() {
        return;
    }
    ui.add_space(16.0);
    // Right to left: the text, then its dot.
    ui.label(RichText::new(t!("live-devices", devices = devices.join(" + "))).color(AMBER))
        .on_hover_text(t!("live-devices-tip"));
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.0, AMBER);
}

/// The recording indicator: a filled circle.
fn dot(ui: &mut Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 18.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 8.0, color);
}

fn status_ui(ui: &mut Ui, state: &AppState) {
    ui.horizontal(|ui| {
        if let Some(notice) = &state.notice {
            ui.label(notice);
        } else {
            ui.label(RichText::new(t!("shortcuts-hint")).weak());
        }
    });
}
