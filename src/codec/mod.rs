//! Encoders. Each FFI library stays behind one small module.

pub mod av1;
pub mod opus;
pub mod vpx;
