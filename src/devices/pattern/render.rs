//! Drawing the test frames: the picture (sliding colour bars or a bouncing ball), the block code
//! and the digits, into an I420 buffer.

use super::code::{cell_size, code_bits, CODE_COLUMNS, CODE_ROWS};
use super::{Drawing, PatternSpec};

/// Draws frame `n` at `ms` since the start into an I420 buffer of the spec's size.
pub fn render(spec: &PatternSpec, n: u32, ms: u32, buffer: &mut [u8]) {
    let mut img = Canvas::new(spec.width, spec.height, buffer);
    match spec.drawing {
        Drawing::Pattern => colour_bars(&mut img, n),
        Drawing::Canvas => bouncing_ball(&mut img, n, spec.fps),
    }
    let c = cell_size(spec.width);
    // The code on a grey quiet zone one cell wide.
    img.fill(0, 0, (CODE_COLUMNS + 2) * c, (CODE_ROWS + 2) * c, GREY);
    for (i, bit) in code_bits(n, ms).into_iter().enumerate() {
        let (col, row) = (i as u32 % CODE_COLUMNS, i as u32 / CODE_COLUMNS);
        img.fill((col + 1) * c, (row + 1) * c, c, c, if bit { WHITE } else { BLACK });
    }
    // Frame number and clock for people: "000123 00:04.100", digits half a cell per stroke unit.
    let text = format!("{n:06} {:02}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000);
    let d = (c / 2).max(2);
    let y = (CODE_ROWS + 2) * c;
    img.fill(0, y, (text.len() as u32 * 3 + 1) * d, 6 * d, BLACK);
    for (i, ch) in text.chars().enumerate() {
        seven_segment(&mut img, d + i as u32 * 3 * d, y + d, d, ch);
    }
}

/// A colour as (Y, U, V), limited range.
type Yuv = (u8, u8, u8);
const WHITE: Yuv = (235, 128, 128);
const BLACK: Yuv = (16, 128, 128);
const GREY: Yuv = (128, 128, 128);
/// 75% colour bars: white, yellow, cyan, green, magenta, red, blue, black.
const BARS: [Yuv; 8] = [
    (180, 128, 128),
    (162, 44, 142),
    (131, 156, 44),
    (112, 72, 58),
    (84, 184, 198),
    (65, 100, 212),
    (35, 212, 114),
    (16, 128, 128),
];

fn colour_bars(img: &mut Canvas<'_>, n: u32) {
    let bar_w = (img.width / 8).max(1);
    // Four pixels a frame to the right, wrapping. Bars are columns: one row is drawn, then
    // copied down (a pixel at a time would cost a core at 1280×720 in a debug build).
    let shift = n.wrapping_mul(4) % img.width;
    let bar_at = |x: u32| BARS[((x + img.width - shift) % img.width / bar_w).min(7) as usize];
    let luma: Vec<u8> = (0..img.width).map(|x| bar_at(x & !1).0).collect();
    let u: Vec<u8> = (0..img.width / 2).map(|x| bar_at(2 * x).1).collect();
    let v: Vec<u8> = (0..img.width / 2).map(|x| bar_at(2 * x).2).collect();
    img.repeat_rows(&luma, &u, &v);
}

fn bouncing_ball(img: &mut Canvas<'_>, n: u32, fps: u32) {
    let (w, h) = (img.width, img.height);
    for y in (0..h).step_by(2) {
        let shade = 40 + (y * 150 / h) as u8;
        img.fill(0, y, w, 2, (shade, 150, 110));
    }
    let r = h / 8;
    let t = f64::from(n) / f64::from(fps);
    let travel = |span: u32, speed: f64| {
        let span = f64::from(span.saturating_sub(2 * r).max(1));
        let p = (t * speed) % (2.0 * span);
        (if p > span { 2.0 * span - p } else { p }) as u32 + r
    };
    let (cx, cy) = (travel(w, 230.0), travel(h, 170.0));
    for y in cy.saturating_sub(r)..(cy + r).min(h) {
        let dy = f64::from(y) - f64::from(cy);
        let half = (f64::from(r * r) - dy * dy).max(0.0).sqrt() as u32;
        let x0 = cx.saturating_sub(half);
        img.fill(x0, y, (cx + half).min(w) - x0, 1, (200, 60, 190));
    }
}

/// Segments a–g of each character, as in a seven-segment display.
fn segments(ch: char) -> u8 {
    match ch {
        '0' => 0b011_1111,
        '1' => 0b000_0110,
        '2' => 0b101_1011,
        '3' => 0b100_1111,
        '4' => 0b110_0110,
        '5' => 0b110_1101,
        '6' => 0b111_1101,
        '7' => 0b000_0111,
        '8' => 0b111_1111,
        '9' => 0b110_1111,
        _ => 0,
    }
}

/// A digit `2c` wide and `4c` tall at (x, y), strokes `c/2` thick; `:` and `.` as dots.
fn seven_segment(img: &mut Canvas<'_>, x: u32, y: u32, c: u32, ch: char) {
    let t = (c / 2).max(2);
    let (w, h) = (2 * c, 4 * c);
    match ch {
        ':' => {
            img.fill(x + c - t / 2, y + c, t, t, WHITE);
            img.fill(x + c - t / 2, y + 3 * c - t, t, t, WHITE);
        }
        '.' => img.fill(x + c - t / 2, y + h - t, t, t, WHITE),
        _ => {
            let s = segments(ch);
            let on = |i: u8| s >> i & 1 == 1;
            let rects = [
                (x, y, w, t),                     // a: top
                (x + w - t, y, t, h / 2),         // b: upper right
                (x + w - t, y + h / 2, t, h / 2), // c: lower right
                (x, y + h - t, w, t),             // d: bottom
                (x, y + h / 2, t, h / 2),         // e: lower left
                (x, y, t, h / 2),                 // f: upper left
                (x, y + h / 2 - t / 2, w, t),     // g: middle
            ];
            for (i, &(rx, ry, rw, rh)) in rects.iter().enumerate() {
                if on(i as u8) {
                    img.fill(rx, ry, rw, rh, WHITE);
                }
            }
        }
    }
}

/// An I420 buffer to draw rectangles on (clipped to the frame; chroma at half resolution).
struct Canvas<'a> {
    width: u32,
    height: u32,
    data: &'a mut [u8],
}

