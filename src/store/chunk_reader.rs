//! Reads a session's chunks as one stream, one file open at a time, checking each logged chunk
//! against its length and CRC-32 as it goes by (one read of each chunk, not a check pass and a
//! copy pass). Nesting `Read::chain` once per chunk instead recursed once per chunk on every
//! read: an hour of 1 s chunks overflowed the stack.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::PathBuf;

use crate::error::RecorderError;

/// One piece of the stream.
pub(crate) enum Piece {
    /// The first `len` bytes of a file.
    File(PathBuf, u64),
    /// Bytes in memory (a chunk patched during recovery).
    Bytes(Vec<u8>),
    /// A whole chunk file, which must match what the chunk log says of it.
    Logged { path: PathBuf, index: u32, bytes: u64, crc32: u32 },
}

/// The pieces, in order, as one `Read`.
pub(crate) struct ChunkReader<'a> {
    pending: VecDeque<&'a Piece>,
    current: Option<Box<dyn Read + 'a>>,
    /// The logged piece being read, and what has been seen of it so far.
    checking: Option<(&'a Piece, crc32fast::Hasher, u64)>,
    /// Where the first problem is put with its full meaning; consumers of the stream (a
    /// container parser) may only pass on that reading failed.
    problem: Option<&'a RefCell<Option<RecorderError>>>,
    /// Told the size of every read: progress for a save dialog's bar.
    on_read: Option<&'a dyn Fn(usize)>,
}

impl<'a> ChunkReader<'a> {
    pub(crate) fn new(pieces: &'a [Piece]) -> ChunkReader<'a> {
        ChunkReader { pending: pieces.iter().collect(), current: None, checking: None, problem: None, on_read: None }
    }

    /// Calls `f` with the size of every read.
    pub(crate) fn on_read(mut self, f: &'a dyn Fn(usize)) -> ChunkReader<'a> {
        self.on_read = Some(f);
        self
    }

    /// Puts a missing or damaged chunk into `slot` as well as failing the read.
    pub(crate) fn reporting_to(mut self, slot: &'a RefCell<Option<RecorderError>>) -> ChunkReader<'a> {
        self.problem = Some(slot);
        self
    }

    fn fail(&self, error: RecorderError) -> io::Error {
        let kind = match &error {
            RecorderError::Io(e) => e.source.kind(),
            _ => io::ErrorKind::InvalidData,
        };
        let io_error = io::Error::new(kind, error.to_string());
        if let Some(slot) = self.problem {
            slot.borrow_mut().get_or_insert(error);
        }
        io_error
    }

    fn open(&mut self, piece: &'a Piece) -> io::Result<Box<dyn Read + 'a>> {
        Ok(match piece {
            Piece::File(path, len) => Box::new(BufReader::new(File::open(path)?).take(*len)),
            Piece::Bytes(bytes) => Box::new(Cursor::new(bytes.as_slice())),
            Piece::Logged { path, .. } => {
                let file =
                    File::open(path).map_err(|e| self.fail(RecorderError::io("cannot read a chunk", path, e)))?;
                self.checking = Some((piece, crc32fast::Hasher::new(), 0));
                Box::new(BufReader::new(file))
            }
        })
    }

    /// The current piece has ended: if it is a logged chunk, it must be what the log says.
    fn check_finished_piece(&mut self) -> io::Result<()> {
        if let Some((Piece::Logged { path, index, bytes, crc32 }, hasher, seen)) = self.checking.take() {
            if seen != *bytes || hasher.finalize() != *crc32 {
                return Err(
                    self.fail(RecorderError::Encoding(format!("chunk {index} is damaged ({})", path.display())))
                );
            }
        }
        Ok(())
    }
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(current) = self.current.as_mut() {
                let n = current.read(buf)?;
                if n > 0 || buf.is_empty() {
                    if let Some((_, hasher, seen)) = self.checking.as_mut() {
                        hasher.update(&buf[..n]);
                        *seen += n as u64;
                    }
                    if let Some(f) = self.on_read {
                        f(n);
                    }
                    return Ok(n);
                }
                self.current = None;
                self.check_finished_piece()?;
            }
            let Some(next) = self.pending.pop_front() else { return Ok(0) };
            self.current = Some(self.open(next)?);
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

    #[test]
    fn logged_chunks_are_checked_as_they_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let logged = |name: &str, content: &[u8], index: u32| {
            let path = dir.path().join(name);
            std::fs::write(&path, content).unwrap();
            Piece::Logged { path, index, bytes: 5, crc32: crc32fast::hash(b"hello") }
        };
        let good = [logged("a", b"hello", 1), logged("b", b"hello", 2)];
        let mut all = Vec::new();
        ChunkReader::new(&good).read_to_end(&mut all).unwrap();
        assert_eq!(all, b"hellohello");

        for (content, what) in
            [(&b"hellx"[..], "a flipped byte"), (&b"hello!"[..], "an extra byte"), (&b"hell"[..], "a lost byte")]
        {
            let pieces = [logged("c", b"hello", 1), logged("d", content, 2)];
            let slot = RefCell::new(None);
            let err = ChunkReader::new(&pieces).reporting_to(&slot).read_to_end(&mut Vec::new()).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{what}");
            let reported = slot.into_inner().expect("reported");
            assert!(
                matches!(&reported, RecorderError::Encoding(m) if m.starts_with("chunk 2 is damaged")),
                "{what}: {reported}"
            );
        }

        let missing = [Piece::Logged { path: dir.path().join("gone"), index: 1, bytes: 5, crc32: 0 }];
        let slot = RefCell::new(None);
        assert!(ChunkReader::new(&missing).reporting_to(&slot).read_to_end(&mut Vec::new()).is_err());
        assert!(matches!(slot.into_inner(), Some(RecorderError::Io(_))));
    }
}
