//! The README's library example, compiled by `cargo test` so it stays true.
//! `cargo run --example record -- [DEVICE_ID] [OUT.webm]` records 3 s (default: the test tone).

use std::time::Duration;

use mediarecorder::{
    enumerate_devices, MediaRecorder, MediaRecorderOptions, MediaStream, RecorderError, RecorderEvent,
};

fn main() -> Result<(), RecorderError> {
    let mut args = std::env::args().skip(1);
    let device = args.next().unwrap_or_else(|| "test:tone".into());
    let out = args.next().unwrap_or_else(|| "take.webm".into());

    let mics = enumerate_devices()?; // navigator.mediaDevices.enumerateDevices()
    println!("{} capture devices", mics.len());
    let stream = MediaStream::open(Some(&device), None)?; // getUserMedia({ audio: true })
    let options = MediaRecorderOptions { mime_type: Some("audio/webm;codecs=opus".into()), ..Default::default() };
    let recorder = MediaRecorder::new(stream, options)?;
    recorder.start(Some(1000))?; // a dataavailable about every second
    std::thread::sleep(Duration::from_secs(3));
    recorder.stop()?;
    for event in recorder.events().iter() {
        match event {
            RecorderEvent::DataAvailable(e) => println!("{} bytes at {} ms", e.data.size(), e.timecode),
            RecorderEvent::Stop => break,
            _ => {}
        }
    }
    let session = recorder.session_dir().ok_or_else(|| RecorderError::Unknown("no session was written".into()))?;
    mediarecorder::store::assemble(&session, out.as_ref(), false)?;
    println!("wrote {out}");
    Ok(())
}
