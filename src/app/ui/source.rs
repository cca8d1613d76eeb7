//! The microphone picker and the live level: peak and RMS bars in dBFS, a clip light and a
//! scrolling waveform.

use egui::{Color32, Pos2, Rect, RichText, Sense, Stroke, Ui};

use super::RED;
use crate::app::state::{AppState, Command, MeterReading};

/// The meter's scale: -60 dBFS (left edge) to 0 dBFS (right edge).
const FLOOR_DBFS: f32 = -60.0;

/// Picker and meter.
pub fn source_ui(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new("Microphone").strong());
        let selected_label = state
            .devices
            .iter()
            .find(|d| d.id == state.selected_device)
            .map_or(state.selected_device.as_str(), |d| d.label.as_str());
        ui.add_enabled_ui(state.can_configure(), |ui| {
            egui::ComboBox::from_id_salt("microphone")
                .selected_text(selected_label)
                .width(ui.available_width().min(460.0))
                .show_ui(ui, |ui| {
                    for d in &state.devices {
                        if ui.selectable_label(d.id == state.selected_device, &d.label).clicked()
                            && d.id != state.selected_device
                        {
                            commands.push(Command::SelectDevice(d.id.clone()));
                        }
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text("The source to record; the list follows devices as they come and go");
        });
    });
    if state.no_microphone {
        ui.label(RichText::new("No microphone found: recording the built-in test tone.").color(super::AMBER));
    }
    meter_ui(ui, &state.meter);
}

fn meter_ui(ui: &mut Ui, m: &MeterReading) {
    let width = ui.available_width();
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2((width - 330.0).max(200.0), 22.0), Sense::hover());
        level_bar(ui, rect, m);
        let db = |v: f32| if v.is_finite() { format!("{v:6.1}") } else { "  -inf".into() };
        ui.label(
            RichText::new(format!("peak {} dBFS  rms {} dBFS", db(m.peak_dbfs), db(m.rms_dbfs))).monospace().size(13.0),
        );
        let clip = if m.clipping {
            RichText::new("CLIP").color(Color32::WHITE).background_color(RED).strong()
        } else {
            RichText::new("CLIP").weak()
        };
        ui.label(clip.monospace()).on_hover_text("Lights when the level reaches full scale (0 dBFS)");
    });
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 56.0), Sense::hover());
    waveform(ui, rect, &m.waveform);
}

fn fraction(dbfs: f32) -> f32 {
    if dbfs.is_finite() {
        ((dbfs - FLOOR_DBFS) / -FLOOR_DBFS).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn level_bar(ui: &Ui, rect: Rect, m: &MeterReading) {
    let painter = ui.painter();
    let visuals = ui.visuals();
    painter.rect_filled(rect, 4.0, visuals.extreme_bg_color);
    let green = Color32::from_rgb(46, 160, 67);
    let rms_color = if m.rms_dbfs > -6.0 { super::AMBER } else { green };
    let rms = Rect::from_min_size(rect.min, egui::vec2(rect.width() * fraction(m.rms_dbfs), rect.height()));
    painter.rect_filled(rms, 4.0, rms_color);
    // The peak is a thin marker over the RMS bar.
    let x = rect.left() + rect.width() * fraction(m.peak_dbfs);
    if m.peak_dbfs.is_finite() {
        let color = if m.clipping { RED } else { visuals.strong_text_color() };
        painter.line_segment([Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())], Stroke::new(3.0, color));
    }
    // Ticks every 10 dB.
    for db in (-50..0).step_by(10) {
        let x = rect.left() + rect.width() * fraction(db as f32);
        painter.line_segment(
            [Pos2::new(x, rect.bottom() - 5.0), Pos2::new(x, rect.bottom())],
            Stroke::new(1.0, visuals.weak_text_color()),
        );
    }
}

fn waveform(ui: &Ui, rect: Rect, peaks: &[f32]) {
    let painter = ui.painter();
    painter.rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
    if peaks.is_empty() {
        return;
    }
    let color = ui.visuals().selection.bg_fill;
    let step = rect.width() / peaks.len() as f32;
    let mid = rect.center().y;
    for (i, p) in peaks.iter().enumerate() {
        // Square-root scale: quiet speech still shows.
        let h = (p.clamp(0.0, 1.0).sqrt() * rect.height() * 0.48).max(0.5);
        let x = rect.left() + step * (i as f32 + 0.5);
        painter.line_segment([Pos2::new(x, mid - h), Pos2::new(x, mid + h)], Stroke::new(step.max(1.0) * 0.8, color));
    }
}
