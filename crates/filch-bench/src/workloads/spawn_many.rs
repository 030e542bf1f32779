//! `spawn_many_*`: 10,000 trivial tasks spawned at once, in tokio's four shapes (1,000 for
//! `busy2`, as tokio's), and from a task.

use super::countdown::Countdown;
use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// tokio's `NUM_SPAWN` in `benches/rt_multi_threaded.rs`.
pub const TOKIO_NUM_SPAWN: usize = 10_000;
/// tokio's `STALL_DUR`: how long a background task of the busy shape keeps its worker.
const TOKIO_STALL_DUR: Duration = Duration::from_micros(10);

/// `spawn_many_local`, tokio's exact shape: `block_on` spawns `tasks` detached tasks; each
/// decrements a shared counter and the one that reaches zero signals the bench thread through
/// a channel.
///
/// The spawns come from the thread in `block_on`, which is not a worker: on tokio's
/// multi-threaded runtime (and on smol's) each goes through the shared injection queue.
/// [`SpawnManyFromTask`] issues the same spawns from a task on a worker, the local path.
#[derive(Debug, Clone)]
pub struct SpawnManyLocal {
    /// Tasks spawned per iteration.
    pub tasks: usize,
}

impl Workload for SpawnManyLocal {
    fn name(&self) -> &'static str {
        "spawn_many_local"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let (countdown, finished) = Countdown::new(self.tasks);
        let stopwatch = Stopwatch::start();
        rt.block_on(spawn_counting_down::<R>(self.tasks, countdown));
        finished.wait();
        stopwatch.stop()
    }
}

/// `spawn_many_from_task`: as [`SpawnManyLocal`], but the spawns are issued from a task on a
/// worker, so each goes to that worker's own queue.
#[derive(Debug, Clone)]
pub struct SpawnManyFromTask {
    /// Tasks spawned per iteration.
    pub tasks: usize,
}

impl Workload for SpawnManyFromTask {
    fn name(&self) -> &'static str {
        "spawn_many_from_task"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let (countdown, finished) = Countdown::new(self.tasks);
        let stopwatch = Stopwatch::start();
        drop(rt.spawn_remote(spawn_counting_down::<R>(self.tasks, countdown)));
        finished.wait();
        stopwatch.stop()
    }
}

/// Spawns `tasks` detached tasks from wherever it is polled; each counts `countdown` down.
async fn spawn_counting_down<R: Rt>(tasks: usize, countdown: Countdown) {
    for _ in 0..tasks {
        let countdown = countdown.clone();
        drop(R::spawn(async move { countdown.count_down() }));
    }
}

/// `spawn_many_remote_idle`: the bench thread spawns `tasks` trivial tasks into an idle
/// runtime, then awaits every handle in order in `block_on`.
#[derive(Debug, Clone)]
pub struct SpawnManyRemoteIdle {
    /// Tasks spawned per iteration.
    pub tasks: usize,
}

impl Workload for SpawnManyRemoteIdle {
    fn name(&self) -> &'static str {
        "spawn_many_remote_idle"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let stopwatch = Stopwatch::start();
        spawn_remote_and_join(rt, self.tasks);
        stopwatch.stop()
    }
}

/// `spawn_many_remote_busy` (tokio's `busy1`): as the idle shape, while `background` tasks
/// (tokio: 2 × workers) loop on `yield_now` plus a 10 µs stall, so remote spawns compete
/// with busy workers for attention.
#[derive(Debug, Clone)]
pub struct SpawnManyRemoteBusy {
    /// Tasks spawned per iteration.
    pub tasks: usize,
    /// Busy background tasks kept running during the timed region.
    pub background: usize,
}

