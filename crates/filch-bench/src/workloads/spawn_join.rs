//! `spawn_join_1w`: one trivial spawn + run + join at a time, on a runtime of one worker.

use super::{Sample, Unit, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::hint::black_box;

/// Spawn + join round trips per iteration at full scale (the sample is the time per one).
pub const FULL_SPAWNS: usize = 10_000;

/// A task on the runtime's only worker spawns a trivial task (it returns its index) and
/// awaits its handle, `spawns` times in a row; the bench thread waits for that task in
/// `block_on`. Each round trip is one task's whole life on one worker, with no stealing
/// and no cross-thread wake: allocate, schedule, poll, complete, wake the awaiter, join,
/// free. This is issue 13's "one trivial spawn + run + join on one worker" figure, and
/// `spawn-cost` runs exactly this code under callgrind for its instruction count.
///
/// It always runs on one worker, whatever `--workers` says (see [`Workload::workers`]):
/// with more, an idle worker may steal the spawned task and the figure would be a steal
/// and a cross-thread wake instead.
///
/// ```
/// use filch_bench::rt::{FilchRt, Rt};
/// use filch_bench::workloads::{SpawnJoin1w, Unit, Workload};
///
/// let workload = SpawnJoin1w { spawns: 100 };
/// assert_eq!((workload.workers(4), workload.unit()), (1, Unit::NanosPerOp));
/// let sample = workload.run(&FilchRt::build(workload.workers(4)));
/// assert!(sample.value > 0.0);
/// ```
#[derive(Debug, Clone)]
pub struct SpawnJoin1w {
    /// Spawn + join round trips per iteration.
    pub spawns: usize,
}

impl Workload for SpawnJoin1w {
    fn name(&self) -> &'static str {
        "spawn_join_1w"
    }

    fn unit(&self) -> Unit {
        Unit::NanosPerOp
    }

    fn workers(&self, _planned: usize) -> usize {
        1
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let spawns = self.spawns;
        let stopwatch = Stopwatch::start();
        // The driving task is spawned from outside and the bench thread blocks on it: a
        // remote spawn and a wake paid once per iteration, against `spawns` round trips.
        let total = rt.block_on(rt.spawn_remote(async move {
            let mut total = 0;
            for i in 0..spawns {
                total += R::spawn(async move { black_box(i) }).await;
            }
            total
        }));
        let sample = stopwatch.stop_per_op(spawns);
        assert_eq!(
            total,
            (0..spawns).sum::<usize>(),
            "a spawned task's output was lost or wrong"
        );
        sample
    }
}
