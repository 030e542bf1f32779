//! `timers_100k`: 100,000 tasks each sleeping 1 to 5 ms.

use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::time::Duration;

/// Sleeping tasks per iteration.
pub const FULL_TASKS: usize = 100_000;

/// A task spawns `tasks` tasks; task `i` sleeps 1 + (i mod 5) ms, so the deadlines spread
/// over five timer ticks; then it awaits every handle. The floor is the longest sleep
/// (5 ms): the rest is the cost of registering, firing and waking 100k timers.
#[derive(Debug, Clone)]
pub struct Timers {
    /// Sleeping tasks per iteration.
    pub tasks: usize,
}

impl Workload for Timers {
    fn name(&self) -> &'static str {
        "timers_100k"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let tasks = self.tasks;
        let stopwatch = Stopwatch::start();
        let woken = rt.block_on(rt.spawn_remote(async move {
            let handles: Vec<_> = (0..tasks)
                .map(|i| R::spawn(R::sleep(Duration::from_millis(1 + (i % 5) as u64))))
                .collect();
            let mut woken = 0;
            for handle in handles {
                handle.await;
                woken += 1;
            }
            woken
        }));
        let sample = stopwatch.stop();
        assert_eq!(woken, tasks, "not every sleeping task finished");
        sample
    }
}
