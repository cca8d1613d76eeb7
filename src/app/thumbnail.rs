//! The video preview's picture: an I420 frame scaled down (nearest sample) and turned into RGBA
//! on the controller thread, so the window only uploads a small texture.

use super::state::PreviewImage;
use crate::media::VideoFrame;

/// `frame` fitted inside `max` (aspect kept, never enlarged), as RGBA (BT.601, limited range:
/// what our sources and cameras deliver).
pub fn thumbnail(frame: &VideoFrame, max: (u32, u32), seq: u64) -> PreviewImage {
    let (sw, sh) = (frame.width.max(1), frame.height.max(1));
    let scale = f64::min(f64::from(max.0) / f64::from(sw), f64::from(max.1) / f64::from(sh)).min(1.0);
    let w = ((f64::from(sw) * scale).round() as u32).max(1);
    let h = ((f64::from(sh) * scale).round() as u32).max(1);
    let (y_plane, u_plane, v_plane) = frame.planes();
    let (sw, sh) = (sw as usize, sh as usize);
    let cw = sw / 2;
    // The source column of each output column, worked out once per picture, not per pixel.
    let columns: Vec<usize> = (0..w as usize).map(|ox| (ox * sw / w as usize).min(sw - 1)).collect();
    let mut rgba = Vec::with_capacity(w as usize * h as usize * 4);
    for oy in 0..h as usize {
        let sy = (oy * sh / h as usize).min(sh - 1);
        let (y_row, c_row) = (&y_plane[sy * sw..], (sy / 2) * cw);
        for &sx in &columns {
            let c = c_row + sx / 2;
            let [r, g, b] = yuv_to_rgb(y_row[sx], u_plane[c], v_plane[c]);
            rgba.extend_from_slice(&[r, g, b, 255]);
        }
    }
    PreviewImage { seq, width: w, height: h, rgba: rgba.into(), source_size: (frame.width, frame.height) }
}

/// BT.601 limited range to full-range RGB, in 8.8 fixed point.
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = (i32::from(y) - 16) * 298;
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    [clamp(c + 409 * e), clamp(c - 100 * d - 208 * e), clamp(c + 516 * d)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest preview the window asks for.
    const MAX_SIZE: (u32, u32) = crate::app::redraw::LEVELS[0].preview;

    fn flat(width: u32, height: u32, yuv: [u8; 3]) -> VideoFrame {
        let luma = (width * height) as usize;
        let mut data = vec![yuv[0]; luma];
        data.extend(std::iter::repeat_n(yuv[1], luma / 4));
        data.extend(std::iter::repeat_n(yuv[2], luma / 4));
        VideoFrame { pts_ns: 0, width, height, data: data.into() }
    }

    #[test]
    fn a_frame_is_fitted_inside_the_preview_keeping_its_shape() {
        let p = thumbnail(&flat(1280, 720, [16, 128, 128]), MAX_SIZE, 7);
        assert_eq!((p.width, p.height, p.source_size, p.seq), (320, 180, (1280, 720), 7));
        assert_eq!(p.rgba.len(), 320 * 180 * 4);
        let p = thumbnail(&flat(640, 480, [16, 128, 128]), MAX_SIZE, 0);
        assert_eq!((p.width, p.height), (320, 240));
        let small = thumbnail(&flat(160, 120, [16, 128, 128]), MAX_SIZE, 0);
        assert_eq!((small.width, small.height), (160, 120), "never enlarged");
    }

    #[test]
    fn colours_come_out_as_bt601_says() {
        // Limited-range black, white and the primaries (rounded BT.601 values).
        for (yuv, rgb) in [
            ([16, 128, 128], [0, 0, 0]),
            ([235, 128, 128], [255, 255, 255]),
            ([81, 90, 240], [255, 0, 0]),
            ([145, 54, 34], [0, 255, 0]),
            ([41, 240, 110], [0, 0, 255]),
        ] {
            let p = thumbnail(&flat(4, 4, yuv), MAX_SIZE, 0);
            for (got, want) in p.rgba[..3].iter().zip(rgb) {
                assert!(got.abs_diff(want) <= 3, "{yuv:?} gave {:?}, want {rgb:?}", &p.rgba[..3]);
            }
            assert_eq!(p.rgba[3], 255);
        }
    }
}
