//! The interleaved runner: every runtime built once per workload, rounds round-robin.
//!
//! Alternating filch, tokio, smol, filch, ... inside one process means a slow phase of the
//! machine (another process compiling, a frequency change) hits every column alike instead of
//! whichever happened to run then. Warm-up rounds run first and are discarded.

use crate::rt::{FilchRt, Rt, SmolRt, TokioRt};
use crate::stats::{speedup, Summary};
use crate::workloads::{Sample, Unit, Workload};

/// How to run each workload.
///
/// ```
/// use filch_bench::runner::{compare, Plan};
/// use filch_bench::workloads::PingPong;
///
/// let plan = Plan { workers: 1, warm_up_rounds: 0, rounds: 2, aa: false };
/// let result = compare(&PingPong { pings: 4 }, &plan);
/// assert_eq!(result.name, "ping_pong");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Worker threads for each runtime (and threads of the reference pool).
    pub workers: usize,
    /// Discarded rounds per runtime before the measured ones.
    pub warm_up_rounds: usize,
    /// Measured rounds per runtime; at least 1.
    pub rounds: usize,
    /// Also run a second tokio column ([`Comparison::tokio_aa`]): an A/A comparison whose
    /// distance from 1 is the noise floor of every other ratio in the same run.
    pub aa: bool,
}

/// The most warm-up rounds a workload with a cap on its rounds ([`Workload::max_rounds`])
/// takes: a round slow enough to need a cap (seconds) warms the caches and the allocator in
/// one, and each one more costs seconds.
pub const CAPPED_WARM_UP_ROUNDS: usize = 2;

impl Plan {
    /// This plan for a workload that takes at most `max_rounds` measured rounds: the rounds
    /// lowered to the cap and the warm-up to [`CAPPED_WARM_UP_ROUNDS`], never raised; with
    /// `None` (no cap) the plan itself.
    ///
    /// ```
    /// use filch_bench::runner::Plan;
    ///
    /// let plan = Plan { workers: 2, warm_up_rounds: 5, rounds: 50, aa: false };
    /// let capped = plan.capped(Some(11));
    /// assert_eq!((capped.warm_up_rounds, capped.rounds), (2, 11));
    /// assert_eq!(plan.capped(None), plan);
    ///
    /// let short = Plan { warm_up_rounds: 1, rounds: 3, ..plan };
    /// assert_eq!(short.capped(Some(11)), short, "a cap never adds rounds");
    /// ```
    pub fn capped(&self, max_rounds: Option<usize>) -> Plan {
        match max_rounds {
            None => *self,
            Some(max) => Plan {
                warm_up_rounds: self.warm_up_rounds.min(CAPPED_WARM_UP_ROUNDS),
                rounds: self.rounds.min(max),
                ..*self
            },
        }
    }
}

/// One runtime's result for one workload.
///
/// ```
/// use filch_bench::runner::Outcome;
/// use filch_bench::stats::Summary;
///
/// let summary = Summary::of(&[120.0, 80.0]).unwrap();
/// let outcome = Outcome { summary, cpu: 90.0, allocations: None };
/// assert_eq!(outcome.summary.median, 100.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Median, min and max of the samples (nanoseconds or bytes, per the workload's unit).
    pub summary: Summary,
    /// Median CPU nanoseconds of the process over a sample (user + sys, every thread), in
    /// the sample's unit: per iteration, per operation or per task.
    pub cpu: f64,
    /// Median allocations per task, for [`Unit::BytesPerTask`].
    pub allocations: Option<f64>,
}

/// A non-async reference measured beside the runtimes (e.g. `rayon::join`).
///
/// ```
/// use filch_bench::runner::{compare, Plan};
/// use filch_bench::workloads::ForkJoinFib;
///
/// let plan = Plan { workers: 1, warm_up_rounds: 0, rounds: 1, aa: false };
/// let fib = compare(&ForkJoinFib { n: 5 }, &plan);
/// assert_eq!(fib.reference.map(|r| r.name), Some("rayon::join"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferenceOutcome {
    /// What it is.
    pub name: &'static str,
    /// Median, min and max of its nanoseconds.
    pub summary: Summary,
}

