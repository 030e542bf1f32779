//! A task in a worker's LIFO slot is not stranded when the task that put it there blocks its
//! worker waiting for it: another worker takes it.

use filch_executor::{spawn, Builder};
use std::sync::mpsc;
use std::time::Duration;

/// Longer than any wake-up and steal on a loaded machine, short enough that the test fails
/// quickly when the child is stranded (then it runs only after the parent gives up).
const PATIENCE: Duration = Duration::from_secs(5);

#[test]
fn a_child_in_the_lifo_slot_runs_while_its_parent_blocks_the_worker() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    // Several rounds, so that the other worker is asleep in some and still searching or
    // falling asleep in others.
    for round in 0..20 {
        let parent = rt.spawn(async move {
            let (tx, rx) = mpsc::channel();
            // Spawned on this worker: the child goes to its LIFO slot...
            // (A send after the parent gave up fails: the assertion below reports that.)
            let child = spawn(async move { tx.send(()).is_ok() });
            // ...and this worker blocks until the child ran (bad practice, but common).
            let outcome = rx.recv_timeout(PATIENCE);
            drop(child);
            outcome
        });
        // The parent's own timeout is the watchdog: it gives up, so this never hangs.
        let outcome = rt.block_on(parent).unwrap();
        assert!(
            outcome.is_ok(),
            "round {round}: the child in the LIFO slot did not run within {PATIENCE:?} while \
             its parent blocked the worker: no other worker took it"
        );
    }
}
