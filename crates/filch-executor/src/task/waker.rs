//! The task's `Waker`: its data pointer is the task header and it owns one reference count.

use super::raw::{Header, TaskRef};
use super::refs::Notified;
use super::state::{WakeByRef, WakeByVal};
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker that borrows the poller's reference instead of owning one: no count per poll. The
/// caller wraps it in `ManuallyDrop` and keeps the reference alive while the waker is in use;
/// `clone` makes owned wakers from it.
pub(super) fn borrowed(ptr: NonNull<Header>) -> Waker {
    // SAFETY: `VTABLE`'s functions uphold the `RawWaker` contract for a task pointer: `clone`
    // adds a reference, `wake` and `drop` release the one they own.
    unsafe { Waker::from_raw(RawWaker::new(ptr.as_ptr().cast_const().cast(), &VTABLE)) }
}

/// The `TaskRef` a waker's data pointer stands for, without touching the count.
///
/// # Safety
/// `data` came from `borrowed` or `clone` and its reference is alive.
unsafe fn adopt(data: *const ()) -> ManuallyDrop<TaskRef> {
    // SAFETY: `data` is a non-null task pointer (see `borrowed`) with a live reference; the
    // `ManuallyDrop` keeps us from releasing a count we were not given.
    ManuallyDrop::new(unsafe { TaskRef::from_raw(NonNull::new_unchecked(data.cast_mut().cast())) })
}

/// `RawWakerVTable::clone`: a new waker with a reference of its own.
///
/// # Safety
/// `data` came from this vtable and the waker being cloned still owns (or, for `borrowed`,
/// borrows) a live reference.
unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned holds a reference.
    let task = unsafe { adopt(data) };
    task.state().ref_inc();
    RawWaker::new(data, &VTABLE)
}

/// `RawWakerVTable::wake`: schedules the task, consuming the waker's reference.
///
/// # Safety
/// `data` came from `clone` (an owned waker, never a `borrowed` one) and its reference is
/// alive and not used again by the caller.
unsafe fn wake(data: *const ()) {
    // SAFETY: `wake` consumes the waker, so its reference is ours to transfer or release.
    let task = ManuallyDrop::into_inner(unsafe { adopt(data) });
    match task.state().wake_by_val() {
        WakeByVal::Submit => {
            // SAFETY: `Submit` set SCHEDULED and added a reference for the new `Notified`.
            let notified = unsafe { Notified::from_raw(task.as_ptr()) };
            // The waker's own reference guards the hand-off, then is released.
            notified.submit(&task);
            drop(task);
        }
        // `wake_by_val` already released the count: do not release it again.
        WakeByVal::DoNothing => std::mem::forget(task),
        WakeByVal::Dealloc => {
            let dealloc = task.vtable().dealloc;
            // SAFETY: `wake_by_val` released the last reference: no one else can reach the
            // cell, and ours is not released again (`into_raw`).
            unsafe { dealloc(task.into_raw()) }
        }
    }
}

/// `RawWakerVTable::wake_by_ref`: schedules the task; the waker keeps its reference.
///
/// # Safety
/// `data` came from this vtable and its reference stays alive for the call.
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the waker holds a reference for the duration of the call.
    let task = unsafe { adopt(data) };
    match task.state().wake_by_ref() {
        WakeByRef::Submit => {
            // SAFETY: `Submit` set SCHEDULED and added a reference for the new `Notified`.
            let notified = unsafe { Notified::from_raw(task.as_ptr()) };
            // The waker's reference, alive for this call, guards the hand-off.
            notified.submit(&task);
        }
        WakeByRef::DoNothing => {}
    }
}

/// `RawWakerVTable::drop`: releases the waker's reference.
///
/// # Safety
/// `data` came from `clone` (an owned waker: `borrowed` ones are never dropped, they sit in a
/// `ManuallyDrop`) and its reference is not used again by the caller.
unsafe fn drop_waker(data: *const ()) {
    // SAFETY: dropping the waker releases the reference it owns.
    drop(ManuallyDrop::into_inner(unsafe { adopt(data) }));
}
