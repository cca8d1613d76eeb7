//! The source pickers and the live preview: a microphone dropdown, a camera/screen dropdown, the
//! level (peak and RMS bars in dBFS, a clip light, a scrolling waveform) and, with a video
//! source, its live picture beside them.

use egui::{Color32, Pos2, Rect, RichText, Sense, Stroke, TextureHandle, TextureOptions, Ui};

use super::RED;
use crate::app::state::{AppState, Command, DeviceEntry, MeterReading, PreviewImage, Toggle};
use crate::t;

/// The meter's scale: -60 dBFS (left edge) to 0 dBFS (right edge).
const FLOOR_DBFS: f32 = -60.0;
/// Room for the video preview (4:3; other shapes are fitted inside).
const PREVIEW: egui::Vec2 = egui::vec2(240.0, 180.0);

/// Pickers, meter and preview.
pub fn source_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let video = state.selected_video.is_some();
    ui.horizontal_top(|ui| {
        let column =
            if video { ui.available_width() - PREVIEW.x - ui.spacing().item_spacing.x } else { ui.available_width() };
        ui.vertical(|ui| {
            ui.set_width(column);
            // Labels in one column, dropdowns lined up in the next.
            egui::Grid::new("pickers").num_columns(2).spacing([10.0, 8.0]).show(ui, |ui| {
                microphone_ui(ui, state, commands);
                ui.end_row();
                video_picker_ui(ui, state, commands);
                ui.end_row();
            });
            if state.no_microphone {
                ui.label(RichText::new(t!("no-microphone")).color(super::AMBER));
            }
            meter_ui(ui, &state.meter);
        });
        if video {
            preview_ui(ui, state.video_preview.as_ref());
        }
    });
}

fn microphone_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let label = ui.label(RichText::new(t!("microphone")).strong());
    let system = state.devices.iter().find(|d| d.id == crate::devices::SYSTEM_SOUND_ID);
    let mixed =
        system.filter(|_| state.settings.also_system_sound && state.selected_device != crate::devices::SYSTEM_SOUND_ID);
    let selected_label = match mixed {
        Some(system) => format!("{} + {}", label_of(&state.devices, &state.selected_device), system.label),
        None => label_of(&state.devices, &state.selected_device).to_owned(),
    };
    let has_system = system.is_some();
    ui.add_enabled_ui(state.can_configure(), |ui| {
        egui::ComboBox::from_id_salt("microphone")
            .selected_text(selected_label)
            // The system-sound switch toggles without closing the list, and is not scrolled
            // out of sight below the devices.
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .height(480.0)
            .width(ui.available_width().min(460.0))
            .show_ui(ui, |ui| {
                for d in &state.devices {
                    if ui.selectable_label(d.id == state.selected_device, &d.label).clicked()
                        && d.id != state.selected_device
                    {
                        commands.push(Command::SelectDevice(d.id.clone()));
                        ui.close();
                    }
                }
                ui.separator();
                // The computer's own sound with the voice: one track, mixed.
                if has_system {
                    switch(
                        ui,
                        state,
                        commands,
                        Toggle::AlsoSystemSound,
                        t!("also-system-sound"),
                        t!("also-system-sound-tip"),
                    );
                }
                // The browser's echoCancellation, noiseSuppression and autoGainControl, for the
                // microphone.
                switch(ui, state, commands, Toggle::EchoCancellation, t!("cancel-echo"), t!("cancel-echo-tip"));
                switch(ui, state, commands, Toggle::NoiseSuppression, t!("reduce-noise"), t!("reduce-noise-tip"));
                switch(ui, state, commands, Toggle::AutoGainControl, t!("even-out-volume"), t!("even-out-volume-tip"));
                switch(ui, state, commands, Toggle::PauseOnSilence, t!("pause-on-silence"), t!("pause-on-silence-tip"));
            })
            .response
            .labelled_by(label.id)
            .on_hover_text(t!("microphone-tip"));
    });
}

/// A remembered on/off setting as a checkbox. The window's copy changes at once too (it shows
/// the click before the controller's answer); the controller applies the one change to its own.
fn switch(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>, toggle: Toggle, label: String, tip: String) {
    let mut on = *toggle.of(&mut state.settings);
    if ui.checkbox(&mut on, label).on_hover_text(tip).changed() {
        *toggle.of(&mut state.settings) = on;
        commands.push(Command::Switch(toggle, on));
    }
}

