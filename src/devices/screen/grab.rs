//! Grabbing one frame on X11: an area of a screen, or a window wherever it is, with the pointer
//! drawn in (XFixes' cursor image, alpha-blended at its place) unless hidden.

use x11rb::connection::RequestConnection;
use x11rb::errors::ReplyError;
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, Window};
use x11rb::rust_connection::RustConnection;

/// What is grabbed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// `w`×`h` pixels of the screen whose root window is `root`, from (`x`, `y`).
    Area { root: Window, x: i16, y: i16, w: u16, h: u16 },
    /// A window's own contents, at the size it had when recording started (larger later: cut;
    /// smaller: the rest black), followed wherever it moves.
    Window { window: Window, root: Window, w: u16, h: u16 },
}

impl Target {
    /// The size of the frames grabbed.
    pub(super) fn size(self) -> (u16, u16) {
        match self {
            Target::Area { w, h, .. } | Target::Window { w, h, .. } => (w, h),
        }
    }
}

/// Why a grab failed.
#[derive(Debug)]
pub(super) enum GrabError {
    /// The window is gone (closed).
    WindowGone,
    /// The display stopped answering.
    Display(String),
}

/// A frame: `w`×`h` pixels of B, G, R, x.
pub(super) type Bgrx = Vec<u8>;

/// Grabs `target`, with the pointer drawn in when `cursor` (see [`cursor_supported`]).
pub(super) fn grab(conn: &RustConnection, target: Target, cursor: bool) -> Result<Bgrx, GrabError> {
    let display = |e: &dyn std::fmt::Display| GrabError::Display(e.to_string());
    let (pixels, origin) = match target {
        Target::Area { root, x, y, w, h } => {
            let image = conn.get_image(ImageFormat::Z_PIXMAP, root, x, y, w, h, !0).map_err(|e| display(&e))?;
            (image.reply().map_err(|e| display(&e))?.data, (i32::from(x), i32::from(y)))
        }
        Target::Window { window, root, w, h } => {
            let geometry = conn.get_geometry(window).map_err(|e| display(&e))?.reply().map_err(gone_or(display))?;
            let (gw, gh) = (geometry.width.min(w), geometry.height.min(h));
            let image = conn.get_image(ImageFormat::Z_PIXMAP, window, 0, 0, gw, gh, !0).map_err(|e| display(&e))?;
            let data = match image.reply() {
                Ok(reply) => reply.data,
                // Unmapped (minimised, on another workspace): its picture holds still, black.
                Err(ReplyError::X11Error(_)) => vec![0; usize::from(gw) * usize::from(gh) * 4],
                Err(e) => return Err(display(&e)),
            };
            let at = conn.translate_coordinates(window, root, 0, 0).map_err(|e| display(&e))?;
            let at = at.reply().map_err(gone_or(display))?;
            (fit(&data, (gw, gh), (w, h)), (i32::from(at.dst_x), i32::from(at.dst_y)))
        }
    };
    let mut pixels = pixels;
    if cursor {
        // A pointer image that cannot be had this once is a picture without the pointer.
        if let Some(image) = cursor_image(conn) {
            let (w, h) = target.size();
            draw_cursor(&mut pixels, (w, h), &image, origin);
        }
    }
    Ok(pixels)
}

/// A failing request about a window: it was closed (its id is gone), or the display failed.
fn gone_or(display: impl Fn(&dyn std::fmt::Display) -> GrabError) -> impl Fn(ReplyError) -> GrabError {
    move |e| match e {
        ReplyError::X11Error(_) => GrabError::WindowGone,
        other => display(&other),
    }
}

/// `data` (`from` pixels) placed at the top left of a black `to`-sized frame.
fn fit(data: &[u8], from: (u16, u16), to: (u16, u16)) -> Bgrx {
    if from == to {
        return data.to_vec();
    }
    let (fw, tw) = (usize::from(from.0) * 4, usize::from(to.0) * 4);
    let mut out = vec![0u8; tw * usize::from(to.1)];
    for (row, src) in data.chunks_exact(fw.max(1)).take(usize::from(to.1)).enumerate() {
        out[row * tw..row * tw + fw.min(tw)].copy_from_slice(&src[..fw.min(tw)]);
    }
    out
}

