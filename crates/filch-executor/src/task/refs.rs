//! The kinds of task reference: one type per role, each with its role's operations only.
//!
//! Every kind owns one reference count (a [`TaskRef`] inside) and releases it when dropped.
//!
//! | type           | held by                      | may                                          |
//! |----------------|------------------------------|----------------------------------------------|
//! | [`Notified`]   | a run queue or a worker      | run the task once; be submitted to its scheduler |
//! | [`JoinRef`]    | the `JoinHandle` (one only)  | cancel; write the join-waker slot; read or drop the outcome it owns |
//! | [`RegistryRef`]| the registry, while linked   | cancel the task at shutdown                  |
//! | waker          | a `Waker` (`waker.rs`)       | wake: submit a `Notified` made by the wake transition |
//! | [`TaskRef`]    | done-callbacks, guards       | read the state word                          |
//!
//! Where an operation is sound only under a condition the type cannot carry (the state word's
//! protocol), it is an `unsafe fn` whose `# Safety` section names the condition.

use super::error::JoinError;
use super::raw::{Header, TaskRef};
use super::state::{CancelRequest, State};
use std::ptr::NonNull;
use std::task::Waker;

/// The permission to run a task once (one reference count, and the `SCHEDULED` bit).
pub(crate) struct Notified(pub(super) TaskRef);

impl Notified {
    /// Adopts the reference that a transition setting `SCHEDULED` made for a new `Notified`,
    /// or takes back one that [`into_raw`](Self::into_raw) gave out.
    ///
    /// # Safety
    /// `ptr` is a live task; the caller transfers one reference, and `SCHEDULED` was set for
    /// this `Notified` by the transition that made it (so no other `Notified` exists), or
    /// `ptr` came from `into_raw` and is taken back once.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> Self {
        // SAFETY: the caller transfers a reference of a live task.
        Self(unsafe { TaskRef::from_raw(ptr) })
    }

    /// Gives up this `Notified` as a pointer that keeps its reference and its permission to
    /// run (a lock-free slot holds it so); [`from_raw`](Self::from_raw) takes it back.
    pub(crate) fn into_raw(self) -> NonNull<Header> {
        self.0.into_raw()
    }

    /// Polls the task (or cancels it, if requested) on this thread. Returns it again if it
    /// was woken during this poll (`yield_now`): the caller re-queues it behind the other
    /// runnable tasks, on its own queue.
    #[must_use = "a task woken during its poll comes back to be re-queued"]
    pub(crate) fn run(self) -> Option<Notified> {
        let poll = self.0.vtable().poll;
        // SAFETY: the vtable is this task's; we pass the `Notified`'s reference, as `poll`
        // expects.
        let again = unsafe { poll(self.0.into_raw()) }?;
        // SAFETY: `poll` hands back the reference of the `Notified` that `Reschedule` made
        // (SCHEDULED kept for it).
        Some(unsafe { Notified::from_raw(again) })
    }

    /// Hands this `Notified` to the task's own scheduler. `guard` is another reference to
    /// the same task, held by the caller until this returns: the scheduler lives in the task,
    /// and once the `Notified` is queued another thread may run the task to completion.
    pub(super) fn submit(self, guard: &TaskRef) {
        debug_assert_eq!(self.0.as_ptr(), guard.as_ptr(), "a guard of another task");
        let schedule = self.0.vtable().schedule;
        // SAFETY: the vtable is this task's; we pass the `Notified`'s reference, and `guard`
        // is a second reference alive for the whole call, as `schedule` requires.
        unsafe { schedule(self.0.into_raw()) }
    }
}

impl std::fmt::Debug for Notified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Notified")
            .field(&self.0.state().load())
            .finish()
    }
}

/// The `JoinHandle`'s reference. There is one per task (made by `allocate`, never cloned), so
/// its holder is the only writer of the join-waker slot and the only possible owner of the
/// outcome on the handle's side.
pub(crate) struct JoinRef(pub(super) TaskRef);

impl JoinRef {
    pub(super) fn state(&self) -> &State {
        self.0.state()
    }

