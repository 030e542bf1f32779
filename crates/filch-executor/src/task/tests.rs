//! The task's raw-pointer paths, one by one, on a test scheduler; run under Miri with
//! `MIRIFLAGS="-Zmiri-strict-provenance" cargo +nightly miri test -p filch-executor --lib task::`.
//! Each test ends with `shutdown()`, so Miri's leak check also proves every task was freed.

use super::test_support::{DropCounter, TestScheduler};
use super::TaskOutcome;
use crate::sync::{Arc, AtomicUsize, Mutex, Ordering::SeqCst};
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    let waker = futures::task::noop_waker();
    std::pin::Pin::new(future).poll(&mut Context::from_waker(&waker))
}

/// A future that is pending until woken `wakes` times, keeping its latest waker in `slot`.
fn pending_until_woken(
    slot: Arc<Mutex<Option<Waker>>>,
    wakes: usize,
) -> impl Future<Output = usize> + Send {
    let mut polls = 0;
    poll_fn(move |cx| {
        polls += 1;
        if polls > wakes {
            return Poll::Ready(polls);
        }
        *slot.lock() = Some(cx.waker().clone());
        Poll::Pending
    })
}

#[test]
fn spawn_run_join() {
    let sched = TestScheduler::new();
    let mut join = sched.spawn(async { 5 });
    assert!(poll_once(&mut join).is_pending());
    assert_eq!(sched.run_all(), 1);
    assert!(join.done());
    assert_eq!(poll_once(&mut join).map(Result::unwrap), Poll::Ready(5));
    sched.shutdown();
}

#[test]
fn wake_by_value_and_by_ref_reschedule_once_each() {
    let sched = TestScheduler::new();
    let slot = Arc::new(Mutex::new(None));
    let mut join = sched.spawn(pending_until_woken(slot.clone(), 2));
    assert_eq!(sched.run_all(), 1);
    let waker = slot.lock().take().unwrap();
    waker.wake_by_ref();
    waker.wake_by_ref(); // already scheduled: no second Notified
    assert_eq!(sched.run_all(), 1);
    let waker2 = slot.lock().take().unwrap();
    drop(waker); // an old waker released while the task lives
    waker2.wake();
    assert_eq!(sched.run_all(), 1);
    assert_eq!(poll_once(&mut join).map(Result::unwrap), Poll::Ready(3));
    sched.shutdown();
}

#[test]
fn wake_after_completion_is_a_no_op_and_the_last_waker_frees_the_task() {
    let sched = TestScheduler::new();
    let slot = Arc::new(Mutex::new(None));
    let join = sched.spawn(pending_until_woken(slot.clone(), 1));
    sched.run_all();
    let waker = slot.lock().take().unwrap();
    let spare = waker.clone();
    waker.wake();
    sched.run_all();
    drop(join);
    spare.wake_by_ref();
    assert_eq!(sched.run_all(), 0);
    drop(spare); // the last reference: frees the task
    sched.shutdown();
}

#[test]
fn wake_during_poll_requeues_behind_others() {
    let sched = TestScheduler::new();
    let mut yielded = false;
    let join = sched.spawn(poll_fn(move |cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }));
    assert_eq!(sched.run_all(), 2);
    assert_eq!(sched.scheduled(), 2);
    assert!(join.done());
    sched.shutdown();
}

#[test]
fn cancel_before_first_poll_drops_the_future_unpolled() {
    let sched = TestScheduler::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    let mut join = sched.spawn(async move {
        let _counter = counter;
        unreachable!("never polled");
    });
    assert!(join.cancel());
    assert!(join.cancel(), "still not done: the request stands");
    sched.run_all();
    assert_eq!(drops.load(SeqCst), 1);
    assert!(join.cancelled());
    match poll_once(&mut join) {
        Poll::Ready(Err(e)) => assert!(e.is_cancelled()),
        other => panic!("expected a cancellation, got {other:?}"),
    }
    assert!(!join.cancel(), "done");
    sched.shutdown();
}

