//! The recording first: the window's own thread runs at a lower scheduling priority than the
//! recorder's, and so do the threads the graphics driver starts from it (a thread inherits its
//! creator's nice value; Mesa's software rasteriser, `llvmpipe-N`, is most of a window's CPU on
//! a machine without a GPU). When the machine is short of CPU the window's frames wait, never
//! the capture and encoding. On an idle machine nothing changes: nice only weighs who goes first.

/// The nice value the window runs at: a tenth of the CPU share of a thread at 0 when both want
/// it (the kernel's weights: 110 against 1024). An ordinary user may raise a nice value but not
/// lower it again, so it is set once, on the window's thread only.
const WINDOW_NICE: i32 = 10;

/// Lowers the calling thread's priority to [`WINDOW_NICE`] (never raises it). Call it on the
/// window's thread after starting the threads that must keep theirs.
pub fn give_way_to_recording() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{getpriority_process, setpriority_process};
        let this_thread = Some(rustix::thread::gettid());
        // On Linux these take a thread id and apply to that thread alone.
        let now = getpriority_process(this_thread).unwrap_or(0);
        if now < WINDOW_NICE {
            if let Err(e) = setpriority_process(this_thread, WINDOW_NICE) {
                eprintln!("mediarecorder: cannot lower the window's priority: {e}");
            }
        }
    }
}
