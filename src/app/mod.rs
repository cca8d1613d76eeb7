//! The desktop app: an eframe window over the engine. The window ([`RecorderApp`]) holds only
//! [`AppState`] and a [`Controller`] handle; the controller thread does the work.

mod controller;
pub mod fonts;
mod frame_log;
mod mailbox;
mod meter;
mod playback;
mod priority;
mod recordings;
pub mod redraw;
mod save;
pub mod state;
mod thumbnail;
mod ui;
#[cfg(target_os = "linux")]
mod visibility;

use std::sync::Arc;

pub use controller::{Controller, ControllerConfig};
pub use redraw::Redraw;
pub use state::{AppState, Command, Update};
pub use ui::{main_ui, main_ui_on_cleared};

/// The app icon (`assets/icons/256x256.png`, rendered from `assets/mediarecorder.svg`).
const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/256x256.png");

/// The window.
pub struct RecorderApp {
    state: AppState,
    controller: Controller,
    redraw: Arc<Redraw>,
    #[cfg(target_os = "linux")]
    visibility: Option<visibility::VisibilityWatcher>,
    frame_log: Option<frame_log::FrameLog>,
}

impl RecorderApp {
    /// A window driving a new controller; the controller wakes `ctx` when it has news.
    ///
    /// # Errors
    /// When the controller thread cannot start.
    pub fn new(ctx: &egui::Context, config: ControllerConfig) -> std::io::Result<RecorderApp> {
        let redraw = Arc::new(Redraw::default());
        let controller = Controller::spawn(config, Arc::clone(&redraw))?;
        Ok(RecorderApp::with_controller(ctx, controller, redraw))
    }

    /// The window over a controller already running, which asks `redraw` for frames.
    fn with_controller(ctx: &egui::Context, controller: Controller, redraw: Arc<Redraw>) -> RecorderApp {
        redraw.attach(ctx);
        // In English: a window that cannot draw Chinese cannot show the Chinese message either.
        let font_problem = fonts::install(ctx, crate::i18n::language()).err();
        let state = AppState { error: font_problem, ..AppState::default() };
        RecorderApp {
            state,
            controller,
            redraw,
            #[cfg(target_os = "linux")]
            visibility: None,
            frame_log: None,
        }
    }

    /// Stops drawing (and making the live values) while `window` cannot be seen: unmapped,
    /// minimised or covered (see [`visibility`]). Only X11 windows are watched: a Wayland
    /// compositor stops asking for frames by itself.
    #[cfg(target_os = "linux")]
    fn watch_visibility(&mut self, window: &impl raw_window_handle::HasWindowHandle) {
        use raw_window_handle::RawWindowHandle;
        let xid = match window.window_handle().map(|h| h.as_raw()) {
            Ok(RawWindowHandle::Xlib(h)) => h.window as u32,
            Ok(RawWindowHandle::Xcb(h)) => h.window.get(),
            _ => return,
        };
        let redraw = Arc::clone(&self.redraw);
        match visibility::VisibilityWatcher::start(xid, move |hidden| redraw.set_hidden(hidden)) {
            Ok(watcher) => self.visibility = Some(watcher),
            // Drawn while hidden, as before: costly, not wrong.
            Err(e) => eprintln!("mediarecorder: cannot watch whether the window is shown: {e}"),
        }
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
        // A frame may run the UI twice (egui discards a pass whose layout changed): it is one
        // frame painted.
        if ui.ctx().current_pass_index() == 0 {
            self.redraw.frame_started();
            if let Some(log) = &mut self.frame_log {
                log.frame(frame.info().cpu_usage, self.state.recording_state);
            }
        }
        // Ctrl+Q closes the window (the controller then finishes any recording).
        if ui.ctx().input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Q)) {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        for command in main_ui_on_cleared(ui, &mut self.state) {
            if let Err(e) = self.controller.send(command) {
                self.state.error = Some(e);
            }
        }
    }

    /// The panels' colour: they are drawn unfilled over it (see [`main_ui_on_cleared`]).
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        visuals.panel_fill.to_normalized_gamma_f32()
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Some(log) = self.frame_log.take() {
            if let Err(e) = log.write() {
                eprintln!("mediarecorder: cannot write the frame log: {e}");
            }
        }
    }
}

/// The window's options: 900×680 (800×600 at least), the app icon, the system's theme, drawn
/// with OpenGL (glow). Measured here on Mesa's software rasteriser (no GPU), whole process
/// while recording: wgpu (Vulkan on lavapipe) cost about 80 ms of CPU a frame, glow about 12
/// (7 with the panels unfilled); on a GPU both are cheap. `MEDIARECORDER_RENDERER=wgpu` picks
/// wgpu for a machine whose OpenGL is broken.
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
    let renderer =
        std::env::var("MEDIARECORDER_RENDERER").ok().and_then(|r| r.parse().ok()).unwrap_or(eframe::Renderer::Glow);
    eframe::NativeOptions { viewport, renderer, ..Default::default() }
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
    // The controller (and the recorder threads it starts) first, at the priority it was given;
    // then this thread, and the renderer threads the graphics driver starts from it, give way to
    // them whenever the machine is short of CPU (see `priority`).
    let redraw = Arc::new(Redraw::default());
    let controller =
        Controller::spawn(config, Arc::clone(&redraw)).map_err(|e| eframe::Error::AppCreation(Box::new(e)))?;
    priority::give_way_to_recording();
    eframe::run_native(
        "MediaRecorder",
        native_options(),
        Box::new(move |cc| {
            #[allow(unused_mut)] // only Linux watches the window
            let mut app = RecorderApp::with_controller(&cc.egui_ctx, controller, redraw);
            #[cfg(target_os = "linux")]
            app.watch_visibility(cc);
            Ok(Box::new(match frame_log {
                Some(path) => app.log_frames_to(path),
                None => app,
            }))
        }),
    )
}
