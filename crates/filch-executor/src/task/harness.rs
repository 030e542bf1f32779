//! The harness: what a task's vtable functions do with it. Polling (and acting on the poll's
//! result), cancelling, completing, submitting to the scheduler, shutdown, and handing the
//! outcome to its owner. Every function is generic over the task's future `F` and scheduler
//! `S`, reached through `raw::Vtable` with the contract in its `# Safety` section.

use super::error::{JoinError, PanicPayload};
use super::raw::{dealloc, drop_quietly, scheduler, state, with_stage, Header};
use super::refs::{Notified, RegistryRef};
use super::state::{FinishPoll, ShutdownTask, StartPoll, TaskOutcome};
use super::waker;
use super::Schedule;
use crate::runtime::context::renew_budget_here;
use std::any::Any;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

/// `Vtable::poll`: runs a `Notified`. Returns the task again (a `Notified`'s reference) if
/// it was woken during its poll, for the caller to re-queue.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>` and the caller passes the `Notified`'s reference.
pub(super) unsafe fn poll<F, S>(ptr: NonNull<Header>) -> Option<NonNull<Header>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the `Notified`'s reference keeps the cell alive through this call.
    match unsafe { state(ptr) }.start_poll() {
        // SAFETY: `start_poll` gave us RUNNING and the poller's reference.
        StartPoll::Poll => return unsafe { poll_future::<F, S>(ptr) },
        StartPoll::Cancel => {
            // SAFETY: `start_poll` gave us RUNNING and the poller's reference.
            let outcome = unsafe { drop_future::<F, S>(ptr) };
            // SAFETY: still RUNNING, and we pass on the poller's reference.
            unsafe { complete::<F, S>(ptr, outcome, 1) }
        }
        StartPoll::Skip => {}
        // SAFETY: the last reference was released by `start_poll`.
        StartPoll::SkipDealloc => unsafe { dealloc::<F, S>(ptr) },
    }
    None
}

/// Polls the future once and acts on the result; returns the task to re-queue, as `poll`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>`; the caller holds RUNNING and passes the poller's reference.
unsafe fn poll_future<F, S>(ptr: NonNull<Header>) -> Option<NonNull<Header>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // A borrowed waker: the poller's reference backs it, so no count is taken per poll.
    let waker = ManuallyDrop::new(waker::borrowed(ptr));
    let mut cx = Context::from_waker(&waker);
    // Each poll gets a fresh cooperative budget (`filch_futures::coop`), which the worker
    // renews while no one else needs it.
    let polled = filch_futures::coop::with_renewable_budget(renew_budget_here, || {
        catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: RUNNING gives exclusive access to `stage`, whose live field is `future`
            // (not COMPLETE). The future is never moved out of the cell until it is dropped in
            // place.
            unsafe {
                with_stage::<F, S, _>(ptr, |stage| {
                    Pin::new_unchecked(&mut *stage.future).poll(&mut cx)
                })
            }
        }))
    });
    let outcome = match polled {
        // SAFETY: still RUNNING with the poller's reference.
        Ok(Poll::Pending) => match unsafe { state(ptr) }.finish_poll() {
            FinishPoll::Idle => return None,
            FinishPoll::IdleDealloc => {
                // SAFETY: the last reference was released by `finish_poll`.
                unsafe { dealloc::<F, S>(ptr) };
                return None;
            }
            // The poller's reference is now the new `Notified`'s: back to the caller, which
            // re-queues it. (Handing it to the scheduler in the cell from here would need a
            // guard reference: once queued, the task may be run and freed by another worker
            // while `&S` is still an argument.)
            FinishPoll::Reschedule => return Some(ptr),
            // SAFETY: `Cancel` left RUNNING set.
            FinishPoll::Cancel => unsafe { drop_future::<F, S>(ptr) },
        },
        // SAFETY: RUNNING: the future is still live and ours to drop.
        Ok(Poll::Ready(output)) => match unsafe { drop_future::<F, S>(ptr) } {
            TaskOutcome::Cancelled => {
                // SAFETY: RUNNING, and the future is gone: `output` may take its place.
                unsafe {
                    with_stage::<F, S, _>(ptr, |stage| stage.output = ManuallyDrop::new(output))
                };
                TaskOutcome::Returned
            }
            // The future's destructor panicked: that panic is the outcome; the output goes.
            panicked => {
                drop_quietly(output);
                panicked
            }
        },
        Err(payload) => {
            // SAFETY: RUNNING: the future is still live (the panic unwound out of `poll`).
            let _ = unsafe { drop_future::<F, S>(ptr) };
            // SAFETY: RUNNING, and the future is gone.
            unsafe { store_panic::<F, S>(ptr, payload) };
            TaskOutcome::Panicked
        }
    };
    // SAFETY: RUNNING, the outcome is in place, and we pass on the poller's reference.
    unsafe { complete::<F, S>(ptr, outcome, 1) };
    None
}

