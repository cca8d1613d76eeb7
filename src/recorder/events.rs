//! What the recorder reports: the web's events, in Rust.

use std::sync::Arc;

use crate::error::RecorderError;

/// Recorded media, as the web's `Blob`: immutable bytes with a MIME type.
#[derive(Debug, Clone, PartialEq)]
pub struct Blob {
    data: Arc<[u8]>,
    mime_type: String,
}

impl Blob {
    /// A blob of `data` typed `mime_type`.
    pub fn new(data: impl Into<Arc<[u8]>>, mime_type: impl Into<String>) -> Blob {
        Blob { data: data.into(), mime_type: mime_type.into() }
    }

    /// Length in bytes.
    pub fn size(&self) -> usize {
        self.data.len()
    }

    /// The recorder's full MIME type, codecs included.
    pub fn mime_type(&self) -> &str {
        &self.mime_type
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }
}

/// The `dataavailable` event's payload.
#[derive(Debug, Clone, PartialEq)]
pub struct BlobEvent {
    /// The media gathered since the previous event; the first one starts with the container header.
    pub data: Blob,
    /// Milliseconds of media from the start of the first blob to the start of this one.
    pub timecode: f64,
}

/// The recorder's events, in the order the spec fires them.
#[derive(Debug)]
pub enum RecorderEvent {
    /// Recording started.
    Start,
    /// Media is available (and already durable on disk).
    DataAvailable(BlobEvent),
    /// Recording paused.
    Pause,
    /// Recording resumed.
    Resume,
    /// Recording stopped; no event follows until the next `start`.
    Stop,
    /// Recording failed; a final `DataAvailable` and `Stop` follow.
    Error(RecorderError),
}
