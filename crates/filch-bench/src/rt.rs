//! [`Rt`]: the few runtime operations the workloads use, so each workload is written once.
//!
//! The workloads are generic over `R: Rt` and monomorphised per runtime, so the adapter adds
//! neither dynamic dispatch nor allocation in the measured path: every method is a direct call
//! to the runtime's own function, and [`Unwrapped`] only turns `Result<T, E>` into `T`.
//! CPU-parallel workloads are written once against [`Join`] and handed to a runtime with
//! [`Rt::spawn_parallel`].

mod filch_rt;
mod fork_join;
mod rayon_beside;
mod smol_rt;
mod tokio_rt;

pub use filch_rt::FilchRt;
pub use fork_join::{FilchJoin, Join, ParallelWork, RayonJoin};
pub(crate) use rayon_beside::rayon_pool;
pub use smol_rt::{SmolRt, SmolTask};
pub use tokio_rt::TokioRt;

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A multi-threaded runtime as the workloads see it.
///
/// "Remote" operations are called from a thread outside the runtime (the bench thread);
/// the associated functions without `&self` are called from inside a task and use the
/// runtime of the current context, as `tokio::spawn` and `filch::spawn` do.
///
/// ```
/// use filch_bench::rt::{FilchRt, Rt, SmolRt, TokioRt};
///
/// /// Written once, run on every runtime.
/// fn spawn_and_double<R: Rt>(rt: &R) -> u32 {
///     rt.block_on(async { R::spawn(async { 21 }).await * 2 })
/// }
/// assert_eq!(spawn_and_double(&FilchRt::build(1)), 42);
/// assert_eq!(spawn_and_double(&TokioRt::build(1)), 42);
/// assert_eq!(spawn_and_double(&SmolRt::build(1)), 42);
/// ```
pub trait Rt: Send + Sync + Sized + 'static {
    /// A task's handle; awaiting it gives the task's output (a failed task panics the awaiter).
    type JoinHandle<T: Send + 'static>: Future<Output = T> + Send + Unpin + 'static;
    /// The sending half of [`Rt::oneshot`].
    type Sender: OneshotSender;
    /// The receiving half of [`Rt::oneshot`]; it completes once the sender has sent.
    type Receiver: Future<Output = ()> + Send + Unpin + 'static;

    /// The name shown in reports.
    const NAME: &'static str;

    /// Builds a runtime with `workers` worker threads and its timer enabled.
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, Rt};
    ///
    /// let rt = FilchRt::build(2);
    /// assert_eq!(rt.block_on(async { 7 }), 7);
    /// ```
    fn build(workers: usize) -> Self;

    /// Runs `fut` to completion on the calling (non-worker) thread.
    ///
    /// ```
    /// use filch_bench::rt::{Rt, TokioRt};
    ///
    /// assert_eq!(TokioRt::build(1).block_on(async { "done" }), "done");
    /// ```
    fn block_on<F: Future>(&self, fut: F) -> F::Output;

    /// Spawns from outside the runtime (the bench thread or another plain thread).
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, Rt};
    ///
    /// let rt = FilchRt::build(1);
    /// let handle = rt.spawn_remote(async { 3 });
    /// assert_eq!(rt.block_on(handle), 3);
    /// ```
    fn spawn_remote<F>(&self, fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns from inside a task or `block_on` of this runtime.
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, Rt};
    ///
    /// let rt = FilchRt::build(1);
    /// assert_eq!(rt.block_on(async { FilchRt::spawn(async { 4 }).await }), 4);
    /// ```
    fn spawn<F>(fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs `f` on the runtime's blocking pool; called from inside a task.
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, Rt};
    ///
    /// let rt = FilchRt::build(1);
    /// assert_eq!(rt.block_on(async { FilchRt::spawn_blocking(|| 5).await }), 5);
    /// ```
    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// Runs the fork-join computation `work` where a service on this runtime runs one, as a
    /// task whose handle completes with its result; called from outside the runtime.
    ///
    /// filch: a task on its own workers, forking with `filch::join` (one pool for async and
    /// parallel work). tokio and smol have no fork-join of their own, so their users pair them
    /// with rayon: a task hands `work` to a rayon pool of as many threads as the runtime has
    /// workers (built on first use, so other workloads never see it) and awaits a oneshot back.
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, Join, ParallelWork, Rt, TokioRt};
    ///
    /// struct Sum(Vec<u64>);
    ///
    /// impl ParallelWork for Sum {
    ///     type Output = u64;
    ///
    ///     fn run<J: Join>(self) -> u64 {
    ///         let (left, right) = self.0.split_at(self.0.len() / 2);
    ///         let (a, b) = J::join(|| left.iter().sum::<u64>(), || right.iter().sum::<u64>());
    ///         a + b
    ///     }
    /// }
    /// fn run<R: Rt>(rt: &R) -> u64 {
    ///     rt.block_on(rt.spawn_parallel(Sum((1..=10).collect())))
    /// }
    /// assert_eq!(run(&FilchRt::build(2)), 55);
    /// assert_eq!(run(&TokioRt::build(2)), 55);
    /// ```
    fn spawn_parallel<W: ParallelWork>(&self, work: W) -> Self::JoinHandle<W::Output>;

    /// Yields once to the scheduler.
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, Rt};
    ///
    /// let rt = FilchRt::build(1);
    /// assert_eq!(rt.block_on(async { FilchRt::yield_now().await; 6 }), 6);
    /// ```
    fn yield_now() -> impl Future<Output = ()> + Send;

    /// Completes after `d`.
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, Rt};
    /// use std::time::{Duration, Instant};
    ///
    /// let rt = FilchRt::build(1);
    /// let start = Instant::now();
    /// rt.block_on(FilchRt::sleep(Duration::from_millis(1)));
    /// assert!(start.elapsed() >= Duration::from_millis(1));
    /// ```
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send;

    /// The runtime's own one-shot rendezvous: tokio's `oneshot`, filch's `Promise`; smol has
    /// none, so futures' `oneshot`, the one its users reach for.
    ///
    /// It carries no value: the workloads measure the signal, and a unit keeps the
    /// comparison free of the value's clone or move semantics, which differ between the two.
    ///
    /// ```
    /// use filch_bench::rt::{OneshotSender, Rt, TokioRt};
    ///
    /// let rt = TokioRt::build(1);
    /// let (tx, rx) = TokioRt::oneshot();
    /// let waiter = rt.spawn_remote(rx);
    /// OneshotSender::send(tx); // tokio's `Sender` has an inherent `send(value)` too
    /// rt.block_on(waiter); // returns once the signal arrived
    /// ```
    fn oneshot() -> (Self::Sender, Self::Receiver);

    /// Spawns every future and returns their outputs in input order, in the runtime's
    /// idiomatic way: `filch::gather` for filch, spawn-then-await-in-order for tokio and smol.
    /// Call it from inside a task or `block_on`, as [`Rt::spawn`]: filch's spawns at once.
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, Rt};
    ///
    /// let rt = FilchRt::build(2);
    /// // Called from inside the runtime, like `spawn`.
    /// let squares = rt.block_on(async {
    ///     FilchRt::gather((1..=4u64).map(|n| async move { n * n })).await
    /// });
    /// assert_eq!(squares, [1, 4, 9, 16]);
    /// ```
    fn gather<I>(futures: I) -> impl Future<Output = Vec<<I::Item as Future>::Output>> + Send
    where
        I: IntoIterator,
        I::Item: Future + Send + 'static,
        <I::Item as Future>::Output: Send + 'static;
}

