//! The ready list: which children of a combinator woke since the combinator last looked.
//!
//! A combinator over n children (join_all, wait, as_completed, `TaskGroup::join`) gives
//! each child its own [`Waker`], made once. A child's wake pushes the child's index onto this
//! list and wakes the combinator only if the list was empty; the combinator's poll takes the
//! whole list at once and polls only those children. So each wake costs one poll of one child,
//! and the combinator is polled at most once per batch of wakes: for n children that each wake
//! once, at most 2n child polls and n + 1 combinator polls, never "poll every child on every
//! wake-up". Pushing never allocates.
//!
//! # State
//! - `slots[i].queued`: `true` while index i is on the list or being taken off it. A wake that
//!   finds it `true` does nothing more, since the child is polled anyway. So the list holds each
//!   index at most once.
//! - `slots[i].next`: the index below i on the list (`NIL` at the bottom). Written by the
//!   waker that turned `queued` from false to true, then only by the drainer that took i off
//!   (to reverse the taken batch into wake order) until it clears `queued` again.
//! - `head`: the index on top, or `NIL` when empty. Wakers push with a CAS (a Treiber stack);
//!   the one consumer takes everything with one `swap(NIL)` and never pops a single entry, so
//!   there is no ABA problem.
//! - `parent`: the combinator's waker, replaced when the combinator is polled with another one.
//!
//! A new list holds every index, as if woken in index order, so the first drain polls each
//! child once, in input order. Every drain yields its batch in wake order (oldest first).
//!
//! # Orderings
//! - `head`: a push writes `next` (Relaxed) and then CASes `head` with Release; the drain's
//!   `swap` is Acquire and reads the last push, and every earlier push's CAS is in the release
//!   sequence it reads from, so the drainer sees every `next` of the entries it takes.
//! - `queued`: the waker's `swap(true)` and the drainer's `swap(false)` are both AcqRel RMWs on
//!   one flag, so one of them reads the other's write. If the waker is second, it reads `false`,
//!   acquires the drainer's earlier read of `next` (its own write of `next` cannot race with
//!   that read) and pushes again. If the waker is first (it finds `true` and stops), the
//!   drainer's swap reads from it and acquires everything the child did before waking, so the
//!   poll that follows sees the child's progress: no wake is lost.
//!   `loom_tests::wake_racing_a_drain_is_not_lost` fails if either swap is weakened to a store.
//! - `parent`: the pusher that finds the list empty wakes the registered waker. The consumer
//!   registers before it drains, so a push after its drain finds the list empty and wakes it;
//!   a push onto a non-empty list lands before a drain that an earlier wake already caused.

use std::task::{Context, Wake, Waker};

use crate::sync::Ordering::{AcqRel, Acquire, Relaxed, Release};
use crate::sync::{Arc, AtomicBool, AtomicUsize, Mutex, WakerArc};

/// The "no index" value of `head` and `next`.
const NIL: usize = usize::MAX;

/// The shared half: what children's wakers write and the combinator drains.
#[derive(Debug)]
pub(crate) struct ReadyList {
    head: AtomicUsize,
    slots: Box<[Slot]>,
    parent: Mutex<Option<Waker>>,
}

#[derive(Debug)]
struct Slot {
    queued: AtomicBool,
    next: AtomicUsize,
}

impl ReadyList {
    /// A list for `n` children with every index queued, in index order.
    pub(crate) fn new(n: usize) -> Self {
        assert!(
            n < NIL,
            "a combinator takes at most usize::MAX - 1 children"
        );
        let slots = (0..n)
            .map(|i| Slot {
                queued: AtomicBool::new(true),
                next: AtomicUsize::new(if i > 0 { i - 1 } else { NIL }),
            })
            .collect();
        ReadyList {
            head: AtomicUsize::new(if n > 0 { n - 1 } else { NIL }),
            slots,
            parent: Mutex::new(None),
        }
    }

