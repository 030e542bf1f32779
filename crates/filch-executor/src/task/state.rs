//! The task state word: one `AtomicUsize`, every change a read-modify-write.
//!
//! | bit   | name            | meaning |
//! |-------|-----------------|---------|
//! | 0     | `SCHEDULED`     | a [`Notified`](super::Notified) exists (queued or in hand), or, while `RUNNING`, the task was woken during its poll and the poller will re-queue it. At most one `Notified` exists at a time. |
//! | 1     | `RUNNING`       | one thread owns `stage` exclusively: it polls the future or drops it. Never set together with `COMPLETE`. |
//! | 2     | `COMPLETE`      | the future is gone and `stage` holds the outcome. Never cleared. |
//! | 3     | `CANCELLED`     | cancellation was requested; the next holder of `RUNNING` drops the future instead of polling it. Once `COMPLETE`, it says the outcome *is* the cancellation: a cancel accepted while the task ran wins over the value its last poll returned (asyncio's `_must_cancel`), but not over a panic (then it is cleared). |
//! | 4     | `PANICKED`      | with `COMPLETE`: `stage` holds a panic payload instead of the output. |
//! | 5     | `JOIN_INTEREST` | the `JoinHandle` is alive and owns the outcome once `COMPLETE` is set. |
//! | 6     | `JOIN_WAKER`    | the join-waker slot is filled and belongs to the task side (see [`super`] for the slot rules). |
//! | 7..   | reference count | one per `Notified`, `Waker`, `JoinHandle`, running poller and the registry's link. |
//!
//! Orderings: every transition is a CAS with `AcqRel` on success, so all of them sit in one
//! modification order and each one sees the memory effects of the transition before it. That
//! is what hands `stage` from the thread that clears `RUNNING` (Release) to the one that sets it
//! next (Acquire), and the output from the completer (`complete`, Release) to the `JoinHandle`
//! (`load`/`set_join_waker`, Acquire). Reference increments are `Relaxed` because a new reference
//! is always made from an existing one (as `Arc::clone` argues); decrements are `AcqRel` so the
//! thread that frees the task sees every other holder's last access.

use crate::sync::{AtomicUsize, Ordering::*};
use std::fmt;

pub(crate) const SCHEDULED: usize = 1 << 0;
pub(crate) const RUNNING: usize = 1 << 1;
pub(crate) const COMPLETE: usize = 1 << 2;
pub(crate) const CANCELLED: usize = 1 << 3;
pub(crate) const PANICKED: usize = 1 << 4;
pub(crate) const JOIN_INTEREST: usize = 1 << 5;
pub(crate) const JOIN_WAKER: usize = 1 << 6;
const FLAGS: usize =
    SCHEDULED | RUNNING | COMPLETE | CANCELLED | PANICKED | JOIN_INTEREST | JOIN_WAKER;
/// One reference: the lowest bit above the flags (derived, so the table cannot drift).
pub(crate) const REF_ONE: usize = FLAGS + 1;
const REF_SHIFT: u32 = REF_ONE.trailing_zeros();
const _: () = assert!(REF_ONE.is_power_of_two() && FLAGS & REF_ONE == 0);

/// A new task: scheduled (its first `Notified` is handed to the scheduler), joined, and
/// referenced three times: by that `Notified`, by the `JoinHandle` and by the registry.
const INITIAL: usize = SCHEDULED | JOIN_INTEREST | (3 * REF_ONE);

/// The atomic state word of one task.
pub(crate) struct State(AtomicUsize);

/// A copy of the state word, decoded by its `is_*` methods.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

