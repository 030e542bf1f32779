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

#[test]
fn tasks_that_block_their_workers_still_reach_every_worker() {
    // Three tasks spawned from outside that each block their worker until all three run at
    // once: this succeeds only if no task is left in a queue while a worker sleeps. It used to
    // strand one (a searcher that found work looked only at its own queue and the injector,
    // and a worker that slept without searching took no last look) in about 1 round in 20.
    const ROUNDS: usize = 200;
    const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(30);
    for round in 0..ROUNDS {
        let rt = Builder::new().worker_threads(3).build().unwrap();
        let meeting = Arc::new((std::sync::Mutex::new(0usize), std::sync::Condvar::new()));
        let all_met = rt.block_on(async {
            let tasks: Vec<_> = (0..3)
                .map(|_| {
                    let meeting = meeting.clone();
                    filch_executor::spawn(async move {
                        let (arrived, all_here) = &*meeting;
                        let mut arrived = arrived.lock().unwrap();
                        *arrived += 1;
                        all_here.notify_all();
                        let (_arrived, wait) = all_here
                            .wait_timeout_while(arrived, HANG_GUARD, |n| *n < 3)
                            .unwrap();
                        !wait.timed_out()
                    })
                })
                .collect();
            let mut all_met = true;
            for task in tasks {
                all_met &= task.await.unwrap();
            }
            all_met
        });
        assert!(
            all_met,
            "round {round}: a task was stranded while a worker slept"
        );
    }
}
