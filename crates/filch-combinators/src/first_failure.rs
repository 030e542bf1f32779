//! The first failure of a [`gather`](fn@crate::gather): which child failed first, and the one
//! waker to tell.
//!
//! `gather` awaits its children's handles in input order, so it is woken only by the one
//! handle it waits on. A child further on that fails must still end the gather at once (the
//! error rule), so each spawned child carries a [`FailureGuard`]: if the child ends in any way
//! but returning `Ok` (an `Err`, a panic unwinding through it, or its task cancelled and the
//! future dropped) the guard reports the child's index here, and the first report wakes the
//! gather, which then awaits that child's handle for the error. So n children cost no waker of
//! their own and no wake-up each: only the first failure wakes through this cell.
//!
//! # State
//! - `first`: the index of the first child that reported, or `NIL`. Set once, by a
//!   compare-exchange from `NIL`; later reports lose and do nothing more.
//! - `waker`: the gather's waker, set while the gather waits for a failure (fail-fast mode);
//!   `None` before that and after the gather is dropped.
//!
//! # Orderings
//! The reporter sets `first` and then locks `waker`; the gather stores its waker under the
//! lock and then loads `first`. The two lock sections are ordered one way or the other: if the
//! reporter's comes second it finds the waker and wakes it; if it comes first, its unlock
//! happens before the gather's lock, so its earlier write of `first` happens before the
//! gather's load, which therefore sees it. Either way the failure is not missed, so `first` is
//! Relaxed: the mutex orders it, and the index carries no other data (the gather reads the
//! child's error through its `JoinHandle`, which synchronizes on its own).
//! `loom_tests::a_failure_racing_registration_is_seen_or_wakes` checks this.

use std::task::Waker;

use crate::sync::Ordering::Relaxed;
use crate::sync::{Arc, AtomicUsize, Mutex, MutexGuard};

/// The "no child failed" value of `first`.
const NIL: usize = usize::MAX;

/// Shared by a gather and its children.
#[derive(Debug)]
pub(crate) struct FirstFailure {
    first: AtomicUsize,
    waker: Mutex<Option<Waker>>,
}

impl FirstFailure {
    pub(crate) fn new() -> Self {
        FirstFailure {
            first: AtomicUsize::new(NIL),
            waker: Mutex::new(None),
        }
    }

    fn waker(&self) -> MutexGuard<'_, Option<Waker>> {
        self.waker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Child `index` failed: record it if it is the first, and wake the registered waker.
    fn report(&self, index: usize) {
        if self
            .first
            .compare_exchange(NIL, index, Relaxed, Relaxed)
            .is_err()
        {
            return; // an earlier failure already woke the gather
        }
        // Clone under the lock, wake outside it: a waker may run arbitrary code.
        let waker = self.waker().clone();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Makes `waker` the one woken by the first failure. Call before [`first`](Self::first).
    pub(crate) fn register(&self, waker: &Waker) {
        self.waker().replace(waker.clone());
    }

    /// Forgets the registered waker (the gather is gone), so the children do not keep it alive.
    pub(crate) fn unregister(&self) {
        drop(self.waker().take());
    }

    /// The index of the first child that failed, if one has.
    pub(crate) fn first(&self) -> Option<usize> {
        Some(self.first.load(Relaxed)).filter(|&i| i != NIL)
    }
}

/// Carried by child `index` for its whole life: reports the child to [`FirstFailure`] when
/// dropped, unless [`settle`](Self::settle) disarmed it first. So an `Err`, a panic (the
/// unwinding drops it) and a cancellation (the task drops the future holding it) all report.
#[derive(Debug)]
pub(crate) struct FailureGuard {
    failure: Arc<FirstFailure>,
    index: usize,
    armed: bool,
}

impl FailureGuard {
    pub(crate) fn new(failure: Arc<FirstFailure>, index: usize) -> Self {
        FailureGuard {
            failure,
            index,
            armed: true,
        }
    }

    /// The child returned: reports it now if it `failed` (an `Err`), else disarms the guard.
    /// Call it before the child's task completes, so the gather, which awaits a failed
    /// child's handle, finds that task done or is woken when it is.
    pub(crate) fn settle(mut self, failed: bool) {
        self.armed = failed;
    }
}

impl Drop for FailureGuard {
    fn drop(&mut self) {
        if self.armed {
            self.failure.report(self.index);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::test_waker::WakeCount;

    #[test]
    fn the_first_dropped_armed_guard_is_reported_and_wakes_once() {
        let failure = Arc::new(FirstFailure::new());
        let (count, waker) = WakeCount::new();
        failure.register(&waker);
        FailureGuard::new(failure.clone(), 0).settle(false);
        assert_eq!(failure.first(), None);
        FailureGuard::new(failure.clone(), 2).settle(true);
        drop(FailureGuard::new(failure.clone(), 1));
        assert_eq!(failure.first(), Some(2));
        assert_eq!(count.wakes(), 1);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::thread;
    use crate::test_waker::WakeCount;

    /// A child fails while the gather registers its waker and looks: the gather either sees
    /// the failure or is woken.
    #[test]
    fn a_failure_racing_registration_is_seen_or_wakes() {
        loom::model(|| {
            let failure = Arc::new(FirstFailure::new());
            let (count, waker) = WakeCount::new();
            let child = {
                let failure = failure.clone();
                thread::spawn(move || drop(FailureGuard::new(failure, 3)))
            };
            failure.register(&waker);
            let seen = failure.first();
            child.join().unwrap();
            assert!(seen == Some(3) || count.wakes() == 1);
            assert_eq!(failure.first(), Some(3));
        });
    }

    /// Two children fail at once: exactly one is recorded, and it wakes the gather once.
    #[test]
    fn concurrent_failures_record_one_and_wake_once() {
        loom::model(|| {
            let failure = Arc::new(FirstFailure::new());
            let (count, waker) = WakeCount::new();
            failure.register(&waker);
            let other = {
                let failure = failure.clone();
                thread::spawn(move || drop(FailureGuard::new(failure, 1)))
            };
            drop(FailureGuard::new(failure.clone(), 0));
            other.join().unwrap();
            assert!(matches!(failure.first(), Some(0 | 1)));
            assert_eq!(count.wakes(), 1);
        });
    }
}
