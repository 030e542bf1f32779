//! [`gather`]: spawn every child on the current runtime, collect the results in input order.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use filch_executor::{JoinError, JoinHandle};
use filch_futures::Completion;

use crate::error::GatherError;
use crate::first_failure::{FailureGuard, FirstFailure};
use crate::sync::Arc;

/// Runs `futures` in parallel as tasks on the current filch runtime and returns their values
/// **in input order** (asyncio's `gather`).
///
/// Each future is spawned at once with `filch_executor::spawn`, so they run on the workers
/// whether or not the `Gather` is polled yet; the `Gather` only collects. It awaits the
/// handles in input order, waiting on one at a time, and a child that fails reports itself so
/// that the error still comes at once: n children cost O(n) polls and no waker each.
///
/// **Children are futures of `Result<T, E>`.** A Rust future has no exception channel, and the
/// error rule has to tell a failure from a value, so `Err(e)` plays asyncio's exception; for
/// infallible work write `async { Ok::<_, Infallible>(work().await) }`. A child's outcome is:
/// - `Ok(v)`: its value;
/// - `Err(e)`: [`GatherError::Failed(e)`](GatherError::Failed);
/// - a panic in the child: caught by its task, [`GatherError::Panicked`] with the payload;
/// - the child's task cancelled (the runtime shut down): [`GatherError::Cancelled`].
///
/// **Error rule.** By default the first error in completion order is returned at once and the
/// other children are *not* cancelled: they keep running, detached (asyncio's rule; unlike
/// `futures::try_join_all`, which drops them). [`Gather::return_exceptions`] (or
/// [`gather_all_outcomes`]) instead waits for every child and returns every outcome.
///
/// **Cancellation.** Dropping a `Gather` that has not completed — or cancelling the task
/// that awaits it, which drops it — cancels every child not done yet. A `Gather` that has
/// completed detaches its remaining children when dropped, so the children left running by
/// the error rule keep running.
///
/// `gather` of nothing is an empty `Vec` at once.
///
/// # Panics
/// Outside a filch runtime (as `filch_executor::spawn`): call it inside `Runtime::block_on` or
/// a spawned task.
///
/// # Example
/// ```
/// use filch_combinators::gather;
///
/// let rt = filch_executor::Runtime::new();
/// let squares = rt.block_on(async {
///     gather((0..4u64).map(|i| async move { Ok::<_, String>(i * i) })).await
/// });
/// assert_eq!(squares.unwrap(), [0, 1, 4, 9]);
/// ```
pub fn gather<I, F, T, E>(futures: I) -> Gather<T, E>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let failure = Arc::new(FirstFailure::new());
    let handles: Vec<JoinHandle<Result<T, E>>> = futures
        .into_iter()
        .enumerate()
        .map(|(index, future)| {
            let guard = FailureGuard::new(failure.clone(), index);
            filch_executor::spawn(async move {
                let output = future.await;
                // Report a failure before the task completes, so the gather's await on this
                // child's handle finds it done or is woken by it.
                if output.is_ok() {
                    guard.succeeded();
                } else {
                    drop(guard);
                }
                output
            })
        })
        .collect();
    Gather {
        values: Vec::with_capacity(handles.len()),
        children: Spawned {
            done_from: handles.len(),
            handles,
            next: 0,
            failure,
            registered: None,
            finished: false,
        },
    }
}

/// [`gather`] with `return_exceptions` on from the start: every outcome, in input order.
///
/// ```
/// use filch_combinators::gather_all_outcomes;
///
/// let rt = filch_executor::Runtime::new();
/// let outcomes = rt.block_on(async {
///     gather_all_outcomes([1, -1].map(|i| async move { if i > 0 { Ok(i) } else { Err("negative") } }))
///         .await
/// });
/// assert_eq!(outcomes[0].as_ref().ok(), Some(&1));
/// assert!(outcomes[1].as_ref().is_err());
/// ```
pub fn gather_all_outcomes<I, F, T, E>(futures: I) -> GatherAll<T, E>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    gather(futures).return_exceptions()
}

