//! filch: a multi-threaded, work-stealing async runtime with asyncio-style futures.
//!
//! This package is the one dependency a service adds. It re-exports the member crates:
//! - [`futures`] (`filch-futures`): asyncio's Future as [`Promise`], usable from any executor;
//! - `filch-executor`: [`Runtime`], [`spawn`], [`JoinHandle`], timers and the blocking pool;
//! - `filch-combinators`: [`wait`], [`gather`] and their asyncio relatives;
//! - `filch-macros`: `#[filch::main]` and `#[filch::test]`.

/// asyncio's Future: [`Promise`] and its errors.
pub use filch_futures as futures;
pub use filch_futures::{
    CallbackId, CancelledError, Completion, Error, ExceptionError, IntoValue, IntoValueError,
    InvalidStateError, Promise, ResultError,
};

pub use filch_executor::{
    current_num_threads, join, join_context, sleep, sleep_until, spawn, spawn_blocking, timeout,
    yield_now, Builder, Elapsed, FnContext, Handle, JoinError, JoinHandle, Runtime, RuntimeMetrics,
    Sleep, TaskOutcome, Timeout, TryCurrentError, WorkerMetrics, YieldNow,
};

/// Parallel iterators (`filch::prelude::*` brings their methods into scope).
pub use filch_executor::{iter, prelude};

pub use filch_combinators::{
    as_completed, gather, gather_all_outcomes, join_all, shield, wait, wait_for, AsCompleted,
    AsCompletedTimeout, Gather, GatherAll, GatherError, GroupError, GroupJoin, JoinAll,
    JoinAllOutcomes, ReturnWhen, Shield, TaskGroup, TimeoutError, Wait, WaitError,
};

/// `#[filch::main]` and `#[filch::test]`: run an `async fn` on a filch runtime.
pub use filch_macros::{main, test};

/// The README's code blocks run as doc tests, so the quick start cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
