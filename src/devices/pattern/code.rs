//! The block code each test frame carries: its frame number and milliseconds, with a check, as
//! black and white cells big enough to survive lossy encoding.

/// Cells per row of the code; the code has [`CODE_BITS`] cells in [`CODE_ROWS`] rows.
pub(super) const CODE_COLUMNS: u32 = 24;
pub(super) const CODE_ROWS: u32 = 4;
/// Frame number (32 bits), milliseconds (32 bits), CRC-16 of both: a stale or blurred cell
/// makes the code unreadable rather than wrong.
const CODE_BITS: u32 = 80;

/// The side of one code cell: big enough to survive encoding, small enough to fit 640 px.
pub(super) fn cell_size(width: u32) -> u32 {
    ((width / 40).max(4)) & !1
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

pub(super) fn code_bits(n: u32, ms: u32) -> Vec<bool> {
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

#[cfg(test)]
mod tests {
    use super::super::{render, PatternSpec};
    use super::*;
    use crate::media::VideoFrame;

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
}
