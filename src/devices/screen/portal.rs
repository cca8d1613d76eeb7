//! Screens through the desktop's ScreenCast portal (`org.freedesktop.portal.ScreenCast`): how
//! Wayland desktops (GNOME, KDE, wlroots) share a screen, as the browser's `getDisplayMedia()`
//! does. The desktop asks the user what to share (or, with a restore token from an earlier
//! recording, does not ask again); frames then arrive over PipeWire, only when the screen
//! changes, so the track repeats the last one to hold its own rate.
//!
//! Two threads: `source:display` runs the portal's requests and PipeWire's loop, converting each
//! frame to I420 as it arrives; `source:display-pace` delivers the latest on the pacer's grid.

use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ashpd::desktop::screencast::{CursorMode, Screencast, SelectSourcesOptions, SourceType};
use ashpd::desktop::{PersistMode, ResponseError, Session};
use pipewire as pw;
use pw::spa;
use spa::param::video::VideoFormat;

use crate::devices::pacing::Pacer;
use crate::error::RecorderError;
use crate::media::{packed_to_i420, MediaStreamTrack, PackedLayout, TrackKind, TrackSource, VideoFrame};

/// The device id of "a screen or window, chosen in the desktop's own dialog".
pub const DISPLAY_ID: &str = "display";

/// Why the track ended when the desktop ended the share.
const STOPPED_SHARING: &str = "the desktop stopped sharing the screen";

/// What may be shared, as `getDisplayMedia`'s `displaySurface`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DisplaySurface {
    /// A whole screen.
    Monitor,
    /// One window.
    Window,
    /// Whichever the user picks.
    #[default]
    Any,
}

/// What `open_display` asks the desktop for (`getDisplayMedia`'s options).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayMediaOptions {
    /// Screens, windows or either.
    pub surface: DisplaySurface,
    /// The pointer drawn into the picture (`cursor: "always"`), or left out.
    pub cursor: bool,
    /// Frames per second of the track (1–60); the desktop sends frames only on change.
    pub fps: u32,
    /// The token an earlier share returned ([`MediaStreamTrack::restore_token`]): the desktop
    /// shares the same screen again without asking, until the user revokes it.
    pub restore_token: Option<String>,
    /// Only this rectangle of the shared picture, `(x, y, width, height)` in its pixels (the
    /// window's "Area…"); the part inside the picture is kept.
    pub area: Option<(u32, u32, u32, u32)>,
}

impl Default for DisplayMediaOptions {
    fn default() -> Self {
        DisplayMediaOptions { surface: DisplaySurface::Any, cursor: true, fps: 30, restore_token: None, area: None }
    }
}

impl DisplayMediaOptions {
    /// `None` when `id` is not `display[?…]`; `Some(Err)` for bad parameters
    /// (`display?surface=monitor|window&fps=15&cursor=hidden`).
    pub fn parse(id: &str) -> Option<Result<DisplayMediaOptions, RecorderError>> {
        let query = match id.strip_prefix(DISPLAY_ID)? {
            "" => "",
            rest => rest.strip_prefix('?')?,
        };
        let bad = || {
            RecorderError::NotFound(format!(
                "bad display id \"{id}\" (display, display?surface=monitor&fps=15&cursor=hidden&x=0&y=0&w=640&h=480)"
            ))
        };
        let mut options = DisplayMediaOptions::default();
        let mut area = [None::<u32>; 4];
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let number = pair.split_once('=').and_then(|(_, v)| v.parse::<u32>().ok());
            match pair.split_once('=') {
                Some(("x", _)) if number.is_some() => area[0] = number,
                Some(("y", _)) if number.is_some() => area[1] = number,
                Some(("w", _)) if number.is_some_and(|n| n >= 2) => area[2] = number,
                Some(("h", _)) if number.is_some_and(|n| n >= 2) => area[3] = number,
                Some(("fps", v)) => match v.parse::<u32>() {
                    Ok(fps) if (1..=60).contains(&fps) => options.fps = fps,
                    _ => return Some(Err(bad())),
                },
                Some(("cursor", "hidden")) => options.cursor = false,
                Some(("cursor", "embedded")) => options.cursor = true,
                Some(("surface", "monitor")) => options.surface = DisplaySurface::Monitor,
                Some(("surface", "window")) => options.surface = DisplaySurface::Window,
                Some(("surface", "any")) => options.surface = DisplaySurface::Any,
                _ => return Some(Err(bad())),
            }
        }
        options.area = match area {
            [None, None, None, None] => None,
            [Some(x), Some(y), Some(w), Some(h)] => Some((x, y, w, h)),
            _ => return Some(Err(bad())),
        };
        Some(Ok(options))
    }

    /// The id that asks for these options again (without the token, which is no part of an id).
    pub fn device_id(&self) -> String {
        let mut query = vec![format!("fps={}", self.fps)];
        match self.surface {
            DisplaySurface::Monitor => query.push("surface=monitor".into()),
            DisplaySurface::Window => query.push("surface=window".into()),
            DisplaySurface::Any => {}
        }
        if let Some((x, y, w, h)) = self.area {
            query.push(format!("x={x}&y={y}&w={w}&h={h}"));
        }
        if !self.cursor {
            query.push("cursor=hidden".into());
        }
        format!("{DISPLAY_ID}?{}", query.join("&"))
    }
}

