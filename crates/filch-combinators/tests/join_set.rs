//! `JoinSet`: tokio's shape on filch — completion order, spawn while joining, `len`,
//! `abort_all`, and dropping the set cancels every task.

mod support;

use filch_combinators::JoinSet;
use filch_executor::Runtime;
use filch_futures::Promise;
use support::{within_hang_guard, DropSignal};

/// Tasks come out in the order they finish, not the order they were spawned.
#[test]
fn join_next_yields_in_completion_order() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let mut set = JoinSet::new();
            let gates: Vec<Promise<(), ()>> = (0..3).map(|_| Promise::new()).collect();
            for (i, gate) in gates.iter().enumerate() {
                let gate = gate.clone();
                set.spawn(async move {
                    gate.await.unwrap();
                    i
                });
            }
            assert_eq!(set.len(), 3);
            let mut order = Vec::new();
            for i in [2, 0, 1] {
                gates[i].set_result(()).unwrap(); // one at a time: the order is the test's
                order.push(set.join_next().await.unwrap().unwrap());
            }
            assert_eq!(order, [2, 0, 1]);
            assert!(set.is_empty() && set.join_next().await.is_none());
        });
    });
}

/// A panic and a cancellation come back as that task's `JoinError`; the others go on.
#[test]
fn a_failed_task_does_not_affect_the_others() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { panic!("task broke") });
            let first = set.join_next().await.unwrap();
            assert!(first.unwrap_err().is_panic());
            set.spawn(async { 5 });
            assert_eq!(set.join_next().await.unwrap().unwrap(), 5);
        });
    });
}

/// Spawning between joins, including from what a join returned.
#[test]
fn tasks_spawned_while_joining_are_joined() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let joined = rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { 0u32 });
            let mut joined = Vec::new();
            while let Some(done) = set.join_next().await {
                let n = done.unwrap();
                joined.push(n);
                if n < 4 {
                    set.spawn(async move { n + 1 });
                }
            }
            joined
        });
        assert_eq!(joined, [0, 1, 2, 3, 4]);
    });
}

/// A `join_next` future dropped before it completes loses no task.
#[test]
fn a_dropped_join_next_loses_nothing() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let mut set = JoinSet::new();
            let gate: Promise<(), ()> = Promise::new();
            let opener = gate.clone();
            set.spawn(async move { gate.await.is_ok() });
            let timed_out =
                filch_executor::timeout(std::time::Duration::from_millis(1), set.join_next()).await;
            assert!(timed_out.is_err());
            opener.set_result(()).unwrap();
            assert!(set.join_next().await.unwrap().unwrap());
        });
    });
}

#[test]
fn abort_all_cancels_every_task() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let mut set = JoinSet::new();
            for _ in 0..3 {
                set.spawn(std::future::pending::<()>());
            }
            set.abort_all();
            assert_eq!(set.len(), 3, "aborted tasks stay until joined");
            for _ in 0..3 {
                assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
            }
        });
    });
}

#[test]
fn dropping_the_set_cancels_every_task() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        rt.block_on(async {
            let signals: Vec<_> = (0..2).map(|_| DropSignal::new()).collect();
            let mut set = JoinSet::new();
            let mut dropped = Vec::new();
            for (signal, was_dropped) in signals {
                dropped.push(was_dropped);
                set.spawn(async move {
                    let _keep = signal;
                    std::future::pending::<()>().await
                });
            }
            drop(set);
            for d in dropped {
                d.await.unwrap(); // each task's future was dropped: cancelled
            }
        });
    });
}
