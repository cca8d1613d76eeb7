//! A headless Wayland desktop of the test's own (scripts/wayland-session.sh: sway, PipeWire,
//! the ScreenCast portal), stopped by pid when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct WaylandSession {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl WaylandSession {
    /// A desktop that shares its one output (1280×720, orange) without asking.
    pub fn start() -> WaylandSession {
        Self::start_with(&[])
    }

    /// A desktop whose every request to share is refused (the user cancelled the dialog).
    pub fn refusing() -> WaylandSession {
        Self::start_with(&["refuse"])
    }

    /// A desktop whose user takes 2 s to choose the output to share.
    pub fn slow() -> WaylandSession {
        Self::start_with(&["slow"])
    }

    fn start_with(extra: &[&str]) -> WaylandSession {
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/wayland-session.sh");
        let out = Command::new(script).arg("start").arg(dir.path()).args(extra).output().unwrap();
        let mut session = WaylandSession { env: Vec::new(), dir };
        assert!(out.status.success(), "the Wayland session did not start: {}", String::from_utf8_lossy(&out.stderr));
        session.env = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("export MEDIARECORDER_WL_"))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        session
    }

    fn var(&self, name: &str) -> &str {
        &self.env.iter().find(|(k, _)| k == name).unwrap().1
    }

    /// What a program started on this desktop sees: its display and session bus, no X11.
    pub fn apply<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        command
            .env_remove("DISPLAY")
            .env("WAYLAND_DISPLAY", self.var("WAYLAND_DISPLAY"))
            .env("DBUS_SESSION_BUS_ADDRESS", self.var("DBUS_SESSION_BUS_ADDRESS"))
            .env("XDG_SESSION_TYPE", "wayland")
    }

    /// The variables `apply` sets, for a test that runs the library in its own process.
    pub fn vars(&self) -> [(&'static str, String); 2] {
        [
            ("WAYLAND_DISPLAY", self.var("WAYLAND_DISPLAY").to_owned()),
            ("DBUS_SESSION_BUS_ADDRESS", self.var("DBUS_SESSION_BUS_ADDRESS").to_owned()),
        ]
    }

    /// Runs `swaymsg` against the compositor (e.g. `output HEADLESS-1 bg #00ff00 solid_color`).
    pub fn swaymsg(&self, args: &[&str]) {
        let out = Command::new("swaymsg").env("SWAYSOCK", self.var("SWAYSOCK")).args(args).output().unwrap();
        assert!(out.status.success(), "swaymsg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The compositor's window tree (`swaymsg -t get_tree`), as JSON text.
    pub fn tree(&self) -> String {
        let out =
            Command::new("swaymsg").env("SWAYSOCK", self.var("SWAYSOCK")).args(["-t", "get_tree"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Ends the newest share as the desktop's "stop sharing" does: the backend closes its
    /// session (named in its log), through the session's bus.
    pub fn stop_sharing(&self) {
        let log = self.backend_log();
        let handle = log.lines().rev().find_map(|l| l.split("session_handle: ").nth(1));
        let handle = handle.unwrap_or_else(|| panic!("a session in the backend's log: {log}")).trim();
        let out = Command::new("dbus-send")
            .arg(format!("--bus={}", self.var("DBUS_SESSION_BUS_ADDRESS")))
            .args(["--print-reply", "--dest=org.freedesktop.impl.portal.desktop.wlr", handle])
            .arg("org.freedesktop.impl.portal.Session.Close")
            .output()
            .unwrap();
        assert!(out.status.success(), "closing {handle}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The ScreenCast backend's log so far (what it was asked, and what it restored).
    pub fn backend_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("portal-wlr.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A screenshot of the whole output (grim, through the compositor), as PNG at `png`.
    pub fn screenshot(&self, png: &Path) -> PathBuf {
        let mut grim = Command::new("grim");
        let out = self.apply(&mut grim).arg(png).output().unwrap();
        assert!(out.status.success(), "grim: {}", String::from_utf8_lossy(&out.stderr));
        png.to_path_buf()
    }
}

impl Drop for WaylandSession {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/wayland-session.sh");
        let _stopped = Command::new(script).arg("stop").arg(self.dir.path()).status();
    }
}
