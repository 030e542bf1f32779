//! The workloads: each written once, generic over [`Rt`], and run on every runtime.
//!
//! Constants marked "tokio's" are those of tokio's own benches (`benches/rt_multi_threaded.rs`,
//! `remote_spawn.rs`, `spawn_blocking.rs`), so the tokio column can be checked against the
//! numbers tokio publishes for itself. Every workload checks its own result (all tasks ran,
//! outputs in order, the right sum) after its timed region and panics if it is wrong.
//!
//! The CPU-parallel workloads (`join_fib_*`, `par_sum_10m`, `cpu_fanout`, `merge_sort_1m`)
//! are [`Problem`]s run by [`Parallel`]: there the tokio and smol columns are each paired with
//! rayon and the reference is `rayon::join` alone; `latency_under_load_*` measures an async task
//! beside them.

mod bytes_per_task;
mod chained_spawn;
mod countdown;
mod cpu_fanout;
mod fork_join_fib;
mod gather;
mod join_all;
mod join_fib;
mod latency_under_load;
mod merge_sort;
mod par_sum;
mod parallel;
mod ping_pong;
mod promise_roundtrip;
mod remote_spawn;
mod spawn_blocking;
mod spawn_join;
mod spawn_many;
mod timers;
mod wake_latency;
mod wake_roundtrip;
mod yield_many;

pub use bytes_per_task::BytesPerTask;
pub use chained_spawn::ChainedSpawn;
pub use cpu_fanout::CpuFanout;
pub use fork_join_fib::ForkJoinFib;
pub use gather::Gather;
pub use join_all::JoinAll;
pub use join_fib::{FibInput, JoinFib};
pub use latency_under_load::{LatencyUnderLoad, Percentile};
pub use merge_sort::MergeSort;
pub use par_sum::ParSum;
pub use parallel::{Parallel, Problem};
pub use ping_pong::PingPong;
pub use promise_roundtrip::PromiseRoundtrip;
pub use remote_spawn::RemoteSpawn;
pub use spawn_blocking::SpawnBlocking;
pub use spawn_join::SpawnJoin1w;
pub use spawn_many::{
    SpawnManyFromTask, SpawnManyLocal, SpawnManyRemoteBusy, SpawnManyRemoteBusy2,
    SpawnManyRemoteIdle,
};
pub use timers::Timers;
pub use wake_latency::WakeLatency;
pub use wake_roundtrip::{TripStat, WakeRoundTrip};
pub use yield_many::YieldMany;

use crate::rt::Rt;
use crate::runner::Measure;

/// What one sample of a workload is.
///
/// ```
/// use filch_bench::workloads::{BytesPerTask, PingPong, Unit, Workload};
///
/// assert_eq!(PingPong { pings: 1 }.unit(), Unit::NanosPerIteration);
/// assert_eq!(BytesPerTask { tasks: 1 }.unit(), Unit::BytesPerTask);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Nanoseconds for one whole iteration of the workload.
    NanosPerIteration,
    /// Nanoseconds per operation (the iteration's time divided by its operation count).
    NanosPerOp,
    /// Bytes allocated per spawned task (with allocations per task alongside).
    BytesPerTask,
}

/// One measurement of one workload on one runtime; a [`Stopwatch`](crate::stopwatch::Stopwatch)
/// makes one.
///
/// ```
/// use filch_bench::rt::{FilchRt, Rt};
/// use filch_bench::workloads::{ChainedSpawn, Workload};
///
/// let sample = ChainedSpawn { depth: 4 }.run(&FilchRt::build(1));
/// assert!(sample.value > 0.0 && sample.cpu >= 0.0 && sample.allocations.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Nanoseconds or bytes, as the workload's [`Unit`] says.
    pub value: f64,
    /// The process's CPU nanoseconds (user + sys, every thread) over the same region, per
    /// the same operation or task when the unit is per operation or per task.
    pub cpu: f64,
    /// Allocations per task, for [`Unit::BytesPerTask`] only.
    pub allocations: Option<f64>,
}

/// A benchmark shape, written once for every runtime.
///
/// ```
/// use filch_bench::rt::Rt;
/// use filch_bench::runner::{compare, Plan};
/// use filch_bench::stopwatch::Stopwatch;
/// use filch_bench::workloads::{Sample, Workload};
///
/// /// Spawns one task and awaits it.
/// struct SpawnOne;
///
/// impl Workload for SpawnOne {
///     fn name(&self) -> &'static str {
///         "spawn_one"
///     }
///
///     fn run<R: Rt>(&self, rt: &R) -> Sample {
///         let stopwatch = Stopwatch::start();
///         let answer = rt.block_on(async { R::spawn(async { 42 }).await });
///         let sample = stopwatch.stop();
///         assert_eq!(answer, 42, "checked after the timed region");
///         sample
///     }
/// }
///
/// let plan = Plan { workers: 1, warm_up_rounds: 0, rounds: 2, aa: false };
/// assert_eq!(compare(&SpawnOne, &plan).name, "spawn_one");
/// ```
pub trait Workload: Sync {
    /// The name used by `--only`, the table and the CSV.
    ///
    /// ```
    /// use filch_bench::workloads::{Timers, Workload};
    ///
    /// assert_eq!(Workload::name(&Timers { tasks: 1 }), "timers_100k");
    /// ```
    fn name(&self) -> &'static str;