#[test]
fn cancel_of_an_idle_task_schedules_it_to_drop_the_future() {
    let sched = TestScheduler::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let counter = DropCounter(drops.clone());
    let join = sched.spawn(async move {
        let _counter = counter;
        std::future::pending::<()>().await;
    });
    sched.run_all();
    assert!(join.cancel());
    assert_eq!(
        drops.load(SeqCst),
        0,
        "dropped on the scheduler, not in cancel()"
    );
    assert_eq!(sched.run_all(), 1);
    assert_eq!(drops.load(SeqCst), 1);
    assert!(join.cancelled());
    sched.shutdown();
}

#[test]
fn panics_in_poll_and_in_drop_become_join_errors() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("drop");
        }
    }
    let sched = TestScheduler::new();
    let mut in_poll = sched.spawn(async { panic!("poll") });
    let mut on_drop = sched.spawn(async {
        let _p = PanicOnDrop;
        std::future::pending::<()>().await;
    });
    /// Returns at once; its destructor, run right after, panics.
    struct ReadyThenPanicOnDrop(PanicOnDrop);
    impl Future for ReadyThenPanicOnDrop {
        type Output = u8;
        fn poll(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u8> {
            Poll::Ready(1)
        }
    }
    let mut after_ready = sched.spawn(ReadyThenPanicOnDrop(PanicOnDrop));
    sched.run_all();
    assert!(on_drop.cancel());
    sched.run_all();
    for join in [&mut in_poll, &mut on_drop] {
        match poll_once(join) {
            Poll::Ready(Err(e)) => assert!(e.is_panic()),
            other => panic!("expected a panic, got {other:?}"),
        }
    }
    match poll_once(&mut after_ready) {
        Poll::Ready(Err(e)) => assert!(e.is_panic()),
        other => panic!("expected a panic, got {other:?}"),
    }
    sched.shutdown();
}

#[test]
fn output_is_dropped_once_whoever_owns_it() {
    let sched = TestScheduler::new();
    let drops = Arc::new(AtomicUsize::new(0));
    // Handle dropped before completion: the completer drops the output.
    let (d1, d2) = (drops.clone(), drops.clone());
    drop(sched.spawn(async move { DropCounter(d1) }));
    // Handle dropped after completion without reading: the handle drops it.
    let late = sched.spawn(async move { DropCounter(d2) });
    sched.run_all();
    assert_eq!(drops.load(SeqCst), 1);
    drop(late);
    assert_eq!(drops.load(SeqCst), 2);
    sched.shutdown();
}

#[test]
fn join_waker_is_replaced_and_woken_once_on_completion() {
    let sched = TestScheduler::new();
    let slot = Arc::new(Mutex::new(None));
    let mut join = sched.spawn(pending_until_woken(slot.clone(), 1));
    sched.run_all();
    let woken = Arc::new(AtomicUsize::new(0));
    let w1 = futures::task::waker(Arc::new(CountWake(woken.clone())));
    let w2 = futures::task::waker(Arc::new(CountWake(woken.clone())));
    assert!(pin!(&mut join)
        .poll(&mut Context::from_waker(&w1))
        .is_pending());
    assert!(pin!(&mut join)
        .poll(&mut Context::from_waker(&w1))
        .is_pending());
    assert!(pin!(&mut join)
        .poll(&mut Context::from_waker(&w2))
        .is_pending());
    slot.lock().take().unwrap().wake();
    sched.run_all();
    assert_eq!(woken.load(SeqCst), 1);
    assert!(poll_once(&mut join).is_ready());
    sched.shutdown();
}

