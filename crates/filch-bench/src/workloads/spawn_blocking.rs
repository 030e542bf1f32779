//! `spawn_blocking`: batches of trivial closures on the blocking pool (tokio's shape).

use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::hint::black_box;

/// tokio's `NUM_BATCHES` in `benches/spawn_blocking.rs`.
pub const TOKIO_NUM_BATCHES: usize = 100;
/// tokio's `BATCH_SIZE` in `benches/spawn_blocking.rs`.
pub const TOKIO_BATCH_SIZE: usize = 16;

/// `tasks` async tasks (tokio's N; here the worker count) each run `batches` batches of
/// `batch_size` `spawn_blocking(|| black_box(0))` calls and await each batch before the
/// next. tokio collects a batch in a `JoinSet`; every runtime here awaits the handles in
/// order, which needs nothing beyond the API common to all.
#[derive(Debug, Clone)]
pub struct SpawnBlocking {
    /// Concurrent async tasks.
    pub tasks: usize,
    /// Batches per task.
    pub batches: usize,
    /// Blocking closures per batch.
    pub batch_size: usize,
}

impl Workload for SpawnBlocking {
    fn name(&self) -> &'static str {
        "spawn_blocking"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let Self {
            tasks,
            batches,
            batch_size,
        } = *self;
        let stopwatch = Stopwatch::start();
        let ran = rt.block_on(async move {
            let handles: Vec<_> = (0..tasks)
                .map(|_| R::spawn(async move { run_batches::<R>(batches, batch_size).await }))
                .collect();
            let mut ran = 0;
            for handle in handles {
                ran += handle.await;
            }
            ran
        });
        let sample = stopwatch.stop();
        assert_eq!(
            ran,
            tasks * batches * batch_size,
            "not every blocking closure ran"
        );
        sample
    }
}

/// Runs the batches of one task; returns how many closures ran.
async fn run_batches<R: Rt>(batches: usize, batch_size: usize) -> usize {
    let mut batch = Vec::with_capacity(batch_size);
    let mut ran = 0;
    for _ in 0..batches {
        batch.extend((0..batch_size).map(|_| R::spawn_blocking(|| black_box(1usize))));
        for handle in batch.drain(..) {
            ran += handle.await;
        }
    }
    ran
}
