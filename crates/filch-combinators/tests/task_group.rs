//! `TaskGroup`: values in spawn order, the first failure cancels the siblings, every failure
//! reported together, nothing outlives the group.

mod support;

use std::future::{poll_fn, Future};
use std::pin::pin;

use filch_combinators::{GatherError, TaskGroup};
use filch_executor::Runtime;
use filch_futures::Promise;
use support::{within_hang_guard, DropSignal};

/// A child that never finishes by itself; its drop completes the returned promise.
fn forever() -> (
    impl std::future::Future<Output = Result<u32, String>> + Send + 'static,
    Promise<(), ()>,
) {
    let (signal, dropped) = DropSignal::new();
    let child = async move {
        let _keep = signal;
        std::future::pending::<()>().await;
        Ok(0)
    };
    (child, dropped)
}

#[test]
fn values_come_in_spawn_order() {
    let rt = Runtime::new();
    let values = rt.block_on(async {
        let group = TaskGroup::<usize, ()>::new();
        let gates: Vec<Promise<(), ()>> = (0..5).map(|_| Promise::new()).collect();
        for (i, gate) in gates.iter().enumerate() {
            let gate = gate.clone();
            assert_eq!(
                group
                    .spawn(async move {
                        gate.await.unwrap();
                        Ok(i)
                    })
                    .index(),
                i
            );
        }
        gates.iter().rev().for_each(|g| g.set_result(()).unwrap());
        group.join().await
    });
    assert_eq!(values.unwrap(), [0, 1, 2, 3, 4]);
}

#[test]
fn the_first_failure_cancels_the_siblings_and_is_reported_alone() {
    let rt = Runtime::new();
    let error = rt
        .block_on(async {
            let group = TaskGroup::new();
            let (a, a_dropped) = forever();
            let (b, b_dropped) = forever();
            group.spawn(a);
            group.spawn(async { Err("child 1 failed".to_string()) });
            group.spawn(b);
            let result = group.join().await;
            // Cancelled siblings' futures were dropped on the workers.
            a_dropped.await.unwrap();
            b_dropped.await.unwrap();
            result
        })
        .unwrap_err();
    assert!(matches!(error.errors(), [GatherError::Failed(e)] if e == "child 1 failed"));
}

#[test]
fn a_panic_is_a_failure_too() {
    let rt = Runtime::new();
    let error = rt
        .block_on(async {
            let group = TaskGroup::new();
            let (a, a_dropped) = forever();
            group.spawn(a);
            group.spawn(async { panic!("child 1 broke") });
            let result = group.join().await;
            a_dropped.await.unwrap();
            result
        })
        .unwrap_err();
    assert!(
        matches!(error.errors(), [e] if e.is_panic() && e.to_string() == "a child panicked: child 1 broke")
    );
}

#[test]
fn every_failure_is_reported_together() {
    let rt = Runtime::new();
    let error = rt
        .block_on(async {
            let group = TaskGroup::<(), u32>::new();
            // Both fail before either is cancelled: each waits for the other to have started.
            let (a_started, b_started): (Promise<(), ()>, Promise<(), ()>) =
                (Promise::new(), Promise::new());
            let (a_seen, b_seen) = (a_started.clone(), b_started.clone());
            group.spawn(async move {
                a_started.set_result(()).unwrap();
                let _ = b_seen.await;
                Err(1)
            });
            group.spawn(async move {
                b_started.set_result(()).unwrap();
                let _ = a_seen.await;
                Err(2)
            });
            group.join().await
        })
        .unwrap_err();
    // The second failure may be cancelled before it returns: one or both, never anything else.
    let failures: Vec<_> = error
        .into_errors()
        .into_iter()
        .map(|e| e.into_failure().unwrap())
        .collect();
    assert!(
        matches!(failures.as_slice(), [1] | [2] | [1, 2]),
        "{failures:?}"
    );
}