    /// What a sample measures.
    ///
    /// ```
    /// use filch_bench::workloads::{PromiseRoundtrip, Unit, Workload};
    ///
    /// assert_eq!(PromiseRoundtrip { ops: 1 }.unit(), Unit::NanosPerOp);
    /// ```
    fn unit(&self) -> Unit {
        Unit::NanosPerIteration
    }

    /// The worker threads every runtime gets for this workload, given the run's `planned`
    /// count (`--workers`): `planned`, unless the shape is defined for a fixed count.
    ///
    /// ```
    /// use filch_bench::workloads::{PingPong, SpawnJoin1w, Workload};
    ///
    /// assert_eq!(PingPong { pings: 1 }.workers(4), 4);
    /// assert_eq!(SpawnJoin1w { spawns: 1 }.workers(4), 1, "one worker by definition");
    /// ```
    fn workers(&self, planned: usize) -> usize {
        planned
    }

    /// Runs one iteration on `rt` and measures it; panics if the result is wrong.
    ///
    /// ```
    /// use filch_bench::rt::{Rt, TokioRt};
    /// use filch_bench::workloads::{PingPong, Workload};
    ///
    /// let sample = PingPong { pings: 4 }.run(&TokioRt::build(1));
    /// assert!(sample.value > 0.0);
    /// ```
    fn run<R: Rt>(&self, rt: &R) -> Sample;

    /// A third, non-async implementation to show beside the two runtimes, if any
    /// (`fork_join_fib` has `rayon::join`). It is built once and run once per round.
    ///
    /// ```
    /// use filch_bench::workloads::{ForkJoinFib, PingPong, Workload};
    ///
    /// let mut rayon = ForkJoinFib { n: 5 }.reference(1).expect("fib has a rayon reference");
    /// assert_eq!(rayon.name, "rayon::join");
    /// assert!((rayon.run)() > 0.0);
    /// assert!(PingPong { pings: 1 }.reference(1).is_none());
    /// ```
    fn reference(&self, _workers: usize) -> Option<Reference> {
        None
    }

    /// The most measured rounds this workload takes, whatever the [`Plan`] asks; `None`, the
    /// default, is no cap. A capped workload also takes at most
    /// [`CAPPED_WARM_UP_ROUNDS`](crate::runner::CAPPED_WARM_UP_ROUNDS) warm-up rounds (see
    /// [`Plan::capped`]). It is for a workload whose rounds take seconds on some runtime, so
    /// that it does not take most of a full run.
    ///
    /// ```
    /// use filch_bench::workloads::{JoinAll, PingPong, Workload};
    ///
    /// assert_eq!(PingPong { pings: 1 }.max_rounds(), None);
    /// assert_eq!(JoinAll { tasks: 1 }.max_rounds(), Some(11));
    /// ```
    ///
    /// [`Plan`]: crate::runner::Plan
    /// [`Plan::capped`]: crate::runner::Plan::capped
    fn max_rounds(&self) -> Option<usize> {
        None
    }
}

/// A reference implementation measured beside a workload (see [`Workload::reference`]).
///
/// ```
/// use filch_bench::workloads::Reference;
/// use std::time::Instant;
///
/// let mut reference = Reference {
///     name: "a loop",
///     run: Box::new(|| {
///         let start = Instant::now();
///         std::hint::black_box((0..100u64).sum::<u64>());
///         start.elapsed().as_nanos() as f64
///     }),
/// };
/// assert!((reference.run)() >= 0.0);
/// ```
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
///
/// ```
/// use filch_bench::workloads::{all, Scale};
///
/// // The same workloads at either scale; only their sizes differ.
/// let names = |scale| all(scale, 2).iter().map(|w| w.name()).collect::<Vec<_>>();
/// assert_eq!(names(Scale::Tiny), names(Scale::Full));
/// ```
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
///
/// ```
/// use filch_bench::workloads::{visit_all, Scale, Visitor, Workload};
///
/// /// Collects the workloads' names.
/// struct Names(Vec<&'static str>);
///
/// impl Visitor for Names {
///     fn visit<W: Workload + 'static>(&mut self, workload: W) {
///         self.0.push(workload.name());
///     }
/// }
///
/// let mut names = Names(Vec::new());
/// visit_all(Scale::Tiny, 1, &mut names);
/// assert_eq!(names.0.first(), Some(&"spawn_many_local"));
/// ```
pub trait Visitor {
    /// Called once per workload, in report order.
    ///
    /// ```
    /// use filch_bench::workloads::{visit_all, Scale, Visitor, Workload};
    ///
    /// /// Counts the workloads.
    /// struct Count(usize);
    ///
    /// impl Visitor for Count {
    ///     fn visit<W: Workload + 'static>(&mut self, _workload: W) {
    ///         self.0 += 1;
    ///     }
    /// }
    ///
    /// let mut count = Count(0);
    /// visit_all(Scale::Tiny, 1, &mut count);
    /// assert_eq!(count.0, filch_bench::workloads::all(Scale::Tiny, 1).len());
    /// ```
    fn visit<W: Workload + 'static>(&mut self, workload: W);
}

