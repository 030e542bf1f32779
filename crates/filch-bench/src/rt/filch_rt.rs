//! [`Rt`] for filch's runtime.

use super::{FilchJoin, OneshotSender, ParallelWork, Rt, Unwrapped};
use filch::{spawn, spawn_blocking, yield_now, JoinHandle, Promise, Runtime};
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

/// filch's multi-threaded work-stealing runtime.
#[derive(Debug)]
pub struct FilchRt(Runtime);

impl Rt for FilchRt {
    type JoinHandle<T: Send + 'static> = Unwrapped<JoinHandle<T>>;
    type Sender = Promise<(), Infallible>;
    type Receiver = Unwrapped<Promise<(), Infallible>>;

    const NAME: &'static str = "filch";

    fn build(workers: usize) -> Self {
        let rt = Runtime::builder()
            .worker_threads(workers)
            .build()
            .expect("building a filch runtime failed");
        FilchRt(rt)
    }

    #[inline]
    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        self.0.block_on(fut)
    }

    #[inline]
    fn spawn_remote<F>(&self, fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(self.0.spawn(fut))
    }

    #[inline]
    fn spawn<F>(fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(spawn(fut))
    }

    #[inline]
    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Unwrapped(spawn_blocking(f))
    }

    #[inline]
    fn spawn_parallel<W: ParallelWork>(&self, work: W) -> Self::JoinHandle<W::Output> {
        // The parallel work runs inside the task, on the workers that run async tasks too.
        Unwrapped(self.0.spawn(async move { work.run::<FilchJoin>() }))
    }

    #[inline]
    fn yield_now() -> impl Future<Output = ()> + Send {
        yield_now()
    }

    #[inline]
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
        filch::sleep(d)
    }

    #[inline]
    fn oneshot() -> (Self::Sender, Self::Receiver) {
        let promise = Promise::new();
        (promise.clone(), Unwrapped(promise))
    }

    fn gather<I>(futures: I) -> impl Future<Output = Vec<<I::Item as Future>::Output>> + Send
    where
        I: IntoIterator,
        I::Item: Future + Send + 'static,
        <I::Item as Future>::Output: Send + 'static,
    {
        let gathered = filch::gather(futures);
        async move { gathered.await.expect("a gathered benchmark task failed") }
    }
}

impl OneshotSender for Promise<(), Infallible> {
    #[inline]
    fn send(self) {
        self.set_result(())
            .expect("a benchmark's promise was already done when it was set");
    }
}
