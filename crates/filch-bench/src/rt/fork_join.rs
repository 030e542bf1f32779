//! [`Join`]: the fork-join primitive a parallel workload is written against, so one recursion
//! runs on `filch::join` and on `rayon::join` alike; [`ParallelWork`]: such a computation as a
//! value, so [`Rt::spawn_parallel`](super::Rt::spawn_parallel) can hand it to either pool.

use std::ops::Range;

/// A fork-join primitive with rayon's contract: run both closures, potentially in parallel,
/// and return both results.
///
/// ```
/// use filch_bench::rt::{Join, RayonJoin};
///
/// fn sum<J: Join>(v: &[u64]) -> u64 {
///     if v.len() <= 2 {
///         return v.iter().sum();
///     }
///     let (left, right) = v.split_at(v.len() / 2);
///     let (a, b) = J::join(|| sum::<J>(left), || sum::<J>(right));
///     a + b
/// }
/// let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
/// assert_eq!(pool.install(|| sum::<RayonJoin>(&[1, 2, 3, 4, 5])), 15);
/// ```
pub trait Join {
    /// Runs `a` and `b`, potentially in parallel, and returns both results.
    ///
    /// ```
    /// use filch_bench::rt::{FilchJoin, Join};
    ///
    /// let rt = filch::Runtime::new();
    /// let pair = rt.block_on(async { FilchJoin::join(|| 1, || 2) });
    /// assert_eq!(pair, (1, 2));
    /// ```
    fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send;

    /// `range.map(f)` summed (wrapping) with the pool's own parallel iterator:
    /// `into_par_iter().map(f).reduce(..)`, filch's or rayon's.
    ///
    /// ```
    /// use filch_bench::rt::{Join, RayonJoin};
    ///
    /// let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    /// assert_eq!(pool.install(|| RayonJoin::par_map_sum(0..101, &|i| i as u64)), 5050);
    /// ```
    fn par_map_sum<F>(range: Range<usize>, f: &F) -> u64
    where
        F: Fn(usize) -> u64 + Sync;

    /// `values.par_iter().map(f)` summed (wrapping), filch's or rayon's.
    ///
    /// ```
    /// use filch_bench::rt::{FilchJoin, Join};
    ///
    /// let rt = filch::Runtime::new();
    /// let sum = rt.block_on(async { FilchJoin::par_slice_sum(&[1, 2, 3], &|x| x * 10) });
    /// assert_eq!(sum, 60);
    /// ```
    fn par_slice_sum<F>(values: &[u64], f: &F) -> u64
    where
        F: Fn(u64) -> u64 + Sync;

    /// The threads of the pool the caller is in: how many pieces a split starts with.
    ///
    /// ```
    /// use filch_bench::rt::{Join, RayonJoin};
    ///
    /// let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    /// assert_eq!(pool.install(RayonJoin::current_num_threads), 3);
    /// ```
    fn current_num_threads() -> usize;
}

/// The [`Join`] of a library with rayon's API (`join`, `current_num_threads`, a `prelude` with
/// `par_iter` and `into_par_iter`): filch's and rayon's impls are the same code on two crates,
/// which is the point of the comparison.
macro_rules! rayon_shaped_join {
    ($(#[$doc:meta])* $name:ident, $krate:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl Join for $name {
            #[inline]
            fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
            where
                A: FnOnce() -> RA + Send,
                B: FnOnce() -> RB + Send,
                RA: Send,
                RB: Send,
            {
                $krate::join(a, b)
            }

            fn par_map_sum<F>(range: Range<usize>, f: &F) -> u64
            where
                F: Fn(usize) -> u64 + Sync,
            {
                use $krate::prelude::*;
                range.into_par_iter().map(f).reduce(|| 0, u64::wrapping_add)
            }

            fn par_slice_sum<F>(values: &[u64], f: &F) -> u64
            where
                F: Fn(u64) -> u64 + Sync,
            {
                use $krate::prelude::*;
                values
                    .par_iter()
                    .map(|&x| f(x))
                    .reduce(|| 0, u64::wrapping_add)
            }

            fn current_num_threads() -> usize {
                $krate::current_num_threads()
            }
        }
    };
}

rayon_shaped_join!(
    /// [`Join`] on `filch::join`: call it from a task or `block_on` of a filch runtime.
    FilchJoin,
    filch
);
rayon_shaped_join!(
    /// [`Join`] on `rayon::join`: call it inside a rayon pool (`install`, `spawn`).
    RayonJoin,
    rayon
);

/// A CPU-parallel computation written once against [`Join`]: the closure a pool runs, with
/// the fork-join primitive as a type parameter (a closure cannot be generic itself).
///
/// ```
/// use filch_bench::rt::{Join, ParallelWork, RayonJoin};
///
/// /// Doubles both halves of a pair in parallel.
/// struct Double(u32, u32);
///
/// impl ParallelWork for Double {
///     type Output = (u32, u32);
///
///     fn run<J: Join>(self) -> (u32, u32) {
///         J::join(|| self.0 * 2, || self.1 * 2)
///     }
/// }
/// let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
/// assert_eq!(pool.install(|| Double(1, 2).run::<RayonJoin>()), (2, 4));
/// ```
pub trait ParallelWork: Send + 'static {
    /// What the computation returns.
    type Output: Send + 'static;

    /// Runs the computation, forking with `J`; called on a thread of `J`'s pool.
    ///
    /// ```
    /// use filch_bench::rt::{FilchJoin, Join, ParallelWork};
    ///
    /// struct Answer;
    ///
    /// impl ParallelWork for Answer {
    ///     type Output = u32;
    ///
    ///     fn run<J: Join>(self) -> u32 {
    ///         let (a, b) = J::join(|| 40, || 2);
    ///         a + b
    ///     }
    /// }
    /// let rt = filch::Runtime::new();
    /// assert_eq!(rt.block_on(async { Answer.run::<FilchJoin>() }), 42);
    /// ```
    fn run<J: Join>(self) -> Self::Output;
}
