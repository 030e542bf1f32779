//! What the integration tests that start runtimes share: the hang guard, panic messages.

// Each test file compiles its own copy of this module and uses a part of it.
#![allow(dead_code)]

use std::sync::mpsc::channel;
use std::time::Duration;

/// A hang guard, never a speed bound. Under Miri time is virtual: when every thread waits,
/// the clock jumps to the next timeout, so a hang fails quickly there too.
pub const HANG_GUARD: Duration = Duration::from_secs(30);

/// Runs `body` on its own thread and fails if it does not finish within [`HANG_GUARD`]
/// (re-raising its panic if it panicked).
pub fn within_hang_guard(body: impl FnOnce() + Send + 'static) {
    let (done_tx, done_rx) = channel();
    let runner = std::thread::spawn(move || {
        body();
        done_tx.send(()).unwrap();
    });
    match done_rx.recv_timeout(HANG_GUARD) {
        Ok(()) => runner.join().unwrap(),
        // A panic drops the sender (which can come before `is_finished` says so): join
        // re-raises the panic with its message.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => runner.join().unwrap(),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("hung for {HANG_GUARD:?}"),
    }
}

/// A panic's message, whether it was formatted (`String`) or a literal (`&str`); empty for
/// any other payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
