//! Cameras through nokhwa (V4L2 on Linux): `camera:N` (`camera:0?w=1280&h=720&fps=30`; default
//! 640×480 at 30 fps, the browsers' default), the nearest format the camera offers (MJPEG or
//! YUYV, decoded by nokhwa), converted to I420.

use std::sync::Arc;
use std::time::Duration;

use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use super::pacing::ArrivalGrid;
use crate::error::RecorderError;
use crate::media::{now_ns, packed_to_i420, MediaStreamTrack, PackedLayout, TrackKind, TrackSource, VideoFrame};

/// Device ids of cameras start with this.
pub const CAMERA_PREFIX: &str = "camera:";

/// A parsed `camera:N[?w=&h=&fps=]` id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CameraSpec {
    /// The camera's index (`/dev/videoN` on Linux).
    pub index: u32,
    /// Requested size and rate (the nearest the camera offers is used).
    pub width: u32,
    /// Requested height.
    pub height: u32,
    /// Requested frames per second.
    pub fps: u32,
}

impl CameraSpec {
    /// `None` when `id` is not a camera id; `Some(Err)` for a camera id with bad parameters.
    pub fn parse(id: &str) -> Option<Result<CameraSpec, RecorderError>> {
        let rest = id.strip_prefix(CAMERA_PREFIX)?;
        let bad =
            || RecorderError::NotFound(format!("bad camera id \"{id}\" (camera:0 or camera:0?w=1280&h=720&fps=30)"));
        let (number, query) = rest.split_once('?').unwrap_or((rest, ""));
        let Ok(index) = number.parse() else { return Some(Err(bad())) };
        let mut spec = CameraSpec { index, width: 640, height: 480, fps: 30 };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=').map(|(k, v)| (k, v.parse::<u32>())) {
                Some(("w", Ok(w))) if (16..=7680).contains(&w) => spec.width = w,
                Some(("h", Ok(h))) if (16..=4320).contains(&h) => spec.height = h,
                Some(("fps", Ok(f))) if (1..=120).contains(&f) => spec.fps = f,
                _ => return Some(Err(bad())),
            }
        }
        Some(Ok(spec))
    }
}

/// The cameras V4L2 lists: `(id, label)`. None is a normal answer (no camera plugged in).
pub(super) fn list() -> Vec<(String, String)> {
    nokhwa::query(ApiBackend::Auto)
        .map(|cameras| {
            cameras
                .into_iter()
                .filter_map(|c| match c.index() {
                    CameraIndex::Index(i) => Some((format!("{CAMERA_PREFIX}{i}"), c.human_name())),
                    CameraIndex::String(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Opens a camera as a live video track.
pub(super) fn open(spec: CameraSpec) -> Result<MediaStreamTrack, RecorderError> {
    let known = list();
    let id = format!("{CAMERA_PREFIX}{}", spec.index);
    let Some((_, name)) = known.into_iter().find(|(known_id, _)| *known_id == id) else {
        return Err(RecorderError::NotFound(format!("no camera \"{id}\": V4L2 lists no such camera on this machine")));
    };
    let source = TrackSource::new();
    let thread_source = Arc::clone(&source);
    let (ready_tx, ready) = crossbeam_channel::bounded(1);
    // nokhwa's camera stays on the thread that opened it.
    let thread = std::thread::Builder::new()
        .name("source:camera".into())
        .spawn(move || {
            let wanted = CameraFormat::new_from(spec.width, spec.height, FrameFormat::MJPEG, spec.fps);
            let format = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
            let camera =
                Camera::new(CameraIndex::Index(spec.index), format).and_then(|mut c| c.open_stream().map(|()| c));
            match camera {
                Ok(mut camera) => {
                    let fps = camera.camera_format().frame_rate();
                    if ready_tx.send(Ok(fps)).is_ok() && !thread_source.is_ended() {
                        run(camera, fps, &thread_source);
                    } else {
                        // Too late: the open gave up on this camera.
                        let _stopped = camera.stop_stream();
                    }
                }
                Err(e) => {
                    let _told = ready_tx.send(Err(e.to_string()));
                    thread_source.end(Some(e.to_string()));
                }
            }
        })
        .map_err(|e| RecorderError::os("cannot start the camera thread", e))?;
    let frame_rate = match ready.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(fps)) => fps,
        Ok(Err(e)) => return Err(RecorderError::NotFound(format!("cannot open {name}: {e}"))),
        Err(_) => {
            // The thread is still waiting for the driver and finishes by itself once it answers
            // (it is not joined: that may never be). Ended now, it then closes the camera at once
            // instead of holding the device for no one.
            let reason = format!("{name} did not start within 5 s");
            source.end(Some(reason.clone()));
            return Err(RecorderError::NotFound(reason));
        }
    };
    Ok(MediaStreamTrack::new(TrackKind::Video, name, id, 0, Some(frame_rate), source, thread))
}

/// Frames as the camera delivers them (it paces itself), stamped when they arrive, on the
/// camera's frame grid (see [`ArrivalGrid`]).
fn run(mut camera: Camera, fps: u32, source: &TrackSource) {
    let mut grid = ArrivalGrid::new(fps);
    while !source.is_ended() {
        let buffer = camera.frame();
        // Stamped on arrival, before the MJPEG decode (milliseconds that are not capture time).
        let captured_ns = grid.stamp(now_ns());
        let frame = buffer.and_then(|buffer| buffer.decode_image::<RgbFormat>());
        match frame {
            Ok(rgb) => {
                let (width, height) = (rgb.width() & !1, rgb.height() & !1);
                let layout = PackedLayout { bytes_per_pixel: 3, rgb_offsets: [0, 1, 2], stride: rgb.width() as usize };
                let data = packed_to_i420(rgb.as_raw(), layout, width, height);
                source.deliver_video(VideoFrame { pts_ns: captured_ns, width, height, data: data.into() });
            }
            Err(e) => {
                source.end(Some(format!("the camera stopped ({e})")));
                break;
            }
        }
    }
    let _stopped = camera.stop_stream();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_ids_parse() {
        let spec = CameraSpec::parse("camera:0").unwrap().unwrap();
        assert_eq!((spec.index, spec.width, spec.height, spec.fps), (0, 640, 480, 30));
        let hd = CameraSpec::parse("camera:2?w=1280&h=720&fps=60").unwrap().unwrap();
        assert_eq!((hd.index, hd.width, hd.height, hd.fps), (2, 1280, 720, 60));
        assert!(CameraSpec::parse("camera:").unwrap().is_err());
        assert!(CameraSpec::parse("camera:0?fps=0").unwrap().is_err());
        assert!(CameraSpec::parse("screen:0").is_none());
    }
}
