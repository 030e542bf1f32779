//! asyncio's combinators for filch: many futures in, one future out, thread-safe and at O(n).
//!
//! | item | asyncio | what it does |
//! |---|---|---|
//! | [`wait`], [`ReturnWhen`] | `wait` | waits on [`Completion`](filch_futures::Completion) handles, hands them back split `(done, pending)` |
//! | [`gather()`], [`gather_all_outcomes`] | `gather` | spawns futures as tasks; values (or every outcome) in input order |
//! | [`try_gather()`] | `gather` | the same for futures of `Result`, whose `Err` is the failure |
//! | [`gather!`], [`try_gather!`] | `gather` | futures of different types: a tuple |
//! | [`join_all`] | `gather`, in place | the same for futures that are not `Send`/`'static`, polled in place |
//! | [`as_completed`] | `as_completed` | a `Stream` of handles in completion order, with an optional timeout |
//! | [`wait_for`] | `wait_for` | a deadline for one future; cancels it (a task too) on timeout |
//! | [`shield`] | `shield` | runs a future as its own task, so cancelling the waiter does not cancel it |
//! | [`TaskGroup`], [`Spawner`], [`ChildHandle`] | `TaskGroup` | structured concurrency: the first failure cancels the siblings |
//! | [`JoinSet`] | — (tokio's `JoinSet`) | a growing set of tasks, joined one at a time in completion order |
//! | `filch::timeout` | `timeout` | a deadline scope: the executor's own, not repeated here |
//!
//! Errors: [`GatherError`] (one child: failed, panicked or cancelled), [`GroupError`] (every
//! failure of a task group), [`WaitError`], [`TimeoutError`].
//!
//! # How the combinators poll
//! [`join_all`], [`wait`] and [`as_completed`] give each child its own waker and
//! keep a ready list of the children that woke (`ready_list.rs`, checked with loom): a wake-up
//! polls only the child that woke, never all of them, and wakes the combinator only if it was
//! not woken already. n children that each wake once cost at most 2n child polls and n + 1
//! combinator polls, and no poll or wake allocates (the n wakers are made up front).
//!
//! [`gather()`] needs no waker per child: its children are tasks, so it awaits their handles in
//! input order, waiting on the last unfinished one, and each child carries a guard that
//! reports a failure (`first_failure.rs`) before its task completes, so the first error still
//! ends it at once: the gather then awaits the failed child's handle (`spawned.rs`). Both are
//! checked with loom, the poll logic over promises standing in for the tasks. Its polls are
//! bounded the same way, with no allocation per child beyond the task itself. The tuple
//! macros box each child's output to reuse [`try_gather()`] whole.
//!
//! [`TaskGroup`] and [`JoinSet`] grow while they are joined, so they cannot make their wakers
//! up front: each child's task carries a reporter that queues the child's index when its
//! future is dropped, under one mutex with the joiner's waker (`completions.rs`, checked with
//! loom), and the joiner then awaits that child's handle. Each child costs O(1) to join.
//!
//! # Example
//! ```
//! use filch::{gather, wait, ReturnWhen};
//!
//! let rt = filch::Runtime::new();
//! rt.block_on(async {
//!     // gather: run in parallel, results in input order.
//!     let lengths = gather(["a", "bb", "ccc"].map(|s| async move { s.len() })).await;
//!     assert_eq!(lengths.unwrap(), [1, 2, 3]);
//!
//!     // gather!: futures of different types, a tuple.
//!     let (n, s) = filch::gather!(async { 1 }, async { "one" }).await.unwrap();
//!     assert_eq!((n, s), (1, "one"));
//!
//!     // wait: the same handles back, split.
//!     let quick = filch::spawn(async { 1 });
//!     let stuck = filch::spawn(std::future::pending::<i32>());
//!     let (done, pending) = wait([quick, stuck], ReturnWhen::FirstCompleted, None).await.unwrap();
//!     assert_eq!((done.len(), pending.len()), (1, 1));
//!     pending[0].cancel();
//! });
//! ```

mod as_completed;
mod collect;
mod completions;
mod error;
mod first_failure;
mod gather;
mod gather_tuple;
mod join;
mod join_set;
mod ready_list;
mod shield;
mod spawned;
mod sync;
mod task_group;
#[cfg(test)]
mod test_waker;
mod wait;
mod wait_for;
mod watch;

pub use as_completed::{as_completed, AsCompleted, AsCompletedTimeout};
pub use error::{GatherError, GroupError, WaitError};
pub use filch_executor::TimeoutError;
pub use gather::{gather, gather_all_outcomes, try_gather, Gather, GatherAll};
pub use join::{join_all, JoinAll, JoinAllOutcomes};
pub use join_set::JoinSet;
pub use shield::{shield, Shield};
pub use task_group::{ChildHandle, GroupJoin, Spawner, TaskGroup};
pub use wait::{wait, ReturnWhen, Wait};
pub use wait_for::{wait_for, WaitFor};

/// What the [`gather!`] and [`try_gather!`] expansions name; not an API.
#[doc(hidden)]
pub mod __private {
    pub use crate::gather_tuple::{erase, erase_try, Erased, Slot};
}
