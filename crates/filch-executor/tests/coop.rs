//! The cooperative budget (`filch::futures::coop`): a task looping on ready filch futures
//! yields its worker to whatever waits there (a queued task, the task it spawned, a due
//! timer), keeps it when nothing does, and loses no output when it yields.

mod support;

use filch_executor::Builder;
use filch_futures::coop::BUDGET_PER_POLL;
use filch_futures::Promise;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use support::within_hang_guard;

/// Iterations after which the looping task gives up: far more than a budget lets it run.
const CAP: u64 = 10_000_000;

/// A loop on a done promise until `stop` is set (or [`CAP`]), returning its iterations.
async fn spin_until(stop: Arc<AtomicBool>) -> u64 {
    let done: Promise<u64, ()> = Promise::new();
    done.set_result(1).unwrap();
    let mut iterations = 0;
    while !stop.load(Ordering::SeqCst) && iterations < CAP {
        iterations += done.clone().await.unwrap();
    }
    iterations
}

/// Fails unless the loop stopped long before the cap: the task that stopped it ran.
fn assert_let_go(iterations: u64, what: &str) {
    assert!(
        iterations < CAP / 10,
        "the loop ran {iterations} iterations before {what} could stop it"
    );
}

/// Counts the polls of the future it wraps.
struct CountPolls<F> {
    polls: Arc<AtomicUsize>,
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for CountPolls<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        self.inner.as_mut().poll(cx)
    }
}

fn count_polls<F: Future>(inner: F) -> (CountPolls<F>, Arc<AtomicUsize>) {
    let polls = Arc::new(AtomicUsize::new(0));
    let counted = CountPolls {
        polls: polls.clone(),
        inner: Box::pin(inner),
    };
    (counted, polls)
}

#[test]
fn a_task_looping_on_a_done_promise_lets_a_queued_task_run() {
    // One worker: the loop and the task that stops it (queued behind it, from outside) share
    // it. Without the budget the loop never yields, so the stopper runs only at the cap.
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let spinner = rt.spawn(spin_until(stop.clone()));
        let stopper = rt.spawn(async move { stop.store(true, Ordering::SeqCst) });
        rt.block_on(stopper).unwrap();
        assert_let_go(rt.block_on(spinner).unwrap(), "a queued task");
    });
}

#[test]
fn a_task_looping_on_a_done_promise_lets_the_task_it_spawned_run() {
    // The stopper sits in the worker's LIFO slot, which no other worker takes from: with one
    // worker the loop yields to it, with two it is handed to the injector for the other one.
    for workers in [1, 2] {
        within_hang_guard(move || {
            let rt = Builder::new().worker_threads(workers).build().unwrap();
            let spinner = rt.spawn(async {
                let stop = Arc::new(AtomicBool::new(false));
                let flag = stop.clone();
                let _stopper =
                    filch_executor::spawn(async move { flag.store(true, Ordering::SeqCst) });
                spin_until(stop).await
            });
            assert_let_go(rt.block_on(spinner).unwrap(), "the task it spawned");
        });
    }
}

#[test]
fn a_task_looping_on_a_done_promise_lets_a_due_timer_fire() {
    // Nothing is queued while the loop runs: the stopper waits on a timer, which only a
    // worker's tick fires here, and the loop's one worker ticks only if the loop yields.
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, sleeping) = (stop.clone(), Arc::new(AtomicBool::new(false)));
        let asleep = sleeping.clone();
        let stopper = rt.spawn(async move {
            let timer = filch_executor::sleep(Duration::from_millis(1));
            asleep.store(true, Ordering::SeqCst);
            timer.await;
            flag.store(true, Ordering::SeqCst);
        });
        while !sleeping.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
        let spinner = rt.spawn(spin_until(stop));
        // Not `block_on` meanwhile: its thread fires due timers while it waits.
        while !spinner.done() {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_let_go(rt.block_on(spinner).unwrap(), "a timer");
        rt.block_on(stopper).unwrap();
    });
}

#[test]
fn a_task_alone_on_its_worker_keeps_it_past_its_budget() {
    // Nothing else waits for the one worker, so a spent budget is renewed instead of the task
    // yielding and coming straight back: one poll for ten budgets' worth of ready awaits.
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let done: Promise<u64, ()> = Promise::new();
        done.set_result(1).unwrap();
        let awaits = 10 * u64::from(BUDGET_PER_POLL);
        let (task, polls) = count_polls(async move {
            let mut total = 0;
            for _ in 0..awaits {
                total += done.clone().await.unwrap();
            }
            total
        });
        assert_eq!(rt.block_on(rt.spawn(task)).unwrap(), awaits);
        assert_eq!(polls.load(Ordering::Relaxed), 1, "the task yielded");
    });
}

#[test]
fn awaiting_ten_thousand_done_handles_yields_and_resumes_without_losing_one() {
    // Every handle is done before the loop awaits it, and a neighbour that yields again and
    // again keeps the one worker's queue busy: so the loop runs out of budget every 128
    // handles, each time the handle says `Pending` (and wakes the task) and is awaited again
    // at the next poll. Every output arrives exactly once.
    within_hang_guard(|| {
        const HANDLES: u64 = 10_000;
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let handles: Vec<_> = (0..HANDLES).map(|i| rt.spawn(async move { i })).collect();
        rt.block_on(async {
            for h in &handles {
                while !h.done() {
                    filch_executor::yield_now().await;
                }
            }
        });
        let summed = Arc::new(AtomicBool::new(false));
        let finished = summed.clone();
        let neighbour = rt.spawn(async move {
            while !finished.load(Ordering::SeqCst) {
                filch_executor::yield_now().await;
            }
        });
        let (sum, polls) = count_polls(async move {
            let mut total = 0;
            for h in handles {
                total += h.await.unwrap();
            }
            summed.store(true, Ordering::SeqCst);
            total
        });
        assert_eq!(
            rt.block_on(rt.spawn(sum)).unwrap(),
            HANDLES * (HANDLES - 1) / 2
        );
        rt.block_on(neighbour).unwrap();
        let yields = polls.load(Ordering::Relaxed) - 1;
        assert!(
            yields >= (HANDLES / u64::from(BUDGET_PER_POLL)) as usize,
            "{yields} yields over {HANDLES} done handles with a neighbour waiting"
        );
    });
}
