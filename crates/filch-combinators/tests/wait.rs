//! `wait`: CPython's `test_tasks.py` wait cases ported, and a proptest of the split for every
//! `ReturnWhen`, with promises completed in a random order by the test.

mod support;

use std::sync::atomic::Ordering::SeqCst;
use std::task::Poll;
use std::time::Duration;

use filch_combinators::{wait, ReturnWhen, WaitError};
use filch_futures::{Completion, Promise};
use proptest::prelude::*;
use support::{Driven, Probe};

type P = Promise<usize, usize>;

fn promises(n: usize) -> Vec<P> {
    (0..n).map(|_| Promise::new()).collect()
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

#[test]
fn empty_input_is_an_error_with_asyncios_message() {
    for when in [
        ReturnWhen::FirstCompleted,
        ReturnWhen::FirstException,
        ReturnWhen::AllCompleted,
    ] {
        let err = block_on(wait(Vec::<P>::new(), when, None)).unwrap_err();
        assert_eq!(err, WaitError::Empty);
        assert_eq!(err.to_string(), "Set of Tasks/Futures is empty.");
    }
}

#[test]
fn all_completed_waits_for_every_handle() {
    let ps = promises(2);
    let mut d = Driven::new(wait(ps.clone(), ReturnWhen::AllCompleted, None));
    assert!(d.poll().is_pending());
    ps[1].set_result(1).unwrap();
    assert!(d.poll_if_woken().is_pending());
    ps[0].set_result(0).unwrap();
    let Poll::Ready(Ok((done, pending))) = d.poll_if_woken() else {
        panic!("expected the split")
    };
    assert_eq!((done.len(), pending.len()), (2, 0));
}

#[test]
fn first_completed_returns_the_first_and_leaves_the_rest_pending() {
    let ps = promises(2);
    let mut d = Driven::new(wait(ps.clone(), ReturnWhen::FirstCompleted, None));
    assert!(d.poll().is_pending());
    ps[1].set_result(1).unwrap();
    let Poll::Ready(Ok((done, pending))) = d.poll_if_woken() else {
        panic!("expected the split")
    };
    assert_eq!(done[0].result().ok(), Some(&1));
    assert!(
        !pending[0].done() && !pending[0].cancelled(),
        "wait cancels nothing"
    );
}

#[test]
fn conditions_already_true_return_on_the_first_poll() {
    // CPython test_wait_really_done: everything done before the call.
    let ps = promises(2);
    ps[0].set_result(0).unwrap();
    ps[1].set_exception(1).unwrap();
    for when in [
        ReturnWhen::FirstCompleted,
        ReturnWhen::FirstException,
        ReturnWhen::AllCompleted,
    ] {
        let mut d = Driven::new(wait(ps.clone(), when, None));
        let Poll::Ready(Ok((done, pending))) = d.poll() else {
            panic!("{when:?} must not wait")
        };
        assert_eq!((done.len(), pending.len()), (2, 0), "{when:?}");
    }
}

#[test]
fn first_exception_returns_at_the_first_failure() {
    let ps = promises(3);
    let mut d = Driven::new(wait(ps.clone(), ReturnWhen::FirstException, None));
    assert!(d.poll().is_pending());
    ps[0].set_result(0).unwrap();
    assert!(
        d.poll_if_woken().is_pending(),
        "a result is not an exception"
    );
    ps[2].set_exception(2).unwrap();
    let Poll::Ready(Ok((done, pending))) = d.poll_if_woken() else {
        panic!("expected the split")
    };
    assert_eq!(done.len(), 2);
    assert_eq!(done[1].exception().ok().flatten(), Some(&2));
    assert_eq!(pending.len(), 1);
}

#[test]
fn first_exception_does_not_count_a_cancellation() {
    let ps = promises(2);
    let mut d = Driven::new(wait(ps.clone(), ReturnWhen::FirstException, None));
    assert!(d.poll().is_pending());
    ps[0].cancel();
    assert!(
        d.poll_if_woken().is_pending(),
        "a cancelled handle is not an exception"
    );
    ps[1].set_result(1).unwrap();
    let Poll::Ready(Ok((done, pending))) = d.poll_if_woken() else {
        panic!("all done: returns")
    };
    assert_eq!((done.len(), pending.len()), (2, 0));
    assert!(done[0].cancelled());
}

#[test]
fn all_completed_with_an_exception_raises_nothing() {
    // CPython test_wait_with_exception: the exception stays in the handle.
    let ps = promises(2);
    ps[0].set_exception(7).unwrap();
    ps[1].set_result(1).unwrap();
    let (done, _) = block_on(wait(ps, ReturnWhen::AllCompleted, None)).unwrap();
    assert_eq!(done[0].exception().ok().flatten(), Some(&7));
}

#[test]
fn the_same_handle_twice_is_returned_twice() {
    // CPython test_wait_duplicate_coroutines, with clones of one promise.
    let p: P = Promise::new();
    let mut d = Driven::new(wait([p.clone(), p.clone()], ReturnWhen::AllCompleted, None));
    assert!(d.poll().is_pending());
    p.set_result(5).unwrap();
    let Poll::Ready(Ok((done, pending))) = d.poll_if_woken() else {
        panic!("expected the split")
    };
    assert_eq!(done.len(), 2);
    assert!(pending.is_empty());
    assert!(done.iter().all(|h| h.result().ok() == Some(&5)));
}

#[test]
fn a_zero_timeout_returns_the_split_as_it_is() {
    // CPython test_wait_with_timeout / test_wait_concurrent_complete, without a clock: a
    // deadline that has already passed returns what is done, raises nothing, cancels nothing.
    let ps = promises(3);
    ps[1].set_result(1).unwrap();
    let mut d = Driven::new(wait(
        ps.clone(),
        ReturnWhen::AllCompleted,
        Some(Duration::ZERO),
    ));
    let Poll::Ready(Ok((done, pending))) = d.poll() else {
        panic!("the deadline has passed")
    };
    assert_eq!(done.len(), 1);
    assert_eq!(pending.len(), 2);
    assert!(pending.iter().all(|p| !p.done()), "nothing was cancelled");
}

#[test]
fn handles_come_back_in_input_order_within_each_part() {
    let ps = promises(5);
    for i in [4, 1, 3] {
        ps[i].set_result(i).unwrap();
    }
    let (done, pending) = block_on(wait(ps, ReturnWhen::FirstCompleted, None)).unwrap();
    let results = |v: &[P]| {
        v.iter()
            .map(|p| p.result().ok().copied())
            .collect::<Vec<_>>()
    };
    assert_eq!(results(&done), [Some(1), Some(3), Some(4)]);
    assert_eq!(results(&pending), [None, None]);
}

#[test]
#[cfg_attr(miri, ignore)] // worker threads and the timer: covered by the native run
fn a_timeout_inside_a_runtime_returns_what_is_done() {
    let rt = filch_executor::Runtime::new();
    let ps = promises(2);
    ps[0].set_result(0).unwrap();
    let (done, pending) = rt
        .block_on(wait(
            ps.clone(),
            ReturnWhen::AllCompleted,
            Some(Duration::from_millis(5)),
        ))
        .unwrap();
    assert_eq!((done.len(), pending.len()), (1, 1));
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Result,
    Exception,
    Cancel,
    Never,
}

fn when() -> impl Strategy<Value = ReturnWhen> {
    prop_oneof![
        Just(ReturnWhen::FirstCompleted),
        Just(ReturnWhen::FirstException),
        Just(ReturnWhen::AllCompleted)
    ]
}

fn fates() -> impl Strategy<Value = (Vec<Fate>, Vec<usize>)> {
    let fate = prop_oneof![
        3 => Just(Fate::Result),
        1 => Just(Fate::Exception),
        1 => Just(Fate::Cancel),
        1 => Just(Fate::Never),
    ];
    prop::collection::vec(fate, 1..16).prop_flat_map(|fates| {
        let order: Vec<usize> = (0..fates.len()).collect();
        (Just(fates), Just(order).prop_shuffle())
    })
}

fn fire(p: &P, id: usize, fate: Fate) {
    match fate {
        Fate::Result => p.set_result(id).unwrap(),
        Fate::Exception => p.set_exception(id).unwrap(),
        Fate::Cancel => assert!(p.cancel()),
        Fate::Never => {}
    }
}

/// Whether `wait` must have returned once the handles in `fired` are done.
fn condition(when: ReturnWhen, fates: &[Fate], fired: &[usize]) -> bool {
    let all = fired.len() == fates.len();
    match when {
        ReturnWhen::FirstCompleted => !fired.is_empty(),
        ReturnWhen::FirstException => all || fired.iter().any(|&i| fates[i] == Fate::Exception),
        ReturnWhen::AllCompleted => all,
    }
}

proptest! {
    #![proptest_config(support::proptest_config(256))]

    /// Completing handles one by one in a random order, `wait` returns exactly when its
    /// condition first holds, with `done` = the handles completed so far and `pending` = the
    /// rest, each in input order; it polls no handle after it reported done and cancels nothing.
    #[test]
    fn wait_splits_at_the_first_moment_its_condition_holds((fates, order) in fates(), when in when()) {
        let ps = promises(fates.len());
        let (probes, after_done): (Vec<_>, Vec<_>) =
            ps.iter().enumerate().map(|(i, p)| Probe::new(i, p.clone())).unzip();
        let mut d = Driven::new(wait(probes, when, None));
        let mut fired = Vec::new();
        let mut result = d.poll();
        for &i in order.iter().filter(|&&i| fates[i] != Fate::Never) {
            if result.is_ready() {
                break;
            }
            prop_assert!(!condition(when, &fates, &fired), "wait missed its condition");
            fire(&ps[i], i, fates[i]);
            fired.push(i);
            result = d.poll_if_woken();
        }
        match result {
            Poll::Pending => prop_assert!(!condition(when, &fates, &fired)),
            Poll::Ready(split) => {
                prop_assert!(condition(when, &fates, &fired));
                let (done, pending) = split.unwrap();
                let mut want_done = fired.clone();
                want_done.sort_unstable();
                let want_pending: Vec<usize> = (0..fates.len()).filter(|i| !fired.contains(i)).collect();
                prop_assert_eq!(done.iter().map(|p| p.id).collect::<Vec<_>>(), want_done);
                prop_assert_eq!(pending.iter().map(|p| p.id).collect::<Vec<_>>(), want_pending);
                prop_assert!(pending.iter().all(|p| !p.done()), "wait cancelled a pending handle");
            }
        }
        prop_assert!(after_done.iter().all(|c| c.load(SeqCst) == 0), "a handle was polled after done");
    }

    /// A deadline that has passed returns the split as it stands, for every `ReturnWhen`.
    #[test]
    fn a_passed_deadline_returns_the_current_split((fates, order) in fates(), when in when(), k in 0usize..16) {
        let ps = promises(fates.len());
        let fired: Vec<usize> = order.iter().copied().filter(|&i| fates[i] != Fate::Never).take(k).collect();
        for &i in &fired {
            fire(&ps[i], i, fates[i]);
        }
        let probes: Vec<_> = ps.iter().enumerate().map(|(i, p)| Probe::new(i, p.clone()).0).collect();
        let mut d = Driven::new(wait(probes, when, Some(Duration::ZERO)));
        let Poll::Ready(split) = d.poll() else { panic!("a passed deadline returns at once") };
        let (done, pending) = split.unwrap();
        let mut want_done = fired.clone();
        want_done.sort_unstable();
        prop_assert_eq!(done.iter().map(|p| p.id).collect::<Vec<_>>(), want_done);
        prop_assert_eq!(done.len() + pending.len(), fates.len());
    }
}
