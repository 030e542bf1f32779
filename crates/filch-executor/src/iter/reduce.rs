//! `reduce(identity, op)`: each leaf folds from `identity()` with `op`; adjacent pieces are
//! combined with `op`, left before right.

use super::plumbing::{Consumer, Folder, Reducer};

/// Reduces with `op` from `identity()`; also its own reducer.
pub(super) struct ReduceConsumer<'r, ID, OP> {
    identity: &'r ID,
    op: &'r OP,
}

impl<'r, ID, OP> ReduceConsumer<'r, ID, OP> {
    pub(super) fn new(identity: &'r ID, op: &'r OP) -> Self {
        ReduceConsumer { identity, op }
    }

    fn copy(&self) -> Self {
        ReduceConsumer {
            identity: self.identity,
            op: self.op,
        }
    }
}

impl<'r, T, ID, OP> Consumer<T> for ReduceConsumer<'r, ID, OP>
where
    T: Send,
    ID: Fn() -> T + Sync,
    OP: Fn(T, T) -> T + Sync,
{
    type Folder = ReduceFolder<'r, T, OP>;
    type Reducer = Self;
    type Result = T;

    fn split_at(self, _index: usize) -> (Self, Self, Self) {
        (self.copy(), self.copy(), self)
    }

    fn into_folder(self) -> Self::Folder {
        ReduceFolder {
            acc: (self.identity)(),
            op: self.op,
        }
    }
}

impl<T, ID, OP: Fn(T, T) -> T> Reducer<T> for ReduceConsumer<'_, ID, OP> {
    fn reduce(self, left: T, right: T) -> T {
        (self.op)(left, right)
    }
}

/// A leaf's running reduction.
pub(super) struct ReduceFolder<'r, T, OP> {
    acc: T,
    op: &'r OP,
}

impl<T, OP: Fn(T, T) -> T> Folder<T> for ReduceFolder<'_, T, OP> {
    type Result = T;

    fn consume(self, item: T) -> Self {
        ReduceFolder {
            acc: (self.op)(self.acc, item),
            op: self.op,
        }
    }

    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        ReduceFolder {
            acc: iter.into_iter().fold(self.acc, self.op),
            op: self.op,
        }
    }

    fn complete(self) -> T {
        self.acc
    }
}
