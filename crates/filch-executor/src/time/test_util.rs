//! Test helpers shared by the timer's unit tests and loom models.

// `Waker::from` wants std's `Arc`; the counter inside is the facade's atomic, so loom sees it.
use crate::sync::{AtomicUsize, Ordering::SeqCst, StdArc as Arc};
use std::task::{Wake, Waker};

/// Counts the wakes of the wakers made by [`counting_waker`].
#[derive(Debug)]
pub(super) struct WakeCounter {
    wakes: AtomicUsize,
}

impl WakeCounter {
    /// How many times a waker of this counter was woken.
    pub(super) fn wakes(&self) -> usize {
        self.wakes.load(SeqCst)
    }

    /// How many wakers of this counter are alive: the one [`counting_waker`] returned (while
    /// the test holds it) and every clone of it.
    pub(super) fn wakers_alive(self: &Arc<Self>) -> usize {
        Arc::strong_count(self) - 1
    }
}

impl Wake for WakeCounter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, SeqCst);
    }
}

/// A waker that counts its wakes, and the counter to read them from.
pub(super) fn counting_waker() -> (Waker, Arc<WakeCounter>) {
    let counter = Arc::new(WakeCounter {
        wakes: AtomicUsize::new(0),
    });
    (Waker::from(counter.clone()), counter)
}

/// Runs `body` in a fresh one-worker runtime's `block_on`, given that runtime's timer driver:
/// a `Sleep` polled in `body` is served by it. The runtime fires only timers due on the wall
/// clock, so a timer an hour away fires only when `body` fires it. The runtime is dropped on
/// return; its driver lives on in the `Sleep`s registered with it.
#[cfg(not(loom))]
pub(super) fn on_runtime<R>(body: impl FnOnce(&Arc<super::TimerDriver>) -> R) -> R {
    let rt = crate::Builder::new().worker_threads(1).build().unwrap();
    let driver = rt.handle().shared.driver.clone();
    rt.block_on(async { body(&driver) })
}
