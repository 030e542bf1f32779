//! Parallel iterators on the runtime's workers: rayon's names and shapes
//! (`use filch::prelude::*;`, then `par_iter()`, `into_par_iter()`, `par_chunks(n)`, ...).
//!
//! A parallel iterator is a description of work; a consumer (`for_each`, `sum`, `collect`, ...)
//! runs it by splitting the input with [`join_context`](crate::join_context) into about one
//! piece per worker, re-splitting pieces that get stolen ([`plumbing::bridge`] has the rule),
//! folding each piece sequentially and combining the results up the join tree. Results are the
//! sequential iterator's: `collect` keeps the input order, and `reduce`, `min` and `max` combine
//! left before right (so `op` must be associative, as for rayon).
//!
//! Consumers run where they are called: in a task, in `Runtime::block_on` or in
//! `spawn_blocking`. Outside a runtime they panic, whatever the input size, as `spawn` does.
//!
//! # Files
//! - `plumbing.rs`: the producer / consumer traits and `bridge`, the adaptive splitter.
//! - sources: `slice.rs` (`par_iter`, `par_iter_mut`, `par_chunks`, `par_chunks_mut`),
//!   `range.rs`, `vec.rs` (owning `into_par_iter`); `sort.rs` (`par_sort_unstable`).
//! - adaptors: `map.rs`, `filter.rs`, `enumerate.rs`, `zip.rs`.
//! - consumers: `for_each.rs`, `sum.rs`, `reduce.rs`, `any.rs`, `collect.rs`.
//!
//! # Examples
//! ```
//! use filch::prelude::*;
//!
//! let rt = filch::Runtime::new();
//! let squares = rt.block_on(async {
//!     filch::spawn(async { (0..1_000_u64).into_par_iter().map(|x| x * x).sum::<u64>() })
//!         .await
//!         .unwrap()
//! });
//! assert_eq!(squares, (0..1_000_u64).map(|x| x * x).sum());
//! ```

mod any;
mod collect;
mod enumerate;
mod filter;
mod for_each;
mod map;
pub mod plumbing;
pub mod prelude;
mod range;
mod reduce;
mod slice;
mod sort;
mod sum;
mod vec;
mod zip;

pub use enumerate::Enumerate;
pub use filter::Filter;
pub use map::Map;
pub use range::RangeIter;
pub use slice::{Chunks, ChunksMut, Iter, IterMut, ParallelSlice, ParallelSliceMut};
pub use vec::IntoIter;
pub use zip::Zip;

use plumbing::{Consumer, ProducerCallback};
use std::iter::Sum;

/// A parallel iterator: adaptors that describe the work and consumers that run it.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let words = ["apple", "fig", "banana", "kiwi"];
/// let (long, total) = rt.block_on(async {
///     let long: Vec<&str> = words.par_iter().filter(|w| w.len() > 3).copied().collect();
///     (long, words.par_iter().map(|w| w.len()).sum::<usize>())
/// });
/// assert_eq!(long, ["apple", "banana", "kiwi"]);
/// assert_eq!(total, 18);
/// ```
pub trait ParallelIterator: Sized + Send {
    /// The items, handed to closures on any worker.
    type Item: Send;

    /// Runs `consumer` over every item: the plumbing every consumer method is built on.
    fn drive_unindexed<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result;

    /// The exact number of items, when known without running anything (indexed iterators):
    /// lets `collect` write each item straight into its place.
    fn opt_len(&self) -> Option<usize> {
        None
    }

    /// Applies `f` to each item.
    fn map<F, R>(self, f: F) -> Map<Self, F>
    where
        F: Fn(Self::Item) -> R + Sync + Send,
        R: Send,
    {
        Map::new(self, f)
    }

    /// Keeps the items for which `predicate` is true (the result is no longer indexed).
    fn filter<P>(self, predicate: P) -> Filter<Self, P>
    where
        P: Fn(&Self::Item) -> bool + Sync + Send,
    {
        Filter::new(self, predicate)
    }

