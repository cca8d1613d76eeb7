//! "Area…": the user drags a rectangle over a still of the chosen screen, and the screen's
//! source becomes that area of it (an X11 screen's `screen:N?x=&y=&w=&h=`, or a crop of the
//! picture the desktop shares on Wayland).

use egui::{Color32, Pos2, Rect, RichText, Sense, Stroke, TextureHandle, TextureOptions, Ui};

use crate::app::state::{AppState, AreaPicker, Command, PreviewImage};
use crate::t;

/// The still is shown at most this large.
const STILL: egui::Vec2 = egui::vec2(640.0, 400.0);
/// Smaller areas (in the screen's pixels) are not offered: a slip of the mouse, not a choice.
const MIN_SIDE: u32 = 16;

/// The "Area…" button, shown while a screen is the video source.
pub fn area_button(ui: &mut Ui, state: &mut AppState) {
    let Some(id) = state.selected_video.clone() else { return };
    let whole = crate::devices::without_area(&id);
    if crate::devices::with_area(&whole, (0, 0, 2, 2)).is_none() {
        return;
    }
    let enabled = state.can_configure() && state.video_preview.is_some();
    let button = ui.add_enabled(enabled, egui::Button::new(t!("area-button"))).on_hover_text(t!("area-tip"));
    if button.clicked() {
        if let Some(still) = state.video_preview.clone() {
            state.area_picker = Some(AreaPicker { whole, still, drag: None });
        }
    }
}

/// The picker's dialog, while open.
pub fn area_dialog(ui: &mut Ui, state: &mut AppState, commands: &mut Vec<Command>) {
    let Some(picker) = &mut state.area_picker else { return };
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("area-picker")).show(ui.ctx(), |ui| {
        ui.heading(t!("area-title"));
        ui.label(t!("area-hint"));
        let (source_w, source_h) = picker.still.source_size;
        let size = egui::vec2(picker.still.width as f32, picker.still.height as f32);
        let shown = size * (STILL.x / size.x).min(STILL.y / size.y);
        let (rect, response) = ui.allocate_exact_size(shown, Sense::drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, t!("area-still")));
        let texture = still_texture(ui, &picker.still);
        ui.painter().image(texture.id(), rect, Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)), Color32::WHITE);
        // Positions as fractions of the picture, so they map onto the screen's own pixels.
        let fraction = |p: Pos2| ((p - rect.min) / rect.size()).clamp(egui::Vec2::ZERO, egui::Vec2::splat(1.0));
        if response.drag_started() {
            if let Some(p) = response.interact_pointer_pos() {
                picker.drag = Some((fraction(p), fraction(p)));
            }
        }
        if response.dragged() {
            if let (Some(p), Some((_, end))) = (response.interact_pointer_pos(), &mut picker.drag) {
                *end = fraction(p);
            }
        }
        let area = picker.drag.map(|(a, b)| pixels(a, b, (source_w, source_h)));
        if let Some((a, b)) = picker.drag {
            let chosen = Rect::from_two_pos(rect.min + a * rect.size(), rect.min + b * rect.size());
            ui.painter().rect_filled(chosen, 0.0, Color32::from_white_alpha(40));
            ui.painter().rect_stroke(chosen, 0.0, Stroke::new(2.0, super::RED), egui::StrokeKind::Middle);
        }
        let usable = area.filter(|&(_, _, w, h)| w >= MIN_SIDE && h >= MIN_SIDE);
        ui.label(match usable {
            Some((x, y, w, h)) => RichText::new(t!("area-chosen", w = w, h = h, x = x, y = y)).monospace(),
            None => RichText::new(t!("area-none")).weak(),
        });
        ui.horizontal(|ui| {
            let record = ui.add_enabled(usable.is_some(), egui::Button::new(t!("area-use")));
            if let (true, Some(area)) = (record.clicked(), usable) {
                if let Some(id) = crate::devices::with_area(&picker.whole, area) {
                    commands.push(Command::SelectVideo(Some(id)));
                }
                close = true;
            }
            if ui.button(t!("area-whole")).clicked() {
                commands.push(Command::SelectVideo(Some(picker.whole.clone())));
                close = true;
            }
            if ui.button(t!("cancel")).clicked() {
                close = true;
            }
        });
    });
    if close || modal.should_close() {
        state.area_picker = None;
    }
}

/// The still's texture, uploaded once while the dialog is open (kept in egui's memory).
fn still_texture(ui: &Ui, still: &PreviewImage) -> TextureHandle {
    let id = egui::Id::unique("area-still-texture");
    let kept: Option<(u64, TextureHandle)> = ui.data(|d| d.get_temp(id));
    if let Some((_, texture)) = kept.filter(|(seq, _)| *seq == still.seq) {
        return texture;
    }
    let pixels = egui::ColorImage::from_rgba_unmultiplied([still.width as usize, still.height as usize], &still.rgba);
    let texture = ui.ctx().load_texture("area-still", pixels, TextureOptions::LINEAR);
    ui.data_mut(|d| d.insert_temp(id, (still.seq, texture.clone())));
    texture
}

/// The rectangle between two corners (fractions of the picture) in the screen's pixels, its
/// corners on even pixels (I420 halves the colour planes).
fn pixels(a: egui::Vec2, b: egui::Vec2, (w, h): (u32, u32)) -> (u32, u32, u32, u32) {
    let to = |f: f32, size: u32| ((f * size as f32).round() as u32).min(size) & !1;
    let (x0, x1) = (to(a.x.min(b.x), w), to(a.x.max(b.x), w));
    let (y0, y1) = (to(a.y.min(b.y), h), to(a.y.max(b.y), h));
    (x0, y0, x1 - x0, y1 - y0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drag_maps_onto_the_screens_pixels_on_even_corners() {
        let px = pixels(egui::vec2(0.75, 0.5), egui::vec2(0.25, 0.1), (1280, 720));
        assert_eq!(px, (320, 72, 640, 288));
        // Beyond the picture: clamped to it.
        assert_eq!(pixels(egui::vec2(0.0, 0.0), egui::vec2(1.0, 1.0), (641, 481)), (0, 0, 640, 480));
    }
}
