//! `spawn_many_*`: 10,000 trivial tasks spawned at once, in tokio's three shapes.

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

/// `spawn_many_local`: one task spawns `tasks` tasks; each decrements a shared counter and
/// the one that reaches zero signals the bench thread through a channel (tokio's shape).
///
/// tokio's bench spawns from inside `block_on`, which on its multi-threaded runtime is a
/// remote spawn; here the spawns come from a task on a worker, so this measures the local
/// path the name promises, and the `remote` variants measure the other.
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
        let tasks = self.tasks;
        let (countdown, finished) = Countdown::new(tasks);
        let stopwatch = Stopwatch::start();
        drop(rt.spawn_remote(async move {
            for _ in 0..tasks {
                let countdown = countdown.clone();
                drop(R::spawn(async move { countdown.count_down() }));
            }
        }));
        finished.wait();
        stopwatch.stop()
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
