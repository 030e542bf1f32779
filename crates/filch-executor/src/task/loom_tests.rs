//! loom models of the task state machine with real tasks on the test scheduler. loom also
//! checks every access to `stage` and the join-waker slot (its `UnsafeCell`s) for races, and
//! that every task is freed exactly once.

use super::test_support::{DropCounter, TestScheduler};
use crate::sync::{thread, Arc, AtomicUsize, Mutex, Ordering::SeqCst};
use std::future::{poll_fn, Future};
use std::task::{Poll, Waker};

/// A future pending until woken once after its first poll; it keeps its waker in `slot`.
fn wait_for_one_wake(
    slot: Arc<Mutex<Option<Waker>>>,
) -> impl std::future::Future<Output = ()> + Send {
    let mut polls = 0;
    poll_fn(move |cx| {
        polls += 1;
        if polls > 2 {
            return Poll::Ready(());
        }
        *slot.lock() = Some(cx.waker().clone());
        Poll::Pending
    })
}

/// A wake racing the task's poll: before it (absorbed), during it (the poller re-queues), or
/// after it (the waker submits). Never two `Notified`s, never a lost reference.
#[test]
fn wake_races_poll() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let slot = Arc::new(Mutex::new(None));
        let join = sched.spawn(wait_for_one_wake(slot.clone()));
        sched.run_all(); // poll 1: stores the waker
        let waker = slot.lock().take().unwrap();
        let spare = waker.clone();
        waker.wake(); // queued for poll 2

        let runner = {
            let sched = sched.clone();
            thread::spawn(move || sched.run_all())
        };
        spare.wake_by_ref();
        drop(spare);
        let runs = runner.join().unwrap();
        let more = sched.run_all();
        assert!(runs + more <= 2, "at most one re-run per wake");
        drop(join);
        sched.shutdown();
    });
}

/// `JoinHandle::cancel` racing a poll: the future is dropped exactly once and the handle
/// reports a cancellation.
#[test]
fn cancel_races_poll() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let counter = DropCounter(drops.clone());
        let join = sched.spawn(async move {
            let _counter = counter;
            std::future::pending::<()>().await;
        });
        let runner = {
            let sched = sched.clone();
            thread::spawn(move || sched.run_all())
        };
        assert!(join.cancel());
        runner.join().unwrap();
        sched.run_all();
        assert_eq!(drops.load(SeqCst), 1);
        assert!(join.cancelled());
        sched.shutdown();
    });
}

/// The handle dropped while the task completes: the output is dropped exactly once, by
/// whichever side owns it.
#[test]
fn join_drop_races_completion() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let d = drops.clone();
        let join = sched.spawn(async move { DropCounter(d) });
        let runner = {
            let sched = sched.clone();
            thread::spawn(move || sched.run_all())
        };
        drop(join);
        runner.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
        sched.shutdown();
    });
}

/// The join waker hand-off: the handle registers its waker while the task completes on
/// another thread; the handle is always woken and reads the output.
#[test]
fn join_waker_handoff() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let join = sched.spawn(async { 7 });
        let runner = {
            let sched = sched.clone();
            thread::spawn(move || sched.run_all())
        };
        assert_eq!(loom::future::block_on(join).unwrap(), 7);
        runner.join().unwrap();
        sched.shutdown();
    });
}

/// A spawn racing shutdown: the task is either registered before the registry closes (and
/// cancelled by the drain) or refused (and cancelled at once). Either way its future is
/// dropped exactly once and its handle reports a cancellation.
#[test]
fn spawn_races_shutdown() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let spawner = {
            let (sched, drops) = (sched.clone(), drops.clone());
            thread::spawn(move || {
                let counter = DropCounter(drops);
                sched.spawn(async move { drop(counter) })
            })
        };
        sched.shutdown();
        let join = spawner.join().unwrap();
        // A spawn that came after the drain was refused by the closed registry and cancelled
        // at once; if an insert could succeed after `close`, the task would be linked but never
        // cancelled, and the checks below fail. Only queued `Notified`s are released here (no
        // second drain, which would hide such an insert).
        sched.release_queued();
        assert_eq!(
            sched.registered(),
            0,
            "a task was linked after the registry closed"
        );
        assert_eq!(drops.load(SeqCst), 1);
        assert!(join.cancelled());
    });
}

