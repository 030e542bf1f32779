//! `latency_under_load_p50`, `_p99`: a 1 ms periodic async task while parallel work saturates
//! every worker.

use super::par_sum::splitmix;
use super::{Sample, Unit, Workload};
use crate::rt::{Join, ParallelWork, Rt};
use crate::stopwatch::Stopwatch;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Ticks measured per run: about 0.1 s of a 1 ms period.
pub const FULL_TICKS: usize = 100;

/// Values in one pass of the load's sum: about 2 ms on one core, so the load checks its stop
/// flag often and a run ends soon after its last tick.
pub const FULL_LOAD_LEN: usize = 1 << 20;

/// The period the ticker asks for.
const PERIOD: Duration = Duration::from_millis(1);

/// How long the ticker waits for the load to start before calling the runtime broken.
const START_LIMIT: Duration = Duration::from_secs(10);

/// Which latency a sample is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percentile {
    /// The median tick.
    P50,
    /// The 99th percentile tick.
    P99,
}

/// An async task sleeps 1 ms `ticks` times in a row while a parallel sum runs over and over
/// on the pool; a sample is the `percentile` of the ticks' measured periods (1 ms plus the
/// timer's rounding plus however long the task waited for a thread).
///
/// filch runs both on its one set of workers; the tokio column is the service that pairs
/// tokio with rayon ([`Rt::spawn_parallel`]): a tokio runtime of N workers for the ticker and
/// a rayon pool of N threads for the sum, 2N threads on N cores, which the OS shares out.
/// The ticker is the same `sleep` loop on both (not tokio's `interval`, whose catch-up after
/// a late tick would make its figures mean something else).
#[derive(Debug)]
pub struct LatencyUnderLoad {
    /// Which percentile of the ticks a sample is.
    pub percentile: Percentile,
    /// Ticks measured per run.
    pub ticks: usize,
    /// Values per pass of the load's parallel sum.
    pub load_len: usize,
    /// The load's right sum, computed once.
    expected: OnceLock<u64>,
}

impl LatencyUnderLoad {
    /// The workload reporting `percentile` of `ticks` ticks against a load summing
    /// `load_len` values per pass.
    ///
    /// ```
    /// use filch_bench::workloads::{LatencyUnderLoad, Percentile, Workload};
    ///
    /// let p99 = LatencyUnderLoad::new(Percentile::P99, 3, 1000);
    /// assert_eq!(p99.name(), "latency_under_load_p99");
    /// ```
    pub fn new(percentile: Percentile, ticks: usize, load_len: usize) -> Self {
        LatencyUnderLoad {
            percentile,
            ticks,
            load_len,
            expected: OnceLock::new(),
        }
    }
}

/// The load's `map` step.
fn load_value(i: usize) -> u64 {
    splitmix(i as u64) >> 32
}

/// The saturating load: the parallel sum, again and again until the ticker is done.
struct Load {
    len: usize,
    expected: u64,
    started: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

/// What the load did: passes run, and how many of them summed wrong.
#[derive(Debug, Clone, Copy)]
struct Passes {
    run: usize,
    wrong: usize,
}

impl ParallelWork for Load {
    type Output = Passes;

    fn run<J: Join>(self) -> Passes {
        self.started.store(true, Ordering::Release);
        let mut passes = Passes { run: 0, wrong: 0 };
        // At least one pass, so the check below always has something to check.
        loop {
            let sum = J::par_map_sum(0..self.len, &load_value);
            passes.run += 1;
            passes.wrong += usize::from(sum != self.expected);
            if self.stop.load(Ordering::Acquire) {
                return passes;
            }
        }
    }
}

/// Sets the flag when dropped: a ticker that ends in any way, a panic included, stops the
/// load, so the run cannot hang on a load nobody will stop.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

impl Workload for LatencyUnderLoad {
    fn name(&self) -> &'static str {
        match self.percentile {
            Percentile::P50 => "latency_under_load_p50",
            Percentile::P99 => "latency_under_load_p99",
        }
    }

    fn unit(&self) -> Unit {
        Unit::NanosPerOp
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let expected = *self
            .expected
            .get_or_init(|| (0..self.load_len).map(load_value).sum());
        let started = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let stopwatch = Stopwatch::start();
        let load = rt.spawn_parallel(Load {
            len: self.load_len,
            expected,
            started: Arc::clone(&started),
            stop: Arc::clone(&stop),
        });
        let ticks = self.ticks;
        let ticker = rt.spawn_remote(async move {
            let _stop = StopOnDrop(stop);
            // Measure only once the load holds the pool (a handshake, polled at the period).
            let waiting = Instant::now();
            while !started.load(Ordering::Acquire) {
                assert!(
                    waiting.elapsed() < START_LIMIT,
                    "the load did not start within {START_LIMIT:?}: the runtime is stuck"
                );
                R::sleep(PERIOD).await;
            }
            let mut periods = Vec::with_capacity(ticks);
            for _ in 0..ticks {
                let tick = Instant::now();
                R::sleep(PERIOD).await;
                periods.push(tick.elapsed());
            }
            periods
        });
        let mut periods = rt.block_on(ticker);
        let passes = rt.block_on(load);
        // The CPU of the whole run (the load on every worker included), per tick.
        let cpu = stopwatch.stop_per_op(ticks);
        assert!(
            passes.run >= 1 && passes.wrong == 0,
            "{} on {}: the load summed wrong in {} of {} passes",
            self.name(),
            R::NAME,
            passes.wrong,
            passes.run
        );
        assert_eq!(periods.len(), ticks, "the ticker missed ticks");
        assert!(
            periods.iter().all(|&p| p >= PERIOD),
            "a 1 ms sleep returned early: {periods:?}"
        );
        periods.sort_unstable();
        let p = match self.percentile {
            Percentile::P50 => 50,
            Percentile::P99 => 99,
        };
        Sample {
            value: nearest_rank(&periods, p).as_nanos() as f64,
            ..cpu
        }
    }
}

/// The `p`-th percentile (nearest rank) of the sorted, non-empty `sorted`.
pub(super) fn nearest_rank(sorted: &[Duration], p: usize) -> Duration {
    assert!(!sorted.is_empty(), "a percentile of no ticks");
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_the_covering_sample() {
        let ms = |n| Duration::from_millis(n);
        let sorted: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(nearest_rank(&sorted, 50), ms(50));
        assert_eq!(nearest_rank(&sorted, 99), ms(99));
        assert_eq!(nearest_rank(&[ms(7)], 99), ms(7));
        assert_eq!(nearest_rank(&[ms(1), ms(2), ms(3)], 50), ms(2));
    }
}
