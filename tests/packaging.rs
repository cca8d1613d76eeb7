//! The desktop entry and the AppStream metainfo in packaging/: valid by the freedesktop tools
//! themselves (`desktop-file-validate`, `appstreamcli validate`), and consistent with each other,
//! the binary and the crate's version.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::Command;

const ID: &str = "io.github.mediarecorder.MediaRecorder";

fn packaging(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging").join(file)
}

fn run(tool: &str, args: &[&str], file: &Path) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{tool} must be installed (the test command installs it): {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_desktop_entry_is_valid_and_launches_the_binary() {
    let file = packaging(&format!("{ID}.desktop"));
    let (ok, said) = run("desktop-file-validate", &[], &file);
    assert!(ok && said.trim().is_empty(), "desktop-file-validate: {said}");
    let entry = std::fs::read_to_string(&file).unwrap();
    assert!(entry.lines().any(|l| l == format!("Exec={}", env!("CARGO_PKG_NAME"))), "{entry}");
    assert!(entry.lines().any(|l| l == format!("Icon={ID}")), "{entry}");
    assert!(entry.contains("Categories=AudioVideo;") && entry.contains("Recorder;"), "{entry}");
}

#[test]
fn the_metainfo_is_valid_and_names_this_release_and_the_desktop_entry() {
    let file = packaging(&format!("{ID}.metainfo.xml"));
    let (ok, said) = run("appstreamcli", &["validate", "--no-net"], &file);
    assert!(ok, "appstreamcli validate: {said}");
    let xml = std::fs::read_to_string(&file).unwrap();
    assert!(xml.contains(&format!("<id>{ID}</id>")), "{xml}");
    assert!(xml.contains(&format!(r#"<launchable type="desktop-id">{ID}.desktop</launchable>"#)), "{xml}");
    assert!(
        xml.contains(&format!(r#"<release version="{}""#, env!("CARGO_PKG_VERSION"))),
        "the newest release notes are for version {}",
        env!("CARGO_PKG_VERSION")
    );
}

#[test]
fn install_puts_every_file_in_place_and_uninstall_takes_them_all_away() {
    let stage = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging").join("install.sh");
    let install = |args: &[&str]| {
        let out = Command::new(&script)
            .args(args)
            .env("DESTDIR", stage.path())
            .env("PREFIX", "/usr")
            .env("BIN", env!("CARGO_BIN_EXE_mediarecorder"))
            .output()
            .unwrap();
        assert!(out.status.success(), "install.sh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    install(&[]);
    let usr = stage.path().join("usr");
    for file in [
        "bin/mediarecorder".to_owned(),
        format!("share/applications/{ID}.desktop"),
        format!("share/metainfo/{ID}.metainfo.xml"),
        format!("share/icons/hicolor/scalable/apps/{ID}.svg"),
        format!("share/icons/hicolor/256x256/apps/{ID}.png"),
    ] {
        assert!(usr.join(&file).is_file(), "{file} installed");
    }
    let version = Command::new(usr.join("bin/mediarecorder")).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("mediarecorder {}", env!("CARGO_PKG_VERSION")),
        "the installed binary runs"
    );

    install(&["--uninstall"]);
    let left: Vec<_> = walk(&usr).into_iter().filter(|p| p.is_file()).collect();
    assert!(left.is_empty(), "uninstall leaves nothing: {left:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}
