//! Every workload runs once at a tiny size on every runtime and checks its own result
//! (each workload asserts its counts, order and sums after its timed region). Speed is
//! not asserted: only that the run completed and produced sane figures.

use filch_bench::alloc_counter::CountingAlloc;
use filch_bench::runner::{Comparison, Measure, Plan};
use filch_bench::workloads::{self, Scale, Unit};
use std::collections::HashSet;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

// bytes_per_task refuses to run without the counting allocator.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const WORKERS: usize = 2;

/// The workloads with a rayon reference column: the `rayon::join` forms.
const WITH_REFERENCE: &[&str] = &[
    "fork_join_fib",
    "join_fib_25",
    "join_fib_32_cutoff_1",
    "join_fib_32_cutoff_10",
    "join_fib_32_cutoff_20",
    "par_sum_10m",
    "cpu_fanout",
    "merge_sort_1m",
];

/// The CPU-parallel workloads and the latency under their load (issue 12).
const PARALLEL: &[&str] = &[
    "join_fib_25",
    "join_fib_32_cutoff_1",
    "join_fib_32_cutoff_10",
    "join_fib_32_cutoff_20",
    "par_sum_10m",
    "cpu_fanout",
    "merge_sort_1m",
    "latency_under_load_p50",
    "latency_under_load_p99",
];

/// The shapes of issue 13 that the runner lacked.
const NEW_SHAPES: &[&str] = &[
    "spawn_many_from_task",
    "spawn_many_remote_busy2",
    "join_all_100k",
    "wake_roundtrip_p50",
    "wake_roundtrip_mean",
    "wake_roundtrip_p90",
    "spawn_join_1w",
];

/// A tiny run of one workload should take milliseconds; this much means it hangs.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// Compares `workload` on a thread and fails, instead of hanging, if it takes over
/// [`HANG_LIMIT`]; a panic inside the workload fails the test with its own message.
fn compare_or_fail(workload: Box<dyn Measure>, plan: Plan) -> Comparison {
    // Leaked so the thread may outlive this call if it hangs (a `Measure` is `Sync`).
    let workload: &'static dyn Measure = Box::leak(workload);
    let name = workload.name();
    let (send, receive) = mpsc::channel();
    let runner = thread::spawn(move || {
        // The receiver is gone only after a timeout, which has failed the test already.
        let _ = send.send(workload.compare(&plan));
    });
    match receive.recv_timeout(HANG_LIMIT) {
        Ok(comparison) => comparison,
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(runner.join().expect_err("the runner sent nothing"))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name} hung: not done in {HANG_LIMIT:?}"),
    }
}

#[test]
fn every_workload_runs_on_every_runtime_at_tiny_size() {
    let plan = Plan {
        workers: WORKERS,
        warm_up_rounds: 1,
        rounds: 2,
        // The second tokio column too, so the A/A path runs every workload.
        aa: true,
    };
    for workload in workloads::all(Scale::Tiny, WORKERS) {
        let name = workload.name();
        let c = compare_or_fail(workload, plan);
        assert_eq!(c.name, name);
        let aa = c.tokio_aa.expect("the plan asked for the A/A column");
        for (runtime, outcome) in [
            ("filch", c.filch),
            ("tokio", c.tokio),
            ("smol", c.smol),
            ("tokio (A/A)", aa),
        ] {
            let s = outcome.summary;
            assert!(
                s.min <= s.median && s.median <= s.max,
                "{} on {runtime}: {s:?}",
                c.name
            );
            assert!(
                outcome.cpu.is_finite() && outcome.cpu >= 0.0,
                "{} on {runtime}: CPU time {}",
                c.name,
                outcome.cpu
            );
            assert_eq!(
                outcome.allocations.is_some(),
                c.unit == Unit::BytesPerTask,
                "{} on {runtime}: allocations are reported for bytes_per_task only",
                c.name
            );
            if c.unit == Unit::BytesPerTask {
                // A spawned task must live somewhere: at least one allocation of some bytes.
                let allocations = outcome.allocations.unwrap_or_default();
                assert!(
                    allocations >= 1.0 && s.median > 0.0,
                    "{runtime}: {outcome:?}"
                );
            } else {
                assert!(s.min > 0.0, "{} on {runtime} took no time: {s:?}", c.name);
            }
        }
        assert_eq!(
            c.reference.is_some(),
            WITH_REFERENCE.contains(&c.name),
            "{}",
            c.name
        );
        let aa_ratio = c.aa_ratio().expect("an A/A run has a ratio");
        for speedup in [c.speedup(), c.smol_speedup(), aa_ratio] {
            assert!(speedup.is_finite(), "{}: speedup {speedup}", c.name);
        }
    }
}

#[test]
fn workload_names_are_unique_and_the_same_at_every_scale() {
    let names = |scale| -> Vec<&str> {
        workloads::all(scale, WORKERS)
            .iter()
            .map(|w| w.name())
            .collect()
    };
    let full = names(Scale::Full);
    assert_eq!(full, names(Scale::Tiny));
    assert_eq!(
        full.iter().collect::<HashSet<_>>().len(),
        full.len(),
        "{full:?}"
    );
    assert_eq!(full.len(), 32);
    for name in NEW_SHAPES {
        assert!(full.contains(name), "{name} is not registered");
    }
    for name in PARALLEL {
        assert!(full.contains(name), "{name} is not registered");
    }
}

#[test]
fn every_parallel_workload_finishes_in_bounded_time_with_its_columns() {
    let plan = Plan {
        workers: WORKERS,
        warm_up_rounds: 0,
        rounds: 2,
        aa: false,
    };
    for workload in workloads::all(Scale::Tiny, WORKERS) {
        if !PARALLEL.contains(&workload.name()) {
            continue;
        }
        let c = compare_or_fail(workload, plan);
        assert!(
            [c.filch, c.tokio, c.smol]
                .iter()
                .all(|o| o.summary.min > 0.0),
            "{c:?}"
        );
        if let Some(rayon) = c.reference {
            assert_eq!(rayon.name, "rayon::join", "{}", c.name);
            assert!(rayon.summary.min > 0.0, "{c:?}");
        }
        if c.name.starts_with("latency_under_load") {
            // A tick sleeps 1 ms: no percentile of its period can be shorter.
            for outcome in [c.filch, c.tokio, c.smol] {
                assert!(outcome.summary.min >= 1e6, "{}: {outcome:?}", c.name);
            }
        }
    }
}
