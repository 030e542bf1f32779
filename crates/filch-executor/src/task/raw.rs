//! The task allocation, its vtable and the harness that polls, cancels and completes it.
//!
//! One allocation per task: `Cell<F, S> { header, scheduler, stage }` (`repr(C)`, so a
//! `NonNull<Header>` is also a pointer to the cell). The [`Header`] is the type-erased part every
//! handle works with; `stage` is a union whose live field is named by the state word:
//!
//! | state                              | live field of `stage`                           |
//! |------------------------------------|-------------------------------------------------|
//! | not `COMPLETE`                     | `future` (touched only by the `RUNNING` holder) |
//! | `COMPLETE`, neither flag           | `output` (until its owner takes or drops it)    |
//! | `COMPLETE \| PANICKED`             | `panic` (ditto)                                 |
//! | `COMPLETE \| CANCELLED`            | none                                            |
//!
//! The outcome's owner is the `JoinHandle` if `JOIN_INTEREST` was set when `COMPLETE` was,
//! otherwise the completer, which drops it at once. Freeing the cell never touches `stage`.
//!
//! For a trivial `async {}` task with the runtime's scheduler (one `Arc`) the cell is 64
//! bytes: 8 (state), 8 (vtable), 16 (registry links), 16 (join-waker slot), 8 (scheduler)
//! and 8 (stage: the largest of the future, the output and a thin panic box), 8-aligned
//! (tokio: 128, 128-aligned). The unit test `trivial_task_is_64_bytes` pins it.

use super::error::{JoinError, PanicPayload};
use super::registry::Links;
use super::state::{CancelRequest, ShutdownTask, StartPoll, State, TaskOutcome, WakeByRef};
use super::waker;
use super::{FinishPoll, Notified, Schedule};
use crate::sync::UnsafeCell;
use std::any::Any;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

/// The type-erased head of every task.
#[repr(C)]
pub(crate) struct Header {
    pub(super) state: State,
    pub(super) vtable: &'static Vtable,
    /// The registry's intrusive links; touched only under the registry shard's lock.
    pub(super) links: UnsafeCell<Links>,
    /// The `JoinHandle`'s waker. Who may touch it is decided by `JOIN_WAKER` (see `task`).
    pub(super) join_waker: UnsafeCell<Option<Waker>>,
}

/// The operations that need the concrete `F` and `S`.
pub(super) struct Vtable {
    /// Runs a `Notified` (consumes its reference).
    poll: unsafe fn(NonNull<Header>),
    /// Submits a `Notified` to the task's scheduler (consumes its reference).
    schedule: unsafe fn(NonNull<Header>),
    /// Shutdown: cancels the task if no one runs it (consumes the registry's reference).
    shutdown: unsafe fn(NonNull<Header>),
    /// Moves the outcome into `*mut Option<Result<F::Output, JoinError>>`.
    read_outcome: unsafe fn(NonNull<Header>, *mut ()),
    /// Drops the outcome in place.
    drop_outcome: unsafe fn(NonNull<Header>),
    /// Frees the cell (its last reference is gone).
    dealloc: unsafe fn(NonNull<Header>),
}

#[repr(C)]
struct Cell<F: Future, S> {
    header: Header,
    scheduler: S,
    stage: UnsafeCell<Stage<F>>,
}

/// The future, then its outcome: which field is live is in the state word (module docs).
union Stage<F: Future> {
    future: ManuallyDrop<F>,
    output: ManuallyDrop<F::Output>,
    panic: ManuallyDrop<Box<PanicPayload>>,
}

struct Vtables<F, S>(std::marker::PhantomData<(F, S)>);

impl<F: Future + Send + 'static, S: Schedule> Vtables<F, S>
where
    F::Output: Send + 'static,
{
    const VTABLE: Vtable = Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        shutdown: shutdown::<F, S>,
        read_outcome: read_outcome::<F, S>,
        drop_outcome: drop_outcome::<F, S>,
        dealloc: dealloc::<F, S>,
    };
}

/// An owned reference to a task: the count is released on drop.
pub(crate) struct TaskRef {
    ptr: NonNull<Header>,
}