impl Canvas<'_> {
    fn new(width: u32, height: u32, data: &mut [u8]) -> Canvas<'_> {
        Canvas { width, height, data }
    }

    /// Every row of the frame set to the given luma and chroma rows.
    fn repeat_rows(&mut self, luma_row: &[u8], u_row: &[u8], v_row: &[u8]) {
        let width = self.width as usize;
        let (luma, chroma) = self.data.split_at_mut(width * self.height as usize);
        for row in luma.chunks_exact_mut(width) {
            row.copy_from_slice(luma_row);
        }
        let (u, v) = chroma.split_at_mut((width / 2) * (self.height as usize / 2));
        for (plane, src) in [(u, u_row), (v, v_row)] {
            for row in plane.chunks_exact_mut(width / 2) {
                row.copy_from_slice(src);
            }
        }
    }

    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, (cy, cu, cv): Yuv) {
        let (x1, y1) = ((x + w).min(self.width), (y + h).min(self.height));
        if x >= x1 || y >= y1 {
            return;
        }
        let width = self.width as usize;
        let (luma, chroma) = self.data.split_at_mut(width * self.height as usize);
        for row in y..y1 {
            let start = row as usize * width;
            luma[start + x as usize..start + x1 as usize].fill(cy);
        }
        let (cw, ch) = (width / 2, self.height as usize / 2);
        let (u, v) = chroma.split_at_mut(cw * ch);
        for row in (y / 2) as usize..(y1 as usize).div_ceil(2).min(ch) {
            let (a, b) = (row * cw + (x / 2) as usize, row * cw + (x1 as usize).div_ceil(2).min(cw));
            u[a..b].fill(cu);
            v[a..b].fill(cv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::VideoFrame;

    #[test]
    fn frames_move() {
        for id in ["test:pattern", "test:canvas"] {
            let spec = PatternSpec::parse(id).unwrap().unwrap();
            let mut a = vec![0u8; VideoFrame::i420_len(spec.width, spec.height)];
            let mut b = a.clone();
            render(&spec, 10, 333, &mut a);
            render(&spec, 11, 333, &mut b);
            // Below the code and digits, the picture itself changed.
            let c = cell_size(spec.width);
            let luma = (spec.width * spec.height) as usize;
            let below = (((CODE_ROWS + 2) * c + 4 * c) * spec.width) as usize;
            assert_ne!(a[below..luma], b[below..luma], "{id}");
        }
    }
}
