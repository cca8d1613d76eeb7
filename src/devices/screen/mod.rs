//! Screen capture on X11 (works for real under Xvfb), read with `GetImage` at the requested rate
//! and converted to I420 (BT.601, limited range), cropped to even width and height:
//! - `screen:N` is screen N of the display in `$DISPLAY`; `screen:0?x=&y=&w=&h=` an area of it;
//! - `window:0x…` a window (listed with its title), followed as it moves, ended when it closes;
//! - the pointer is drawn in (XFixes), unless `cursor=hidden`; `fps=F` sets the rate (default 30).

mod grab;
pub(crate) mod portal;

use std::sync::Arc;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{Atom, AtomEnum, ConnectionExt, ImageOrder, MapState, Window, WindowClass};
use x11rb::rust_connection::RustConnection;

use self::grab::{grab, GrabError, Target};
use super::pacing::Pacer;
use crate::error::RecorderError;
use crate::media::{packed_to_i420, MediaStreamTrack, PackedLayout, TrackKind, TrackSource, VideoFrame};

/// Device ids of screens start with this.
pub const SCREEN_PREFIX: &str = "screen:";
/// Device ids of windows start with this (then the X window id in hex: `window:0x1e00007`).
pub const WINDOW_PREFIX: &str = "window:";

/// What a screen or window id asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenTarget {
    /// A whole X screen (by number), or an area of it: `(x, y, width, height)`.
    Screen {
        /// The X screen number.
        screen: usize,
        /// Only this rectangle of it.
        area: Option<(u16, u16, u16, u16)>,
    },
    /// A window, by its X id.
    Window(u32),
}

/// A parsed `screen:N[?…]` or `window:0x…[?…]` id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenSpec {
    /// What is captured.
    pub target: ScreenTarget,
    /// Frames per second (1–60).
    pub fps: u32,
    /// The pointer is drawn in (`cursor=hidden` leaves it out).
    pub cursor: bool,
}

impl ScreenSpec {
    /// `None` when `id` is not a screen or window id; `Some(Err)` for one with bad parameters.
    pub fn parse(id: &str) -> Option<Result<ScreenSpec, RecorderError>> {
        let (kind, rest) = match (id.strip_prefix(SCREEN_PREFIX), id.strip_prefix(WINDOW_PREFIX)) {
            (Some(rest), _) => (SCREEN_PREFIX, rest),
            (_, Some(rest)) => (WINDOW_PREFIX, rest),
            _ => return None,
        };
        let bad = || {
            RecorderError::NotFound(format!(
                "bad screen id \"{id}\" (screen:0, screen:0?x=0&y=0&w=640&h=480, window:0x1e00007; fps=15, cursor=hidden)"
            ))
        };
        let (name, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut target = if kind == SCREEN_PREFIX {
            let Ok(screen) = name.parse() else { return Some(Err(bad())) };
            ScreenTarget::Screen { screen, area: None }
        } else {
            let hex = name.strip_prefix("0x").unwrap_or(name);
            let Ok(window) = u32::from_str_radix(hex, 16) else { return Some(Err(bad())) };
            ScreenTarget::Window(window)
        };
        let mut spec = ScreenSpec { target, fps: 30, cursor: true };
        let mut area = [None::<u16>; 4];
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let Some((key, value)) = pair.split_once('=') else { return Some(Err(bad())) };
            let number = value.parse::<u16>().ok();
            match (key, number) {
                ("fps", Some(fps)) if (1..=60).contains(&fps) => spec.fps = u32::from(fps),
                ("x", Some(n)) => area[0] = Some(n),
                ("y", Some(n)) => area[1] = Some(n),
                ("w", Some(n)) if n >= 2 => area[2] = Some(n),
                ("h", Some(n)) if n >= 2 => area[3] = Some(n),
                ("cursor", None) if value == "hidden" => spec.cursor = false,
                ("cursor", None) if value == "embedded" => spec.cursor = true,
                _ => return Some(Err(bad())),
            }
        }
        match (&mut target, area) {
            (_, [None, None, None, None]) => {}
            (ScreenTarget::Screen { area: a, .. }, [Some(x), Some(y), Some(w), Some(h)]) => *a = Some((x, y, w, h)),
            // An area needs all four, and only a screen has one.
            _ => return Some(Err(bad())),
        }
        spec.target = target;
        Some(Ok(spec))
    }
}