/// `true` when this session has a ScreenCast portal that answers within half a second (a
/// Wayland desktop, or any with the portal running): then `display` is listed.
pub(crate) fn available() -> bool {
    let (tx, rx) = crossbeam_channel::bounded(1);
    let probe = std::thread::Builder::new().name("display-probe".into()).spawn(move || {
        let answered = futures_lite::future::block_on(async {
            let proxy = Screencast::new().await.ok()?;
            proxy.available_source_types().await.ok()
        });
        let _ = tx.send(answered.is_some_and(|types| !types.is_empty()));
    });
    // A portal that is slow to start is left to finish on its own: listing never waits long.
    probe.is_ok() && rx.recv_timeout(Duration::from_millis(500)).unwrap_or(false)
}

/// What the desktop agreed to share.
struct Shared {
    session: Session<Screencast>,
    fd: OwnedFd,
    node: u32,
    label: String,
    restore_token: Option<String>,
}

/// Asks the desktop to share a screen or window and opens it as a live video track. Blocks while
/// the desktop's dialog is open (as `getDisplayMedia()`'s promise waits for the user).
///
/// # Errors
/// `NotAllowed` when the user or the desktop refuses; `NotFound` when the session has no
/// ScreenCast portal; `Device` when the desktop fails to start sharing.
pub(crate) fn open(options: DisplayMediaOptions) -> Result<MediaStreamTrack, RecorderError> {
    let (answer_tx, answer_rx) = crossbeam_channel::bounded(1);
    let source = TrackSource::new();
    let thread_source = Arc::clone(&source);
    let thread_options = options.clone();
    let thread = std::thread::Builder::new()
        .name("source:display".into())
        .spawn(move || {
            let shared = match futures_lite::future::block_on(ask(&thread_options)) {
                Ok(shared) => shared,
                Err(e) => {
                    let _ = answer_tx.send(Err(e));
                    return;
                }
            };
            let _ = answer_tx.send(Ok((shared.label.clone(), shared.restore_token.clone())));
            let Shared { session, fd, node, .. } = shared;
            let reason = stream(&session, (fd, node), &thread_options, &thread_source);
            thread_source.end(reason);
            // The desktop stops showing its "sharing" indicator.
            let _ = futures_lite::future::block_on(session.close());
        })
        .map_err(|e| RecorderError::os("cannot start the screen sharing thread", e))?;
    let answer = answer_rx
        .recv()
        .unwrap_or_else(|_| Err(RecorderError::Unknown("the screen sharing thread ended unexpectedly".into())));
    let (label, restore_token) = match answer {
        Ok(answer) => answer,
        Err(e) => {
            let _ = thread.join();
            return Err(e);
        }
    };
    let track =
        MediaStreamTrack::new(TrackKind::Video, label, options.device_id(), 0, Some(options.fps), source, thread);
    track.set_restore_token(restore_token);
    Ok(track)
}

