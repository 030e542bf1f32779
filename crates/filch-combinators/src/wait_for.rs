//! [`wait_for`]: await a future with a deadline; drop (cancel) it when the deadline passes.

use std::future::Future;
use std::time::Duration;

use filch_executor::TimeoutError;

/// Awaits `future` for at most `timeout` (asyncio's `wait_for`).
///
/// On timeout the future is dropped — Rust's cancellation — before `Err(TimeoutError)` is
/// returned, and dropping the `wait_for` future itself drops `future` too (asyncio: cancelling
/// the waiter cancels the awaitable). This is filch's [`timeout`](filch_executor::timeout)
/// with asyncio's error type.
///
/// A `JoinHandle` detaches its task when dropped, so `wait_for(d, handle)` would leave the task
/// running; pass the handle by `&mut` and cancel it on timeout:
/// `if wait_for(d, &mut handle).await.is_err() { handle.cancel(); }`.
/// To let the work go on after the timeout on purpose, wrap it in [`shield`](crate::shield).
///
/// The deadline starts when `wait_for` is called and uses filch's timer, so it must be awaited
/// inside a filch runtime.
///
/// # Example
/// ```
/// use filch_combinators::{wait_for, TimeoutError};
/// use std::time::Duration;
///
/// let rt = filch_executor::Runtime::new();
/// rt.block_on(async {
///     let quick = wait_for(Duration::from_secs(30), async { 7 }).await;
///     assert_eq!(quick, Ok(7));
///     let never = wait_for(Duration::from_millis(5), std::future::pending::<()>()).await;
///     assert_eq!(never, Err(TimeoutError));
/// });
/// ```
pub async fn wait_for<F: Future>(timeout: Duration, future: F) -> Result<F::Output, TimeoutError> {
    filch_executor::timeout(timeout, future)
        .await
        .map_err(|_elapsed| TimeoutError)
}