/// The pointer: its picture (ARGB, premultiplied, as XFixes gives it) and where its hot spot is.
pub(super) struct CursorImage {
    /// Top-left corner on the screen (the position less the hot spot).
    pub x: i32,
    pub y: i32,
    pub width: u16,
    pub height: u16,
    pub argb: Vec<u32>,
}

/// Whether the pointer's picture can be read (XFixes 4); asked once per connection, before
/// [`grab`]: XFixes answers only clients that said which version they speak.
pub(super) fn cursor_supported(conn: &RustConnection) -> bool {
    let present = conn.extension_information(x11rb::protocol::xfixes::X11_EXTENSION_NAME).ok().flatten().is_some();
    present && conn.xfixes_query_version(4, 0).ok().and_then(|c| c.reply().ok()).is_some()
}

fn cursor_image(conn: &RustConnection) -> Option<CursorImage> {
    let c = conn.xfixes_get_cursor_image().ok()?.reply().ok()?;
    Some(CursorImage {
        x: i32::from(c.x) - i32::from(c.xhot),
        y: i32::from(c.y) - i32::from(c.yhot),
        width: c.width,
        height: c.height,
        argb: c.cursor_image,
    })
}

/// Blends `cursor` (screen coordinates) into `frame` (`size` pixels of B, G, R, x whose top left
/// is at `origin` on the screen).
pub(super) fn draw_cursor(frame: &mut [u8], size: (u16, u16), cursor: &CursorImage, origin: (i32, i32)) {
    let (fw, fh) = (i32::from(size.0), i32::from(size.1));
    for cy in 0..i32::from(cursor.height) {
        let y = cursor.y + cy - origin.1;
        if !(0..fh).contains(&y) {
            continue;
        }
        for cx in 0..i32::from(cursor.width) {
            let x = cursor.x + cx - origin.0;
            if !(0..fw).contains(&x) {
                continue;
            }
            let argb = cursor.argb[(cy * i32::from(cursor.width) + cx) as usize];
            let alpha = argb >> 24;
            if alpha == 0 {
                continue;
            }
            let at = ((y * fw + x) * 4) as usize;
            // Premultiplied: out = src + dst × (1 − α).
            for (k, shift) in [(0usize, 0u32), (1, 8), (2, 16)] {
                let src = (argb >> shift) & 0xff;
                let dst = u32::from(frame[at + k]);
                frame[at + k] = (src + dst * (255 - alpha) / 255).min(255) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pointer_is_blended_at_its_place_and_clipped_at_the_edges() {
        // A 4×4 grey frame at (10, 20) on the screen; a 2×2 cursor at (13, 19): its lower-left
        // pixel lands on the frame's top-right pixel; the rest falls outside.
        let mut frame = vec![100u8; 4 * 4 * 4];
        let opaque_red = 0xff_ff_00_00;
        let half_white = 0x80_80_80_80; // premultiplied
        let cursor = CursorImage { x: 13, y: 19, width: 2, height: 2, argb: vec![0, 0, half_white, opaque_red] };
        draw_cursor(&mut frame, (4, 4), &cursor, (10, 20));
        let px = |x: usize, y: usize| &frame[(y * 4 + x) * 4..(y * 4 + x) * 4 + 3];
        assert_eq!(px(3, 0), &[(128 + 100 * 127 / 255) as u8; 3], "half white over grey");
        assert_eq!(px(2, 0), &[100; 3], "transparent where the cursor is not");
        assert_eq!(px(3, 1), &[100; 3]);
    }

    #[test]
    fn a_smaller_window_is_padded_and_a_larger_one_cut() {
        let small = fit(&[1; 8], (2, 1), (3, 2));
        assert_eq!(small, [[1u8; 8].as_slice(), &[0; 4], &[0; 12]].concat());
        let large = fit(&[7; 4 * 3 * 4], (4, 3), (4, 2));
        assert_eq!(large.len(), 4 * 2 * 4);
    }
}