// SAFETY: a task is shared by design: every field of the header is either atomic or guarded by
// the state word's protocol, the future and output are `Send` (required by `allocate`), and the
// scheduler is `Send + Sync` (required by `Schedule`).
unsafe impl Send for TaskRef {}
// SAFETY: as above; `&TaskRef` only offers the atomic state and protocol-guarded operations.
unsafe impl Sync for TaskRef {}

/// Allocates a task holding `future`; returns its three initial references (see
/// `state::INITIAL`): the `Notified`, the `JoinHandle`'s and the registry's.
pub(crate) fn allocate<F, S>(future: F, scheduler: S) -> (TaskRef, TaskRef, TaskRef)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let cell = Box::new(Cell {
        header: Header {
            state: State::new(),
            vtable: &Vtables::<F, S>::VTABLE,
            links: UnsafeCell::new(Links::default()),
            join_waker: UnsafeCell::new(None),
        },
        scheduler,
        stage: UnsafeCell::new(Stage {
            future: ManuallyDrop::new(future),
        }),
    });
    let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
    (TaskRef { ptr }, TaskRef { ptr }, TaskRef { ptr })
}

impl TaskRef {
    /// Adopts one reference count that the caller owns.
    ///
    /// # Safety
    /// `ptr` points to a live task and the caller transfers one of its references.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> Self {
        Self { ptr }
    }

    /// Gives up ownership of the reference without releasing it.
    pub(super) fn into_raw(self) -> NonNull<Header> {
        ManuallyDrop::new(self).ptr
    }

    pub(crate) fn as_ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: this `TaskRef` owns a reference, so the cell outlives the borrow of `self`.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn state(&self) -> &State {
        &self.header().state
    }

    /// Runs the task (this reference must be its `Notified`).
    pub(super) fn poll(self) {
        let ptr = self.into_raw();
        // SAFETY: the vtable belongs to this task and we pass it the reference we owned.
        unsafe { (vtable(ptr).poll)(ptr) }
    }

    /// Submits the task to its scheduler (this reference must be its `Notified`).
    pub(super) fn schedule(self) {
        let ptr = self.into_raw();
        // SAFETY: as in `poll`.
        unsafe { (vtable(ptr).schedule)(ptr) }
    }

    /// Shutdown: cancels the task unless someone else runs it (this must be the registry's
    /// reference, just unlinked).
    pub(super) fn shutdown(self) {
        let ptr = self.into_raw();
        // SAFETY: as in `poll`.
        unsafe { (vtable(ptr).shutdown)(ptr) }
    }

    /// Moves the outcome out. The caller owns it (`JOIN_INTEREST` was set at `COMPLETE`,
    /// observed with Acquire) and has not taken it before; `F::Output` is `T`.
    pub(super) fn read_outcome<T>(&self) -> Result<T, JoinError> {
        let mut out: Option<Result<T, JoinError>> = None;
        // SAFETY: the reference keeps the cell alive; the caller guarantees ownership of the
        // outcome and that `T` is the task's output type, which `read_outcome::<F, S>` expects.
        unsafe { (vtable(self.ptr).read_outcome)(self.ptr, (&mut out as *mut Option<_>).cast()) };
        out.expect("read_outcome writes the outcome")
    }

    /// Drops the outcome the caller owns (as in `read_outcome`) without reading it.
    pub(super) fn drop_outcome(&self) {
        // SAFETY: as in `read_outcome`.
        unsafe { (vtable(self.ptr).drop_outcome)(self.ptr) }
    }

    /// Wakes the task through a borrowed reference (`Waker::wake_by_ref`).
    pub(super) fn wake_by_ref(&self) {
        match self.state().wake_by_ref() {
            // The transition added a reference for the new `Notified`: adopt it.
            WakeByRef::Submit => TaskRef { ptr: self.ptr }.schedule(),
            WakeByRef::DoNothing => {}
        }
    }

    /// Requests cancellation (`JoinHandle::cancel`); `false` if the task already finished.
    pub(super) fn request_cancel(&self) -> bool {
        match self.state().request_cancel() {
            CancelRequest::TooLate => false,
            CancelRequest::Requested => true,
            CancelRequest::Submit => {
                // The transition added a reference for the new `Notified`: adopt it, so the
                // future is dropped on a runtime thread.
                TaskRef { ptr: self.ptr }.schedule();
                true
            }
        }
    }

    /// Frees the task: a state transition already released its last reference.
    pub(super) fn dealloc_released(self) {
        let ptr = self.into_raw();
        // SAFETY: the count is zero, so no one else can reach the cell.
        unsafe { (vtable(ptr).dealloc)(ptr) }
    }

    /// Runs `f` on a shared view of the join-waker slot. Only the `JoinHandle` calls this: it
    /// is the only writer of the slot, and the task side only ever reads it.
    pub(super) fn peek_join_waker<R>(&self, f: impl FnOnce(Option<&Waker>) -> R) -> R {
        self.header().join_waker.with(|slot| {
            // SAFETY: no one writes the slot concurrently: the caller is its only writer.
            f(unsafe { (*slot).as_ref() })
        })
    }

    /// Runs `f` on the join-waker slot. The caller owns the slot under the rules in `task`.
    pub(super) fn with_join_waker<R>(&self, f: impl FnOnce(&mut Option<Waker>) -> R) -> R {
        self.header().join_waker.with_mut(|slot| {
            // SAFETY: the caller owns the slot (JOIN_WAKER protocol), so this access is exclusive.
            f(unsafe { &mut *slot })
        })
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> Self {
        self.state().ref_inc();
        Self { ptr: self.ptr }
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        if self.state().ref_dec(1) {
            // SAFETY: that was the last reference: nothing else can reach the cell.
            unsafe { (vtable(self.ptr).dealloc)(self.ptr) }
        }
    }
}

