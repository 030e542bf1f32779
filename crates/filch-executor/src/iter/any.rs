//! `any` (and `all`, through it): ORs each leaf's `Iterator::any`, and stops early once a
//! match is found anywhere.
//!
//! The shared flag is only a hint for skipping work: the answer is the OR of the leaves'
//! answers, combined up the join tree, so it is right whether or not a piece sees another's
//! store in time (hence `Relaxed`, and no protocol for loom to check).

use super::plumbing::{Consumer, Folder, Reducer};
use super::{drive, ParallelIterator};
use crate::sync::{AtomicBool, Ordering};

/// Whether some item of `iter` is `true`.
#[track_caller]
pub(super) fn any<I: ParallelIterator<Item = bool>>(iter: I) -> bool {
    let found = AtomicBool::new(false);
    drive(iter, AnyConsumer { found: &found })
}

/// ORs the items; also its own reducer.
struct AnyConsumer<'a> {
    found: &'a AtomicBool,
}

impl<'a> Consumer<bool> for AnyConsumer<'a> {
    type Folder = AnyFolder<'a>;
    type Reducer = Self;
    type Result = bool;

    fn split_at(self, _index: usize) -> (Self, Self, Self) {
        let found = self.found;
        (AnyConsumer { found }, AnyConsumer { found }, self)
    }

    fn into_folder(self) -> AnyFolder<'a> {
        AnyFolder {
            any: false,
            found: self.found,
        }
    }

    fn full(&self) -> bool {
        self.found.load(Ordering::Relaxed)
    }
}

impl Reducer<bool> for AnyConsumer<'_> {
    fn reduce(self, left: bool, right: bool) -> bool {
        left || right
    }
}

/// A leaf's answer so far.
struct AnyFolder<'a> {
    any: bool,
    found: &'a AtomicBool,
}

impl AnyFolder<'_> {
    fn record(mut self, any: bool) -> Self {
        if any {
            self.any = true;
            self.found.store(true, Ordering::Relaxed);
        }
        self
    }
}

impl Folder<bool> for AnyFolder<'_> {
    type Result = bool;

    fn consume(self, item: bool) -> Self {
        self.record(item)
    }

    fn consume_iter<I: IntoIterator<Item = bool>>(self, iter: I) -> Self {
        let any = iter.into_iter().any(|item| item);
        self.record(any)
    }

    fn complete(self) -> bool {
        self.any
    }

    fn full(&self) -> bool {
        self.any
    }
}
