//! Video frames: 8-bit I420 (planar Y, then U and V at half width and height), what VP8, VP9
//! and AV1 encoders take, with the capture time of the frame.

use std::sync::Arc;

/// One I420 frame. Width and height are even.
#[derive(Debug, Clone)]
pub struct VideoFrame {
    /// Capture time, on [`now_ns`](crate::media::now_ns)'s clock.
    pub pts_ns: u64,
    /// Luma width in pixels.
    pub width: u32,
    /// Luma height in pixels.
    pub height: u32,
    /// Y plane (`width × height`), then U and V (`width/2 × height/2` each).
    pub data: Arc<[u8]>,
}

impl VideoFrame {
    /// Bytes of an I420 frame of this size.
    pub fn i420_len(width: u32, height: u32) -> usize {
        let (w, h) = (width as usize, height as usize);
        w * h + 2 * (w / 2) * (h / 2)
    }

    /// The Y, U and V planes.
    pub fn planes(&self) -> (&[u8], &[u8], &[u8]) {
        split_planes(&self.data, self.width, self.height)
    }

    /// The frame at half the width and height (each rounded down to even), each pixel the mean
    /// of the 2×2 it replaces: what a recorder encodes when the full size cannot keep up.
    pub fn half(&self) -> VideoFrame {
        let (w, h) = ((self.width / 2) & !1, (self.height / 2) & !1);
        let mut out = Vec::with_capacity(VideoFrame::i420_len(w, h));
        let (y, u, v) = self.planes();
        let sw = self.width as usize;
        for (plane, src_w, dst_w, dst_h) in [
            (y, sw, w as usize, h as usize),
            (u, sw / 2, w as usize / 2, h as usize / 2),
            (v, sw / 2, w as usize / 2, h as usize / 2),
        ] {
            for row in 0..dst_h {
                let (a, b) = (&plane[2 * row * src_w..], &plane[(2 * row + 1) * src_w..]);
                out.extend((0..dst_w).map(|x| {
                    let sum =
                        u16::from(a[2 * x]) + u16::from(a[2 * x + 1]) + u16::from(b[2 * x]) + u16::from(b[2 * x + 1]);
                    ((sum + 2) / 4) as u8
                }));
            }
        }
        VideoFrame { pts_ns: self.pts_ns, width: w, height: h, data: out.into() }
    }
}

/// Splits an I420 buffer into its Y, U and V planes.
///
/// # Panics
/// When `data` is shorter than [`VideoFrame::i420_len`].
pub fn split_planes(data: &[u8], width: u32, height: u32) -> (&[u8], &[u8], &[u8]) {
    let luma = width as usize * height as usize;
    let chroma = (width as usize / 2) * (height as usize / 2);
    let (y, rest) = data.split_at(luma);
    let (u, rest) = rest.split_at(chroma);
    (y, u, &rest[..chroma])
}

/// How packed RGB pixels lie in memory.
#[derive(Debug, Clone, Copy)]
pub struct PackedLayout {
    /// 3 (RGB, BGR) or 4 (with a padding or alpha byte).
    pub bytes_per_pixel: usize,
    /// Where red, green and blue sit within a pixel.
    pub rgb_offsets: [usize; 3],
    /// Pixels a row (at least the width).
    pub stride: usize,
}

/// BT.601 limited-range I420 (what the encoders and players assume) from packed RGB pixels,
/// cropped to `width`×`height` (even). Chroma is the mean of each 2×2 block.
///
/// # Panics
/// When `data` holds fewer than `height` rows of `layout.stride` pixels.
pub fn packed_to_i420(data: &[u8], layout: PackedLayout, width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let (bpp, [ro, go, bo], row_bytes) =
        (layout.bytes_per_pixel, layout.rgb_offsets, layout.stride * layout.bytes_per_pixel);
    let mut out = vec![0u8; VideoFrame::i420_len(width, height)];
    let (luma, chroma) = out.split_at_mut(w * h);
    let (u_plane, v_plane) = chroma.split_at_mut((w / 2) * (h / 2));
    for y in 0..h {
        let row = &data[y * row_bytes..y * row_bytes + w * bpp];
        for (dst, p) in luma[y * w..(y + 1) * w].iter_mut().zip(row.chunks_exact(bpp)) {
            let (r, g, b) = (i32::from(p[ro]), i32::from(p[go]), i32::from(p[bo]));
            *dst = (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8;
        }
    }
    for cy in 0..h / 2 {
        let (top, bottom) = (&data[2 * cy * row_bytes..], &data[(2 * cy + 1) * row_bytes..]);
        for cx in 0..w / 2 {
            let mut sum = [0i32; 3];
            for row in [top, bottom] {
                for p in [&row[2 * cx * bpp..], &row[(2 * cx + 1) * bpp..]] {
                    for (c, offset) in [ro, go, bo].into_iter().enumerate() {
                        sum[c] += i32::from(p[offset]);
                    }
                }
            }
            let (r, g, b) = ((sum[0] + 2) / 4, (sum[1] + 2) / 4, (sum[2] + 2) / 4);
            u_plane[cy * (w / 2) + cx] = (((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128) as u8;
            v_plane[cy * (w / 2) + cx] = (((112 * r - 94 * g - 18 * b + 128) >> 8) + 128) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_have_their_sizes() {
        let frame = VideoFrame { pts_ns: 0, width: 8, height: 4, data: vec![0u8; VideoFrame::i420_len(8, 4)].into() };
        let (y, u, v) = frame.planes();
        assert_eq!((y.len(), u.len(), v.len()), (32, 8, 8));
    }

    #[test]
    fn half_averages_each_two_by_two() {
        let mut data = vec![0u8; VideoFrame::i420_len(8, 4)];
        // Luma rows alternate 0 and 100; chroma is 128 throughout.
        for row in 0..4 {
            data[row * 8..row * 8 + 8].fill(if row % 2 == 0 { 0 } else { 100 });
        }
        data[32..].fill(128);
        let half = VideoFrame { pts_ns: 7, width: 8, height: 4, data: data.into() }.half();
        assert_eq!((half.width, half.height, half.pts_ns), (4, 2, 7));
        let (y, u, v) = half.planes();
        assert!(y.iter().all(|&p| p == 50), "{y:?}");
        assert!(u.iter().chain(v).all(|&p| p == 128));
        assert_eq!(half.data.len(), VideoFrame::i420_len(4, 2));
    }
}
