//! The sync facade: the only file that names `std::sync` or `loom`.
//!
//! Under `cfg(loom)` the atomics, `Arc` and `Mutex` are loom's, so the loom models in
//! `ready_list.rs`, `first_failure.rs`, `spawned.rs`, `wait.rs` and `completions.rs` explore
//! every interleaving of their protocols; otherwise they are std's.

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicBool, AtomicUsize},
    Arc, Mutex, MutexGuard,
};
#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicBool, AtomicUsize},
    Arc, Mutex, MutexGuard,
};

/// loom uses std's orderings.
pub(crate) use std::sync::atomic::Ordering;

/// `std::task::Wake` needs std's `Arc` even under loom; the state it points to is loom's.
pub(crate) use std::sync::Arc as WakerArc;

#[cfg(all(test, loom))]
pub(crate) use loom::thread;
