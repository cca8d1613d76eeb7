//! The desktop app: an eframe window over the engine. The window ([`RecorderApp`]) holds only
//! [`AppState`] and a [`Controller`] handle; the controller thread does the work.

mod controller;
pub mod fonts;
mod frame_log;
mod meter;
mod playback;
mod recordings;
mod save;
pub mod state;
mod thumbnail;
mod ui;

use std::sync::Arc;

pub use controller::{Controller, ControllerConfig};
pub use state::{AppState, Command, Update};
pub use ui::main_ui;

/// The app icon (`assets/icons/256x256.png`, rendered from `assets/mediarecorder.svg`).
const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/256x256.png");

/// The window.
pub struct RecorderApp {
    state: AppState,
    controller: Controller,
    frame_log: Option<frame_log::FrameLog>,
}

impl RecorderApp {
    /// A window driving a new controller; the controller wakes `ctx` when it has news.
    ///
    /// # Errors
    /// When the controller thread cannot start.
    pub fn new(ctx: &egui::Context, config: ControllerConfig) -> std::io::Result<RecorderApp> {
        // In English: a window that cannot draw Chinese cannot show the Chinese message either.
        let font_problem = fonts::install(ctx, crate::i18n::language()).err();
        let waker = ctx.clone();
        let controller = Controller::spawn(config, move || waker.request_repaint())?;
        let state = AppState { error: font_problem, ..AppState::default() };
        Ok(RecorderApp { state, controller, frame_log: None })
    }

    /// Records when the first frame was drawn and how long each frame took, written to `path`
    /// when the window closes (for `benches/window.sh`).
    pub fn log_frames_to(mut self, path: std::path::PathBuf) -> RecorderApp {
        self.frame_log = Some(frame_log::FrameLog::new(path));
        self
    }

    /// What the window shows now.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    fn apply_updates(&mut self) {
        for update in self.controller.drain() {
            self.state.apply(update);
        }
    }
}

impl eframe::App for RecorderApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.apply_updates();
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Some(log) = &mut self.frame_log {
            log.frame(frame.info().cpu_usage, self.state.recording_state);
        }
        // Ctrl+Q closes the window (the controller then finishes any recording).
        if ui.ctx().input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Q)) {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        for command in main_ui(ui, &mut self.state) {
            if let Err(e) = self.controller.send(command) {
                self.state.error = Some(e);
            }
        }
    }

    fn on_exit(&mut self) {
        if let Some(log) = self.frame_log.take() {
            if let Err(e) = log.write() {
                eprintln!("mediarecorder: cannot write the frame log: {e}");
            }
        }
    }
}

/// The window's options: 900×680 (800×600 at least), the app icon, the system's theme.
pub fn native_options() -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("MediaRecorder")
        // The desktop entry and AppStream id (packaging/): desktops match the window to them by it.
        .with_app_id("io.github.mediarecorder.MediaRecorder")
        .with_inner_size([900.0, 680.0])
        .with_min_inner_size([800.0, 600.0]);
    if let Some(icon) = icon() {
        viewport = viewport.with_icon(Arc::new(icon));
    }
    eframe::NativeOptions { viewport, ..Default::default() }
}

fn icon() -> Option<egui::IconData> {
    let image = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png).ok()?.into_rgba8();
    let (width, height) = image.dimensions();
    Some(egui::IconData { rgba: image.into_raw(), width, height })
}

/// Opens the window and runs until it is closed; with `frame_log`, frame timings are written
/// there on exit.
///
/// # Errors
/// When no window can be opened (no display, no graphics).
pub fn run(config: ControllerConfig, frame_log: Option<std::path::PathBuf>) -> eframe::Result {
    eframe::run_native(
        "MediaRecorder",
        native_options(),
        Box::new(move |cc| {
            let app = RecorderApp::new(&cc.egui_ctx, config)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(match frame_log {
                Some(path) => app.log_frames_to(path),
                None => app,
            }))
        }),
    )
}
