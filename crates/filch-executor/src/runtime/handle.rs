//! [`Handle`]: a cloneable reference to a runtime, usable from any thread.

use super::{block_on, context, TryCurrentError};
use crate::scheduler::Shared;
use crate::sync::StdArc as Arc;
use crate::task::JoinHandle;
use std::fmt;
use std::future::Future;

/// A cloneable, `Send + Sync` reference to a [`Runtime`](crate::Runtime): spawn onto it, or
/// block on it, from any thread. It does not keep the runtime alive: once the `Runtime` is
/// dropped, spawns through a handle give [`JoinError::is_cancelled`](crate::JoinError) results.
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let handle = rt.handle().clone();
/// let answer = std::thread::spawn(move || handle.block_on(handle.spawn(async { 42 })))
///     .join()
///     .unwrap();
/// assert_eq!(answer.unwrap(), 42);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

impl Handle {
    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// The runtime this code runs on: a worker's, a `block_on`'s, or a blocking-pool thread's.
    ///
    /// # Panics
    /// Outside a runtime; use [`try_current`](Self::try_current) to check instead.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// rt.block_on(async {
    ///     let handle = filch::Handle::current();
    ///     assert_eq!(handle.spawn(async { 1 }).await.unwrap(), 1);
    /// });
    /// ```
    pub fn current() -> Self {
        Self::try_current().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The current runtime, or an error outside of one.
    ///
    /// ```
    /// assert!(filch::Handle::try_current().is_err());
    /// let rt = filch::Runtime::new();
    /// assert!(rt.block_on(async { filch::Handle::try_current().is_ok() }));
    /// ```
    pub fn try_current() -> Result<Self, TryCurrentError> {
        context::current().ok_or(TryCurrentError(()))
    }

    /// Spawns `future` onto the runtime. From one of the runtime's workers it goes to that
    /// worker's queue; from anywhere else, to the global injector.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let task = rt.handle().spawn(async { "hi" });
    /// assert_eq!(rt.block_on(task).unwrap(), "hi");
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.shared.spawn(future)
    }

    /// Runs `f` on the runtime's blocking-thread pool (see [`spawn_blocking`](crate::spawn_blocking)).
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let task = rt.handle().spawn_blocking(|| 2 + 2);
    /// assert_eq!(rt.block_on(task).unwrap(), 4);
    /// ```
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        crate::blocking::spawn_blocking(&self.shared, f)
    }

    /// A snapshot of the runtime's counters (as [`Runtime::metrics`](crate::Runtime::metrics)),
    /// reachable where only a handle is: inside `#[filch::main]`, or from a task.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let workers = rt.block_on(async { filch::Handle::current().metrics().workers });
    /// assert_eq!(workers, rt.metrics().workers);
    /// ```
    pub fn metrics(&self) -> crate::RuntimeMetrics {
        crate::RuntimeMetrics::collect(&self.shared)
    }

    /// Runs `future` to completion on the calling thread, with this runtime entered (so
    /// [`spawn`](crate::spawn) and [`Handle::current`] work inside it).
    ///
    /// # Panics
    /// On a worker thread or inside another `block_on` (use `.await` there), and if `future`
    /// panics.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let handle = rt.handle().clone();
    /// assert_eq!(handle.block_on(async { 5 }), 5);
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        block_on::block_on(self, future)
    }

    /// A new asyncio-style Future (`loop.create_future()`): a
    /// [`filch::Promise`](filch_futures::Promise) that any thread can complete and any task can
    /// await.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let promise = rt.handle().create_future::<u32, String>();
    /// let setter = promise.clone();
    /// rt.spawn(async move { setter.set_result(7).unwrap() });
    /// assert_eq!(rt.block_on(promise).unwrap(), 7);
    /// ```
    pub fn create_future<T, E: fmt::Debug>(&self) -> filch_futures::Promise<T, E> {
        filch_futures::Promise::new()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("workers", &self.shared.num_workers())
            .finish_non_exhaustive()
    }
}
