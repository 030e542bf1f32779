//! `zip`: two producers split at the same indexes and walked in lockstep.

use super::plumbing::{Bridge, Consumer, Producer, ProducerCallback};
use super::{IndexedParallelIterator, ParallelIterator};

/// The iterator [`IndexedParallelIterator::zip`] returns.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let pairs: Vec<(u8, char)> =
///     rt.block_on(async { (1..4_u8).into_par_iter().zip(vec!['a', 'b']).collect() });
/// assert_eq!(pairs, [(1, 'a'), (2, 'b')]);
/// ```
#[derive(Clone, Debug)]
pub struct Zip<A, B> {
    a: A,
    b: B,
}

impl<A, B> Zip<A, B> {
    pub(super) fn new(a: A, b: B) -> Self {
        Zip { a, b }
    }
}

impl<A: IndexedParallelIterator, B: IndexedParallelIterator> ParallelIterator for Zip<A, B> {
    type Item = (A::Item, B::Item);

    fn drive_unindexed<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        self.with_producer(Bridge { consumer })
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<A: IndexedParallelIterator, B: IndexedParallelIterator> IndexedParallelIterator for Zip<A, B> {
    fn len(&self) -> usize {
        self.a.len().min(self.b.len())
    }

    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        // `a`'s producer exists only inside `a`'s callback, so `b`'s is made in there too.
        return self.a.with_producer(CallbackA {
            b: self.b,
            callback,
        });

        struct CallbackA<B, CB> {
            b: B,
            callback: CB,
        }

        impl<ItemA, B, CB> ProducerCallback<ItemA> for CallbackA<B, CB>
        where
            B: IndexedParallelIterator,
            CB: ProducerCallback<(ItemA, B::Item)>,
        {
            type Output = CB::Output;

            fn callback<PA: Producer<Item = ItemA>>(self, a: PA) -> CB::Output {
                self.b.with_producer(CallbackB {
                    a,
                    callback: self.callback,
                })
            }
        }

        struct CallbackB<PA, CB> {
            a: PA,
            callback: CB,
        }

        impl<PA, ItemB, CB> ProducerCallback<ItemB> for CallbackB<PA, CB>
        where
            PA: Producer,
            CB: ProducerCallback<(PA::Item, ItemB)>,
        {
            type Output = CB::Output;

            fn callback<PB: Producer<Item = ItemB>>(self, b: PB) -> CB::Output {
                self.callback.callback(ZipProducer { a: self.a, b })
            }
        }
    }
}

/// A producer of pairs; its length is the shorter input's, and both inputs split at the same
/// index, so every piece pairs the same positions as the sequential zip.
struct ZipProducer<A, B> {
    a: A,
    b: B,
}

impl<A: Producer, B: Producer> Producer for ZipProducer<A, B> {
    type Item = (A::Item, B::Item);
    type IntoIter = std::iter::Zip<A::IntoIter, B::IntoIter>;

    fn len(&self) -> usize {
        self.a.len().min(self.b.len())
    }

    fn into_iter(self) -> Self::IntoIter {
        self.a.into_iter().zip(self.b.into_iter())
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (a_left, a_right) = self.a.split_at(index);
        let (b_left, b_right) = self.b.split_at(index);
        (
            ZipProducer {
                a: a_left,
                b: b_left,
            },
            ZipProducer {
                a: a_right,
                b: b_right,
            },
        )
    }
}
