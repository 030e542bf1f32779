//! What the integration tests that start runtimes share: the hang guard.

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
        // A panic drops the sender: join re-raises the panic with its message.
        Err(_) if runner.is_finished() => runner.join().unwrap(),
        Err(_) => panic!("hung for {HANG_GUARD:?}"),
    }
}
