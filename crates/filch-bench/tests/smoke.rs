//! Every workload runs once at a tiny size on both runtimes and checks its own result
//! (each workload asserts its counts, order and sums after its timed region). Speed is
//! not asserted: only that the run completed and produced sane figures.

use filch_bench::alloc_counter::CountingAlloc;
use filch_bench::runner::Plan;
use filch_bench::workloads::{self, Scale, Unit};
use std::collections::HashSet;

// bytes_per_task refuses to run without the counting allocator.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const WORKERS: usize = 2;

#[test]
fn every_workload_runs_on_both_runtimes_at_tiny_size() {
    let plan = Plan {
        workers: WORKERS,
        warm_up_rounds: 1,
        rounds: 2,
    };
    for workload in workloads::all(Scale::Tiny, WORKERS) {
        let c = workload.compare(&plan);
        assert_eq!(c.name, workload.name());
        for (runtime, outcome) in [("filch", c.filch), ("tokio", c.tokio)] {
            let s = outcome.summary;
            assert!(
                s.min <= s.median && s.median <= s.max,
                "{} on {runtime}: {s:?}",
                c.name
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
            c.name == "fork_join_fib",
            "{}",
            c.name
        );
        assert!(
            c.speedup().is_finite(),
            "{}: speedup {}",
            c.name,
            c.speedup()
        );
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
    assert_eq!(full.len(), 16);
}
