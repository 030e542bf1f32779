//! The sync facade: the only file that names `std::sync` atomics, `std::thread` parking or `loom`.
//!
//! Under `cfg(loom)` every type comes from loom so that the models in `*::loom_tests` explore
//! every interleaving of the code that uses them; otherwise the same paths resolve to `std`.
//! Both builds offer the same surface:
//!
//! - [`Mutex`] whose `lock()` returns the guard directly. A panic while a filch lock is held is
//!   a bug in filch itself (user code never runs under these locks), so poisoning carries no
//!   information and is ignored.
//! - [`UnsafeCell`] with loom's closure-shaped API (`with`, `with_mut`), so each access to a
//!   task's fields is visible to loom.
//! - [`wait_timeout`]: a timed condvar wait; under loom an untimed one (the models never rely
//!   on a timeout to make progress).
//! - [`rng_seed`]: a fixed seed under loom (deterministic models), a varying one otherwise.

#[cfg(loom)]
pub(crate) use loom::{
    sync::{
        atomic::{fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering},
        Arc, Condvar,
    },
    thread,
};
/// The modelled `Arc` (tests and the loom queue model only; the runtime layer uses `StdArc`).
#[cfg(all(test, not(loom)))]
pub(crate) use std::sync::Arc;
#[cfg(not(loom))]
pub(crate) use std::{
    sync::{
        atomic::{fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering},
        Condvar,
    },
    thread,
};

/// `std`'s `Arc` in both builds: for wakers made through `std::task::Wake` (which needs it),
/// and for the runtime-level sharing (`Shared`, thread hooks) that the loom models do not
/// explore: they work at the level of tasks, the registry, the parker and the idle protocol.
pub(crate) use std::sync::Arc as StdArc;

/// Seeds the per-worker xorshift generator; fixed under loom so models are deterministic.
#[cfg(loom)]
pub(crate) fn rng_seed(index: usize) -> u64 {
    0x9E37_79B9_7F4A_7C15 ^ index as u64
}

/// Seeds the per-worker xorshift generator from the worker index and a fresh `RandomState`.
///
/// `RandomState` keys come from the OS's randomness once per thread and change with every
/// `new()`, so runtimes started together still get different victim orders. It also works
/// under Miri's default isolation (which serves it from Miri's own seeded generator), where
/// the clock this used before (`SystemTime::now`) is refused and no `Runtime` could start.
#[cfg(not(loom))]
pub(crate) fn rng_seed(index: usize) -> u64 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one(index)
}

/// A mutex whose `lock` ignores poisoning (see the module docs for why that is sound here).
#[derive(Debug, Default)]
pub(crate) struct Mutex<T>(inner::Mutex<T>);

/// The guard of [`Mutex`].
pub(crate) type MutexGuard<'a, T> = inner::MutexGuard<'a, T>;

#[cfg(loom)]
mod inner {
    pub(crate) use loom::sync::{Mutex, MutexGuard};
}
#[cfg(not(loom))]
mod inner {
    pub(crate) use std::sync::{Mutex, MutexGuard};
}

impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(inner::Mutex::new(value))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Waits on `condvar` for at most `timeout`, ignoring poisoning like [`Mutex::lock`].
#[cfg(not(loom))]
pub(crate) fn wait_timeout<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    timeout: std::time::Duration,
) -> MutexGuard<'a, T> {
    match condvar.wait_timeout(guard, timeout) {
        Ok((guard, _)) => guard,
        Err(poisoned) => poisoned.into_inner().0,
    }
}

/// Under loom a timed wait is an untimed one: the models never depend on a timeout.
#[cfg(loom)]
pub(crate) fn wait_timeout<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    _timeout: std::time::Duration,
) -> MutexGuard<'a, T> {
    condvar.wait(guard).unwrap_or_else(|p| p.into_inner())
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// loom's closure-shaped `UnsafeCell` API in the std build, so every access compiles under both.
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
