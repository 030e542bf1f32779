//! The stand-in for a parallel iterator's `map(f).sum()`, a recursive split on [`Join`].
//!
//! `filch::prelude::par_iter` is written on another branch; until it is merged, the parallel
//! workloads call [`par_map_sum`], and the rayon column runs the very same split on
//! `rayon::join`, so both columns measure the same algorithm. After the merge each call site
//! marked `// lead: par_iter form` becomes `par_iter()` (filch) and rayon's own `par_iter()`,
//! and this file goes.

use crate::rt::Join;
use std::ops::Range;

/// Pieces per pool thread: enough that a thread finishing early finds another piece to steal
/// (about what rayon's adaptive splitting ends up with on an even load).
const PIECES_PER_THREAD: usize = 8;

/// `range.map(f).sum()`, split on `J::join` into about [`PIECES_PER_THREAD`] pieces per thread
/// of the pool it runs in; sums wrap, so any `f` is fine.
pub(super) fn par_map_sum<J, F>(range: Range<usize>, f: &F) -> u64
where
    J: Join,
    F: Fn(usize) -> u64 + Sync,
{
    let pieces = PIECES_PER_THREAD * J::current_num_threads();
    let grain = range.len().div_ceil(pieces).max(1);
    split_sum::<J, F>(range, grain, f)
}

fn split_sum<J, F>(range: Range<usize>, grain: usize, f: &F) -> u64
where
    J: Join,
    F: Fn(usize) -> u64 + Sync,
{
    if range.len() <= grain {
        return range.map(f).fold(0, u64::wrapping_add);
    }
    let mid = range.start + range.len() / 2;
    let (left, right) = J::join(
        || split_sum::<J, F>(range.start..mid, grain, f),
        || split_sum::<J, F>(mid..range.end, grain, f),
    );
    left.wrapping_add(right)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt::RayonJoin;

    #[test]
    fn equals_the_sequential_sum_at_every_size() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let f = |i: usize| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for len in [0, 1, 2, 15, 16, 17, 1000] {
            let sequential = (0..len).map(f).fold(0, u64::wrapping_add);
            let parallel = pool.install(|| par_map_sum::<RayonJoin, _>(0..len, &f));
            assert_eq!(parallel, sequential, "len {len}");
        }
    }
}