/// A child task's output as [`gather`] and [`TaskGroup`](crate::TaskGroup) report it.
pub(crate) fn outcome<T, E>(output: Result<Result<T, E>, JoinError>) -> Result<T, GatherError<E>> {
    match output {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(GatherError::Failed(e)),
        Err(e) if e.is_panic() => Err(GatherError::Panicked(e.into_panic())),
        Err(_) => Err(GatherError::Cancelled),
    }
}

/// The spawned children, awaited in input order; cancels the unfinished ones when dropped
/// before completion.
///
/// The gather's waker is held by the *last* handle not done yet (`done_from`), since its
/// children were spawned in order and mostly finish in order, so the gather sleeps until they
/// probably all finished instead of waking once per child; and, in fail-fast mode, by
/// `failure` and, once a child failed, by that child's handle, even when it is `handles[next]`.
/// On each poll the gather takes every outcome that is done in input order from `next` (it
/// only checks `done()` there: a handle before the last unfinished one holds no waker), and
/// if one is not, registers with the last unfinished handle again. A child that fails reports
/// itself through `failure` (its [`FailureGuard`]) *before* its task completes, which wakes
/// the gather in fail-fast mode; the gather then awaits that child's handle for the error, so
/// the task's completion wakes it even if it polled in between (issue 11). Each wake-up comes
/// from a handle that finished (its join waker fires once) or from the first failure, so the
/// gather is polled at most n + 2 times; a poll checks the failed child's handle once and
/// handles inwards from `next` and from `done_from`, and every check but the last at each end
/// moves that end inwards for good: O(n) polls, checks and wake-ups, and no waker and no
/// allocation per child.
struct Spawned<T: Send + 'static, E: Send + 'static> {
    handles: Vec<JoinHandle<Result<T, E>>>,
    /// The outcomes of `handles[..next]` are taken.
    next: usize,
    /// `handles[done_from..]` are known to be done.
    done_from: usize,
    failure: Arc<FirstFailure>,
    /// The waker last registered with `failure` (fail-fast mode only).
    registered: Option<Waker>,
    finished: bool,
}

