//! `join` and `scope` on the runtime's workers: results, where the halves run, panics, misuse,
//! and progress of async work while fork-join work runs. Every test that waits on the runtime
//! runs under the hang guard.

mod support;

use filch_executor::{join, join_context, scope, spawn, spawn_blocking, Builder, Runtime};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Barrier};
use std::time::Duration;
use support::{panic_message, within_hang_guard};

fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = join(|| fib(n - 1), || fib(n - 2));
    a + b
}

fn runtime(workers: usize) -> Runtime {
    Builder::new().worker_threads(workers).build().unwrap()
}

#[test]
fn fib_is_right_from_block_on_a_task_and_spawn_blocking() {
    within_hang_guard(|| {
        for workers in [1, 2, 4] {
            let rt = runtime(workers);
            assert_eq!(rt.block_on(async { fib(20) }), 6765);
            let task = rt.spawn(async { fib(20) });
            assert_eq!(rt.block_on(task).unwrap(), 6765);
            let blocking = rt.block_on(async { spawn_blocking(|| fib(18)).await.unwrap() });
            assert_eq!(blocking, 2584);
        }
    });
}

#[test]
fn both_halves_run_at_once_when_they_must() {
    // Each half waits at a barrier for the other: only a real fork gets past it, so this
    // fails (at the hang guard) if `b` is never stolen while `a` blocks its worker.
    within_hang_guard(|| {
        let rt = runtime(2);
        let barrier = Barrier::new(2);
        let task = rt.spawn(async move {
            let (a, b) = join(|| barrier.wait().is_leader(), || barrier.wait().is_leader());
            a ^ b
        });
        assert!(rt.block_on(task).unwrap(), "exactly one half leads");
    });
}

#[test]
fn migrated_says_where_a_half_ran() {
    within_hang_guard(|| {
        let rt = runtime(2);
        // On a worker with nobody else busy, `b` is usually taken back: `a` is never migrated.
        let task = rt.spawn(async { join_context(|ctx| ctx.migrated(), |_| ()).0 });
        assert!(!rt.block_on(task).unwrap());
        // From block_on, both run on the workers.
        let (a, b) = rt.block_on(async { join_context(|c| c.migrated(), |c| c.migrated()) });
        assert!(a && b);
    });
}

#[test]
fn a_panic_in_either_half_propagates_after_both_finished() {
    within_hang_guard(|| {
        let rt = runtime(2);
        for panicking in ["a", "b"] {
            let other_ran = AtomicUsize::new(0);
            let caught = rt.block_on(async {
                catch_unwind(AssertUnwindSafe(|| {
                    join(
                        || {
                            if panicking == "a" {
                                panic!("a failed");
                            }
                            other_ran.fetch_add(1, Ordering::SeqCst);
                        },
                        || {
                            if panicking == "b" {
                                panic!("b failed");
                            }
                            std::thread::sleep(Duration::from_millis(10));
                            other_ran.fetch_add(1, Ordering::SeqCst);
                        },
                    )
                }))
            });
            let payload = caught.expect_err("the panic propagates");
            assert_eq!(panic_message(&*payload), format!("{panicking} failed"));
            assert_eq!(
                other_ran.load(Ordering::SeqCst),
                1,
                "the other half finished"
            );
        }
        // The workers are alive: the runtime still runs fork-join work.
        assert_eq!(rt.block_on(async { fib(15) }), 610);
    });
}

#[test]
fn join_outside_a_runtime_panics_with_advice() {
    let payload = catch_unwind(|| join(|| 1, || 2)).expect_err("no runtime");
    let message = panic_message(&*payload);
    assert!(
        message.contains("outside a filch runtime") && message.contains("block_on"),
        "{message}"
    );
}

#[test]
fn scope_runs_every_spawn_with_borrows_and_nested_spawns() {
    within_hang_guard(|| {
        let rt = runtime(2);
        let mut data: Vec<u64> = (0..1000).collect();
        let count = AtomicUsize::new(0);
        rt.block_on(async {
            scope(|s| {
                for chunk in data.chunks_mut(100) {
                    let count = &count;
                    s.spawn(move |s| {
                        for x in chunk.iter_mut() {
                            *x *= 2;
                        }
                        s.spawn(move |_| {
                            count.fetch_add(1, Ordering::SeqCst);
                        });
                    });
                }
            })
        });
        assert_eq!(count.load(Ordering::SeqCst), 10, "every nested spawn ran");
        assert!(data.iter().enumerate().all(|(i, &x)| x == 2 * i as u64));
        // The same from a task.
        let task = rt.spawn(async {
            let total = AtomicUsize::new(0);
            scope(|s| {
                for i in 0..64 {
                    let total = &total;
                    s.spawn(move |_| {
                        total.fetch_add(i, Ordering::SeqCst);
                    });
                }
            });
            total.into_inner()
        });
        assert_eq!(rt.block_on(task).unwrap(), 64 * 63 / 2);
    });
}

