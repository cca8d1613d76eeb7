//! Encoders. Each FFI library stays behind one small module.

pub mod opus;
pub mod vpx;
