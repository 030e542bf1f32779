//! `wake_latency`: the round trip from a plain thread into the runtime and back.

use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::hint::black_box;

/// Round trips per iteration (the sample is the time per round trip).
pub const FULL_OPS: usize = 200;

/// The bench thread spawns one trivial task and blocks on its handle, `ops` times in a row.
/// Each round trip wakes an idle worker, runs the task, and wakes the blocked thread: the
/// latency a synchronous caller of an async service sees.
#[derive(Debug, Clone)]
pub struct WakeLatency {
    /// Round trips per iteration.
    pub ops: usize,
}

impl Workload for WakeLatency {
    fn name(&self) -> &'static str {
        "wake_latency"
    }

    fn unit(&self) -> super::Unit {
        super::Unit::NanosPerOp
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let stopwatch = Stopwatch::start();
        let mut total = 0;
        for i in 0..self.ops {
            total += rt.block_on(rt.spawn_remote(async move { black_box(i) }));
        }
        let sample = stopwatch.stop_per_op(self.ops);
        assert_eq!(
            total,
            (0..self.ops).sum::<usize>(),
            "a round trip returned the wrong value"
        );
        sample
    }
}
