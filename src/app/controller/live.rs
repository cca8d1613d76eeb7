//! The window's live values (level, picture, timer), published together at the rendering
//! budget's rate, and the budget's level, chosen once a second from what the machine has to
//! spare.

use super::*;

impl Engine {
    /// The level, the newest picture (scaled to the budget's preview size) and the timer, in
    /// one frame's news. Nothing while the window is hidden: no one would see it.
    pub(super) fn publish_live(&mut self) {
        if self.out.redraw.is_hidden() {
            self.live.meter = None;
            return;
        }
        let mut news = false;
        if let Some(reading) = self.live.meter.take() {
            self.out.mailbox.post(Update::Meter(reading));
            news = true;
        }
        if let Some(video) = &mut self.video {
            if let Some(frame) = video.newest.take() {
                video.sent += 1;
                let size = self.out.redraw.level().preview;
                self.out.mailbox.post(Update::VideoPreview(Some(thumbnail::thumbnail(&frame, size, video.sent))));
                news = true;
            }
        }
        if let Some(active) = &self.active {
            let stats = active.recorder.stats();
            self.out.mailbox.post(Update::Progress { media_ms: stats.media_ms, bytes: stats.bytes });
            news = true;
        }
        if news {
            self.out.redraw.request();
        }
    }

    /// Chooses the window's level for the next second: down when the machine is short of CPU or
    /// the recording dropped a frame, back up when there is plenty.
    pub(super) fn govern(&mut self) {
        let dropped = self.active.as_ref().map_or(0, |a| a.recorder.stats().dropped_video_frames);
        let recorder_dropped = dropped > self.live.dropped;
        self.live.dropped = dropped;
        let idle = self.live.idle.read();
        let level = self.live.governor.second(idle, recorder_dropped);
        self.out.redraw.set_level(level);
    }
}
