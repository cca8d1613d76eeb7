//! The window's rendering budget. On a machine without a GPU every frame is rasterised on the CPU
//! (Mesa's llvmpipe: about 7 ms of CPU for this window's frame here), CPU the recording needs;
//! so the window draws only when it has news, at most [`Level::fps`] frames a second, and not at
//! all while it cannot be seen. The controller publishes the live values (level, picture,
//! timer) at that same rate and lowers it, with the preview's size, when the machine runs short
//! of CPU ([`Governor`]): the window gives way before the recording does.
//!
//! Shared by the controller thread (which asks for frames and sets the level), the window (which
//! notes each frame) and the visibility watcher (which says when the window is hidden).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How fast the window may draw, and how big the preview picture is, at one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// Frames a second at most (and live values published a second).
    pub fps: u32,
    /// The preview picture's largest size.
    pub preview: (u32, u32),
}

/// The levels, best first. The top one is the meter's own rate (a reading every 50 ms):
/// drawing faster would show nothing new.
pub const LEVELS: [Level; 4] = [
    Level { fps: 20, preview: (320, 240) },
    Level { fps: 15, preview: (320, 240) },
    Level { fps: 10, preview: (240, 180) },
    Level { fps: 5, preview: (160, 120) },
];

/// The budget, shared between threads.
pub struct Redraw {
    ctx: OnceLock<egui::Context>,
    epoch: Instant,
    hidden: AtomicBool,
    level: AtomicUsize,
    /// When the last frame started, µs since `epoch` (0: none yet).
    last_frame_us: AtomicU64,
    /// When the last frame asked for is due, µs since `epoch` (0: none yet).
    asked_us: AtomicU64,
}

impl Default for Redraw {
    fn default() -> Redraw {
        Redraw {
            ctx: OnceLock::new(),
            epoch: Instant::now(),
            hidden: AtomicBool::new(false),
            level: AtomicUsize::new(0),
            last_frame_us: AtomicU64::new(0),
            asked_us: AtomicU64::new(0),
        }
    }
}

impl Redraw {
    /// The window to wake (once; frames asked for before go to nothing, as there is no window).
    pub fn attach(&self, ctx: &egui::Context) {
        let _already = self.ctx.set(ctx.clone());
    }

    /// Asks for a frame to show news: a frame already asked for and still to come shows it;
    /// else one a frame interval after the last (at once if that is past). None while hidden.
    pub fn request(&self) {
        if self.is_hidden() {
            return;
        }
        let Some(ctx) = self.ctx.get() else { return };
        let now = self.now_us();
        let asked = self.asked_us.load(Ordering::Relaxed);
        if asked > now {
            return;
        }
        // Spaced from the frame asked for last as well as from the last one started: a frame
        // that started late (the window's thread gives way) may not have noted its start yet.
        let interval = self.interval().as_micros() as u64;
        let after = |t: u64| if t == 0 { 0 } else { t + interval };
        let due = now.max(after(asked)).max(after(self.last_frame_us.load(Ordering::Relaxed)));
        self.asked_us.store(due, Ordering::Relaxed);
        // Never zero: egui answers a zero delay with two frames ("to let things settle").
        ctx.request_repaint_after(Duration::from_micros((due - now).max(1)));
    }

    /// The window calls this as each frame starts.
    pub fn frame_started(&self) {
        self.last_frame_us.store(self.now_us().max(1), Ordering::Relaxed);
    }

    /// Whether the window can be seen; on showing again it is drawn at once (whatever waited).
    pub fn set_hidden(&self, hidden: bool) {
        if self.hidden.swap(hidden, Ordering::Relaxed) && !hidden {
            if let Some(ctx) = self.ctx.get() {
                ctx.request_repaint();
            }
        }
    }

    /// Nothing drawn would be seen: live values need not be made either.
    pub fn is_hidden(&self) -> bool {
        self.hidden.load(Ordering::Relaxed)
    }

    /// The level in force.
    pub fn level(&self) -> Level {
        LEVELS[self.level_index()]
    }

    /// Its index in [`LEVELS`].
    pub fn level_index(&self) -> usize {
        self.level.load(Ordering::Relaxed).min(LEVELS.len() - 1)
    }

    /// Sets the level (an index in [`LEVELS`]).
    pub fn set_level(&self, index: usize) {
        self.level.store(index.min(LEVELS.len() - 1), Ordering::Relaxed);
    }

    /// The shortest time between two frames at the level in force.
    pub fn interval(&self) -> Duration {
        Duration::from_micros(1_000_000 / u64::from(self.level().fps))
    }

    fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }
}

/// Idle CPU at or under which the machine is short: the window steps down a level (a second at a
/// time). A quarter of a core is what the recorder's encoder needs to absorb a busy moment.
pub const SHORT_IDLE_CORES: f64 = 0.25;
/// Idle CPU over which, for [`CALM_SECONDS`] in a row, the window steps back up. Well above
/// [`SHORT_IDLE_CORES`] plus a level's cost (under 0.05 of a core here), so it does not flip.
pub const PLENTY_IDLE_CORES: f64 = 0.6;
/// Seconds of plenty before stepping up.
pub const CALM_SECONDS: u32 = 3;

/// Chooses the level from what the machine has to spare, once a second.
#[derive(Debug, Default)]
pub struct Governor {
    level: usize,
    calm: u32,
}