impl Snapshot {
    pub(crate) fn has(self, bits: usize) -> bool {
        self.0 & bits == bits
    }
    fn with(self, bits: usize) -> Self {
        Self(self.0 | bits)
    }
    fn without(self, bits: usize) -> Self {
        Self(self.0 & !bits)
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }
    /// One reference fewer; the caller checks `ref_count() == 0` to learn it was the last.
    fn ref_dec(self) -> Self {
        debug_assert!(self.ref_count() > 0, "reference count underflow: {self:?}");
        Self(self.0 - REF_ONE)
    }
    fn ref_inc(self) -> Self {
        Self(self.0 + REF_ONE)
    }
    /// Whether the task is complete; `false` means its future still exists.
    pub(crate) fn is_complete(self) -> bool {
        self.has(COMPLETE)
    }
    /// With `COMPLETE`: the outcome is the cancellation.
    pub(crate) fn is_cancelled(self) -> bool {
        self.has(COMPLETE | CANCELLED)
    }
    /// With `COMPLETE`: the outcome is a panic.
    pub(crate) fn is_panicked(self) -> bool {
        self.has(COMPLETE | PANICKED)
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("scheduled", &self.has(SCHEDULED))
            .field("running", &self.has(RUNNING))
            .field("complete", &self.has(COMPLETE))
            .field("cancelled", &self.has(CANCELLED))
            .field("panicked", &self.has(PANICKED))
            .field("join_interest", &self.has(JOIN_INTEREST))
            .field("join_waker", &self.has(JOIN_WAKER))
            .field("ref_count", &self.ref_count())
            .finish()
    }
}

/// What the holder of a `Notified` does with it.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StartPoll {
    /// `SCHEDULED -> RUNNING`: poll the future.
    Poll,
    /// `SCHEDULED -> RUNNING` with `CANCELLED`: drop the future and complete as cancelled.
    Cancel,
    /// The task is complete or another thread holds `RUNNING` (shutdown took it): the
    /// `Notified`'s reference was released; nothing else to do.
    Skip,
    /// As `Skip`, and that was the last reference: free the task.
    SkipDealloc,
}

/// What the poller does after `poll` returned `Pending`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FinishPoll {
    /// `RUNNING` cleared and the poller's reference released.
    Idle,
    /// As `Idle`, and that was the last reference.
    IdleDealloc,
    /// Woken during the poll: `RUNNING` cleared, `SCHEDULED` kept; the poller's reference
    /// becomes the new `Notified`, which goes back to the thread that ran the task (it
    /// re-queues it behind the other runnable tasks: no scheduler in the task is involved).
    Reschedule,
    /// Cancelled during the poll: `RUNNING` kept; drop the future and complete.
    Cancel,
}

/// What a by-value wake (which owns a reference) leads to.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WakeByVal {
    /// Nothing to schedule (already scheduled, running or complete); the reference was released.
    DoNothing,
    /// As `DoNothing`, and that was the last reference.
    Dealloc,
    /// `SCHEDULED` set and a reference added for the `Notified` to submit; the waker keeps
    /// its own across the hand-off to the scheduler (which lives in the task: once the
    /// `Notified` is queued another thread may run and free it), then releases it.
    Submit,
}

/// What a by-reference wake leads to.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WakeByRef {
    /// Nothing to schedule.
    DoNothing,
    /// `SCHEDULED` set and a reference added for the `Notified` to submit.
    Submit,
}

/// What a cancellation request leads to.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CancelRequest {
    /// The task is complete: the request has no effect.
    TooLate,
    /// `CANCELLED` is set; whoever runs or polls the task next acts on it.
    Requested,
    /// The task was idle: `CANCELLED | SCHEDULED` set and a reference added for the
    /// `Notified` to submit, so the future is dropped on a runtime thread.
    Submit,
}

/// What the runtime's shutdown does with a task it took from the registry.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ShutdownTask {
    /// `RUNNING | CANCELLED` taken: drop the future and complete as cancelled.
    Cancel,
    /// Running elsewhere (now with `CANCELLED`, which its poller acts on) or complete.
    Busy,
}

