//! `fork_join_fib`: recursive fork-join, each call a task, against `rayon::join`.

use super::{Reference, Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::future::Future;
use std::hint::black_box;
use std::time::Instant;

/// fib(25): 242,785 calls, each one a spawned task.
pub const FULL_N: u32 = 25;

/// fib(`n`) where every call spawns its two children and awaits both, so a run spawns
/// 2·fib(n+1) − 1 tasks. The reference column runs the same recursion on a rayon pool of
/// the same size with `rayon::join`, the fork-join primitive the async runtimes compete with.
#[derive(Debug, Clone)]
pub struct ForkJoinFib {
    /// The Fibonacci index to compute.
    pub n: u32,
}

impl Workload for ForkJoinFib {
    fn name(&self) -> &'static str {
        "fork_join_fib"
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let n = black_box(self.n);
        let stopwatch = Stopwatch::start();
        let value = rt.block_on(rt.spawn_remote(fib::<R>(n)));
        let sample = stopwatch.stop();
        assert_eq!(
            value,
            fib_iterative(self.n),
            "fib({}) came out wrong",
            self.n
        );
        sample
    }

    fn reference(&self, workers: usize) -> Option<Reference> {
        let pool = crate::rt::rayon_pool(workers);
        let n = self.n;
        let run = move || {
            let start = Instant::now();
            let value = pool.install(|| fib_rayon(black_box(n)));
            let nanos = start.elapsed().as_nanos() as f64;
            assert_eq!(value, fib_iterative(n), "rayon's fib({n}) came out wrong");
            nanos
        };
        Some(Reference {
            name: "rayon::join",
            run: Box::new(run),
        })
    }
}

/// The async recursion: spawn both children, await both.
///
/// Not an `async fn`: a recursive one cannot prove its own future `Send` (the compiler
/// would need the type it is defining), so the signature states `Send` explicitly.
#[allow(clippy::manual_async_fn)]
fn fib<R: Rt>(n: u32) -> impl Future<Output = u64> + Send + 'static {
    async move {
        if n < 2 {
            return u64::from(n);
        }
        let left = R::spawn(fib::<R>(n - 1));
        let right = R::spawn(fib::<R>(n - 2));
        left.await + right.await
    }
}

fn fib_rayon(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n);
    }
    let (left, right) = rayon::join(|| fib_rayon(n - 1), || fib_rayon(n - 2));
    left + right
}

/// The expected answer, computed without any runtime.
pub(super) fn fib_iterative(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_fib_values() {
        let first: Vec<u64> = (0..10).map(fib_iterative).collect();
        assert_eq!(first, [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
        assert_eq!(fib_iterative(FULL_N), 75_025);
        assert_eq!(fib_rayon(12), fib_iterative(12));
    }
}
