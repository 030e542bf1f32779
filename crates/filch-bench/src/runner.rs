//! The interleaved runner: both runtimes built once per workload, rounds alternating.
//!
//! Alternating A B A B ... inside one process means a slow phase of the machine (another
//! process compiling, a frequency change) hits both columns alike instead of whichever
//! happened to run then. Warm-up rounds run first and are discarded.

use crate::rt::{FilchRt, Rt, TokioRt};
use crate::stats::{speedup, Summary};
use crate::workloads::{Sample, Unit, Workload};

/// How to run each workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Worker threads for each runtime (and threads of the reference pool).
    pub workers: usize,
    /// Discarded rounds per runtime before the measured ones.
    pub warm_up_rounds: usize,
    /// Measured rounds per runtime; at least 1.
    pub rounds: usize,
}

/// One runtime's result for one workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Median, min and max of the samples (nanoseconds or bytes, per the workload's unit).
    pub summary: Summary,
    /// Median allocations per task, for [`Unit::BytesPerTask`].
    pub allocations: Option<f64>,
}

/// A non-async reference measured beside the runtimes (e.g. `rayon::join`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferenceOutcome {
    /// What it is.
    pub name: &'static str,
    /// Median, min and max of its nanoseconds.
    pub summary: Summary,
}

/// The result of one workload on both runtimes.
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
    /// The reference's result, for workloads that have one.
    pub reference: Option<ReferenceOutcome>,
}

impl Comparison {
    /// tokio's median over filch's: above 1 means filch is faster (or smaller).
    pub fn speedup(&self) -> f64 {
        speedup(self.filch.summary.median, self.tokio.summary.median)
    }
}

/// A workload as the runner sees it: object-safe, so the registry can be a list.
///
/// Every [`Workload`] is a `Measure`; the dynamic call happens once per workload, and
/// everything inside [`Measure::compare`] is monomorphised per runtime.
pub trait Measure: Sync {
    /// The workload's name.
    fn name(&self) -> &'static str;

    /// Runs the workload on filch and tokio as `plan` says.
    fn compare(&self, plan: &Plan) -> Comparison;
}

impl<W: Workload> Measure for W {
    fn name(&self) -> &'static str {
        Workload::name(self)
    }

    fn compare(&self, plan: &Plan) -> Comparison {
        compare::<W, FilchRt, TokioRt>(self, plan)
    }
}

/// Runs `workload` on runtime `A` (the "filch" column) and `B` (the "tokio" column),
/// interleaved: each round runs `A`, then `B`, then the reference if there is one.
///
/// # Panics
/// If `plan.rounds` is 0, or if the workload finds a wrong result.
pub fn compare<W: Workload, A: Rt, B: Rt>(workload: &W, plan: &Plan) -> Comparison {
    assert!(
        plan.rounds > 0,
        "a comparison needs at least one measured round"
    );
    let a = A::build(plan.workers);
    let b = B::build(plan.workers);
    let mut reference = workload.reference(plan.workers);

    let mut a_samples = Vec::with_capacity(plan.rounds);
    let mut b_samples = Vec::with_capacity(plan.rounds);
    let mut reference_samples = Vec::with_capacity(plan.rounds);
    for round in 0..plan.warm_up_rounds + plan.rounds {
        let a_sample = workload.run(&a);
        let b_sample = workload.run(&b);
        let reference_sample = reference.as_mut().map(|r| (r.run)());
        if round >= plan.warm_up_rounds {
            a_samples.push(a_sample);
            b_samples.push(b_sample);
            reference_samples.extend(reference_sample);
        }
    }

    Comparison {
        name: workload.name(),
        unit: workload.unit(),
        filch: outcome(&a_samples),
        tokio: outcome(&b_samples),
        reference: reference.map(|r| ReferenceOutcome {
            name: r.name,
            summary: Summary::of(&reference_samples).expect("at least one round ran"),
        }),
    }
}

fn outcome(samples: &[Sample]) -> Outcome {
    let values: Vec<f64> = samples.iter().map(|s| s.value).collect();
    let allocations: Vec<f64> = samples.iter().filter_map(|s| s.allocations).collect();
    Outcome {
        summary: Summary::of(&values).expect("at least one round ran"),
        allocations: Summary::of(&allocations).map(|s| s.median),
    }
}
