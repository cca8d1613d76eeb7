//! No stall reaches the caller: a consumer that reads no events (for longer than the event queue
//! lasts) makes the recorder thread wait for it — that is how no event is ever dropped — but
//! `start()` and `stop()` from other threads still return, and every event is delivered in order
//! once someone reads.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::time::{Duration, Instant};

use common::*;
use mediarecorder::{RecorderError, RecorderEvent};

/// More than the recorder's event queue holds (1024).
const UNREAD: usize = 1030;

#[test]
fn start_and_stop_return_while_nobody_reads_events_and_every_event_then_arrives_in_order() {
    let store = tempfile::tempdir().unwrap();
    let r = recorder("test:tone", "audio/ogg;codecs=opus", store.path());
    r.start(None).unwrap();
    // One DataAvailable per request_data: the queue fills and the recorder thread waits.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut asked = 0;
    while asked < UNREAD {
        match r.request_data() {
            Ok(()) => asked += 1,
            // The command queue is full while the thread writes chunks: ask again.
            Err(RecorderError::Busy) => std::thread::sleep(Duration::from_millis(1)),
            Err(e) => panic!("request_data: {e}"),
        }
        assert!(Instant::now() < deadline, "{asked} request_data calls taken");
    }
    let events = r.events();
    while events.len() < events.capacity().unwrap() {
        assert!(Instant::now() < deadline, "the event queue did not fill ({} events)", events.len());
        std::thread::sleep(Duration::from_millis(10));
    }

    r.stop().unwrap();
    let (done_tx, done) = crossbeam_channel::bounded(2);
    std::thread::scope(|s| {
        // A second recording, started on another thread while the first still waits for a
        // reader, then stopped from a third.
        let (r, done_tx) = (&r, done_tx);
        s.spawn(move || {
            let started = r.start(Some(1000));
            done_tx.send(("start", started.map_err(|e| e.to_string()))).unwrap();
            let stopper = done_tx.clone();
            s.spawn(move || stopper.send(("stop", r.stop().map_err(|e| e.to_string()))).unwrap());
        });
        for _ in 0..2 {
            let (what, result) = done
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("start or stop did not return while the recorder waited for a reader"));
            assert_eq!(result, Ok(()), "{what}");
        }
    });

    // Everything, in order: the first recording's events, then the second's.
    let mut got = Vec::new();
    while got.iter().filter(|e| matches!(e, RecorderEvent::Stop)).count() < 2 {
        got.push(events.recv_timeout(Duration::from_secs(20)).expect("every event delivered"));
    }
    let names = names(&got);
    let first_stop = names.iter().position(|n| *n == "stop").unwrap();
    assert_eq!(names[0], "start");
    let others = |events: &[&str]| events.iter().filter(|n| **n != "data").count();
    assert_eq!(others(&names[1..first_stop]), 0, "only blobs between the first Start and Stop");
    assert_eq!(first_stop, 1 + UNREAD + 1, "a blob per request_data, and the last one at stop");
    let second = &names[first_stop + 1..];
    assert_eq!(second.first(), Some(&"start"), "the second recording starts after the first stopped");
    assert_eq!(second.last(), Some(&"stop"));
    assert_eq!(others(&second[1..second.len() - 1]), 0, "second recording: {second:?}");
}
