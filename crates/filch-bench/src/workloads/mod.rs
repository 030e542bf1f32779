//! The workloads: each written once, generic over [`Rt`], and run on both runtimes.
//!
//! Constants marked "tokio's" are those of tokio's own benches (`benches/rt_multi_threaded.rs`,
//! `remote_spawn.rs`, `spawn_blocking.rs`), so the tokio column can be checked against the
//! numbers tokio publishes for itself. Every workload checks its own result (all tasks ran,
//! outputs in order, the right sum) after its timed region and panics if it is wrong.

mod bytes_per_task;
mod chained_spawn;
mod fork_join_fib;
mod gather;
mod ping_pong;
mod promise_roundtrip;
mod remote_spawn;
mod spawn_blocking;
mod spawn_many;
mod timers;
mod wake_latency;
mod yield_many;

pub use bytes_per_task::BytesPerTask;
pub use chained_spawn::ChainedSpawn;
pub use fork_join_fib::ForkJoinFib;
pub use gather::Gather;
pub use ping_pong::PingPong;
pub use promise_roundtrip::PromiseRoundtrip;
pub use remote_spawn::RemoteSpawn;
pub use spawn_blocking::SpawnBlocking;
pub use spawn_many::{SpawnManyLocal, SpawnManyRemoteBusy, SpawnManyRemoteIdle};
pub use timers::Timers;
pub use wake_latency::WakeLatency;
pub use yield_many::YieldMany;

use crate::rt::Rt;
use crate::runner::Measure;
use std::time::{Duration, Instant};

/// What one sample of a workload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds for one whole iteration of the workload.
    NanosPerIteration,
    /// Nanoseconds per operation (the iteration's time divided by its operation count).
    NanosPerOp,
    /// Bytes allocated per spawned task (with allocations per task alongside).
    BytesPerTask,
}

/// One measurement of one workload on one runtime.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Nanoseconds or bytes, as the workload's [`Unit`] says.
    pub value: f64,
    /// Allocations per task, for [`Unit::BytesPerTask`] only.
    pub allocations: Option<f64>,
}

impl Sample {
    /// The time since `start`, in nanoseconds.
    pub fn since(start: Instant) -> Sample {
        Sample::per_op(start.elapsed(), 1)
    }

    /// `elapsed` divided by `ops`, in nanoseconds.
    pub fn per_op(elapsed: Duration, ops: usize) -> Sample {
        Sample {
            value: elapsed.as_nanos() as f64 / ops as f64,
            allocations: None,
        }
    }
}

/// A benchmark shape, written once for every runtime.
pub trait Workload: Sync {
    /// The name used by `--only`, the table and the CSV.
    fn name(&self) -> &'static str;

    /// What a sample measures.
    fn unit(&self) -> Unit {
        Unit::NanosPerIteration
    }

    /// Runs one iteration on `rt` and measures it; panics if the result is wrong.
    fn run<R: Rt>(&self, rt: &R) -> Sample;

    /// A third, non-async implementation to show beside the two runtimes, if any
    /// (`fork_join_fib` has `rayon::join`). It is built once and run once per round.
    fn reference(&self, _workers: usize) -> Option<Reference> {
        None
    }
}

/// A reference implementation measured beside a workload (see [`Workload::reference`]).
pub struct Reference {
    /// What it is, e.g. `rayon::join`.
    pub name: &'static str,
    /// Runs one iteration and returns its nanoseconds.
    pub run: Box<dyn FnMut() -> f64>,
}

impl std::fmt::Debug for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reference")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// How big each workload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// The real sizes (tokio's constants where tokio has the bench).
    Full,
    /// Tiny sizes that run in milliseconds, for the smoke test.
    Tiny,
}

impl Scale {
    /// `full` at full scale, `tiny` at tiny scale.
    fn pick<T>(self, full: T, tiny: T) -> T {
        match self {
            Scale::Full => full,
            Scale::Tiny => tiny,
        }
    }
}

/// Something that takes each workload in turn with its concrete type, so it can run it
/// monomorphised (the criterion bench does; [`all`] boxes them for the runner).
pub trait Visitor {
    /// Called once per workload, in report order.
    fn visit<W: Workload + 'static>(&mut self, workload: W);
}

/// Hands every workload, in report order, sized by `scale` for runtimes of `workers`
/// threads, to `visitor`. This is the one list of workloads.
pub fn visit_all(scale: Scale, workers: usize, visitor: &mut impl Visitor) {
    let pick = |full, tiny| scale.pick(full, tiny);
    let spawns = pick(spawn_many::TOKIO_NUM_SPAWN, 64);
    let remote_spawns = pick(remote_spawn::TOKIO_TOTAL_TASKS, 64);
    visitor.visit(SpawnManyLocal { tasks: spawns });
    visitor.visit(SpawnManyRemoteIdle { tasks: spawns });
    visitor.visit(SpawnManyRemoteBusy {
        tasks: spawns,
        background: 2 * workers,
    });
    visitor.visit(PingPong {
        pings: pick(ping_pong::TOKIO_NUM_PINGS, 16),
    });
    visitor.visit(YieldMany {
        tasks: pick(yield_many::TOKIO_TASKS, 4),
        yields: pick(yield_many::TOKIO_NUM_YIELD, 10),
    });
    visitor.visit(ChainedSpawn {
        depth: pick(chained_spawn::TOKIO_ITER, 16),
    });
    visitor.visit(ForkJoinFib {
        n: scale.pick(fork_join_fib::FULL_N, 8),
    });
    visitor.visit(Gather {
        tasks: pick(gather::FULL_TASKS, 100),
    });
    visitor.visit(RemoteSpawn::<1> {
        tasks: remote_spawns,
    });
    visitor.visit(RemoteSpawn::<2> {
        tasks: remote_spawns,
    });
    visitor.visit(RemoteSpawn::<4> {
        tasks: remote_spawns,
    });
    visitor.visit(SpawnBlocking {
        tasks: workers,
        batches: pick(spawn_blocking::TOKIO_NUM_BATCHES, 2),
        batch_size: spawn_blocking::TOKIO_BATCH_SIZE,
    });
    visitor.visit(Timers {
        tasks: pick(timers::FULL_TASKS, 20),
    });
    visitor.visit(PromiseRoundtrip {
        ops: pick(promise_roundtrip::FULL_OPS, 8),
    });
    visitor.visit(WakeLatency {
        ops: pick(wake_latency::FULL_OPS, 4),
    });
    visitor.visit(BytesPerTask {
        tasks: pick(bytes_per_task::FULL_TASKS, 8),
    });
}

/// Every workload, in report order, boxed for the runner (see [`visit_all`]).
pub fn all(scale: Scale, workers: usize) -> Vec<Box<dyn Measure>> {
    struct Collect(Vec<Box<dyn Measure>>);
    impl Visitor for Collect {
        fn visit<W: Workload + 'static>(&mut self, workload: W) {
            self.0.push(Box::new(workload));
        }
    }
    let mut collect = Collect(Vec::new());
    visit_all(scale, workers, &mut collect);
    collect.0
}