/// How a task finished: what [`JoinHandle::add_done_callback`](crate::JoinHandle::add_done_callback)
/// callbacks receive. It is recorded in the task's state word when the task completes.
///
/// ```
/// use filch::TaskOutcome;
///
/// let rt = filch::Runtime::new();
/// let (tx, rx) = std::sync::mpsc::channel();
/// let mut handle = rt.spawn(async { panic!("boom") });
/// handle.add_done_callback(move |outcome| tx.send(outcome).unwrap());
/// assert_eq!(rx.recv().unwrap(), TaskOutcome::Panicked);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskOutcome {
    /// The future returned its output.
    Returned,
    /// The future panicked in `poll` or in its destructor.
    Panicked,
    /// The task was cancelled before it returned.
    Cancelled,
}

impl TaskOutcome {
    /// The outcome recorded in `snapshot`, if the task is complete.
    pub(crate) fn of(snapshot: Snapshot) -> Option<Self> {
        if !snapshot.is_complete() {
            None
        } else if snapshot.is_cancelled() {
            Some(Self::Cancelled)
        } else if snapshot.is_panicked() {
            Some(Self::Panicked)
        } else {
            Some(Self::Returned)
        }
    }
}

/// The state just before [`State::complete`], which says who owns the outcome and the slot.
#[must_use]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Completed {
    /// The `JoinHandle` is alive and now owns the outcome; otherwise the completer drops it.
    pub(crate) join_interest: bool,
    /// The future returned, but a cancel accepted while it ran wins (asyncio's
    /// `_must_cancel`): the outcome is the cancellation, and the output in `stage`, which no
    /// one else will touch, is the completer's to drop.
    pub(crate) cancel_won: bool,
    /// The join-waker slot is filled and the completer must wake it.
    pub(crate) join_waker: bool,
}

/// What the dropped `JoinHandle` must clean up.
#[must_use]
#[derive(Clone, Copy, Debug)]
pub(crate) struct JoinDropped {
    /// The task is complete: the outcome belongs to the handle, which drops it.
    pub(crate) drop_outcome: bool,
    /// The handle owns the join-waker slot and empties it.
    pub(crate) clear_slot: bool,
}

impl State {
    pub(crate) fn new() -> Self {
        Self(AtomicUsize::new(INITIAL))
    }

    /// Acquire load: pairs with the Release of `complete`, so a `COMPLETE` seen here makes
    /// the outcome readable.
    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// `SCHEDULED -> RUNNING`, consuming the `Notified`'s reference into the poller.
    pub(crate) fn start_poll(&self) -> StartPoll {
        self.update(|s| {
            debug_assert!(
                s.has(SCHEDULED),
                "polled a task that was not scheduled: {s:?}"
            );
            if s.has(RUNNING) || s.has(COMPLETE) {
                let next = s.ref_dec();
                let action = if next.ref_count() == 0 {
                    StartPoll::SkipDealloc
                } else {
                    StartPoll::Skip
                };
                return (action, Some(next));
            }
            let action = if s.has(CANCELLED) {
                StartPoll::Cancel
            } else {
                StartPoll::Poll
            };
            (action, Some(s.without(SCHEDULED).with(RUNNING)))
        })
    }

    /// After a `Pending` poll: leave `RUNNING`, unless a cancel arrived meanwhile.
    pub(crate) fn finish_poll(&self) -> FinishPoll {
        self.update(|s| {
            debug_assert!(s.has(RUNNING) && !s.has(COMPLETE), "finish_poll on {s:?}");
            if s.has(CANCELLED) {
                (FinishPoll::Cancel, None)
            } else if s.has(SCHEDULED) {
                (FinishPoll::Reschedule, Some(s.without(RUNNING)))
            } else {
                let next = s.without(RUNNING).ref_dec();
                let action = if next.ref_count() == 0 {
                    FinishPoll::IdleDealloc
                } else {
                    FinishPoll::Idle
                };
                (action, Some(next))
            }
        })
    }