/// The result of one workload on every runtime.
///
/// ```
/// use filch_bench::runner::{Comparison, Outcome};
/// use filch_bench::stats::Summary;
/// use filch_bench::workloads::Unit;
///
/// let outcome = |ns| Outcome {
///     summary: Summary::of(&[ns]).unwrap(),
///     cpu: ns,
///     allocations: None,
/// };
/// let c = Comparison {
///     name: "yield_many",
///     unit: Unit::NanosPerIteration,
///     filch: outcome(50.0),
///     tokio: outcome(75.0),
///     smol: outcome(60.0),
///     tokio_aa: None,
///     reference: None,
/// };
/// assert_eq!(c.speedup(), 1.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// The workload's name.
    pub name: &'static str,
    /// What its samples measure.
    pub unit: Unit,
    /// filch's result.
    pub filch: Outcome,
    /// tokio's result.
    pub tokio: Outcome,
    /// smol's result (one `async_executor::Executor` driven by the workers).
    pub smol: Outcome,
    /// A second, independent tokio runtime's result, with [`Plan::aa`].
    pub tokio_aa: Option<Outcome>,
    /// The reference's result, for workloads that have one.
    pub reference: Option<ReferenceOutcome>,
}

impl Comparison {
    /// tokio's median over filch's: above 1 means filch is faster (or smaller).
    ///
    /// ```
    /// use filch_bench::runner::{Comparison, Outcome};
    /// use filch_bench::stats::Summary;
    /// use filch_bench::workloads::Unit;
    ///
    /// let outcome = |ns| Outcome {
    ///     summary: Summary::of(&[ns]).unwrap(),
    ///     cpu: ns,
    ///     allocations: None,
    /// };
    /// let c = Comparison {
    ///     name: "timers",
    ///     unit: Unit::NanosPerOp,
    ///     filch: outcome(40.0),
    ///     tokio: outcome(20.0),
    ///     smol: outcome(30.0),
    ///     tokio_aa: None,
    ///     reference: None,
    /// };
    /// assert_eq!(c.speedup(), 0.5, "filch twice as slow");
    /// ```
    pub fn speedup(&self) -> f64 {
        speedup(self.filch.summary.median, self.tokio.summary.median)
    }

    /// smol's median over filch's: above 1 means filch is faster (or smaller).
    ///
    /// ```
    /// use filch_bench::runner::{Comparison, Outcome};
    /// use filch_bench::stats::Summary;
    /// use filch_bench::workloads::Unit;
    ///
    /// let outcome = |ns| Outcome {
    ///     summary: Summary::of(&[ns]).unwrap(),
    ///     cpu: ns,
    ///     allocations: None,
    /// };
    /// let c = Comparison {
    ///     name: "timers",
    ///     unit: Unit::NanosPerOp,
    ///     filch: outcome(40.0),
    ///     tokio: outcome(20.0),
    ///     smol: outcome(80.0),
    ///     tokio_aa: Some(outcome(22.0)),
    ///     reference: None,
    /// };
    /// assert_eq!(c.smol_speedup(), 2.0);
    /// assert_eq!(c.aa_ratio(), Some(1.1)); // the two tokio columns are 10 % apart
    /// ```
    pub fn smol_speedup(&self) -> f64 {
        speedup(self.filch.summary.median, self.smol.summary.median)
    }

    /// The second tokio's median over the first's, with [`Plan::aa`]: the same runtime twice,
    /// so its distance from 1 is how far apart two columns come out by chance in this run. A
    /// speedup within that distance of 1 is no difference. (Example: see [`Self::smol_speedup`].)
    pub fn aa_ratio(&self) -> Option<f64> {
        let aa = self.tokio_aa?;
        Some(speedup(self.tokio.summary.median, aa.summary.median))
    }

    /// filch's median over the reference's, for a workload with one: how many times the
    /// reference's time filch takes (below 1 means filch is faster).
    ///
    /// ```
    /// use filch_bench::runner::{Comparison, Outcome, ReferenceOutcome};
    /// use filch_bench::stats::Summary;
    /// use filch_bench::workloads::Unit;
    ///
    /// let outcome = |ns| Outcome {
    ///     summary: Summary::of(&[ns]).unwrap(),
    ///     cpu: ns,
    ///     allocations: None,
    /// };
    /// let mut c = Comparison {
    ///     name: "fork_join_fib",
    ///     unit: Unit::NanosPerIteration,
    ///     filch: outcome(30.0),
    ///     tokio: outcome(60.0),
    ///     smol: outcome(45.0),
    ///     tokio_aa: None,
    ///     reference: None,
    /// };
    /// assert_eq!(c.reference_ratio(), None);
    /// c.reference = Some(ReferenceOutcome { name: "rayon::join", summary: Summary::of(&[20.0]).unwrap() });
    /// assert_eq!(c.reference_ratio(), Some(1.5));
    /// ```
    pub fn reference_ratio(&self) -> Option<f64> {
        let reference = self.reference?;
        Some(self.filch.summary.median / reference.summary.median)
    }
}

