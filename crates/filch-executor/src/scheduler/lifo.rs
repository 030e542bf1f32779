//! A worker's LIFO slot: the task its running task woke or spawned last.
//!
//! The owner puts tasks in and takes them out; any other worker may take the task too (a
//! steal), so a task waiting there is not stranded when the task that put it there blocks its
//! worker (a std channel `recv` on that very task: bad practice, but common). Thieves only
//! take it as a last resort (see `worker.rs`), since the owner normally runs it within a poll.
//!
//! With `std` the slot is a lock-free `AtomicCell` (one word: `Option<Notified>` is a
//! non-null pointer), so a put or a take is one atomic swap. Under `cfg(loom)` it is a mutex
//! through the sync facade, like the model queues in `queue.rs`.

use crate::task::Notified;

#[cfg(not(loom))]
mod imp {
    use crate::task::Notified;
    use crossbeam_utils::atomic::AtomicCell;

    // A slot that is not lock-free would take one of crossbeam's global locks on every put
    // and take: refuse to build rather than silently pay for it.
    const _: () = assert!(AtomicCell::<Option<Notified>>::is_lock_free());

    #[derive(Default)]
    pub(super) struct Cell(AtomicCell<Option<Notified>>);

    impl Cell {
        pub(super) fn swap(&self, task: Option<Notified>) -> Option<Notified> {
            self.0.swap(task)
        }
    }
}

#[cfg(loom)]
mod imp {
    use crate::sync::Mutex;
    use crate::task::Notified;

    #[derive(Default)]
    pub(super) struct Cell(Mutex<Option<Notified>>);

    impl Cell {
        pub(super) fn swap(&self, task: Option<Notified>) -> Option<Notified> {
            std::mem::replace(&mut *self.0.lock(), task)
        }
    }
}

/// One worker's LIFO slot (see the module docs).
#[derive(Default)]
pub(crate) struct LifoSlot(imp::Cell);

impl LifoSlot {
    /// Puts `task` in the slot, returning the task it displaced.
    pub(crate) fn put(&self, task: Notified) -> Option<Notified> {
        self.0.swap(Some(task))
    }

    /// Takes the slot's task, if any (the owner, or a thief).
    pub(crate) fn take(&self) -> Option<Notified> {
        self.0.swap(None)
    }
}
