//! [`join_all`]: gather's non-spawning form, for futures that are not `Send` or not `'static`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::collect::{Collect, Mode};
use crate::error::GatherError;

/// Polls `futures` in place, concurrently, and returns their values **in input order**.
///
/// This is [`gather`](fn@crate::gather) without spawning: the children run inside the returned
/// future, on whatever executor polls it, so they need be neither `Send` nor `'static`. Each
/// child is polled once at the start and then only when its own waker fires (a ready list,
/// not a scan), so n children that each wake once cost at most 2n child polls and n + 1 polls
/// of the `JoinAll`, with no allocation after construction.
///
/// Error rule (asyncio's `gather`): children are futures of `Result<T, E>`, because a Rust
/// future has no exception channel and the error rule needs to tell a failure from a value.
/// The first child to fail — return `Err(e)` or panic while polled — ends the `JoinAll` with
/// that [`GatherError`] at once. Unlike spawned children, the others cannot keep running
/// after that: they live inside the `JoinAll` and are dropped with it. Use
/// [`return_exceptions`](JoinAll::return_exceptions) to collect every outcome instead.
/// Infallible futures can be wrapped: `async { Ok::<_, Infallible>(f.await) }`.
///
/// An empty input completes at once with an empty `Vec`.
///
/// # Example
/// ```
/// use filch::join_all;
/// use std::rc::Rc;
///
/// let shared = Rc::new(10); // not Send: gather could not take these futures
/// let children = (0..3).map(|i| {
///     let shared = shared.clone();
///     async move { Ok::<_, String>(*shared + i) }
/// });
/// let values = futures::executor::block_on(join_all(children)).unwrap();
/// assert_eq!(values, [10, 11, 12]);
/// ```
pub fn join_all<I, F, T, E>(futures: I) -> JoinAll<F, T, E>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T, E>>,
{
    JoinAll {
        collect: Collect::new(futures, |output| output.map_err(GatherError::Failed)),
        finished: false,
    }
}

/// The future of [`join_all`]: `Ok(values)` in input order, or the first child's error.
#[must_use = "futures do nothing unless polled"]
pub struct JoinAll<F: Future, T, E> {
    collect: Collect<F, T, E>,
    finished: bool,
}

// The children are pinned inside `Collect`'s own box, never through `JoinAll`.
impl<F: Future, T, E> Unpin for JoinAll<F, T, E> {}

impl<F: Future<Output = Result<T, E>>, T, E> JoinAll<F, T, E> {
    /// Collects every outcome instead of stopping at the first error (asyncio's
    /// `return_exceptions=True`): `Vec<Result<T, GatherError<E>>>` in input order.
    ///
    /// ```
    /// use filch::join_all;
    ///
    /// let children = [1, -2, 3].map(|i| async move { if i > 0 { Ok(i) } else { Err(i) } });
    /// let outcomes = futures::executor::block_on(join_all(children).return_exceptions());
    /// let errors: Vec<_> = outcomes.into_iter().map(|o| o.map_err(|e| e.into_failure())).collect();
    /// assert_eq!(errors, [Ok(1), Err(Some(-2)), Ok(3)]);
    /// ```
    pub fn return_exceptions(self) -> JoinAllOutcomes<F, T, E> {
        JoinAllOutcomes { inner: self }
    }
}

impl<F: Future<Output = Result<T, E>>, T, E> Future for JoinAll<F, T, E> {
    type Output = Result<Vec<T>, GatherError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.finished, "JoinAll polled after it completed");
        let result = match this.collect.poll(cx, Mode::FailFast) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Some(error)) => Err(error),
            Poll::Ready(None) => Ok(this.collect.take_values()),
        };
        this.finished = true;
        Poll::Ready(result)
    }
}

/// The future of [`JoinAll::return_exceptions`]: every outcome, in input order.
#[must_use = "futures do nothing unless polled"]
pub struct JoinAllOutcomes<F: Future, T, E> {
    inner: JoinAll<F, T, E>,
}

impl<F: Future<Output = Result<T, E>>, T, E> Future for JoinAllOutcomes<F, T, E> {
    type Output = Vec<Result<T, GatherError<E>>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut self.get_mut().inner;
        assert!(!this.finished, "JoinAllOutcomes polled after it completed");
        match this.collect.poll(cx, Mode::AllOutcomes) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(_) => {
                this.finished = true;
                Poll::Ready(this.collect.take_outcomes())
            }
        }
    }
}