    /// Child `index` woke: queue it unless it is queued, and wake the parent if the list was empty.
    pub(crate) fn wake(&self, index: usize) {
        let slot = &self.slots[index];
        if slot.queued.swap(true, AcqRel) {
            return;
        }
        let mut head = self.head.load(Relaxed);
        loop {
            slot.next.store(head, Relaxed);
            match self
                .head
                .compare_exchange_weak(head, index, Release, Relaxed)
            {
                Ok(_) => break,
                Err(seen) => head = seen,
            }
        }
        if head == NIL {
            // Clone under the lock, wake outside it: a waker may run arbitrary code.
            let parent = self
                .parent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Some(parent) = parent {
                parent.wake();
            }
        }
    }

    /// Makes `waker` the one woken when the list turns non-empty. Call before [`drain`](Self::drain).
    pub(crate) fn register(&self, waker: &Waker) {
        let mut parent = self.parent.lock().unwrap_or_else(|e| e.into_inner());
        if !parent.as_ref().is_some_and(|p| p.will_wake(waker)) {
            *parent = Some(waker.clone());
        }
    }

    /// Takes every queued index, in the order they were queued. Only the combinator that owns
    /// the list drains.
    pub(crate) fn drain(&self) -> Drain<'_> {
        // The stack has the newest on top: reverse the taken chain so the oldest comes out
        // first. The entries are ours to relink: every one is still `queued`, and a waker
        // writes `next` only after turning `queued` from false to true.
        let mut newest = self.head.swap(NIL, Acquire);
        let mut reversed = NIL;
        while newest != NIL {
            let slot = &self.slots[newest];
            let below = slot.next.load(Relaxed);
            slot.next.store(reversed, Relaxed);
            reversed = newest;
            newest = below;
        }
        Drain {
            list: self,
            cur: reversed,
        }
    }
}

/// The indices taken by one [`ReadyList::drain`]. Each index's flag is cleared as it is
/// yielded, so a wake from then on queues it again. Dropping the iterator early puts the
/// indices not yet yielded back on the list (and wakes the parent), so none is lost.
#[derive(Debug)]
pub(crate) struct Drain<'a> {
    list: &'a ReadyList,
    cur: usize,
}

impl Iterator for Drain<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.cur == NIL {
            return None;
        }
        let index = self.cur;
        let slot = &self.list.slots[index];
        // Read `next` before clearing `queued`: from the clear on, a waker may overwrite it.
        self.cur = slot.next.load(Relaxed);
        slot.queued.swap(false, AcqRel);
        Some(index)
    }
}

impl Drop for Drain<'_> {
    fn drop(&mut self) {
        while let Some(index) = self.next() {
            self.list.wake(index);
        }
    }
}

/// A child's waker: pushes its index onto the list.
struct ChildWaker {
    list: Arc<ReadyList>,
    index: usize,
}

impl Wake for ChildWaker {
    fn wake(self: WakerArc<Self>) {
        self.list.wake(self.index);
    }

    fn wake_by_ref(self: &WakerArc<Self>) {
        self.list.wake(self.index);
    }
}

/// A ready list plus the n child wakers that feed it: what a combinator owns.
#[derive(Debug)]
pub(crate) struct Wakeups {
    list: Arc<ReadyList>,
    wakers: Box<[Waker]>,
}

impl Wakeups {
    /// Wakeups for `n` children, every one queued. Makes the n wakers now (n allocations in
    /// all), so that no wake and no poll allocates.
    pub(crate) fn new(n: usize) -> Self {
        let list = Arc::new(ReadyList::new(n));
        let wakers = (0..n)
            .map(|index| {
                Waker::from(WakerArc::new(ChildWaker {
                    list: list.clone(),
                    index,
                }))
            })
            .collect();
        Wakeups { list, wakers }
    }