/// Hands every workload, in report order, sized by `scale` for runtimes of `workers`
/// threads, to `visitor`. This is the one list of workloads.
///
/// ```
/// use filch_bench::workloads::{visit_all, Scale, Visitor, Workload};
///
/// /// Remembers the last workload's name.
/// struct Last(&'static str);
///
/// impl Visitor for Last {
///     fn visit<W: Workload + 'static>(&mut self, workload: W) {
///         self.0 = workload.name();
///     }
/// }
///
/// let mut last = Last("");
/// visit_all(Scale::Full, 4, &mut last);
/// assert_eq!(last.0, "bytes_per_task");
/// ```
pub fn visit_all(scale: Scale, workers: usize, visitor: &mut impl Visitor) {
    let pick = |full, tiny| scale.pick(full, tiny);
    let spawns = pick(spawn_many::TOKIO_NUM_SPAWN, 64);
    let remote_spawns = pick(remote_spawn::TOKIO_TOTAL_TASKS, 64);
    visitor.visit(SpawnManyLocal { tasks: spawns });
    visitor.visit(SpawnManyFromTask { tasks: spawns });
    visitor.visit(SpawnManyRemoteIdle { tasks: spawns });
    visitor.visit(SpawnManyRemoteBusy {
        tasks: spawns,
        background: 2 * workers,
    });
    visitor.visit(SpawnManyRemoteBusy2 {
        tasks: pick(spawn_many::TOKIO_BUSY2_NUM_SPAWN, 16),
        chains: workers,
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
    visitor.visit(SpawnJoin1w {
        spawns: pick(spawn_join::FULL_SPAWNS, 16),
    });
    visitor.visit(ForkJoinFib {
        n: scale.pick(fork_join_fib::FULL_N, 8),
    });
    visit_parallel(scale, visitor);
    visitor.visit(Gather {
        tasks: pick(gather::FULL_TASKS, 100),
    });
    visitor.visit(JoinAll {
        tasks: pick(join_all::FULL_TASKS, 100),
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
    for stat in [TripStat::Median, TripStat::Mean, TripStat::P90] {
        visitor.visit(WakeRoundTrip {
            stat,
            trips: pick(wake_roundtrip::FULL_TRIPS, 8),
        });
    }
    visitor.visit(BytesPerTask {
        tasks: pick(bytes_per_task::FULL_TASKS, 8),
    });
}

/// The CPU-parallel workloads and the latency beside them (see [`Parallel`]).
fn visit_parallel(scale: Scale, visitor: &mut impl Visitor) {
    let pick = |full, tiny| scale.pick(full, tiny);
    // fib(25) a join per call; fib(32) at three grains (tiny: fib(12) at 1, 3 and 6).
    let pick_u32 = |full: u32, tiny: u32| scale.pick(full, tiny);
    for (name, n, cutoff) in [
        ("join_fib_25", pick_u32(25, 12), 1),
        ("join_fib_32_cutoff_1", pick_u32(32, 12), 1),
        ("join_fib_32_cutoff_10", pick_u32(32, 12), pick_u32(10, 3)),
        ("join_fib_32_cutoff_20", pick_u32(32, 12), pick_u32(20, 6)),
    ] {
        visitor.visit(Parallel::new(JoinFib { name, n, cutoff }));
    }
    visitor.visit(Parallel::new(ParSum::new(pick(par_sum::FULL_LEN, 1000))));
    visitor.visit(Parallel::new(CpuFanout {
        chunks: pick(cpu_fanout::FULL_CHUNKS, 16),
        iterations: pick_u32(cpu_fanout::FULL_ITERATIONS, 100),
    }));
    visitor.visit(Parallel::new(MergeSort {
        len: pick(merge_sort::FULL_LEN, 10_000),
    }));
    for percentile in [Percentile::P50, Percentile::P99] {
        visitor.visit(LatencyUnderLoad::new(
            percentile,
            pick(latency_under_load::FULL_TICKS, 3),
            pick(latency_under_load::FULL_LOAD_LEN, 1000),
        ));
    }
}

/// Every workload, in report order, boxed for the runner (see [`visit_all`]).
///
/// ```
/// use filch_bench::runner::Plan;
/// use filch_bench::workloads::{all, Scale};
///
/// let workloads = all(Scale::Tiny, 1);
/// let ping_pong = workloads.iter().find(|w| w.name() == "ping_pong").unwrap();
/// let plan = Plan { workers: 1, warm_up_rounds: 0, rounds: 1, aa: false };
/// assert_eq!(ping_pong.compare(&plan).name, "ping_pong");
/// ```
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
