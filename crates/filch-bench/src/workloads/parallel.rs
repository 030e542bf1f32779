//! [`Parallel`]: the workload every CPU-parallel [`Problem`] shares, with its rayon column.
//!
//! A problem is written once against [`Join`]; every column runs the same code:
//! filch (a task forking with `filch::join`), tokio and smol (a task handing the work to a
//! rayon pool and awaiting a oneshot back: neither has a fork-join, and this is how their
//! users get one; see [`Rt::spawn_parallel`]), and the reference, `rayon::join` inside `pool.install`
//! with no async runtime at all, the figure the fork-join goals are measured against.

use super::{Reference, Sample, Workload};
use crate::rt::{Join, ParallelWork, RayonJoin, Rt};
use crate::stopwatch::Stopwatch;
use std::fmt::Debug;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// A CPU-parallel computation with a known answer.
///
/// ```
/// use filch_bench::rt::{FilchRt, Join, Rt};
/// use filch_bench::workloads::{Parallel, Problem, Workload};
///
/// /// 1 + 2 + ... + n, halves forked.
/// struct Triangle(u64);
///
/// impl Problem for Triangle {
///     type Input = u64;
///     type Output = u64;
///
///     fn name(&self) -> &'static str {
///         "triangle"
///     }
///     fn input(&self) -> u64 {
///         self.0
///     }
///     fn solve<J: Join>(n: u64) -> u64 {
///         let (a, b) = J::join(|| (1..=n / 2).sum::<u64>(), || (n / 2 + 1..=n).sum::<u64>());
///         a + b
///     }
///     fn expected(&self) -> u64 {
///         self.0 * (self.0 + 1) / 2
///     }
/// }
/// let sample = Parallel::new(Triangle(100)).run(&FilchRt::build(2));
/// assert!(sample.value > 0.0);
/// ```
pub trait Problem: Send + Sync + 'static {
    /// What one run starts from, made before the timed region.
    type Input: Send + 'static;
    /// The answer, compared with [`Problem::expected`] after the timed region.
    type Output: Send + Sync + PartialEq + Debug + 'static;

    /// The workload's name.
    ///
    /// ```
    /// use filch_bench::workloads::{JoinFib, Problem};
    ///
    /// let fib = JoinFib { name: "join_fib_25", n: 25, cutoff: 1 };
    /// assert_eq!(Problem::name(&fib), "join_fib_25");
    /// ```
    fn name(&self) -> &'static str;

    /// A fresh input for one run (untimed).
    ///
    /// ```
    /// use filch_bench::workloads::{MergeSort, Problem};
    ///
    /// assert_eq!(MergeSort { len: 5 }.input().len(), 5);
    /// ```
    fn input(&self) -> Self::Input;

    /// The timed computation, forking with `J`, on a thread of `J`'s pool.
    ///
    /// ```
    /// use filch_bench::rt::FilchJoin;
    /// use filch_bench::workloads::{MergeSort, Problem};
    ///
    /// let rt = filch::Runtime::new();
    /// let sorted = rt.block_on(async { MergeSort::solve::<FilchJoin>(vec![3, 1, 2]) });
    /// assert_eq!(sorted, [1, 2, 3]);
    /// ```
    fn solve<J: Join>(input: Self::Input) -> Self::Output;

    /// The right answer, computed without any fork-join (called once per workload).
    ///
    /// ```
    /// use filch_bench::workloads::{JoinFib, Problem};
    ///
    /// assert_eq!(JoinFib { name: "fib", n: 10, cutoff: 1 }.expected(), 55);
    /// ```
    fn expected(&self) -> Self::Output;
}

/// The [`Workload`] of a [`Problem`]: filch, tokio + rayon, smol + rayon, and `rayon::join`
/// as reference.
///
/// ```
/// use filch_bench::runner::{compare, Plan};
/// use filch_bench::workloads::{JoinFib, Parallel};
///
/// let plan = Plan { workers: 2, warm_up_rounds: 0, rounds: 1, aa: false };
/// let fib = Parallel::new(JoinFib { name: "join_fib", n: 12, cutoff: 1 });
/// let result = compare(&fib, &plan);
/// assert_eq!(result.reference.map(|r| r.name), Some("rayon::join"));
/// ```
pub struct Parallel<P: Problem>(Arc<Shared<P>>);

/// What the workload and its reference closure (which must be `'static`) share.
struct Shared<P: Problem> {
    problem: P,
    /// Computed on the first check, then reused: for the sort it is a sort of 1M values.
    expected: OnceLock<P::Output>,
}

