//! Whether the window can be seen, on X11. winit reports a window covered by another
//! (`Occluded`) but not one unmapped — minimised (iconified), on another workspace, hidden by
//! its owner — and eframe then goes on drawing frames no one sees. This watches the window on a
//! connection of its own: unmapped, fully covered, or minimised (`_NET_WM_STATE_HIDDEN`,
//! ICCCM's iconic `WM_STATE`) is hidden. On Wayland the compositor stops asking for frames by
//! itself, and eframe follows it.

use std::sync::Arc;
use std::thread::JoinHandle;

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ChangeWindowAttributesAux, ConnectionExt, CreateWindowAux, EventMask, MapState, Visibility, Window,
    WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// ICCCM `WM_STATE`'s IconicState.
const ICONIC_STATE: u32 = 3;

/// Watches one window; stops (and joins) when dropped.
pub struct VisibilityWatcher {
    conn: Arc<RustConnection>,
    /// A window of our own, destroyed to wake the thread when it must stop.
    stop_window: Window,
    thread: Option<JoinHandle<()>>,
}

impl VisibilityWatcher {
    /// Watches `window` on the display in `$DISPLAY`; `on_change(hidden)` is called with the
    /// state now and at every change.
    ///
    /// # Errors
    /// When the display cannot be reached or the window is not there.
    pub fn start(window: Window, on_change: impl Fn(bool) + Send + 'static) -> Result<VisibilityWatcher, String> {
        let (conn, screen) = x11rb::connect(None).map_err(|e| e.to_string())?;
        let conn = Arc::new(conn);
        let root = conn.setup().roots.get(screen).map(|s| s.root).ok_or("no X screen")?;
        let x = |e: &dyn std::fmt::Display| e.to_string();
        let atoms = Atoms::intern(&conn).map_err(|e| x(&e))?;
        // Events first, then the state: a change in between arrives as an event.
        let watched = EventMask::STRUCTURE_NOTIFY | EventMask::VISIBILITY_CHANGE | EventMask::PROPERTY_CHANGE;
        conn.change_window_attributes(window, &ChangeWindowAttributesAux::new().event_mask(watched))
            .map_err(|e| x(&e))?
            .check()
            .map_err(|e| x(&e))?;
        let stop_window = conn.generate_id().map_err(|e| x(&e))?;
        conn.create_window(
            0,
            stop_window,
            root,
            0,
            0,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new().event_mask(EventMask::STRUCTURE_NOTIFY),
        )
        .map_err(|e| x(&e))?;
        let mapped = conn.get_window_attributes(window).map_err(|e| x(&e))?.reply().map_err(|e| x(&e))?.map_state
            == MapState::VIEWABLE;
        let mut seen = Seen { mapped, covered: false, minimised: atoms.minimised(&conn, window) };
        conn.flush().map_err(|e| x(&e))?;

        let thread_conn = Arc::clone(&conn);
        let thread = std::thread::Builder::new()
            .name("window-visibility".into())
            .spawn(move || {
                let conn = thread_conn;
                let mut hidden = seen.hidden();
                on_change(hidden);
                while let Ok(event) = conn.wait_for_event() {
                    match event {
                        Event::MapNotify(e) if e.window == window => seen.mapped = true,
                        Event::UnmapNotify(e) if e.window == window => seen.mapped = false,
                        Event::VisibilityNotify(e) if e.window == window => {
                            seen.covered = e.state == Visibility::FULLY_OBSCURED;
                        }
                        Event::PropertyNotify(e) if e.window == window && atoms.tells_minimised(e.atom) => {
                            seen.minimised = atoms.minimised(&conn, window);
                        }
                        Event::DestroyNotify(e) if e.window == window || e.window == stop_window => break,
                        _ => continue,
                    }
                    if seen.hidden() != hidden {
                        hidden = seen.hidden();
                        on_change(hidden);
                    }
                }
            })
            .map_err(|e| x(&e))?;
        Ok(VisibilityWatcher { conn, stop_window, thread: Some(thread) })
    }
}

impl Drop for VisibilityWatcher {
    fn drop(&mut self) {
        // Destroying our own window wakes the thread (DestroyNotify); a connection that cannot
        // send it is broken, and the thread's wait has ended with an error. Then join.
        let _sent = self.conn.destroy_window(self.stop_window).map(|_| self.conn.flush());
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                eprintln!("mediarecorder: the window-visibility thread panicked");
            }
        }
    }
}

/// What was last seen of the window.
struct Seen {
    mapped: bool,
    covered: bool,
    minimised: bool,
}

impl Seen {
    fn hidden(&self) -> bool {
        !self.mapped || self.covered || self.minimised
    }
}

struct Atoms {
    net_wm_state: Atom,
    net_wm_state_hidden: Atom,
    wm_state: Atom,
}

impl Atoms {
    fn intern(conn: &RustConnection) -> Result<Atoms, Box<dyn std::error::Error>> {
        let atom = |name: &str| -> Result<Atom, Box<dyn std::error::Error>> {
            Ok(conn.intern_atom(false, name.as_bytes())?.reply()?.atom)
        };
        Ok(Atoms {
            net_wm_state: atom("_NET_WM_STATE")?,
            net_wm_state_hidden: atom("_NET_WM_STATE_HIDDEN")?,
            wm_state: atom("WM_STATE")?,
        })
    }

    fn tells_minimised(&self, atom: Atom) -> bool {
        atom == self.net_wm_state || atom == self.wm_state
    }

    /// Minimised, as the window manager says (no window manager: never).
    fn minimised(&self, conn: &RustConnection, window: Window) -> bool {
        let values = |property: Atom, kind: Atom| -> Vec<u32> {
            conn.get_property(false, window, property, kind, 0, 64)
                .ok()
                .and_then(|cookie| cookie.reply().ok())
                .and_then(|reply| reply.value32().map(Iterator::collect))
                .unwrap_or_default()
        };
        values(self.net_wm_state, AtomEnum::ATOM.into()).contains(&self.net_wm_state_hidden)
            || values(self.wm_state, self.wm_state).first() == Some(&ICONIC_STATE)
    }
}