    /// Registers the combinator's waker, then takes the children woken since the last call.
    pub(crate) fn drain(&self, cx: &Context<'_>) -> Drain<'_> {
        self.list.register(cx.waker());
        self.list.drain()
    }

    /// The waker of child `index`: poll the child with it.
    pub(crate) fn waker(&self, index: usize) -> &Waker {
        &self.wakers[index]
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_new_list_yields_every_index_in_order_once() {
        let list = ReadyList::new(4);
        assert_eq!(list.drain().collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(list.drain().count(), 0);
    }

    #[test]
    fn repeated_wakes_queue_an_index_once_in_wake_order() {
        let list = ReadyList::new(3);
        list.drain().for_each(drop);
        list.wake(1);
        list.wake(2);
        list.wake(1);
        assert_eq!(list.drain().collect::<Vec<_>>(), [1, 2]);
    }

    #[test]
    fn a_drain_dropped_early_requeues_the_rest() {
        let list = ReadyList::new(3);
        let first = list.drain().next();
        assert_eq!(first, Some(0));
        let mut rest: Vec<_> = list.drain().collect();
        rest.sort_unstable();
        assert_eq!(rest, [1, 2]);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::thread;
    use crate::test_waker::WakeCount;

    /// A child completes (a Relaxed store: the child's own protocol lends no ordering here) and
    /// wakes while the parent drains and polls it. Either the parent's poll sees the completion,
    /// or the child is queued again and the parent was woken to poll it.
    #[test]
    fn wake_racing_a_drain_is_not_lost() {
        loom::model(|| {
            let list = Arc::new(ReadyList::new(1));
            let done = Arc::new(AtomicBool::new(false));
            let (wakes, waker) = WakeCount::new();
            list.register(&waker);

            let child = {
                let (list, done) = (list.clone(), done.clone());
                thread::spawn(move || {
                    done.store(true, Relaxed);
                    list.wake(0);
                })
            };
            let mut seen = false;
            for index in list.drain() {
                assert_eq!(index, 0);
                seen = done.load(Relaxed);
            }
            child.join().unwrap();
            if !seen {
                assert_eq!(wakes.wakes(), 1, "the parent must be woken");
                assert_eq!(list.drain().collect::<Vec<_>>(), [0]);
                assert!(done.load(Relaxed));
            }
        });
    }

    /// Two children wake at once while the parent drains: afterwards every child was taken by
    /// a drain at least once after its wake, no drain yields an index twice, and the parent
    /// was woken if something was left on the list for it.
    #[test]
    fn concurrent_wakes_are_each_taken_once() {
        loom::model(|| {
            let list = Arc::new(ReadyList::new(2));
            list.drain().for_each(drop);
            let (wakes, waker) = WakeCount::new();
            list.register(&waker);

            let wakers: Vec<_> = (0..2)
                .map(|i| {
                    let list = list.clone();
                    thread::spawn(move || list.wake(i))
                })
                .collect();
            let first: Vec<usize> = list.drain().collect();
            for w in wakers {
                w.join().unwrap();
            }
            let second: Vec<usize> = list.drain().collect();
            for batch in [&first, &second] {
                let mut sorted = batch.to_vec();
                sorted.dedup();
                assert_eq!(sorted.len(), batch.len(), "{batch:?}");
            }
            let mut all: Vec<usize> = first.iter().chain(&second).copied().collect();
            all.sort_unstable();
            assert_eq!(all, [0, 1]);
            assert!(second.is_empty() || wakes.wakes() > 0);
        });
    }

    /// The same child woken from two threads is queued once and wakes the parent once.
    #[test]
    fn double_wake_queues_once() {
        loom::model(|| {
            let list = Arc::new(ReadyList::new(1));
            list.drain().for_each(drop);
            let (wakes, waker) = WakeCount::new();
            list.register(&waker);
            let other = {
                let list = list.clone();
                thread::spawn(move || list.wake(0))
            };
            list.wake(0);
            other.join().unwrap();
            assert_eq!(list.drain().collect::<Vec<_>>(), [0]);
            assert_eq!(wakes.wakes(), 1);
        });
    }
}
