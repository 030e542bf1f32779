//! The cooperative budget (`filch::futures::coop`): a task looping on ready filch futures
//! yields its worker, and combinators over many ready handles stay linear.

mod support;

use filch_executor::Builder;
use filch_futures::Promise;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support::within_hang_guard;

/// Iterations after which the looping task gives up: far more than a budget lets it run.
const CAP: u64 = 10_000_000;

#[test]
fn a_task_looping_on_a_done_promise_lets_the_next_task_run() {
    // One worker: the loop and the task that stops it share it. Without the budget the loop
    // never yields, so the stopper runs only once the loop gave up at the cap.
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let done: Promise<u64, ()> = Promise::new();
        done.set_result(1).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, looping) = (stop.clone(), done.clone());
        let spinner = rt.spawn(async move {
            let mut iterations = 0;
            while !flag.load(Ordering::SeqCst) && iterations < CAP {
                iterations += looping.clone().await.unwrap();
            }
            iterations
        });
        let stopper = rt.spawn(async move { stop.store(true, Ordering::SeqCst) });
        rt.block_on(stopper).unwrap();
        let iterations = rt.block_on(spinner).unwrap();
        assert!(
            iterations < CAP / 10,
            "the loop ran {iterations} iterations before the other task could stop it"
        );
    });
}

#[test]
fn awaiting_ten_thousand_done_handles_yields_and_resumes_without_losing_one() {
    // Every handle is done before the loop awaits it, so the loop runs out of budget every
    // 128 handles: each time the handle says `Pending` (and wakes the task), and is awaited
    // again at the next poll. Every output arrives exactly once.
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(2).build().unwrap();
        let sum = rt.block_on(async {
            let handles: Vec<_> = (0..10_000u64)
                .map(|i| filch_executor::spawn(async move { i }))
                .collect();
            for h in &handles {
                while !h.done() {
                    filch_executor::yield_now().await;
                }
            }
            let task = filch_executor::spawn(async move {
                let mut total = 0;
                for h in handles {
                    total += h.await.unwrap();
                }
                total
            });
            task.await.unwrap()
        });
        assert_eq!(sum, 10_000 * 9_999 / 2);
    });
}
