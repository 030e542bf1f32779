//! `map`: the one adaptor that wraps both sides, so a mapped indexed iterator stays indexed.

use super::plumbing::{Consumer, Folder, Producer, ProducerCallback};
use super::{IndexedParallelIterator, ParallelIterator};

/// The iterator [`ParallelIterator::map`] returns.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let lens: Vec<usize> = rt.block_on(async { ["a", "bb", "ccc"].par_iter().map(|s| s.len()).collect() });
/// assert_eq!(lens, [1, 2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct Map<I, F> {
    base: I,
    f: F,
}

impl<I, F> Map<I, F> {
    pub(super) fn new(base: I, f: F) -> Self {
        Map { base, f }
    }
}

impl<I, F, R> ParallelIterator for Map<I, F>
where
    I: ParallelIterator,
    F: Fn(I::Item) -> R + Sync + Send,
    R: Send,
{
    type Item = R;

    fn drive_unindexed<C: Consumer<R>>(self, consumer: C) -> C::Result {
        let f = &self.f;
        self.base.drive_unindexed(MapConsumer { base: consumer, f })
    }

    fn opt_len(&self) -> Option<usize> {
        self.base.opt_len()
    }
}

impl<I, F, R> IndexedParallelIterator for Map<I, F>
where
    I: IndexedParallelIterator,
    F: Fn(I::Item) -> R + Sync + Send,
    R: Send,
{
    fn len(&self) -> usize {
        self.base.len()
    }

    fn with_producer<CB: ProducerCallback<R>>(self, callback: CB) -> CB::Output {
        let f = &self.f;
        return self.base.with_producer(Callback { callback, f });

        struct Callback<'f, CB, F> {
            callback: CB,
            f: &'f F,
        }

        impl<'f, T, R, CB, F> ProducerCallback<T> for Callback<'f, CB, F>
        where
            CB: ProducerCallback<R>,
            F: Fn(T) -> R + Sync,
        {
            type Output = CB::Output;

            fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
                self.callback.callback(MapProducer { base, f: self.f })
            }
        }
    }
}

/// A producer whose items go through `f`.
struct MapProducer<'f, P, F> {
    base: P,
    f: &'f F,
}

impl<'f, P, F, R> Producer for MapProducer<'f, P, F>
where
    P: Producer,
    F: Fn(P::Item) -> R + Sync,
{
    type Item = R;
    type IntoIter = std::iter::Map<P::IntoIter, &'f F>;

    fn len(&self) -> usize {
        self.base.len()
    }

    fn into_iter(self) -> Self::IntoIter {
        self.base.into_iter().map(self.f)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        (
            MapProducer {
                base: left,
                f: self.f,
            },
            MapProducer {
                base: right,
                f: self.f,
            },
        )
    }
}

/// A consumer (and, for a leaf, a folder) that puts items through `f` before `base` sees them.
struct MapConsumer<'f, C, F> {
    base: C,
    f: &'f F,
}

impl<'f, T, R, C, F> Consumer<T> for MapConsumer<'f, C, F>
where
    C: Consumer<R>,
    F: Fn(T) -> R + Sync,
{
    type Folder = MapConsumer<'f, C::Folder, F>;
    type Reducer = C::Reducer;
    type Result = C::Result;

    fn split_at(self, index: usize) -> (Self, Self, C::Reducer) {
        let (left, right, reducer) = self.base.split_at(index);
        (
            MapConsumer {
                base: left,
                f: self.f,
            },
            MapConsumer {
                base: right,
                f: self.f,
            },
            reducer,
        )
    }

    fn into_folder(self) -> Self::Folder {
        MapConsumer {
            base: self.base.into_folder(),
            f: self.f,
        }
    }

    fn full(&self) -> bool {
        self.base.full()
    }
}

impl<T, R, C, F> Folder<T> for MapConsumer<'_, C, F>
where
    C: Folder<R>,
    F: Fn(T) -> R,
{
    type Result = C::Result;

    fn consume(self, item: T) -> Self {
        MapConsumer {
            base: self.base.consume((self.f)(item)),
            f: self.f,
        }
    }

    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        MapConsumer {
            base: self.base.consume_iter(iter.into_iter().map(self.f)),
            f: self.f,
        }
    }

    fn complete(self) -> C::Result {
        self.base.complete()
    }

    fn full(&self) -> bool {
        self.base.full()
    }
}
