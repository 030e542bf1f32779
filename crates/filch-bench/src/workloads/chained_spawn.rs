//! `chained_spawn`: a chain of tasks, each spawning the next (tokio's shape).

use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::sync::mpsc;

/// tokio's `ITER` in `benches/rt_multi_threaded.rs`.
pub const TOKIO_ITER: usize = 1_000;

/// A task spawns a task that spawns a task ... `depth` times; the last signals the bench
/// thread. Every spawn comes from a worker and the chain is strictly sequential, so this is
/// the latency of spawn + schedule + first poll.
#[derive(Debug, Clone)]
pub struct ChainedSpawn {
    /// Length of the chain.
    pub depth: usize,
}

impl Workload for ChainedSpawn {
    fn name(&self) -> &'static str {
        "chained_spawn"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let (done_tx, done_rx) = mpsc::sync_channel(1);
        let depth = self.depth;
        let stopwatch = Stopwatch::start();
        drop(rt.spawn_remote(async move { link::<R>(done_tx, depth) }));
        // Only the end of the chain sends, so the signal proves all `depth` links ran.
        done_rx.recv().expect("a task of the chain panicked");
        stopwatch.stop()
    }
}

/// One link: spawns the rest of the chain, or signals at its end.
fn link<R: Rt>(done_tx: mpsc::SyncSender<()>, remaining: usize) {
    if remaining == 0 {
        done_tx
            .send(())
            .expect("the bench thread waits for the chain's end");
    } else {
        drop(R::spawn(async move { link::<R>(done_tx, remaining - 1) }));
    }
}