    /// A wake that consumes its waker's reference.
    pub(crate) fn wake_by_val(&self) -> WakeByVal {
        self.update(|s| {
            if s.has(COMPLETE) || s.has(SCHEDULED) {
                let next = s.ref_dec();
                let action = if next.ref_count() == 0 {
                    WakeByVal::Dealloc
                } else {
                    WakeByVal::DoNothing
                };
                (action, Some(next))
            } else if s.has(RUNNING) {
                // The poller holds a reference, so this one is never the last.
                (WakeByVal::DoNothing, Some(s.with(SCHEDULED).ref_dec()))
            } else {
                // A reference for the new `Notified`; the waker's stays the guard.
                (WakeByVal::Submit, Some(s.with(SCHEDULED).ref_inc()))
            }
        })
    }

    /// A wake through a borrowed waker.
    pub(crate) fn wake_by_ref(&self) -> WakeByRef {
        self.update(|s| {
            if s.has(COMPLETE) || s.has(SCHEDULED) {
                (WakeByRef::DoNothing, None)
            } else if s.has(RUNNING) {
                (WakeByRef::DoNothing, Some(s.with(SCHEDULED)))
            } else {
                (WakeByRef::Submit, Some(s.with(SCHEDULED).ref_inc()))
            }
        })
    }

    /// `JoinHandle::cancel`.
    pub(crate) fn request_cancel(&self) -> CancelRequest {
        self.update(|s| {
            if s.has(COMPLETE) {
                (CancelRequest::TooLate, None)
            } else if s.has(CANCELLED) {
                (CancelRequest::Requested, None)
            } else if s.has(RUNNING) || s.has(SCHEDULED) {
                (CancelRequest::Requested, Some(s.with(CANCELLED)))
            } else {
                (
                    CancelRequest::Submit,
                    Some(s.with(CANCELLED | SCHEDULED).ref_inc()),
                )
            }
        })
    }

    /// Runtime shutdown: take `RUNNING` to drop the future here, unless another thread has it.
    pub(crate) fn shutdown(&self) -> ShutdownTask {
        self.update(|s| {
            if s.has(COMPLETE) {
                (ShutdownTask::Busy, None)
            } else if s.has(RUNNING) {
                (ShutdownTask::Busy, Some(s.with(CANCELLED)))
            } else {
                (ShutdownTask::Cancel, Some(s.with(RUNNING | CANCELLED)))
            }
        })
    }

    /// `RUNNING -> COMPLETE` with the outcome's bits. Release: publishes the outcome written
    /// into `stage` before this call to whoever observes `COMPLETE` with Acquire.
    pub(crate) fn complete(&self, outcome: TaskOutcome) -> Completed {
        self.update(|s| {
            debug_assert!(s.has(RUNNING) && !s.has(COMPLETE), "complete on {s:?}");
            let mut next = s.without(RUNNING | CANCELLED | PANICKED).with(COMPLETE);
            // A cancel accepted while the task ran (`request_cancel` said `true`) turns a
            // returned value into the cancellation; a panic is never hidden.
            let cancel_won = outcome == TaskOutcome::Returned && s.has(CANCELLED);
            match outcome {
                TaskOutcome::Returned if cancel_won => next = next.with(CANCELLED),
                TaskOutcome::Returned => {}
                TaskOutcome::Panicked => next = next.with(PANICKED),
                TaskOutcome::Cancelled => next = next.with(CANCELLED),
            }
            let completed = Completed {
                join_interest: s.has(JOIN_INTEREST),
                cancel_won,
                join_waker: s.has(JOIN_WAKER),
            };
            (completed, Some(next))
        })
    }

    /// The completer is done with the join-waker slot: hand it back. Returns whether the
    /// `JoinHandle` is still alive (if not, the completer empties the slot itself).
    pub(crate) fn release_join_waker(&self) -> bool {
        self.update(|s| {
            debug_assert!(s.has(COMPLETE | JOIN_WAKER), "release_join_waker on {s:?}");
            (s.has(JOIN_INTEREST), Some(s.without(JOIN_WAKER)))
        })
    }