/// The portal's requests: a session, what to share, the user's choice, PipeWire's remote.
async fn ask(options: &DisplayMediaOptions) -> Result<Shared, RecorderError> {
    let no_portal = |e: ashpd::Error| {
        RecorderError::NotFound(format!(
            "no screen sharing on this desktop: the ScreenCast portal does not answer ({e}); \
             on Wayland it needs xdg-desktop-portal and the desktop's backend"
        ))
    };
    let refused = |e: ashpd::Error| match e {
        ashpd::Error::Response(ResponseError::Cancelled) => {
            RecorderError::NotAllowed("the desktop's screen sharing request was refused".into())
        }
        e => RecorderError::Device {
            device: "screen sharing".into(),
            what: "the desktop could not start sharing".into(),
            source: Box::new(e),
        },
    };
    let proxy = Screencast::new().await.map_err(no_portal)?;
    let session = proxy.create_session(Default::default()).await.map_err(no_portal)?;
    let sources = match options.surface {
        DisplaySurface::Monitor => SourceType::Monitor.into(),
        DisplaySurface::Window => SourceType::Window.into(),
        DisplaySurface::Any => SourceType::Monitor | SourceType::Window,
    };
    // A desktop that cannot embed the pointer records without it rather than refusing.
    let modes = proxy.available_cursor_modes().await.unwrap_or_default();
    let cursor = match options.cursor {
        true if modes.contains(CursorMode::Embedded) => CursorMode::Embedded,
        _ if modes.contains(CursorMode::Hidden) || modes.is_empty() => CursorMode::Hidden,
        _ => CursorMode::Embedded,
    };
    let select = SelectSourcesOptions::default()
        .set_sources(sources)
        .set_multiple(false)
        .set_cursor_mode(cursor)
        .set_persist_mode(PersistMode::ExplicitlyRevoked)
        .set_restore_token(options.restore_token.as_deref());
    proxy.select_sources(&session, select).await.map_err(refused)?.response().map_err(refused)?;
    let streams =
        proxy.start(&session, None, Default::default()).await.map_err(refused)?.response().map_err(refused)?;
    let stream = streams.streams().first().ok_or_else(|| {
        RecorderError::NotAllowed("the desktop shared nothing (no screen or window was chosen)".into())
    })?;
    let fd = proxy.open_pipe_wire_remote(&session, Default::default()).await.map_err(refused)?;
    // What was shared, by what could be: xdg-desktop-portal-wlr 0.7 reports every screen as a
    // window (1 << MONITOR), so its word counts only where windows were on offer.
    let offered = proxy.available_source_types().await.unwrap_or_default() & sources;
    let what = match stream.source_type() {
        Some(SourceType::Window) if offered.contains(SourceType::Window) => crate::devices::labels::WINDOW,
        _ => crate::devices::labels::SCREEN,
    };
    let label = match stream.size() {
        Some((w, h)) => format!("{what} ({w}×{h}, {} fps)", options.fps),
        None => format!("{what} ({} fps)", options.fps),
    };
    Ok(Shared {
        node: stream.pipe_wire_node_id(),
        label,
        restore_token: streams.restore_token().map(str::to_owned),
        session,
        fd,
    })
}

/// The newest frame, converted, for the pacer to repeat.
type Latest = Arc<Mutex<Option<(u32, u32, Arc<[u8]>)>>>;

