//! `join_fib_*`: recursive Fibonacci forking with `join` above a sequential cutoff.

use super::fork_join_fib::fib_iterative;
use super::Problem;
use crate::rt::Join;
use std::hint::black_box;

/// fib(`n`), each call with `n > cutoff` forking its two children with `join`, each call at or
/// below the cutoff plain recursion. Cutoff 1 is a join per call (fib(25): 121,392 joins,
/// fib(32): 2,178,308), the fork-join primitive's own overhead; cutoffs 10 and 20 are the
/// grain a real program picks, where the split cost is amortised.
#[derive(Debug, Clone)]
pub struct JoinFib {
    /// The workload's name (the same at every scale, as `--only` needs).
    pub name: &'static str,
    /// The Fibonacci index to compute.
    pub n: u32,
    /// The largest index computed by plain recursion; at least 1 (fib(0), fib(1) are leaves).
    pub cutoff: u32,
}

/// What one run computes.
#[derive(Debug, Clone, Copy)]
pub struct FibInput {
    n: u32,
    cutoff: u32,
}

impl Problem for JoinFib {
    type Input = FibInput;
    type Output = u64;

    fn name(&self) -> &'static str {
        self.name
    }

    fn input(&self) -> FibInput {
        assert!(
            self.cutoff >= 1,
            "{}: the cutoff must be at least 1 (fib(0) and fib(1) are the leaves), not 0",
            self.name
        );
        FibInput {
            n: black_box(self.n),
            cutoff: black_box(self.cutoff),
        }
    }

    fn solve<J: Join>(input: FibInput) -> u64 {
        fib::<J>(input.n, input.cutoff)
    }

    fn expected(&self) -> u64 {
        fib_iterative(self.n)
    }
}

fn fib<J: Join>(n: u32, cutoff: u32) -> u64 {
    if n <= cutoff {
        return fib_sequential(n);
    }
    let (left, right) = J::join(|| fib::<J>(n - 1, cutoff), || fib::<J>(n - 2, cutoff));
    left + right
}

fn fib_sequential(n: u32) -> u64 {
    if n < 2 {
        u64::from(n)
    } else {
        fib_sequential(n - 1) + fib_sequential(n - 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt::RayonJoin;

    #[test]
    fn every_cutoff_gives_the_same_answer() {
        let pool = crate::rt::rayon_pool(2);
        for cutoff in [1, 2, 5, 15, 30] {
            let input = FibInput { n: 15, cutoff };
            assert_eq!(pool.install(|| JoinFib::solve::<RayonJoin>(input)), 610);
        }
    }

    #[test]
    #[should_panic(expected = "the cutoff must be at least 1")]
    fn cutoff_zero_is_refused() {
        JoinFib {
            name: "fib",
            n: 3,
            cutoff: 0,
        }
        .input();
    }
}
