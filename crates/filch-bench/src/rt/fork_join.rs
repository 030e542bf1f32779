//! [`Join`]: the fork-join primitive a parallel workload is written against, so one recursion
//! runs on `filch::join` and on `rayon::join` alike; [`ParallelWork`]: such a computation as a
//! value, so [`Rt::spawn_parallel`](super::Rt::spawn_parallel) can hand it to either pool.

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

/// [`Join`] on `filch::join`: call it from a task or `block_on` of a filch runtime.
#[derive(Debug, Clone, Copy)]
pub struct FilchJoin;

impl Join for FilchJoin {
    #[inline]
    fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        filch::join(a, b)
    }

    fn current_num_threads() -> usize {
        filch::current_num_threads()
    }
}

/// [`Join`] on `rayon::join`: call it inside a rayon pool (`install`, `spawn`).
#[derive(Debug, Clone, Copy)]
pub struct RayonJoin;

impl Join for RayonJoin {
    #[inline]
    fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        rayon::join(a, b)
    }

    fn current_num_threads() -> usize {
        rayon::current_num_threads()
    }
}

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