/// Receives the stream until the track is stopped (`None`) or the desktop stops sharing (why).
fn stream(
    session: &Session<Screencast>,
    (fd, node): (OwnedFd, u32),
    options: &DisplayMediaOptions,
    source: &Arc<TrackSource>,
) -> Option<String> {
    let fps = options.fps;
    let latest: Latest = Arc::new(Mutex::new(None));
    let ended: Ended = Arc::new(Mutex::new(None));
    std::thread::scope(|scope| {
        let named = |name: &str| std::thread::Builder::new().name(name.into());
        let pacer = named("source:display-pace").spawn_scoped(scope, || pace(fps, &latest, &ended, source));
        let watcher = named("source:display-watch").spawn_scoped(scope, || watch(session, &ended, source));
        match (pacer, watcher) {
            (Ok(_), Ok(_)) => {
                if let Err(e) = receive((fd, node), options.area, &latest, &ended, source) {
                    lock(&ended).get_or_insert(format!("PipeWire refused the screen's stream ({e})"));
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                lock(&ended).get_or_insert(format!("cannot start the screen's threads ({e})"));
            }
        }
        // The helpers end with the source or with `ended`: make sure they see one.
        lock(&ended).get_or_insert_with(String::new);
    });
    let reason = lock(&ended).take();
    reason.filter(|r| !r.is_empty())
}

/// Why the share ended, once it has ("" when the track was stopped here).
type Ended = Arc<Mutex<Option<String>>>;

/// Waits for the desktop to close the session (its "stop sharing" button, the portal going
/// away); checks ten times a second whether the share ended otherwise.
fn watch(session: &Session<Screencast>, ended: &Mutex<Option<String>>, source: &TrackSource) {
    use futures_lite::StreamExt;
    let closed = async {
        match session.receive_closed().await {
            Ok(mut closed) => closed.next().await.is_some(),
            Err(_) => std::future::pending().await,
        }
    };
    let done = async {
        while lock(ended).is_none() && !source.is_ended() {
            async_io::Timer::after(Duration::from_millis(100)).await;
        }
        false
    };
    if futures_lite::future::block_on(futures_lite::future::or(closed, done)) {
        lock(ended).get_or_insert(STOPPED_SHARING.to_owned());
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Delivers the newest frame on each of the pacer's deadlines, from the first frame on.
fn pace(fps: u32, latest: &Latest, ended: &Mutex<Option<String>>, source: &TrackSource) {
    let mut pacer: Option<Pacer> = None;
    while !source.is_ended() && lock(ended).is_none() {
        let Some(pacer) = pacer.as_mut() else {
            if lock(latest).is_some() {
                pacer = Some(Pacer::new(fps));
            } else {
                std::thread::sleep(Duration::from_millis(5));
            }
            continue;
        };
        let (_, slot_ns) = pacer.next(source);
        if let Some((width, height, data)) = lock(latest).clone() {
            source.deliver_video(VideoFrame { pts_ns: slot_ns, width, height, data });
        }
    }
}

/// PipeWire's loop on this thread: negotiates a packed RGB format, converts each frame.
fn receive(
    (fd, node): (OwnedFd, u32),
    area: Option<(u32, u32, u32, u32)>,
    latest: &Latest,
    ended: &Ended,
    source: &Arc<TrackSource>,
) -> Result<(), pw::Error> {
    pw::init();
    let mainloop = pw::main_loop::MainLoopRc::new(None)?;
    let context = pw::context::ContextRc::new(&mainloop, None)?;
    let core = context.connect_fd_rc(fd, None)?;
    // The shared node leaving PipeWire is the share's end on every desktop (some also close the
    // portal session, which `watch` sees; xdg-desktop-portal-wlr only removes the node).
    let registry = core.get_registry_rc()?;
    let (gone, gone_loop) = (Arc::clone(ended), mainloop.downgrade());
    let _registry_listener = registry
        .add_listener_local()
        .global_remove(move |id| {
            if id == node {
                lock(&gone).get_or_insert(STOPPED_SHARING.to_owned());
                if let Some(mainloop) = gone_loop.upgrade() {
                    mainloop.quit();
                }
            }
        })
        .register();
    let stream = pw::stream::StreamRc::new(
        core,
        "mediarecorder",
        pw::properties::properties! {
            *pw::keys::MEDIA_TYPE => "Video",
            *pw::keys::MEDIA_CATEGORY => "Capture",
            *pw::keys::MEDIA_ROLE => "Screen",
        },
    )?;
    let format = Arc::new(Mutex::new(spa::param::video::VideoInfoRaw::default()));
    let (on_state, on_param, on_frame) = (Arc::clone(ended), Arc::clone(&format), Arc::clone(latest));
    let quit = mainloop.downgrade();
    let _listener = stream
        .add_local_listener::<()>()
        .state_changed(move |_, _, old, new| {
            let why = match (&old, &new) {
                (_, pw::stream::StreamState::Error(e)) => Some(format!("the screen's stream failed ({e})")),
                (
                    pw::stream::StreamState::Streaming | pw::stream::StreamState::Paused,
                    pw::stream::StreamState::Unconnected,
                ) => Some(STOPPED_SHARING.to_owned()),
                _ => None,
            };
            if let Some(why) = why {
                lock(&on_state).get_or_insert(why);
                if let Some(mainloop) = quit.upgrade() {
                    mainloop.quit();
                }
            }
        })
        .param_changed(move |_, _, id, param| {
            let Some(param) = param else { return };
            if id == spa::param::ParamType::Format.as_raw() {
                let _ = lock(&on_param).parse(param);
            }
        })
        .process(move |stream, _| {
            let Some(mut buffer) = stream.dequeue_buffer() else { return };
            let info = *lock(&format);
            let Some(data) = buffer.datas_mut().first_mut() else { return };
            let (offset, size, stride) =
                (data.chunk().offset() as usize, data.chunk().size() as usize, data.chunk().stride());
            let Some(bytes) = data.data() else { return };
            if let Some(frame) = convert(&info, bytes, (offset, size, stride), area) {
                *lock(&on_frame) = Some(frame);
            }
        })
        .register()?;
    let params = format_params();
    let mut params = [spa::pod::Pod::from_bytes(&params).ok_or(pw::Error::CreationFailed)?];
    stream.connect(
        spa::utils::Direction::Input,
        Some(node),
        pw::stream::StreamFlags::AUTOCONNECT | pw::stream::StreamFlags::MAP_BUFFERS,
        &mut params,
    )?;
    // The track was stopped, or the desktop closed the session: checked ten times a second.
    let (watched, closed, stopped) = (mainloop.downgrade(), Arc::clone(ended), Arc::clone(source));
    let timer = mainloop.loop_().add_timer(move |_| {
        let over = stopped.is_ended() || lock(&closed).is_some();
        if let Some(mainloop) = watched.upgrade().filter(|_| over) {
            mainloop.quit();
        }
    });
    let _ = timer.update_timer(Some(Duration::from_millis(100)), Some(Duration::from_millis(100)));
    mainloop.run();
    let _ = stream.disconnect();
    Ok(())
}

/// The formats taken: 32-bit packed RGB in any byte order, any size, any rate.
fn format_params() -> Vec<u8> {
    use spa::param::format::{FormatProperties, MediaSubtype, MediaType};
    use spa::pod::{property, Value};
    let object = spa::pod::object!(
        spa::utils::SpaTypes::ObjectParamFormat,
        spa::param::ParamType::EnumFormat,
        property!(FormatProperties::MediaType, Id, MediaType::Video),
        property!(FormatProperties::MediaSubtype, Id, MediaSubtype::Raw),
        property!(
            FormatProperties::VideoFormat,
            Choice,
            Enum,
            Id,
            VideoFormat::BGRx,
            VideoFormat::BGRx,
            VideoFormat::BGRA,
            VideoFormat::RGBx,
            VideoFormat::RGBA,
            VideoFormat::xRGB,
            VideoFormat::ARGB,
            VideoFormat::xBGR,
            VideoFormat::ABGR
        ),
        property!(
            FormatProperties::VideoSize,
            Choice,
            Range,
            Rectangle,
            spa::utils::Rectangle { width: 1280, height: 720 },
            spa::utils::Rectangle { width: 2, height: 2 },
            spa::utils::Rectangle { width: 8192, height: 8192 }
        ),
        property!(
            FormatProperties::VideoFramerate,
            Choice,
            Range,
            Fraction,
            spa::utils::Fraction { num: 30, denom: 1 },
            spa::utils::Fraction { num: 0, denom: 1 },
            spa::utils::Fraction { num: 1000, denom: 1 }
        ),
    );
    spa::pod::serialize::PodSerializer::serialize(std::io::Cursor::new(Vec::new()), &Value::Object(object))
        .map(|(cursor, _)| cursor.into_inner())
        .unwrap_or_default()
}

/// Where R, G and B sit in a 32-bit pixel of `format`.
fn rgb_offsets(format: VideoFormat) -> Option<[usize; 3]> {
    Some(match format {
        VideoFormat::BGRx | VideoFormat::BGRA => [2, 1, 0],
        VideoFormat::RGBx | VideoFormat::RGBA => [0, 1, 2],
        VideoFormat::xRGB | VideoFormat::ARGB => [1, 2, 3],
        VideoFormat::xBGR | VideoFormat::ABGR => [3, 2, 1],
        _ => return None,
    })
}

/// One PipeWire buffer (`(offset, size, stride)` of `bytes`) of the negotiated format as I420:
/// the part of `area` inside the picture (all of it without one), cropped to even width and
/// height.
fn convert(
    info: &spa::param::video::VideoInfoRaw,
    bytes: &[u8],
    (offset, size, stride): (usize, usize, i32),
    area: Option<(u32, u32, u32, u32)>,
) -> Option<(u32, u32, Arc<[u8]>)> {
    let offsets = rgb_offsets(info.format())?;
    let (full_w, full_h) = (info.size().width, info.size().height);
    let (x, y, w, h) = area.unwrap_or((0, 0, full_w, full_h));
    let (x, y) = (x.min(full_w), y.min(full_h));
    let (width, height) = (w.min(full_w - x) & !1, h.min(full_h - y) & !1);
    let stride = usize::try_from(stride).ok().filter(|&s| s >= full_w as usize * 4)?;
    let frame = bytes.get(offset..offset.checked_add(size)?)?;
    let start = y as usize * stride + x as usize * 4;
    // A buffer shorter than the picture (a damaged or empty chunk) is skipped, not read past.
    if width == 0 || height == 0 || frame.len() < start + stride * (height as usize - 1) + width as usize * 4 {
        return None;
    }
    let layout = PackedLayout { bytes_per_pixel: 4, rgb_offsets: offsets, stride: stride / 4 };
    Some((width, height, packed_to_i420(&frame[start..], layout, width, height).into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_ids_parse_and_round_trip() {
        let parse = |id: &str| DisplayMediaOptions::parse(id).unwrap().unwrap();
        assert_eq!(parse("display"), DisplayMediaOptions::default());
        let o = parse("display?surface=monitor&fps=15&cursor=hidden");
        assert_eq!((o.surface, o.fps, o.cursor), (DisplaySurface::Monitor, 15, false));
        assert_eq!(parse(&o.device_id()), o);
        let a = parse("display?x=10&y=20&w=320&h=240");
        assert_eq!(a.area, Some((10, 20, 320, 240)));
        assert_eq!(parse(&a.device_id()), a);
        for bad in
            ["display?fps=0", "display?surface=tab", "display?cursor=maybe", "display?x=1", "display?x=0&y=0&w=1&h=9"]
        {
            assert!(DisplayMediaOptions::parse(bad).unwrap().is_err(), "{bad}");
        }
        assert!(DisplayMediaOptions::parse("displays").is_none());
        assert!(DisplayMediaOptions::parse("screen:0").is_none());
    }

    #[test]
    fn every_byte_order_reads_the_same_colour() {
        // Orange (255, 128, 0) in each layout, one pixel of padding in the stride.
        for (format, px) in [
            (VideoFormat::BGRx, [0, 128, 255, 255]),
            (VideoFormat::RGBA, [255, 128, 0, 255]),
            (VideoFormat::xRGB, [255, 255, 128, 0]),
            (VideoFormat::ABGR, [255, 0, 128, 255]),
        ] {
            let offsets = rgb_offsets(format).unwrap();
            let row: Vec<u8> = px.iter().chain(&px).chain(&[0; 4]).copied().collect();
            let bytes = [row.clone(), row].concat();
            let layout = PackedLayout { bytes_per_pixel: 4, rgb_offsets: offsets, stride: 3 };
            let i420 = packed_to_i420(&bytes, layout, 2, 2);
            // BT.601 limited range: Y = 146, U = 53, V = 193 for orange.
            assert_eq!(i420[..], [146, 146, 146, 146, 53, 193][..], "{format:?}");
        }
    }

    #[test]
    fn an_area_crops_the_shared_picture_and_a_short_buffer_is_skipped() {
        // 8×4 BGRx, each pixel's blue its column and green its row; 4 pixels of padding a row.
        let mut info = spa::param::video::VideoInfoRaw::new();
        info.set_format(VideoFormat::BGRx);
        info.set_size(spa::utils::Rectangle { width: 8, height: 4 });
        let stride = 12 * 4;
        let bytes: Vec<u8> = (0..4u8).flat_map(|y| (0..12u8).flat_map(move |x| [x * 20, y * 60, 0, 255])).collect();
        let (w, h, whole) = convert(&info, &bytes, (0, bytes.len(), stride), None).unwrap();
        assert_eq!((w, h, whole.len()), (8, 4, 48));
        let (w, h, area) = convert(&info, &bytes, (0, bytes.len(), stride), Some((2, 2, 4, 2))).unwrap();
        assert_eq!((w, h), (4, 2));
        let layout = PackedLayout { bytes_per_pixel: 4, rgb_offsets: [2, 1, 0], stride: 12 };
        let expected = packed_to_i420(&bytes[2 * stride as usize + 2 * 4..], layout, 4, 2);
        assert_eq!(&area[..], &expected[..], "the area's pixels, from (2, 2)");
        // An area reaching past the picture keeps the part inside it.
        assert_eq!(
            convert(&info, &bytes, (0, bytes.len(), stride), Some((6, 0, 10, 10))).map(|f| (f.0, f.1)),
            Some((2, 4))
        );
        assert!(convert(&info, &bytes[..100], (0, 100, stride), None).is_none(), "a short buffer is not read past");
    }
}
