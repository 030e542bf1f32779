//! `merge_sort_1m`: a parallel merge sort of a million `u64`, both halves forked with `join`.

use super::par_sum::splitmix;
use super::Problem;
use crate::rt::Join;

/// Values sorted per run.
pub const FULL_LEN: usize = 1_000_000;

/// Slices this long or shorter are sorted in place by `sort_unstable` (about 250 leaves for a
/// million values, 511 joins): the split is about the fork-join, not a sort of 2 elements.
const SEQUENTIAL_LEN: usize = 4096;

/// Sorts `len` pseudo-random `u64`: split in halves, sort both with `join`, merge into a
/// buffer and copy back. The merges are sequential, so the top one (all `len` values) runs on
/// one thread: the same algorithm on every column, its limit included.
#[derive(Debug, Clone)]
pub struct MergeSort {
    /// Values sorted.
    pub len: usize,
}

impl Problem for MergeSort {
    type Input = Vec<u64>;
    type Output = Vec<u64>;

    fn name(&self) -> &'static str {
        "merge_sort_1m"
    }

    fn input(&self) -> Vec<u64> {
        (0..self.len as u64).map(splitmix).collect()
    }

    fn solve<J: Join>(mut values: Vec<u64>) -> Vec<u64> {
        let mut buffer = vec![0; values.len()];
        merge_sort::<J>(&mut values, &mut buffer);
        values
    }

    fn expected(&self) -> Vec<u64> {
        let mut values = self.input();
        values.sort_unstable();
        values
    }
}

/// Sorts `values`, using `buffer` (as long) as scratch space.
fn merge_sort<J: Join>(values: &mut [u64], buffer: &mut [u64]) {
    if values.len() <= SEQUENTIAL_LEN {
        values.sort_unstable();
        return;
    }
    let mid = values.len() / 2;
    {
        let (left, right) = values.split_at_mut(mid);
        let (left_buffer, right_buffer) = buffer.split_at_mut(mid);
        J::join(
            || merge_sort::<J>(left, left_buffer),
            || merge_sort::<J>(right, right_buffer),
        );
    }
    let (left, right) = values.split_at(mid);
    merge(left, right, buffer);
    values.copy_from_slice(buffer);
}

/// Merges the sorted `left` and `right` into `out` (exactly as long as both).
fn merge(left: &[u64], right: &[u64], out: &mut [u64]) {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        // Take from the left while it has the smaller (or equal: stable) head.
        let take_left = j == right.len() || (i < left.len() && left[i] <= right[j]);
        if take_left {
            *slot = left[i];
            i += 1;
        } else {
            *slot = right[j];
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt::RayonJoin;

    #[test]
    fn sorts_across_the_sequential_cutoff() {
        let pool = crate::rt::rayon_pool(2);
        for len in [
            0,
            1,
            SEQUENTIAL_LEN,
            SEQUENTIAL_LEN + 1,
            3 * SEQUENTIAL_LEN + 7,
        ] {
            let problem = MergeSort { len };
            let sorted = pool.install(|| MergeSort::solve::<RayonJoin>(problem.input()));
            assert_eq!(sorted, problem.expected(), "len {len}");
        }
    }

    #[test]
    fn merge_keeps_every_value() {
        let mut out = [0; 6];
        merge(&[1, 4, 4], &[0, 4, 9], &mut out);
        assert_eq!(out, [0, 1, 4, 4, 4, 9]);
    }
}