/// The task's vtable.
///
/// # Safety
/// `ptr` points to a live task.
unsafe fn vtable(ptr: NonNull<Header>) -> &'static Vtable {
    // SAFETY: the caller guarantees the header is alive; `vtable` is never written after
    // allocation.
    unsafe { ptr.as_ref().vtable }
}

/// The state word alone. A `&State` lies entirely in atomic (interior-mutable) memory, so it
/// may outlive a reference release that lets another thread free the cell (as `Arc` does).
///
/// # Safety
/// `ptr` points to a live task.
unsafe fn state<'a>(ptr: NonNull<Header>) -> &'a State {
    // SAFETY: the caller guarantees the header is alive.
    unsafe { &ptr.as_ref().state }
}

/// # Safety
/// `ptr` is a live `Cell<F, S>` and the caller holds a reference to it.
unsafe fn scheduler<'a, F: Future + 'a, S: 'a>(ptr: NonNull<Header>) -> &'a S {
    // SAFETY: the caller guarantees type and liveness; `scheduler` is never written after
    // allocation.
    unsafe { &ptr.cast::<Cell<F, S>>().as_ref().scheduler }
}

/// Runs `f` with exclusive access to `stage`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>` and the caller holds exclusive access to `stage`: it holds
/// `RUNNING`, or it owns the outcome after `COMPLETE`.
unsafe fn with_stage<F: Future, S, R>(
    ptr: NonNull<Header>,
    f: impl FnOnce(&mut Stage<F>) -> R,
) -> R {
    // SAFETY: liveness and type from the caller.
    let cell = unsafe { ptr.cast::<Cell<F, S>>().as_ref() };
    // SAFETY: exclusivity from the caller.
    cell.stage.with_mut(|stage| f(unsafe { &mut *stage }))
}

/// `Vtable::poll`: runs a `Notified`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>` and the caller passes the `Notified`'s reference.
unsafe fn poll<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the `Notified`'s reference keeps the cell alive through this call.
    match unsafe { state(ptr) }.start_poll() {
        // SAFETY: `start_poll` gave us RUNNING and the poller's reference.
        StartPoll::Poll => unsafe { poll_future::<F, S>(ptr) },
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
}

