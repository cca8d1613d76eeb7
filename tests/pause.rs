//! Pause 1 s in the middle of a 3 s recording: the file is 2.0 ± 0.1 s with no gap and no click
//! at the seam.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::time::Duration;

use common::*;

#[test]
fn a_one_second_pause_is_cut_out_without_gap_or_click() {
    for (mime, ext) in [("audio/ogg;codecs=opus", "ogg"), ("audio/webm;codecs=opus", "webm")] {
        let store = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let r = recorder("test:tone", mime, store.path());
        r.start(Some(1000)).unwrap();
        std::thread::sleep(Duration::from_millis(1000));
        r.pause().unwrap();
        std::thread::sleep(Duration::from_millis(1000));
        r.resume().unwrap();
        std::thread::sleep(Duration::from_millis(1000));
        r.stop().unwrap();
        events_until_stop(&r, Duration::from_secs(10));
        let file = assemble(&r, out.path(), ext);
        assert_eq!(ffmpeg_errors(&file), "");
        let duration = probe(&file).duration_s;
        assert!((duration - 2.0).abs() <= 0.1, "{mime}: {duration} s");

        let s = decode_mono(&file);
        // Skip the codec's start-up and the end; look at the whole middle, seam included.
        let body = &s[4_800..s.len() - 4_800];
        // No gap: every 5 ms window keeps the tone's level (a -6 dBFS sine has RMS 0.35).
        for (i, w) in body.chunks_exact(240).enumerate() {
            let rms = (w.iter().map(|x| x * x).sum::<f32>() / w.len() as f32).sqrt();
            assert!(
                rms > 0.1,
                "{mime}: near-silent 5 ms window at {:.3} s (rms {rms})",
                (4_800 + i * 240) as f64 / 48_000.0
            );
        }
        // No click: the largest sample-to-sample step stays near that of a clean 440 Hz sine
        // (0.5 · 2π · 440 / 48000 ≈ 0.029); a phase jump at the seam would be up to 1.0.
        let max_step = body.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0f32, f32::max);
        assert!(max_step < 0.06, "{mime}: a step of {max_step} (a click)");
    }
}
