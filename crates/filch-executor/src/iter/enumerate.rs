//! `enumerate`: a producer that carries the index of its first item.

use super::plumbing::{Bridge, Consumer, Producer, ProducerCallback};
use super::{IndexedParallelIterator, ParallelIterator};

/// The iterator [`IndexedParallelIterator::enumerate`] returns.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let at: Vec<(usize, &i32)> = rt.block_on(async { [7, 8, 9].par_iter().enumerate().collect() });
/// assert_eq!(at, [(0, &7), (1, &8), (2, &9)]);
/// ```
#[derive(Clone, Debug)]
pub struct Enumerate<I> {
    base: I,
}

impl<I> Enumerate<I> {
    pub(super) fn new(base: I) -> Self {
        Enumerate { base }
    }
}

impl<I: IndexedParallelIterator> ParallelIterator for Enumerate<I> {
    type Item = (usize, I::Item);

    fn drive_unindexed<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.with_producer(Bridge { consumer })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<I: IndexedParallelIterator> IndexedParallelIterator for Enumerate<I> {
    fn len(&self) -> usize {
        self.base.len()
    }

    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        return self.base.with_producer(Callback { callback });

        struct Callback<CB> {
            callback: CB,
        }

        impl<T, CB: ProducerCallback<(usize, T)>> ProducerCallback<T> for Callback<CB> {
            type Output = CB::Output;

            fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
                self.callback
                    .callback(EnumerateProducer { base, offset: 0 })
            }
        }
    }
}

/// A producer of `base`'s items numbered from `offset`, the index of its first one.
struct EnumerateProducer<P> {
    base: P,
    offset: usize,
}

impl<P: Producer> Producer for EnumerateProducer<P> {
    type Item = (usize, P::Item);
    type IntoIter = std::iter::Zip<std::ops::Range<usize>, P::IntoIter>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn into_iter(self) -> Self::IntoIter {
        let end = self.offset + self.base.len();
        (self.offset..end).zip(self.base.into_iter())
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        (
            EnumerateProducer {
                base: left,
                offset: self.offset,
            },
            EnumerateProducer {
                base: right,
                offset: self.offset + index,
            },
        )
    }
}
