//! [`Rt`] for smol: one `async_executor::Executor` driven by N threads, as smol's own docs
//! build a multi-threaded executor.

use super::rayon_beside::RayonBeside;
use super::{spawn_then_await, OneshotSender, ParallelWork, Rt, Unwrapped};
use async_executor::{Executor, Task};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

thread_local! {
    /// The executor that `SmolRt::spawn` spawns onto: set for the life of a worker thread, and
    /// for the length of a `block_on` on any other thread. async-executor has no ambient
    /// context of its own (smol's users pass the executor around or make it a static), so the
    /// adapter keeps one, as tokio's and filch's runtimes do.
    static CURRENT: RefCell<Option<Arc<Executor<'static>>>> = const { RefCell::new(None) };
}

/// smol's multi-threaded setup: one [`Executor`] whose `run` is driven by `workers` threads,
/// each in `async_io::block_on` (so an idle worker sleeps in async-io's reactor, which also
/// fires its timers); `spawn_blocking` is smol's `unblock` (the `blocking` pool), and parallel
/// work goes to a rayon pool beside it, as for tokio.
#[derive(Debug)]
pub struct SmolRt {
    executor: Arc<Executor<'static>>,
    /// Dropped to stop the workers: each runs the executor until this channel closes.
    stop: Option<async_channel::Sender<()>>,
    workers: Vec<thread::JoinHandle<()>>,
    rayon: RayonBeside,
}

impl Drop for SmolRt {
    fn drop(&mut self) {
        drop(self.stop.take());
        for worker in self.workers.drain(..) {
            // A worker that panicked already printed its panic; the others must still stop.
            let _ = worker.join();
        }
    }
}

/// Makes `executor` the current one until dropped, then restores the one before.
struct Entered(Option<Arc<Executor<'static>>>);

impl Entered {
    fn new(executor: &Arc<Executor<'static>>) -> Entered {
        Entered(CURRENT.with(|current| current.replace(Some(Arc::clone(executor)))))
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        CURRENT.with(|current| *current.borrow_mut() = self.0.take());
    }
}

/// A smol task's handle that detaches the task when dropped, as tokio's and filch's handles
/// do; async-executor's own `Task` cancels its task when dropped instead.
///
/// ```
/// use filch_bench::rt::{Rt, SmolRt};
///
/// let rt = SmolRt::build(1);
/// let (tx, rx) = std::sync::mpsc::channel();
/// drop(rt.spawn_remote(async move { tx.send(9).unwrap() })); // detached, still runs
/// assert_eq!(rx.recv().unwrap(), 9);
/// ```
#[derive(Debug)]
pub struct SmolTask<T>(Option<Task<T>>);

impl<T> Future for SmolTask<T> {
    type Output = T;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let task = self
            .0
            .as_mut()
            .expect("a SmolTask is only emptied by its drop");
        Pin::new(task).poll(cx)
    }
}

impl<T> Drop for SmolTask<T> {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.detach();
        }
    }
}

impl Rt for SmolRt {
    type JoinHandle<T: Send + 'static> = SmolTask<T>;
    type Sender = futures::channel::oneshot::Sender<()>;
    type Receiver = Unwrapped<futures::channel::oneshot::Receiver<()>>;

    const NAME: &'static str = "smol";

    fn build(workers: usize) -> Self {
        let executor = Arc::new(Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..workers)
            .map(|i| {
                let executor = Arc::clone(&executor);
                let stopped = stopped.clone();
                thread::Builder::new()
                    .name(format!("smol-worker-{i}"))
                    .spawn(move || {
                        let _entered = Entered::new(&executor);
                        // Ends with an error once the sender is dropped: that is the signal.
                        let _ = async_io::block_on(executor.run(stopped.recv()));
                    })
                    .expect("spawning a smol worker thread failed")
            })
            .collect();
        SmolRt {
            executor,
            stop: Some(stop),
            workers: threads,
            rayon: RayonBeside::new(workers),
        }
    }

    #[inline]
    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        let _entered = Entered::new(&self.executor);
        async_io::block_on(fut)
    }

    #[inline]
    fn spawn_remote<F>(&self, fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        SmolTask(Some(self.executor.spawn(fut)))
    }

    #[inline]
    fn spawn<F>(fut: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        CURRENT.with(|current| {
            let current = current.borrow();
            let executor = current.as_ref().expect(
                "SmolRt::spawn was called outside a smol worker or SmolRt::block_on: \
                 use spawn_remote from other threads",
            );
            SmolTask(Some(executor.spawn(fut)))
        })
    }

    #[inline]
    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        SmolTask(Some(blocking::unblock(f)))
    }

    fn spawn_parallel<W: ParallelWork>(&self, work: W) -> Self::JoinHandle<W::Output> {
        self.spawn_remote(self.rayon.run(work))
    }

    #[inline]
    fn yield_now() -> impl Future<Output = ()> + Send {
        futures_lite::future::yield_now()
    }

    #[inline]
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
        let timer = async_io::Timer::after(d);
        async move {
            timer.await;
        }
    }

    #[inline]
    fn oneshot() -> (Self::Sender, Self::Receiver) {
        // smol has no one-shot channel of its own; futures' is the one its users reach for.
        let (tx, rx) = futures::channel::oneshot::channel();
        (tx, Unwrapped(rx))
    }

    fn gather<I>(futures: I) -> impl Future<Output = Vec<<I::Item as Future>::Output>> + Send
    where
        I: IntoIterator,
        I::Item: Future + Send + 'static,
        <I::Item as Future>::Output: Send + 'static,
    {
        // smol has no gather either: spawn each, await them in order.
        spawn_then_await::<Self, I>(futures)
    }
}

impl OneshotSender for futures::channel::oneshot::Sender<()> {
    #[inline]
    fn send(self) {
        if futures::channel::oneshot::Sender::send(self, ()).is_err() {
            panic!("a benchmark's oneshot receiver was dropped before the value was sent");
        }
    }
}
