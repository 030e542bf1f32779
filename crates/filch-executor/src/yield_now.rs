//! [`yield_now`]: let other tasks run.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields once to the scheduler: the task is put at the back of its worker's queue, so every
/// task queued before it runs first, then it continues.
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let turns = rt.block_on(async {
///     let mut turns = 0;
///     for _ in 0..3 {
///         filch::yield_now().await;
///         turns += 1;
///     }
///     turns
/// });
/// assert_eq!(turns, 3);
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Poll, Waker};
///
/// let future: filch::YieldNow = filch::yield_now();
/// let mut future = pin!(future);
/// let mut cx = Context::from_waker(Waker::noop());
/// assert_eq!(future.as_mut().poll(&mut cx), Poll::Pending, "the first poll yields");
/// assert_eq!(future.as_mut().poll(&mut cx), Poll::Ready(()));
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // A wake during the task's own poll re-queues it behind the runnable tasks
        // (`FinishPoll::Reschedule`), not in the LIFO slot.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
