//! The built-in video sources: `test:pattern` (moving colour bars) and `test:canvas` (an
//! animated drawing), paced in real time like a camera. Each frame carries its frame number and
//! its time since the source started, twice: as a machine-readable block code (black and white
//! cells that survive lossy encoding, read back by [`read_code`]) so drops and sync can be
//! measured from a decoded recording, and as seven-segment digits for people.

use std::sync::Arc;

use super::pacing::Pacer;
use super::sim_clock::SimMember;
use crate::error::RecorderError;
use crate::media::{MediaStreamTrack, TrackKind, TrackSource, VideoFrame};

/// The id of the moving test pattern (`test:pattern?w=1280&h=720&fps=30`).
pub const TEST_PATTERN_ID: &str = "test:pattern";
/// The id of the animated drawing.
pub const TEST_CANVAS_ID: &str = "test:canvas";

/// Cells per row of the code; the code has [`CODE_BITS`] cells in [`CODE_ROWS`] rows.
const CODE_COLUMNS: u32 = 24;
const CODE_ROWS: u32 = 4;
/// Frame number (32 bits), milliseconds (32 bits), CRC-16 of both: a stale or blurred cell
/// makes the code unreadable rather than wrong.
const CODE_BITS: u32 = 80;

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
        .map_err(|e| RecorderError::Unknown(format!("cannot start the test video thread: {e}")))?;
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

/// The side of one code cell: big enough to survive encoding, small enough to fit 640 px.
fn cell_size(width: u32) -> u32 {
    ((width / 40).max(4)) & !1
}

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

/// Reads the block code back from a decoded frame's luma plane: `(frame number, ms)`, or
/// `None` when it cannot be read (the check byte disagrees).
pub fn read_code(y_plane: &[u8], width: u32, height: u32) -> Option<(u32, u32)> {
    let c = cell_size(width);
    if (CODE_ROWS + 2) * c > height || y_plane.len() < (width * height) as usize {
        return None;
    }
    let bits: Vec<bool> = (0..CODE_BITS)
        .map(|i| {
            let (col, row) = (i % CODE_COLUMNS, i / CODE_COLUMNS);
            // The middle half of the cell, away from blurred edges.
            let (x0, y0) = ((col + 1) * c + c / 4, (row + 1) * c + c / 4);
            let mut sum = 0u32;
            for y in y0..y0 + c / 2 {
                for x in x0..x0 + c / 2 {
                    sum += u32::from(y_plane[(y * width + x) as usize]);
                }
            }
            sum / (c / 2).pow(2) >= 128
        })
        .collect();
    let byte = |k: usize| bits[k * 8..k * 8 + 8].iter().fold(0u8, |b, &bit| (b << 1) | u8::from(bit));
    let bytes: Vec<u8> = (0..10).map(byte).collect();
    if crc16(&bytes[..8]).to_be_bytes() != bytes[8..10] {
        return None;
    }
    let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let ms = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    Some((n, ms))
}

fn code_bits(n: u32, ms: u32) -> Vec<bool> {
    let mut bytes = [0u8; 10];
    bytes[..4].copy_from_slice(&n.to_be_bytes());
    bytes[4..8].copy_from_slice(&ms.to_be_bytes());
    let crc = crc16(&bytes[..8]);
    bytes[8..].copy_from_slice(&crc.to_be_bytes());
    bytes.iter().flat_map(|b| (0..8).rev().map(move |i| b >> i & 1 == 1)).collect()
}

/// CRC-16/CCITT-FALSE: catches every error of up to three bits in the 64 of the code.
fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0xFFFF, |crc, &b| {
        (0..8).fold(crc ^ (u16::from(b) << 8), |c, _| if c & 0x8000 != 0 { (c << 1) ^ 0x1021 } else { c << 1 })
    })
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

    #[test]
    fn the_code_reads_back_from_every_drawing_and_size() {
        for id in ["test:pattern?w=128&h=96", "test:pattern", "test:canvas?w=1280&h=720", "test:canvas?w=1920&h=1080"] {
            let spec = PatternSpec::parse(id).unwrap().unwrap();
            let mut buffer = vec![0u8; VideoFrame::i420_len(spec.width, spec.height)];
            for (n, ms) in [(0, 0), (1, 33), (123_456, 4_115_200), (u32::MAX, u32::MAX)] {
                render(&spec, n, ms, &mut buffer);
                assert_eq!(read_code(&buffer, spec.width, spec.height), Some((n, ms)), "{id} frame {n}");
            }
        }
    }

    #[test]
    fn the_check_is_crc16_ccitt() {
        assert_eq!(crc16(b"123456789"), 0x29B1);
    }

    #[test]
    fn a_damaged_code_is_not_misread() {
        let spec = PatternSpec::parse("test:pattern").unwrap().unwrap();
        let mut buffer = vec![0u8; VideoFrame::i420_len(spec.width, spec.height)];
        render(&spec, 77, 2566, &mut buffer);
        // Flip the first cell of the frame number.
        let c = cell_size(spec.width) as usize;
        for y in c..2 * c {
            for x in c..2 * c {
                buffer[y * spec.width as usize + x] ^= 0xff;
            }
        }
        assert_eq!(read_code(&buffer, spec.width, spec.height), None);
    }

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
