//! Jobs: a closure in a frame that outlives it, reached through a two-word [`JobRef`].
//!
//! - [`StackJob`]: `join`'s `b` and the cold path's whole operation. It lives in the caller's
//!   stack frame, which does not return before the job's latch is set or the job was taken
//!   back and run inline: no allocation per `join`.
//! - [`HeapJob`]: a `scope`'s spawned closure, boxed because the spawner's frame returns at
//!   once; the scope's count keeps the borrows it holds alive.
//!
//! A `JobRef` is executed at most once, and only by a worker of the runtime whose deque it
//! was pushed to (the execute function gets that worker).

use super::latch::Latch;
use super::FnContext;
use crate::scheduler::worker::Worker;
use crate::sync::UnsafeCell;
use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

/// A type-erased pointer to a job and the function that runs it.
pub(crate) struct JobRef {
    pointer: *const (),
    execute: unsafe fn(*const (), &Worker),
}

// SAFETY: a `JobRef` is created only from jobs whose closure and result are `Send` (the
// bounds on `StackJob::as_job_ref` and `HeapJob::into_job_ref`), so running it on another
// thread moves nothing that must stay on the creating one.
unsafe impl Send for JobRef {}

impl JobRef {
    /// Whether this is the job `other` was made from (`join` looking for its `b`).
    pub(crate) fn is(&self, other: *const ()) -> bool {
        std::ptr::eq(self.pointer, other)
    }

    /// Runs the job on `worker`.
    ///
    /// # Safety
    /// The job must not have run yet (a `JobRef` is consumed here, and each job has one), and
    /// its frame must still be alive: true of every `JobRef` taken from a deque, by the
    /// invariants of [`StackJob`] and [`HeapJob`].
    pub(crate) unsafe fn execute(self, worker: &Worker) {
        // SAFETY: the caller's contract.
        unsafe { (self.execute)(self.pointer, worker) }
    }
}

/// What a job produced: nothing yet, its value, or the panic it raised.
pub(crate) enum JobResult<R> {
    None,
    Ok(R),
    Panic(Box<dyn Any + Send>),
}

impl<R> JobResult<R> {
    /// Runs `f`, catching its panic.
    pub(crate) fn call(f: impl FnOnce() -> R) -> Self {
        match panic::catch_unwind(AssertUnwindSafe(f)) {
            Ok(value) => Self::Ok(value),
            Err(payload) => Self::Panic(payload),
        }
    }

    /// The value, or the panic raised again on this thread.
    pub(crate) fn into_value(self) -> R {
        match self {
            Self::Ok(value) => value,
            Self::Panic(payload) => panic::resume_unwind(payload),
            Self::None => unreachable!("a job's result was read before the job ran"),
        }
    }
}

/// A job in its owner's stack frame: the closure until it runs, then its result; the latch
/// says when the result is there. It must not move once a [`JobRef`] to it exists (the
/// owner's methods take `&self` for that reason).
pub(crate) struct StackJob<F, R> {
    func: UnsafeCell<Option<F>>,
    result: UnsafeCell<JobResult<R>>,
    pub(crate) latch: Latch,
}

impl<F, R> StackJob<F, R>
where
    F: FnOnce(FnContext) -> R + Send,
    R: Send,
{
    /// A job whose latch wakes worker `owner` (the one that will wait for it).
    pub(crate) fn new(func: F, owner: usize) -> Self {
        Self {
            func: UnsafeCell::new(Some(func)),
            result: UnsafeCell::new(JobResult::None),
            latch: Latch::new(owner),
        }
    }

    /// The reference to push on a deque.
    ///
    /// # Safety
    /// `self` must stay where it is and alive until the job has run: its latch is set, or
    /// [`run_inline`](Self::run_inline) took it back.
    pub(crate) unsafe fn as_job_ref(&self) -> JobRef {
        JobRef {
            pointer: self.as_ptr(),
            execute: Self::execute,
        }
    }

    /// What [`JobRef::is`] compares with.
    pub(crate) fn as_ptr(&self) -> *const () {
        (self as *const Self).cast()
    }

    /// # Safety
    /// `this` points to a live `StackJob<F, R>` that has not run (the `JobRef` contract).
    unsafe fn execute(this: *const (), worker: &Worker) {
        // SAFETY: the `JobRef` was made from a `&StackJob<F, R>` that is still alive.
        let this = unsafe { &*this.cast::<Self>() };
        let migrated = worker.index() != this.latch.owner();
        // SAFETY: the job runs once, so nothing else reads or writes `func` now: the owner
        // only takes it back inline, which it cannot do once a thief has taken the `JobRef`.
        let func = this.func.with_mut(|func| unsafe { (*func).take() });
        let func = func.expect("a job runs once");
        let result = JobResult::call(|| func(FnContext { migrated }));
        // SAFETY: the owner reads `result` only after the latch is set (below), and no one
        // else touches it.
        this.result.with_mut(|slot| unsafe { *slot = result });
        // SAFETY: `this.latch` is alive now; `set` touches nothing after it may have become
        // dangling (the owner may return once it sees the latch set).
        unsafe { Latch::set(&this.latch, worker.idle()) };
    }

    /// Runs the job here, on its owner, which popped it back before anyone stole it.
    pub(crate) fn run_inline(&self, migrated: bool) -> R {
        let func = self.func.with_mut(|func| {
            // SAFETY: the owner holds the job by value: no `JobRef` to it is left in a deque,
            // so no one else can reach `func`.
            unsafe { (*func).take() }
        });
        func.expect("a job runs once")(FnContext { migrated })
    }

    /// The result, once the latch is set (a thief ran the job). Taken out: call it once.
    pub(crate) fn take_result(&self) -> R {
        debug_assert!(
            self.latch.probe(),
            "a job's result read before its latch was set"
        );
        self.result
            .with_mut(|slot| {
                // SAFETY: the latch is set, so the thief wrote the result and no longer touches
                // this job (its Release swap of the latch, our Acquire probe).
                unsafe { std::mem::replace(&mut *slot, JobResult::None) }
            })
            .into_value()
    }
}

/// A boxed job: a `scope`'s spawned closure. It frees itself when it runs.
pub(crate) struct HeapJob<F> {
    func: F,
}

impl<F> HeapJob<F>
where
    F: FnOnce(&Worker) + Send,
{
    /// Boxes `func` as a job.
    ///
    /// # Safety
    /// Whatever `func` borrows must outlive its run: a scope waits for every job it spawned.
    pub(crate) unsafe fn new_job_ref(func: F) -> JobRef {
        JobRef {
            pointer: Box::into_raw(Box::new(Self { func })).cast_const().cast(),
            execute: Self::execute,
        }
    }

    /// # Safety
    /// `this` came from `new_job_ref` and has not run (the `JobRef` contract).
    unsafe fn execute(this: *const (), worker: &Worker) {
        // SAFETY: `this` is the pointer `Box::into_raw` gave `new_job_ref`, executed once.
        let job = unsafe { Box::from_raw(this.cast_mut().cast::<Self>()) };
        (job.func)(worker);
    }
}
