//! [`WakeCount`]: a waker that counts its wakes, for the unit tests and loom models of the
//! combinators' wake protocols.

use crate::sync::{AtomicUsize, Ordering::Relaxed, WakerArc};
use std::task::{Wake, Waker};

/// Counts the wakes of the wakers made from it.
pub(crate) struct WakeCount(AtomicUsize);

impl WakeCount {
    /// A fresh count and a waker that adds to it.
    pub(crate) fn new() -> (WakerArc<Self>, Waker) {
        let count = WakerArc::new(Self(AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    /// Wakes so far (read after the wakers' threads were joined, which orders them).
    pub(crate) fn wakes(&self) -> usize {
        self.0.load(Relaxed)
    }
}

impl Wake for WakeCount {
    fn wake(self: WakerArc<Self>) {
        self.0.fetch_add(1, Relaxed);
    }
}
