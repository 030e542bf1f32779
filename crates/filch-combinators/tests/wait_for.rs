//! `wait_for` cancels its future on timeout (a task too) and when it is dropped itself, and
//! its deadline runs from the call.

mod support;

use std::future::{pending, poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use filch_combinators::{shield, wait_for, TimeoutError};
use filch_executor::{Runtime, TaskOutcome};
use support::{outcome_of, within_hang_guard, DropSignal};

const LONG: Duration = Duration::from_secs(3600);

#[test]
fn wait_for_returns_the_output_in_time() {
    let rt = Runtime::new();
    assert_eq!(rt.block_on(wait_for(LONG, async { 5 })), Ok(5));
}

#[test]
fn wait_for_drops_the_future_before_reporting_the_timeout() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let (signal, dropped) = DropSignal::new();
        let result = rt.block_on(wait_for(Duration::from_millis(2), async move {
            let _keep = signal;
            pending::<()>().await
        }));
        assert_eq!(result, Err(TimeoutError));
        assert!(
            dropped.done(),
            "cancelled (dropped) before wait_for returned"
        );
    });
}

#[test]
fn cancelling_the_waiter_cancels_the_awaited_future() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let (signal, dropped) = DropSignal::new();
        rt.block_on(async move {
            let waiter = filch_executor::spawn(wait_for(LONG, async move {
                let _keep = signal;
                pending::<()>().await
            }));
            assert!(waiter.cancel());
            dropped.await.unwrap();
        });
    });
}

/// asyncio's `wait_for` cancels a Task on timeout; a dropped `JoinHandle` would only detach.
#[test]
fn a_task_is_cancelled_on_timeout() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let task = filch_executor::spawn(pending::<()>());
            let finished = outcome_of(&task);
            let result = wait_for(Duration::from_millis(2), task).await;
            assert!(matches!(result, Err(TimeoutError)));
            assert_eq!(finished.await.unwrap(), TaskOutcome::Cancelled);
        });
    });
}

/// Cancelling the waiter cancels the task it waits for, as asyncio's does.
#[test]
fn dropping_the_wait_for_cancels_its_task() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let task = filch_executor::spawn(pending::<()>());
            let finished = outcome_of(&task);
            drop(wait_for(LONG, task));
            assert_eq!(finished.await.unwrap(), TaskOutcome::Cancelled);
        });
    });
}

/// A borrowed handle stays the caller's: the timeout drops only the borrow.
#[test]
fn a_borrowed_task_keeps_running_after_the_timeout() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let gate: filch_futures::Promise<u32, ()> = filch_futures::Promise::new();
            let opener = gate.clone();
            let mut task = filch_executor::spawn(async move { gate.await.unwrap() });
            let result = wait_for(Duration::from_millis(2), &mut task).await;
            assert!(matches!(result, Err(TimeoutError)));
            opener.set_result(9).unwrap();
            assert_eq!(task.await.unwrap(), 9, "not cancelled");
        });
    });
}

/// `shield` holds a `JoinHandle` at its own address: it must still detach, not cancel.
#[test]
fn a_shielded_task_survives_the_timeout() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let gate: filch_futures::Promise<(), ()> = filch_futures::Promise::new();
            let (finished, report) = (filch_futures::Promise::<u32, ()>::new(), gate.clone());
            let done = finished.clone();
            let work = shield(async move {
                report.await.unwrap();
                done.set_result(3).unwrap();
            });
            let result = wait_for(Duration::from_millis(2), work).await;
            assert!(matches!(result, Err(TimeoutError)));
            gate.set_result(()).unwrap();
            assert_eq!(
                finished.await.unwrap(),
                3,
                "the shielded work ran to its end"
            );
        });
    });
}

/// The deadline is fixed by the call: a `WaitFor` first polled after its deadline passed
/// times out on that first poll (an `async fn` would start counting only then).
#[test]
fn the_deadline_runs_from_the_call() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let first_poll = rt.block_on(async {
            let mut waiting = pin!(wait_for(Duration::from_millis(1), pending::<()>()));
            // Time passing, not synchronisation: the deadline is in the past after this.
            std::thread::sleep(Duration::from_millis(5));
            poll_fn(|cx| Poll::Ready(waiting.as_mut().poll(cx))).await
        });
        assert_eq!(first_poll, Poll::Ready(Err(TimeoutError)));
    });
}
