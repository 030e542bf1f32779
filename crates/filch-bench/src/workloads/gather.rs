//! `gather_100k`: one task gathers 100,000 trivial spawned tasks.

use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::hint::black_box;

/// Tasks gathered per iteration.
pub const FULL_TASKS: usize = 100_000;

/// A task gathers `tasks` trivial futures, each returning its index: `filch::gather` for
/// filch; for tokio, the idiomatic equivalent of spawning all and awaiting the handles in
/// order (see [`Rt::gather`]). The outputs must come back in input order.
#[derive(Debug, Clone)]
pub struct Gather {
    /// Tasks gathered per iteration.
    pub tasks: usize,
}

impl Workload for Gather {
    fn name(&self) -> &'static str {
        "gather_100k"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let tasks = self.tasks;
        let stopwatch = Stopwatch::start();
        let outputs = rt.block_on(rt.spawn_remote(async move {
            R::gather((0..tasks).map(|i| async move { black_box(i) })).await
        }));
        let sample = stopwatch.stop();
        assert!(
            outputs.iter().copied().eq(0..tasks),
            "gather returned {} outputs, or out of input order",
            outputs.len()
        );
        sample
    }
}
