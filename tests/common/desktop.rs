//! The real binary in a real window on Xvfb, driven with xdotool.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Xvfb;

/// What the test does on the display: type keys, find and focus windows.
pub trait Desktop {
    fn xdotool(&self, args: &[&str]) -> String;
    fn window(&self, name: &str, timeout: Duration) -> String;
    fn focus(&self, window: &str);
}

impl Desktop for Xvfb {
    fn xdotool(&self, args: &[&str]) -> String {
        let out = Command::new("xdotool").args(args).env("DISPLAY", &self.display).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The first window whose name matches, waiting up to `timeout`.
    fn window(&self, name: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.xdotool(&["search", "--onlyvisible", "--name", name]);
            if let Some(id) = found.lines().next() {
                return id.to_string();
            }
            if Instant::now() > deadline {
                // What the screen showed instead, for whoever reads the failure.
                let shot = std::env::temp_dir().join("mediarecorder-desktop-failure.png");
                let _taken =
                    Command::new("import").args(["-window", "root"]).arg(&shot).env("DISPLAY", &self.display).status();
                panic!("no window named {name:?} appeared (screen: {})", shot.display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn focus(&self, window: &str) {
        self.xdotool(&["windowfocus", "--sync", window]);
    }
}

/// The app, killed by pid when dropped (whatever the test's outcome).
pub struct App(pub Child);

impl App {
    /// The binary on `x`'s display with its own home (data, config) in `home`; `adjust` adds to
    /// its environment.
    pub fn start(x: &Xvfb, home: &Path, adjust: impl FnOnce(&mut Command) -> &mut Command) -> App {
        let mut command = Command::new(env!("CARGO_BIN_EXE_mediarecorder"));
        command
            .env("DISPLAY", &x.display)
            .env_remove("WAYLAND_DISPLAY")
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        adjust(&mut command);
        App(command.spawn().unwrap())
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _gone = self.0.kill();
        let _reaped = self.0.wait();
    }
}
