//! `gather`, `try_gather` and the tuple macros: CPython's gather cases ported (order, error rule, return_exceptions, cancel
//! fan-out), the poll bound, and a proptest with promise-driven children on a runtime.

mod support;

use std::sync::atomic::Ordering::SeqCst;
use std::sync::mpsc::{channel, RecvTimeoutError};

use filch_combinators::{gather, gather_all_outcomes, try_gather, GatherError};
use filch_executor::Runtime;
use filch_futures::Promise;
use futures::FutureExt;
use proptest::prelude::*;
use support::{within_hang_guard, CountPolls, DropSignal, Outcome, HANG_GUARD};

type Gate = Promise<(), ()>;

fn gates(n: usize) -> Vec<Gate> {
    (0..n).map(|_| Promise::new()).collect()
}

/// A child that waits for its gate, then returns `Ok(id)`.
fn child(
    id: usize,
    gate: &Gate,
) -> impl std::future::Future<Output = Result<usize, usize>> + Send + 'static {
    let gate = gate.clone();
    async move {
        let _ = gate.await;
        Ok(id)
    }
}

#[test]
fn gather_of_nothing_is_an_empty_vec_at_once() {
    let values = futures::executor::block_on(gather(Vec::<std::future::Ready<()>>::new()));
    assert!(values.unwrap().is_empty());
    let values =
        futures::executor::block_on(try_gather(Vec::<std::future::Ready<Result<(), ()>>>::new()));
    assert!(values.unwrap().is_empty());
}

/// Plain futures (issue 14 item 5): no `Ok` wrapping, values in input order; a panic is the
/// error, at once, and the others run on.
#[test]
fn gather_takes_plain_futures_and_a_panic_is_the_error() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let gs = gates(3);
        let values = rt.block_on(async {
            let all = gather(gs.iter().enumerate().map(|(i, g)| {
                let g = g.clone();
                async move {
                    let _ = g.await;
                    i * 10
                }
            }));
            for g in gs.iter().rev() {
                g.set_result(()).unwrap();
            }
            all.await
        });
        assert_eq!(values.unwrap(), [0, 10, 20]);

        let gate: Gate = Promise::new();
        let error = rt.block_on(async {
            let stuck = async move { gate.await.is_ok() }.boxed();
            let broken = async { panic!("child 1 broke") }.boxed();
            gather([stuck, broken]).await.unwrap_err()
        });
        assert_eq!(error.to_string(), "a child panicked: child 1 broke");
    });
}

#[test]
fn gather_all_outcomes_of_plain_futures_keeps_every_outcome() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let outcomes = rt.block_on(async {
            gather_all_outcomes((0..3).map(|i| async move {
                assert_ne!(i, 1, "child 1 panicked");
                i
            }))
            .await
        });
        assert_eq!(outcomes[0].as_ref().ok(), Some(&0));
        assert!(outcomes[1].as_ref().is_err_and(GatherError::is_panic));
        assert_eq!(outcomes[2].as_ref().ok(), Some(&2));
    });
}

/// `gather!`: futures of different types, a tuple in argument order, whatever order they
/// finish in.
#[test]
fn the_gather_macro_returns_a_tuple_in_argument_order() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let (first, second): (Gate, Gate) = (Promise::new(), Promise::new());
        let (open_first, open_second) = (first.clone(), second.clone());
        let tuple = rt.block_on(async move {
            let all = filch_combinators::gather!(
                async move { first.await.map(|()| 1u8) },
                async move { second.await.map(|()| "two") },
                async { 3.0f64 },
            );
            open_second.set_result(()).unwrap();
            open_first.set_result(()).unwrap();
            all.await
        });
        let (a, b, c) = tuple.unwrap();
        assert_eq!((a.unwrap(), b.unwrap(), c), (1, "two", 3.0));
    });
}

