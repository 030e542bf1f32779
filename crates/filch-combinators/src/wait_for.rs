//! [`wait_for`]: await a future with a deadline set at the call; cancel it when the deadline
//! passes.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use filch_executor::{Sleep, TimeoutError};

/// Awaits `future` for at most `timeout`, counted from this call (asyncio's `wait_for`).
///
/// On timeout the future is cancelled before `Err(TimeoutError)` is returned: dropped (Rust's
/// cancellation), and if it is a `JoinHandle`, its task is cancelled, as asyncio's `wait_for`
/// cancels a Task (a plain drop would detach it). Dropping the [`WaitFor`] itself (its
/// waiter was cancelled) cancels the future the same way.
///
/// To keep a task running after the timeout, pass `&mut handle` (the handle stays yours, and
/// only the borrow is dropped) or wrap the work in [`shield`](crate::shield).
///
/// The deadline is fixed when `wait_for` is called, not when the future is first polled,
/// and uses filch's timer, so a `WaitFor` whose future is pending must be polled inside a
/// filch runtime. Each poll polls the future first, so a future that is ready wins even if
/// the deadline has passed.
///
/// # Example
/// ```
/// use filch::{wait_for, TimeoutError};
/// use std::time::Duration;
///
/// filch::Runtime::new().block_on(async {
///     let quick = wait_for(Duration::from_secs(30), async { 7 }).await;
///     assert_eq!(quick, Ok(7));
///     let never = wait_for(Duration::from_millis(5), std::future::pending::<()>()).await;
///     assert_eq!(never, Err(TimeoutError));
///
///     // A task is cancelled on timeout, not left running...
///     let task = filch::spawn(std::future::pending::<()>());
///     let finished: filch::Promise<filch::TaskOutcome, ()> = filch::Promise::new();
///     let report = finished.clone();
///     task.add_done_callback(move |outcome| { let _ = report.set_result(outcome); });
///     assert!(matches!(wait_for(Duration::from_millis(5), task).await, Err(TimeoutError)));
///     assert_eq!(finished.await.unwrap(), filch::TaskOutcome::Cancelled);
///
///     // ...unless only borrowed: then it is still running, and still yours.
///     let mut task = filch::spawn(std::future::pending::<()>());
///     assert!(matches!(wait_for(Duration::from_millis(5), &mut task).await, Err(TimeoutError)));
///     assert!(task.cancel());
/// });
/// ```
pub fn wait_for<F: Future>(timeout: Duration, future: F) -> WaitFor<F> {
    WaitFor {
        future: Some(future),
        deadline: filch_executor::sleep(timeout),
    }
}

/// The future of [`wait_for`]: `Ok(output)`, or `Err(TimeoutError)` once the deadline set at
/// the call passed.
///
/// ```
/// use filch::wait_for;
/// use std::time::Duration;
///
/// filch::Runtime::new().block_on(async {
///     // The deadline runs from here, even though the future is awaited later.
///     let waiting = wait_for(Duration::from_millis(1), std::future::pending::<()>());
///     filch::sleep(Duration::from_millis(5)).await;
///     assert!(waiting.await.is_err());
/// });
/// ```
#[must_use = "futures do nothing unless polled; the deadline runs from the call anyway"]
pub struct WaitFor<F> {
    /// Structurally pinned (see `project`); `None` once it returned or was cancelled.
    future: Option<F>,
    deadline: Sleep,
}

impl<F> WaitFor<F> {
    /// The pinned future slot and the (unpinned) deadline.
    fn project(self: Pin<&mut Self>) -> (Pin<&mut Option<F>>, &mut Sleep) {
        // SAFETY: `future` is pinned structurally and `deadline` not at all. Nothing moves
        // `future` out of a pinned `WaitFor`: it leaves only by `Pin::set(None)` (a drop in
        // place) or by `drop_cancelling` (the same), the `Drop` impl drops it in place, and no
        // method hands it out by value or `&mut`. `Sleep` is `Unpin`.
        unsafe {
            let this = self.get_unchecked_mut();
            (Pin::new_unchecked(&mut this.future), &mut this.deadline)
        }
    }
}

impl<F: Future> Future for WaitFor<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (mut slot, deadline) = self.project();
        let Some(future) = slot.as_mut().as_pin_mut() else {
            panic!("a WaitFor was polled after it completed: await it once");
        };
        if let Poll::Ready(output) = future.poll(cx) {
            slot.set(None);
            return Poll::Ready(Ok(output));
        }
        ready!(Pin::new(deadline).poll(cx));
        filch_executor::drop_cancelling(slot);
        Poll::Ready(Err(TimeoutError))
    }
}

impl<F> Drop for WaitFor<F> {
    fn drop(&mut self) {
        // SAFETY: `self` is being dropped, so `future` is never used again after this: it is
        // dropped in place through the pin, which is what the pinning contract asks.
        let slot = unsafe { Pin::new_unchecked(&mut self.future) };
        filch_executor::drop_cancelling(slot);
    }
}
