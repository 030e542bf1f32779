//! The cooperative budget: how many times one poll of a task may find a filch future ready
//! before that future says `Pending` (having woken the task), so a task looping on ready
//! futures yields its worker instead of starving the tasks queued behind it (tokio's `coop`).
//!
//! - The executor runs each task poll inside [`with_budget`] or [`with_renewable_budget`]:
//!   [`BUDGET_PER_POLL`] units, the previous budget restored afterwards (a task polled inside
//!   another one's poll, as a fork-join wait does, leaves the outer budget as it found it).
//! - A leaf future (an awaited `Promise`, `IntoValue`, a `JoinHandle`) that is about to
//!   return `Ready` calls [`poll_proceed`]: one unit spent, or, with none left, the task's
//!   waker woken and `Pending` returned. A leaf that is not ready spends nothing.
//! - Under [`with_renewable_budget`] (filch's workers), a spent budget first asks the
//!   executor, which renews it when no one needs the thread: nothing queued for it, no timer
//!   due. A yield then would only bring the same task straight back, and it is not free (next
//!   paragraph). A task its worker's LIFO slot holds (one the running task just spawned or
//!   woke) is the one that no other worker may take: the worker moves it to the injector,
//!   where a busy worker looks within two ticks, and renews; only if it is still there at the
//!   next spent budget, or anything else waits, does the running task yield.
//! - Outside any budget (a `Promise` awaited on tokio, `block_on`, a plain executor) nothing
//!   is counted: a foreign executor keeps its own rules.
//!
//! The traps to avoid. tokio#2401: a combinator that re-polls every child on each wake turns
//! a budget into O(n²) wasted polls once it runs out. filch's combinators stop at the first
//! child that says `Pending` and resume there (gather's in-order walk, the ready lists), so a
//! gather over 100,000 ready handles costs one extra poll per [`BUDGET_PER_POLL`] children.
//! `futures::join_all` over many handles uses `FuturesUnordered`, which polls only woken
//! children and yields after two of them wake themselves, so it polls no child again and
//! again. But over more than 30 futures `join_all` is a `FuturesOrdered`, and a child told to
//! yield wakes itself to the back of the ready queue, behind later children already done:
//! from then on every output goes through the reordering heap until that child comes round
//! again. One yield in a `join_all` over 100,000 done handles cost it about half its time,
//! and a yield every 128 children (a budget that is never renewed) about 35 %
//! (`docs/benchmarks.md`, "The cooperative budget"). Hence the renewal: a budget-driven
//! yield is paid only when something else really waits for the worker.

use std::cell::Cell;
use std::task::{Context, Poll};

/// Ready leaf polls one task poll may make (tokio's budget is the same).
pub const BUDGET_PER_POLL: u8 = 128;

/// The running task poll's budget.
#[derive(Clone, Copy)]
struct Budget {
    /// Ready leaf polls left before the task is asked to yield.
    left: u8,
    /// The executor's renewal, asked once the units are spent (see
    /// [`with_renewable_budget`]); `None`: never renewed.
    renew: Option<fn() -> bool>,
}

impl Budget {
    /// Whether a unit is left, asking the renewal once the units are spent. A refusal is
    /// final for this poll: the renewal is not asked again, so every later leaf says
    /// `Pending` too and the task does yield (`FuturesUnordered` yields after two children
    /// that woke themselves; a second answer could let it go on with one of them moved back).
    fn has_unit(&mut self) -> bool {
        if self.left > 0 {
            return true;
        }
        match self.renew.take() {
            Some(renew) if renew() => {
                self.left = BUDGET_PER_POLL;
                self.renew = Some(renew);
                true
            }
            _ => false,
        }
    }
}

thread_local! {
    /// `None`: no task poll is running on this thread (nothing is counted).
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
}

/// Runs `poll` (one poll of a task) with a fresh budget, then restores the budget it found.
/// A task that spends it yields, whatever else its thread has to do (tokio's rule); filch's
/// workers use [`with_renewable_budget`].
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
    run_with(None, poll)
}

/// [`with_budget`], except that once the budget is spent `renew()` is asked, and a `true`
/// lets the task go on with a fresh one. For executors, whose `renew` says (and may arrange)
/// that no one else needs the thread: a yield would then only bring the same task straight
/// back, and a combinator that does not know the budget pays for each one (the module docs).
/// `renew` runs once per [`BUDGET_PER_POLL`] ready leaf polls, inside the task's poll.
///
/// # Example
/// ```
/// use std::future::Future;
/// use std::task::{Context, Poll, Waker};
///
/// let done: filch::Promise<u8, ()> = filch::Promise::new();
/// done.set_result(1).unwrap();
/// let mut cx = Context::from_waker(Waker::noop());
/// let mut ready_polls = |renew| {
///     filch::futures::coop::with_renewable_budget(renew, || {
///         (0..1_000)
///             .take_while(|_| std::pin::pin!(done.clone()).poll(&mut cx).is_ready())
///             .count()
///     })
/// };
/// // No one else needs the thread: the task keeps it.
/// assert_eq!(ready_polls(|| true), 1_000);
/// // Someone does: the task yields once its budget is spent.
/// assert_eq!(ready_polls(|| false), usize::from(filch::futures::coop::BUDGET_PER_POLL));
/// ```
pub fn with_renewable_budget<R>(renew: fn() -> bool, poll: impl FnOnce() -> R) -> R {
    run_with(Some(renew), poll)
}

