//! The traits a parallel iterator is built from, and [`bridge`], the one place that splits work.
//!
//! Two sides meet in [`bridge`]:
//! - the *pull* side is a [`Producer`]: an indexed piece of input that knows its length, can be
//!   cut at an index ([`Producer::split_at`]) and turned into an ordinary sequential iterator
//!   for a leaf. Every source (slices, chunks, ranges, `Vec`) is one, and so are the adaptors
//!   that keep positions (`map`, `enumerate`, `zip`).
//! - the *push* side is a [`Consumer`]: what happens to the items. It is split at the same index
//!   as the producer, each leaf folds its items with a [`Folder`], and the two halves' results
//!   are combined by the split's [`Reducer`] on the way back up the join tree. Adaptors that
//!   lose positions (`filter`) wrap the consumer instead of the producer.
//!
//! Splitting is adaptive (see [`bridge`]): about one piece per worker to start with, and a
//! piece that was stolen splits again, so a tiny input costs no join and a huge one keeps every
//! worker busy.

use crate::join::{current_num_threads, join_context, let_async_in, ASYNC_BOUNDARY};
use std::time::Instant;

/// An indexed piece of a parallel iterator's input: splittable at any index up to its length,
/// and iterable sequentially once it is small enough.
pub trait Producer: Send + Sized {
    /// The items produced.
    type Item;
    /// The sequential iterator a leaf runs.
    type IntoIter: Iterator<Item = Self::Item>;

    /// How many items this piece produces: its sequential iterator yields exactly this many.
    fn len(&self) -> usize;

    /// Whether this piece produces no items.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sequential iterator over this piece's items, in order.
    fn into_iter(self) -> Self::IntoIter;

    /// Cuts this piece into the items before `index` and those from `index` on
    /// (`index <= self.len()`).
    fn split_at(self, index: usize) -> (Self, Self);
}

/// What [`IndexedParallelIterator::with_producer`](super::IndexedParallelIterator::with_producer)
/// hands its producer to: a closure generic over the producer type, which the language has no
/// syntax for, so adaptors build their producer inside a callback.
pub trait ProducerCallback<Item> {
    /// What the callback returns.
    type Output;

    /// Consumes the producer.
    fn callback<P: Producer<Item = Item>>(self, producer: P) -> Self::Output;
}

/// The push side: what is done with a parallel iterator's items.
pub trait Consumer<Item>: Send + Sized {
    /// Folds one leaf's items.
    type Folder: Folder<Item, Result = Self::Result>;
    /// Combines the results of the two halves of a split.
    type Reducer: Reducer<Self::Result>;
    /// The result of consuming a piece.
    type Result: Send;

    /// Splits into a consumer for the items before `index`, one for the rest, and the reducer
    /// that combines their results (left first).
    fn split_at(self, index: usize) -> (Self, Self, Self::Reducer);

    /// The folder for a leaf.
    fn into_folder(self) -> Self::Folder;

    /// Whether the result is already known (e.g. `any` found a match), so the rest of the input
    /// need not be read. A hint: the result must be right whatever this returns.
    fn full(&self) -> bool {
        false
    }
}

/// Folds the items of one leaf, in order, into the leaf's result.
pub trait Folder<Item>: Sized {
    /// The leaf's result.
    type Result;

    /// Takes one item.
    fn consume(self, item: Item) -> Self;

    /// Takes items in order until the iterator ends or [`full`](Folder::full) says stop.
    /// Folders override it to hand the whole iterator to a tight sequential loop (`sum`,
    /// `for_each`): this is where a leaf spends its time.
    fn consume_iter<I: IntoIterator<Item = Item>>(mut self, iter: I) -> Self {
        for item in iter {
            self = self.consume(item);
            if self.full() {
                break;
            }
        }
        self
    }

    /// The result of the items taken.
    fn complete(self) -> Self::Result;

    /// Whether further items cannot change the result.
    fn full(&self) -> bool {
        false
    }
}

/// Combines the results of two adjacent pieces: `left`'s items came before `right`'s.
pub trait Reducer<Result> {
    /// The combined result.
    fn reduce(self, left: Result, right: Result) -> Result;
}

/// Runs `consumer` over `producer`'s items: splits both at the same indexes while the adaptive
/// splitter says so, folds each leaf sequentially, and reduces up the join tree.
///
/// The splitting rule (rayon's "thief splitting"): the budget starts at
/// [`current_num_threads`] and halves at each split, so an undisturbed run makes about two
/// leaves per worker; a half that was stolen (`FnContext::migrated`) resets the budget to at
/// least the worker count, because a thief means a worker ran dry and more pieces are wanted.
/// No piece is split below one item, so an input of length 0 or 1 never joins.
///
/// # Examples
/// The plumbing under every consumer: `sum` written out by hand.
/// ```
/// use filch::iter::plumbing::{bridge, Consumer, Folder, Reducer};
/// use filch::prelude::*;
///
/// struct Total;
/// struct Adder(u64);
/// struct Add;
/// impl Consumer<u64> for Total {
///     type Folder = Adder;
///     type Reducer = Add;
///     type Result = u64;
///     fn split_at(self, _: usize) -> (Total, Total, Add) {
///         (Total, Total, Add)
///     }
///     fn into_folder(self) -> Adder {
///         Adder(0)
///     }
/// }
/// impl Folder<u64> for Adder {
///     type Result = u64;
///     fn consume(self, item: u64) -> Adder {
///         Adder(self.0 + item)
///     }
///     fn complete(self) -> u64 {
///         self.0
///     }
/// }
/// impl Reducer<u64> for Add {
///     fn reduce(self, left: u64, right: u64) -> u64 {
///         left + right
///     }
/// }
///
/// let rt = filch::Runtime::new();
/// let total = rt.block_on(async { bridge((1..101_u64).into_par_iter(), Total) });
/// assert_eq!(total, 5050);
/// ```
pub fn bridge<P: Producer, C: Consumer<P::Item>>(producer: P, consumer: C) -> C::Result {
    let len = producer.len();
    split_and_fold(len, false, Splitter::new(), producer, consumer)
}