/// A by-reference wake of an *idle* task (the `Submit` path, which `wake_races_poll` never
/// reaches): the wake must add the `Notified`'s reference, so the counts balance and the task
/// is freed exactly once (the state word's underflow assertion and loom's leak check see it).
#[test]
fn wake_by_ref_submits_an_idle_task() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let slot = Arc::new(Mutex::new(None));
        let join = sched.spawn(wait_for_one_wake(slot.clone()));
        sched.run_all(); // poll 1: stores the waker; the task is idle
        let waker = slot.lock().take().unwrap();
        let waking = thread::spawn(move || {
            waker.wake_by_ref(); // idle: Submit
            drop(waker);
        });
        let runner = {
            let sched = sched.clone();
            thread::spawn(move || sched.run_all())
        };
        waking.join().unwrap();
        let runs = runner.join().unwrap() + sched.run_all();
        assert_eq!(runs, 1, "one wake of an idle task, one run");
        drop(join);
        sched.shutdown();
    });
}

/// The last reference released on another thread than the completer's (a waker clone dropped
/// while the detached task completes): the free must be ordered after the completer's last
/// access to the task (dropping the output), which the `AcqRel` decrement ensures. Under
/// loom the free touches every cell of the task, so a weaker decrement is a reported race.
#[test]
fn last_release_is_ordered_after_the_completer() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let slot = Arc::new(Mutex::new(None));
        let (d, s) = (drops.clone(), slot.clone());
        let (mut output, mut polls) = (Some(DropCounter(d)), 0);
        drop(sched.spawn(poll_fn(move |cx| {
            polls += 1;
            if polls == 1 {
                *s.lock() = Some(cx.waker().clone());
                return Poll::Pending;
            }
            Poll::Ready(output.take())
        })));
        sched.run_all(); // poll 1: stores the waker
        let waker = slot.lock().take().unwrap();
        let spare = waker.clone();
        waker.wake();
        let runner = {
            let sched = sched.clone();
            thread::spawn(move || sched.run_all())
        };
        drop(spare);
        runner.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
        sched.shutdown();
    });
}

/// Counts its wakes (a loom atomic inside a std `Arc`, as `Waker::from` wants).
struct CountingWaker(AtomicUsize);

impl std::task::Wake for CountingWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A handle polled (its waker in the slot), then given its first done-callback while the task
/// completes on another thread: the waker moves into the callbacks, and whichever way the race
/// goes it is woken once the task is done (a completion between the slot hand-over and the
/// move used to drop it unwoken, leaving its poller waiting forever).
#[test]
fn first_done_callback_races_completion_keeps_the_pollers_wakeup() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let mut join = sched.spawn(async { 7 });
        let counter = std::sync::Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let polled =
            std::pin::Pin::new(&mut join).poll(&mut std::task::Context::from_waker(&waker));
        assert!(polled.is_pending(), "nothing ran the task yet");
        let runner = {
            let sched = sched.clone();
            thread::spawn(move || sched.run_all())
        };
        join.add_done_callback(|_| {});
        runner.join().unwrap();
        assert!(join.done());
        assert_eq!(
            counter.0.load(SeqCst),
            1,
            "the poller's waker is woken once"
        );
        sched.shutdown();
    });
}

/// `JoinHandle::cancel` racing the poll that completes the task: `true` is a promise that the
/// task ends cancelled, even when that poll returns the value (asyncio's `_must_cancel`);
/// `false` means the value arrived. The output is dropped exactly once either way.
#[test]
fn cancel_races_the_completing_poll() {
    loom::model(|| {
        let sched = TestScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let counter = DropCounter(drops.clone());
        let join = sched.spawn(async move { counter }); // the output, or the future's capture
        let runner = {
            let sched = sched.clone();
            thread::spawn(move || sched.run_all())
        };
        let accepted = join.cancel();
        runner.join().unwrap();
        sched.run_all();
        let outcome = loom::future::block_on(join);
        assert_eq!(accepted, outcome.is_err(), "cancel() said {accepted}");
        drop(outcome);
        assert_eq!(drops.load(SeqCst), 1, "the output is dropped exactly once");
        sched.shutdown();
    });
}
