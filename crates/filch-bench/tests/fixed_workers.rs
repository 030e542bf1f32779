//! A workload that fixes its own worker count ([`Workload::workers`], as `spawn_join_1w` does)
//! gets runtimes of that many workers from the runner, whatever the plan says.

use filch_bench::rt::Rt;
use filch_bench::runner::{compare, Plan};
use filch_bench::stopwatch::Stopwatch;
use filch_bench::workloads::{Sample, Workload};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

/// How long the first task keeps its worker waiting for the second to run beside it. A second
/// worker, when there is one, picks the task up in micro- to milliseconds.
const WINDOW: Duration = Duration::from_millis(200);

/// A whole comparison takes about 3 × [`WINDOW`]; this much means it hangs.
const HANG_LIMIT: Duration = Duration::from_secs(60);

/// Set if any runtime ran two of [`OneWorker`]'s tasks at the same time.
static RAN_TWO_AT_ONCE: AtomicBool = AtomicBool::new(false);

/// Asks for one worker, and records whether two tasks ever ran at once: a task spawns a
/// second and keeps its worker until that one has run or [`WINDOW`] is over. On one worker
/// the second cannot run until the first lets go; on two, the other worker runs it.
struct OneWorker;

impl Workload for OneWorker {
    fn name(&self) -> &'static str {
        "one_worker_probe"
    }

    fn workers(&self, _planned: usize) -> usize {
        1
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let stopwatch = Stopwatch::start();
        let second_ran_meanwhile = rt.block_on(rt.spawn_remote(async {
            let second_ran = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&second_ran);
            // Spawned from the first task, so it waits in that worker's queue.
            let second = R::spawn(async move { flag.store(true, Ordering::Release) });
            let deadline = Instant::now() + WINDOW;
            while !second_ran.load(Ordering::Acquire) && Instant::now() < deadline {
                thread::yield_now();
            }
            let meanwhile = second_ran.load(Ordering::Acquire);
            second.await;
            meanwhile
        }));
        if second_ran_meanwhile {
            RAN_TWO_AT_ONCE.store(true, Ordering::Relaxed);
        }
        stopwatch.stop()
    }
}

#[test]
fn a_workload_that_asks_for_one_worker_runs_on_one_whatever_the_plan() {
    let plan = Plan {
        workers: 2,
        warm_up_rounds: 0,
        rounds: 1,
        aa: false,
    };
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(compare(&OneWorker, &plan));
    });
    finished
        .recv_timeout(HANG_LIMIT)
        .expect("the comparison panicked or hung");
    assert!(
        !RAN_TWO_AT_ONCE.load(Ordering::Relaxed),
        "a runtime ran two tasks at once: it was built with the plan's 2 workers, not the \
         workload's 1"
    );
}
