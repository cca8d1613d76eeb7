//! Frame timing for the window benchmark and tests (`benches/window.sh`, `tests/window_budget.rs`):
//! when each frame started (wall clock, to line up with what the benchmark did to the window:
//! launch, record, hide), its CPU time as eframe measures it (the window's thread only: the
//! graphics driver's own threads are not in it), and whether a recording was going on; written
//! as JSON when the window closes. Off unless `MEDIARECORDER_FRAME_LOG` names a file.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::RecordingState;

/// Frames kept: at least 30 minutes at the window's 20 frames a second.
const MAX_FRAMES: usize = 36_000;

/// Collected frame timings.
pub struct FrameLog {
    path: PathBuf,
    first_frame_start_unix_ms: Option<f64>,
    first_frame_drawn_unix_ms: Option<f64>,
    /// (start of the frame, unix ms; eframe's CPU time of the frame before, ms; recording).
    frames: Vec<(f64, Option<f32>, bool)>,
}

impl FrameLog {
    pub fn new(path: PathBuf) -> FrameLog {
        FrameLog { path, first_frame_start_unix_ms: None, first_frame_drawn_unix_ms: None, frames: Vec::new() }
    }

    /// Called at the start of each frame with eframe's CPU time of the previous one.
    pub fn frame(&mut self, previous_cpu_s: Option<f32>, state: RecordingState) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64() * 1000.0;
        let start = *self.first_frame_start_unix_ms.get_or_insert(now);
        if let (None, Some(cpu), true) = (self.first_frame_drawn_unix_ms, previous_cpu_s, self.frames.len() == 1) {
            self.first_frame_drawn_unix_ms = Some(start + f64::from(cpu) * 1000.0);
        }
        if self.frames.len() < MAX_FRAMES {
            self.frames.push((now, previous_cpu_s.map(|s| s * 1000.0), state != RecordingState::Inactive));
        }
    }

    /// Writes `{"first_frame_unix_ms": …, "frames": [[unix_ms, cpu_ms_of_the_frame_before, recording], …]}`.
    pub fn write(self) -> std::io::Result<()> {
        let json = serde_json::json!({
            "first_frame_unix_ms": self.first_frame_drawn_unix_ms,
            "frames": self.frames,
        });
        std::fs::write(&self.path, json.to_string())
    }
}
