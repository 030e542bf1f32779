//! [`Rt`]: the few runtime operations the workloads use, so each workload is written once.
//!
//! The workloads are generic over `R: Rt` and monomorphised per runtime, so the adapter adds
//! neither dynamic dispatch nor allocation in the measured path: every method is a direct call
//! to the runtime's own function, and [`Unwrapped`] only turns `Result<T, E>` into `T`.

mod filch_rt;
mod tokio_rt;

pub use filch_rt::FilchRt;
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
    fn build(workers: usize) -> Self;

    /// Runs `fut` to completion on the calling (non-worker) thread.
    fn block_on<F: Future>(&self, fut: F) -> F::Output;

    /// Spawns from outside the runtime (the bench thread or another plain thread).
    fn spawn_remote<F>(&self, fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns from inside a task or `block_on` of this runtime.
    fn spawn<F>(fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs `f` on the runtime's blocking pool; called from inside a task.
    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// Yields once to the scheduler.
    fn yield_now() -> impl Future<Output = ()> + Send;

    /// Completes after `d`.
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send;

    /// The runtime's own one-shot rendezvous: tokio's `oneshot`, filch's `Promise`.
    ///
    /// It carries no value: the workloads measure the signal, and a unit keeps the
    /// comparison free of the value's clone or move semantics, which differ between the two.
    fn oneshot() -> (Self::Sender, Self::Receiver);

    /// Spawns every future and returns their outputs in input order, in the runtime's
    /// idiomatic way: `filch::gather` for filch, spawn-then-await-in-order for tokio.
    fn gather<I>(futures: I) -> impl Future<Output = Vec<<I::Item as Future>::Output>> + Send
    where
        I: IntoIterator,
        I::Item: Future + Send + 'static,
        <I::Item as Future>::Output: Send + 'static;
}

/// The sending half of a one-shot rendezvous.
pub trait OneshotSender: Send + 'static {
    /// Completes the rendezvous, waking the receiver.
    fn send(self);
}

/// Turns a future of `Result<T, E>` into a future of `T`, panicking on `Err`.
///
/// A failed task or a dropped sender is a bug in a workload, so there is nothing to report
/// but the panic; unwrapping inside the adapter keeps the workloads' code identical for both
/// runtimes, whose error types differ.
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
