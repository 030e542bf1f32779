//! `Vec<T>` by value as a parallel iterator: each piece owns its part of the vector's items.
//!
//! The vector's length is set to 0 first, so from then on the items are owned by the pieces,
//! never by the `Vec`: each item is either moved out by a leaf's iterator or dropped by the
//! piece that holds it (when a consumer stops early or a closure panics), exactly once. The
//! `Vec` frees only its buffer, after every piece is gone (they borrow it).

use super::plumbing::{Bridge, Consumer, Producer, ProducerCallback};
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};
use std::mem::{self, MaybeUninit};

/// The iterator `into_par_iter()` on a `Vec` returns: its items by value.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let names = vec![String::from("ab"), String::from("cde")];
/// let upper: Vec<String> = rt.block_on(async { names.into_par_iter().map(|s| s.to_uppercase()).collect() });
/// assert_eq!(upper, ["AB", "CDE"]);
/// ```
#[derive(Debug)]
pub struct IntoIter<T> {
    vec: Vec<T>,
}

impl<T: Send> IntoParallelIterator for Vec<T> {
    type Iter = IntoIter<T>;
    type Item = T;

    fn into_par_iter(self) -> IntoIter<T> {
        IntoIter { vec: self }
    }
}

impl<T: Send> ParallelIterator for IntoIter<T> {
    type Item = T;

    fn drive_unindexed<C: Consumer<T>>(self, consumer: C) -> C::Result {
        self.with_producer(Bridge { consumer })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.vec.len())
    }
}

impl<T: Send> IndexedParallelIterator for IntoIter<T> {
    fn len(&self) -> usize {
        self.vec.len()
    }

    fn with_producer<CB: ProducerCallback<T>>(mut self, callback: CB) -> CB::Output {
        let len = self.vec.len();
        // SAFETY: 0 <= capacity, and the slots beyond the new length stay initialized: the
        // `Vec` no longer owns those items (it will never drop or expose them), the producer
        // built from them below does.
        unsafe { self.vec.set_len(0) };
        let items = &mut self.vec.spare_capacity_mut()[..len];
        callback.callback(Drain { items })
    }
}

/// A piece of a vector's items. Invariant: every slot of `items` holds an initialized item
/// that this piece owns (it moves out or drops each one exactly once).
struct Drain<'a, T> {
    items: &'a mut [MaybeUninit<T>],
}

impl<'a, T: Send> Producer for Drain<'a, T> {
    type Item = T;
    type IntoIter = DrainIter<'a, T>;

    fn len(&self) -> usize {
        self.items.len()
    }

    fn into_iter(mut self) -> DrainIter<'a, T> {
        // Taken, not moved out: `self`'s drop then sees no items left to drop.
        DrainIter {
            items: mem::take(&mut self.items).iter_mut(),
        }
    }

    fn split_at(mut self, index: usize) -> (Self, Self) {
        let (left, right) = mem::take(&mut self.items).split_at_mut(index);
        (Drain { items: left }, Drain { items: right })
    }
}

impl<T> Drop for Drain<'_, T> {
    fn drop(&mut self) {
        for slot in self.items.iter_mut() {
            // SAFETY: by the invariant the slot holds an item this piece owns, and the piece
            // ends here, so the item is dropped once and never read again.
            unsafe { slot.assume_init_drop() };
        }
    }
}

/// A leaf's iterator over its piece of the vector. Invariant: as for [`Drain`], every slot
/// the iterator has not yet yielded holds an item it owns.
struct DrainIter<'a, T> {
    items: std::slice::IterMut<'a, MaybeUninit<T>>,
}

impl<T> Iterator for DrainIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let slot = self.items.next()?;
        // SAFETY: by the invariant the slot holds an item this iterator owns; it has just left
        // the iterator, so the item is moved out once and the slot never read again.
        Some(unsafe { slot.assume_init_read() })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl<T> Drop for DrainIter<'_, T> {
    fn drop(&mut self) {
        // The items a leaf did not take (a consumer stopped early or a closure panicked).
        for slot in self.items.by_ref() {
            // SAFETY: as in `next`: an owned item, dropped once, never read again.
            unsafe { slot.assume_init_drop() };
        }
    }
}
