//! [`Rt`] for tokio's multi-threaded runtime.

use super::{OneshotSender, Rt, Unwrapped};
use std::future::Future;
use std::time::Duration;

/// tokio's multi-threaded runtime, built as tokio's own benches build it (`enable_all`).
#[derive(Debug)]
pub struct TokioRt(tokio::runtime::Runtime);

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
        TokioRt(rt)
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
        let handles: Vec<_> = futures.into_iter().map(Self::spawn).collect();
        async move {
            let mut outputs = Vec::with_capacity(handles.len());
            for handle in handles {
                outputs.push(handle.await);
            }
            outputs
        }
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
