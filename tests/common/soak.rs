//! The soak tests' measure: a recording run to its end while the process's own peak memory,
//! open files and threads are read after the first minute of media and at the end.

use std::time::Duration;

use mediarecorder::{MediaRecorder, RecorderEvent};

/// What the process holds.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub peak_rss_kb: u64,
    pub open_files: usize,
    pub threads: usize,
}

pub fn usage() -> Usage {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak_rss_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    Usage {
        peak_rss_kb,
        open_files: std::fs::read_dir("/proc/self/fd").unwrap().count(),
        threads: std::fs::read_dir("/proc/self/task").unwrap().count(),
    }
}

/// What a soak saw: usage after the first minute of media and at the end, and the number of
/// DataAvailable events.
pub struct Soak {
    pub after_a_minute: Usage,
    pub at_the_end: Usage,
    pub blobs: usize,
}

/// Starts `r` with a 1 s timeslice and runs it until its sources end it.
pub fn soak(r: &MediaRecorder) -> Soak {
    let events = r.events();
    r.start(Some(1000)).unwrap();
    let (mut after_a_minute, mut blobs) = (None, 0);
    loop {
        match events.recv_timeout(Duration::from_secs(60)).expect("the recorder keeps going") {
            RecorderEvent::DataAvailable(_) => {
                blobs += 1;
                if after_a_minute.is_none() && r.stats().media_ms >= 60_000.0 {
                    after_a_minute = Some(usage());
                }
            }
            RecorderEvent::Stop => break,
            RecorderEvent::Error(e) => panic!("{e}"),
            _ => {}
        }
    }
    Soak { after_a_minute: after_a_minute.expect("a minute was recorded"), at_the_end: usage(), blobs }
}

impl Soak {
    /// Peak memory within 10 % of the first minute's; open files and threads not grown.
    pub fn assert_flat(&self) {
        let (minute, end) = (self.after_a_minute, self.at_the_end);
        assert!(
            end.peak_rss_kb as f64 <= minute.peak_rss_kb as f64 * 1.10,
            "peak RSS grew from {} kB at 1 min to {} kB at the end",
            minute.peak_rss_kb,
            end.peak_rss_kb
        );
        assert!(end.open_files <= minute.open_files, "open files {minute:?} -> {end:?}");
        assert!(end.threads <= minute.threads, "threads {minute:?} -> {end:?}");
    }
}