impl ScreenSpec {
    /// The id that asks for this spec (what `parse` reads back).
    pub fn device_id(&self) -> String {
        let cursor = if self.cursor { "" } else { "&cursor=hidden" };
        match self.target {
            ScreenTarget::Screen { screen, area: None } => format!("{SCREEN_PREFIX}{screen}?fps={}{cursor}", self.fps),
            ScreenTarget::Screen { screen, area: Some((x, y, w, h)) } => {
                format!("{SCREEN_PREFIX}{screen}?fps={}&x={x}&y={y}&w={w}&h={h}{cursor}", self.fps)
            }
            ScreenTarget::Window(window) => format!("{WINDOW_PREFIX}{window:#x}?fps={}{cursor}", self.fps),
        }
    }
}

/// The screens of the display in `$DISPLAY`, then its windows with their titles: `(id, label)`;
/// none without a display.
pub(super) fn list() -> Vec<(String, String)> {
    let Ok((conn, _)) = x11rb::connect(None) else { return Vec::new() };
    let mut out: Vec<(String, String)> = conn
        .setup()
        .roots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                format!("{SCREEN_PREFIX}{i}"),
                format!("{} {} ({}×{})", super::labels::SCREEN, i + 1, s.width_in_pixels, s.height_in_pixels),
            )
        })
        .collect();
    for root in conn.setup().roots.iter().map(|s| s.root) {
        out.extend(
            windows(&conn, root)
                .into_iter()
                .map(|(w, title)| (format!("{WINDOW_PREFIX}{w:#x}"), format!("{}: {title}", super::labels::WINDOW))),
        );
    }
    out
}

/// The windows people would pick, with their titles: the window manager's list
/// (`_NET_CLIENT_LIST`), or without one the top-level windows shown with a name.
fn windows(conn: &RustConnection, root: Window) -> Vec<(Window, String)> {
    let atom = |name: &str| -> Option<Atom> { Some(conn.intern_atom(false, name.as_bytes()).ok()?.reply().ok()?.atom) };
    let (Some(client_list), Some(net_wm_name), Some(utf8)) =
        (atom("_NET_CLIENT_LIST"), atom("_NET_WM_NAME"), atom("UTF8_STRING"))
    else {
        return Vec::new();
    };
    let property = |window: Window, name: Atom, kind: Atom| -> Option<Vec<u8>> {
        let reply = conn.get_property(false, window, name, kind, 0, 1024).ok()?.reply().ok()?;
        (reply.format != 0).then_some(reply.value)
    };
    let listed: Option<Vec<Window>> = property(root, client_list, AtomEnum::WINDOW.into())
        .map(|v| v.chunks_exact(4).map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]])).collect());
    let candidates = match listed {
        Some(list) => list,
        None => conn.query_tree(root).ok().and_then(|c| c.reply().ok()).map(|t| t.children).unwrap_or_default(),
    };
    candidates
        .into_iter()
        .filter(|&w| {
            let attributes = conn.get_window_attributes(w).ok().and_then(|c| c.reply().ok());
            attributes.is_some_and(|a| a.map_state == MapState::VIEWABLE && a.class == WindowClass::INPUT_OUTPUT)
        })
        .filter_map(|w| {
            let title = property(w, net_wm_name, utf8)
                .or_else(|| property(w, AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()))?;
            let title = String::from_utf8_lossy(&title).trim().to_owned();
            (!title.is_empty()).then_some((w, title))
        })
        .collect()
}

