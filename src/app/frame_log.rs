//! Frame timing for the window benchmark (`benches/window.sh`): when the first frame was drawn
//! (wall clock, to compare with the launch time: the first frame's start plus its own CPU time,
//! which eframe reports at the next frame) and each frame's CPU time, written as JSON when the
//! window closes. Off unless `MEDIARECORDER_FRAME_LOG` names a file.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::RecordingState;

/// Frames kept: about 30 minutes at the meter's 20 frames a second.
const MAX_FRAMES: usize = 36_000;

/// Collected frame timings.
pub struct FrameLog {
    path: PathBuf,
    first_frame_start_unix_ms: Option<f64>,
    first_frame_drawn_unix_ms: Option<f64>,
    /// (CPU time of the frame in ms, whether recording was going on).
    frames: Vec<(f32, bool)>,
}

impl FrameLog {
    pub fn new(path: PathBuf) -> FrameLog {
        FrameLog { path, first_frame_start_unix_ms: None, first_frame_drawn_unix_ms: None, frames: Vec::new() }
    }

    /// Called at the start of each frame with eframe's CPU time of the previous one.
    pub fn frame(&mut self, previous_cpu_s: Option<f32>, state: RecordingState) {
        let Some(start) = self.first_frame_start_unix_ms else {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
            self.first_frame_start_unix_ms = Some(now.as_secs_f64() * 1000.0);
            return;
        };
        if let Some(cpu) = previous_cpu_s {
            if self.first_frame_drawn_unix_ms.is_none() {
                self.first_frame_drawn_unix_ms = Some(start + f64::from(cpu) * 1000.0);
            }
            if self.frames.len() < MAX_FRAMES {
                self.frames.push((cpu * 1000.0, state != RecordingState::Inactive));
            }
        }
    }

    /// Writes `{"first_frame_unix_ms": …, "frames": [[ms, recording], …]}`.
    pub fn write(self) -> std::io::Result<()> {
        let json = serde_json::json!({
            "first_frame_unix_ms": self.first_frame_drawn_unix_ms,
            "frames": self.frames,
        });
        std::fs::write(&self.path, json.to_string())
    }
}
