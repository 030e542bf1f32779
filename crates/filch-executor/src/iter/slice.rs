//! Slices (and `Vec`s, through deref) as parallel iterators: by reference, by mutable
//! reference, and in chunks. All safe code: `split_at` and `split_at_mut` hand each piece its
//! own part of the slice.

use super::plumbing::{Bridge, Consumer, Producer, ProducerCallback};
use super::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};

/// `par_iter()` and `par_chunks(n)` on slices (and `Vec`s).
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let v: Vec<u32> = (1..=10).collect();
/// let (sum, chunk_sums) = rt.block_on(async {
///     let chunk_sums: Vec<u32> = v.par_chunks(4).map(|c| c.iter().sum()).collect();
///     (v.par_iter().sum::<u32>(), chunk_sums)
/// });
/// assert_eq!(sum, 55);
/// assert_eq!(chunk_sums, [10, 26, 19]);
/// ```
pub trait ParallelSlice<T: Sync> {
    /// A parallel iterator over references to the items.
    fn par_iter(&self) -> Iter<'_, T>;

    /// A parallel iterator over `chunk_size` items at a time (the last chunk may be shorter).
    ///
    /// # Panics
    /// If `chunk_size` is 0.
    #[track_caller]
    fn par_chunks(&self, chunk_size: usize) -> Chunks<'_, T>;
}

/// `par_iter_mut()`, `par_chunks_mut(n)` and `par_sort_unstable()` on slices (and `Vec`s).
///
/// # Examples
/// ```
/// use filch::prelude::*;
///
/// let rt = filch::Runtime::new();
/// let mut v = vec![5, 3, 9, 1, 7, 2];
/// rt.block_on(async {
///     v.par_chunks_mut(2).for_each(|pair| pair.swap(0, 1));
///     v.par_iter_mut().for_each(|x| *x += 1);
/// });
/// assert_eq!(v, [4, 6, 2, 10, 3, 8]);
/// rt.block_on(async { v.par_sort_unstable() });
/// assert_eq!(v, [2, 3, 4, 6, 8, 10]);
/// ```
pub trait ParallelSliceMut<T: Send> {
    /// A parallel iterator over mutable references to the items.
    fn par_iter_mut(&mut self) -> IterMut<'_, T>;

    /// A parallel iterator over `chunk_size` items at a time, mutably (the last chunk may be
    /// shorter).
    ///
    /// # Panics
    /// If `chunk_size` is 0.
    #[track_caller]
    fn par_chunks_mut(&mut self, chunk_size: usize) -> ChunksMut<'_, T>;

    /// Sorts the slice, in parallel, without keeping the order of equal items: a quicksort
    /// whose two sides are [`join`](crate::join)ed, finishing small parts with
    /// `slice::sort_unstable`. Like the parallel iterators' consumers, it panics outside a
    /// runtime.
    #[track_caller]
    fn par_sort_unstable(&mut self)
    where
        T: Ord;
}

impl<T: Sync> ParallelSlice<T> for [T] {
    fn par_iter(&self) -> Iter<'_, T> {
        Iter { slice: self }
    }

    #[track_caller]
    fn par_chunks(&self, chunk_size: usize) -> Chunks<'_, T> {
        assert_chunk_size(chunk_size);
        Chunks {
            slice: self,
            chunk_size,
        }
    }
}

impl<T: Send> ParallelSliceMut<T> for [T] {
    fn par_iter_mut(&mut self) -> IterMut<'_, T> {
        IterMut { slice: self }
    }

    #[track_caller]
    fn par_chunks_mut(&mut self, chunk_size: usize) -> ChunksMut<'_, T> {
        assert_chunk_size(chunk_size);
        ChunksMut {
            slice: self,
            chunk_size,
        }
    }

    #[track_caller]
    fn par_sort_unstable(&mut self)
    where
        T: Ord,
    {
        super::sort::par_sort_unstable(self);
    }
}

#[track_caller]
fn assert_chunk_size(chunk_size: usize) {
    assert!(
        chunk_size != 0,
        "par_chunks: chunk_size must be at least 1 (each chunk needs an item)"
    );
}

/// Implements the two parallel-iterator traits for a type that is its own producer.
macro_rules! own_producer {
    ([$($generics:tt)*] $ty:ty, $item:ty) => {
        impl<$($generics)*> ParallelIterator for $ty {
            type Item = $item;

            fn drive_unindexed<C: Consumer<$item>>(self, consumer: C) -> C::Result {
                self.with_producer(Bridge { consumer })
            }

            fn opt_len(&self) -> Option<usize> {
                Some(Producer::len(self))
            }
        }

        impl<$($generics)*> IndexedParallelIterator for $ty {
            fn len(&self) -> usize {
                Producer::len(self)
            }

            fn with_producer<CB: ProducerCallback<$item>>(self, callback: CB) -> CB::Output {
                callback.callback(self)
            }
        }
    };
}
pub(super) use own_producer;

