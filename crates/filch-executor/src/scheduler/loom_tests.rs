//! loom models of the real worker loop: production `Shared` and `Worker`s (under loom their
//! queues are the model queues of `queue.rs` and their LIFO slots the model of `lifo.rs`),
//! each worker running `Worker::run` on a loom thread. A task that is never run leaves its
//! waiter parked and every worker asleep (loom reports the deadlock), or a LIFO watcher
//! looking for ever without taking it (loom's branch limit ends the model with a panic).
//!
//! The models keep the search short (one round) and the workers at two, and bound the
//! preemptions whatever `LOOM_MAX_PREEMPTIONS` says: a whole worker loop is far more steps
//! than the protocol-level models, and 3 preemptions take minutes. Two threads running loops
//! and a third injecting get 1 (the lost wake-up needs one: a worker preempted between its
//! search and its sleep); the others get 2.

use super::worker::Worker;
use super::{Config, Shared};
use crate::sync::{thread, Arc, AtomicUsize, Ordering::SeqCst, StdArc};
use std::future::pending;
use std::time::Duration;

/// A runtime's shared state and its `workers` workers, not started, with the models' short
/// search and fixed injector interval.
pub(crate) fn runtime(workers: usize) -> (StdArc<Shared>, Vec<Worker>) {
    super::unstarted::runtime(
        workers,
        Config {
            global_queue_interval: Some(61),
            max_lifo_polls: 3,
            search_rounds: 1,
            search_spin: Duration::ZERO,
        },
    )
}

/// Runs each worker's loop on its own loom thread.
pub(crate) fn start(workers: Vec<Worker>) -> Vec<thread::JoinHandle<()>> {
    workers
        .into_iter()
        .map(|worker| thread::spawn(move || worker.run()))
        .collect()
}

/// What `Runtime::shutdown` does: begin, wait for every worker's loop to return, release what
/// was injected meanwhile.
pub(crate) fn shut_down(shared: &Shared, threads: Vec<thread::JoinHandle<()>>) {
    shared.begin_shutdown();
    for thread in threads {
        thread.join().unwrap();
    }
    shared.drain_injector();
}

/// `loom::model` with at most `preemptions` preemptions (see the module docs).
pub(crate) fn model(preemptions: usize, f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(preemptions);
    builder.check(f);
}

/// Counts how many times it is dropped (a task's future: cancelled or completed once).
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A task injected from outside while both workers, having found nothing, fall asleep
/// (searching or throttled): one of them runs it. Fails if a worker skips its last look at
/// the queues before parking.
#[test]
fn injected_task_runs_while_workers_fall_asleep() {
    model(1, || {
        let (shared, workers) = runtime(2);
        let threads = start(workers);
        let task = shared.spawn(async { 7 });
        assert_eq!(loom::future::block_on(task).unwrap(), 7);
        shut_down(&shared, threads);
    });
}

/// A task injected while the runtime shuts down (one worker runs its loop, the other's thread
/// begins the shutdown): shutdown completes, and the task's future is dropped exactly once,
/// cancelled whether or not it was run first. Fails if a worker's shutdown skips cancelling
/// the registered tasks.
#[test]
fn inject_races_shutdown() {
    model(2, || {
        let (shared, mut workers) = runtime(2);
        let second = workers.pop().unwrap();
        let mut threads = start(workers);
        let s = shared.clone();
        threads.push(thread::spawn(move || {
            s.begin_shutdown();
            second.run();
        }));
        let drops = Arc::new(AtomicUsize::new(0));
        let counter = DropCounter(drops.clone());
        let task = shared.spawn(async move {
            let _counter = counter;
            pending::<()>().await;
        });
        shut_down(&shared, threads);
        assert_eq!(drops.load(SeqCst), 1, "the future is dropped exactly once");
        assert!(task.cancelled());
    });
}