impl Governor {
    /// One second's reading: idle CPU over it, in cores (`None`: unknown), and whether the
    /// recorder dropped a video frame in it. Returns the level to use.
    pub fn second(&mut self, idle_cores: Option<f64>, recorder_dropped: bool) -> usize {
        let bottom = LEVELS.len() - 1;
        if recorder_dropped {
            // Too late to give way gently: the recording is losing frames.
            self.level = bottom;
            self.calm = 0;
        } else if idle_cores.is_some_and(|idle| idle <= SHORT_IDLE_CORES) {
            self.level = (self.level + 1).min(bottom);
            self.calm = 0;
        } else if idle_cores.is_some_and(|idle| idle >= PLENTY_IDLE_CORES) {
            self.calm += 1;
            if self.calm >= CALM_SECONDS {
                self.level = self.level.saturating_sub(1);
                self.calm = 0;
            }
        } else {
            self.calm = 0;
        }
        self.level
    }
}

/// Idle CPU of the whole machine between readings, from `/proc/stat` (Linux).
#[derive(Debug, Default)]
pub struct IdleMeter {
    last: Option<CpuTimes>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct CpuTimes {
    idle: u64,
    total: u64,
    cpus: u32,
}

impl IdleMeter {
    /// Idle cores since the last call (`None` the first time, or where `/proc/stat` is not).
    pub fn read(&mut self) -> Option<f64> {
        let now = std::fs::read_to_string("/proc/stat").ok().and_then(|s| parse_proc_stat(&s))?;
        self.last.replace(now).and_then(|then| idle_cores(then, now))
    }
}

/// The `cpu` line's idle (idle + iowait) and total jiffies, and the number of `cpuN` lines.
fn parse_proc_stat(text: &str) -> Option<CpuTimes> {
    let mut lines = text.lines();
    let first = lines.next()?;
    let fields: Vec<u64> =
        first.strip_prefix("cpu ")?.split_whitespace().take(8).map_while(|f| f.parse().ok()).collect();
    if fields.len() < 5 {
        return None;
    }
    let cpus = lines.filter(|l| l.starts_with("cpu")).count() as u32;
    Some(CpuTimes { idle: fields[3] + fields[4], total: fields.iter().sum(), cpus: cpus.max(1) })
}

fn idle_cores(then: CpuTimes, now: CpuTimes) -> Option<f64> {
    let total = now.total.checked_sub(then.total).filter(|t| *t > 0)?;
    let idle = now.idle.checked_sub(then.idle)?;
    Some(idle as f64 / total as f64 * f64::from(now.cpus))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_machine_steps_the_window_down_a_level_a_second_and_plenty_brings_it_back_slowly() {
        let mut g = Governor::default();
        assert_eq!(g.second(Some(1.2), false), 0);
        assert_eq!(g.second(Some(0.1), false), 1);
        assert_eq!(g.second(Some(0.2), false), 2);
        assert_eq!(g.second(Some(0.0), false), 3);
        assert_eq!(g.second(Some(0.0), false), 3, "the bottom level is the floor");
        // In between: stays.
        assert_eq!(g.second(Some(0.4), false), 3);
        assert_eq!(g.second(Some(1.0), false), 3);
        assert_eq!(g.second(Some(1.0), false), 3);
        assert_eq!(g.second(Some(1.0), false), 2, "three calm seconds step up one level");
        assert_eq!(g.second(Some(1.0), false), 2);
        assert_eq!(g.second(Some(0.4), false), 2, "an ordinary second restarts the count");
        assert_eq!(g.second(Some(1.0), false), 2);
        assert_eq!(g.second(None, false), 2, "unknown idle changes nothing");
    }

    #[test]
    fn a_dropped_frame_sends_the_window_to_the_bottom_at_once() {
        let mut g = Governor::default();
        assert_eq!(g.second(Some(1.5), true), LEVELS.len() - 1);
    }

    #[test]
    fn idle_cores_come_from_the_aggregate_line_and_the_number_of_cpus() {
        let then = parse_proc_stat("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1\ncpu1 1\nintr 5\n").unwrap();
        assert_eq!(then, CpuTimes { idle: 800, total: 1000, cpus: 2 });
        // 200 jiffies later (100 on each cpu), 50 of them idle: a quarter of two cores.
        let now = CpuTimes { idle: 850, total: 1200, cpus: 2 };
        assert_eq!(idle_cores(then, now), Some(0.5));
        assert_eq!(idle_cores(now, now), None);
        assert_eq!(parse_proc_stat("nonsense"), None);
    }

    #[test]
    fn frames_are_asked_for_no_closer_than_the_level_allows() {
        let r = Redraw::default();
        assert_eq!(r.interval(), Duration::from_millis(50));
        r.set_level(3);
        assert_eq!(r.interval(), Duration::from_millis(200));
        assert_eq!(r.level().preview, (160, 120));
        r.set_level(99);
        assert_eq!(r.level_index(), LEVELS.len() - 1);
    }

    #[test]
    fn a_hidden_window_is_not_woken_and_is_drawn_when_shown_again() {
        let ctx = egui::Context::default();
        let r = Redraw::default();
        r.attach(&ctx);
        for _ in 0..10 {
            if !ctx.has_requested_repaint() {
                break;
            }
            let _settling = ctx.run_ui(egui::RawInput::default(), |_| {});
        }
        assert!(!ctx.has_requested_repaint(), "no frame asked for yet");
        r.set_hidden(true);
        r.request();
        assert!(!ctx.has_requested_repaint(), "hidden: no frame");
        r.set_hidden(false);
        assert!(ctx.has_requested_repaint(), "shown again: a frame");
    }
}