/// The iterator [`ParallelSlice::par_iter`] returns.
#[derive(Debug)]
pub struct Iter<'a, T> {
    slice: &'a [T],
}

own_producer!(['a, T: Sync + 'a] Iter<'a, T>, &'a T);

impl<'a, T: Sync> Producer for Iter<'a, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn len(&self) -> usize {
        self.slice.len()
    }

    fn into_iter(self) -> Self::IntoIter {
        self.slice.iter()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.slice.split_at(index);
        (Iter { slice: left }, Iter { slice: right })
    }
}

/// The iterator [`ParallelSliceMut::par_iter_mut`] returns.
#[derive(Debug)]
pub struct IterMut<'a, T> {
    slice: &'a mut [T],
}

own_producer!(['a, T: Send + 'a] IterMut<'a, T>, &'a mut T);

impl<'a, T: Send> Producer for IterMut<'a, T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;

    fn len(&self) -> usize {
        self.slice.len()
    }

    fn into_iter(self) -> Self::IntoIter {
        self.slice.iter_mut()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.slice.split_at_mut(index);
        (IterMut { slice: left }, IterMut { slice: right })
    }
}

/// The iterator [`ParallelSlice::par_chunks`] returns.
#[derive(Debug)]
pub struct Chunks<'a, T> {
    slice: &'a [T],
    chunk_size: usize,
}

own_producer!(['a, T: Sync + 'a] Chunks<'a, T>, &'a [T]);

impl<'a, T: Sync> Producer for Chunks<'a, T> {
    type Item = &'a [T];
    type IntoIter = std::slice::Chunks<'a, T>;

    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.chunk_size)
    }

    fn into_iter(self) -> Self::IntoIter {
        self.slice.chunks(self.chunk_size)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let at = self.slice.len().min(index.saturating_mul(self.chunk_size));
        let (left, right) = self.slice.split_at(at);
        let chunk_size = self.chunk_size;
        (
            Chunks {
                slice: left,
                chunk_size,
            },
            Chunks {
                slice: right,
                chunk_size,
            },
        )
    }
}

/// The iterator [`ParallelSliceMut::par_chunks_mut`] returns.
#[derive(Debug)]
pub struct ChunksMut<'a, T> {
    slice: &'a mut [T],
    chunk_size: usize,
}

own_producer!(['a, T: Send + 'a] ChunksMut<'a, T>, &'a mut [T]);

impl<'a, T: Send> Producer for ChunksMut<'a, T> {
    type Item = &'a mut [T];
    type IntoIter = std::slice::ChunksMut<'a, T>;

    fn len(&self) -> usize {
        self.slice.len().div_ceil(self.chunk_size)
    }

    fn into_iter(self) -> Self::IntoIter {
        self.slice.chunks_mut(self.chunk_size)
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let at = self.slice.len().min(index.saturating_mul(self.chunk_size));
        let (left, right) = self.slice.split_at_mut(at);
        let chunk_size = self.chunk_size;
        (
            ChunksMut {
                slice: left,
                chunk_size,
            },
            ChunksMut {
                slice: right,
                chunk_size,
            },
        )
    }
}

impl<'a, T: Sync> IntoParallelIterator for &'a [T] {
    type Iter = Iter<'a, T>;
    type Item = &'a T;

    fn into_par_iter(self) -> Iter<'a, T> {
        self.par_iter()
    }
}

impl<'a, T: Sync> IntoParallelIterator for &'a Vec<T> {
    type Iter = Iter<'a, T>;
    type Item = &'a T;

    fn into_par_iter(self) -> Iter<'a, T> {
        self.par_iter()
    }
}

impl<'a, T: Send> IntoParallelIterator for &'a mut [T] {
    type Iter = IterMut<'a, T>;
    type Item = &'a mut T;

    fn into_par_iter(self) -> IterMut<'a, T> {
        self.par_iter_mut()
    }
}

impl<'a, T: Send> IntoParallelIterator for &'a mut Vec<T> {
    type Iter = IterMut<'a, T>;
    type Item = &'a mut T;

    fn into_par_iter(self) -> IterMut<'a, T> {
        self.par_iter_mut()
    }
}
