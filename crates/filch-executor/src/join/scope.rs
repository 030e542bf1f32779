//! [`scope`]: closures that borrow from the enclosing stack, spawned onto the workers, all
//! finished before `scope` returns.
//!
//! Completion is a count: 1 for the scope's body, +1 per spawn (before its job is pushed),
//! -1 when each finishes. The one that brings it to zero sets the scope's [`Latch`], which
//! the scope's owner waits for, helping meanwhile (`Worker::wait_until`). A count reaching
//! zero cannot rise again: a spawn happens only inside the body or a spawned closure, each
//! of which holds its own count while it runs.

use super::job::HeapJob;
use super::{in_worker, Latch};
use crate::scheduler::worker::Worker;
use crate::scheduler::Shared;
use crate::sync::{AtomicUsize, Mutex, Ordering::*};
use std::any::Any;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};

/// A fork-join scope: [`spawn`](Scope::spawn) closures that may borrow anything that outlives
/// the [`scope`] call. Made by [`scope`].
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let mut halves = [0u64; 2];
/// rt.block_on(async {
///     let (left, right) = halves.split_at_mut(1);
///     filch::scope(|s| {
///         s.spawn(|_| left[0] = (0..500u64).sum());
///         s.spawn(|_| right[0] = (500..1_000u64).sum());
///     });
/// });
/// assert_eq!(halves[0] + halves[1], 499_500);
/// ```
pub struct Scope<'scope> {
    /// The body, plus every spawned closure not yet finished.
    pending: AtomicUsize,
    /// Set when `pending` reaches zero; waited for by the worker that runs the body.
    latch: Latch,
    /// The first panic of the body or a spawned closure, raised again by `scope`.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    /// The runtime whose workers run the closures (spawns must come from one of them).
    shared: *const Shared,
    /// Invariant in `'scope`, as `std::thread::Scope`: a spawned closure may borrow for
    /// exactly `'scope`, neither shorter nor longer.
    marker: PhantomData<&'scope mut &'scope ()>,
}

// SAFETY: the fields shared between workers are an atomic, a latch of atomics and a mutex;
// `shared` is only compared, never dereferenced. The closures a `Scope` runs are `Send`.
unsafe impl Send for Scope<'_> {}
// SAFETY: as for `Send`: every method takes `&self` and touches only synchronised fields.
unsafe impl Sync for Scope<'_> {}

