//! Screen capture on X11 (works for real under Xvfb): `screen:N` is screen N of the display in
//! `$DISPLAY`, read with `GetImage` at the requested rate (`screen:0?fps=15`; default 30) and
//! converted to I420 (BT.601, limited range), cropped to even width and height.

use std::sync::Arc;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, ImageFormat, ImageOrder};
use x11rb::rust_connection::RustConnection;

use super::pacing::Pacer;
use crate::error::RecorderError;
use crate::media::{packed_to_i420, MediaStreamTrack, PackedLayout, TrackKind, TrackSource, VideoFrame};

/// Device ids of screens start with this.
pub const SCREEN_PREFIX: &str = "screen:";

/// A parsed `screen:N[?fps=F]` id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenSpec {
    /// The X screen number.
    pub screen: usize,
    /// Frames per second (1–60).
    pub fps: u32,
}

impl ScreenSpec {
    /// `None` when `id` is not a screen id; `Some(Err)` for a screen id with bad parameters.
    pub fn parse(id: &str) -> Option<Result<ScreenSpec, RecorderError>> {
        let rest = id.strip_prefix(SCREEN_PREFIX)?;
        let bad = || RecorderError::NotFound(format!("bad screen id \"{id}\" (screen:0 or screen:0?fps=15)"));
        let (number, query) = rest.split_once('?').unwrap_or((rest, ""));
        let Ok(screen) = number.parse() else { return Some(Err(bad())) };
        let mut spec = ScreenSpec { screen, fps: 30 };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=').map(|(k, v)| (k, v.parse::<u32>())) {
                Some(("fps", Ok(fps))) if (1..=60).contains(&fps) => spec.fps = fps,
                _ => return Some(Err(bad())),
            }
        }
        Some(Ok(spec))
    }
}

/// The screens of the display in `$DISPLAY`: `(id, label)`; none without a display.
pub(super) fn list() -> Vec<(String, String)> {
    let Ok((conn, _)) = x11rb::connect(None) else { return Vec::new() };
    conn.setup()
        .roots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                format!("{SCREEN_PREFIX}{i}"),
                format!("{} {} ({}×{})", super::labels::SCREEN, i + 1, s.width_in_pixels, s.height_in_pixels),
            )
        })
        .collect()
}

/// Opens a screen as a live video track.
pub(super) fn open(spec: ScreenSpec) -> Result<MediaStreamTrack, RecorderError> {
    let (conn, _) = x11rb::connect(None)
        .map_err(|e| RecorderError::NotFound(format!("no X display to capture ({e}); is $DISPLAY set?")))?;
    let screen = conn
        .setup()
        .roots
        .get(spec.screen)
        .ok_or_else(|| RecorderError::NotFound(format!("the display has no screen {}", spec.screen)))?;
    let (root, w, h) = (screen.root, screen.width_in_pixels, screen.height_in_pixels);
    let depth = screen.root_depth;
    // 24-bit colour in 32-bit pixels, least significant byte first (B, G, R, x): what Xorg and
    // Xvfb use on every little-endian machine.
    let bpp = conn.setup().pixmap_formats.iter().find(|f| f.depth == depth).map(|f| f.bits_per_pixel);
    if depth < 24 || bpp != Some(32) || conn.setup().image_byte_order != ImageOrder::LSB_FIRST {
        return Err(RecorderError::NotSupported(format!(
            "screen {} has {depth}-bit colour in {bpp:?}-bit pixels; only 24-bit colour in 32-bit pixels is captured",
            spec.screen
        )));
    }
    let (width, height) = (u32::from(w) & !1, u32::from(h) & !1);
    let source = TrackSource::new();
    let thread_source = Arc::clone(&source);
    let thread = std::thread::Builder::new()
        .name("source:screen".into())
        .spawn(move || run(&conn, root, (w, h), (width, height), spec.fps, &thread_source))
        .map_err(|e| RecorderError::os("cannot start the screen capture thread", e))?;
    let label = format!("{} {} ({width}×{height}, {} fps)", super::labels::SCREEN, spec.screen + 1, spec.fps);
    let id = format!("{SCREEN_PREFIX}{}?fps={}", spec.screen, spec.fps);
    Ok(MediaStreamTrack::new(TrackKind::Video, label, id, 0, Some(spec.fps), source, thread))
}

/// Grabs the screen on the pacer's deadlines; a grab that overruns skips the frames it missed
/// (counted).
fn run(
    conn: &RustConnection,
    root: u32,
    (w, h): (u16, u16),
    (width, height): (u32, u32),
    fps: u32,
    source: &TrackSource,
) {
    let mut pacer = Pacer::new(fps);
    while !source.is_ended() {
        // Stamped with its slot on the grid, not the moment the grab began: the pacer starts a
        // grab within one period of its slot or skips it, so the frame is that slot's, and frames
        // stay evenly spaced. Stamping the grab's start let a late grab and the next punctual one
        // land 5 ms apart, which players (ffmpeg among them) read as two frames in one slot.
        let (_, slot_ns) = pacer.next(source);
        let image = conn.get_image(ImageFormat::Z_PIXMAP, root, 0, 0, w, h, !0).map_err(|e| e.to_string());
        let reply = image.and_then(|cookie| cookie.reply().map_err(|e| e.to_string()));
        match reply {
            Ok(reply) => {
                let data = bgrx_to_i420(&reply.data, usize::from(w), width, height);
                source.deliver_video(VideoFrame { pts_ns: slot_ns, width, height, data: data.into() });
            }
            Err(e) => {
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
    fn screen_ids_parse() {
        assert_eq!(ScreenSpec::parse("screen:0").unwrap().unwrap(), ScreenSpec { screen: 0, fps: 30 });
        assert_eq!(ScreenSpec::parse("screen:1?fps=15").unwrap().unwrap(), ScreenSpec { screen: 1, fps: 15 });
        assert!(ScreenSpec::parse("screen:x").unwrap().is_err());
        assert!(ScreenSpec::parse("screen:0?fps=0").unwrap().is_err());
        assert!(ScreenSpec::parse("screen:0?size=2").unwrap().is_err());
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