/// Polls the future once and acts on the result.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>`; the caller holds RUNNING and passes the poller's reference.
unsafe fn poll_future<F, S>(ptr: NonNull<Header>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // A borrowed waker: the poller's reference backs it, so no count is taken per poll.
    let waker = ManuallyDrop::new(waker::borrowed(ptr));
    let mut cx = Context::from_waker(&waker);
    let polled = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: RUNNING gives exclusive access to `stage`, whose live field is `future` (not
        // COMPLETE). The future is never moved out of the cell until it is dropped in place.
        unsafe {
            with_stage::<F, S, _>(ptr, |stage| {
                Pin::new_unchecked(&mut *stage.future).poll(&mut cx)
            })
        }
    }));
    let outcome = match polled {
        // SAFETY: still RUNNING with the poller's reference.
        Ok(Poll::Pending) => match unsafe { state(ptr) }.finish_poll() {
            FinishPoll::Idle => return,
            // SAFETY: the last reference was released by `finish_poll`.
            FinishPoll::IdleDealloc => return unsafe { dealloc::<F, S>(ptr) },
            FinishPoll::Reschedule => {
                // SAFETY: `Reschedule` turned the poller's reference into the new `Notified`.
                let task = Notified(unsafe { TaskRef::from_raw(ptr) });
                // SAFETY: the `Notified` we just made keeps the cell alive.
                return unsafe { scheduler::<F, S>(ptr) }.reschedule(task);
            }
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
    unsafe { complete::<F, S>(ptr, outcome, 1) }
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
    if !done.join_interest {
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

/// `Vtable::schedule`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>` and the caller passes the `Notified`'s reference.
unsafe fn schedule<F: Future, S: Schedule>(ptr: NonNull<Header>) {
    // SAFETY: the caller transfers the `Notified`'s reference.
    let task = Notified(unsafe { TaskRef::from_raw(ptr) });
    // SAFETY: that reference keeps the cell alive through the call.
    unsafe { scheduler::<F, S>(ptr) }.schedule(task);
}

/// `Vtable::shutdown`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>`, just unlinked from the registry; the caller passes the
/// registry's reference.
unsafe fn shutdown<F, S>(ptr: NonNull<Header>)
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
            drop(unsafe { TaskRef::from_raw(ptr) });
        }
    }
}

/// `Vtable::read_outcome`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>` whose outcome the caller owns and has not taken; `dst` points
/// to an `Option<Result<F::Output, JoinError>>`.
unsafe fn read_outcome<F: Future, S>(ptr: NonNull<Header>, dst: *mut ()) {
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
unsafe fn drop_outcome<F: Future, S>(ptr: NonNull<Header>) {
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

/// `Vtable::dealloc`.
///
/// # Safety
/// `ptr` is a `Cell<F, S>` made by `allocate` whose last reference is gone.
unsafe fn dealloc<F: Future, S>(ptr: NonNull<Header>) {
    // SAFETY: the caller guarantees the type and that no reference remains, so the box is ours.
    let cell = unsafe { Box::from_raw(ptr.cast::<Cell<F, S>>().as_ptr()) };
    debug_assert!(
        cell.header.state.load().is_complete(),
        "freed an unfinished task"
    );
    // Dropping the box drops the header (the join-waker slot), the scheduler, and `stage`,
    // which is a union without drop glue: its outcome was taken or dropped by its owner.
    drop_quietly(cell);
}

/// Drops `value`, catching a panicking destructor: the runtime's threads never unwind.
fn drop_quietly<T>(value: T) {
    let _ = catch_unwind(AssertUnwindSafe(move || drop(value)));
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::mem::size_of;

    /// A scheduler as large as the runtime's (one `Arc`).
    type Sched = std::sync::Arc<()>;

    fn layout_of<F: Future>(_: &F) -> std::alloc::Layout {
        std::alloc::Layout::new::<Cell<F, Sched>>()
    }

    #[test]
    fn trivial_task_is_64_bytes() {
        let layout = layout_of(&async {});
        assert!(
            layout.size() <= 64,
            "trivial task takes {} bytes",
            layout.size()
        );
        assert_eq!(
            layout.align(),
            8,
            "no cache-line alignment for the whole task"
        );
        assert_eq!(size_of::<Header>(), 48);
    }
}