/// Runs `poll` under a fresh budget, restoring the one it found even if `poll` panics.
fn run_with<R>(renew: Option<fn() -> bool>, poll: impl FnOnce() -> R) -> R {
    struct Restore(Option<Budget>);
    impl Drop for Restore {
        fn drop(&mut self) {
            // `try_with`: the thread's locals may be going away.
            let _ = BUDGET.try_with(|budget| budget.set(self.0));
        }
    }
    let fresh = Budget {
        left: BUDGET_PER_POLL,
        renew,
    };
    let _restore = Restore(BUDGET.replace(Some(fresh)));
    poll()
}

/// Whether the running task may still find futures ready in this poll: `false` once its
/// budget is spent (and not renewed). A combinator polling many children checks it before
/// each child and stops (leaving the rest for its next poll) instead of polling children that
/// can only yield.
///
/// # Example
/// ```
/// // Outside a task poll there is no budget to run out of.
/// assert!(filch::futures::coop::has_budget());
/// ```
pub fn has_budget() -> bool {
    match BUDGET.try_with(Cell::get).ok().flatten() {
        None => true,
        Some(budget) if budget.left > 0 => true,
        Some(mut spent) => {
            let renewed = spent.has_unit();
            BUDGET.set(Some(spent));
            renewed
        }
    }
}

/// A leaf future about to return `Ready`: spends one unit of the running task's budget, or,
/// with none left (and none renewed), wakes the task and returns `Pending` (the leaf then
/// returns `Pending`; it is still ready at the task's next poll).
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
    let Some(mut budget) = BUDGET.try_with(Cell::get).ok().flatten() else {
        return Poll::Ready(());
    };
    let proceed = budget.has_unit();
    if proceed {
        budget.left -= 1;
    }
    BUDGET.set(Some(budget));
    if proceed {
        Poll::Ready(())
    } else {
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::{has_budget, poll_proceed, with_budget, with_renewable_budget, BUDGET_PER_POLL};
    use proptest::prelude::*;
    use std::cell::RefCell;
    use std::task::{Context, Waker};

    thread_local! {
        /// The answers the scripted renewal gives, in order (then `false`), and how many it
        /// gave.
        static SCRIPT: RefCell<(Vec<bool>, usize)> = const { RefCell::new((Vec::new(), 0)) };
    }

    fn scripted_renew() -> bool {
        SCRIPT.with_borrow_mut(|(answers, asked)| {
            *asked += 1;
            answers.get(*asked - 1).copied().unwrap_or(false)
        })
    }

    /// Ready leaf polls (at most `cap`) before the first `Pending`, inside the current budget.
    fn ready_polls(cap: usize) -> usize {
        let mut cx = Context::from_waker(Waker::noop());
        (0..cap)
            .take_while(|_| poll_proceed(&mut cx).is_ready())
            .count()
    }

    proptest! {
        // No unsafe code here: Miri need not run many cases (the crate's unit tests run there).
        #![proptest_config(ProptestConfig {
            cases: if cfg!(miri) { 2 } else { 256 },
            // No regression file: Miri's isolation refuses the `getcwd` it needs.
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// A task goes on for one budget and one more per renewal in a row, and the renewal is
        /// asked once per spent budget until it refuses: never while units are left, never
        /// again after a refusal (the leaves after it say `Pending` without asking).
        #[test]
        fn each_renewal_grants_one_more_budget(answers in prop::collection::vec(any::<bool>(), 0..6)) {
            SCRIPT.with_borrow_mut(|script| *script = (answers.clone(), 0));
            let renewals = answers.iter().take_while(|&&renewed| renewed).count();
            let (ready, after) = with_renewable_budget(scripted_renew, || (ready_polls(10_000), ready_polls(10)));
            prop_assert_eq!(ready, usize::from(BUDGET_PER_POLL) * (1 + renewals));
            prop_assert_eq!(after, 0);
            prop_assert_eq!(SCRIPT.with_borrow(|(_, asked)| *asked), renewals + 1);
        }

        /// `has_budget` and `poll_proceed` agree: a combinator that checks before each child
        /// stops exactly where a leaf would say `Pending`, renewals included.
        #[test]
        fn has_budget_says_what_the_next_leaf_poll_will(answers in prop::collection::vec(any::<bool>(), 0..6)) {
            SCRIPT.with_borrow_mut(|script| *script = (answers.clone(), 0));
            let renewals = answers.iter().take_while(|&&renewed| renewed).count();
            let checked = with_renewable_budget(scripted_renew, || {
                let mut cx = Context::from_waker(Waker::noop());
                let mut ready = 0;
                while has_budget() {
                    prop_assert!(poll_proceed(&mut cx).is_ready());
                    ready += 1;
                }
                prop_assert!(poll_proceed(&mut cx).is_pending());
                Ok(ready)
            })?;
            prop_assert_eq!(checked, usize::from(BUDGET_PER_POLL) * (1 + renewals));
        }
    }

    #[test]
    fn a_nested_budget_leaves_the_outer_one_as_it_found_it() {
        with_budget(|| {
            assert_eq!(ready_polls(10), 10);
            with_renewable_budget(|| true, || assert_eq!(ready_polls(1_000), 1_000));
            assert_eq!(ready_polls(10_000), usize::from(BUDGET_PER_POLL) - 10);
        });
        // Outside any budget again: nothing is counted.
        assert_eq!(ready_polls(1_000), 1_000);
    }
}
