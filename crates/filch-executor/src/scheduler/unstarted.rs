//! A runtime's shared state and workers built as `Builder::build` builds them, but with no
//! thread started: the loom models run the workers' loops on loom threads, and unit tests
//! call one worker's steps directly.

use super::worker::Worker;
use super::{new_driver, new_queues, Config, Shared};
use crate::blocking::{BlockingConfig, BlockingPool};
use crate::sync::{thread, StdArc};
use std::time::Duration;

/// `workers` workers with `config` and their shared state; nothing runs until the caller
/// runs a worker.
pub(crate) fn runtime(workers: usize, config: Config) -> (StdArc<Shared>, Vec<Worker>) {
    // Never used: no model or test built on this spawns blocking work.
    let blocking = BlockingPool::new(BlockingConfig {
        max_threads: 1,
        keep_alive: Duration::from_secs(1),
        thread: StdArc::new(thread::Builder::new),
        on_start: None,
        on_stop: None,
    });
    let (queues, stealers) = new_queues(workers);
    let shared = StdArc::new_cyclic(|shared| {
        Shared::new(config, stealers, blocking, new_driver(shared.clone()))
    });
    let workers = queues
        .into_iter()
        .enumerate()
        .map(|(index, queues)| Worker::new(shared.clone(), index, queues))
        .collect();
    (shared, workers)
}