/// Runs `op` with a [`Scope`] and returns its result once every closure spawned in the scope
/// (nested spawns too) has finished.
///
/// Inside a task, `op` runs on the calling worker, and spawned closures go on its job deque,
/// where idle workers steal them; while the scope waits it runs the ones left there itself.
/// From `block_on` or `spawn_blocking`, `op` runs on a worker and the caller waits.
///
/// # Panics
/// With the first panic of `op` or of a spawned closure, once all have finished. Outside a
/// filch runtime, with a message saying where to call it from.
///
/// # Example
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// let rt = filch::Runtime::new();
/// let total = AtomicU64::new(0);
/// let words = ["fork", "join", "scope"];
/// rt.block_on(async {
///     filch::scope(|s| {
///         for word in &words {
///             let total = &total;
///             s.spawn(move |s| {
///                 total.fetch_add(word.len() as u64, Ordering::Relaxed);
///                 // A spawned closure may spawn more into the same scope.
///                 s.spawn(move |_| {
///                     total.fetch_add(1, Ordering::Relaxed);
///                 });
///             });
///         }
///     });
/// });
/// assert_eq!(total.into_inner(), 13 + 3);
/// ```
pub fn scope<'scope, OP, R>(op: OP) -> R
where
    OP: FnOnce(&Scope<'scope>) -> R + Send,
    R: Send,
{
    in_worker("scope", |worker, _| scope_on(worker, op))
}

/// `scope` on `worker`'s thread.
pub(super) fn scope_on<'scope, OP, R>(worker: &Worker, op: OP) -> R
where
    OP: FnOnce(&Scope<'scope>) -> R + Send,
    R: Send,
{
    let scope = Scope {
        pending: AtomicUsize::new(1),
        latch: Latch::new(worker.index()),
        panic: Mutex::new(None),
        shared: std::sync::Arc::as_ptr(worker.shared()),
        marker: PhantomData,
    };
    let result = match panic::catch_unwind(AssertUnwindSafe(|| op(&scope))) {
        Ok(value) => Some(value),
        Err(payload) => {
            scope.record_panic(payload);
            None
        }
    };
    // SAFETY: `scope` lives in this frame, which waits for its latch just below.
    unsafe { Scope::finish_one(&scope, worker) };
    worker.wait_until(&scope.latch);
    if let Some(payload) = scope.panic.lock().take() {
        panic::resume_unwind(payload);
    }
    result.expect("no panic was recorded, so the body returned")
}

impl<'scope> Scope<'scope> {
    /// Spawns `body` into the scope: an idle worker may steal it, or the scope runs it while it
    /// waits. `body` gets the scope, to spawn more.
    ///
    /// # Panics
    /// If called from a thread that is not a worker of the scope's runtime (a `std::thread`
    /// the body started, say): spawn from the body or from a spawned closure instead.
    ///
    /// # Example
    /// ```
    /// let rt = filch::Runtime::new();
    /// let mut data = vec![1u64, 2, 3, 4];
    /// rt.block_on(async {
    ///     filch::scope(|s| {
    ///         for x in data.iter_mut() {
    ///             s.spawn(move |_| *x *= 10);
    ///         }
    ///     });
    /// });
    /// assert_eq!(data, [10, 20, 30, 40]);
    /// ```
    pub fn spawn<BODY>(&self, body: BODY)
    where
        BODY: FnOnce(&Scope<'scope>) + Send + 'scope,
    {
        crate::runtime::context::with_worker(|worker| {
            let worker = worker
                .filter(|w| std::ptr::eq(std::sync::Arc::as_ptr(w.shared()), self.shared))
                .unwrap_or_else(|| {
                    panic!(
                        "filch::Scope::spawn called from a thread that is not a worker of the \
                         scope's runtime: spawn from the scope's body or from a spawned closure"
                    )
                });
            self.spawn_on(worker, body);
        });
    }

    /// `spawn` from `worker`, a worker of the scope's runtime.
    pub(super) fn spawn_on<BODY>(&self, worker: &Worker, body: BODY)
    where
        BODY: FnOnce(&Scope<'scope>) + Send + 'scope,
    {
        let this = ScopePtr(self);
        let job = move |worker: &Worker| {
            // SAFETY: the scope waits for this closure (its count) before its frame returns.
            let scope = unsafe { &*this.get() };
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| body(scope))) {
                scope.record_panic(payload);
            }
            // SAFETY: as above; after this call the closure touches the scope no more.
            unsafe { Scope::finish_one(this.get(), worker) };
        };
        self.pending.fetch_add(1, Relaxed);
        // SAFETY: the scope's count, just raised, keeps the scope (and so `'scope`) alive
        // until the job ran.
        worker.push_job(unsafe { HeapJob::new_job_ref(job) });
    }

    fn record_panic(&self, payload: Box<dyn Any + Send>) {
        self.panic.lock().get_or_insert(payload);
    }

    /// One of the body and the spawned closures finished: the last one sets the latch.
    ///
    /// # Safety
    /// `this` is a live scope whose count includes the caller's; it may dangle once the count
    /// is dropped (the owner may return), so nothing is touched after the latch's set.
    unsafe fn finish_one(this: *const Self, worker: &Worker) {
        // SAFETY: live until our count is given back (the caller's contract). AcqRel: every
        // finisher's writes (a recorded panic) reach the last one, whose latch set publishes
        // them to the owner.
        if unsafe { (*this).pending.fetch_sub(1, AcqRel) } == 1 {
            // SAFETY: the count is zero but the latch is not set yet, so the owner still waits
            // and the scope is alive.
            unsafe { Latch::set(&(*this).latch, worker.idle()) };
        }
    }
}

/// A `*const Scope` that a spawned job carries to another worker (read through `get`, so a
/// closure captures the whole wrapper, not the bare pointer).
struct ScopePtr<'scope>(*const Scope<'scope>);

impl<'scope> ScopePtr<'scope> {
    fn get(&self) -> *const Scope<'scope> {
        self.0
    }
}

// SAFETY: `Scope` is `Sync`, so a pointer to it may be used from another thread.
unsafe impl Send for ScopePtr<'_> {}
