//! A `Sleep` first polled on one runtime, then awaited on another after the first was
//! dropped: nothing fires the first runtime's timers any more, so the sleep must move its
//! timer to the runtime polling it (issue 11). Each test fails by its hang guard, not by
//! hanging, if it does not.

use filch_executor::{sleep, Builder, Runtime, Sleep};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use support::within_hang_guard;

mod support;

fn one_worker() -> Runtime {
    Builder::new().worker_threads(1).build().unwrap()
}

/// A sleep polled (pending, so registered) by a task of a runtime that is then dropped, and
/// reset to end soon (a registered sleep moves its timer in place, so it stays registered with
/// the dropped runtime). An hour first, so the first poll is pending however slow the machine.
#[expect(
    clippy::async_yields_async,
    reason = "the task hands the registered sleep out, to be awaited elsewhere"
)]
fn registered_with_a_dropped_runtime() -> Sleep {
    let first = one_worker();
    let mut sleep = first
        .block_on(first.spawn(async {
            let mut sleep = sleep(Duration::from_secs(3600));
            std::future::poll_fn(|cx| {
                assert_eq!(Pin::new(&mut sleep).poll(cx), Poll::Pending);
                Poll::Ready(())
            })
            .await;
            sleep
        }))
        .unwrap();
    drop(first);
    sleep.reset(Instant::now() + Duration::from_millis(2));
    sleep
}

#[test]
fn awaited_by_a_task_of_another_runtime_it_fires_there() {
    within_hang_guard(|| {
        let sleep = registered_with_a_dropped_runtime();
        let second = one_worker();
        second.block_on(second.spawn(sleep)).unwrap();
    });
}

#[test]
fn awaited_in_another_runtimes_block_on_it_fires_there() {
    within_hang_guard(|| {
        let sleep = registered_with_a_dropped_runtime();
        one_worker().block_on(sleep);
    });
}

#[test]
#[should_panic(expected = "must be polled inside a filch runtime")]
fn polled_outside_any_runtime_it_panics_with_advice() {
    let mut sleep = registered_with_a_dropped_runtime();
    let _ = Pin::new(&mut sleep).poll(&mut Context::from_waker(std::task::Waker::noop()));
}
