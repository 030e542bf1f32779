//! `sum`: each leaf hands its items to `Iterator::sum` (the tight loop), then the pieces' sums
//! are summed up the tree.

use super::plumbing::{Consumer, Folder, Reducer};
use std::iter::{once, Sum};
use std::marker::PhantomData;

/// Sums items of type `T` into an `S`; also its own reducer.
pub(super) struct SumConsumer<S> {
    // `fn() -> S`: the consumer holds no `S`, so it is `Send` whatever `S` is.
    sum: PhantomData<fn() -> S>,
}

impl<S> SumConsumer<S> {
    pub(super) fn new() -> Self {
        SumConsumer { sum: PhantomData }
    }
}

/// `left + right` for any `S: Sum<S>` (the only addition the `Sum` trait offers).
fn add<S: Sum<S>>(left: S, right: S) -> S {
    once(left).chain(once(right)).sum()
}

impl<T, S: Send + Sum<T> + Sum<S>> Consumer<T> for SumConsumer<S> {
    type Folder = SumFolder<S>;
    type Reducer = Self;
    type Result = S;

    fn split_at(self, _index: usize) -> (Self, Self, Self) {
        (SumConsumer::new(), SumConsumer::new(), self)
    }

    fn into_folder(self) -> SumFolder<S> {
        SumFolder {
            sum: std::iter::empty::<T>().sum(),
        }
    }
}

impl<S: Sum<S>> Reducer<S> for SumConsumer<S> {
    fn reduce(self, left: S, right: S) -> S {
        add(left, right)
    }
}

/// A leaf's running sum.
pub(super) struct SumFolder<S> {
    sum: S,
}

impl<T, S: Sum<T> + Sum<S>> Folder<T> for SumFolder<S> {
    type Result = S;

    fn consume(self, item: T) -> Self {
        self.consume_iter(once(item))
    }

    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        SumFolder {
            sum: add(self.sum, iter.into_iter().sum::<S>()),
        }
    }

    fn complete(self) -> S {
        self.sum
    }
}
