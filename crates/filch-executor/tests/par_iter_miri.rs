//! Parallel iterators under Miri (run as in `scripts/test`, with Tree Borrows): a 2-worker
//! runtime, small inputs, each consumer and source once, so Miri checks the splitting of
//! slices, the owned `Vec` pieces (items moved out or dropped exactly once) and `collect`'s
//! writes into uninitialised slots, across the workers. Sizes are tiny on purpose (Miri is
//! about a thousand times slower), yet above 4 items so every input splits.
//!
//! It runs in the ordinary `cargo test` too, where it is one more smoke test.

use filch_executor::prelude::*;
use filch_executor::Builder;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use support::within_hang_guard;

mod support;

const N: usize = 24;

#[test]
fn each_consumer_and_source_once_on_two_workers() {
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(2).build().unwrap();
        let check = || {
            let v: Vec<usize> = (0..N).collect();
            let seq_sum: usize = v.iter().sum();
            assert_eq!(v.par_iter().sum::<usize>(), seq_sum);
            assert_eq!(v.par_iter().filter(|x| **x % 2 == 0).count(), N / 2);
            assert_eq!(v.par_iter().min(), Some(&0));
            assert_eq!(v.par_iter().max(), Some(&(N - 1)));
            assert_eq!(v.par_iter().copied().reduce(|| 0, |a, b| a + b), seq_sum);
            assert!(v.par_iter().any(|x| *x == N / 2));
            assert!(v.par_iter().all(|x| *x < N));
            let seen = AtomicUsize::new(0);
            v.par_iter().for_each(|x| {
                seen.fetch_add(*x, Relaxed);
            });
            assert_eq!(seen.into_inner(), seq_sum);

            // collect in place (indexed) and in pieces (filtered); enumerate and zip.
            let doubled: Vec<usize> = v.par_iter().map(|x| 2 * x).collect();
            assert_eq!(doubled, v.iter().map(|x| 2 * x).collect::<Vec<_>>());
            let odd: Vec<&usize> = v.par_iter().filter(|x| **x % 2 == 1).collect();
            assert_eq!(odd, v.iter().filter(|x| **x % 2 == 1).collect::<Vec<_>>());
            let pairs: Vec<(usize, (&usize, usize))> = v.par_iter().zip(0..N).enumerate().collect();
            assert_eq!(pairs, v.iter().zip(0..N).enumerate().collect::<Vec<_>>());

            // Mutable sources: elements, chunks, sort.
            let mut m = v.clone();
            m.par_iter_mut().for_each(|x| *x += 1);
            m.par_chunks_mut(5).for_each(|c| c.reverse());
            let mut expected: Vec<usize> = (1..=N).collect();
            expected.chunks_mut(5).for_each(|c| c.reverse());
            assert_eq!(m, expected);
            let chunk_sums: Vec<usize> = m.par_chunks(5).map(|c| c.iter().sum()).collect();
            assert_eq!(
                chunk_sums,
                m.chunks(5).map(|c| c.iter().sum()).collect::<Vec<_>>()
            );
            m.par_sort_unstable();
            assert_eq!(m, (1..=N).collect::<Vec<_>>());

            // Owned items (heap-allocated, so a double drop or a leak is visible to Miri):
            // all moved out by `collect`, and most dropped unread by a short-circuit `any`.
            let owned: Vec<String> = v.iter().map(usize::to_string).collect();
            let lens: Vec<usize> = owned.clone().into_par_iter().map(|s| s.len()).collect();
            assert_eq!(lens, owned.iter().map(String::len).collect::<Vec<_>>());
            assert!(owned.into_par_iter().any(|s| s == "0"));
        };
        rt.block_on(async { check() });
        rt.block_on(rt.spawn(async move { check() })).unwrap();
    });
}
