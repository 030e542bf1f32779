//! [`Stopwatch`]: wall time and the process's CPU time over a workload's timed region.
//!
//! CPU time is user + sys of the whole process (`getrusage(RUSAGE_SELF)`), so it counts every
//! thread of every runtime: a runtime that spins while it waits (a worker that polls before it
//! parks, a `block_on` that spins before it sleeps) shows it as CPU time above its wall time
//! share, and one that parks shows less. The runtimes not being measured are idle then (their
//! workers parked), so what they add is the noise of an idle thread.

use crate::workloads::Sample;
use std::time::{Duration, Instant};

/// The user + sys CPU time this process has used so far, all threads together.
///
/// ```
/// let before = filch_bench::stopwatch::process_cpu_time();
/// let mut x = 0u64;
/// for i in 0..1_000_000u64 {
///     x = std::hint::black_box(x.wrapping_add(i));
/// }
/// assert!(filch_bench::stopwatch::process_cpu_time() >= before);
/// ```
pub fn process_cpu_time() -> Duration {
    // SAFETY: `rusage` is plain old data, so the all-zero value is a valid one, and getrusage
    // only writes into the struct it is given, which lives for the whole call.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let status = libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        assert_eq!(
            status,
            0,
            "getrusage(RUSAGE_SELF) failed: {}",
            std::io::Error::last_os_error()
        );
        usage
    };
    let time = |t: libc::timeval| {
        Duration::new(t.tv_sec as u64, 0) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Started before a timed region; stopped after it into a [`Sample`] that carries the wall
/// time and the CPU time of the region.
///
/// ```
/// use filch_bench::stopwatch::Stopwatch;
///
/// let stopwatch = Stopwatch::start();
/// std::thread::sleep(std::time::Duration::from_millis(2));
/// let sample = stopwatch.stop();
/// // A sleeping thread uses (almost) no CPU: the wall time is what it waited.
/// assert!(sample.value >= 2e6 && sample.cpu >= 0.0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    /// Starts both clocks.
    ///
    /// ```
    /// let stopwatch = filch_bench::stopwatch::Stopwatch::start();
    /// assert!(stopwatch.stop().value > 0.0);
    /// ```
    pub fn start() -> Stopwatch {
        // CPU first: reading it is a system call, which then falls outside the wall time.
        let cpu = process_cpu_time();
        Stopwatch {
            wall: Instant::now(),
            cpu,
        }
    }

    /// The region so far as one sample: wall and CPU nanoseconds.
    ///
    /// ```
    /// let sample = filch_bench::stopwatch::Stopwatch::start().stop();
    /// assert!(sample.allocations.is_none());
    /// ```
    pub fn stop(&self) -> Sample {
        self.stop_per_op(1)
    }

    /// The region so far divided by `ops`: wall and CPU nanoseconds per operation.
    ///
    /// ```
    /// use filch_bench::stopwatch::Stopwatch;
    ///
    /// let stopwatch = Stopwatch::start();
    /// std::thread::sleep(std::time::Duration::from_millis(3));
    /// assert!(stopwatch.stop_per_op(3).value >= 1e6);
    /// ```
    pub fn stop_per_op(&self, ops: usize) -> Sample {
        let wall = self.wall.elapsed();
        let cpu = process_cpu_time().saturating_sub(self.cpu);
        Sample {
            value: wall.as_nanos() as f64 / ops as f64,
            cpu: cpu.as_nanos() as f64 / ops as f64,
            allocations: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_region_shows_its_cpu_time() {
        let stopwatch = Stopwatch::start();
        let before = process_cpu_time();
        // Spin until the process has used 2 ms of CPU; on a loaded machine that may take
        // longer than 2 ms of wall time, so the bound is generous (a hang fails it).
        let deadline = Instant::now() + Duration::from_secs(30);
        while process_cpu_time() - before < Duration::from_millis(2) {
            assert!(
                Instant::now() < deadline,
                "getrusage's CPU time did not advance"
            );
            std::hint::black_box(0u64.wrapping_add(1));
        }
        let sample = stopwatch.stop();
        assert!(sample.cpu >= 2e6, "{sample:?}");
        assert!(stopwatch.stop_per_op(2).cpu >= 1e6);
    }
}
