//! The per-thread runtime context: which worker (if any) this thread is, which runtime
//! `Handle::current` means here, and whether blocking on a future is allowed.

use super::Handle;
use crate::scheduler::worker::Worker;
use crate::scheduler::Shared;
use crate::sync::StdArc as Arc;
use std::cell::{Cell, OnceCell, RefCell};

struct Context {
    /// Set once, for good, on a worker thread.
    worker: OnceCell<Worker>,
    /// Set once, for good, on a blocking-pool thread: the runtime it belongs to.
    blocking: OnceCell<Handle>,
    /// The runtime entered by `block_on`.
    handle: RefCell<Option<Handle>>,
    /// Inside `block_on`: a nested `block_on` would deadlock.
    in_block_on: Cell<bool>,
}

thread_local! {
    static CONTEXT: Context = const {
        Context {
            worker: OnceCell::new(),
            blocking: OnceCell::new(),
            handle: RefCell::new(None),
            in_block_on: Cell::new(false),
        }
    };
}

/// Installs `worker` as this thread's worker and runs its loop.
pub(crate) fn run_worker(worker: Worker) {
    CONTEXT.with(|ctx| {
        if ctx.worker.set(worker).is_err() {
            unreachable!("a thread runs at most one worker");
        }
        ctx.worker.get().expect("just set").run();
    });
}

/// Calls `f` with this thread's worker, if it is one (and its context still exists).
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&Worker>) -> R) -> R {
    let mut f = Some(f);
    let result = CONTEXT.try_with(|ctx| (f.take().expect("called once"))(ctx.worker.get()));
    result.unwrap_or_else(|_| (f.take().expect("not called yet"))(None))
}

/// The cooperative budget's renewal for a task polled on this thread (`task/harness.rs`):
/// this thread's worker decides ([`Worker::renew_budget`]). Off a worker it never renews, so
/// the budget works as tokio's.
pub(crate) fn renew_budget_here() -> bool {
    with_worker(|worker| worker.is_some_and(Worker::renew_budget))
}

/// The runtime this thread belongs to or has entered.
pub(crate) fn current() -> Option<Handle> {
    CONTEXT
        .try_with(|ctx| match ctx.worker.get() {
            Some(worker) => Some(Handle::from_shared(worker.shared().clone())),
            None => ctx
                .handle
                .borrow()
                .clone()
                .or_else(|| ctx.blocking.get().cloned()),
        })
        .ok()
        .flatten()
}

/// Marks this (blocking-pool) thread as belonging to `handle`'s runtime.
pub(crate) fn set_blocking_thread(handle: Handle) {
    CONTEXT.with(|ctx| {
        if ctx.blocking.set(handle).is_err() {
            unreachable!("a blocking-pool thread belongs to one runtime");
        }
    });
}

/// Which kind of thread of its own runtime this is (see [`own_thread`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OwnThread {
    Worker,
    Blocking,
}

/// Whether this thread is one of the threads of `shared`'s runtime, and which kind: what a
/// shutdown on this thread must not wait for.
pub(crate) fn own_thread(shared: &Arc<Shared>) -> Option<OwnThread> {
    CONTEXT
        .try_with(|ctx| {
            if ctx
                .worker
                .get()
                .is_some_and(|w| Arc::ptr_eq(w.shared(), shared))
            {
                Some(OwnThread::Worker)
            } else if ctx
                .blocking
                .get()
                .is_some_and(|h| Arc::ptr_eq(&h.shared, shared))
            {
                Some(OwnThread::Blocking)
            } else {
                None
            }
        })
        .ok()
        .flatten()
}

/// Restores the context `enter_block_on` replaced, even when the future panics.
pub(crate) struct BlockOnGuard {
    previous: Option<Handle>,
}

/// Enters `handle` for a `block_on`: `Handle::current` and `spawn` work inside it.
///
/// # Panics
/// On a worker thread, or inside another `block_on`: blocking there would deadlock or starve
/// the runtime.
pub(crate) fn enter_block_on(handle: &Handle) -> BlockOnGuard {
    CONTEXT.with(|ctx| {
        if ctx.worker.get().is_some() || ctx.in_block_on.get() {
            panic!(
                "Cannot call block_on from inside a filch runtime: use .await instead, or move \
                 the blocking call into spawn_blocking"
            );
        }
        ctx.in_block_on.set(true);
        BlockOnGuard {
            previous: ctx.handle.replace(Some(handle.clone())),
        }
    })
}

impl Drop for BlockOnGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // `try_with`: the guard may be dropped while the thread's locals are being destroyed.
        let _ = CONTEXT.try_with(|ctx| {
            ctx.in_block_on.set(false);
            drop(ctx.handle.replace(previous));
        });
    }
}

/// The timer driver of the runtime this thread belongs to or has entered.
pub(crate) fn current_timer_driver() -> Option<crate::scheduler::Driver> {
    current().map(|handle| handle.shared.driver.clone())
}
