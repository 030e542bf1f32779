//! Fork-join on the runtime's workers: [`join`], [`join_context`], [`scope`] (rayon's names,
//! rayon's model), sharing the workers with the async tasks.
//!
//! - `job.rs`: [`StackJob`] (a closure in its caller's frame) and `HeapJob` (a scope's
//!   spawn), both reached from a deque through a two-word [`JobRef`].
//! - `latch.rs`: the one-shot flag a job's owner waits for, and how it wakes a sleeping owner.
//! - `scope.rs`: [`scope`] and its completion count.
//! - `scheduler/jobs.rs`: the per-worker LIFO job deques; `scheduler/worker.rs`: how a worker
//!   steals jobs and what it does while it waits for one (`Worker::wait_until`).
//!
//! # `join` on a worker
//! `b` becomes a [`StackJob`] in `join`'s frame and its [`JobRef`] goes on top of this
//! worker's job deque, where any idle worker can steal it; `a` runs here. Then the deque's top
//! is popped: if it is `b`, nobody stole it and it runs here too, inline: no allocation, no
//! task, no atomic beyond the deque's own. If `b` was stolen (the deque is empty: thieves take
//! from the bottom, so everything older went first), this worker waits for `b`'s latch,
//! running other work meanwhile (`Worker::wait_until`). A panic in `a` is held until `b` has
//! finished too (`b` borrows from this frame), then propagates; `b`'s panic propagates from
//! wherever it ran.
//!
//! # From outside the workers
//! On the `block_on` thread or a blocking-pool thread, the whole operation is handed to the
//! workers as one task that runs it (so both halves run on workers), and the thread waits for
//! that task as `block_on` waits (`in_worker`). Riding on a task, rather than a queue of its
//! own, gives the cold path the task's shutdown rules for free: a task the shutdown cancels
//! before it ran tells its waiter so, instead of leaving it waiting.

mod job;
mod latch;
#[cfg(all(test, loom))]
mod loom_tests;
mod scope;

pub(crate) use job::JobRef;
pub(crate) use latch::Latch;
pub use scope::{scope, Scope};

use crate::runtime::{block_on, context};
use crate::scheduler::worker::Worker;
use job::StackJob;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// What a closure passed to [`join_context`] learns about where it runs.
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let (a, b) = rt.block_on(async {
///     filch::join_context(|ctx| ctx.migrated(), |ctx| ctx.migrated())
/// });
/// // From `block_on`, both halves run on the workers, not on this thread.
/// assert!(a && b);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct FnContext {
    migrated: bool,
}

impl FnContext {
    /// Whether this closure runs on another thread than the one that called `join_context`
    /// (it was stolen, or the call came from outside the workers): a parallel iterator splits
    /// such a piece again, since an idle worker came for it.
    pub fn migrated(&self) -> bool {
        self.migrated
    }
}

/// Runs `a` and `b`, potentially in parallel, and returns both results.
///
/// On a worker (inside a task or another fork-join closure), `a` runs on the calling thread
/// while `b` waits where an idle worker can steal it; if nobody did, the caller runs `b` too.
/// Neither case allocates or spawns a task. While a stolen `b` runs elsewhere, the caller
/// runs other work (other jobs, and async tasks queued on its worker) instead of sleeping.
/// From the `block_on` thread or inside `spawn_blocking`, both halves run on the workers and
/// the caller waits.
///
/// # Panics
/// If `a` or `b` panics, once both have finished (`a`'s panic if both did). Outside a filch
/// runtime, with a message saying where to call it from.
///
/// # Example
/// ```
/// fn fib(n: u64) -> u64 {
///     if n < 2 {
///         return n;
///     }
///     let (a, b) = filch::join(|| fib(n - 1), || fib(n - 2));
///     a + b
/// }
///
/// let rt = filch::Runtime::new();
/// assert_eq!(rt.block_on(async { fib(20) }), 6765);
/// // In a task, the same call forks onto the workers that serve the async work.
/// let task = rt.spawn(async { fib(20) });
/// assert_eq!(rt.block_on(task).unwrap(), 6765);
/// ```
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    join_context(|_| a(), |_| b())
}

