//! `JoinHandle::add_done_callback`'s panic rule, the same as `Promise`'s: a callback added
//! once the task has finished runs inside `add_done_callback` and its panic propagates out
//! of it; callbacks the completer runs are caught, and all of them run.

use filch_executor::{Builder, JoinHandle, Runtime, TaskOutcome};
use filch_futures::{Completion, Promise};
use std::future::poll_fn;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver};
use support::{within_hang_guard, HANG_GUARD};

mod support;

fn runtime() -> Runtime {
    Builder::new().worker_threads(2).build().unwrap()
}

/// Adds a callback that panics with "late" and returns what came out of `add_done_callback`.
fn add_panicking(handle: &mut JoinHandle<u32>) -> Option<String> {
    let caught = catch_unwind(AssertUnwindSafe(|| {
        handle.add_done_callback(|_| panic!("late"));
    }));
    caught
        .err()
        .map(|payload| payload.downcast_ref::<&str>().unwrap().to_string())
}

/// Adds a callback that reports the outcome, for a test to receive with the hang guard.
fn add_reporting(handle: &mut JoinHandle<u32>) -> Receiver<TaskOutcome> {
    let (tx, rx) = channel();
    handle.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    rx
}

/// A task that returns 7 once `gate` is set, so the test decides when it finishes.
fn gated(rt: &Runtime) -> (Promise<(), ()>, JoinHandle<u32>) {
    let gate = Promise::new();
    let handle = rt.spawn({
        let gate = gate.clone();
        async move {
            gate.await.unwrap();
            7
        }
    });
    (gate, handle)
}

#[test]
fn a_callback_added_after_the_output_was_taken_panics_out_of_add_done_callback() {
    within_hang_guard(|| {
        let rt = runtime();
        let mut handle = rt.spawn(async { 7 });
        assert_eq!(rt.block_on(&mut handle).unwrap(), 7);
        assert_eq!(add_panicking(&mut handle).as_deref(), Some("late"));
        let rx = add_reporting(&mut handle);
        assert_eq!(rx.try_recv(), Ok(TaskOutcome::Returned), "ran at once");
    });
}

#[test]
fn a_callback_added_to_a_finished_task_panics_out_of_add_done_callback() {
    within_hang_guard(|| {
        let rt = runtime();
        let (gate, mut handle) = gated(&rt);
        gate.set_result(()).unwrap();
        // Wait for completion without taking the output.
        rt.block_on(poll_fn(|cx| Completion::poll_done(&mut handle, cx)));
        assert_eq!(add_panicking(&mut handle).as_deref(), Some("late"));
        let rx = add_reporting(&mut handle);
        assert_eq!(rx.try_recv(), Ok(TaskOutcome::Returned), "ran at once");
        assert_eq!(rt.block_on(handle).unwrap(), 7, "the output is still there");
    });
}

#[test]
fn a_callback_added_after_the_callbacks_fired_panics_out_of_add_done_callback() {
    within_hang_guard(|| {
        let rt = runtime();
        let (gate, mut handle) = gated(&rt);
        let early = add_reporting(&mut handle);
        gate.set_result(()).unwrap();
        assert_eq!(early.recv_timeout(HANG_GUARD), Ok(TaskOutcome::Returned));
        assert_eq!(add_panicking(&mut handle).as_deref(), Some("late"));
        assert_eq!(rt.block_on(handle).unwrap(), 7);
    });
}

#[test]
fn the_completers_callbacks_all_run_and_their_panics_are_caught() {
    within_hang_guard(|| {
        let rt = runtime();
        let (gate, mut handle) = gated(&rt);
        let first = add_reporting(&mut handle);
        assert_eq!(add_panicking(&mut handle), None, "queued, not run");
        let last = add_reporting(&mut handle);
        gate.set_result(()).unwrap();
        assert_eq!(first.recv_timeout(HANG_GUARD), Ok(TaskOutcome::Returned));
        assert_eq!(last.recv_timeout(HANG_GUARD), Ok(TaskOutcome::Returned));
        assert_eq!(rt.block_on(handle).unwrap(), 7);
        assert_eq!(
            rt.block_on(rt.spawn(async { 8 })).unwrap(),
            8,
            "the runtime's workers live on"
        );
    });
}

/// `add_done_callback` takes `&self`, as `Promise`'s does: threads sharing one handle add
/// callbacks at once (the first additions race to install the callbacks), and every one runs
/// exactly once when the task finishes.
#[test]
fn callbacks_added_through_shared_references_all_run_once() {
    within_hang_guard(|| {
        let rt = runtime();
        let (gate, handle) = gated(&rt);
        let (tx, rx) = channel();
        std::thread::scope(|scope| {
            for thread in 0..4 {
                let (handle, tx) = (&handle, tx.clone());
                scope.spawn(move || {
                    handle.add_done_callback(move |o| tx.send((thread, o)).unwrap())
                });
            }
        });
        drop(tx);
        gate.set_result(()).unwrap();
        let mut seen: Vec<_> = rx.iter().collect();
        seen.sort_by_key(|&(thread, _)| thread);
        let returned = TaskOutcome::Returned;
        assert_eq!(
            seen,
            [(0, returned), (1, returned), (2, returned), (3, returned)]
        );
        assert_eq!(rt.block_on(handle).unwrap(), 7);
    });
}
