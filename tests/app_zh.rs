//! The window in Simplified Chinese: every string from the zh-CN catalogue, drawn with the
//! system's CJK font (fonts-wqy-microhei in the test set-up). A process of its own, because
//! the language is chosen once per process, as the app does from the locale.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod fixtures;

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use fixtures::{entry, idle};
use mediarecorder::app::main_ui;
use mediarecorder::app::state::{AppState, RecordingStatus};
use mediarecorder::i18n::{self, Language};
use mediarecorder::RecordingState;

/// Paused, with a recovered recording in the list.
fn state() -> AppState {
    let mut s = idle();
    s.recording_state = RecordingState::Paused;
    s.media_ms = 12_700.0;
    s.bytes = 203_000;
    s.recordings = vec![entry("a", "Meeting", 754_200.0, 12_080_000, "ogg", RecordingStatus::Recovered)];
    s
}

#[test]
fn with_a_chinese_locale_the_window_speaks_chinese() {
    // What the app does at start-up with LANG=zh_CN.UTF-8.
    assert_eq!(Language::from_locale("zh_CN.UTF-8"), Some(Language::SimplifiedChinese));

    // The harness draws a first frame as it is built, before its fonts can be set: that one in
    // English, like the moment before the app's creation installs the fonts.
    let mut harness = Harness::builder()
        .with_size(egui::vec2(900.0, 680.0))
        .build_ui_state(|ui, state: &mut AppState| drop(main_ui(ui, state)), state());
    mediarecorder::app::fonts::install(&harness.ctx, Language::SimplifiedChinese)
        .expect("a CJK font (the test command installs fonts-wqy-microhei)");
    i18n::set_language(Language::SimplifiedChinese);
    // From now on, as the controller gives them: device labels in Chinese (a device's own name
    // kept), and a name a Chinese user gave.
    let state = harness.state_mut();
    for device in &mut state.devices {
        device.label = i18n::device_label(&device.label);
    }
    state.recordings[0].name = "会议记录".into();
    harness.run();
    assert!(harness.query_by_value("默认 – Virtual Mic A (440 Hz)").is_some(), "the default microphone, in Chinese");

    // The controls, the pickers and the list, by their Chinese names; the English ones are gone.
    for label in ["录制", "继续", "停止", "重命名", "播放", "保存…", "删除"] {
        harness.get_by_label(label);
    }
    for label in ["Record", "Resume", "Stop", "Rename", "Play", "Save…", "Delete", "Microphone"] {
        assert!(harness.query_by_label(label).is_none(), "{label} is still in English");
    }
    for text in ["麦克风", "视频", "录音", "已暂停", "已恢复：应用在录制完成前关闭了"] {
        assert!(harness.query_by_label_contains(text).is_some(), "{text} is shown");
    }
    harness.snapshot("zh_CN");
}
