//! `collect::<Vec<_>>()`, in input order, two ways:
//! - an indexed iterator (its length known up front) writes each item straight into its slot
//!   of the output's spare capacity: the slots are split with `split_at_mut` exactly as the
//!   input is, so every leaf fills its own disjoint part and no locks or copies are needed;
//! - otherwise (after `filter`) each leaf collects a `Vec`, the pieces are chained in order up
//!   the tree, and the result is concatenated once at the end.
//!
//! If a closure panics, the items already written into the output are leaked, not dropped
//! (memory-safe; the panic propagates).

use super::plumbing::{Consumer, Folder, Reducer};
use super::{drive, FromParallelIterator, IntoParallelIterator, ParallelIterator};
use std::collections::LinkedList;
use std::mem::MaybeUninit;

impl<T: Send> FromParallelIterator<T> for Vec<T> {
    #[track_caller]
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(iter: I) -> Vec<T> {
        let iter = iter.into_par_iter();
        match iter.opt_len() {
            Some(len) => collect_in_place(iter, len),
            None => collect_pieces(iter),
        }
    }
}

#[track_caller]
fn collect_in_place<I: ParallelIterator>(iter: I, len: usize) -> Vec<I::Item> {
    let mut out = Vec::with_capacity(len);
    let written = drive(
        iter,
        InPlace {
            slots: &mut out.spare_capacity_mut()[..len],
        },
    );
    // Every count comes from a leaf that filled the whole of its slots (`InPlace::complete`),
    // and the leaves' slots are disjoint parts of the first `len`: a total of `len` means all
    // of them are written. Only a parallel iterator whose `opt_len` lied can fail this.
    assert_eq!(
        written, len,
        "collect: the parallel iterator produced {written} items, but its opt_len said {len}"
    );
    // SAFETY: by the check above, each of the first `len` slots holds an item written once.
    unsafe { out.set_len(len) };
    out
}

/// Where a piece's items go: its own part of the output's slots. Its result is how many slots
/// it filled, which a leaf checks is all of them.
struct InPlace<'a, T> {
    slots: &'a mut [MaybeUninit<T>],
}

impl<'a, T: Send> Consumer<T> for InPlace<'a, T> {
    type Folder = Filling<'a, T>;
    type Reducer = AddCounts;
    type Result = usize;

    fn split_at(self, index: usize) -> (Self, Self, AddCounts) {
        let (left, right) = self.slots.split_at_mut(index);
        (InPlace { slots: left }, InPlace { slots: right }, AddCounts)
    }

    fn into_folder(self) -> Filling<'a, T> {
        Filling {
            slots: self.slots,
            written: 0,
        }
    }
}

/// A leaf's progress through its slots.
struct Filling<'a, T> {
    slots: &'a mut [MaybeUninit<T>],
    written: usize,
}

impl<T> Folder<T> for Filling<'_, T> {
    type Result = usize;

    #[track_caller]
    fn consume(mut self, item: T) -> Self {
        let slot = self.slots.get_mut(self.written).expect(
            "collect: a piece of the parallel iterator produced more items than its length",
        );
        slot.write(item);
        self.written += 1;
        self
    }

    #[track_caller]
    fn complete(self) -> usize {
        assert_eq!(
            self.written,
            self.slots.len(),
            "collect: a piece of the parallel iterator produced fewer items than its length"
        );
        self.written
    }
}

/// Adds the pieces' counts.
struct AddCounts;

impl Reducer<usize> for AddCounts {
    fn reduce(self, left: usize, right: usize) -> usize {
        left + right
    }
}

fn collect_pieces<I: ParallelIterator>(iter: I) -> Vec<I::Item> {
    let pieces = drive(iter, Pieces);
    let mut out = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
    for mut piece in pieces {
        out.append(&mut piece);
    }
    out
}

/// Collects each leaf into a `Vec` and chains them in order (a linked list: appending is
/// O(1), however the tree was split); also its own reducer.
struct Pieces;

impl<T: Send> Consumer<T> for Pieces {
    type Folder = Piece<T>;
    type Reducer = Pieces;
    type Result = LinkedList<Vec<T>>;

    fn split_at(self, _index: usize) -> (Self, Self, Self) {
        (Pieces, Pieces, Pieces)
    }

    fn into_folder(self) -> Piece<T> {
        Piece { items: Vec::new() }
    }
}

impl<T> Reducer<LinkedList<Vec<T>>> for Pieces {
    fn reduce(
        self,
        mut left: LinkedList<Vec<T>>,
        mut right: LinkedList<Vec<T>>,
    ) -> LinkedList<Vec<T>> {
        left.append(&mut right);
        left
    }
}

/// A leaf's items.
struct Piece<T> {
    items: Vec<T>,
}

impl<T> Folder<T> for Piece<T> {
    type Result = LinkedList<Vec<T>>;

    fn consume(mut self, item: T) -> Self {
        self.items.push(item);
        self
    }

    fn consume_iter<I: IntoIterator<Item = T>>(mut self, iter: I) -> Self {
        self.items.extend(iter);
        self
    }

    fn complete(self) -> LinkedList<Vec<T>> {
        let mut list = LinkedList::new();
        if !self.items.is_empty() {
            list.push_back(self.items);
        }
        list
    }
}