impl Workload for SpawnManyRemoteBusy {
    fn name(&self) -> &'static str {
        "spawn_many_remote_busy"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let running = Arc::new(AtomicBool::new(true));
        let started = Arc::new(AtomicUsize::new(0));
        let background: Vec<_> = (0..self.background)
            .map(|_| {
                let running = running.clone();
                let started = started.clone();
                rt.spawn_remote(async move {
                    started.fetch_add(1, Ordering::Release);
                    while running.load(Ordering::Relaxed) {
                        R::yield_now().await;
                        stall();
                    }
                })
            })
            .collect();
        // Time only once every background task occupies the runtime.
        while started.load(Ordering::Acquire) < self.background {
            std::thread::yield_now();
        }

        let stopwatch = Stopwatch::start();
        spawn_remote_and_join(rt, self.tasks);
        let sample = stopwatch.stop();

        running.store(false, Ordering::Relaxed);
        rt.block_on(async {
            for handle in background {
                handle.await;
            }
        });
        sample
    }
}

/// tokio's `NUM_SPAWN` of `spawn_many_remote_busy2`.
pub const TOKIO_BUSY2_NUM_SPAWN: usize = 1_000;

/// `spawn_many_remote_busy2` (tokio's `busy2`): the bench thread spawns `tasks` trivial tasks
/// and awaits them in order, while `chains` chains of tasks run, each task stalling 10 µs and
/// then spawning the next link from its worker: the remote spawns compete with a stream of
/// local spawns rather than with long-running tasks.
#[derive(Debug, Clone)]
pub struct SpawnManyRemoteBusy2 {
    /// Tasks spawned per iteration.
    pub tasks: usize,
    /// Chains running during the timed region (tokio: one per worker).
    pub chains: usize,
}

impl Workload for SpawnManyRemoteBusy2 {
    fn name(&self) -> &'static str {
        "spawn_many_remote_busy2"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let running = Arc::new(AtomicBool::new(true));
        let started = Arc::new(AtomicUsize::new(0));
        let (ended, all_ended) = Countdown::new(self.chains);
        for _ in 0..self.chains {
            let chain = Chain {
                running: Arc::clone(&running),
                ended: ended.clone(),
            };
            let started = Arc::clone(&started);
            drop(rt.spawn_remote(async move {
                started.fetch_add(1, Ordering::Release);
                chain.next_link::<R>();
            }));
        }
        drop(ended);
        // Time only once every chain is running.
        while started.load(Ordering::Acquire) < self.chains {
            std::thread::yield_now();
        }

        let stopwatch = Stopwatch::start();
        spawn_remote_and_join(rt, self.tasks);
        let sample = stopwatch.stop();

        running.store(false, Ordering::Relaxed);
        // Every chain ends at its next link: wait, so none runs into the next runtime's turn.
        all_ended.wait();
        sample
    }
}

/// One chain of `spawn_many_remote_busy2`: its state, moved from link to link.
struct Chain {
    running: Arc<AtomicBool>,
    /// Counted down once, when the chain ends.
    ended: Countdown,
}

impl Chain {
    /// Spawns the next link from the current worker: it stalls and spawns the one after, or,
    /// once the run is over, ends the chain.
    fn next_link<R: Rt>(self) {
        drop(R::spawn(async move {
            if self.running.load(Ordering::Relaxed) {
                stall();
                self.next_link::<R>();
            } else {
                self.ended.count_down();
            }
        }));
    }
}

/// Spawns `tasks` trivial tasks from this (non-runtime) thread and awaits them in order.
fn spawn_remote_and_join<R: Rt>(rt: &R, tasks: usize) {
    let handles: Vec<_> = (0..tasks).map(|_| rt.spawn_remote(async {})).collect();
    rt.block_on(async {
        for handle in handles {
            handle.await;
        }
    });
}

/// Keeps the worker for [`TOKIO_STALL_DUR`] without sleeping, as tokio's `stall()` does.
fn stall() {
    let start = Instant::now();
    while black_box(start.elapsed()) < TOKIO_STALL_DUR {
        std::thread::yield_now();
    }
}
