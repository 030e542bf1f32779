//! filch: a multi-threaded, work-stealing async runtime with asyncio-style futures.
//!
//! ```
//! use std::time::Duration;
//!
//! let rt = filch::Runtime::new();
//! let total = rt.block_on(async {
//!     // A Promise is asyncio's Future: one side sets it, any number of tasks await it.
//!     let ready: filch::Promise<u64, String> = filch::Promise::new();
//!     let tasks: Vec<_> = (1..=4_u64)
//!         .map(|i| {
//!             let ready = ready.clone();
//!             filch::spawn(async move { ready.await.unwrap() * i })
//!         })
//!         .collect();
//!     ready.set_result(10).unwrap();
//!     let mut total = 0;
//!     for task in tasks {
//!         // A task's JoinHandle is awaited like tokio's; a timeout bounds the wait.
//!         total += filch::timeout(Duration::from_secs(10), task).await.unwrap().unwrap();
//!     }
//!     total
//! });
//! assert_eq!(total, 100);
//! ```
//!
//! In a binary, `#[filch::main]` builds the runtime around `async fn main` instead; see
//! [`main`].
//!
//! This package is the one dependency a service adds. It re-exports the member crates:
//! - [`futures`] (`filch-futures`): asyncio's Future as [`Promise`], usable from any executor;
//! - `filch-executor`: [`Runtime`], [`spawn`], [`JoinHandle`], timers and the blocking pool,
//!   and rayon-style fork-join on the same workers: [`join`], [`scope`] and the parallel
//!   iterators of [`prelude`] (`par_iter`, `into_par_iter`, `par_chunks`, ...);
//! - `filch-combinators`: [`wait`], [`gather()`] and their asyncio relatives;
//! - `filch-macros`: `#[filch::main]` and `#[filch::test]`.

/// asyncio's Future: [`Promise`] and its errors.
pub use filch_futures as futures;
pub use filch_futures::{
    CallbackId, CancelledError, Completion, Error, ExceptionError, IntoValue, IntoValueError,
    InvalidStateError, Promise, ResultError,
};

pub use filch_executor::{
    current_num_threads, join, join_context, scope, sleep, sleep_until, spawn, spawn_blocking,
    timeout, yield_now, Builder, FnContext, Handle, JoinError, JoinHandle, Runtime, RuntimeMetrics,
    Scope, Sleep, TaskOutcome, Timeout, TimeoutError, TryCurrentError, WorkerMetrics, YieldNow,
};

/// Parallel iterators (`filch::prelude::*` brings their methods into scope).
pub use filch_executor::{iter, prelude};

pub use filch_combinators::{
    as_completed, gather, gather_all_outcomes, join_all, shield, try_gather, wait, wait_for,
    AsCompleted, AsCompletedTimeout, Gather, GatherAll, GatherError, GroupError, GroupJoin,
    JoinAll, JoinAllOutcomes, JoinSet, ReturnWhen, Shield, TaskGroup, Wait, WaitError, WaitFor,
};

/// The runtime, where tokio keeps it: [`Runtime`], its
/// [`Builder`], a [`Handle`] to it and its metrics.
///
/// ```
/// let rt = filch::runtime::Builder::new().worker_threads(2).build().unwrap();
/// assert_eq!(rt.block_on(async { 6 * 7 }), 42);
/// ```
pub mod runtime {
    pub use filch_executor::{
        Builder, Handle, Runtime, RuntimeMetrics, TryCurrentError, WorkerMetrics,
    };
}

/// Tasks: spawning, their handles, and the sets of tasks that are joined together.
///
/// ```
/// filch::Runtime::new().block_on(async {
///     let handle = filch::task::spawn(async { 1 });
///     filch::task::yield_now().await;
///     assert_eq!(handle.await.unwrap(), 1);
/// });
/// ```
pub mod task {
    pub use filch_combinators::{ChildHandle, GroupError, GroupJoin, JoinSet, Spawner, TaskGroup};
    pub use filch_executor::{
        spawn, spawn_blocking, yield_now, JoinError, JoinHandle, TaskOutcome, YieldNow,
    };
}

/// Time: sleeps and deadlines, with the one [`TimeoutError`].
///
/// ```
/// use std::time::Duration;
/// use filch::time::{sleep, timeout, TimeoutError};
///
/// filch::Runtime::new().block_on(async {
///     sleep(Duration::from_millis(1)).await;
///     let never = std::future::pending::<()>();
///     assert_eq!(timeout(Duration::from_millis(1), never).await, Err(TimeoutError));
/// });
/// ```
pub mod time {
    pub use filch_combinators::{wait_for, WaitFor};
    pub use filch_executor::{sleep, sleep_until, timeout, Sleep, Timeout, TimeoutError};
}

/// `#[filch::main]` and `#[filch::test]`: run an `async fn` on a filch runtime.
pub use filch_macros::{main, test};

/// docs/rayon-guide.md's code blocks run as doc tests, so the guide cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../docs/rayon-guide.md")]
pub struct RayonGuideDoctests;

/// The README's code blocks run as doc tests, so the quick start cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// docs/asyncio-guide.md's code blocks run as doc tests too, so the guide cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../docs/asyncio-guide.md")]
pub struct AsyncioGuideDoctests;
