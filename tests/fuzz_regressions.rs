//! Replays the fuzz corpora and findings (`fuzz/corpus/<target>/`, `fuzz/artifacts/<target>/`)
//! through the same checks the fuzz targets run, so every input that ever mattered to a fuzzer
//! stays a regression test on stable Rust, without the fuzzer. Fuzzing itself: see fuzz/README.md.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in [root.join("corpus").join(target), root.join("artifacts").join(target)] {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            // A panic names the input, so the finding can be reproduced.
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target}: {} fails its check", path.display());
            count += 1;
        }
    }
    assert!(count > 0, "{target}: no corpus under {}", root.display());
}

#[test]
fn ogg_recovery_corpus() {
    replay("ogg_recovery", checks::ogg_recovery);
}

#[test]
fn webm_finalize_corpus() {
    replay("webm_finalize", checks::webm_finalize);
}

#[test]
fn session_files_corpus() {
    replay("session_files", checks::session_files);
}

#[test]
fn settings_corpus() {
    replay("settings", checks::settings);
}
