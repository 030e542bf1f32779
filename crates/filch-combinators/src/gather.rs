//! [`gather()`] and [`try_gather()`]: spawn every child on the current runtime, collect the
//! results in input order.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use filch_executor::{JoinError, JoinHandle};

use crate::error::GatherError;
use crate::first_failure::{FailureGuard, FirstFailure};
use crate::spawned::Spawned;
use crate::sync::Arc;

/// Runs `futures` in parallel as tasks on the current filch runtime and returns their values
/// **in input order** (asyncio's `gather`).
///
/// Each future is spawned at once with `filch::spawn`, so they run on the workers whether or
/// not the `Gather` is polled yet; the `Gather` only collects. It awaits the handles in input
/// order, waiting on one at a time, and a child that fails reports itself so that the error
/// still comes at once: n children cost O(n) polls and no waker each.
///
/// Children are any futures of one output type `T` (for futures of different types, the
/// [`gather!`](crate::gather!) macro returns a tuple). A child's outcome is its value, or:
/// - a panic in the child: caught by its task, [`GatherError::Panicked`] with the payload;
/// - the child's task cancelled (the runtime shut down): [`GatherError::Cancelled`].
///
/// For children that return `Result`, [`try_gather()`] treats `Err(e)` as asyncio's exception
/// ([`GatherError::Failed`]), the `join_all` / `try_join_all` convention.
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
/// Outside a filch runtime (as `filch::spawn`): call it inside `Runtime::block_on` or a
/// spawned task.
///
/// # Example
/// ```
/// use filch::gather;
///
/// let rt = filch::Runtime::new();
/// let squares = rt.block_on(async { gather((0..4u64).map(|i| async move { i * i })).await });
/// assert_eq!(squares.unwrap(), [0, 1, 4, 9]);
/// ```
pub fn gather<I>(futures: I) -> Gather<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
{
    try_gather(
        futures
            .into_iter()
            .map(|future| async move { Ok(future.await) }),
    )
}

/// [`gather()`] for children that return `Result<T, E>`: `Ok(values)` in input order, or the
/// first error, where a child's `Err(e)` is [`GatherError::Failed(e)`](GatherError::Failed)
/// (asyncio's exception; the `try_join_all` convention). The error rule, cancellation and
/// [`return_exceptions`](Gather::return_exceptions) are `gather`'s.
///
/// # Panics
/// Outside a filch runtime (as `filch::spawn`).
///
/// # Example
/// ```
/// use filch::{try_gather, GatherError};
///
/// let rt = filch::Runtime::new();
/// rt.block_on(async {
///     let parsed = try_gather(["1", "2"].map(|s| async move { s.parse::<u8>() })).await;
///     assert_eq!(parsed.unwrap(), [1, 2]);
///     let failed = try_gather(["1", "x"].map(|s| async move { s.parse::<u8>() })).await;
///     assert!(matches!(failed, Err(GatherError::Failed(_))));
/// });
/// ```
pub fn try_gather<I, F, T, E>(futures: I) -> Gather<T, E>
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
                guard.settle(output.is_err());
                output
            })
        })
        .collect();
    Gather {
        values: Vec::with_capacity(handles.len()),
        children: Spawned::new(handles, failure, outcome),
    }
}

/// [`gather()`] with `return_exceptions` on from the start: every outcome, in input order.
///
/// ```
/// use filch::gather_all_outcomes;
///
/// let rt = filch::Runtime::new();
/// let outcomes = rt.block_on(async {
///     gather_all_outcomes([1, -1].map(|i| async move {
///         assert!(i > 0, "negative");
///         i
///     }))
///     .await
/// });
/// assert_eq!(outcomes[0].as_ref().ok(), Some(&1));
/// assert!(outcomes[1].as_ref().is_err_and(|e| e.is_panic()));
/// ```
pub fn gather_all_outcomes<I>(futures: I) -> GatherAll<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
{
    gather(futures).return_exceptions()
}

/// A child task's output as [`gather()`] and [`TaskGroup`](crate::TaskGroup) report it.
pub(crate) fn outcome<T, E>(output: Result<Result<T, E>, JoinError>) -> Result<T, GatherError<E>> {
    match output {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(GatherError::Failed(e)),
        Err(e) if e.is_panic() => Err(GatherError::Panicked(e.into_panic())),
        Err(_) => Err(GatherError::Cancelled),
    }
}

/// A gather's children: their tasks' handles.
type Children<T, E> = Spawned<JoinHandle<Result<T, E>>, T, E>;

/// The future of [`gather()`] and [`try_gather()`]: `Ok(values)` in input order, or the first
/// error (`E` is `Infallible` for `gather`, whose children only panic or are cancelled).
#[must_use = "futures do nothing unless polled; dropping a gather cancels its children"]
pub struct Gather<T: Send + 'static, E: Send + 'static = Infallible> {
    children: Children<T, E>,
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
    /// use filch::{gather, GatherError};
    ///
    /// let rt = filch::Runtime::new();
    /// let outcomes = rt.block_on(async {
    ///     gather([0, 1, 2].map(|i| async move {
    ///         if i == 1 { panic!("child 1 broke") }
    ///         i
    ///     }))
    ///     .return_exceptions()
    ///     .await
    /// });
    /// assert!(matches!(outcomes[1], Err(GatherError::Panicked(_))));
    /// assert_eq!(outcomes[2].as_ref().ok(), Some(&2));
    /// ```
    pub fn return_exceptions(mut self) -> GatherAll<T, E> {
        let mut outcomes = Vec::with_capacity(self.children.len());
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
        children.poll_values(cx, values)
    }
}

/// The future of [`Gather::return_exceptions`] and [`gather_all_outcomes`].
#[must_use = "futures do nothing unless polled; dropping a gather cancels its children"]
pub struct GatherAll<T: Send + 'static, E: Send + 'static = Infallible> {
    children: Children<T, E>,
    /// The outcomes of `children.handles[..children.next]`.
    outcomes: Vec<Result<T, GatherError<E>>>,
}

// As for `Gather`: nothing in it is pinned through it.
impl<T: Send + 'static, E: Send + 'static> Unpin for GatherAll<T, E> {}

impl<T: Send + 'static, E: Send + 'static> Future for GatherAll<T, E> {
    type Output = Vec<Result<T, GatherError<E>>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let GatherAll { children, outcomes } = self.get_mut();
        children.poll_outcomes(cx, outcomes)
    }
}