/// `try_gather!`: the first `Err` at once, while a sibling that never finishes runs on;
/// dropping an unfinished tuple gather cancels its children.
#[test]
fn the_try_gather_macro_fails_fast_and_cancels_when_dropped() {
    within_hang_guard(|| {
        let rt = Runtime::new();
        let error = rt.block_on(async {
            filch_combinators::try_gather!(std::future::pending::<Result<u8, &str>>(), async {
                Err::<String, _>("bad")
            },)
            .await
            .unwrap_err()
        });
        assert_eq!(error.into_failure(), Some("bad"));

        let (signal, dropped) = DropSignal::new();
        rt.block_on(async move {
            let all = filch_combinators::try_gather!(async move {
                let _keep = signal;
                std::future::pending::<Result<(), ()>>().await
            });
            drop(all);
            dropped.await.unwrap(); // the child's future was dropped: its task was cancelled
        });
    });
}

#[test]
fn results_come_in_input_order_not_completion_order() {
    let rt = Runtime::new();
    let gs = gates(4);
    let values = rt.block_on(async {
        let all = try_gather(gs.iter().enumerate().map(|(i, g)| child(i, g)));
        for g in gs.iter().rev() {
            g.set_result(()).unwrap();
        }
        all.await
    });
    assert_eq!(values.unwrap(), [0, 1, 2, 3]);
}

#[test]
fn the_first_error_returns_at_once_and_the_others_keep_running() {
    let rt = Runtime::new();
    let slow_gate: Gate = Promise::new();
    let slow_finished: Promise<(), ()> = Promise::new();
    let result = rt.block_on({
        let (slow_gate, slow_finished) = (slow_gate.clone(), slow_finished.clone());
        async move {
            let slow = async move {
                let _ = slow_gate.await;
                slow_finished.set_result(()).unwrap();
                Ok(0)
            };
            let failing = async { Err::<u32, _>("bad") };
            // The gather is awaited and then dropped: it completed, so it detaches the rest.
            try_gather([slow.boxed(), failing.boxed()]).await
        }
    });
    assert_eq!(result.unwrap_err().into_failure(), Some("bad"));
    assert!(!slow_finished.done());
    slow_gate.set_result(()).unwrap();
    rt.block_on(slow_finished)
        .expect("the slow child was not cancelled and ran to its end");
}

#[test]
fn return_exceptions_keeps_every_outcome_in_order() {
    // CPython test_return_exceptions: results and exceptions, each in its child's place.
    let rt = Runtime::new();
    let outcomes = rt.block_on(async {
        try_gather((0..4).map(|i| async move {
            match i {
                1 => Err(format!("child {i}")),
                2 => panic!("child {i} panicked"),
                _ => Ok(i),
            }
        }))
        .return_exceptions()
        .await
    });
    assert_eq!(outcomes[0].as_ref().ok(), Some(&0));
    assert!(matches!(&outcomes[1], Err(GatherError::Failed(e)) if e == "child 1"));
    assert!(outcomes[2]
        .as_ref()
        .is_err_and(|e| e.is_panic() && e.to_string() == "a child panicked: child 2 panicked"));
    assert_eq!(outcomes[3].as_ref().ok(), Some(&3));
}

#[test]
fn a_child_cancelled_on_its_own_counts_as_cancelled() {
    // The runtime shuts down under a pending gather: every child task is cancelled.
    let rt = Runtime::new();
    let gs = gates(2);
    // Returned unawaited on purpose: it is awaited after its runtime shut down.
    #[allow(clippy::async_yields_async)]
    let pending = rt.block_on(async {
        try_gather(gs.iter().enumerate().map(|(i, g)| child(i, g))).return_exceptions()
    });
    drop(rt);
    let outcomes = futures::executor::block_on(pending);
    assert!(outcomes
        .iter()
        .all(|o| o.as_ref().is_err_and(GatherError::is_cancelled)));
}

