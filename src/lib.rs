//! mediarecorder: the browser's MediaStream Recording API (`MediaRecorder`) as a native Rust
//! library. Capture from microphones (cpal) or built-in test sources, encode Opus, mux Ogg or
//! WebM, and keep every chunk durable on disk while recording.
//!
//! The API mirrors the W3C spec in Rust naming: [`MediaStream::open`] is `getUserMedia`,
//! [`enumerate_devices`] is `enumerateDevices`, and [`MediaRecorder`] behaves as the web's,
//! events included ([`RecorderEvent`]).

#[cfg(feature = "app")]
pub mod app;
pub mod codec;
pub mod container;
pub mod devices;
mod error;
pub mod i18n;
pub mod media;
pub mod mime;
mod recorder;
pub mod settings;
pub mod store;

pub use devices::{enumerate_devices, DisplayMediaOptions, DisplaySurface, MediaDeviceInfo, MediaDeviceKind};
pub use error::{IoError, RecorderError};
pub use media::{MediaStream, MediaStreamTrack, MediaStreamTrackState, TrackKind};
pub use recorder::{
    BitrateMode, Blob, BlobEvent, MediaRecorder, MediaRecorderOptions, RecorderEvent, RecorderStats, RecordingState,
    SilenceOptions,
};
