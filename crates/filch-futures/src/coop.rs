//! The cooperative budget: how many times one poll of a task may find a filch future ready
//! before that future says `Pending` (having woken the task), so a task looping on ready
//! futures yields its worker instead of starving the tasks queued behind it (tokio's `coop`).
//!
//! - The executor runs each task poll inside [`with_budget`]: [`BUDGET_PER_POLL`] units,
//!   the previous budget restored afterwards (a task polled inside another one's poll, as a
//!   fork-join wait does, leaves the outer budget as it found it).
//! - A leaf future (an awaited `Promise`, `IntoValue`, a `JoinHandle`) that is about to
//!   return `Ready` calls [`poll_proceed`]: one unit spent, or, with none left, the task's
//!   waker woken and `Pending` returned. A leaf that is not ready spends nothing.
//! - Outside any budget (a `Promise` awaited on tokio, `block_on`, a plain executor) nothing
//!   is counted: a foreign executor keeps its own rules.
//!
//! The trap to avoid (tokio#2401): a combinator that re-polls every child on each wake turns a
//! budget into O(n²) wasted polls once it runs out. filch's combinators stop at the first
//! child that says `Pending` and resume there (gather's in-order walk, the ready lists), so a
//! gather over 100,000 ready handles costs one extra poll per [`BUDGET_PER_POLL`] children.
//! `futures::join_all` over many handles uses `FuturesUnordered`, which polls only woken
//! children and yields after two of them wake themselves, so it polls no child again and
//! again. It is not free there: over more than 30 futures `join_all` is a `FuturesOrdered`,
//! and with the budget its outputs go through its reordering heap (callgrind), most likely
//! because a handle that ran out wakes itself to the back of the ready queue, behind later
//! handles already done. That costs about 35 % of `join_all`'s time on 100,000 handles
//! (`docs/benchmarks.md`, "The cooperative budget"); not fixed yet.

use std::cell::Cell;
use std::task::{Context, Poll};

/// Ready leaf polls one task poll may make (tokio's budget is the same).
pub const BUDGET_PER_POLL: u8 = 128;

thread_local! {
    /// `None`: no task poll is running on this thread (nothing is counted).
    static BUDGET: Cell<Option<u8>> = const { Cell::new(None) };
}

/// Runs `poll` (one poll of a task) with a fresh budget, then restores the budget it found.
/// For executors; filch's calls it around every task poll.
///
/// # Example
/// ```
/// use std::future::Future;
/// use std::task::{Context, Poll, Waker};
///
/// let done: filch::Promise<u8, ()> = filch::Promise::new();
/// done.set_result(1).unwrap();
/// let mut cx = Context::from_waker(Waker::noop());
/// let ready_polls = filch::futures::coop::with_budget(|| {
///     (0..1_000)
///         .take_while(|_| std::pin::pin!(done.clone()).poll(&mut cx).is_ready())
///         .count()
/// });
/// assert_eq!(ready_polls, usize::from(filch::futures::coop::BUDGET_PER_POLL));
/// ```
pub fn with_budget<R>(poll: impl FnOnce() -> R) -> R {
    /// Restores the outer budget even if the poll panics.
    struct Restore(Option<u8>);
    impl Drop for Restore {
        fn drop(&mut self) {
            // `try_with`: the thread's locals may be going away.
            let _ = BUDGET.try_with(|budget| budget.set(self.0));
        }
    }
    let _restore = Restore(BUDGET.replace(Some(BUDGET_PER_POLL)));
    poll()
}

/// Whether the running task may still find futures ready in this poll: `false` once its
/// budget is spent. A combinator polling many children checks it before each child and stops
/// (leaving the rest for its next poll) instead of polling children that can only yield.
///
/// # Example
/// ```
/// // Outside a task poll there is no budget to run out of.
/// assert!(filch::futures::coop::has_budget());
/// ```
pub fn has_budget() -> bool {
    BUDGET.try_with(Cell::get).ok().flatten() != Some(0)
}

/// A leaf future about to return `Ready`: spends one unit of the running task's budget, or,
/// with none left, wakes the task and returns `Pending` (the leaf then returns `Pending`; it
/// is still ready at the task's next poll).
///
/// # Example
/// ```
/// use std::task::{Context, Waker};
///
/// let mut cx = Context::from_waker(Waker::noop());
/// // Outside a task poll there is no budget: always ready.
/// assert!(filch::futures::coop::poll_proceed(&mut cx).is_ready());
/// ```
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    match BUDGET.try_with(Cell::get).ok().flatten() {
        None => Poll::Ready(()),
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(left) => {
            BUDGET.set(Some(left - 1));
            Poll::Ready(())
        }
    }
}