/// Drops the future in place, catching a panicking destructor. Returns `Cancelled` (stage now
/// empty) or `Panicked` (stage now holds the destructor's panic).
///
/// # Safety
/// `ptr` is a live `Cell<F, S>`, the caller holds RUNNING and the future is live.
unsafe fn drop_future<F: Future, S>(ptr: NonNull<Header>) -> TaskOutcome {
    let dropped = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: RUNNING and a live future, per the caller; it is never used again.
        unsafe { with_stage::<F, S, _>(ptr, |stage| ManuallyDrop::drop(&mut stage.future)) }
    }));
    match dropped {
        Ok(()) => TaskOutcome::Cancelled,
        Err(payload) => {
            // SAFETY: RUNNING, and the future is gone (its destructor ran, then unwound).
            unsafe { store_panic::<F, S>(ptr, payload) };
            TaskOutcome::Panicked
        }
    }
}

/// # Safety
/// `ptr` is a live `Cell<F, S>`, the caller holds RUNNING and `stage` holds no live field.
unsafe fn store_panic<F: Future, S>(ptr: NonNull<Header>, payload: Box<dyn Any + Send>) {
    let boxed = ManuallyDrop::new(Box::new(PanicPayload(payload)));
    // SAFETY: RUNNING and an empty stage, per the caller.
    unsafe { with_stage::<F, S, _>(ptr, |stage| stage.panic = boxed) };
}

/// Publishes the outcome and releases `refs` references (plus the registry's, if still linked).
///
/// # Safety
/// `ptr` is a live `Cell<F, S>`; the caller holds RUNNING, `stage` holds `outcome`, and the
/// caller passes `refs` references.
unsafe fn complete<F, S>(ptr: NonNull<Header>, outcome: TaskOutcome, refs: usize)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the caller's references keep the cell alive until the final `ref_dec`.
    let (sched, state) = unsafe { (scheduler::<F, S>(ptr), state(ptr)) };
    // SAFETY: as above.
    let released = sched.release(unsafe { ptr.as_ref() });
    let done = state.complete(outcome);
    if done.cancel_won {
        // The outcome is the cancellation, which names no live field of `stage`, so no one
        // else touches it; the output the future returned is still there: drop it.
        // SAFETY: `stage` holds the output (`outcome` was `Returned`) and is ours (above).
        let output = unsafe { with_stage::<F, S, _>(ptr, |s| ManuallyDrop::take(&mut s.output)) };
        drop_quietly(output);
    } else if !done.join_interest {
        // SAFETY: no `JoinHandle` at COMPLETE: the completer owns the outcome.
        unsafe { drop_outcome::<F, S>(ptr) };
    }
    if done.join_waker {
        // SAFETY: JOIN_WAKER was set at COMPLETE: the slot is ours until `release_join_waker`.
        let header = unsafe { ptr.as_ref() };
        let wake = header.join_waker.with(|slot| {
            // SAFETY: the slot is ours (above); a shared borrow is enough to wake.
            let waker = unsafe { &*slot };
            catch_unwind(AssertUnwindSafe(|| waker.as_ref().map(Waker::wake_by_ref)))
        });
        drop(wake); // a panicking waker must not take the worker down
        if !state.release_join_waker() {
            // The handle is gone, so the slot stays ours: empty it.
            // SAFETY: as above.
            let stale = header.join_waker.with_mut(|slot| unsafe { (*slot).take() });
            drop_quietly(stale);
        }
    }
    if state.ref_dec(refs + usize::from(released)) {
        // SAFETY: the last reference is gone.
        unsafe { dealloc::<F, S>(ptr) }
    }
}