#[test]
fn a_cancelled_child_ends_a_fail_fast_gather_with_cancelled() {
    // As above without return_exceptions: the children's cancellation (the first of them in
    // whatever order the shutdown drops them) is the gather's first error.
    let rt = Runtime::new();
    let gs = gates(3);
    #[allow(clippy::async_yields_async)]
    let pending =
        rt.block_on(async { try_gather(gs.iter().enumerate().map(|(i, g)| child(i, g))) });
    drop(rt);
    let error = futures::executor::block_on(pending).unwrap_err();
    assert!(error.is_cancelled(), "{error:?}");
}

#[test]
fn cancelling_the_gather_cancels_every_unfinished_child() {
    // CPython test_cancel_gather: the task awaiting the gather is cancelled, which drops the
    // gather, which cancels every child not done; a finished child is unaffected.
    let rt = Runtime::new();
    let signals: Vec<_> = (0..3).map(|_| DropSignal::new()).collect();
    let dropped: Vec<_> = signals.iter().map(|(_, p)| p.clone()).collect();
    let finished: Promise<(), ()> = Promise::new();
    rt.block_on({
        let finished = finished.clone();
        async move {
            let done_child = async move {
                finished.set_result(()).unwrap();
                Ok::<(), ()>(())
            };
            let mut children = vec![done_child.boxed()];
            for (signal, _) in signals {
                children.push(
                    async move {
                        let _keep = signal;
                        std::future::pending::<()>().await;
                        Ok(())
                    }
                    .boxed(),
                );
            }
            let awaiting = filch_executor::spawn(try_gather(children));
            assert!(awaiting.cancel());
            for d in dropped {
                d.await.unwrap(); // each unfinished child's future was dropped
            }
        }
    });
}

/// Children that complete on the workers wake the gather at most once each: its own polls
/// stay at most n + 1, whatever the interleaving.
#[test]
#[cfg_attr(miri, ignore)]
fn gather_polls_at_most_once_per_child_plus_one() {
    let n = 2000;
    let rt = Runtime::new();
    let gs = gates(n);
    let (values, polls) = rt.block_on(async {
        let (counted, polls) =
            CountPolls::new(try_gather(gs.iter().enumerate().map(|(i, g)| child(i, g))));
        let opener = {
            let gs = gs.clone();
            filch_executor::spawn(async move { gs.iter().for_each(|g| g.set_result(()).unwrap()) })
        };
        let values = counted.await;
        opener.await.unwrap();
        (values, polls)
    });
    assert_eq!(values.unwrap().len(), n);
    let polls = polls.load(SeqCst);
    assert!(
        polls <= n + 1,
        "{polls} polls of the gather for {n} children"
    );
}

/// Issue 11: child 0 fails after `round % 8` yields while child 1 never finishes, on 2
/// workers. Child 0 reports its failure before its task completes; a gather poll in between
/// must still be woken by child 0's completion (it once waited on child 1 only, and hung).
/// Each round must end within [`HANG_GUARD`], so a lost wake-up fails instead of hanging.
fn a_failure_at_the_next_child_wakes_the_gather(failure: Outcome) {
    const ROUNDS: usize = 3000;
    let (progress, rounds) = channel();
    let rounds_thread = std::thread::spawn(move || {
        let rt = Runtime::builder().worker_threads(2).build().unwrap();
        for round in 0..ROUNDS {
            let child = async move {
                for _ in 0..round % 8 {
                    filch_executor::yield_now().await;
                }
                match failure {
                    Outcome::Err => Err::<(), _>(round),
                    _ => panic!("child 0 of round {round} panics, as planned"),
                }
            };
            let pending = std::future::pending();
            let error = rt
                .block_on(async move { try_gather([child.boxed(), pending.boxed()]).await })
                .unwrap_err();
            progress.send(error).unwrap();
        }
    });
    for round in 0..ROUNDS {
        let error = match rounds.recv_timeout(HANG_GUARD) {
            Ok(error) => error,
            Err(RecvTimeoutError::Timeout) => {
                panic!("round {round}: the gather never completed (a lost wake-up)")
            }
            Err(RecvTimeoutError::Disconnected) => {
                std::panic::resume_unwind(rounds_thread.join().unwrap_err())
            }
        };
        match failure {
            Outcome::Err => assert_eq!(error.into_failure(), Some(round)),
            _ => assert!(error.is_panic(), "round {round}: {error:?}"),
        }
    }
    rounds_thread.join().unwrap();
}

