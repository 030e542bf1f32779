//! Tasks: one allocation per spawned future, driven by one atomic state word.
//!
//! # References
//! A task is freed when its reference count (in the state word) drops to zero. Each holder's
//! reference is a type of its role (`refs.rs`), which offers only that role's operations:
//! - a [`Notified`]: the permission to run the task once, held by a run queue or a worker; at
//!   most one exists at a time (the `SCHEDULED` bit). A wake or cancel that makes one also
//!   adds its reference, and the waker (or handle) keeps its own across the hand-off to the
//!   scheduler: the scheduler lives in the task, and once queued the task can be run,
//!   completed and freed by another worker while `Schedule::schedule` still runs;
//! - the running poller: a `Notified` turns into it when `start_poll` succeeds, and back into
//!   a `Notified` when the task was woken during its poll (`FinishPoll::Reschedule`), which
//!   `Notified::run` returns to the thread that ran it to re-queue;
//! - every `Waker` made by cloning the poll-time waker (the poll-time waker itself borrows the
//!   poller's reference);
//! - the `JoinHandle`'s `JoinRef` (one per task), until it is dropped or has taken the output;
//! - the registry's `RegistryRef`, from spawn until completion or shutdown unlinks it;
//! - the `DoneCallbacks`' plain `TaskRef` (it only reads the state word), from
//!   `add_done_callback` until they fire.

//! # Fields and who may touch them
//! - `stage` (future, then outcome): the holder of `RUNNING` while the task is not complete;
//!   after `COMPLETE`, the outcome's owner: the `JoinHandle` if `JOIN_INTEREST` was set at
//!   completion, otherwise the completer (which drops it at once).
//! - the join-waker slot:
//!   1. `JOIN_WAKER` clear: only the `JoinHandle` touches it (write, replace, take).
//!   2. `JOIN_WAKER` set, not `COMPLETE`: the slot is read-only; the completer may read it at
//!      any time. The handle clears `JOIN_WAKER` (a CAS that fails once `COMPLETE`) to get
//!      rule 1 back.
//!   3. `COMPLETE` with `JOIN_WAKER`: the completer wakes the waker, then clears `JOIN_WAKER`;
//!      if `JOIN_INTEREST` is gone by then, it empties the slot itself, else rule 1 applies.
//!   4. Freeing the task drops whatever is left in the slot.
//! - the registry links: under the registry shard's lock only.
//!
//! # Files
//! `state.rs` (the word, no `unsafe`), `raw.rs` (layout, vtable, the base reference),
//! `harness.rs` (poll, cancel, complete, shutdown: what the vtable does), `refs.rs` (the kinds
//! of reference), `waker.rs`, `registry.rs` (intrusive lists), `join.rs` (`JoinHandle`),
//! `callbacks.rs`, `error.rs`. `unsafe` lives only in `raw.rs`, `harness.rs`, `refs.rs`,
//! `join.rs` (calls of the `JoinRef`'s `unsafe fn`s), `waker.rs` and `registry.rs`.

mod callbacks;
mod error;
mod harness;
mod join;
mod raw;
mod refs;
mod registry;
mod state;
mod waker;

pub use error::JoinError;
pub use join::{drop_cancelling, JoinHandle};
pub use state::TaskOutcome;

pub(crate) use raw::Header;
pub(crate) use refs::Notified;
pub(crate) use registry::Registry;

use std::future::Future;

/// What a task needs from whoever runs it.
pub(crate) trait Schedule: Send + Sync + 'static {
    /// A task was woken (or cancelled while idle): queue it to run. (A task woken during its
    /// own poll comes back from `Notified::run` instead, to whoever ran it.)
    fn schedule(&self, task: Notified);
    /// The task completed: unlink it from the registry; `true` if it was still linked (the
    /// caller then releases the registry's reference).
    fn release(&self, task: &Header) -> bool;
    /// The registry shard this scheduler's tasks live in (see `registry.rs`): a worker's own,
    /// or `None` for one chosen by the task's address. `release` must use the same.
    fn home_shard(&self) -> Option<usize>;
}

/// Creates a task running `future` with `scheduler`, registered in `registry`. Returns its
/// first `Notified` for the caller to queue, or `None` if the registry is closed (shutdown):
/// then the future was already dropped here and the handle resolves to a cancellation.
pub(crate) fn spawn<F, S>(
    future: F,
    scheduler: S,
    registry: &Registry,
) -> (Option<Notified>, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let home = scheduler.home_shard();
    let (notified, join, link) = raw::allocate(future, scheduler);
    let join = JoinHandle::new(join);
    match registry.insert(link, home) {
        Ok(()) => (Some(notified), join),
        Err(link) => {
            // Closed: cancel at once. `shutdown` takes RUNNING (nobody else can have it) and
            // releases the link's reference; the unused `Notified` releases its own.
            link.shutdown();
            drop(notified);
            (None, join)
        }
    }
}

/// Cancels every registered task (runtime shutdown): each future is dropped exactly once,
/// here or by the thread that is polling it right now. Starts at shard `start`.
pub(crate) fn shutdown_all(registry: &Registry, start: usize) {
    while let Some(task) = registry.pop(start) {
        task.shutdown();
    }
}

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(test)]
mod test_support;
#[cfg(all(test, not(loom)))]
mod tests;
