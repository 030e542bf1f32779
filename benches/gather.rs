//! Criterion benches of gathering n trivial tasks: filch's `gather` against tokio (spawned
//! handles awaited in order, and `JoinSet`) and `futures::future::join_all`.
//!
//! Each group is one size (100k, 1M tasks); each function builds its runtime once, with the
//! same number of workers on both sides (every core), and reuses it across iterations. The
//! in-place forms (`filch::join_all`, `futures::join_all`) poll trivial futures without
//! spawning, as a floor for the per-child bookkeeping. Run briefly with:
//! `cargo bench -p filch-criterion-benches --bench gather -- --warm-up-time 1 --measurement-time 2`.

use criterion::{black_box, criterion_main, BenchmarkId, Criterion};
use std::convert::Infallible;

/// Task counts: the 100k and 1M.
const SIZES: [usize; 2] = [100_000, 1_000_000];

fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers())
        .build()
        .expect("a tokio runtime")
}

fn filch_rt() -> filch::Runtime {
    filch::Runtime::builder()
        .worker_threads(workers())
        .build()
        .expect("a filch runtime")
}

fn gather(c: &mut Criterion) {
    for n in SIZES {
        let mut group = c.benchmark_group(format!("gather_{}k", n / 1000));
        group.sample_size(10);

        let rt = filch_rt();
        group.bench_function(BenchmarkId::new("filch_gather", n), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let tasks = (0..n).map(|i| async move { i });
                    black_box(filch::gather(tasks).await.unwrap().len())
                })
            })
        });
        group.bench_function(BenchmarkId::new("filch_handles_in_order", n), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let handles: Vec<_> = (0..n).map(|i| filch::spawn(async move { i })).collect();
                    let mut sum = 0;
                    for h in handles {
                        sum += h.await.unwrap();
                    }
                    black_box(sum)
                })
            })
        });
        group.bench_function(BenchmarkId::new("filch_join_all_in_place", n), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let futs = (0..n).map(|i| async move { Ok::<_, Infallible>(i) });
                    black_box(filch::join_all(futs).await.unwrap().len())
                })
            })
        });
        drop(rt);

        let rt = tokio_rt();
        group.bench_function(BenchmarkId::new("tokio_handles_in_order", n), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
                    let mut sum = 0;
                    for h in handles {
                        sum += h.await.unwrap();
                    }
                    black_box(sum)
                })
            })
        });
        group.bench_function(BenchmarkId::new("tokio_joinset", n), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let mut set = tokio::task::JoinSet::new();
                    (0..n).for_each(|i| {
                        set.spawn(async move { i });
                    });
                    let mut count = 0;
                    while let Some(r) = set.join_next().await {
                        r.unwrap();
                        count += 1;
                    }
                    black_box(count)
                })
            })
        });
        group.bench_function(BenchmarkId::new("futures_join_all_in_place", n), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let futs = (0..n).map(|i| async move { i });
                    black_box(futures::future::join_all(futs).await.len())
                })
            })
        });
        group.finish();
    }
}

/// criterion's entry points (the macros make undocumented `pub fn`s: kept in a module).
mod entry {
    criterion::criterion_group!(benches, super::gather);
}
criterion_main!(entry::benches);
