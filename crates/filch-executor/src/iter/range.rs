//! Integer ranges as parallel iterators (`(0..n).into_par_iter()`).

use super::plumbing::{Bridge, Consumer, Producer, ProducerCallback};
use super::slice::own_producer;
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};
use std::ops::Range;

/// The iterator `into_par_iter()` on a `Range` of integers returns.
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let (n, biggest) = rt.block_on(async {
///     ((-5..5_i64).into_par_iter().count(), (0..1_000_u64).into_par_iter().max())
/// });
/// assert_eq!((n, biggest), (10, Some(999)));
/// ```
#[derive(Clone, Debug)]
pub struct RangeIter<T> {
    start: T,
    /// The item count, computed once: it always fits in `usize` (checked on creation).
    len: usize,
}

macro_rules! integer_ranges {
    ($($t:ty),*) => {$(
        impl IntoParallelIterator for Range<$t> {
            type Iter = RangeIter<$t>;
            type Item = $t;

            #[track_caller]
            fn into_par_iter(self) -> RangeIter<$t> {
                // Through i128: every bound of these types fits, so the difference is exact.
                let len = (self.end as i128 - self.start as i128).max(0);
                let len = usize::try_from(len).unwrap_or_else(|_| {
                    panic!(
                        "into_par_iter: the range {self:?} has more items than usize can count \
                         on this target; split it into smaller ranges"
                    )
                });
                RangeIter { start: self.start, len }
            }
        }

        own_producer!([] RangeIter<$t>, $t);

        impl Producer for RangeIter<$t> {
            type Item = $t;
            type IntoIter = Range<$t>;

            fn len(&self) -> usize {
                self.len
            }

            fn into_iter(self) -> Range<$t> {
                // `start + len` is the range's end (or a split point inside it), so the
                // wrapping arithmetic never actually wraps past it; it only avoids a signed
                // cast of a `len` that exceeds the type's positive half (`i64::MIN..i64::MAX`).
                self.start..self.start.wrapping_add(self.len as $t)
            }

            fn split_at(self, index: usize) -> (Self, Self) {
                let middle = self.start.wrapping_add(index as $t);
                (
                    RangeIter { start: self.start, len: index },
                    RangeIter { start: middle, len: self.len - index },
                )
            }
        }
    )*};
}

integer_ranges!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);
