//! The task allocation and its vtable: the layout, and the base reference every role wraps.
//! What the vtable's functions do with a task (poll, cancel, complete) is in `harness.rs`;
//! the kinds of reference and their operations are in `refs.rs`.
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

use super::error::PanicPayload;
use super::harness;
use super::refs::{JoinRef, Notified, RegistryRef};
use super::registry::Links;
use super::state::State;
use super::Schedule;
use crate::sync::UnsafeCell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::Waker;

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

/// The operations that need the concrete `F` and `S`. Each one's contract is the `# Safety`
/// section of the function in `harness.rs` (or `dealloc` here) that implements it; the typed
/// references in `refs.rs` are the only callers.
pub(super) struct Vtable {
    /// Runs a `Notified` (consumes its reference); returns it again (a `Notified`'s
    /// reference) if the task was woken during its poll.
    pub(super) poll: unsafe fn(NonNull<Header>) -> Option<NonNull<Header>>,
    /// Submits a `Notified` to the task's scheduler (consumes its reference; the caller holds
    /// another one across the call).
    pub(super) schedule: unsafe fn(NonNull<Header>),
    /// Shutdown: cancels the task if no one runs it (consumes the registry's reference).
    pub(super) shutdown: unsafe fn(NonNull<Header>),
    /// Moves the outcome into `*mut Option<Result<F::Output, JoinError>>`.
    pub(super) read_outcome: unsafe fn(NonNull<Header>, *mut ()),
    /// Drops the outcome in place.
    pub(super) drop_outcome: unsafe fn(NonNull<Header>),
    /// Frees the cell (its last reference is gone).
    pub(super) dealloc: unsafe fn(NonNull<Header>),
}

#[repr(C)]
struct Cell<F: Future, S> {
    header: Header,
    scheduler: S,
    stage: UnsafeCell<Stage<F>>,
}

/// The future, then its outcome: which field is live is in the state word (module docs).
pub(super) union Stage<F: Future> {
    pub(super) future: ManuallyDrop<F>,
    pub(super) output: ManuallyDrop<F::Output>,
    pub(super) panic: ManuallyDrop<Box<PanicPayload>>,
}

struct Vtables<F, S>(std::marker::PhantomData<(F, S)>);

impl<F: Future + Send + 'static, S: Schedule> Vtables<F, S>
where
    F::Output: Send + 'static,
{
    const VTABLE: Vtable = Vtable {
        poll: harness::poll::<F, S>,
        schedule: harness::schedule::<F, S>,
        shutdown: harness::shutdown::<F, S>,
        read_outcome: harness::read_outcome::<F, S>,
        drop_outcome: harness::drop_outcome::<F, S>,
        dealloc: dealloc::<F, S>,
    };
}

/// One owned reference count: the base of every kind of reference (`refs.rs`), released on
/// drop. By itself it offers only what any holder may do: read the state word. A bare
/// `TaskRef` is the *watch* role (the done-callbacks' hold on the task, a guard across a
/// hand-off); the roles with more rights wrap it.
pub(super) struct TaskRef {
    ptr: NonNull<Header>,
}

// SAFETY: a task is shared by design: every field of the header is either atomic or guarded by
// the state word's protocol, the future and output are `Send` (required by `allocate`), and the
// scheduler is `Send + Sync` (required by `Schedule`).
unsafe impl Send for TaskRef {}
// SAFETY: as above; `&TaskRef` only offers the atomic state word.
unsafe impl Sync for TaskRef {}

/// Allocates a task holding `future`; returns its three initial references (see
/// `state::INITIAL`): the `Notified`, the `JoinHandle`'s and the registry's.
pub(super) fn allocate<F, S>(future: F, scheduler: S) -> (Notified, JoinRef, RegistryRef)
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
    let base = || TaskRef { ptr };
    // The initial state holds SCHEDULED, JOIN_INTEREST and three counts, one for each.
    (Notified(base()), JoinRef(base()), RegistryRef(base()))
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

    pub(super) fn as_ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    pub(super) fn header(&self) -> &Header {
        // SAFETY: this `TaskRef` owns a reference, so the cell outlives the borrow of `self`.
        unsafe { self.ptr.as_ref() }
    }

    pub(super) fn state(&self) -> &State {
        &self.header().state
    }

    pub(super) fn vtable(&self) -> &'static Vtable {
        self.header().vtable
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
        let dealloc = self.vtable().dealloc;
        if self.state().ref_dec(1) {
            // SAFETY: that was the last reference: nothing else can reach the cell.
            unsafe { dealloc(self.ptr) }
        }
    }
}

/// The state word alone. A `&State` lies entirely in atomic (interior-mutable) memory, so it
/// may outlive a reference release that lets another thread free the cell (as `Arc` does).
///
/// # Safety
/// `ptr` points to a live task.
pub(super) unsafe fn state<'a>(ptr: NonNull<Header>) -> &'a State {
    // SAFETY: the caller guarantees the header is alive.
    unsafe { &ptr.as_ref().state }
}

/// # Safety
/// `ptr` is a live `Cell<F, S>` and the caller holds a reference to it.
pub(super) unsafe fn scheduler<'a, F: Future + 'a, S: 'a>(ptr: NonNull<Header>) -> &'a S {
    // SAFETY: the caller guarantees type and liveness; `scheduler` is never written after
    // allocation.
    unsafe { &ptr.cast::<Cell<F, S>>().as_ref().scheduler }
}

/// Runs `f` with exclusive access to `stage`.
///
/// # Safety
/// `ptr` is a live `Cell<F, S>` and the caller holds exclusive access to `stage`: it holds
/// `RUNNING`, or it owns the outcome after `COMPLETE`.
pub(super) unsafe fn with_stage<F: Future, S, R>(
    ptr: NonNull<Header>,
    f: impl FnOnce(&mut Stage<F>) -> R,
) -> R {
    // SAFETY: liveness and type from the caller.
    let cell = unsafe { ptr.cast::<Cell<F, S>>().as_ref() };
    // SAFETY: exclusivity from the caller.
    cell.stage.with_mut(|stage| f(unsafe { &mut *stage }))
}

/// `Vtable::dealloc`.
///
/// # Safety
/// `ptr` is a `Cell<F, S>` made by `allocate` whose last reference is gone.
pub(super) unsafe fn dealloc<F: Future, S>(ptr: NonNull<Header>) {
    // SAFETY: the caller guarantees the type and that no reference remains, so the box is ours.
    let cell = unsafe { Box::from_raw(ptr.cast::<Cell<F, S>>().as_ptr()) };
    // Freeing writes the whole cell: under loom, touch both cells mutably so that a free not
    // ordered after another thread's last access (a `ref_dec` that is not `AcqRel`) is
    // reported as the race it is. This comes before the assertion below, whose Acquire load
    // would order the free by itself. The join-waker slot is emptied here anyway (rule 4).
    #[cfg(loom)]
    cell.stage.with_mut(|_| ());
    let stale_waker = cell.header.join_waker.with_mut(|slot| {
        // SAFETY: the last reference is gone: no one else can reach the slot.
        unsafe { (*slot).take() }
    });
    debug_assert!(
        cell.header.state.load().is_complete(),
        "freed an unfinished task"
    );
    drop_quietly(stale_waker);
    // Dropping the box drops the header, the scheduler, and `stage`, which is a union without
    // drop glue: its outcome was taken or dropped by its owner.
    drop_quietly(cell);
}

/// Drops `value`, catching a panicking destructor: the runtime's threads never unwind.
pub(super) fn drop_quietly<T>(value: T) {
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
