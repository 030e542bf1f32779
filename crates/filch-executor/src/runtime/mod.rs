//! [`Runtime`], its [`Builder`], [`Handle`] and [`RuntimeMetrics`].

pub(crate) mod block_on;
mod builder;
pub(crate) mod context;
mod handle;
pub(crate) mod hooks;
pub(crate) mod metrics;

pub use builder::Builder;
pub(crate) use builder::ThreadFactory;
pub use handle::Handle;
pub(crate) use hooks::ThreadHook;
pub use metrics::{RuntimeMetrics, WorkerMetrics};

use crate::sync::{Condvar, Mutex, StdArc as Arc};
use crate::task::JoinHandle;
use context::OwnThread;
use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

/// A multi-threaded, work-stealing async runtime: worker threads that run spawned tasks, and a
/// pool of threads for blocking work.
///
/// Dropping it (or [`shutdown_timeout`](Self::shutdown_timeout)) shuts it down: every task is
/// cancelled (its future dropped exactly once, on a runtime thread), the workers are joined,
/// and later spawns through a [`Handle`] give cancelled [`JoinHandle`]s. Dropped on one of its
/// own threads (inside one of its tasks or [`spawn_blocking`](Handle::spawn_blocking)
/// closures), it waits for every other thread and returns; that thread does its part of the
/// shutdown when the task's poll or the closure returns.
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let sum = rt.block_on(async {
///     let tasks: Vec<_> = (0..10_u64).map(|i| filch::spawn(async move { i * i })).collect();
///     let mut sum = 0;
///     for task in tasks {
///         sum += task.await.unwrap();
///     }
///     sum
/// });
/// assert_eq!(sum, 285);
/// ```
pub struct Runtime {
    handle: Handle,
    /// Counts workers that finished their shutdown duties (see `shutdown`).
    exited: Arc<WorkerExits>,
    workers: usize,
}

/// How many worker threads have returned from their run loop.
#[derive(Default)]
pub(crate) struct WorkerExits {
    count: Mutex<usize>,
    condvar: Condvar,
}

impl WorkerExits {
    pub(crate) fn record(&self) {
        *self.count.lock() += 1;
        self.condvar.notify_all();
    }

    /// Waits until `n` workers exited or `deadline` passed; `true` if they did.
    fn wait(&self, n: usize, deadline: Option<Instant>) -> bool {
        let mut count = self.count.lock();
        while *count < n {
            count = match deadline {
                None => self.condvar.wait(count).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    crate::sync::wait_timeout(&self.condvar, count, deadline - now)
                }
            };
        }
        true
    }
}

/// The error of [`Handle::try_current`]: this thread is not inside a runtime.
///
/// ```
/// let err = filch::Handle::try_current().unwrap_err();
/// assert!(err.to_string().contains("not inside a filch runtime"));
/// ```
#[derive(Debug)]
pub struct TryCurrentError(());

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "not inside a filch runtime: call this from a task, from inside Runtime::block_on, \
             or use a Handle obtained from Runtime::handle",
        )
    }
}

impl std::error::Error for TryCurrentError {}

impl Runtime {
    /// A runtime with the default settings (one worker per CPU).
    ///
    /// # Panics
    /// If the worker threads cannot be started; use [`Builder::build`] to get that as an error.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    /// ```
    #[allow(clippy::new_without_default)] // a runtime starts threads: `Default` would hide that
    pub fn new() -> Self {
        Builder::new()
            .build()
            .unwrap_or_else(|e| panic!("failed to start the filch runtime's worker threads: {e}"))
    }

    /// Same as [`Builder::new`].
    ///
    /// ```
    /// let rt = filch::Runtime::builder().worker_threads(2).build().unwrap();
    /// assert_eq!(rt.metrics().workers, 2);
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    pub(crate) fn from_parts(handle: Handle, exited: Arc<WorkerExits>, workers: usize) -> Self {
        Self {
            handle,
            exited,
            workers,
        }
    }

    /// Runs `future` to completion on the calling thread, with the runtime entered: spawned
    /// tasks run on the workers meanwhile. Returns the future's output.
    ///
    /// # Panics
    /// If `future` panics (the panic propagates), and when called on one of the runtime's
    /// threads or inside another `block_on` (use `.await` there).
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let out = rt.block_on(async { filch::spawn(async { 7 }).await.unwrap() });
    /// assert_eq!(out, 7);
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns `future` onto the runtime; same as [`Handle::spawn`].
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let task = rt.spawn(async { 3 });
    /// assert_eq!(rt.block_on(task).unwrap(), 3);
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// A handle to this runtime, to clone and send to other threads.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let handle = rt.handle().clone();
    /// assert_eq!(handle.block_on(async { 1 }), 1);
    /// ```
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// A snapshot of the runtime's counters.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// assert_eq!(rt.metrics().alive_tasks, 0);
    /// ```
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// Shuts the runtime down, waiting at most `timeout` for workers (each cancels tasks when
    /// its current poll returns) and blocking-pool threads (whose running closures cannot be
    /// interrupted). Threads still busy after that are left to finish on their own.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = filch::Runtime::new();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// rt.shutdown_timeout(Duration::from_secs(10));
    /// assert!(task.cancelled());
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(Instant::now() + timeout));
    }

    fn shutdown(&mut self, deadline: Option<Instant>) {
        let shared = &self.handle.shared;
        if !shared.begin_shutdown() {
            return;
        }
        // A runtime dropped on one of its own threads (a task on a worker, a closure on the
        // blocking pool) cannot wait for that thread: it finishes its shutdown duties once
        // the drop returns.
        let own = context::own_thread(shared);
        let waited_for = self.workers - usize::from(own == Some(OwnThread::Worker));
        if self.exited.wait(waited_for, deadline) {
            // Every worker is done: release what was injected meanwhile.
            shared.drain_injector();
        }
        shared
            .blocking
            .shutdown(deadline, own == Some(OwnThread::Blocking));
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}
