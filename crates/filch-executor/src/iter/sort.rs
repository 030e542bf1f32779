//! `par_sort_unstable`: quicksort whose two sides are sorted in parallel with [`join`].
//!
//! Each step partitions around a median-of-three pivot (a Hoare partition that stops on items
//! equal to the pivot, so runs of equal items split evenly instead of degrading), then joins
//! the two sides. Parts below [`SEQUENTIAL_LEN`] go to `slice::sort_unstable`, and so does any
//! part reached after a depth budget of about 2·log2(n) partitions (introsort's guard), so
//! the worst case stays O(n log n) and the recursion depth is bounded.

use crate::join::{expect_runtime, join};

/// Below this many items a part is sorted sequentially: a join per few thousand comparisons
/// costs nothing measurable, and smaller parts would only add joins.
const SEQUENTIAL_LEN: usize = 2048;

#[track_caller]
pub(super) fn par_sort_unstable<T: Ord + Send>(v: &mut [T]) {
    expect_runtime("par_sort_unstable");
    let depth_budget = 2 * (usize::BITS - v.len().leading_zeros());
    sort(v, depth_budget);
}

fn sort<T: Ord + Send>(v: &mut [T], depth_budget: u32) {
    if v.len() <= SEQUENTIAL_LEN || depth_budget == 0 {
        v.sort_unstable();
        return;
    }
    let pivot = partition(v);
    let (left, right) = v.split_at_mut(pivot);
    // `right[0]` is the pivot, already in its final place.
    let right = &mut right[1..];
    join(
        || sort(left, depth_budget - 1),
        || sort(right, depth_budget - 1),
    );
}

/// Partitions `v` (at least 3 items) around a median-of-three pivot and returns the pivot's
/// final index `p`: `v[..p] <= v[p] <= v[p + 1..]`.
fn partition<T: Ord>(v: &mut [T]) -> usize {
    let last = v.len() - 1;
    let median = median_of_three(v, 0, last / 2, last);
    v.swap(0, median);
    let (pivot, rest) = v.split_first_mut().expect("partition needs items");
    // Invariant: rest[..i] <= pivot and rest[j..] >= pivot.
    let (mut i, mut j) = (0, rest.len());
    loop {
        while i < j && rest[i] < *pivot {
            i += 1;
        }
        while i < j && rest[j - 1] > *pivot {
            j -= 1;
        }
        if i >= j {
            break;
        }
        // rest[i] >= pivot >= rest[j - 1]: swapping extends both sides.
        j -= 1;
        rest.swap(i, j);
        i += 1;
    }
    // Now rest[..i] <= pivot <= rest[i..]; the pivot goes between them.
    v.swap(0, i);
    i
}

/// The index (of `a`, `b`, `c`) holding the median of the three items.
fn median_of_three<T: Ord>(v: &[T], a: usize, b: usize, c: usize) -> usize {
    let (lo, hi) = if v[a] <= v[b] { (a, b) } else { (b, a) };
    if v[c] <= v[lo] {
        lo
    } else if v[c] >= v[hi] {
        hi
    } else {
        c
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::partition;

    #[test]
    fn partition_puts_the_pivot_between_smaller_and_larger_items() {
        let inputs: [&[u32]; 5] = [
            &[3, 1, 2],
            &[5, 5, 5, 5, 5, 5],
            &[9, 8, 7, 6, 5, 4, 3, 2, 1],
            &[1, 2, 3, 4, 5, 6, 7],
            &[2, 7, 2, 7, 2, 7, 2, 7, 1],
        ];
        for input in inputs {
            let mut v = input.to_vec();
            let p = partition(&mut v);
            assert!(
                v[..p].iter().all(|x| *x <= v[p]),
                "{input:?} -> {v:?} at {p}"
            );
            assert!(
                v[p + 1..].iter().all(|x| *x >= v[p]),
                "{input:?} -> {v:?} at {p}"
            );
            let (mut sorted, mut expected) = (v.clone(), input.to_vec());
            sorted.sort_unstable();
            expected.sort_unstable();
            assert_eq!(sorted, expected, "a permutation of the input");
        }
    }

    #[test]
    fn equal_items_split_evenly() {
        let mut v = vec![4_u8; 1001];
        let p = partition(&mut v);
        assert!((400..=600).contains(&p), "pivot at {p}");
    }
}