/// Opens a screen, an area of one, or a window as a live video track.
pub(super) fn open(spec: ScreenSpec) -> Result<MediaStreamTrack, RecorderError> {
    let (conn, _) = x11rb::connect(None)
        .map_err(|e| RecorderError::NotFound(format!("no X display to capture ({e}); is $DISPLAY set?")))?;
    let (target, label, id) = target(&conn, spec)?;
    let (w, h) = target.size();
    let (width, height) = (u32::from(w) & !1, u32::from(h) & !1);
    if width == 0 || height == 0 {
        return Err(RecorderError::NotSupported(format!("{label} is too small to record")));
    }
    // Asked once: XFixes answers only clients that said which version they speak.
    let cursor = spec.cursor && grab::cursor_supported(&conn);
    let source = TrackSource::new();
    let thread_source = Arc::clone(&source);
    let thread = std::thread::Builder::new()
        .name("source:screen".into())
        .spawn(move || run(&conn, target, cursor, (width, height), spec.fps, &thread_source))
        .map_err(|e| RecorderError::os("cannot start the screen capture thread", e))?;
    let label = format!("{label} ({width}×{height}, {} fps)", spec.fps);
    Ok(MediaStreamTrack::new(TrackKind::Video, label, id, 0, Some(spec.fps), source, thread))
}

/// What `spec` names on this display, with its label (without size and rate) and canonical id.
fn target(conn: &RustConnection, spec: ScreenSpec) -> Result<(Target, String, String), RecorderError> {
    let query = |area: &str| {
        let cursor = if spec.cursor { "" } else { "&cursor=hidden" };
        format!("?fps={}{area}{cursor}", spec.fps)
    };
    match spec.target {
        ScreenTarget::Screen { screen: n, area } => {
            let screen = conn
                .setup()
                .roots
                .get(n)
                .ok_or_else(|| RecorderError::NotFound(format!("the display has no screen {n}")))?;
            check_pixels(conn, screen.root_depth, &format!("screen {n}"))?;
            let (sw, sh) = (screen.width_in_pixels, screen.height_in_pixels);
            let label = format!("{} {}", super::labels::SCREEN, n + 1);
            let Some((x, y, w, h)) = area else {
                let target = Target::Area { root: screen.root, x: 0, y: 0, w: sw, h: sh };
                return Ok((target, label, format!("{SCREEN_PREFIX}{n}{}", query(""))));
            };
            if u32::from(x) + u32::from(w) > u32::from(sw) || u32::from(y) + u32::from(h) > u32::from(sh) {
                return Err(RecorderError::NotFound(format!(
                    "the area {w}×{h} at ({x}, {y}) is not inside screen {n} ({sw}×{sh})"
                )));
            }
            let (xs, ys) = (i16::try_from(x).unwrap_or(i16::MAX), i16::try_from(y).unwrap_or(i16::MAX));
            let target = Target::Area { root: screen.root, x: xs, y: ys, w, h };
            let id = format!("{SCREEN_PREFIX}{n}{}", query(&format!("&x={x}&y={y}&w={w}&h={h}")));
            Ok((target, format!("{label}, {w}×{h} at ({x}, {y})"), id))
        }
        ScreenTarget::Window(window) => {
            let missing = || RecorderError::NotFound(format!("no window {window:#x} on this display"));
            let geometry = conn.get_geometry(window).map_err(|_| missing())?.reply().map_err(|_| missing())?;
            check_pixels(conn, geometry.depth, &format!("window {window:#x}"))?;
            let root = geometry.root;
            let title = windows(conn, root)
                .into_iter()
                .find(|(w, _)| *w == window)
                .map_or_else(|| format!("{window:#x}"), |(_, t)| t);
            let target = Target::Window { window, root, w: geometry.width, h: geometry.height };
            let id = format!("{WINDOW_PREFIX}{window:#x}{}", query(""));
            Ok((target, format!("{}: {title}", super::labels::WINDOW), id))
        }
    }
}

/// 24-bit colour in 32-bit pixels, least significant byte first (B, G, R, x): what Xorg and Xvfb
/// use on every little-endian machine, and all that is converted.
fn check_pixels(conn: &RustConnection, depth: u8, what: &str) -> Result<(), RecorderError> {
    let bpp = conn.setup().pixmap_formats.iter().find(|f| f.depth == depth).map(|f| f.bits_per_pixel);
    if depth < 24 || bpp != Some(32) || conn.setup().image_byte_order != ImageOrder::LSB_FIRST {
        return Err(RecorderError::NotSupported(format!(
            "{what} has {depth}-bit colour in {bpp:?}-bit pixels; only 24-bit colour in 32-bit pixels is captured"
        )));
    }
    Ok(())
}

