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
    let listed = installed_files("/usr");
    assert!(listed.len() >= 17, "{listed:?}");
    for file in &listed {
        assert!(stage.path().join(file.trim_start_matches('/')).is_file(), "{file} installed");
    }
    for file in [
        "bin/mediarecorder".to_owned(),
        format!("share/applications/{ID}.desktop"),
        format!("share/metainfo/{ID}.metainfo.xml"),
        format!("share/icons/hicolor/scalable/apps/{ID}.svg"),
        format!("share/icons/hicolor/256x256/apps/{ID}.png"),
        format!("share/icons/hicolor/16x16/apps/{ID}.png"),
        "share/man/man1/mediarecorder.1.gz".to_owned(),
        "share/bash-completion/completions/mediarecorder".to_owned(),
    ] {
        assert!(listed.contains(&format!("/usr/{file}")), "{file} is among the files installed");
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

/// What packaging/install.sh installs under `prefix` (`--list`): the one list the staging
/// install, the .deb and these tests share.
fn installed_files(prefix: &str) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging").join("install.sh");
    let out = Command::new(script).arg("--list").env("PREFIX", prefix).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

#[test]
fn the_icons_are_there_at_the_usual_sizes() {
    for size in [16u32, 22, 24, 32, 48, 64, 128, 256, 512] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("assets/icons/{size}x{size}.png"));
        let image = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).into_rgba8();
        assert_eq!(image.dimensions(), (size, size), "{}", path.display());
        // Drawn, not blank: the red record dot sits in the middle.
        let centre = image.get_pixel(size / 2, size / 2);
        assert!(centre[0] > 150 && centre[1] < 110 && centre[3] == 255, "{size}: centre {centre:?}");
    }
}

/// The man page and the completions come from the same definitions as --help.
#[test]
fn the_man_page_and_completions_describe_every_command() {
    let bin = env!("CARGO_BIN_EXE_mediarecorder");
    let run = |args: &[&str]| {
        let out = Command::new(bin).args(args).env("LC_ALL", "C.UTF-8").output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let man = run(&["man"]);
    assert!(man.contains(".TH mediarecorder 1"), "{man}");
    for word in ["mediarecorder\\-devices(1)", "mediarecorder\\-record(1)", "mediarecorder\\-recover(1)", "Examples:"] {
        assert!(man.contains(word), "the man page mentions {word}: {man}");
    }
    let record = run(&["man", "record"]);
    assert!(record.contains(".TH mediarecorder-record 1"), "{record}");
    for word in ["\\-\\-timeslice", "\\-\\-video", "Examples:", "test:tone"] {
        assert!(record.contains(word), "record's page mentions {word}: {record}");
    }
    let bash = run(&["completions", "bash"]);
    assert!(bash.contains("--timeslice") && bash.contains("recover"), "{bash}");
    let sourced = Command::new("bash")
        .arg("-c")
        .arg(format!("source /dev/stdin <<'EOF'\n{bash}\nEOF\ncomplete -p mediarecorder"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&sourced.stdout).contains("mediarecorder"), "bash accepts the script");
    assert!(run(&["completions", "zsh"]).starts_with("#compdef mediarecorder"));
    assert!(run(&["completions", "fish"]).contains("complete -c mediarecorder"));
    let help = run(&["record", "--help"]);
    assert!(help.contains("Examples:") && help.contains("--timeslice"), "{help}");
}

/// The .deb that the test command's set-up built (packaging/deb.sh) installs with dpkg, puts
/// every file in place, runs from /usr/bin, and is removed without a trace.
#[test]
fn the_deb_installs_runs_and_uninstalls_cleanly() {
    let debian = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/debian");
    let deb = std::fs::read_dir(&debian)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(&format!("mediarecorder_{}-", env!("CARGO_PKG_VERSION")))
        })
        .unwrap_or_else(|| panic!("no .deb in {}: the test command builds it (packaging/deb.sh)", debian.display()));
    let sh = |cmd: &str, args: &[&str]| {
        let out = Command::new(cmd).args(args).output().unwrap();
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let (_, uid) = sh("id", &["-u"]);
    assert_eq!(uid.trim(), "0", "dpkg -i needs root (the test machines run as root)");
    let (_, status) = sh("dpkg-query", &["-W", "-f=${Status}", "mediarecorder"]);
    assert!(
        !status.contains("install ok installed"),
        "mediarecorder is already installed on this machine; this test would replace it"
    );

    let deb = deb.to_str().unwrap();
    let (_, depends) = sh("dpkg-deb", &["-f", deb, "Depends"]);
    for lib in ["libasound2", "libopus0", "libvpx7", "libgtk-3-0", "libpipewire-0.3-0", "libspeexdsp1"] {
        assert!(depends.contains(lib), "Depends names {lib}: {depends}");
    }
    let (_, contents) = sh("dpkg-deb", &["-c", deb]);
    let files = installed_files("/usr");
    for file in &files {
        assert!(contents.contains(&format!(".{file}")), "{file} is in the package");
    }

    /// Removes the package whatever happens below.
    struct Purge;
    impl Drop for Purge {
        fn drop(&mut self) {
            let _removed = Command::new("dpkg").args(["--purge", "mediarecorder"]).output();
        }
    }
    let (ok, said) = sh("dpkg", &["-i", deb]);
    let _purge = Purge;
    assert!(ok, "dpkg -i: {said}");
    for file in &files {
        assert!(Path::new(file).is_file(), "{file} installed");
    }
    let (ok, version) = sh("/usr/bin/mediarecorder", &["--version"]);
    assert!(ok, "{version}");
    assert_eq!(version.trim(), format!("mediarecorder {}", env!("CARGO_PKG_VERSION")));
    let (_, listed) = sh("dpkg", &["-L", "mediarecorder"]);
    assert!(listed.contains("/usr/share/man/man1/mediarecorder.1.gz"), "{listed}");

    let (ok, said) = sh("dpkg", &["--purge", "mediarecorder"]);
    assert!(ok, "dpkg --purge: {said}");
    let left: Vec<_> = files.iter().filter(|f| Path::new(f.as_str()).exists()).collect();
    assert!(left.is_empty(), "removed without a trace: {left:?}");
    let (_, status) = sh("dpkg-query", &["-W", "-f=${Status}", "mediarecorder"]);
    assert!(!status.contains("install ok installed"), "{status}");
}