/// A workload as the runner sees it: object-safe, so the registry can be a list.
///
/// Every [`Workload`] is a `Measure`; the dynamic call happens once per workload, and
/// everything inside [`Measure::compare`] is monomorphised per runtime.
///
/// ```
/// use filch_bench::runner::{Measure, Plan};
/// use filch_bench::workloads::PingPong;
///
/// let boxed: Vec<Box<dyn Measure>> = vec![Box::new(PingPong { pings: 2 })];
/// let plan = Plan { workers: 1, warm_up_rounds: 0, rounds: 1, aa: false };
/// assert_eq!(boxed[0].compare(&plan).name, "ping_pong");
/// ```
pub trait Measure: Sync {
    /// The workload's name.
    ///
    /// ```
    /// use filch_bench::runner::Measure;
    /// use filch_bench::workloads::YieldMany;
    ///
    /// let measure: &dyn Measure = &YieldMany { tasks: 1, yields: 1 };
    /// assert_eq!(measure.name(), "yield_many");
    /// ```
    fn name(&self) -> &'static str;

    /// The workload's cap on its measured rounds ([`Workload::max_rounds`]).
    ///
    /// ```
    /// use filch_bench::runner::Measure;
    /// use filch_bench::workloads::{JoinAll, YieldMany};
    ///
    /// let capped: &dyn Measure = &JoinAll { tasks: 1 };
    /// assert_eq!(capped.max_rounds(), Some(11));
    /// let free: &dyn Measure = &YieldMany { tasks: 1, yields: 1 };
    /// assert_eq!(free.max_rounds(), None);
    /// ```
    fn max_rounds(&self) -> Option<usize>;

    /// Runs the workload on filch, tokio and smol as `plan` says, within its cap
    /// ([`Plan::capped`]).
    ///
    /// ```
    /// use filch_bench::runner::{Measure, Plan};
    /// use filch_bench::workloads::ChainedSpawn;
    ///
    /// let measure: &dyn Measure = &ChainedSpawn { depth: 4 };
    /// let plan = Plan { workers: 1, warm_up_rounds: 0, rounds: 3, aa: false };
    /// let result = measure.compare(&plan);
    /// assert!(result.filch.summary.min <= result.filch.summary.max);
    /// ```
    fn compare(&self, plan: &Plan) -> Comparison;
}

impl<W: Workload> Measure for W {
    fn name(&self) -> &'static str {
        Workload::name(self)
    }

    fn max_rounds(&self) -> Option<usize> {
        Workload::max_rounds(self)
    }

    fn compare(&self, plan: &Plan) -> Comparison {
        compare(self, plan)
    }
}

