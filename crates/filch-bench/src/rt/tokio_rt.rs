//! [`Rt`] for tokio's multi-threaded runtime.

use super::rayon_beside::RayonBeside;
use super::{spawn_then_await, OneshotSender, ParallelWork, Rt, Unwrapped};
use std::future::Future;
use std::time::Duration;

/// tokio's multi-threaded runtime, built as tokio's own benches build it (`enable_all`), and
/// the rayon pool a tokio service runs its parallel work on ([`Rt::spawn_parallel`]).
#[derive(Debug)]
pub struct TokioRt {
    runtime: tokio::runtime::Runtime,
    rayon: RayonBeside,
}

impl Rt for TokioRt {
    type JoinHandle<T: Send + 'static> = Unwrapped<tokio::task::JoinHandle<T>>;
    type Sender = tokio::sync::oneshot::Sender<()>;
    type Receiver = Unwrapped<tokio::sync::oneshot::Receiver<()>>;

    const NAME: &'static str = "tokio";

    fn build(workers: usize) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .expect("building a tokio runtime failed");
        TokioRt {
            runtime: rt,
            rayon: RayonBeside::new(workers),
        }
    }

    #[inline]
    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        self.runtime.block_on(fut)
    }

    #[inline]
    fn spawn_remote<F>(&self, fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(self.runtime.spawn(fut))
    }

    #[inline]
    fn spawn<F>(fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrapped(tokio::spawn(fut))
    }

    #[inline]
    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Unwrapped(tokio::task::spawn_blocking(f))
    }

    fn spawn_parallel<W: ParallelWork>(&self, work: W) -> Self::JoinHandle<W::Output> {
        Unwrapped(self.runtime.spawn(self.rayon.run(work)))
    }

    #[inline]
    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }

    #[inline]
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(d)
    }

    #[inline]
    fn oneshot() -> (Self::Sender, Self::Receiver) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        (tx, Unwrapped(rx))
    }

    fn gather<I>(futures: I) -> impl Future<Output = Vec<<I::Item as Future>::Output>> + Send
    where
        I: IntoIterator,
        I::Item: Future + Send + 'static,
        <I::Item as Future>::Output: Send + 'static,
    {
        // tokio has no gather: the idiomatic equivalent spawns each and awaits them in order.
        spawn_then_await::<Self, I>(futures)
    }
}

impl OneshotSender for tokio::sync::oneshot::Sender<()> {
    #[inline]
    fn send(self) {
        if tokio::sync::oneshot::Sender::send(self, ()).is_err() {
            panic!("a benchmark's oneshot receiver was dropped before the value was sent");
        }
    }
}
