//! A worker's LIFO slot: the task its running task woke or spawned last.
//!
//! The owner puts tasks in and takes them out; one other worker, the LIFO watcher
//! (`watch.rs`), may take the task too (a steal), so a task waiting there is not stranded when
//! the task that put it there blocks its worker (a std channel `recv` on that very task: bad
//! practice, but common). The watcher only takes a task that sat in the slot for a whole
//! period with no put in between, so a worker running a chain of tasks keeps its chain.
//!
//! The slot is one `AtomicPtr` (null: empty) holding a [`Notified`] given up with
//! [`Notified::into_raw`], plus `puts`, the number of puts so far: the watcher compares it
//! between two looks to tell a task that waits from a chain that moves (two tasks put one
//! after the other look the same in the pointer alone). A take is a swap (the owner and the
//! watcher race for the task); a put into a slot its owner knows to be empty is a plain
//! Release store, since only the owner puts and a thief only empties the slot, so a chain of
//! tasks costs its worker one locked instruction per task (the take's). A put needs nothing
//! else: the watcher exists whenever a worker that could put is awake and another sleeps
//! (`idle.rs`), so no put has to tell anyone.

use crate::sync::{AtomicPtr, AtomicUsize, Ordering::*};
use crate::task::{Header, Notified};
use std::ptr::{self, NonNull};

/// One worker's LIFO slot (see the module docs). On its own cache line: the owner writes it
/// on every put and take, and the neighbouring fields of `Remote` (the stealer) are read by
/// every searcher, which would otherwise take the line from the owner at each look.
#[repr(align(128))]
pub(crate) struct LifoSlot {
    task: AtomicPtr<Header>,
    /// Written by the owner only (so a Relaxed load and store are its increment); read by the
    /// watcher. Wraps: only equality matters.
    puts: AtomicUsize,
}

impl LifoSlot {
    pub(crate) fn new() -> Self {
        Self {
            task: AtomicPtr::new(ptr::null_mut()),
            puts: AtomicUsize::new(0),
        }
    }

    /// Puts `task` in the slot (the owner only), returning the task it displaced.
    /// `may_be_full: false` (the owner took from the slot since its last put, so the slot is
    /// empty: a thief only empties it) makes the put a plain store instead of a swap.
    pub(crate) fn put(&self, task: Notified, may_be_full: bool) -> Option<Notified> {
        // Before the task, so a watcher that sees the new task (Acquire) sees the new count.
        self.puts
            .store(self.puts.load(Relaxed).wrapping_add(1), Relaxed);
        let task = task.into_raw().as_ptr();
        if may_be_full {
            // Release: publishes the task's data to whoever takes it; Acquire: the displaced
            // task's, from its put.
            return Self::adopt(self.task.swap(task, AcqRel));
        }
        // Sound even if the caller were wrong (a displaced task would leak, not be freed twice).
        debug_assert!(self.task.load(Relaxed).is_null(), "put into a full slot");
        self.task.store(task, Release);
        None
    }

    /// Takes the slot's task, if any (the owner, or the watcher). Acquire: the task's data
    /// was published by the put's Release.
    pub(crate) fn take(&self) -> Option<Notified> {
        Self::adopt(self.task.swap(ptr::null_mut(), AcqRel))
    }

    /// Whether the slot holds a task (the watcher's look). Acquire: a look that sees the task
    /// sees the count of its put, written before it.
    pub(crate) fn is_full(&self) -> bool {
        !self.task.load(Acquire).is_null()
    }

    /// The number of puts so far (read after [`is_full`](Self::is_full), it is at least the
    /// count of the put whose task that look saw).
    pub(crate) fn puts(&self) -> usize {
        self.puts.load(Relaxed)
    }

    fn adopt(ptr: *mut Header) -> Option<Notified> {
        // SAFETY: every non-null pointer in the slot came from `Notified::into_raw` in `put`,
        // and the swap that returned it removed it from the slot, so it is taken back once.
        NonNull::new(ptr).map(|ptr| unsafe { Notified::from_raw(ptr) })
    }
}

impl Drop for LifoSlot {
    fn drop(&mut self) {
        drop(self.take());
    }
}
