//! [`shield`]: run a future as its own task, so cancelling the waiter does not cancel it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use filch_executor::{JoinError, JoinHandle};

/// Protects `future` from its awaiter's cancellation (asyncio's `shield`).
///
/// `future` is spawned as a task on the current runtime at once; the returned [`Shield`]
/// awaits its result. Dropping the `Shield` — because a `wait_for` timed out, a `gather` was
/// cancelled, or the awaiting task was cancelled — detaches the task, which runs to the end.
/// A `Shield` has no `cancel`: to cancel the work, keep a `JoinHandle` from `spawn` instead.
/// If the task itself is cancelled (the runtime shut down) or panics, awaiting the `Shield`
/// gives that [`JoinError`].
///
/// # Panics
/// Outside a filch runtime (as `filch::spawn`).
///
/// # Example
/// ```
/// use filch::shield;
/// use filch::Promise;
///
/// let rt = filch::Runtime::new();
/// rt.block_on(async {
///     let finished: Promise<u32, ()> = Promise::new();
///     let signal = finished.clone();
///     let work = shield(async move { signal.set_result(7).unwrap() });
///     drop(work); // the waiter gives up (a timeout, a cancelled gather)...
///     assert_eq!(finished.await.unwrap(), 7); // ...and the work still runs to its end
/// });
/// ```
pub fn shield<F>(future: F) -> Shield<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Shield {
        task: filch_executor::spawn(future),
    }
}

/// The future of [`shield`]: the task's output, or its [`JoinError`].
#[must_use = "the shielded task runs anyway; await the Shield for its output"]
pub struct Shield<T: Send + 'static> {
    task: JoinHandle<T>,
}

impl<T: Send + 'static> Future for Shield<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.get_mut().task).poll(cx)
    }
}
