//! The governor's measurements, kept on disk between runs: how fast each AV1 encoder goes is a
//! property of the machine, so a second recording — even in a new process — starts at once
//! instead of spending a couple of seconds (and CPU) measuring again. An entry names the machine
//! (CPU model and cores), the program's version (rav1e is built in) and libaom's, and is
//! measured again after [`MAX_AGE_S`].

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::aom::AomConfig;
use super::governor::{Av1Choice, Av1Engine};
use super::Av1Config;

/// Measurements older than this are taken again (the machine or its load may have changed).
pub(super) const MAX_AGE_S: u64 = 7 * 24 * 3600;

/// One remembered choice, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    key: String,
    measured_unix_s: u64,
    /// `rav1e` or `aom`.
    engine: String,
    speed: u8,
    tiles: u32,
    threads: u32,
    width: u32,
    height: u32,
    scale: u32,
    measured_fps: f64,
    codec_private: Vec<u8>,
    passed_over: Vec<String>,
}

/// Where the measurements live: `$XDG_CACHE_HOME/mediarecorder/av1-speeds.json`.
pub(super) fn default_path() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("mediarecorder").join("av1-speeds.json"))
}

/// What identifies a measurement: the recording's size, rate and bitrate, and the machine and
/// encoders it was taken on.
pub(super) fn key(width: u32, height: u32, fps: u32, bits_per_second: u32) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| Some(l.strip_prefix("model name")?.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    format!(
        "{width}x{height}@{fps} {bits_per_second} bit/s; {cpu} × {cores}; mediarecorder {}; libaom {}",
        env!("CARGO_PKG_VERSION"),
        super::aom::version()
    )
}

fn now_s() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn read(path: &Path) -> Vec<Entry> {
    std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// The choice remembered for `key` (for a recording at `fps` and `bits_per_second`), unless it
/// is older than [`MAX_AGE_S`].
pub(super) fn load(path: &Path, key: &str, fps: u32, bits_per_second: u32) -> Option<Av1Choice> {
    let fresh = |e: &Entry| e.key == key && now_s().saturating_sub(e.measured_unix_s) < MAX_AGE_S;
    let entry = read(path).into_iter().find(fresh)?;
    let (width, height, speed, threads) = (entry.width, entry.height, entry.speed, entry.threads);
    let engine = match entry.engine.as_str() {
        "rav1e" => {
            Av1Engine::Rav1e(Av1Config { width, height, fps, bits_per_second, speed, tiles: entry.tiles, threads })
        }
        "aom" => Av1Engine::Aom(AomConfig { width, height, fps, bits_per_second, speed, threads }),
        _ => return None,
    };
    Some(Av1Choice {
        engine,
        scale: entry.scale,
        measured_fps: entry.measured_fps,
        codec_private: entry.codec_private,
        passed_over: entry.passed_over,
    })
}

/// Remembers `choice` for `key` (replacing what was there). A cache that cannot be written is
/// no error: the next run measures again.
pub(super) fn store(path: &Path, key: &str, choice: &Av1Choice) {
    let (engine, speed, tiles, threads) = match choice.engine {
        Av1Engine::Rav1e(c) => ("rav1e", c.speed, c.tiles, c.threads),
        Av1Engine::Aom(c) => ("aom", c.speed, 0, c.threads),
    };
    let (width, height) = choice.engine.size();
    let mut entries: Vec<Entry> = read(path).into_iter().filter(|e| e.key != key).collect();
    entries.push(Entry {
        key: key.to_owned(),
        measured_unix_s: now_s(),
        engine: engine.to_owned(),
        speed,
        tiles,
        threads,
        width,
        height,
        scale: choice.scale,
        measured_fps: choice.measured_fps,
        codec_private: choice.codec_private.clone(),
        passed_over: choice.passed_over.clone(),
    });
    let Ok(json) = serde_json::to_vec_pretty(&entries) else { return };
    if let Some(dir) = path.parent() {
        let _made = std::fs::create_dir_all(dir);
    }
    // Written whole and renamed, so a reader never sees half of it.
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    if std::fs::write(&tmp, json).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _gone = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_is_remembered_for_its_key_until_it_is_old() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("av1-speeds.json");
        let engine = AomConfig { width: 1280, height: 720, fps: 30, bits_per_second: 2_500_000, speed: 8, threads: 2 };
        let choice = Av1Choice {
            engine: Av1Engine::Aom(engine),
            scale: 1,
            measured_fps: 120.0,
            codec_private: vec![0x81, 0, 0x0c, 0],
            passed_over: vec!["rav1e speed 10 at 1280×720 41 fps".into()],
        };
        assert_eq!(load(&path, "k", 30, 2_500_000), None, "nothing yet");
        store(&path, "k", &choice);
        assert_eq!(load(&path, "k", 30, 2_500_000), Some(choice.clone()));
        assert_eq!(load(&path, "other", 30, 2_500_000), None);
        // Another recording's bitrate is its own.
        let Some(Av1Choice { engine: Av1Engine::Aom(c), .. }) = load(&path, "k", 25, 1_000_000) else { panic!() };
        assert_eq!((c.fps, c.bits_per_second, c.speed), (25, 1_000_000, 8));
        // Too old: measured again.
        let mut entries = read(&path);
        entries[0].measured_unix_s -= MAX_AGE_S;
        std::fs::write(&path, serde_json::to_vec(&entries).unwrap()).unwrap();
        assert_eq!(load(&path, "k", 30, 2_500_000), None);
        // Damaged: as if empty.
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(load(&path, "k", 30, 2_500_000), None);
        store(&path, "k", &choice);
        assert!(load(&path, "k", 30, 2_500_000).is_some());
    }

    #[test]
    fn the_key_names_the_machine_and_the_encoders() {
        let k = key(1280, 720, 30, 2_500_000);
        assert!(k.starts_with("1280x720@30 2500000 bit/s; "), "{k}");
        assert!(k.contains("libaom ") && k.contains(env!("CARGO_PKG_VERSION")), "{k}");
    }
}
