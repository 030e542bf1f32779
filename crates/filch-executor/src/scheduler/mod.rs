//! The multi-threaded work-stealing scheduler: the state its workers share.
//!
//! - `queue.rs`: the per-worker queues and the injector (crossbeam-deque; a model under loom).
//! - `jobs.rs`: the per-worker LIFO deques of fork-join jobs (`crate::join`).
//! - `worker.rs`: one worker's run loop: its queue, LIFO slot, stealing, parking, shutdown.
//! - `lifo.rs`: the LIFO slot, which the LIFO watcher can take a task from too.
//! - `watch.rs`: the LIFO watcher's looks (which slot's task waited a whole period).
//! - `idle.rs`: the idle protocol (searching throttle, sleeping, waking; no lost wake-ups).
//! - `park.rs`: the parker the idle protocol and `block_on` sleep on.
//! - `driver.rs`: the single place where a timer driver plugs into the workers' parking.

mod driver;
pub(crate) mod idle;
mod jobs;
mod lifo;
#[cfg(all(test, loom))]
pub(crate) mod loom_tests;
pub(crate) mod park;
pub(crate) mod queue;
#[cfg(test)]
pub(crate) mod unstarted;
mod watch;
pub(crate) mod worker;

use crate::blocking::BlockingPool;
use crate::runtime::context;
use crate::runtime::metrics::WorkerCounters;
use crate::sync::{fence, AtomicBool, Ordering::*, StdArc as Arc};
use crate::task::{self, Header, JoinHandle, Notified, Registry, Schedule};
pub(crate) use driver::{new_driver, Driver, TIMER_INTERVAL};
use idle::Idle;
use jobs::{JobDeque, JobStealer};
use lifo::LifoSlot;
use queue::{Injector, Local, Stealer};
use std::future::Future;
use std::time::Duration;

/// Scheduling knobs fixed at build time.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    /// A worker takes from the injector first every this many ticks (fairness for remote
    /// work); `None`: self-tuned by each worker (see `worker.rs`).
    pub(crate) global_queue_interval: Option<u32>,
    /// Consecutive polls of LIFO-slot tasks before the slot's task goes to the back of the
    /// queue (tokio: 3), so a ping-pong pair cannot starve the rest of the queue.
    pub(crate) max_lifo_polls: u32,
    /// Search rounds (steal from everyone, then the injector) before falling asleep: at
    /// least this many, and for at least `search_spin`.
    pub(crate) search_rounds: u32,
    /// How long a searcher goes on looking before it falls asleep (see `worker.rs`, step 5).
    pub(crate) search_spin: Duration,
}

/// One worker's own queues: its tasks (FIFO) and its fork-join jobs (LIFO).
pub(crate) struct Queues {
    pub(crate) tasks: Local,
    pub(crate) jobs: JobDeque,
}

/// What other workers may take from one worker's [`Queues`].
pub(crate) struct Stealers {
    tasks: Stealer,
    jobs: JobStealer,
}

/// The queues of `workers` workers, and their stealers (for [`Shared::new`]).
pub(crate) fn new_queues(workers: usize) -> (Vec<Queues>, Vec<Stealers>) {
    (0..workers)
        .map(|_| {
            let (tasks, task_stealer) = Local::new();
            let (jobs, job_stealer) = JobDeque::new();
            (
                Queues { tasks, jobs },
                Stealers {
                    tasks: task_stealer,
                    jobs: job_stealer,
                },
            )
        })
        .unzip()
}

/// What one worker shares with the others.
pub(crate) struct Remote {
    pub(crate) stealer: Stealer,
    /// Its fork-join jobs: idle workers steal them before its tasks.
    pub(crate) jobs: JobStealer,
    /// The worker's LIFO slot: its owner's fast path; the LIFO watcher's rescue of a task
    /// its owner left waiting there.
    pub(crate) lifo: LifoSlot,
    pub(crate) counters: WorkerCounters,
}

