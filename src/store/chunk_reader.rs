//! Reads a session's chunks as one stream, one file open at a time. (Nesting `Read::chain`
//! once per chunk recursed once per chunk on every read: an hour of 1 s chunks overflowed the
//! stack.)

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::PathBuf;

/// One piece of the stream.
pub(crate) enum Piece {
    /// The first `len` bytes of a file.
    File(PathBuf, u64),
    /// Bytes in memory (a chunk patched during recovery).
    Bytes(Vec<u8>),
}

/// The pieces, in order, as one `Read`.
pub(crate) struct ChunkReader<'a> {
    pending: VecDeque<&'a Piece>,
    current: Option<Box<dyn Read + 'a>>,
}

impl<'a> ChunkReader<'a> {
    pub(crate) fn new(pieces: &'a [Piece]) -> ChunkReader<'a> {
        ChunkReader { pending: pieces.iter().collect(), current: None }
    }
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(current) = self.current.as_mut() {
                let n = current.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.current = None;
            }
            let Some(next) = self.pending.pop_front() else { return Ok(0) };
            self.current = Some(match next {
                Piece::File(path, len) => Box::new(BufReader::new(File::open(path)?).take(*len)),
                Piece::Bytes(bytes) => Box::new(Cursor::new(bytes.as_slice())),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_of_pieces_read_as_one_stream_without_recursion() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("piece");
        std::fs::write(&path, b"abcdef").unwrap();
        let pieces: Vec<Piece> = (0..20_000)
            .map(|i| if i % 2 == 0 { Piece::File(path.clone(), 3) } else { Piece::Bytes(b"xy".to_vec()) })
            .collect();
        let mut all = Vec::new();
        ChunkReader::new(&pieces).read_to_end(&mut all).unwrap();
        assert_eq!(all.len(), 10_000 * 5);
        assert_eq!(&all[..10], b"abcxyabcxy");
    }
}
