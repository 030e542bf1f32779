//! Timers inside a running runtime: many sleeps, timeouts, and a timer that must fire while
//! the only worker never runs out of work. Outcomes only; the 30 s bounds are hang guards.

use filch_executor::{sleep, spawn, timeout, yield_now, Builder, TimeoutError};
use std::future::pending;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HANG_GUARD: Duration = Duration::from_secs(30);

#[test]
fn ten_thousand_sleeps_all_complete_and_none_early() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    let early = rt.block_on(async {
        let handles: Vec<_> = (0..10_000u64)
            .map(|i| {
                spawn(async move {
                    let wanted = Duration::from_millis(1 + i % 20);
                    let started = Instant::now();
                    sleep(wanted).await;
                    started.elapsed() < wanted
                })
            })
            .collect();
        let mut early = 0;
        for handle in handles {
            early += usize::from(handle.await.unwrap());
        }
        early
    });
    assert_eq!(early, 0, "a sleep returned before its duration");
}

#[test]
fn timeout_elapses_on_a_pending_future_and_passes_a_ready_one() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let gave_up = timeout(Duration::from_millis(5), pending::<()>()).await;
        assert_eq!(gave_up, Err(TimeoutError));
        let answered = timeout(HANG_GUARD, async { 7 }).await;
        assert_eq!(answered, Ok(7));
    });
}

#[test]
fn a_timer_fires_while_the_only_worker_stays_busy() {
    // One worker, kept busy by a task that yields in a loop: the worker never sleeps, so the
    // timer can only fire through the busy worker's periodic look at the timers.
    let rt = Builder::new().worker_threads(1).build().unwrap();
    let fired = Arc::new(AtomicBool::new(false));
    let spinner = rt.spawn({
        let fired = fired.clone();
        async move {
            let started = Instant::now();
            while !fired.load(Ordering::Acquire) {
                assert!(started.elapsed() < HANG_GUARD, "the timer never fired");
                yield_now().await;
            }
        }
    });
    let sleeper = rt.spawn(async move {
        sleep(Duration::from_millis(2)).await;
        fired.store(true, Ordering::Release);
    });
    rt.block_on(async {
        sleeper.await.unwrap();
        spinner.await.unwrap();
    });
}

#[test]
fn sleep_in_block_on_is_driven_by_the_blocking_thread() {
    let rt = Builder::new().worker_threads(1).build().unwrap();
    let wanted = Duration::from_millis(3);
    let started = Instant::now();
    rt.block_on(sleep(wanted));
    assert!(started.elapsed() >= wanted);
}
