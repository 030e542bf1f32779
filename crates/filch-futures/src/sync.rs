//! The sync facade: the only file that names `std::sync` or `loom`.
//!
//! Under `cfg(loom)` the atomics, the lock, the cell, `yield_now` and `thread_local!` are
//! loom's, so the models in `loom_tests` see every access the promise protocol makes (and a
//! modelled thread has thread-locals of its own: loom runs them all on one OS thread);
//! otherwise they are std's. [`UnsafeCell`] has loom's closure-shaped API in both builds.

#[cfg(loom)]
pub(crate) use loom::{
    cell::UnsafeCell,
    sync::{atomic::AtomicUsize, Arc, Mutex, MutexGuard},
    thread::yield_now,
    thread_local,
};
#[cfg(not(loom))]
pub(crate) use std::{
    sync::{atomic::AtomicUsize, Arc, Mutex, MutexGuard},
    thread::yield_now,
    thread_local,
};

pub(crate) use std::sync::atomic::Ordering;

/// Process-wide settings (the unretrieved-exception hook) and the callback-id counter live in
/// `static`s. loom's types can only be created inside a model, and no modelled protocol
/// depends on them (an id only has to be unique), so they are always std's.
pub(crate) mod process {
    pub(crate) use std::sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    };
}

/// Locks `mutex`, ignoring poison.
///
/// Every critical section in this crate leaves the data consistent at each step and runs no
/// done callback, so a panic inside one (only a waker's `clone` could panic there) leaves
/// nothing half-done that poison would protect.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The data of a `mutex` nobody else can reach (`&mut`): no lock taken, poison ignored as in
/// [`lock`].
pub(crate) fn get_mut<T>(mutex: &mut Mutex<T>) -> &mut T {
    mutex
        .get_mut()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// loom's closure-shaped `UnsafeCell` API over std's cell, so every access is visible to loom.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