impl<T: Send + 'static, E: Send + 'static> Spawned<T, E> {
    /// Fail-fast mode: the first failed child's error once its task is done. Registers the
    /// gather's waker with `failure` first, so a later failure wakes it.
    fn poll_first_failure(&mut self, cx: &mut Context<'_>) -> Poll<GatherError<E>> {
        if !self
            .registered
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            self.failure.register(cx.waker());
            self.registered = Some(cx.waker().clone());
        }
        match self.failure.first() {
            // Await it even at `next`: the child reports before its task completes, and the
            // in-order loop only checks `done()` there without registering, so a poll in
            // between would leave this handle's completion waking nobody. Before `next` it
            // would have ended the gather already.
            Some(index) if index >= self.next => {
                let output = ready!(Pin::new(&mut self.handles[index]).poll(cx));
                let Err(error) = outcome(output) else {
                    unreachable!("a child reported as failed returned Ok");
                };
                Poll::Ready(error)
            }
            _ => Poll::Pending,
        }
    }

    /// Takes the outcomes that are ready in input order, passing each to `take`, until a
    /// handle is unfinished (then the last unfinished handle holds the gather's waker) or
    /// `take` returns an error. `Ready(Ok(()))` once every outcome is taken.
    fn poll_in_order<X>(
        &mut self,
        cx: &mut Context<'_>,
        mut take: impl FnMut(Result<T, GatherError<E>>) -> Result<(), X>,
    ) -> Poll<Result<(), X>> {
        loop {
            while let Some(handle) = self.handles.get_mut(self.next) {
                if !handle.done() {
                    break;
                }
                let output = ready!(Pin::new(handle).poll(cx));
                self.next += 1;
                take(outcome(output))?;
            }
            if self.next == self.handles.len() {
                return Poll::Ready(Ok(()));
            }
            if self.wait_on_last_unfinished(cx) {
                return Poll::Pending;
            }
        }
    }

    /// Registers the gather's waker with the last handle not done yet, so that the gather is
    /// woken once, when the children probably all finished, rather than once per child.
    /// `false` if every handle from `next` on is done by now.
    fn wait_on_last_unfinished(&mut self, cx: &mut Context<'_>) -> bool {
        while self.done_from > self.next {
            let last = &mut self.handles[self.done_from - 1];
            if Completion::poll_done(last, cx).is_pending() {
                return true;
            }
            self.done_from -= 1;
        }
        false
    }

    /// Runs one poll of the gather: `poll` unless it completed already; ends the gather's
    /// interest in failures once `poll` is ready.
    fn poll_once<R>(&mut self, poll: impl FnOnce(&mut Self) -> Poll<R>) -> Poll<R> {
        assert!(!self.finished, "a gather was polled after it completed");
        let result = poll(self);
        if result.is_ready() {
            self.finished = true;
            self.unregister();
        }
        result
    }

    /// Forgets the gather's waker in `failure`, so that a child that fails from now on wakes
    /// nothing (and does not keep the waker alive).
    fn unregister(&mut self) {
        if self.registered.take().is_some() {
            self.failure.unregister();
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Drop for Spawned<T, E> {
    fn drop(&mut self) {
        self.unregister();
        if !self.finished {
            for child in &self.handles[self.next..] {
                child.cancel();
            }
        }
    }
}

/// The future of [`gather`]: `Ok(values)` in input order, or the first error.
#[must_use = "futures do nothing unless polled; dropping a gather cancels its children"]
pub struct Gather<T: Send + 'static, E: Send + 'static> {
    children: Spawned<T, E>,
    /// The values of `children.handles[..children.next]`.
    values: Vec<T>,
}

// Outputs are moved, never pinned; the children are pinned inside their tasks.
impl<T: Send + 'static, E: Send + 'static> Unpin for Gather<T, E> {}

impl<T: Send + 'static, E: Send + 'static> Gather<T, E> {
    /// Returns every outcome instead of the first error (asyncio's `return_exceptions=True`):
    /// `Vec<Result<T, GatherError<E>>>` in input order, once every child is done.
    ///
    /// ```
    /// use filch_combinators::{gather, GatherError};
    ///
    /// let rt = filch_executor::Runtime::new();
    /// let outcomes = rt.block_on(async {
    ///     gather([0, 1, 2].map(|i| async move {
    ///         if i == 1 { panic!("child 1 broke") }
    ///         Ok::<_, ()>(i)
    ///     }))
    ///     .return_exceptions()
    ///     .await
    /// });
    /// assert!(matches!(outcomes[1], Err(GatherError::Panicked(_))));
    /// assert_eq!(outcomes[2].as_ref().ok(), Some(&2));
    /// ```
    pub fn return_exceptions(mut self) -> GatherAll<T, E> {
        let mut outcomes = Vec::with_capacity(self.children.handles.len());
        outcomes.extend(self.values.drain(..).map(Ok));
        let mut children = self.children;
        children.unregister();
        GatherAll { children, outcomes }
    }
}

impl<T: Send + 'static, E: Send + 'static> Future for Gather<T, E> {
    type Output = Result<Vec<T>, GatherError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Gather { children, values } = self.get_mut();
        children.poll_once(|children| {
            if let Poll::Ready(error) = children.poll_first_failure(cx) {
                return Poll::Ready(Err(error));
            }
            let all = ready!(children.poll_in_order(cx, |outcome| {
                values.push(outcome?);
                Ok(())
            }));
            Poll::Ready(all.map(|()| std::mem::take(values)))
        })
    }
}

/// The future of [`Gather::return_exceptions`] and [`gather_all_outcomes`].
#[must_use = "futures do nothing unless polled; dropping a gather cancels its children"]
pub struct GatherAll<T: Send + 'static, E: Send + 'static> {
    children: Spawned<T, E>,
    /// The outcomes of `children.handles[..children.next]`.
    outcomes: Vec<Result<T, GatherError<E>>>,
}

// As for `Gather`: nothing in it is pinned through it.
impl<T: Send + 'static, E: Send + 'static> Unpin for GatherAll<T, E> {}

impl<T: Send + 'static, E: Send + 'static> Future for GatherAll<T, E> {
    type Output = Vec<Result<T, GatherError<E>>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let GatherAll { children, outcomes } = self.get_mut();
        children.poll_once(|children| {
            let Ok(()) = ready!(children.poll_in_order(cx, |outcome| {
                outcomes.push(outcome);
                Ok::<_, Infallible>(())
            }));
            Poll::Ready(std::mem::take(outcomes))
        })
    }
}
