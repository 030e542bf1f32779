//! `for_each`: each leaf calls `op` on its items; nothing to combine.

use super::plumbing::{Consumer, Folder, Reducer};

/// Calls `op` on every item; also its own folder.
pub(super) struct ForEachConsumer<'f, F> {
    op: &'f F,
}

impl<'f, F> ForEachConsumer<'f, F> {
    pub(super) fn new(op: &'f F) -> Self {
        ForEachConsumer { op }
    }
}

impl<T, F: Fn(T) + Sync> Consumer<T> for ForEachConsumer<'_, F> {
    type Folder = Self;
    type Reducer = NoResult;
    type Result = ();

    fn split_at(self, _index: usize) -> (Self, Self, NoResult) {
        (ForEachConsumer { op: self.op }, self, NoResult)
    }

    fn into_folder(self) -> Self {
        self
    }
}

impl<T, F: Fn(T)> Folder<T> for ForEachConsumer<'_, F> {
    type Result = ();

    fn consume(self, item: T) -> Self {
        (self.op)(item);
        self
    }

    fn consume_iter<I: IntoIterator<Item = T>>(self, iter: I) -> Self {
        iter.into_iter().for_each(self.op);
        self
    }

    fn complete(self) {}
}

/// The reducer of consumers without a result.
pub(super) struct NoResult;

impl Reducer<()> for NoResult {
    fn reduce(self, _left: (), _right: ()) {}
}
