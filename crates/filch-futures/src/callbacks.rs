//! Done callbacks: the queue of those registered before completion, and the panic policy.
//! Where a completer runs them (now, or deferred to this thread's running drain) is
//! `deferred.rs`'s business.

use std::any::Any;
use std::mem;
use std::panic::{self, AssertUnwindSafe};

use crate::deferred::DeferredDrain;
use crate::sync::process::{AtomicU64, Ordering::Relaxed};
use crate::Promise;

/// Identifies one registration made by [`Promise::add_done_callback`], for
/// [`Promise::remove_done_callback`].
///
/// An id names one registration on one promise: ids are unique across every promise of the
/// process, so an id from another promise removes nothing here. Every handle (clone) of a
/// promise shares its registrations, so any of them can remove by an id another returned.
///
/// # Example
/// ```
/// use filch::Promise;
///
/// let p: Promise<u8, String> = Promise::new();
/// let other: Promise<u8, String> = Promise::new();
/// let first = p.add_done_callback(|_| {});
/// let second = p.add_done_callback(|_| {});
/// assert_ne!(first, second);
/// let foreign = other.add_done_callback(|_| {});
/// assert!(!p.remove_done_callback(foreign), "not this promise's registration");
/// assert!(p.clone().remove_done_callback(first), "any handle of `p` may remove it");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallbackId(u64);

/// The ids handed out so far, in the whole process (see [`CallbackId`]).
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl CallbackId {
    /// A fresh id, never handed out before in this process. Uniqueness is all it needs, so
    /// `Relaxed` (the counter orders nothing else); 2^64 ids do not run out at any rate a
    /// program can register callbacks.
    pub(crate) fn next() -> Self {
        Self(NEXT_ID.fetch_add(1, Relaxed))
    }
}

/// A done callback as stored: it is called once, with the completing handle.
pub(crate) type Callback<T, E> = Box<dyn FnOnce(&Promise<T, E>) + Send>;

/// Callbacks as taken out of the queue, in registration order, with their ids.
pub(crate) type Batch<T, E> = Vec<(CallbackId, Callback<T, E>)>;

/// Boxes a promise's drain (a handle, and the batch taken at completion) for this thread's
/// outermost drain. Boxing needs `T: 'static` and `E: 'static`, which only
/// `add_done_callback` requires: so the queue, which only it creates, carries this function,
/// made where those bounds hold, and the completer (which has no such bounds) calls it.
pub(crate) type DeferDrain<T, E> = fn(Promise<T, E>, Batch<T, E>) -> DeferredDrain;

/// Callbacks waiting for completion, in registration order. Lives in the registry, under
/// its lock.
pub(crate) struct CallbackQueue<T, E> {
    entries: Batch<T, E>,
    /// The completer found the queue empty after running everything: a callback added from
    /// now on runs at once on the thread that adds it.
    closed: bool,
    defer: DeferDrain<T, E>,
}

impl<T, E> CallbackQueue<T, E> {
    pub(crate) fn new(defer: DeferDrain<T, E>) -> Self {
        Self {
            entries: Vec::new(),
            closed: false,
            defer,
        }
    }

    pub(crate) fn push(&mut self, id: CallbackId, callback: Callback<T, E>) {
        debug_assert!(
            !self.closed,
            "callback queued after the completer closed the queue"
        );
        self.entries.push((id, callback));
    }

    /// Removes the callback registered as `id`, if still queued, and returns it: the caller
    /// drops it after releasing the lock, since dropping its captures runs user code.
    pub(crate) fn remove(&mut self, id: CallbackId) -> Option<Callback<T, E>> {
        let index = self.entries.iter().position(|(queued, _)| *queued == id)?;
        // `Vec::remove` (not `swap_remove`): the others keep their order.
        Some(self.entries.remove(index).1)
    }

    /// The completer's next batch, in registration order, with their ids (moved out as they
    /// are stored: no second vector). An empty batch closes the queue.
    pub(crate) fn take_batch(&mut self) -> Batch<T, E> {
        if self.entries.is_empty() {
            self.closed = true;
        }
        mem::take(&mut self.entries)
    }

    /// How to put this promise's drain off (see [`DeferDrain`]).
    pub(crate) fn defer(&self) -> DeferDrain<T, E> {
        self.defer
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }
}

/// Runs callbacks (and wakers) so that one panic does not stop the rest: the first panic
/// is kept and resumed once everything ran; later payloads are dropped. The outermost drain
/// of a thread lends its own to the drains deferred to it, so "first" is in the order this
/// thread ran them.
#[derive(Default)]
pub(crate) struct FirstPanic(Option<Box<dyn Any + Send>>);

impl FirstPanic {
    pub(crate) fn run(&mut self, f: impl FnOnce()) {
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(f)) {
            self.0.get_or_insert(payload);
        }
    }

    pub(crate) fn resume(self) {
        if let Some(payload) = self.0 {
            panic::resume_unwind(payload);
        }
    }
}