    /// Copies each referenced item (`par_iter().copied()` on a slice of `Copy` items).
    fn copied<'a, T>(self) -> Map<Self, fn(&'a T) -> T>
    where
        Self: ParallelIterator<Item = &'a T>,
        T: 'a + Copy + Send + Sync,
    {
        let copy: fn(&'a T) -> T = |item| *item;
        self.map(copy)
    }

    /// Calls `op` on each item, on whichever worker holds it, in no particular order.
    #[track_caller]
    fn for_each<F>(self, op: F)
    where
        F: Fn(Self::Item) + Sync + Send,
    {
        drive(self, for_each::ForEachConsumer::new(&op))
    }

    /// The sum of the items (`S::sum` of each piece, then of the pieces' sums).
    #[track_caller]
    fn sum<S>(self) -> S
    where
        S: Send + Sum<Self::Item> + Sum<S>,
    {
        drive(self, sum::SumConsumer::new())
    }

    /// Folds the items with `op`, starting each piece from `identity()` and combining adjacent
    /// pieces with `op` (left before right): equals the sequential fold when `op` is associative
    /// and `identity()` is its neutral element.
    #[track_caller]
    fn reduce<ID, OP>(self, identity: ID, op: OP) -> Self::Item
    where
        ID: Fn() -> Self::Item + Sync + Send,
        OP: Fn(Self::Item, Self::Item) -> Self::Item + Sync + Send,
    {
        drive(self, reduce::ReduceConsumer::new(&identity, &op))
    }

    /// [`reduce`](ParallelIterator::reduce) without an identity: `None` for no items.
    #[track_caller]
    fn reduce_with<OP>(self, op: OP) -> Option<Self::Item>
    where
        OP: Fn(Self::Item, Self::Item) -> Self::Item + Sync + Send,
    {
        self.map(Some).reduce(
            || None,
            |left, right| match (left, right) {
                (Some(left), Some(right)) => Some(op(left, right)),
                (one, None) | (None, one) => one,
            },
        )
    }

    /// The number of items.
    #[track_caller]
    fn count(self) -> usize {
        self.map(|_| 1_usize).sum()
    }

    /// The smallest item (the first of equal ones, as `Iterator::min`); `None` for no items.
    #[track_caller]
    fn min(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.reduce_with(std::cmp::min)
    }

    /// The largest item (the last of equal ones, as `Iterator::max`); `None` for no items.
    #[track_caller]
    fn max(self) -> Option<Self::Item>
    where
        Self::Item: Ord,
    {
        self.reduce_with(std::cmp::max)
    }

    /// Whether `predicate` holds for some item; stops splitting and reading once one is found.
    #[track_caller]
    fn any<P>(self, predicate: P) -> bool
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        any::any(self.map(predicate))
    }

    /// Whether `predicate` holds for every item; stops once one fails.
    #[track_caller]
    fn all<P>(self, predicate: P) -> bool
    where
        P: Fn(Self::Item) -> bool + Sync + Send,
    {
        !self.any(|item| !predicate(item))
    }

    /// Collects the items (into a `Vec`: in input order).
    #[track_caller]
    fn collect<C>(self) -> C
    where
        C: FromParallelIterator<Self::Item>,
    {
        C::from_par_iter(self)
    }
}

/// A parallel iterator that knows its length and each item's position: sources and
/// position-keeping adaptors. Only these can be `enumerate`d and `zip`ped.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let (a, b) = (vec![1, 2, 3], vec![10, 20, 30, 40]);
/// let dot: i32 = rt.block_on(async { a.par_iter().zip(&b).map(|(x, y)| x * y).sum() });
/// assert_eq!(dot, 140);
/// let firsts: Vec<(usize, char)> =
///     rt.block_on(async { "abc".chars().collect::<Vec<_>>().into_par_iter().enumerate().collect() });
/// assert_eq!(firsts, [(0, 'a'), (1, 'b'), (2, 'c')]);
/// ```
pub trait IndexedParallelIterator: ParallelIterator {
    /// The number of items.
    fn len(&self) -> usize;

    /// Whether there are no items.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands this iterator's [`Producer`](plumbing::Producer) to `callback`: the plumbing
    /// that adaptors wrap and [`plumbing::bridge`] splits.
    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output;

    /// Pairs each item with its index.
    fn enumerate(self) -> Enumerate<Self> {
        Enumerate::new(self)
    }

    /// Pairs items with `other`'s at the same index, as long as the shorter one lasts.
    fn zip<Z>(self, other: Z) -> Zip<Self, Z::Iter>
    where
        Z: IntoParallelIterator,
        Z::Iter: IndexedParallelIterator,
    {
        Zip::new(self, other.into_par_iter())
    }
}

/// What can become a parallel iterator: ranges, `Vec`s (by value), slices and `Vec`s by
/// reference, and every parallel iterator itself.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let evens = rt.block_on(async { (0..10_i32).into_par_iter().filter(|x| x % 2 == 0).count() });
/// assert_eq!(evens, 5);
/// ```
pub trait IntoParallelIterator {
    /// The parallel iterator.
    type Iter: ParallelIterator<Item = Self::Item>;
    /// Its items.
    type Item: Send;

    /// Converts `self` into a parallel iterator.
    fn into_par_iter(self) -> Self::Iter;
}

impl<I: ParallelIterator> IntoParallelIterator for I {
    type Iter = I;
    type Item = I::Item;

    fn into_par_iter(self) -> I {
        self
    }
}

/// A collection [`ParallelIterator::collect`] can build.
///
/// # Examples
/// ```
/// use filch::iter::FromParallelIterator;
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let doubled = rt.block_on(async { Vec::from_par_iter((0..4_u32).into_par_iter().map(|x| 2 * x)) });
/// assert_eq!(doubled, [0, 2, 4, 6]);
/// ```
pub trait FromParallelIterator<T: Send> {
    /// Builds the collection from `iter`'s items.
    fn from_par_iter<I: IntoParallelIterator<Item = T>>(iter: I) -> Self;
}

/// Every consumer's entry: the runtime check first (even for an empty input, so misuse fails
/// the same way whatever the size), then the plumbing.
#[track_caller]
fn drive<I: ParallelIterator, C: Consumer<I::Item>>(iter: I, consumer: C) -> C::Result {
    crate::join::expect_runtime("par_iter");
    iter.drive_unindexed(consumer)
}