impl<P: Problem> Parallel<P> {
    /// The workload of `problem`.
    ///
    /// ```
    /// use filch_bench::workloads::{CpuFanout, Parallel, Workload};
    ///
    /// let fanout = Parallel::new(CpuFanout { chunks: 4, iterations: 10 });
    /// assert_eq!(fanout.name(), "cpu_fanout");
    /// ```
    pub fn new(problem: P) -> Self {
        Parallel(Arc::new(Shared {
            problem,
            expected: OnceLock::new(),
        }))
    }
}

impl<P: Problem> Debug for Parallel<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Parallel")
            .field(&self.0.problem.name())
            .finish()
    }
}

impl<P: Problem> Shared<P> {
    /// Panics, naming the column, unless `output` is the right answer.
    fn check(&self, output: &P::Output, column: &str) {
        let expected = self.expected.get_or_init(|| self.problem.expected());
        if output != expected {
            panic!(
                "{} on {column} came out wrong: got {}, expected {}",
                self.problem.name(),
                abridged(output),
                abridged(expected)
            );
        }
    }
}

/// `value`'s `Debug` text, cut short: a wrong sort must not print a million numbers.
fn abridged(value: &impl Debug) -> String {
    const MAX: usize = 120;
    let text = format!("{value:?}");
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// One run of a problem as the value [`Rt::spawn_parallel`] hands to a pool.
struct Solve<P: Problem>(P::Input);

impl<P: Problem> ParallelWork for Solve<P> {
    type Output = P::Output;

    fn run<J: Join>(self) -> P::Output {
        P::solve::<J>(self.0)
    }
}

impl<P: Problem> Workload for Parallel<P> {
    fn name(&self) -> &'static str {
        self.0.problem.name()
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let input = self.0.problem.input();
        let stopwatch = Stopwatch::start();
        let output = rt.block_on(rt.spawn_parallel(Solve::<P>(input)));
        let sample = stopwatch.stop();
        self.0.check(&output, R::NAME);
        sample
    }

    fn reference(&self, workers: usize) -> Option<Reference> {
        let pool = crate::rt::rayon_pool(workers);
        let shared = Arc::clone(&self.0);
        let run = move || {
            let input = shared.problem.input();
            let start = Instant::now();
            let output = pool.install(|| P::solve::<RayonJoin>(input));
            let nanos = start.elapsed().as_nanos() as f64;
            shared.check(&output, "rayon::join");
            nanos
        };
        Some(Reference {
            name: "rayon::join",
            run: Box::new(run),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt::{FilchRt, SmolRt, TokioRt};

    /// A problem whose parallel answer is off by one: what a broken `join` would produce.
    struct OffByOne;

    impl Problem for OffByOne {
        type Input = ();
        type Output = u64;

        fn name(&self) -> &'static str {
            "off_by_one"
        }
        fn input(&self) {}
        fn solve<J: Join>((): ()) -> u64 {
            let (a, b) = J::join(|| 1, || 1);
            a + b + 1
        }
        fn expected(&self) -> u64 {
            2
        }
    }

    fn panic_message(run: impl FnOnce()) -> String {
        let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
            .expect_err("a wrong answer must panic");
        payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn a_wrong_answer_panics_on_every_column() {
        let workload = Parallel::new(OffByOne);
        let filch = FilchRt::build(2);
        let tokio = TokioRt::build(2);
        let message = panic_message(|| {
            workload.run(&filch);
        });
        assert!(message.contains("off_by_one on filch came out wrong: got 3, expected 2"));
        // On tokio the panic is the failed task's, with the check's message inside.
        let message = panic_message(|| {
            workload.run(&tokio);
        });
        assert!(
            message.contains("off_by_one on tokio came out wrong"),
            "{message}"
        );
        // On smol the check's panic is carried back from the rayon pool and out of the task.
        let smol = SmolRt::build(2);
        let message = panic_message(|| {
            workload.run(&smol);
        });
        assert!(
            message.contains("off_by_one on smol came out wrong"),
            "{message}"
        );
        let mut rayon = workload
            .reference(2)
            .expect("a parallel workload has rayon");
        let message = panic_message(move || {
            (rayon.run)();
        });
        assert!(message.contains("off_by_one on rayon::join came out wrong"));
    }

    #[test]
    fn abridged_cuts_long_text_only() {
        assert_eq!(abridged(&[1, 2]), "[1, 2]");
        let long = abridged(&vec![0u64; 1000]);
        assert!(
            long.ends_with("...") && long.chars().count() == 123,
            "{long}"
        );
    }
}
