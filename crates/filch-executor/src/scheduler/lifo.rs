//! A worker's LIFO slot: the task its running task woke or spawned last.
//!
//! The owner puts tasks in and takes them out; one other worker, the LIFO watcher
//! (`watch.rs`), may take the task too (a steal), so a task waiting there is not stranded when
//! the task that put it there blocks its worker (a std channel `recv` on that very task: bad
//! practice, but common). The watcher only takes a task that sat in the slot for a whole
//! period with no put in between, so a worker running a chain of tasks keeps its chain.
//!
//! The slot is one `AtomicPtr` (null: empty) holding a [`Notified`] given up with
//! [`Notified::into_raw`], so a put or a take is one atomic swap, plus `puts`, the number of
//! puts so far: the watcher compares it between two looks to tell a task that waits from a
//! chain that moves (two tasks put one after the other look the same in the pointer alone).

use crate::sync::{AtomicPtr, AtomicUsize, Ordering::*};
use crate::task::{Header, Notified};
use std::ptr::{self, NonNull};

/// One worker's LIFO slot (see the module docs).
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
    ///
    /// SeqCst: the put is the first half of the Dekker pair with a watcher giving up its role
    /// (`idle.rs`); the caller must then call `Idle::new_lifo_task`.
    pub(crate) fn put(&self, task: Notified) -> Option<Notified> {
        // Before the swap, so a watcher that sees the new task (Acquire) sees the new count.
        self.puts
            .store(self.puts.load(Relaxed).wrapping_add(1), Relaxed);
        let old = self.task.swap(task.into_raw().as_ptr(), SeqCst);
        Self::adopt(old)
    }

    /// Takes the slot's task, if any (the owner, or the watcher). Acquire: the task's data
    /// was published by the put's Release.
    pub(crate) fn take(&self) -> Option<Notified> {
        Self::adopt(self.task.swap(ptr::null_mut(), AcqRel))
    }

    /// Whether the slot holds a task (the watcher's look; SeqCst, the other half of the
    /// Dekker pair of [`put`](Self::put)).
    pub(crate) fn is_full(&self) -> bool {
        !self.task.load(SeqCst).is_null()
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