/// The LIFO-slot steal: worker 0 spawns a child (into its LIFO slot), then its thread blocks
/// until the child ran, as a task blocking its worker on a std channel would. Worker 1 runs
/// its loop (searching, falling asleep, or asleep when the child arrives) and must take it.
#[test]
fn lifo_task_of_a_blocked_worker_is_stolen() {
    model(2, || {
        let (shared, mut workers) = runtime(2);
        let threads = start(workers.split_off(1));
        let first = workers.pop().unwrap();
        let child = first.spawn(async { 7 });
        assert_eq!(loom::future::block_on(child).unwrap(), 7);
        shared.begin_shutdown();
        first.run(); // shutdown's part of the loop only
        shut_down(&shared, threads);
    });
}

/// A wake from all asleep, then a stranded LIFO task. Worker 1 runs its loop; worker 0 (this
/// thread, without its loop) falls asleep and is woken again through the idle protocol's own
/// calls, as its sleep would do it, so both may be asleep at once; then it spawns a child
/// (into its LIFO slot) and blocks until the child ran, as a task blocking its worker would.
/// Worker 1 (sleeping, the watcher that the wake appointed, or still awake) must take the
/// child. Fails (deadlock) if a watcher appointed by a wake from all asleep is unparked
/// neither then nor at the first put after it (`Idle::after_lifo_put`).
#[test]
fn a_watcher_appointed_by_a_wake_from_all_asleep_sees_the_first_put() {
    model(2, || {
        let (shared, mut workers) = runtime(2);
        let first = workers.remove(0);
        let threads = start(workers);
        shared.idle.fall_asleep(0, false);
        assert!(shared.idle.wake_up(0), "worker 0 was listed asleep");
        shared.idle.work_found(|| false);
        let child = first.spawn(async { 7 });
        assert_eq!(loom::future::block_on(child).unwrap(), 7);
        shared.begin_shutdown();
        first.run(); // shutdown's part of the loop only
        shut_down(&shared, threads);
    });
}

/// A put racing the watcher's give-up. Worker 0 (this thread, without its loop) puts a task
/// in its slot, runs it from there, then puts a child and blocks until the child ran; worker 1
/// runs its loop. Worker 1 may take the role falling asleep while the first task waits, look
/// once the owner ran it (every slot quiet, but the owner awake: it must keep the role) and
/// then see the child's put; or steal the first task; or fall asleep after the child's put.
/// The child runs in every case. Fails if a watcher gives the role up at a quiet look while
/// a worker is awake (the rule before the role followed the awake count).
#[test]
fn put_racing_the_watchers_give_up_is_seen() {
    model(2, || {
        let (shared, mut workers) = runtime(2);
        let first = workers.remove(0);
        // Put before worker 1 starts: the start is not what this model explores.
        let task = first.spawn(async {});
        let threads = start(workers);
        first.run_next_task();
        let child = first.spawn(async { 7 });
        assert_eq!(loom::future::block_on(child).unwrap(), 7);
        drop(task);
        shared.begin_shutdown();
        first.run(); // shutdown's part of the loop only
        shut_down(&shared, threads);
    });
}

/// The LIFO task handed off by a spent budget. Worker 0 (this thread, without its loop)
/// spawns a child (into its LIFO slot), then its running task's budget runs out and is renewed
/// (`Worker::renew_budget`: the child goes to the injector), and the task keeps the thread,
/// blocking until the child ran. Worker 1 runs its loop (searching, falling asleep, asleep,
/// or the LIFO watcher that may steal the child first) and must run it. Fails if the handoff
/// leaves the child where no awake worker looks (pushed into the injector without the
/// new-injected-task wake, or into the owner's queue): both seen, as loom's branch limit
/// while worker 1 looks on for ever.
#[test]
fn a_lifo_task_handed_off_by_a_renewed_budget_runs() {
    model(2, || {
        let (shared, mut workers) = runtime(2);
        let first = workers.remove(0);
        let threads = start(workers);
        let child = first.spawn(async { 7 });
        assert!(first.renew_budget(), "nothing else waits for worker 0");
        assert_eq!(loom::future::block_on(child).unwrap(), 7);
        shared.begin_shutdown();
        first.run(); // shutdown's part of the loop only
        shut_down(&shared, threads);
    });
}