#[test]
#[cfg_attr(miri, ignore)]
fn an_err_at_the_next_child_wakes_the_gather() {
    a_failure_at_the_next_child_wakes_the_gather(Outcome::Err);
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_panic_at_the_next_child_wakes_the_gather() {
    a_failure_at_the_next_child_wakes_the_gather(Outcome::Panic);
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Ok,
    Err,
    Panic,
}

fn plan() -> impl Strategy<Value = (Vec<Fate>, Vec<usize>)> {
    let fate = prop_oneof![3 => Just(Fate::Ok), 1 => Just(Fate::Err), 1 => Just(Fate::Panic)];
    prop::collection::vec(fate, 0..12).prop_flat_map(|fates| {
        let order: Vec<usize> = (0..fates.len()).collect();
        (Just(fates), Just(order).prop_shuffle())
    })
}

/// A child that waits for its gate, then does what its fate says.
fn fated(
    id: usize,
    fate: Fate,
    gate: &Gate,
) -> impl std::future::Future<Output = Result<usize, usize>> + Send + 'static {
    let gate = gate.clone();
    async move {
        let _ = gate.await;
        match fate {
            Fate::Ok => Ok(id),
            Fate::Err => Err(id),
            Fate::Panic => std::panic::panic_any(id),
        }
    }
}

fn failed_child(e: &GatherError<usize>) -> usize {
    match e {
        GatherError::Failed(id) => *id,
        GatherError::Panicked(p) => *p.downcast_ref::<usize>().unwrap(),
        GatherError::Cancelled => panic!("nothing cancels these children"),
    }
}

proptest! {
    #![proptest_config(support::proptest_config(48))]

    /// Children released in a random order: return_exceptions gives each child's own outcome
    /// in input order; fail-fast gives every value in input order or a failing child's error.
    #[test]
    fn gather_keeps_input_order_and_the_error_rule((fates, order) in plan()) {
        let rt = Runtime::builder().worker_threads(2).build().unwrap();
        let gs = gates(fates.len());
        let (outcomes, fail_fast) = rt.block_on(async {
            let all = try_gather(fates.iter().enumerate().map(|(i, &f)| fated(i, f, &gs[i]))).return_exceptions();
            let gs2 = gates(fates.len());
            let first = try_gather(fates.iter().enumerate().map(|(i, &f)| fated(i, f, &gs2[i])));
            for &i in &order {
                gs[i].set_result(()).unwrap();
                gs2[i].set_result(()).unwrap();
            }
            (all.await, first.await)
        });
        for (i, (outcome, fate)) in outcomes.iter().zip(&fates).enumerate() {
            match (outcome, fate) {
                (Ok(id), Fate::Ok) => prop_assert_eq!(*id, i),
                (Err(e @ GatherError::Failed(_)), Fate::Err) | (Err(e @ GatherError::Panicked(_)), Fate::Panic) => {
                    prop_assert_eq!(failed_child(e), i)
                }
                _ => prop_assert!(false, "child {} ended {:?}, planned {:?}", i, outcome, fate),
            }
        }
        match fail_fast {
            Ok(values) => {
                prop_assert!(fates.iter().all(|&f| f == Fate::Ok));
                prop_assert_eq!(values, (0..fates.len()).collect::<Vec<_>>());
            }
            Err(e) => prop_assert!(fates[failed_child(&e)] != Fate::Ok),
        }
    }
}