    /// A plain reference for someone who only watches the state word (the done-callbacks).
    pub(super) fn watcher(&self) -> TaskRef {
        self.0.clone()
    }

    /// Requests cancellation (`JoinHandle::cancel`); `false` if the task already finished.
    pub(super) fn request_cancel(&self) -> bool {
        match self.state().request_cancel() {
            CancelRequest::TooLate => false,
            CancelRequest::Requested => true,
            CancelRequest::Submit => {
                // SAFETY: `Submit` set SCHEDULED and added a reference for the new `Notified`.
                let task = unsafe { Notified::from_raw(self.0.as_ptr()) };
                // Our own reference guards the hand-off; the future is dropped on a runtime
                // thread when the `Notified` runs.
                task.submit(&self.0);
                true
            }
        }
    }

    /// Moves the outcome out.
    ///
    /// # Safety
    /// The handle owns the outcome: it observed `COMPLETE` (with Acquire) while it held
    /// `JOIN_INTEREST`, and has neither taken nor dropped it before; `T` is the task's output
    /// type.
    pub(super) unsafe fn read_outcome<T>(&self) -> Result<T, JoinError> {
        let mut out: Option<Result<T, JoinError>> = None;
        let read = self.0.vtable().read_outcome;
        // SAFETY: our reference keeps the cell alive; ownership of the outcome and the type
        // are the caller's guarantee, which `read_outcome::<F, S>` needs.
        unsafe { read(self.0.as_ptr(), (&mut out as *mut Option<_>).cast()) };
        out.expect("read_outcome writes the outcome")
    }

    /// Drops the outcome without reading it.
    ///
    /// # Safety
    /// As for [`read_outcome`](Self::read_outcome), without the type.
    pub(super) unsafe fn drop_outcome(&self) {
        let drop_outcome = self.0.vtable().drop_outcome;
        // SAFETY: as in `read_outcome`.
        unsafe { drop_outcome(self.0.as_ptr()) }
    }

    /// Runs `f` on a shared view of the join-waker slot. Sound at any time: the completer
    /// only ever reads the slot while it may, and the only writer is this reference's holder,
    /// which is not writing while it reads.
    pub(super) fn peek_join_waker<R>(&self, f: impl FnOnce(Option<&Waker>) -> R) -> R {
        self.0.header().join_waker.with(|slot| {
            // SAFETY: no one writes the slot concurrently: its only writer is this handle.
            f(unsafe { (*slot).as_ref() })
        })
    }

    /// Runs `f` on the join-waker slot, to write it.
    ///
    /// # Safety
    /// The handle owns the slot (rule 1 in `task`'s module docs): `JOIN_WAKER` is clear, or
    /// the completer handed the slot back after `COMPLETE`.
    pub(super) unsafe fn with_join_waker<R>(&self, f: impl FnOnce(&mut Option<Waker>) -> R) -> R {
        self.0.header().join_waker.with_mut(|slot| {
            // SAFETY: the caller owns the slot, so this access is exclusive.
            f(unsafe { &mut *slot })
        })
    }
}

/// The registry's reference: held while the task is linked, handed to whoever unlinks it.
pub(crate) struct RegistryRef(pub(super) TaskRef);

impl RegistryRef {
    /// Adopts the registry's reference of a task just unlinked.
    ///
    /// # Safety
    /// `ptr` is a live task whose registry link the caller just removed (so it owns the
    /// reference the link held).
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> Self {
        // SAFETY: per the caller.
        Self(unsafe { TaskRef::from_raw(ptr) })
    }

    /// Gives the reference to the intrusive list (see `from_raw` to take it back).
    pub(super) fn into_raw(self) -> NonNull<Header> {
        self.0.into_raw()
    }

    pub(super) fn as_ptr(&self) -> NonNull<Header> {
        self.0.as_ptr()
    }

    /// Shutdown: cancels the task unless someone else runs it; consumes the reference.
    pub(super) fn shutdown(self) {
        let shutdown = self.0.vtable().shutdown;
        // SAFETY: the vtable is this task's; we pass the registry's reference of an unlinked
        // task, as `shutdown` expects.
        unsafe { shutdown(self.0.into_raw()) }
    }
}
