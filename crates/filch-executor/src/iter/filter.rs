//! `filter`: wraps the consumer only, since positions are lost (the result is not indexed).

use super::plumbing::{Consumer, Folder};
use super::ParallelIterator;

/// The iterator [`ParallelIterator::filter`] returns.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let odd: Vec<u32> = rt.block_on(async { (0..10_u32).into_par_iter().filter(|x| x % 2 == 1).collect() });
/// assert_eq!(odd, [1, 3, 5, 7, 9]);
/// ```
#[derive(Clone, Debug)]
pub struct Filter<I, P> {
    base: I,
    predicate: P,
}

impl<I, P> Filter<I, P> {
    pub(super) fn new(base: I, predicate: P) -> Self {
        Filter { base, predicate }
    }
}

impl<I, P> ParallelIterator for Filter<I, P>
where
    I: ParallelIterator,
    P: Fn(&I::Item) -> bool + Sync + Send,
{
    type Item = I::Item;

    fn drive_unindexed<C: Consumer<I::Item>>(self, consumer: C) -> C::Result {
        let predicate = &self.predicate;
        self.base.drive_unindexed(FilterConsumer {
            base: consumer,
            predicate,
        })
    }
}

/// A consumer (and, for a leaf, a folder) that passes on only the items `predicate` keeps.
/// Its splits keep the input's indexes, which is why only position-free consumers (never
/// `collect`'s in-place one, see `collect.rs`) come through here.
struct FilterConsumer<'p, C, P> {
    base: C,
    predicate: &'p P,
}

impl<'p, T, C, P> Consumer<T> for FilterConsumer<'p, C, P>
where
    C: Consumer<T>,
    P: Fn(&T) -> bool + Sync,
{
    type Folder = FilterConsumer<'p, C::Folder, P>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        let (left, right, reducer) = self.base.split_at(index);
        let predicate = self.predicate;
        (
            FilterConsumer {
                base: left,
                predicate,
            },
            FilterConsumer {
                base: right,
                predicate,
            },
            reducer,
        )
    }

    fn into_folder(self) -> Self::Folder {
        FilterConsumer {
            base: self.base.into_folder(),
            predicate: self.predicate,
        }
    }

    fn full(&self) -> bool {
        self.base.full()
    }
}

impl<T, C, P> Folder<T> for FilterConsumer<'_, C, P>
where
    C: Folder<T>,
    P: Fn(&T) -> bool,
{
    type Result = C::Result;

    fn consume(self, item: T) -> Self {
        if (self.predicate)(&item) {
            FilterConsumer {
                base: self.base.consume(item),
                predicate: self.predicate,
            }
        } else {
            self
        }
    }

    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        let predicate = self.predicate;
        FilterConsumer {
            base: self.base.consume_iter(iter.into_iter().filter(predicate)),
            predicate,
        }
    }

    fn complete(self) -> C::Result {
        self.base.complete()
    }

    fn full(&self) -> bool {
        self.base.full()
    }
}
