//! [`Rt`] for tokio's multi-threaded runtime.

use super::{OneshotSender, ParallelWork, RayonJoin, Rt, Unwrapped};
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// tokio's multi-threaded runtime, built as tokio's own benches build it (`enable_all`), and
/// the rayon pool a tokio service runs its parallel work on ([`Rt::spawn_parallel`]).
#[derive(Debug)]
pub struct TokioRt {
    runtime: tokio::runtime::Runtime,
    workers: usize,
    /// Built on the first `spawn_parallel` only: idle threads of a pool that the other
    /// workloads never use would still be threads the comparison did not ask for.
    rayon: OnceLock<Arc<rayon::ThreadPool>>,
}

impl TokioRt {
    /// The rayon pool beside the runtime, as many threads as it has workers.
    fn rayon(&self) -> &Arc<rayon::ThreadPool> {
        self.rayon.get_or_init(|| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(self.workers)
                .build()
                .expect("building the rayon pool beside tokio failed");
            Arc::new(pool)
        })
    }
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
            workers,
            rayon: OnceLock::new(),
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
        let pool = Arc::clone(self.rayon());
        Unwrapped(self.runtime.spawn(async move {
            let (send, receive) = tokio::sync::oneshot::channel();
            pool.spawn(move || {
                // A panic in a rayon `spawn` aborts the process: carry it back instead, so it
                // fails this task (and the workload) as a panic in a filch task does.
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| work.run::<RayonJoin>()));
                // The receiver is gone only if the awaiting task was dropped: nobody wants it.
                let _ = send.send(outcome);
            });
            match receive.await {
                Ok(Ok(value)) => value,
                Ok(Err(payload)) => panic::resume_unwind(payload),
                Err(_) => panic!("the rayon job ended without sending its result"),
            }
        }))
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
