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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_have_their_sizes() {
        let frame = VideoFrame { pts_ns: 0, width: 8, height: 4, data: vec![0u8; VideoFrame::i420_len(8, 4)].into() };
        let (y, u, v) = frame.planes();
        assert_eq!((y.len(), u.len(), v.len()), (32, 8, 8));
    }
}
