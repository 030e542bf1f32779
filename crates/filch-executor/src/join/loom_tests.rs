//! loom models of fork-join on the production workers (`scheduler::loom_tests::runtime`):
//! this thread plays worker 0, calling `join` or `scope` directly as a task on it would, while
//! worker 1 runs its whole loop on a loom thread (searching, stealing jobs, falling asleep).
//! A waiting owner that is never woken, or a job nobody runs, leaves every thread parked:
//! loom reports the deadlock. (Under loom the runtime's thread context is not installed, so
//! the models call the worker-level functions `join_on` and `scope_on` / `spawn_on`.)
//!
//! What they leave out: the cold path from outside the workers (a task, covered by the task
//! and worker models), more than one thief, and async tasks polled inside a wait.

use super::scope::scope_on;
use super::{join_on, FnContext};
use crate::scheduler::loom_tests::{model, runtime, shut_down, start};
use crate::scheduler::worker::Worker;
use crate::sync::{AtomicUsize, Ordering::SeqCst};

/// `b` pushed, `a` run, `b` taken back or stolen: if worker 1 steals it, worker 0 waits on the
/// latch, helping (nothing to help with) and then sleeping on it; the steal's set must wake it.
/// Fails (deadlock) if `Latch::set` does not wake a sleeping owner, or if the owner parks
/// without announcing itself on the latch first.
#[test]
fn a_stolen_half_wakes_its_waiting_owner() {
    model(2, || {
        let (shared, mut workers) = runtime(2);
        let owner = workers.remove(0);
        let threads = start(workers);
        let (a, b) = join_on(
            &owner,
            |_: FnContext| 1,
            |ctx: FnContext| ctx.migrated(),
            false,
        );
        assert_eq!(a, 1);
        let _stolen = b;
        shared.begin_shutdown();
        owner.run(); // shutdown's part of the loop only
        shut_down(&shared, threads);
    });
}

/// A scope with two spawns: each runs on the owner (taken back while it waits) or on worker 1
/// (stolen); `scope` returns only once both ran, whichever finished last sets the latch.
/// Fails if the count can reach zero early (the spawn counted after its push) or the last
/// finisher's set is lost.
#[test]
fn scope_returns_once_every_spawn_ran() {
    model(2, || {
        let (shared, mut workers) = runtime(2);
        let owner = workers.remove(0);
        let threads = start(workers);
        let ran = AtomicUsize::new(0);
        let here = OnThisThread(&owner);
        scope_on(&owner, |s| {
            for _ in 0..2 {
                s.spawn_on(here.get(), |_| {
                    ran.fetch_add(1, SeqCst);
                });
            }
        });
        assert_eq!(ran.load(SeqCst), 2);
        shared.begin_shutdown();
        owner.run();
        shut_down(&shared, threads);
    });
}

/// The owner, for the scope's body, which runs on this same thread (`scope_on` calls it
/// inline) but must be `Send` for the public `scope`'s sake.
struct OnThisThread<'a>(&'a Worker);

impl OnThisThread<'_> {
    fn get(&self) -> &Worker {
        self.0
    }
}

// SAFETY: used only by the scope's body, which `scope_on` runs on the thread that made it.
unsafe impl Send for OnThisThread<'_> {}
// SAFETY: as above.
unsafe impl Sync for OnThisThread<'_> {}
