//! `yield_many`: many tasks yielding back to the scheduler in a loop (tokio's shape).

use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::sync::mpsc;

/// tokio's `TASKS` in `benches/rt_multi_threaded.rs`.
pub const TOKIO_TASKS: usize = 200;
/// tokio's `NUM_YIELD` in `benches/rt_multi_threaded.rs`.
pub const TOKIO_NUM_YIELD: usize = 1_000;

/// The bench thread spawns `tasks` tasks, each yields `yields` times and then signals on a
/// channel; the bench thread receives every signal. tokio: 200,000 yields per iteration.
#[derive(Debug, Clone)]
pub struct YieldMany {
    /// Tasks spawned per iteration.
    pub tasks: usize,
    /// Yields per task.
    pub yields: usize,
}

impl Workload for YieldMany {
    fn name(&self) -> &'static str {
        "yield_many"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let (tx, rx) = mpsc::sync_channel(self.tasks);
        let stopwatch = Stopwatch::start();
        for _ in 0..self.tasks {
            let tx = tx.clone();
            let yields = self.yields;
            drop(rt.spawn_remote(async move {
                for _ in 0..yields {
                    R::yield_now().await;
                }
                tx.send(()).expect("the bench thread waits for every task");
            }));
        }
        for _ in 0..self.tasks {
            rx.recv().expect("a yielding task panicked");
        }
        stopwatch.stop()
    }
}