#[test]
fn scope_propagates_the_first_panic_after_all_finished() {
    within_hang_guard(|| {
        let rt = runtime(2);
        let finished = AtomicUsize::new(0);
        let caught = rt.block_on(async {
            catch_unwind(AssertUnwindSafe(|| {
                scope(|s| {
                    s.spawn(|_| panic!("spawned failed"));
                    for _ in 0..8 {
                        s.spawn(|_| {
                            std::thread::sleep(Duration::from_millis(2));
                            finished.fetch_add(1, Ordering::SeqCst);
                        });
                    }
                })
            }))
        });
        let payload = caught.expect_err("the panic propagates");
        assert_eq!(panic_message(&*payload), "spawned failed");
        assert_eq!(
            finished.load(Ordering::SeqCst),
            8,
            "the others finished first"
        );
    });
}

#[test]
fn scope_spawn_from_a_foreign_thread_panics_with_advice() {
    within_hang_guard(|| {
        let rt = runtime(2);
        let message = rt.block_on(async {
            scope(|s| {
                std::thread::scope(|threads| {
                    threads
                        .spawn(|| catch_unwind(AssertUnwindSafe(|| s.spawn(|_| ()))))
                        .join()
                        .unwrap()
                })
            })
        });
        let payload = message.expect_err("a plain thread cannot spawn into the scope");
        let text = panic_message(&*payload);
        assert!(text.contains("not a worker"), "{text}");
    });
}

#[test]
fn async_tasks_are_served_while_fork_join_work_waits() {
    // Worker 0 runs a join whose `b` blocks until a task has run: the waiting worker (or the
    // other one) must poll that task, or this hangs (caught by the hang guard).
    within_hang_guard(|| {
        let rt = runtime(2);
        let (tx, rx) = mpsc::channel::<()>();
        let task = rt.spawn(async move {
            let ping = spawn(async move { tx.send(()).unwrap() });
            let ((), ()) = join(
                || (),
                move || {
                    rx.recv_timeout(Duration::from_secs(20))
                        .expect("the task ran")
                },
            );
            ping.await.unwrap();
        });
        rt.block_on(task).unwrap();
    });
}

#[test]
fn many_tasks_each_forking_all_finish() {
    within_hang_guard(|| {
        let rt = runtime(2);
        let tasks: Vec<_> = (0..200u64)
            .map(|i| rt.spawn(async move { fib(10 + i % 8) }))
            .collect();
        let want: u64 = (0..200u64)
            .map(|i| [55, 89, 144, 233, 377, 610, 987, 1597][(i % 8) as usize])
            .sum();
        let got: u64 = rt.block_on(async {
            let mut sum = 0;
            for t in tasks {
                sum += t.await.unwrap();
            }
            sum
        });
        assert_eq!(got, want);
    });
}

#[test]
fn a_timer_task_runs_while_a_parallel_computation_holds_the_worker() {
    // One worker, inside a `par_iter` of about 200 ms of spinning items (two leaves of half
    // each); a task whose 1 ms timer is registered just before must run at a leaf boundary,
    // long before the first leaf ends. Without the boundaries (`join::let_async_in`) it runs
    // only once a leaf ended, after at least half of the items.
    use filch_executor::prelude::*;
    use std::sync::Arc;
    use std::time::Instant;
    const ITEMS: usize = 4_000;
    within_hang_guard(|| {
        let rt = runtime(1);
        let processed = Arc::new(AtomicUsize::new(0));
        let (registered_tx, registered_rx) = mpsc::channel();
        let seen = processed.clone();
        let timer = rt.spawn(async move {
            registered_tx.send(()).unwrap();
            filch_executor::sleep(Duration::from_millis(1)).await;
            seen.load(Ordering::SeqCst)
        });
        registered_rx.recv_timeout(Duration::from_secs(20)).unwrap();
        let count = processed.clone();
        let work = rt.spawn(async move {
            (0..ITEMS).into_par_iter().for_each(|_| {
                let until = Instant::now() + Duration::from_micros(50);
                while Instant::now() < until {
                    std::hint::spin_loop();
                }
                count.fetch_add(1, Ordering::SeqCst);
            })
        });
        rt.block_on(work).unwrap();
        let at_run = rt.block_on(timer).unwrap();
        assert!(
            at_run < ITEMS / 4,
            "the timer's task ran only after {at_run} of {ITEMS} items: no async boundary"
        );
    });
}