/// [`join`], telling each closure whether it was stolen ([`FnContext::migrated`]).
///
/// # Panics
/// As [`join`].
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let sum = rt.block_on(async {
///     let (left, right) = filch::join_context(
///         |_| (0..1_000u64).sum::<u64>(),
///         |ctx| {
///             // `ctx.migrated()`: whether another worker took this half.
///             let _ = ctx.migrated();
///             (1_000..2_000u64).sum::<u64>()
///         },
///     );
///     left + right
/// });
/// assert_eq!(sum, 1_999_000);
/// ```
pub fn join_context<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce(FnContext) -> RA + Send,
    B: FnOnce(FnContext) -> RB + Send,
    RA: Send,
    RB: Send,
{
    in_worker("join", move |worker, injected| {
        join_on(worker, a, b, injected)
    })
}

/// `join` on `worker`'s thread. `injected`: the call came from outside the workers.
fn join_on<A, B, RA, RB>(worker: &Worker, a: A, b: B, injected: bool) -> (RA, RB)
where
    A: FnOnce(FnContext) -> RA + Send,
    B: FnOnce(FnContext) -> RB + Send,
    RA: Send,
    RB: Send,
{
    let job_b = StackJob::new(b, worker.index());
    // SAFETY: `job_b` stays in this frame until it has run: every path below (including
    // `a`'s panic) first takes it back to run inline or waits for its latch.
    worker.push_job(unsafe { job_b.as_job_ref() });
    let ra = match panic::catch_unwind(AssertUnwindSafe(|| a(FnContext { migrated: injected }))) {
        Ok(ra) => ra,
        Err(payload) => {
            // `b` may borrow from this frame: it must finish before the panic leaves it. Its
            // own panic, if any, is dropped: `a`'s wins.
            let _ = panic::catch_unwind(AssertUnwindSafe(|| finish(worker, &job_b, injected)));
            panic::resume_unwind(payload)
        }
    };
    (ra, finish(worker, &job_b, injected))
}

/// Gets `job`'s result: runs it here if it is still on top of this worker's deque, otherwise
/// waits for the worker that took it, helping meanwhile.
fn finish<F, R>(worker: &Worker, job: &StackJob<F, R>, injected: bool) -> R
where
    F: FnOnce(FnContext) -> R + Send,
    R: Send,
{
    while !job.latch.probe() {
        match worker.pop_job() {
            Some(top) if top.is(job.as_ptr()) => return job.run_inline(injected),
            // Not reached by `join` and `scope`, which leave the deque as they found it; run
            // whatever it is rather than lose it.
            // SAFETY: a job taken from this worker's deque has not run and its frame is alive.
            Some(other) => unsafe { other.execute(worker) },
            None => worker.wait_until(&job.latch),
        }
    }
    job.take_result()
}

/// Runs `op` on a worker of the current runtime: right here if this thread is one, otherwise
/// as a task on the workers while this thread waits. `op` learns whether it was sent over.
fn in_worker<R, OP>(what: &str, op: OP) -> R
where
    OP: FnOnce(&Worker, bool) -> R + Send,
    R: Send,
{
    let mut op = Some(op);
    let here = context::with_worker(|worker| {
        worker.map(|worker| (op.take().expect("not run yet"))(worker, false))
    });
    if let Some(result) = here {
        return result;
    }
    let op = op.take().expect("not run yet");
    let Some(handle) = context::current() else {
        panic_outside_runtime(what)
    };
    let job = StackJob::new(
        move |_: FnContext| {
            context::with_worker(|worker| op(worker.expect("a task runs on a worker"), true))
        },
        // Nobody waits on this latch as a worker: the caller waits for the task.
        usize::MAX,
    );
    // SAFETY: `job` stays in this frame until the task ran it (its output is awaited below)
    // or was dropped unrun (cancelled by shutdown): then the `JobRef` never ran and is gone.
    let task = handle
        .shared
        .spawn(RunJob(Some(unsafe { job.as_job_ref() })));
    match block_on::wait_here(&handle.shared, task) {
        Ok(()) => job.take_result(),
        Err(error) if error.is_panic() => panic::resume_unwind(error.into_panic()),
        Err(_) => panic!(
            "filch::{what}: the runtime shut down before the workers could run this call; \
             keep the Runtime alive until its fork-join calls return"
        ),
    }
}

/// The task that carries a call from outside the workers to one of them.
struct RunJob(Option<JobRef>);

impl Future for RunJob {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        let job = self.0.take().expect("RunJob polled after it completed");
        context::with_worker(|worker| {
            let worker = worker.expect("filch tasks run on the runtime's workers");
            // SAFETY: the `JobRef` is taken out, so it runs once; its frame (`in_worker`'s)
            // waits for this task's output.
            unsafe { job.execute(worker) }
        });
        Poll::Ready(())
    }
}

#[track_caller]
fn panic_outside_runtime(what: &str) -> ! {
    panic!(
        "filch::{what} called outside a filch runtime: call it from a task, inside \
         Runtime::block_on or inside spawn_blocking"
    )
}

/// Panics, saying what to do, unless this thread belongs to or has entered a runtime: the
/// check every parallel-iterator consumer makes first, so misuse fails the same way whatever
/// the input size.
#[track_caller]
pub(crate) fn expect_runtime(what: &str) {
    if context::current().is_none() {
        panic_outside_runtime(what);
    }
}

/// A long fork-join leaf (a parallel iterator's sequential piece) calls this between chunks:
/// on a worker, due timers fire and one async task waiting on this worker is polled, so async
/// work is served while a parallel computation saturates every worker. Elsewhere, nothing.
/// The caller spaces the calls by time (`iter::plumbing`), about [`ASYNC_BOUNDARY`] apart.
pub(crate) fn let_async_in() {
    context::with_worker(|worker| {
        if let Some(worker) = worker {
            worker.serve_due_async();
        }
    });
}

/// How much fork-join work a worker does between two [`let_async_in`] calls: the latency
/// a timer or a request handler sees at worst while every worker is in a parallel
/// computation, and small against the cost of a boundary (a clock read, a timer-wheel lock,
/// a look at the queues: well under a microsecond).
pub(crate) const ASYNC_BOUNDARY: std::time::Duration = std::time::Duration::from_micros(100);

/// The number of workers of the runtime this thread belongs to or has entered (the machine's
/// core count outside any runtime): how many pieces a parallel computation starts with.
///
/// # Example
/// ```
/// let rt = filch::Builder::new().worker_threads(3).build().unwrap();
/// assert_eq!(rt.block_on(async { filch::current_num_threads() }), 3);
/// ```
pub fn current_num_threads() -> usize {
    context::with_worker(|worker| worker.map(|w| w.shared().num_workers()))
        .or_else(|| context::current().map(|h| h.shared.num_workers()))
        .unwrap_or_else(num_cpus::get)
}