struct CountWake(Arc<AtomicUsize>);
impl futures::task::ArcWake for CountWake {
    fn wake_by_ref(arc_self: &std::sync::Arc<Self>) {
        arc_self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn done_callbacks_run_once_before_and_after_completion_and_after_detach() {
    let sched = TestScheduler::new();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let slot = Arc::new(Mutex::new(None));
    let join = sched.spawn(pending_until_woken(slot.clone(), 1));
    sched.run_all();
    let s = seen.clone();
    join.add_done_callback(move |o| s.lock().push(("early", o)));
    let s = seen.clone();
    join.add_done_callback(move |_| panic!("caught {s:p}"));
    drop(join);
    slot.lock().take().unwrap().wake();
    sched.run_all();
    let finished = sched.spawn(async { panic!("x") });
    sched.run_all();
    let s = seen.clone();
    finished.add_done_callback(move |o| s.lock().push(("late", o)));
    assert_eq!(
        *seen.lock(),
        [
            ("early", TaskOutcome::Returned),
            ("late", TaskOutcome::Panicked)
        ]
    );
    sched.shutdown();
}

#[test]
fn shutdown_cancels_every_task_once_and_refuses_new_ones() {
    let sched = TestScheduler::new();
    let drops = Arc::new(AtomicUsize::new(0));
    let joins: Vec<_> = (0..5)
        .map(|_| {
            let counter = DropCounter(drops.clone());
            sched.spawn(async move {
                let _counter = counter;
                std::future::pending::<()>().await;
            })
        })
        .collect();
    sched.run_all();
    let queued = {
        let counter = DropCounter(drops.clone());
        sched.spawn(async move { drop(counter) })
    };
    sched.shutdown();
    assert_eq!(drops.load(SeqCst), 6);
    assert!(joins.iter().chain([&queued]).all(|j| j.cancelled()));
    let late = sched.spawn(async { 1 });
    assert!(late.cancelled());
}

#[test]
fn completion_races_the_handle_on_two_threads() {
    let sched = TestScheduler::new();
    let mut join = sched.spawn(async { 9 });
    let runner = {
        let sched = sched.clone();
        std::thread::spawn(move || sched.run_all())
    };
    let out = futures::executor::block_on(&mut join).unwrap();
    assert_eq!(out, 9);
    assert_eq!(runner.join().unwrap(), 1);
    sched.shutdown();
}

/// A scheduler that runs a task the moment it is scheduled, inside `schedule`: the harshest
/// legal scheduler for the hand-off, since the task can complete and lose every other
/// reference before `schedule` returns. The `&self` it is called with lives in the task, so
/// the waker must keep the task alive across the call (defect 9 of issue 11): without that
/// guard, Miri reports the task freed while that `&self` is protected.
#[derive(Clone)]
struct InlineScheduler(Arc<super::Registry>);

/// Runs `task` until it is not woken during its poll any more.
fn run_inline(task: super::Notified) {
    let mut next = Some(task);
    while let Some(task) = next {
        next = task.run();
    }
}

impl super::Schedule for InlineScheduler {
    fn schedule(&self, task: super::Notified) {
        run_inline(task);
    }
    fn release(&self, task: &super::Header) -> bool {
        self.0.remove(task, None)
    }
    fn home_shard(&self) -> Option<usize> {
        None
    }
}

fn spawn_inline<F>(future: F) -> (Arc<super::Registry>, super::JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let registry = Arc::new(super::Registry::new(1));
    let (notified, join) = super::spawn(future, InlineScheduler(registry.clone()), &registry);
    run_inline(notified.expect("the registry is open"));
    (registry, join)
}

#[test]
fn a_wake_by_value_keeps_the_task_alive_while_its_scheduler_runs_it() {
    let slot = Arc::new(Mutex::new(None));
    let drops = Arc::new(AtomicUsize::new(0));
    let (counter, stored) = (DropCounter(drops.clone()), slot.clone());
    let (registry, join) = spawn_inline(async move {
        let _counter = counter;
        pending_until_woken(stored, 1).await
    });
    drop(join); // detached: the waker holds the last reference
    let waker = slot.lock().take().expect("the first poll stored its waker");
    waker.wake(); // runs and completes the task inside `schedule`
    assert_eq!(drops.load(SeqCst), 1, "the task ran to completion");
    assert_eq!(registry.len(), 0);
}

/// A task woken during its poll comes back from `run` (no scheduler in the task is called),
/// and its runner polls it again.
#[test]
fn a_task_woken_during_its_poll_comes_back_to_its_runner() {
    let mut yielded = false;
    let (registry, join) = spawn_inline(poll_fn(move |cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref(); // returned by `run` when this poll ends, and run again
        Poll::Pending
    }));
    assert!(join.done(), "the runner polled it again, to completion");
    drop(join);
    assert_eq!(registry.len(), 0);
}