/// "None (sound only)", then cameras, screens and the test videos.
fn video_picker_ui(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let label = ui.label(RichText::new(t!("video")).strong());
    // What the picker shows for "no video".
    let sound_only = t!("sound-only");
    let selected_label =
        state.selected_video.as_deref().map_or(sound_only.clone(), |id| video_label(&state.video_devices, id));
    let can_configure = state.can_configure();
    ui.horizontal(|ui| {
        ui.add_enabled_ui(can_configure, |ui| {
            egui::ComboBox::from_id_salt("video-source")
                .selected_text(selected_label)
                .width(ui.available_width().min(460.0))
                .show_ui(ui, |ui| {
                    if ui.selectable_label(state.selected_video.is_none(), &sound_only).clicked()
                        && state.selected_video.is_some()
                    {
                        commands.push(Command::SelectVideo(None));
                    }
                    if state.no_camera {
                        ui.label(RichText::new(t!("no-camera")).weak());
                    }
                    for d in &state.video_devices {
                        let selected = state.selected_video.as_deref() == Some(d.id.as_str());
                        if ui.selectable_label(selected, &d.label).clicked() && !selected {
                            commands.push(Command::SelectVideo(Some(d.id.clone())));
                        }
                    }
                })
                .response
                .labelled_by(label.id)
                .on_hover_text(t!("video-tip"));
        });
        // "Area…" while a screen is chosen.
        super::area::area_button(ui, state);
    });
}

fn label_of<'a>(list: &'a [DeviceEntry], id: &'a str) -> &'a str {
    list.iter().find(|d| d.id == id).map_or(id, |d| d.label.as_str())
}

/// The picker's words for `id`: its entry's label, or for an id with parameters (an area of a
/// screen, a rate) the label of the source it names, with the area said.
fn video_label(list: &[DeviceEntry], id: &str) -> String {
    if let Some(d) = list.iter().find(|d| d.id == id) {
        return d.label.clone();
    }
    let base = id.split('?').next().unwrap_or(id);
    let Some(d) = list.iter().find(|d| d.id == base) else { return id.to_owned() };
    match crate::devices::area_of(id) {
        Some((x, y, w, h)) => t!("area-label", source = d.label.as_str(), w = w, h = h, x = x, y = y),
        None => d.label.clone(),
    }
}

/// The live picture, fitted into [`PREVIEW`]; its texture is uploaded only when a new picture
/// arrives (kept in egui's memory between frames).
fn preview_ui(ui: &mut Ui, image: Option<&PreviewImage>) {
    let (rect, response) = ui.allocate_exact_size(PREVIEW, Sense::hover());
    ui.painter().rect_filled(rect, 4.0, Color32::BLACK);
    let Some(image) = image else {
        ui.painter().text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            t!("preview-starting"),
            egui::FontId::proportional(14.0),
            Color32::GRAY,
        );
        return;
    };
    let texture = preview_texture(ui, image);
    let size = egui::vec2(image.width as f32, image.height as f32);
    let fitted = Rect::from_center_size(rect.center(), size * (PREVIEW.x / size.x).min(PREVIEW.y / size.y));
    ui.painter().image(texture.id(), fitted, Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)), Color32::WHITE);
    let (w, h) = image.source_size;
    response.on_hover_text(t!("preview-tip", width = w, height = h));
}

fn preview_texture(ui: &Ui, image: &PreviewImage) -> TextureHandle {
    let id = egui::Id::unique("video-preview-texture");
    let kept: Option<(u64, TextureHandle)> = ui.data(|d| d.get_temp(id));
    if let Some((seq, texture)) = &kept {
        if *seq == image.seq {
            return texture.clone();
        }
    }
    let pixels = egui::ColorImage::from_rgba_unmultiplied([image.width as usize, image.height as usize], &image.rgba);
    let texture = match kept {
        Some((_, mut texture)) => {
            texture.set(pixels, TextureOptions::LINEAR);
            texture
        }
        None => ui.ctx().load_texture("video-preview", pixels, TextureOptions::LINEAR),
    };
    ui.data_mut(|d| d.insert_temp(id, (image.seq, texture.clone())));
    texture
}

fn meter_ui(ui: &mut Ui, m: &MeterReading) {
    let width = ui.available_width();
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2((width - 400.0).max(200.0), 22.0), Sense::hover());
        level_bar(ui, rect, m);
        let db = |v: f32| if v.is_finite() { format!("{v:6.1}") } else { "  -inf".into() };
        ui.label(
            RichText::new(t!("meter-levels", peak = db(m.peak_dbfs), rms = db(m.rms_dbfs))).monospace().size(13.0),
        );
        let clip = if m.clipping {
            RichText::new(t!("clip")).color(Color32::WHITE).background_color(RED).strong()
        } else {
            RichText::new(t!("clip")).weak()
        };
        ui.label(clip.monospace()).on_hover_text(t!("clip-tip"));
        let silent = RichText::new(t!("silent")).monospace();
        ui.label(if m.silent { silent.strong() } else { silent.weak() }).on_hover_text(t!("silent-tip"));
    });
    // A mix: each source's own level, thin, under the mix's, so a silent source is seen.
    for source in &m.sources {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2((width - 400.0).max(200.0), 8.0), Sense::hover());
            let reading =
                MeterReading { peak_dbfs: source.peak_dbfs, rms_dbfs: source.rms_dbfs, ..MeterReading::default() };
            level_bar(ui, rect, &reading);
            ui.label(RichText::new(&source.label).size(12.0).weak());
        });
    }
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