/// Runs `workload` on filch, tokio and smol, interleaved: each round runs filch, then tokio,
/// then smol, then (with [`Plan::aa`]) the second tokio, then the reference if there is one.
/// A workload with a cap on its rounds ([`Workload::max_rounds`]) runs `plan` lowered to it
/// ([`Plan::capped`]).
///
/// # Panics
/// If `plan.rounds` is 0, or if the workload finds a wrong result.
///
/// ```
/// use filch_bench::runner::{compare, Plan};
/// use filch_bench::workloads::YieldMany;
///
/// let plan = Plan { workers: 1, warm_up_rounds: 0, rounds: 2, aa: true };
/// let result = compare(&YieldMany { tasks: 2, yields: 2 }, &plan);
/// assert!(result.speedup() > 0.0 && result.smol_speedup() > 0.0);
/// assert!(result.aa_ratio().is_some_and(|r| r > 0.0));
/// ```
pub fn compare<W: Workload>(workload: &W, plan: &Plan) -> Comparison {
    assert!(
        plan.rounds > 0,
        "a comparison needs at least one measured round"
    );
    // A shape defined for a fixed worker count (`spawn_join_1w`) overrides the plan's, and
    // a workload may cap its own rounds (`join_all_100k`).
    let plan = &Plan {
        workers: workload.workers(plan.workers),
        ..plan.capped(workload.max_rounds())
    };
    let mut filch = Column::<FilchRt>::build(plan);
    let mut tokio = Column::<TokioRt>::build(plan);
    let mut smol = Column::<SmolRt>::build(plan);
    let mut tokio_aa = plan.aa.then(|| Column::<TokioRt>::build(plan));
    let mut reference = workload.reference(plan.workers);
    let mut reference_samples = Vec::with_capacity(plan.rounds);
    for round in 0..plan.warm_up_rounds + plan.rounds {
        let keep = round >= plan.warm_up_rounds;
        filch.run(workload, keep);
        tokio.run(workload, keep);
        smol.run(workload, keep);
        if let Some(aa) = tokio_aa.as_mut() {
            aa.run(workload, keep);
        }
        if let Some(r) = reference.as_mut() {
            let sample = (r.run)();
            if keep {
                reference_samples.push(sample);
            }
        }
    }

    Comparison {
        name: workload.name(),
        unit: workload.unit(),
        filch: filch.outcome(),
        tokio: tokio.outcome(),
        smol: smol.outcome(),
        tokio_aa: tokio_aa.map(|aa| aa.outcome()),
        reference: reference.map(|r| ReferenceOutcome {
            name: r.name,
            summary: Summary::of(&reference_samples).expect("at least one round ran"),
        }),
    }
}

/// One runtime of a comparison and the samples it has given so far.
struct Column<R: Rt> {
    rt: R,
    samples: Vec<Sample>,
}

impl<R: Rt> Column<R> {
    fn build(plan: &Plan) -> Self {
        Column {
            rt: R::build(plan.workers),
            samples: Vec::with_capacity(plan.rounds),
        }
    }

    /// Runs one round, keeping its sample unless it is a warm-up.
    fn run<W: Workload>(&mut self, workload: &W, keep: bool) {
        let sample = workload.run(&self.rt);
        if keep {
            self.samples.push(sample);
        }
    }

    fn outcome(&self) -> Outcome {
        let median = |of: &dyn Fn(&Sample) -> f64| {
            let values: Vec<f64> = self.samples.iter().map(of).collect();
            Summary::of(&values).expect("at least one round ran")
        };
        let allocations: Vec<f64> = self.samples.iter().filter_map(|s| s.allocations).collect();
        Outcome {
            summary: median(&|s| s.value),
            cpu: median(&|s| s.cpu).median,
            allocations: Summary::of(&allocations).map(|s| s.median),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt::Rt;
    use crate::stopwatch::Stopwatch;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A workload that does nothing but count the rounds it is run, with an optional cap.
    struct Counted {
        cap: Option<usize>,
        rounds: AtomicUsize,
    }

    impl Counted {
        /// The rounds `compare` ran it under `plan`, over every column.
        fn rounds_run(cap: Option<usize>, plan: &Plan) -> usize {
            let counted = Counted {
                cap,
                rounds: AtomicUsize::new(0),
            };
            compare(&counted, plan);
            counted.rounds.into_inner()
        }
    }

    impl Workload for Counted {
        fn name(&self) -> &'static str {
            "counted"
        }

        fn max_rounds(&self) -> Option<usize> {
            self.cap
        }

        fn run<R: Rt>(&self, _rt: &R) -> Sample {
            self.rounds.fetch_add(1, Ordering::Relaxed);
            Stopwatch::start().stop()
        }
    }

    const PLAN: Plan = Plan {
        workers: 1,
        warm_up_rounds: 5,
        rounds: 20,
        aa: false,
    };

    #[test]
    fn a_capped_workload_runs_at_most_its_cap() {
        // filch, tokio and smol: (2 warm-up + 3 measured) each.
        assert_eq!(Counted::rounds_run(Some(3), &PLAN), 3 * (2 + 3));
        let aa = Plan { aa: true, ..PLAN };
        assert_eq!(Counted::rounds_run(Some(3), &aa), 4 * (2 + 3));
    }

    #[test]
    fn a_cap_above_the_plan_or_no_cap_runs_the_plan() {
        assert_eq!(Counted::rounds_run(None, &PLAN), 3 * (5 + 20));
        let short = Plan {
            warm_up_rounds: 1,
            rounds: 2,
            ..PLAN
        };
        assert_eq!(Counted::rounds_run(Some(11), &short), 3 * (1 + 2));
    }
}
