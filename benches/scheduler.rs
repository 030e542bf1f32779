//! Criterion benches of the scheduler workloads, filch and tokio side by side, for profiling
//! one workload in detail (the comparison table comes from `cargo run --release -p filch-bench`).
//!
//! Each workload is a group with a `filch` and a `tokio` function (and `rayon::join` for
//! `fork_join_fib`); the runtimes are built once per function, on first use, and reused
//! across iterations. Run one workload briefly with, for example:
//! `cargo bench -p filch-criterion-benches --bench scheduler -- ping_pong --warm-up-time 1 --measurement-time 2`.
//! `bytes_per_task` measures bytes, not time, so it is left to the runner.

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use filch_bench::alloc_counter::CountingAlloc;
use filch_bench::rt::{FilchRt, Rt, TokioRt};
use filch_bench::workloads::{self, Scale, Unit, Visitor, Workload};
use std::time::Duration;

// The workloads' code is shared with the runner, which counts allocations; install the same
// allocator so both measure the same thing.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Registers every workload's group with criterion.
struct Groups<'c> {
    criterion: &'c mut Criterion,
    workers: usize,
}

impl Visitor for Groups<'_> {
    fn visit<W: Workload + 'static>(&mut self, workload: W) {
        if workload.unit() == Unit::BytesPerTask {
            return;
        }
        let workers = workload.workers(self.workers);
        let mut group = self.criterion.benchmark_group(workload.name());
        bench_on::<W, FilchRt>(&mut group, &workload, workers);
        bench_on::<W, TokioRt>(&mut group, &workload, workers);
        if let Some(mut reference) = workload.reference(workers) {
            group.bench_function(reference.name, |b| {
                b.iter_custom(|iters| (0..iters).map(|_| nanos((reference.run)())).sum())
            });
        }
        group.finish();
    }
}

/// Benches `workload` on runtime `R`, building the runtime only if criterion's filter
/// selects this function.
fn bench_on<W: Workload, R: Rt>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    workload: &W,
    workers: usize,
) {
    let mut runtime: Option<R> = None;
    group.bench_function(R::NAME, |b| {
        let rt = runtime.get_or_insert_with(|| R::build(workers));
        // A workload times itself (some time only part of an iteration, as tokio's
        // remote_spawn does), so criterion gets the sum of the workloads' own figures.
        b.iter_custom(|iters| (0..iters).map(|_| nanos(workload.run(rt).value)).sum())
    });
}

fn nanos(value: f64) -> Duration {
    Duration::from_nanos(value.round() as u64)
}

fn scheduler(criterion: &mut Criterion) {
    let workers = num_cpus::get();
    workloads::visit_all(Scale::Full, workers, &mut Groups { criterion, workers });
}

/// criterion's entry points (the macros make undocumented `pub fn`s: kept in a module).
mod entry {
    use super::*;

    criterion_group! {
        name = benches;
        // An iteration takes up to ~100 ms (fork_join_fib, timers_100k): ten samples over
        // a few seconds keep one workload's run short on a 2-core machine.
        config = Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        targets = scheduler
    }
}
criterion_main!(entry::benches);
