//! `#[filch::main]` and `#[filch::test]`: what they accept, what they refuse, and that the
//! generated runtime really runs the body.
//!
//! - `ui`: trybuild compiles every `tests/ui/fail/*.rs` and compares the compiler's messages
//!   with the `.stderr` snapshot beside it (regenerate with `TRYBUILD=overwrite` after a
//!   deliberate message change, and review the diff), then builds and runs every
//!   `tests/ui/pass/*.rs`, each a `#[filch::main]` program that asserts what it computes.
//! - The `#[filch::test]` functions below are themselves the pass tests of that attribute.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long a rendezvous may wait; reached only when the workers are missing (a hang).
const HANG_GUARD: Duration = Duration::from_secs(30);

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/fail/*.rs");
    cases.pass("ui/pass/*.rs");
}

/// A meeting point for `parties` threads that fails (instead of hanging) if they never all
/// arrive, e.g. because fewer workers than tasks exist to run them at the same time.
struct Rendezvous {
    arrived: Mutex<usize>,
    all_here: Condvar,
    parties: usize,
}

impl Rendezvous {
    fn new(parties: usize) -> Arc<Self> {
        Arc::new(Self {
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
            parties,
        })
    }

    /// Blocks this thread until all parties arrived; panics after [`HANG_GUARD`].
    fn arrive(&self) {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        let (arrived, wait) = self
            .all_here
            .wait_timeout_while(arrived, HANG_GUARD, |arrived| *arrived < self.parties)
            .unwrap();
        assert!(
            !wait.timed_out(),
            "only {} of {} tasks ran at the same time",
            *arrived,
            self.parties
        );
    }
}

/// Spawns `parties` tasks that each block their worker until all of them run at once: it
/// succeeds only if the runtime has at least `parties` workers.
async fn meet_on_distinct_workers(parties: usize) {
    let rendezvous = Rendezvous::new(parties);
    let tasks: Vec<_> = (0..parties)
        .map(|_| {
            let rendezvous = Arc::clone(&rendezvous);
            filch::spawn(async move {
                rendezvous.arrive();
                std::thread::current().id()
            })
        })
        .collect();
    let mut threads = Vec::new();
    for task in tasks {
        threads.push(task.await.expect("no task panics"));
    }
    threads.sort_unstable_by_key(|id| format!("{id:?}"));
    threads.dedup();
    assert_eq!(threads.len(), parties, "each task ran on its own worker");
}

#[filch::test]
async fn a_test_runtime_has_two_workers_by_default() {
    meet_on_distinct_workers(2).await;
}

#[filch::test(worker_threads = 3)]
async fn worker_threads_sets_the_worker_count() {
    meet_on_distinct_workers(3).await;
}

#[filch::test]
async fn a_test_may_return_a_result() -> Result<(), filch::JoinError> {
    let sum = filch::spawn(async { (1..=10u32).sum::<u32>() }).await?;
    assert_eq!(sum, 55);
    Ok(())
}

#[filch::test]
#[should_panic(expected = "the body's panic reaches the harness")]
async fn a_panic_in_the_body_fails_the_test() {
    filch::yield_now().await;
    panic!("the body's panic reaches the harness");
}

#[filch::test]
async fn each_test_gets_its_own_runtime() {
    // A handle to this test's runtime is available inside the body...
    let handle = filch::Handle::current();
    let task = handle.spawn(async { 7 });
    assert_eq!(task.await.expect("the task runs"), 7);
    // ...and no runtime leaks to a fresh thread outside it.
    let outside = std::thread::spawn(|| filch::Handle::try_current().is_err());
    assert!(outside.join().unwrap());
}
