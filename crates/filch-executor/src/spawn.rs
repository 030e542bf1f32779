//! The free functions that spawn onto the current runtime.

use crate::runtime::{context, Handle};
use crate::task::JoinHandle;
use std::future::Future;

fn current_or_panic(what: &str, instead: &str) -> Handle {
    Handle::try_current().unwrap_or_else(|_| {
        panic!(
            "filch::{what} called outside a filch runtime: call it from a task or inside \
             Runtime::block_on, or use {instead} with a Runtime or Handle"
        )
    })
}

/// Spawns `future` onto the current runtime and returns a handle to await its output.
///
/// Called from a task, the new task goes to this worker's queue (its LIFO slot: it probably
/// runs next, on this worker, with a warm cache); from inside `block_on` or a blocking-pool
/// thread, to the runtime's global queue.
///
/// # Panics
/// Outside a runtime: use [`Runtime::spawn`](crate::Runtime::spawn) or
/// [`Handle::spawn`] there.
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let out = rt.block_on(async {
///     let a = filch::spawn(async { 20 });
///     let b = filch::spawn(async { 22 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(out, 42);
/// ```
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    // On a worker: straight into its queue, without looking the runtime up through a `Handle`
    // (which would touch the runtime's shared reference count on every spawn).
    let mut future = Some(future);
    let local =
        context::with_worker(|worker| worker.map(|w| w.spawn(future.take().expect("unused"))));
    match local {
        Some(handle) => handle,
        None => current_or_panic("spawn", "Runtime::spawn or Handle::spawn")
            .spawn(future.take().expect("unused")),
    }
}

/// Runs the blocking closure `f` on the current runtime's blocking-thread pool, so it does not
/// hold up the workers; await the handle for its result. A panic in `f` is returned as a
/// [`JoinError`](crate::JoinError). Once started, `f` cannot be cancelled.
///
/// # Panics
/// Outside a runtime: use [`Handle::spawn_blocking`] there.
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let sum = rt.block_on(async {
///     filch::spawn_blocking(|| {
///         std::thread::sleep(std::time::Duration::from_millis(1)); // stands in for blocking I/O
///         (1..=100u64).sum::<u64>()
///     })
///     .await
///     .unwrap()
/// });
/// assert_eq!(sum, 5050);
/// ```
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    current_or_panic("spawn_blocking", "Handle::spawn_blocking").spawn_blocking(f)
}
