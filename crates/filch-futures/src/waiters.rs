//! The wakers of the handles awaiting a pending promise: at most one slot per handle.
//!
//! A handle keeps the [`WaiterKey`] of its slot, so polling it again replaces its waker
//! instead of adding one, and dropping it frees the slot for the next waiter: a long-lived
//! promise polled by many short-lived waiters holds one slot per live waiter, no more.

use std::mem;
use std::task::Waker;

/// A handle's slot in [`WaiterSlots`]; it stays the handle's until the handle drops or the
/// promise completes (which empties every slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WaiterKey(usize);

/// Slots of wakers with a free list. Lives in the registry, under its lock.
#[derive(Debug, Default)]
pub(crate) struct WaiterSlots {
    slots: Vec<Option<Waker>>,
    free: Vec<usize>,
}

impl WaiterSlots {
    /// Stores a clone of `waker` in a free slot and returns its key.
    pub(crate) fn insert(&mut self, waker: &Waker) -> WaiterKey {
        let waker = Some(waker.clone());
        match self.free.pop() {
            Some(index) => {
                self.slots[index] = waker;
                WaiterKey(index)
            }
            None => {
                self.slots.push(waker);
                WaiterKey(self.slots.len() - 1)
            }
        }
    }

    /// Puts `waker` in `key`'s slot unless the slot's waker already wakes the same task.
    /// Returns the waker it replaced, for the caller to drop after releasing the lock.
    pub(crate) fn replace(&mut self, key: WaiterKey, waker: &Waker) -> Option<Waker> {
        let slot = &mut self.slots[key.0];
        match slot {
            Some(current) if current.will_wake(waker) => None,
            _ => slot.replace(waker.clone()),
        }
    }

    /// Frees `key`'s slot and returns its waker (to drop after releasing the lock). A key
    /// issued before [`take_all`](Self::take_all) finds nothing: its slot went with the drain.
    pub(crate) fn remove(&mut self, key: WaiterKey) -> Option<Waker> {
        let waker = self.slots.get_mut(key.0)?.take();
        self.free.push(key.0);
        waker
    }

    /// Empties every slot and returns the wakers, for the completer to wake.
    pub(crate) fn take_all(&mut self) -> impl Iterator<Item = Waker> {
        self.free.clear();
        mem::take(&mut self.slots).into_iter().flatten()
    }
}
