//! The wakers of the handles awaiting a pending promise: at most one slot per handle.
//!
//! A handle keeps the [`WaiterKey`] of its slot, so polling it again replaces its waker
//! instead of adding one, and dropping it frees the slot for the next waiter: a long-lived
//! promise polled by many short-lived waiters holds one slot per live waiter, no more.
//!
//! The first slot is inline: a promise awaited by one handle at a time (the usual case)
//! stores its waker without allocating. Handles that wait while it is taken get slots in a
//! vector allocated on demand.

use std::task::Waker;

/// A handle's slot in [`WaiterSlots`]; it stays the handle's until the handle drops or the
/// promise completes (which empties every slot). Key 0 is the inline slot, key `n + 1` is
/// `more.slots[n]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WaiterKey(usize);

const FIRST: WaiterKey = WaiterKey(0);

/// Slots of wakers. Lives in the registry, under its lock.
///
/// A slot holds a waker exactly while a key to it is handed out: `insert` and `replace`
/// store one, and only `remove` (by the key's holder) and `take_all` empty a slot. So an
/// empty inline slot is a free one. Nothing is inserted after `take_all` (nothing registers
/// once the promise is done), so a key from before it can never reach a newer waker.
#[derive(Debug, Default)]
pub(crate) struct WaiterSlots {
    first: Option<Waker>,
    more: Option<Box<MoreSlots>>,
}

/// The slots after the first, with a free list.
#[derive(Debug, Default)]
struct MoreSlots {
    slots: Vec<Option<Waker>>,
    free: Vec<usize>,
}

impl WaiterSlots {
    /// Stores a clone of `waker` in a free slot and returns its key.
    pub(crate) fn insert(&mut self, waker: &Waker) -> WaiterKey {
        if self.first.is_none() {
            self.first = Some(waker.clone());
            return FIRST;
        }
        let more = self.more.get_or_insert_with(Box::default);
        let waker = Some(waker.clone());
        let index = match more.free.pop() {
            Some(index) => {
                more.slots[index] = waker;
                index
            }
            None => {
                more.slots.push(waker);
                more.slots.len() - 1
            }
        };
        WaiterKey(index + 1)
    }

    /// Puts `waker` in `key`'s slot unless the slot's waker already wakes the same task.
    /// Returns the waker it replaced, for the caller to drop after releasing the lock.
    pub(crate) fn replace(&mut self, key: WaiterKey, waker: &Waker) -> Option<Waker> {
        let slot = match key.0.checked_sub(1) {
            None => &mut self.first,
            Some(index) => {
                let more = self.more.as_mut().expect("a live key's slot exists");
                &mut more.slots[index]
            }
        };
        match slot {
            Some(current) if current.will_wake(waker) => None,
            _ => slot.replace(waker.clone()),
        }
    }

    /// Frees `key`'s slot and returns its waker (to drop after releasing the lock). A key
    /// issued before [`take_all`](Self::take_all) finds nothing: its slot went with the drain.
    pub(crate) fn remove(&mut self, key: WaiterKey) -> Option<Waker> {
        let Some(index) = key.0.checked_sub(1) else {
            return self.first.take();
        };
        let more = self.more.as_mut()?;
        let waker = more.slots.get_mut(index)?.take();
        more.free.push(index);
        waker
    }

    /// Empties every slot and returns the wakers, for the completer to wake. The iterator
    /// owns what it yields (`use<>`: it borrows nothing), so the caller can release the lock
    /// before waking without collecting the wakers into another vector.
    pub(crate) fn take_all(&mut self) -> impl Iterator<Item = Waker> + use<> {
        let more = self.more.take().map(|more| more.slots).unwrap_or_default();
        self.first
            .take()
            .into_iter()
            .chain(more.into_iter().flatten())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::task::Wake;

    use super::*;

    /// A waker that counts its wakes.
    struct Counter(AtomicUsize);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn counter() -> (Arc<Counter>, Waker) {
        let counter = Arc::new(Counter(AtomicUsize::new(0)));
        (Arc::clone(&counter), Waker::from(counter))
    }

    #[test]
    fn keys_are_reused_after_remove_and_every_live_waker_is_taken_once() {
        let mut slots = WaiterSlots::default();
        let (a, wa) = counter();
        let (b, wb) = counter();
        let (c, wc) = counter();
        let ka = slots.insert(&wa);
        let kb = slots.insert(&wb);
        assert_eq!(ka, FIRST, "the first waiter takes the inline slot");
        assert_ne!(ka, kb);
        // Freeing the inline slot gives it to the next waiter; freeing an outer slot reuses it.
        assert!(slots.remove(ka).is_some());
        assert_eq!(slots.insert(&wc), FIRST);
        assert!(slots.remove(kb).is_some());
        let kb2 = slots.insert(&wb);
        assert_eq!(kb2, kb);
        // Re-polling keeps one waker per key (the stored one if it wakes the same task, which
        // `will_wake` may not tell under Miri); another task's waker replaces it.
        drop(slots.replace(kb2, &wb));
        assert!(slots.replace(kb2, &wa).is_some());
        slots.take_all().for_each(Waker::wake);
        assert_eq!(
            [a.0.load(SeqCst), b.0.load(SeqCst), c.0.load(SeqCst)],
            [1, 0, 1]
        );
        // Keys from before the drain find nothing.
        assert!(slots.remove(FIRST).is_none());
        assert!(slots.remove(kb2).is_none());
        assert_eq!(slots.take_all().count(), 0);
    }
}