    /// The `JoinHandle` filled the slot: give it to the task side. Fails once `COMPLETE`
    /// (the handle keeps the slot and reads the outcome instead).
    pub(crate) fn set_join_waker(&self) -> Result<(), Snapshot> {
        self.update(|s| {
            if s.has(COMPLETE) {
                return (Err(s), None);
            }
            debug_assert!(
                s.has(JOIN_INTEREST) && !s.has(JOIN_WAKER),
                "set_join_waker on {s:?}"
            );
            (Ok(()), Some(s.with(JOIN_WAKER)))
        })
    }

    /// The `JoinHandle` takes the slot back to replace its waker. Fails once `COMPLETE`
    /// (the completer is using the slot).
    pub(crate) fn unset_join_waker(&self) -> Result<(), Snapshot> {
        self.update(|s| {
            if s.has(COMPLETE) {
                // The completer may have handed the slot back already: JOIN_WAKER may be clear.
                return (Err(s), None);
            }
            debug_assert!(
                s.has(JOIN_INTEREST | JOIN_WAKER),
                "unset_join_waker on {s:?}"
            );
            (Ok(()), Some(s.without(JOIN_WAKER)))
        })
    }

    /// The `JoinHandle` is dropped. Before completion it also takes the slot back, unless
    /// `keep_waker` (its done-callbacks must still run at completion).
    pub(crate) fn drop_join_interest(&self, keep_waker: bool) -> JoinDropped {
        self.update(|s| {
            debug_assert!(s.has(JOIN_INTEREST), "drop_join_interest on {s:?}");
            let mut next = s.without(JOIN_INTEREST);
            if !s.has(COMPLETE) && !keep_waker {
                next = next.without(JOIN_WAKER);
            }
            let dropped = JoinDropped {
                drop_outcome: s.has(COMPLETE),
                clear_slot: !next.has(JOIN_WAKER),
            };
            (dropped, Some(next))
        })
    }