/// Grabs on the pacer's deadlines; a grab that overruns skips the frames it missed (counted).
fn run(
    conn: &RustConnection,
    target: Target,
    cursor: bool,
    (width, height): (u32, u32),
    fps: u32,
    source: &TrackSource,
) {
    let mut pacer = Pacer::new(fps);
    let stride = usize::from(target.size().0);
    while !source.is_ended() {
        // Stamped with its slot on the grid, not the moment the grab began: the pacer starts a
        // grab within one period of its slot or skips it, so the frame is that slot's, and frames
        // stay evenly spaced. Stamping the grab's start let a late grab and the next punctual one
        // land 5 ms apart, which players (ffmpeg among them) read as two frames in one slot.
        let (_, slot_ns) = pacer.next(source);
        match grab(conn, target, cursor) {
            Ok(pixels) => {
                let data = bgrx_to_i420(&pixels, stride, width, height);
                source.deliver_video(VideoFrame { pts_ns: slot_ns, width, height, data: data.into() });
            }
            Err(GrabError::WindowGone) => {
                source.end(Some("the window was closed".into()));
                return;
            }
            Err(GrabError::Display(e)) => {
                source.end(Some(format!("the X display stopped answering ({e})")));
                return;
            }
        }
    }
}

/// BT.601 limited-range I420 from 32-bit B, G, R, x pixels (`stride` pixels a row), cropped to
/// `width`×`height` (even).
pub fn bgrx_to_i420(bgrx: &[u8], stride: usize, width: u32, height: u32) -> Vec<u8> {
    packed_to_i420(bgrx, PackedLayout { bytes_per_pixel: 4, rgb_offsets: [2, 1, 0], stride }, width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_and_window_ids_parse() {
        let screen = |n, area| ScreenTarget::Screen { screen: n, area };
        let parse = |id: &str| ScreenSpec::parse(id).unwrap().unwrap();
        assert_eq!(parse("screen:0"), ScreenSpec { target: screen(0, None), fps: 30, cursor: true });
        assert_eq!(parse("screen:1?fps=15"), ScreenSpec { target: screen(1, None), fps: 15, cursor: true });
        assert_eq!(
            parse("screen:0?x=10&y=20&w=320&h=240&cursor=hidden"),
            ScreenSpec { target: screen(0, Some((10, 20, 320, 240))), fps: 30, cursor: false }
        );
        assert_eq!(parse("window:0x1e00007").target, ScreenTarget::Window(0x1e0_0007));
        assert_eq!(parse("window:1e00007?fps=10").fps, 10);
        for bad in [
            "screen:x",
            "screen:0?fps=0",
            "screen:0?size=2",
            "screen:0?x=1&y=2&w=3",
            "screen:0?cursor=maybe",
            "window:0xzz",
            "window:0x10?x=0&y=0&w=2&h=2",
        ] {
            assert!(ScreenSpec::parse(bad).unwrap().is_err(), "{bad}");
        }
        assert!(ScreenSpec::parse("test:pattern").is_none());
    }

    #[test]
    fn colours_convert_to_bt601_limited_range() {
        // 2×2 pixels: white, black, red, blue (B, G, R, x), one row of padding in the stride.
        let px = [[255, 255, 255, 0], [0, 0, 0, 0], [0, 0, 255, 0], [255, 0, 0, 0]];
        let mut bgrx = Vec::new();
        bgrx.extend(px[0].iter().chain(&px[1]).chain(&[9, 9, 9, 0]));
        bgrx.extend(px[2].iter().chain(&px[3]).chain(&[9, 9, 9, 0]));
        let i420 = bgrx_to_i420(&bgrx, 3, 2, 2);
        assert_eq!(&i420[..4], &[235, 16, 82, 41]);
        // Chroma of the mean colour of the four, (128, 64, 128) in R, G, B.
        assert_eq!(&i420[4..], &[147, 152]);
    }
}
