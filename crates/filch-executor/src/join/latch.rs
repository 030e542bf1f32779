//! [`Latch`]: set once by the worker that ran a job; waited for by the worker that owns it,
//! which helps (runs other work) while it waits and may fall asleep.
//!
//! One state word, three states:
//! - `UNSET`: the job has not finished; its owner is awake (or about to look again).
//! - `SLEEPING`: the owner is listed as a sleeper of the idle protocol and about to park, or
//!   parked; whoever sets the latch must wake it.
//! - `SET`: the job's result is written. Final.
//!
//! The owner falls asleep in two steps: first it lists itself in the idle protocol
//! (`Idle::fall_asleep`), then it moves `UNSET -> SLEEPING` ([`Latch::start_sleeping`]). The
//! setter swaps `SET` in ([`Latch::set`]). Both are read-modify-writes of one word, so one
//! comes first: if the owner's CAS does, the setter sees `SLEEPING` and wakes the owner, who
//! is listed (it listed itself before its CAS, which the setter's swap reads from); if the
//! setter's swap does, the CAS fails and the owner cancels its own sleep. Either way the owner
//! does not sleep through the set: the lost wake-up `join::loom_tests` checks. An owner woken
//! for another reason (new work) moves `SLEEPING -> UNSET` ([`Latch::stop_sleeping`]); a
//! setter that still saw `SLEEPING` then wakes a worker that is not asleep (nothing happens)
//! or is asleep for another reason (a spurious wake-up, which every sleeper tolerates).
//!
//! The owner may return, and its frame (holding the latch) be gone, as soon as it sees `SET`:
//! [`Latch::set`] reads everything it needs before its swap and nothing of the latch after.

use crate::scheduler::idle::Idle;
use crate::sync::{AtomicUsize, Ordering::*};

const UNSET: usize = 0;
const SLEEPING: usize = 1;
const SET: usize = 2;

/// A one-shot "the job is done" flag whose owner is a worker.
#[derive(Debug)]
pub(crate) struct Latch {
    state: AtomicUsize,
    /// The index of the worker that waits for this latch.
    owner: usize,
}

impl Latch {
    pub(crate) fn new(owner: usize) -> Self {
        Self {
            state: AtomicUsize::new(UNSET),
            owner,
        }
    }

    /// The worker that waits for it.
    pub(crate) fn owner(&self) -> usize {
        self.owner
    }

    /// Whether the latch is set. Acquire: pairs with the setter's swap, so the job's result
    /// is visible once this returns true.
    pub(crate) fn probe(&self) -> bool {
        self.state.load(Acquire) == SET
    }

    /// The owner, listed as a sleeper already: `UNSET -> SLEEPING`. `false` if the latch was
    /// set first (then the owner cancels its sleep instead of parking).
    pub(crate) fn start_sleeping(&self) -> bool {
        // AcqRel: Release publishes the owner's listing as a sleeper to the setter that reads
        // `SLEEPING` (its wake must find the owner listed); Acquire on failure sees the result.
        self.state
            .compare_exchange(UNSET, SLEEPING, AcqRel, Acquire)
            .is_ok()
    }

    /// The owner, awake again: `SLEEPING -> UNSET`, unless it was set meanwhile.
    pub(crate) fn stop_sleeping(&self) {
        let _ = self
            .state
            .compare_exchange(SLEEPING, UNSET, Relaxed, Relaxed);
    }

    /// Sets the latch and wakes its owner if it sleeps on it.
    ///
    /// # Safety
    /// `this` points to a live latch; it may dangle once the swap is done (the owner may
    /// return), so nothing of it is touched after. `idle` is the idle protocol of the runtime
    /// whose worker `owner` is (the setter is one of its workers, which keeps it alive).
    pub(crate) unsafe fn set(this: *const Self, idle: &Idle) {
        // SAFETY: `this` is live until the swap below (the caller's contract).
        let (state, owner) = unsafe { (&(*this).state, (*this).owner) };
        // AcqRel: Release publishes the job's result to the owner's probe; Acquire pairs with
        // `start_sleeping`'s Release, so a `SLEEPING` seen here means the owner is listed.
        if state.swap(SET, AcqRel) == SLEEPING {
            idle.wake_worker(owner);
        }
    }
}