/// Everything the workers, handles and tasks of one runtime share.
pub(crate) struct Shared {
    pub(crate) injector: Injector,
    pub(crate) remotes: Box<[Remote]>,
    pub(crate) idle: Idle,
    pub(crate) registry: Registry,
    pub(crate) config: Config,
    pub(crate) blocking: BlockingPool,
    pub(crate) driver: Driver,
    /// Set once by shutdown. Read-mostly; kept away from the written words by `CachePadded`
    /// fields around it.
    shutdown: AtomicBool,
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        stealers: Vec<Stealers>,
        blocking: BlockingPool,
        driver: Driver,
    ) -> Self {
        let workers = stealers.len();
        Self {
            injector: Injector::new(),
            remotes: stealers
                .into_iter()
                .map(|stealers| Remote {
                    stealer: stealers.tasks,
                    jobs: stealers.jobs,
                    lifo: LifoSlot::new(),
                    counters: WorkerCounters::default(),
                })
                .collect(),
            idle: Idle::new(workers),
            // At least one shard per worker (its home), and as many again for outside spawns.
            registry: Registry::new(4 * workers),
            config,
            blocking,
            driver,
            shutdown: AtomicBool::new(false),
        }
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.remotes.len()
    }

    /// Spawns `future`: onto this thread's worker if it belongs to this runtime, otherwise
    /// into the injector.
    pub(crate) fn spawn<F>(self: &Arc<Self>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (notified, handle) = task::spawn(future, self.clone(), &self.registry);
        if let Some(notified) = notified {
            self.schedule_task(notified, false);
        }
        handle
    }

    fn schedule_task(self: &Arc<Self>, task: Notified, is_yield: bool) {
        context::with_worker(|worker| match worker {
            Some(worker) if Arc::ptr_eq(worker.shared(), self) => {
                worker.schedule_local(task, is_yield)
            }
            _ => self.inject(task),
        });
    }

    /// Pushes a task into the injector and makes sure a worker will take it.
    pub(crate) fn inject(&self, task: Notified) {
        self.injector.push(task);
        // Shutdown check after the push, with the same Dekker argument as the idle protocol:
        // either shutdown's final drain sees our task, or we see the flag and drain it.
        fence(SeqCst);
        if self.shutdown.load(SeqCst) {
            self.drain_injector();
            return;
        }
        self.idle.new_injected_task();
    }

    /// Whether any queue visibly holds work: the injector, or any worker's task queue or job
    /// deque (the final look of a worker falling asleep, and of the last searcher that found
    /// work).
    pub(crate) fn work_visible(&self) -> bool {
        !self.injector.is_empty()
            || self
                .remotes
                .iter()
                .any(|r| !r.stealer.is_empty() || !r.jobs.is_empty())
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(Relaxed)
    }

    /// Starts shutdown: refuse new tasks, then wake every worker to cancel the registered ones.
    /// Returns `false` if shutdown had already begun.
    pub(crate) fn begin_shutdown(&self) -> bool {
        if self.shutdown.swap(true, SeqCst) {
            return false;
        }
        fence(SeqCst);
        self.registry.close();
        self.idle.wake_all();
        true
    }

    /// Drops every queued `Notified` (after shutdown, each one's task is complete or being
    /// completed by a worker, so this only releases references).
    pub(crate) fn drain_injector(&self) {
        while let Some(task) = self.injector.pop() {
            drop(task);
        }
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: Notified) {
        self.schedule_task(task, false);
    }

    fn release(&self, task: &Header) -> bool {
        self.registry.remove(task, None)
    }
    fn home_shard(&self) -> Option<usize> {
        None
    }
}

/// The scheduler of the tasks spawned on worker `index` (what their cells hold instead of an
/// `Arc<Shared>`): one per worker, shared by its tasks.
///
/// Each task holds one count of its `Arc`, taken at spawn and given back when the cell is
/// freed, so `Shared` outlives every task that can still be scheduled, exactly as with an
/// `Arc<Shared>` per task (a waker or `JoinHandle` kept after the runtime is dropped keeps
/// this, and through it `Shared`, alive). The difference is where the count lives: tasks
/// spawned on different workers touch different counts, each on its own cache line (the
/// alignment), instead of one count every worker writes on every spawn and free. The
/// `index` also names the worker's own registry shard (`home_shard`).
#[repr(align(128))]
pub(crate) struct WorkerHome {
    shared: Arc<Shared>,
    index: usize,
}

impl WorkerHome {
    pub(crate) fn new(shared: Arc<Shared>, index: usize) -> Self {
        Self { shared, index }
    }
}

impl Schedule for Arc<WorkerHome> {
    fn schedule(&self, task: Notified) {
        self.shared.schedule_task(task, false);
    }

    fn release(&self, task: &Header) -> bool {
        self.shared.registry.remove(task, Some(self.index))
    }

    fn home_shard(&self) -> Option<usize> {
        Some(self.index)
    }
}