/// The sending half of a one-shot rendezvous.
///
/// ```
/// use filch_bench::rt::{FilchRt, OneshotSender, Rt};
///
/// let rt = FilchRt::build(1);
/// let (tx, rx) = FilchRt::oneshot();
/// tx.send();
/// rt.block_on(rx); // already signalled: returns at once
/// ```
pub trait OneshotSender: Send + 'static {
    /// Completes the rendezvous, waking the receiver.
    ///
    /// ```
    /// use filch_bench::rt::{FilchRt, OneshotSender, Rt};
    ///
    /// let rt = FilchRt::build(1);
    /// let (tx, rx) = FilchRt::oneshot();
    /// let waiter = rt.spawn_remote(rx);
    /// tx.send();
    /// rt.block_on(waiter);
    /// ```
    fn send(self);
}

/// Turns a future of `Result<T, E>` into a future of `T`, panicking on `Err`.
///
/// A failed task or a dropped sender is a bug in a workload, so there is nothing to report
/// but the panic; unwrapping inside the adapter keeps the workloads' code identical for both
/// runtimes, whose error types differ.
///
/// ```
/// use filch_bench::rt::{FilchRt, Rt, Unwrapped};
///
/// let rt = FilchRt::build(1);
/// let ok = std::future::ready(Ok::<u8, String>(8));
/// assert_eq!(rt.block_on(Unwrapped(ok)), 8);
/// ```
#[derive(Debug)]
pub struct Unwrapped<F>(pub F);

impl<F, T, E> Future for Unwrapped<F>
where
    F: Future<Output = Result<T, E>> + Unpin,
    E: Debug,
{
    type Output = T;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match Pin::new(&mut self.0).poll(cx) {
            Poll::Ready(Ok(value)) => Poll::Ready(value),
            Poll::Ready(Err(err)) => panic!("a benchmark task failed: {err:?}"),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The `gather` of a runtime that has none (tokio, smol): spawn every future, then await the
/// handles in order. Called from inside a task or `block_on`, as [`Rt::spawn`].
fn spawn_then_await<R, I>(
    futures: I,
) -> impl Future<Output = Vec<<I::Item as Future>::Output>> + Send
where
    R: Rt,
    I: IntoIterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(R::spawn).collect();
    async move {
        let mut outputs = Vec::with_capacity(handles.len());
        for handle in handles {
            outputs.push(handle.await);
        }
        outputs
    }
}
