//! [`RuntimeMetrics`]: a snapshot of what the runtime is doing.

use crate::scheduler::Shared;
use crate::sync::{AtomicU64, Ordering::Relaxed};
use crossbeam_utils::CachePadded;

/// A counter written by one thread (its worker) and read by any: an increment is a plain
/// load and store (no read-modify-write on the hot path), which is exact because there is a
/// single writer. Relaxed: readers want a recent value, not an ordering.
#[derive(Debug, Default)]
pub(crate) struct OwnedCounter(AtomicU64);

impl OwnedCounter {
    /// Adds `n`. Only the owning worker calls this.
    pub(crate) fn add(&self, n: u64) {
        self.0.store(self.0.load(Relaxed) + n, Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// The counters of one worker, on their own cache line(s).
#[derive(Debug, Default)]
pub(crate) struct WorkerCounters(CachePadded<Counters>);

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) polls: OwnedCounter,
    pub(crate) steals: OwnedCounter,
    pub(crate) steal_operations: OwnedCounter,
    pub(crate) parks: OwnedCounter,
}

impl std::ops::Deref for WorkerCounters {
    type Target = Counters;
    fn deref(&self) -> &Counters {
        &self.0
    }
}

/// A snapshot of a runtime's counters, from [`Runtime::metrics`](crate::Runtime::metrics).
///
/// The values are read one by one while the runtime runs, so they are each recent but not
/// mutually consistent.
///
/// # Example
/// ```
/// let rt = filch::Builder::new().worker_threads(2).build().unwrap();
/// rt.block_on(rt.spawn(async {})).unwrap();
/// let m = rt.metrics();
/// assert_eq!(m.workers, 2);
/// assert_eq!(m.spawned_tasks, 1);
/// assert_eq!(m.worker.len(), 2);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RuntimeMetrics {
    /// Worker threads.
    pub workers: usize,
    /// Tasks spawned and not yet finished (async and blocking).
    pub alive_tasks: usize,
    /// Tasks ever spawned (async and blocking; spawns refused after shutdown not counted).
    pub spawned_tasks: u64,
    /// Tasks waiting in the global injector queue.
    pub injector_depth: usize,
    /// Workers looking for work right now.
    pub searching_workers: usize,
    /// Workers asleep right now.
    pub sleeping_workers: usize,
    /// Blocking-pool threads alive (busy or idle).
    pub blocking_threads: usize,
    /// Blocking tasks waiting for a thread.
    pub blocking_queue_depth: usize,
    /// One entry per worker, in worker order.
    pub worker: Vec<WorkerMetrics>,
}

/// One worker's counters, in [`RuntimeMetrics::worker`].
///
/// ```
/// let rt = filch::Builder::new().worker_threads(1).build().unwrap();
/// let w = &rt.metrics().worker[0];
/// assert_eq!(w.steals, 0);
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct WorkerMetrics {
    /// Task polls (including cancellations run by this worker).
    pub polls: u64,
    /// Tasks taken from other workers' queues.
    pub steals: u64,
    /// Successful steal operations (each takes a batch of tasks).
    pub steal_operations: u64,
    /// Times the worker parked.
    pub parks: u64,
    /// Tasks in the worker's local queue now.
    pub local_queue_depth: usize,
}

impl RuntimeMetrics {
    pub(crate) fn collect(shared: &Shared) -> Self {
        let (blocking_threads, blocking_queue_depth) = shared.blocking.load();
        Self {
            workers: shared.num_workers(),
            alive_tasks: shared.registry.len(),
            spawned_tasks: shared.registry.inserted(),
            injector_depth: shared.injector.len(),
            searching_workers: shared.idle.num_searching(),
            sleeping_workers: shared.idle.num_sleeping(),
            blocking_threads,
            blocking_queue_depth,
            worker: shared
                .remotes
                .iter()
                .map(|r| WorkerMetrics {
                    polls: r.counters.polls.get(),
                    steals: r.counters.steals.get(),
                    steal_operations: r.counters.steal_operations.get(),
                    parks: r.counters.parks.get(),
                    local_queue_depth: r.stealer.len(),
                })
                .collect(),
        }
    }
}