#[test]
fn a_child_spawned_after_a_failure_never_runs() {
    let rt = Runtime::new();
    let ran: Promise<(), ()> = Promise::new();
    let result = rt.block_on({
        let ran = ran.clone();
        async move {
            let group = TaskGroup::new();
            let (a, a_dropped) = forever();
            group.spawn(a);
            group.spawn(async { Err("first".to_string()) });
            a_dropped.await.unwrap(); // the abort has happened
            group.spawn(async move {
                ran.set_result(()).unwrap();
                Ok(1)
            });
            group.join().await
        }
    });
    assert_eq!(result.unwrap_err().errors().len(), 1);
    assert!(!ran.done());
}

#[test]
fn dropping_the_group_or_its_join_cancels_the_children() {
    let rt = Runtime::new();
    rt.block_on(async {
        let group = TaskGroup::new();
        let (a, a_dropped) = forever();
        group.spawn(a);
        drop(group);
        a_dropped.await.unwrap();

        let group = TaskGroup::new();
        let (b, b_dropped) = forever();
        group.spawn(b);
        let join = group.join();
        drop(join);
        b_dropped.await.unwrap();
    });
}

#[test]
fn an_empty_group_joins_at_once() {
    let values = futures::executor::block_on(TaskGroup::<(), ()>::new().join());
    assert!(values.unwrap().is_empty());
}

/// asyncio's test_taskgroup_03: a child cancelled from outside is not a failure; its
/// siblings run on and the group joins with their values.
#[test]
fn a_child_cancelled_through_its_handle_is_not_a_failure() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let values = rt.block_on(async {
            let group = TaskGroup::<u32, String>::new();
            let gate: Promise<(), ()> = Promise::new();
            let opener = gate.clone();
            group.spawn(async move {
                gate.await.unwrap();
                Ok(1)
            });
            let (stuck, stuck_dropped) = forever();
            let stuck = group.spawn(stuck);
            assert!(stuck.cancel());
            stuck_dropped.await.unwrap();
            opener.set_result(()).unwrap(); // the sibling was not cancelled: it finishes
            group.spawn(async { Ok(3) });
            let values = group.join().await;
            assert!(stuck.done(), "joined, cancelled");
            values
        });
        assert_eq!(values.unwrap(), [1, 3]);
    });
}

/// asyncio's test_taskgroup_24/25: a child spawns a sibling into its own group while the
/// group is being joined; the join waits for it too.
#[test]
fn a_child_spawns_a_sibling_while_the_group_is_joined() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let values = rt.block_on(async {
            let group = TaskGroup::<u32, ()>::new();
            let spawner = group.spawner();
            // Set by the join's first poll, which finds child 0 still running.
            let joining: Promise<(), ()> = Promise::new();
            let join_polled = joining.clone();
            group.spawn(async move {
                joining.await.unwrap();
                let inner = spawner.clone();
                spawner.spawn(async move {
                    inner.spawn(async { Ok(3) }); // a grandchild, spawned the same way
                    Ok(2)
                });
                Ok(1)
            });
            let mut join = pin!(group.join());
            poll_fn(|cx| {
                let polled = join.as_mut().poll(cx);
                let _ = join_polled.set_result(());
                polled
            })
            .await
        });
        assert_eq!(values.unwrap(), [1, 2, 3]);
    });
}

/// A spawner kept past the join starts nothing: the group is over.
#[test]
fn a_child_spawned_after_the_join_never_runs() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let ran: Promise<(), ()> = Promise::new();
        rt.block_on({
            let ran = ran.clone();
            async move {
                let group = TaskGroup::<(), ()>::new();
                let spawner = group.spawner();
                assert!(group.join().await.unwrap().is_empty());
                let late = spawner.spawn(async move {
                    ran.set_result(()).unwrap();
                    Ok(())
                });
                assert!(late.done() && !late.cancel());
            }
        });
        assert!(!ran.done());
    });
}
