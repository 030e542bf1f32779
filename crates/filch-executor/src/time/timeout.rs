//! `timeout`: runs a future against a `Sleep`; `TimeoutError` when the sleep ends first.

use super::sleep::{sleep, Sleep};
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Runs `future` for at most `duration`: `Ok` with its output if it finishes in time,
/// `Err(TimeoutError)` otherwise, and then `future` is dropped with the `Timeout`.
///
/// Each poll polls `future` first, so a future that is ready when polled wins even if the
/// deadline has passed (a zero `duration` therefore still returns a ready future's output).
/// Deadline and resolution are those of [`sleep`].
///
/// # Panics
/// Polling a `Timeout` whose future is pending and whose deadline has not passed, outside a
/// filch runtime.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use filch::{timeout, Runtime, TimeoutError};
///
/// Runtime::new().block_on(async {
///     assert_eq!(timeout(Duration::from_secs(60), async { 7 }).await, Ok(7));
///     let never = std::future::pending::<()>();
///     assert_eq!(timeout(Duration::from_millis(1), never).await, Err(TimeoutError));
/// });
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        sleep: sleep(duration),
    }
}

/// The future returned by [`timeout`]: `Result<F::Output, TimeoutError>`.
///
/// It is `Unpin` when `F` is.
///
/// # Examples
/// ```
/// use std::time::Duration;
///
/// filch::Runtime::new().block_on(async {
///     let slow = filch::sleep(Duration::from_secs(3600));
///     let result = filch::timeout(Duration::from_millis(1), slow).await;
///     assert!(result.is_err());
/// });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Timeout<F> {
    /// Structurally pinned: see `project`.
    future: F,
    sleep: Sleep,
}

impl<F> Timeout<F> {
    /// The pinned future and the (unpinned) sleep.
    fn project(self: Pin<&mut Self>) -> (Pin<&mut F>, &mut Sleep) {
        // SAFETY: `Timeout` pins `future` structurally and `sleep` not at all. That is sound
        // because nothing moves `future` out of a `Timeout` once pinned: no method hands it
        // out by value or by `&mut`, and `Timeout` has no `Drop` impl; so the `&mut` taken
        // here is only turned into `Pin<&mut F>`. `sleep` is `Unpin`, so a plain `&mut` is
        // fine, and `Timeout<F>` is `Unpin` exactly when `F` is (auto trait).
        unsafe {
            let this = self.get_unchecked_mut();
            (Pin::new_unchecked(&mut this.future), &mut this.sleep)
        }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (future, sleep) = self.project();
        if let Poll::Ready(output) = future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        Pin::new(sleep).poll(cx).map(|()| Err(TimeoutError))
    }
}

/// A deadline passed before the awaited work finished (asyncio's `TimeoutError`; tokio calls
/// it `Elapsed`).
///
/// The one timeout error of filch: [`timeout`] returns it, and so do filch-combinators'
/// `wait_for` and a timed `as_completed`, which re-export it.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use filch::TimeoutError;
///
/// filch::Runtime::new().block_on(async {
///     let never = std::future::pending::<()>();
///     let err = filch::timeout(Duration::ZERO, never).await.unwrap_err();
///     assert_eq!(err, TimeoutError);
///     assert_eq!(err.to_string(), "deadline has elapsed");
///     let _: Box<dyn std::error::Error> = Box::new(err);
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TimeoutError;

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for TimeoutError {}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::time::test_util::{counting_waker, on_runtime};
    use std::future::{pending, ready};

    const HOUR: Duration = Duration::from_secs(3600);

    fn poll<F: Future>(future: Pin<&mut F>, waker: &std::task::Waker) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn ready_future_wins_without_touching_the_timer() {
        let (waker, _) = counting_waker();
        // No runtime on this thread: the sleep is never polled, or this would panic.
        let mut t = timeout(HOUR, ready(5));
        assert_eq!(poll(Pin::new(&mut t), &waker), Poll::Ready(Ok(5)));
        let mut t = timeout(Duration::ZERO, ready(6));
        assert_eq!(
            poll(Pin::new(&mut t), &waker),
            Poll::Ready(Ok(6)),
            "even at zero"
        );
    }

    #[test]
    fn pending_future_at_a_passed_deadline_is_elapsed() {
        let (waker, _) = counting_waker();
        let mut t = timeout(Duration::ZERO, pending::<()>());
        assert_eq!(
            poll(Pin::new(&mut t), &waker),
            Poll::Ready(Err(TimeoutError))
        );
    }

    #[test]
    fn fired_timer_elapses_a_pinned_pending_future() {
        on_runtime(|driver| {
            let (waker, counter) = counting_waker();
            let polls = std::cell::Cell::new(0);
            // An `async` block is `!Unpin`: this exercises the pinned projection.
            let inner = async {
                std::future::poll_fn(|_| {
                    polls.set(polls.get() + 1);
                    Poll::<()>::Pending
                })
                .await;
            };
            let mut t = std::pin::pin!(timeout(HOUR, inner));
            assert_eq!(poll(t.as_mut(), &waker), Poll::Pending);
            assert_eq!(driver.fire_expired(t.sleep.deadline() + HOUR), 1);
            assert_eq!(counter.wakes(), 1);
            assert_eq!(poll(t.as_mut(), &waker), Poll::Ready(Err(TimeoutError)));
            assert_eq!(polls.get(), 2, "the future is polled first on every poll");
        });
    }

    #[test]
    fn timeout_error_is_a_displayable_error() {
        let err: Box<dyn Error + Send + Sync> = Box::new(TimeoutError);
        assert_eq!(err.to_string(), "deadline has elapsed");
    }
}
