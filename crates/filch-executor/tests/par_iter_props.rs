//! Every parallel iterator equals its sequential counterpart: random inputs (0..10_000 items),
//! random worker counts (1..=4), run both from `Runtime::block_on` (a thread that is not a
//! worker) and from a spawned task (a worker). Each case runs under the hang guard.

use filch_executor::prelude::*;
use filch_executor::{Builder, Runtime};
use proptest::prelude::*;
use std::sync::atomic::{AtomicI64, Ordering::Relaxed};
use std::sync::Arc;
use support::within_hang_guard;

mod support;

/// Runs `check` on `input` with `workers` workers, from `block_on` and then from a task.
fn both_ways(workers: usize, input: Vec<i32>, check: fn(&[i32])) {
    within_hang_guard(move || {
        let rt: Runtime = Builder::new().worker_threads(workers).build().unwrap();
        let input = Arc::new(input);
        rt.block_on(async { check(&input) });
        let in_task = Arc::clone(&input);
        rt.block_on(rt.spawn(async move { check(&in_task) }))
            .expect("the check failed inside a task");
    });
}

fn consumers(v: &[i32]) {
    let wide = |x: &i32| i64::from(*x);
    assert_eq!(
        v.par_iter().map(wide).sum::<i64>(),
        v.iter().map(wide).sum::<i64>()
    );
    assert_eq!(v.par_iter().count(), v.len());
    assert_eq!(v.par_iter().min(), v.iter().min());
    assert_eq!(v.par_iter().max(), v.iter().max());
    assert_eq!(
        v.par_iter().map(wide).reduce(|| 0, |a, b| a + b),
        v.iter().map(wide).sum::<i64>()
    );
    assert_eq!(
        v.par_iter().copied().reduce_with(i32::max),
        v.iter().copied().reduce(i32::max)
    );
    assert_eq!(v.par_iter().any(|x| *x > 900), v.iter().any(|x| *x > 900));
    assert_eq!(v.par_iter().all(|x| *x > -900), v.iter().all(|x| *x > -900));
    let total = AtomicI64::new(0);
    v.par_iter().for_each(|x| {
        total.fetch_add(wide(x), Relaxed);
    });
    assert_eq!(total.into_inner(), v.iter().map(wide).sum::<i64>());
    assert_eq!(
        v.par_iter().collect::<Vec<_>>(),
        v.iter().collect::<Vec<_>>()
    );
}

fn adaptors(v: &[i32]) {
    let even = |x: &&i32| **x % 2 == 0;
    assert_eq!(
        v.par_iter().map(|x| x.wrapping_mul(3)).collect::<Vec<_>>(),
        v.iter().map(|x| x.wrapping_mul(3)).collect::<Vec<_>>()
    );
    assert_eq!(
        v.par_iter().filter(even).collect::<Vec<_>>(),
        v.iter().filter(even).collect::<Vec<_>>()
    );
    assert_eq!(
        v.par_iter().filter(even).count(),
        v.iter().filter(even).count()
    );
    assert_eq!(
        v.par_iter().filter(even).map(|x| x / 2).min(),
        v.iter().filter(even).map(|x| x / 2).min()
    );
    assert_eq!(
        v.par_iter()
            .enumerate()
            .filter(|(i, _)| i % 3 == 0)
            .collect::<Vec<_>>(),
        v.iter()
            .enumerate()
            .filter(|(i, _)| i % 3 == 0)
            .collect::<Vec<_>>()
    );
    // Zip with a shorter and a longer partner.
    let half = &v[..v.len() / 2];
    assert_eq!(
        v.par_iter()
            .zip(half)
            .map(|(a, b)| a.wrapping_sub(*b))
            .collect::<Vec<_>>(),
        v.iter()
            .zip(half)
            .map(|(a, b)| a.wrapping_sub(*b))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        half.par_iter()
            .zip(v.par_iter().enumerate())
            .collect::<Vec<_>>(),
        half.iter().zip(v.iter().enumerate()).collect::<Vec<_>>()
    );
}

fn sources(v: &[i32]) {
    let n = v.len();
    for size in [1, 7, 1000] {
        assert_eq!(
            v.par_chunks(size).map(|c| c.to_vec()).collect::<Vec<_>>(),
            v.chunks(size).map(|c| c.to_vec()).collect::<Vec<_>>()
        );
        let (mut par, mut seq) = (v.to_vec(), v.to_vec());
        par.par_chunks_mut(size)
            .enumerate()
            .for_each(|(i, c)| c.fill(i as i32));
        seq.chunks_mut(size)
            .enumerate()
            .for_each(|(i, c)| c.fill(i as i32));
        assert_eq!(par, seq);
    }
    let mut par = v.to_vec();
    par.par_iter_mut().for_each(|x| *x = x.wrapping_mul(7));
    assert_eq!(par, v.iter().map(|x| x.wrapping_mul(7)).collect::<Vec<_>>());
    let strings: Vec<String> = v.iter().map(i32::to_string).collect();
    assert_eq!(
        strings
            .clone()
            .into_par_iter()
            .filter(|s| s.len() > 2)
            .collect::<Vec<_>>(),
        strings
            .into_iter()
            .filter(|s| s.len() > 2)
            .collect::<Vec<_>>()
    );
    // Ranges of every required integer type, offset so some are negative.
    let start = v.first().copied().unwrap_or(0);
    let (lo, hi) = (i64::from(start), i64::from(start) + n as i64);
    assert_eq!((lo..hi).into_par_iter().sum::<i64>(), (lo..hi).sum::<i64>());
    let (lo32, hi32) = (start, start.saturating_add(n as i32));
    assert_eq!(
        (lo32..hi32).into_par_iter().collect::<Vec<_>>(),
        (lo32..hi32).collect::<Vec<_>>()
    );
    let un = n as u64;
    assert_eq!((3..un).into_par_iter().max(), (3..un).max());
    assert_eq!((0..n as u32).into_par_iter().min(), (0..n as u32).min());
    assert_eq!(
        (0..n)
            .into_par_iter()
            .filter(|i| i % 5 == 1)
            .collect::<Vec<_>>(),
        (0..n).filter(|i| i % 5 == 1).collect::<Vec<_>>()
    );
    let mut sorted = v.to_vec();
    sorted.par_sort_unstable();
    let mut expected = v.to_vec();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
}

fn input() -> impl Strategy<Value = Vec<i32>> {
    // Mostly small values (sums and ties); sometimes any value (extremes, big sorts).
    prop_oneof![
        3 => prop::collection::vec(-1000..1000_i32, 0..10_000),
        1 => prop::collection::vec(any::<i32>(), 0..10_000),
    ]
}

proptest! {
    // Case counts keep the file well under a minute in debug builds.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn consumers_equal_the_sequential_ones(v in input(), workers in 1..=4_usize) {
        both_ways(workers, v, consumers);
    }

    #[test]
    fn adaptors_equal_the_sequential_ones(v in input(), workers in 1..=4_usize) {
        both_ways(workers, v, adaptors);
    }

    #[test]
    fn sources_and_sort_equal_the_sequential_ones(v in input(), workers in 1..=4_usize) {
        both_ways(workers, v, sources);
    }
}