/// `Vtable::schedule`: hands a `Notified` to the task's scheduler.
///
/// # Safety
/// `ptr` is a `Cell<F, S>`; the caller passes the `Notified`'s reference **and holds another
/// reference until this returns**: the `&S` borrowed from the cell is live for the whole call,
/// and once the `Notified` is queued another thread may run the task to completion and drop
/// every reference but the caller's.
pub(super) unsafe fn schedule<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the caller transfers the `Notified`'s reference (SCHEDULED is set for it).
    let task = unsafe { Notified::from_raw(ptr) };
    // SAFETY: the caller's other reference keeps the cell alive through the call.
    unsafe { scheduler::<F, S>(ptr) }.schedule(task);
}

/// `Vtable::shutdown`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>`, just unlinked from the registry; the caller passes the
/// registry's reference.
pub(super) unsafe fn shutdown<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the registry's reference keeps the cell alive.
    match unsafe { state(ptr) }.shutdown() {
        ShutdownTask::Cancel => {
            // SAFETY: `shutdown` gave us RUNNING; the future is live (not COMPLETE).
            let outcome = unsafe { drop_future::<F, S>(ptr) };
            // SAFETY: RUNNING, outcome in place; we pass on the registry's reference.
            unsafe { complete::<F, S>(ptr, outcome, 1) }
        }
        ShutdownTask::Busy => {
            // SAFETY: the caller passed us this reference.
            drop(unsafe { RegistryRef::from_raw(ptr) });
        }
    }
}

/// `Vtable::read_outcome`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>` whose outcome the caller owns and has not taken; `dst` points
/// to an `Option<Result<F::Output, JoinError>>`.
pub(super) unsafe fn read_outcome<F: Future, S>(ptr: NonNull<Header>, dst: *mut ()) {
    // SAFETY: the caller holds a reference.
    let snapshot = unsafe { state(ptr) }.load();
    debug_assert!(
        snapshot.is_complete(),
        "outcome read before completion: {snapshot:?}"
    );
    let outcome = if snapshot.is_cancelled() {
        Err(JoinError::cancelled())
    } else if snapshot.is_panicked() {
        // SAFETY: the caller owns the outcome, whose live field PANICKED names; it is moved
        // out exactly once.
        let payload = unsafe { with_stage::<F, S, _>(ptr, |s| ManuallyDrop::take(&mut s.panic)) };
        Err(JoinError::panic(payload))
    } else {
        // SAFETY: as above, for `output`.
        Ok(unsafe { with_stage::<F, S, _>(ptr, |s| ManuallyDrop::take(&mut s.output)) })
    };
    // SAFETY: the caller guarantees `dst`'s type.
    unsafe { *dst.cast::<Option<Result<F::Output, JoinError>>>() = Some(outcome) };
}

/// `Vtable::drop_outcome`; a panicking destructor is caught and discarded.
///
/// # Safety
/// As `read_outcome`, without `dst`.
pub(super) unsafe fn drop_outcome<F: Future, S>(ptr: NonNull<Header>) {
    // SAFETY: the caller holds a reference.
    let snapshot = unsafe { state(ptr) }.load();
    if snapshot.is_cancelled() {
        return;
    }
    let panicked = snapshot.is_panicked();
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller owns the outcome, whose live field the state names.
        unsafe {
            with_stage::<F, S, _>(ptr, |s| {
                if panicked {
                    ManuallyDrop::drop(&mut s.panic)
                } else {
                    ManuallyDrop::drop(&mut s.output)
                }
            })
        }
    }));
}
