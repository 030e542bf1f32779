//! Fork-join on the runtime's workers: [`join`], [`join_context`], [`scope`] (rayon's names).
//!
//! SKELETON (branch point for the parallel-iterator and benchmark work): the bodies below run
//! both halves on the calling thread; the real job deque, latches and helping land before this
//! is merged.

/// What a closure passed to [`join_context`] learns about where it runs.
#[derive(Clone, Copy, Debug)]
pub struct FnContext {
    migrated: bool,
}

impl FnContext {
    /// Whether this closure runs on another thread than the one that called `join_context`
    /// (it was stolen): a parallel iterator splits a stolen piece again.
    pub fn migrated(&self) -> bool {
        self.migrated
    }
}

/// Runs `a` and `b`, potentially in parallel, and returns both results.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    join_context(|_| a(), |_| b())
}

/// [`join`], telling each closure whether it was stolen.
pub fn join_context<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce(FnContext) -> RA + Send,
    B: FnOnce(FnContext) -> RB + Send,
    RA: Send,
    RB: Send,
{
    expect_runtime("join");
    let ra = a(FnContext { migrated: false });
    let rb = b(FnContext { migrated: false });
    (ra, rb)
}

/// The number of workers of the runtime this thread belongs to (the machine's core count
/// outside any runtime): how many pieces a parallel iterator starts with.
pub fn current_num_threads() -> usize {
    crate::runtime::context::current()
        .map(|h| h.shared.num_workers())
        .unwrap_or_else(num_cpus::get)
}

/// Panics, saying what to do, unless this thread belongs to or has entered a runtime: the check
/// every fork-join entry point (and each parallel-iterator consumer, even on an input too small
/// to split) makes first, so misuse fails the same way whatever the input size.
#[track_caller]
pub(crate) fn expect_runtime(what: &str) {
    if crate::runtime::context::current().is_none() {
        panic!(
            "filch::{what} called outside a filch runtime: call it from a task, inside \
             Runtime::block_on or inside spawn_blocking"
        );
    }
}
