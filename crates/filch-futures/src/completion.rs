//! The [`Completion`] trait: what `wait`, `as_completed` and friends need from a handle.

use std::task::{Context, Poll};

/// A one-shot computation whose completion can be observed without consuming its output.
///
/// asyncio's `wait` and `as_completed` accept Futures and Tasks alike because both can say
/// `done()` and notify when they become done. This trait is that common ground in Rust:
/// [`Promise`](crate::Promise) implements it, and so does `filch::JoinHandle`. The
/// combinators in `filch-combinators` are written against it and nothing else.
///
/// # Contract
/// - `done()` turns `true` once and never goes back.
/// - `poll_done` returns `Poll::Ready(())` exactly when `done()` would return `true`;
///   otherwise it registers `cx.waker()` so that it is woken when the handle becomes done.
///   A later call replaces the registration made through the same handle (it never
///   accumulates wakers), so polling it on every wake-up costs O(1) memory.
/// - `failed()` is `true` once the handle finished with an exception (a `set_exception`,
///   a task's panic); a cancelled handle is not `failed()`.
///
/// # Example
/// ```
/// use filch::{Completion, Promise};
///
/// let p: Promise<u32, String> = Promise::new();
/// assert!(!p.done());
/// p.set_result(7).unwrap();
/// assert!(p.done() && !p.failed() && !p.cancelled());
/// ```
pub trait Completion {
    /// Whether the handle is done: finished with a result or an exception, or cancelled.
    fn done(&self) -> bool;

    /// Whether the handle was cancelled.
    fn cancelled(&self) -> bool;

    /// Whether the handle finished with an exception (not a cancellation).
    fn failed(&self) -> bool;

    /// Requests cancellation; returns whether the request took effect (`false` once done).
    fn cancel(&self) -> bool;

    /// `Poll::Ready(())` once done; otherwise registers `cx.waker()` to be woken at completion.
    fn poll_done(&mut self, cx: &mut Context<'_>) -> Poll<()>;
}
