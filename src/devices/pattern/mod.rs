//! The built-in video sources: `test:pattern` (moving colour bars) and `test:canvas` (an
//! animated drawing), paced in real time like a camera. Each frame carries its frame number and
//! its time since the source started, twice: as a machine-readable block code (black and white
//! cells that survive lossy encoding, read back by [`read_code`]) so drops and sync can be
//! measured from a decoded recording, and as seven-segment digits for people.
//!
//! This module is the source (ids, the paced thread); [`render`] draws the frames and [`code`]
//! writes and reads the block code.

mod code;
mod render;

use std::sync::Arc;

pub use code::read_code;
pub use render::render;

use super::pacing::Pacer;
use super::sim_clock::SimMember;
use crate::error::RecorderError;
use crate::media::{MediaStreamTrack, TrackKind, TrackSource, VideoFrame};

/// The id of the moving test pattern (`test:pattern?w=1280&h=720&fps=30`).
pub const TEST_PATTERN_ID: &str = "test:pattern";
/// The id of the animated drawing.
pub const TEST_CANVAS_ID: &str = "test:canvas";

/// Which drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawing {
    /// Colour bars sliding sideways.
    Pattern,
    /// A ball bouncing over a gradient.
    Canvas,
}

/// A parsed `test:pattern` / `test:canvas` id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternSpec {
    /// What is drawn.
    pub drawing: Drawing,
    /// Frame width (even, 128–3840).
    pub width: u32,
    /// Frame height (even, 96–2160).
    pub height: u32,
    /// Frames per second (1–60).
    pub fps: u32,
    /// Paced in real time (`realtime=0`: as fast as it is taken, on the simulated clock).
    pub realtime: bool,
    /// Ends (as a device that stops) after this many seconds of frames (`seconds=S`).
    pub seconds: Option<u32>,
}

impl PatternSpec {
    /// `None` when `id` is not a test video id; `Some(Err)` when it is one with bad parameters.
    /// Defaults: 640×480 at 30 fps, real time, endless.
    pub fn parse(id: &str) -> Option<Result<PatternSpec, RecorderError>> {
        let (drawing, rest) = if let Some(rest) = id.strip_prefix(TEST_PATTERN_ID) {
            (Drawing::Pattern, rest)
        } else {
            (Drawing::Canvas, id.strip_prefix(TEST_CANVAS_ID)?)
        };
        let query = match rest {
            "" => "",
            q => q.strip_prefix('?')?,
        };
        let mut spec = PatternSpec { drawing, width: 640, height: 480, fps: 30, realtime: true, seconds: None };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let bad = || RecorderError::NotFound(format!("bad test video parameter \"{pair}\" in \"{id}\""));
            let (key, value) = match pair.split_once('=') {
                Some((k, v)) => (k, v.parse::<u32>().ok()),
                None => return Some(Err(bad())),
            };
            match (key, value) {
                ("w", Some(w)) if (128..=3840).contains(&w) && w % 2 == 0 => spec.width = w,
                ("h", Some(h)) if (96..=2160).contains(&h) && h % 2 == 0 => spec.height = h,
                ("fps", Some(f)) if (1..=60).contains(&f) => spec.fps = f,
                ("realtime", Some(r)) if r <= 1 => spec.realtime = r == 1,
                ("seconds", Some(secs)) if secs > 0 => spec.seconds = Some(secs),
                _ => return Some(Err(bad())),
            }
        }
        Some(Ok(spec))
    }

    /// The canonical id of this spec.
    pub fn id(&self) -> String {
        let base = match self.drawing {
            Drawing::Pattern => TEST_PATTERN_ID,
            Drawing::Canvas => TEST_CANVAS_ID,
        };
        let mut id = format!("{base}?w={}&h={}&fps={}", self.width, self.height, self.fps);
        if !self.realtime {
            id.push_str("&realtime=0");
        }
        if let Some(secs) = self.seconds {
            id.push_str(&format!("&seconds={secs}"));
        }
        id
    }
}

pub(super) fn open(spec: PatternSpec) -> Result<MediaStreamTrack, RecorderError> {
    let source = TrackSource::new();
    let thread_source = Arc::clone(&source);
    let thread = std::thread::Builder::new()
        .name("source:pattern".into())
        .spawn(move || run(spec, &thread_source))
        .map_err(|e| RecorderError::os("cannot start the test video thread", e))?;
    let what = match spec.drawing {
        Drawing::Pattern => super::labels::TEST_PATTERN,
        Drawing::Canvas => super::labels::TEST_CANVAS,
    };
    let label = format!("{what} ({}×{}, {} fps)", spec.width, spec.height, spec.fps);
    Ok(MediaStreamTrack::new(TrackKind::Video, label, spec.id(), 0, Some(spec.fps), source, thread))
}

/// One frame per period (see [`Pacer`]); a skipped frame shows as a gap in the code's numbers.
/// Not in real time: each frame as soon as every listener has taken the last, on the simulated
/// clock.
fn run(spec: PatternSpec, source: &TrackSource) {
    let mut pacer = Pacer::new(spec.fps);
    let simulated = (!spec.realtime).then(SimMember::join);
    let period_ns = 1_000_000_000 / u64::from(spec.fps);
    let last = spec.seconds.map(|s| u64::from(s) * u64::from(spec.fps));
    let mut next = 0u64;
    let mut buffer = vec![0u8; VideoFrame::i420_len(spec.width, spec.height)];
    while !source.is_ended() {
        if last.is_some_and(|last| next >= last) {
            // A planned end, not a failure: no reason to report.
            source.end(None);
            break;
        }
        let (n, due) = match &simulated {
            None => pacer.next(source),
            Some(clock) => match source.ready_for_more_video().then(|| clock.time_of(next * period_ns)).flatten() {
                Some(due) => (next, due),
                None => {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    continue;
                }
            },
        };
        next = n + 1;
        let ms = n * 1000 / u64::from(spec.fps);
        render(&spec, n as u32, ms as u32, &mut buffer);
        source.deliver_video(VideoFrame {
            pts_ns: due,
            width: spec.width,
            height: spec.height,
            data: buffer.as_slice().into(),
        });
        if let Some(clock) = &simulated {
            clock.delivered(next * period_ns);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_with_defaults_and_limits() {
        let p = PatternSpec::parse("test:pattern").unwrap().unwrap();
        assert_eq!((p.drawing, p.width, p.height, p.fps), (Drawing::Pattern, 640, 480, 30));
        let c = PatternSpec::parse("test:canvas?w=1280&h=720&fps=25").unwrap().unwrap();
        assert_eq!((c.drawing, c.width, c.height, c.fps), (Drawing::Canvas, 1280, 720, 25));
        assert_eq!(c.id(), "test:canvas?w=1280&h=720&fps=25");
        assert!(c.realtime && c.seconds.is_none());
        let soak = PatternSpec::parse("test:pattern?fps=15&realtime=0&seconds=3600").unwrap().unwrap();
        assert_eq!((soak.realtime, soak.seconds), (false, Some(3600)));
        assert_eq!(soak.id(), "test:pattern?w=640&h=480&fps=15&realtime=0&seconds=3600");
        assert!(PatternSpec::parse("test:tone").is_none());
        for bad in [
            "test:pattern?w=641",
            "test:pattern?fps=0",
            "test:pattern?h=99999",
            "test:pattern?x=1",
            "test:pattern?w",
            "test:pattern?realtime=2",
            "test:pattern?seconds=0",
        ] {
            assert!(PatternSpec::parse(bad).unwrap().is_err(), "{bad}");
        }
    }
}