    /// Adds a reference (a waker clone). Relaxed: made from a reference the caller holds.
    pub(crate) fn ref_inc(&self) {
        let prev = self.0.fetch_add(REF_ONE, Relaxed);
        // Like `Arc`: a count this high means leaked references; wrapping would free a live task.
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Releases `n` references; `true` when they were the last (the caller frees the task).
    pub(crate) fn ref_dec(&self, n: usize) -> bool {
        let prev = Snapshot(self.0.fetch_sub(n * REF_ONE, AcqRel));
        debug_assert!(
            prev.ref_count() >= n,
            "reference count underflow: {prev:?} - {n}"
        );
        prev.ref_count() == n
    }

    /// The one CAS loop: `f` decides from a snapshot; `None` means "no write".
    fn update<A>(&self, mut f: impl FnMut(Snapshot) -> (A, Option<Snapshot>)) -> A {
        let mut current = Snapshot(self.0.load(Acquire));
        loop {
            let (action, next) = f(current);
            let Some(next) = next else { return action };
            match self
                .0
                .compare_exchange_weak(current.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return action,
                Err(seen) => current = Snapshot(seen),
            }
        }
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn initial_state_is_scheduled_joined_with_three_references() {
        let s = State::new().load();
        assert!(s.has(SCHEDULED | JOIN_INTEREST));
        assert!(!s.has(RUNNING) && !s.is_complete());
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn wake_during_poll_reschedules_with_the_pollers_reference() {
        let state = State::new();
        assert_eq!(state.start_poll(), StartPoll::Poll);
        assert_eq!(state.wake_by_ref(), WakeByRef::DoNothing);
        assert_eq!(state.finish_poll(), FinishPoll::Reschedule);
        let s = state.load();
        assert!(s.has(SCHEDULED) && !s.has(RUNNING));
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn idle_wake_by_val_adds_a_reference_for_the_notified() {
        let state = State::new();
        assert_eq!(state.start_poll(), StartPoll::Poll);
        assert_eq!(state.finish_poll(), FinishPoll::Idle);
        assert_eq!(state.load().ref_count(), 2);
        state.ref_inc(); // a waker clone
        assert_eq!(state.wake_by_val(), WakeByVal::Submit);
        assert_eq!(
            state.load().ref_count(),
            4,
            "the Notified's and the waker's guard"
        );
        assert!(!state.ref_dec(1), "the waker releases its guard");
        assert_eq!(
            state.wake_by_val(),
            WakeByVal::DoNothing,
            "second wake finds SCHEDULED"
        );
        assert_eq!(state.load().ref_count(), 2);
    }

    #[test]
    fn cancel_of_idle_task_submits_and_poll_then_cancels() {
        let state = State::new();
        assert_eq!(state.start_poll(), StartPoll::Poll);
        assert_eq!(state.finish_poll(), FinishPoll::Idle);
        assert_eq!(state.request_cancel(), CancelRequest::Submit);
        assert_eq!(state.request_cancel(), CancelRequest::Requested);
        assert_eq!(state.start_poll(), StartPoll::Cancel);
        let done = state.complete(TaskOutcome::Cancelled);
        assert!(done.join_interest && !done.join_waker);
        assert!(state.load().is_cancelled());
        assert_eq!(state.request_cancel(), CancelRequest::TooLate);
    }

    #[test]
    fn a_cancel_accepted_while_running_wins_over_the_returned_value() {
        let state = State::new();
        assert_eq!(state.start_poll(), StartPoll::Poll);
        assert_eq!(state.request_cancel(), CancelRequest::Requested);
        let done = state.complete(TaskOutcome::Returned);
        assert!(done.cancel_won);
        let s = state.load();
        assert!(s.is_complete() && s.is_cancelled() && !s.is_panicked());
    }

    #[test]
    fn a_panic_after_an_accepted_cancel_stays_a_panic() {
        let state = State::new();
        assert_eq!(state.start_poll(), StartPoll::Poll);
        assert_eq!(state.request_cancel(), CancelRequest::Requested);
        let done = state.complete(TaskOutcome::Panicked);
        assert!(!done.cancel_won);
        let s = state.load();
        assert!(s.is_complete() && s.is_panicked() && !s.is_cancelled());
    }

    #[test]
    fn shutdown_takes_a_scheduled_task_and_the_notified_then_skips() {
        let state = State::new();
        assert_eq!(state.shutdown(), ShutdownTask::Cancel);
        let _ = state.complete(TaskOutcome::Cancelled);
        assert_eq!(state.start_poll(), StartPoll::Skip);
        assert_eq!(state.shutdown(), ShutdownTask::Busy);
        assert_eq!(state.load().ref_count(), 2);
    }

    #[test]
    fn join_waker_slot_handoff() {
        let state = State::new();
        assert_eq!(state.set_join_waker(), Ok(()));
        assert_eq!(state.unset_join_waker(), Ok(()));
        assert_eq!(state.set_join_waker(), Ok(()));
        assert_eq!(state.start_poll(), StartPoll::Poll);
        let done = state.complete(TaskOutcome::Returned);
        assert!(done.join_interest && done.join_waker);
        assert!(
            state.unset_join_waker().is_err(),
            "the completer owns the slot"
        );
        assert!(state.release_join_waker(), "handle still alive");
        let dropped = state.drop_join_interest(false);
        assert!(dropped.drop_outcome && dropped.clear_slot);
    }

    #[test]
    fn ref_dec_reports_the_last_reference() {
        let state = State::new();
        assert!(!state.ref_dec(2));
        assert!(state.ref_dec(1));
    }

    #[test]
    fn debug_decodes_every_bit() {
        let text = format!("{:?}", State::new());
        assert!(
            text.contains("scheduled: true") && text.contains("ref_count: 3"),
            "{text}"
        );
    }
}