/// [`bridge`]'s recursion over one piece of length `len`.
fn split_and_fold<P, C>(
    len: usize,
    migrated: bool,
    mut splitter: Splitter,
    producer: P,
    consumer: C,
) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    if consumer.full() {
        // The producer is dropped unread: an owning one drops its items.
        return consumer.into_folder().complete();
    }
    if !splitter.try_split(len, migrated) {
        return fold_leaf(len, producer, consumer);
    }
    let mid = len / 2;
    let (left_producer, right_producer) = producer.split_at(mid);
    let (left_consumer, right_consumer, reducer) = consumer.split_at(mid);
    let (left, right) = join_context(
        |ctx| split_and_fold(mid, ctx.migrated(), splitter, left_producer, left_consumer),
        |ctx| {
            split_and_fold(
                len - mid,
                ctx.migrated(),
                splitter,
                right_producer,
                right_consumer,
            )
        },
    );
    reducer.reduce(left, right)
}

/// The items of a leaf's first chunk (see [`fold_leaf`]).
const FIRST_CHUNK: usize = 8;

/// A leaf: folds `producer`'s `len` items sequentially, in chunks, with an async boundary
/// ([`let_async_in`]) about every [`ASYNC_BOUNDARY`] of work, so async tasks waiting on this
/// worker and due timers are served while a parallel computation keeps every worker busy.
/// The first chunk is small and each next one doubles while a chunk takes under half the
/// boundary interval: a leaf of cheap items reads the clock a few dozen times in all, one of
/// expensive items about once per boundary.
fn fold_leaf<P, C>(len: usize, producer: P, consumer: C) -> C::Result
where
    P: Producer,
    C: Consumer<P::Item>,
{
    let mut folder = consumer.into_folder();
    let (mut rest, mut left, mut chunk) = (producer, len, FIRST_CHUNK);
    let mut served = Instant::now();
    let mut chunk_started = served;
    while left > chunk && !folder.full() {
        let (head, tail) = rest.split_at(chunk);
        folder = folder.consume_iter(head.into_iter());
        (rest, left) = (tail, left - chunk);
        let now = Instant::now();
        if now - chunk_started < ASYNC_BOUNDARY / 2 {
            chunk = chunk.saturating_mul(2);
        }
        chunk_started = now;
        if now - served >= ASYNC_BOUNDARY {
            let_async_in();
            served = Instant::now();
            chunk_started = served;
        }
    }
    if folder.full() {
        // The rest is dropped unread: an owning producer drops its items.
        return folder.complete();
    }
    folder.consume_iter(rest.into_iter()).complete()
}

/// The adaptive splitting budget of one piece (see [`bridge`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Splitter {
    /// How many more times this piece may split unless it is stolen.
    splits: usize,
    /// The worker count, read once per [`bridge`] rather than once per split.
    threads: usize,
}

impl Splitter {
    fn new() -> Self {
        let threads = current_num_threads();
        Splitter {
            splits: threads,
            threads,
        }
    }

    /// Whether a piece of `len` items, stolen or not, should split in two; spends the budget.
    fn try_split(&mut self, len: usize, migrated: bool) -> bool {
        if len < 2 {
            return false;
        }
        if migrated {
            self.splits = self.threads.max(self.splits / 2);
            true
        } else if self.splits > 0 {
            self.splits /= 2;
            true
        } else {
            false
        }
    }
}

/// A [`ProducerCallback`] that [`bridge`]s the producer into a consumer: how an indexed
/// iterator implements
/// [`drive_unindexed`](super::ParallelIterator::drive_unindexed).
pub(crate) struct Bridge<C> {
    pub(crate) consumer: C,
}

impl<Item, C: Consumer<Item>> ProducerCallback<Item> for Bridge<C> {
    type Output = C::Result;

    fn callback<P: Producer<Item = Item>>(self, producer: P) -> C::Result {
        bridge(producer, self.consumer)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Splitter;

    /// Leaves an undisturbed piece of `len` items makes with `threads` workers.
    fn leaves(len: usize, mut splitter: Splitter) -> usize {
        if splitter.try_split(len, false) {
            let mid = len / 2;
            leaves(mid, splitter) + leaves(len - mid, splitter)
        } else {
            1
        }
    }

    fn splitter(threads: usize) -> Splitter {
        Splitter {
            splits: threads,
            threads,
        }
    }

    #[test]
    fn about_two_leaves_per_worker_and_none_below_one_item() {
        assert_eq!(leaves(1_000_000, splitter(2)), 4);
        assert_eq!(leaves(1_000_000, splitter(4)), 8);
        assert_eq!(leaves(1_000_000, splitter(8)), 16);
        assert_eq!(leaves(3, splitter(8)), 3);
        assert_eq!(leaves(1, splitter(8)), 1);
        assert_eq!(leaves(0, splitter(8)), 1);
    }

    #[test]
    fn a_stolen_piece_gets_the_worker_count_back() {
        let mut spent = splitter(4);
        while spent.try_split(1_000, false) {}
        assert!(!spent.try_split(1_000, false), "budget spent");
        assert!(spent.try_split(1_000, true), "a stolen piece splits again");
        assert_eq!(spent.splits, 4);
        assert_eq!(leaves(1_000_000, spent), 8);
        assert!(!spent.try_split(1, true), "but never below one item");
    }
}
