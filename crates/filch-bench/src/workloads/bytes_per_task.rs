//! `bytes_per_task`: what one trivial spawn allocates.

use super::{Sample, Unit, Workload};
use crate::alloc_counter::{self, AllocCount};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;

/// Spawns measured per iteration.
pub const FULL_TASKS: usize = 1_000;

/// A task spawns `async {}` and awaits it, `tasks` times, counting the allocations the
/// spawn call itself makes on its thread (with [`alloc_counter::CountingAlloc`]). One task
/// at a time keeps queue growth out of the figure: it is the steady-state cost of a task.
/// The sample is bytes per task, with allocations per task alongside.
#[derive(Debug, Clone)]
pub struct BytesPerTask {
    /// Spawns measured per iteration.
    pub tasks: usize,
}

impl Workload for BytesPerTask {
    fn name(&self) -> &'static str {
        "bytes_per_task"
    }

    fn unit(&self) -> Unit {
        Unit::BytesPerTask
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        assert!(
            alloc_counter::is_installed(),
            "bytes_per_task needs filch_bench::alloc_counter::CountingAlloc installed as the \
             #[global_allocator] of the binary that runs it"
        );
        let tasks = self.tasks;
        let stopwatch = Stopwatch::start();
        let spent = rt.block_on(rt.spawn_remote(async move {
            let mut spent = AllocCount::default();
            for _ in 0..tasks {
                // Read on the thread that spawns: the task may move between `.await`s.
                let before = AllocCount::now();
                let handle = R::spawn(async {});
                let after = AllocCount::now();
                handle.await;
                let one = after.since(before);
                spent.allocations += one.allocations;
                spent.bytes += one.bytes;
            }
            spent
        }));
        Sample {
            value: spent.bytes as f64 / tasks as f64,
            allocations: Some(spent.allocations as f64 / tasks as f64),
            ..stopwatch.stop_per_op(tasks)
        }
    }
}
