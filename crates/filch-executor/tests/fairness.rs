//! Fairness between a worker's own queue and remote work: deterministic counts, no timing.

use filch_executor::{yield_now, Builder};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[test]
fn a_yield_lets_remote_work_in_at_the_next_pick() {
    // One worker, a fixed (long) injector interval, and a task that yields in a loop: a task
    // spawned from outside must run right after the next yield, not 127 ticks later.
    let rt = Builder::new()
        .worker_threads(1)
        .global_queue_interval(127)
        .build()
        .unwrap();
    let started = Arc::new(AtomicBool::new(false));
    let injected = Arc::new(AtomicBool::new(false));
    let remote_ran = Arc::new(AtomicBool::new(false));
    let spinner = rt.spawn({
        let (started, injected) = (started.clone(), injected.clone());
        let remote_ran = remote_ran.clone();
        async move {
            started.store(true, Ordering::Release);
            let mut yields_after_injection = 0;
            while !remote_ran.load(Ordering::Acquire) {
                if injected.load(Ordering::Acquire) {
                    yields_after_injection += 1;
                }
                yield_now().await;
            }
            yields_after_injection
        }
    });
    // The spinner must already occupy the worker when the remote task arrives.
    while !started.load(Ordering::Acquire) {
        std::thread::yield_now();
    }
    let remote = rt.spawn(async move { remote_ran.store(true, Ordering::Release) });
    injected.store(true, Ordering::Release);
    let yields = rt.block_on(async {
        remote.await.unwrap();
        spinner.await.unwrap()
    });
    assert!(yields <= 2, "remote work waited {yields} yields");
}
