//! `join_all`: order, error rule, poll bounds and drop fan-out, with hand-opened gates.

mod support;

use std::task::Poll;

use filch_combinators::{join_all, GatherError};
use proptest::prelude::*;
use support::{gate, Driven, Gate, Opener, Outcome};

fn gates(n: usize) -> (Vec<Opener>, Vec<Gate>) {
    (0..n).map(gate).unzip()
}

/// Which child a `GatherError` from gates came from, and how it failed.
fn failure(e: &GatherError<usize>) -> (usize, Outcome) {
    match e {
        GatherError::Failed(id) => (*id, Outcome::Err),
        GatherError::Panicked(p) => (*p.downcast_ref::<usize>().unwrap(), Outcome::Panic),
        GatherError::Cancelled => panic!("gates are never cancelled"),
    }
}

#[test]
fn empty_input_is_an_empty_vec_at_once() {
    let mut d = Driven::new(join_all(Vec::<Gate>::new()));
    assert!(matches!(d.poll(), Poll::Ready(Ok(v)) if v.is_empty()));
    let mut d = Driven::new(join_all(Vec::<Gate>::new()).return_exceptions());
    assert!(matches!(d.poll(), Poll::Ready(v) if v.is_empty()));
}

#[test]
fn values_come_in_input_order_not_completion_order() {
    let (openers, children) = gates(3);
    let mut d = Driven::new(join_all(children));
    assert!(d.poll().is_pending());
    for i in [2, 0, 1] {
        openers[i].open(Outcome::Ok);
        if let Poll::Ready(r) = d.poll_if_woken() {
            assert_eq!(r.unwrap(), [0, 1, 2]);
            return;
        }
    }
    panic!("join_all did not finish after every child did");
}

#[test]
fn the_first_error_ends_it_at_once_and_the_rest_are_dropped_with_it() {
    let (openers, children) = gates(3);
    let mut d = Driven::new(join_all(children));
    assert!(d.poll().is_pending());
    openers[2].open(Outcome::Err);
    let Poll::Ready(Err(e)) = d.poll_if_woken() else {
        panic!("expected the error")
    };
    assert_eq!(failure(&e), (2, Outcome::Err));
    assert_eq!(openers[0].drops(), 0, "still owned by the JoinAll");
    drop(d);
    assert!(openers.iter().all(|o| o.drops() == 1));
}

#[test]
fn a_panicking_child_is_caught_as_its_error() {
    let (openers, children) = gates(2);
    let mut d = Driven::new(join_all(children).return_exceptions());
    assert!(d.poll().is_pending());
    openers[0].open(Outcome::Panic);
    openers[1].open(Outcome::Ok);
    let Poll::Ready(outcomes) = d.poll_if_woken() else {
        panic!("expected every outcome")
    };
    assert_eq!(
        failure(outcomes[0].as_ref().unwrap_err()),
        (0, Outcome::Panic)
    );
    assert_eq!(*outcomes[1].as_ref().unwrap(), 1);
}

#[test]
fn a_child_ready_at_once_needs_no_wake() {
    let children = (0..3).map(|i| async move { Ok::<_, ()>(i * 10) });
    let mut d = Driven::new(join_all(children));
    assert!(matches!(d.poll(), Poll::Ready(Ok(v)) if v == [0, 10, 20]));
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn polling_after_completion_says_so() {
    let mut d = Driven::new(join_all([async { Ok::<_, ()>(1) }]));
    let _ = d.poll();
    let _ = d.poll();
}

/// n children that each wake once: at most 2n child polls and n + 1 polls of the join,
/// whatever order they finish in (the ready list polls only the child that woke).
#[test]
fn polls_are_linear_in_the_number_of_children() {
    let n = 1000;
    let (openers, children) = gates(n);
    let mut d = Driven::new(join_all(children));
    assert!(d.poll().is_pending());
    let mut done = false;
    // A scrambled order: i * 7919 mod n visits every index once (7919 is prime, n is not a multiple).
    for k in 0..n {
        openers[k * 7919 % n].open(Outcome::Ok);
        // Poll after some opens only, so one poll also takes batches of wakes.
        if k % 3 == 0 || k == n - 1 {
            done = d.poll_if_woken().is_ready();
        }
    }
    assert!(done);
    let child_polls: usize = openers.iter().map(Opener::polls).sum();
    assert_eq!(
        child_polls,
        2 * n,
        "one poll at the start, one after the wake"
    );
    assert!(
        d.polls <= n + 1,
        "{} polls of the join for {n} children",
        d.polls
    );
}

/// A child plan: how it finishes (`None`: never), plus the order the test opens the gates in.
fn plan() -> impl Strategy<Value = (Vec<Option<Outcome>>, Vec<usize>)> {
    let outcome = prop_oneof![
        4 => Just(Some(Outcome::Ok)),
        1 => Just(Some(Outcome::Err)),
        1 => Just(Some(Outcome::Panic)),
        1 => Just(None),
    ];
    prop::collection::vec(outcome, 0..24).prop_flat_map(|outcomes| {
        let order: Vec<usize> = (0..outcomes.len()).collect();
        (Just(outcomes), Just(order).prop_shuffle())
    })
}

/// Opens the gates in `order`, polling `d` after each wake; returns the output if it finished.
fn run<F: std::future::Future>(
    d: &mut Driven<F>,
    openers: &[Opener],
    outcomes: &[Option<Outcome>],
    order: &[usize],
) -> Option<F::Output> {
    if let Poll::Ready(out) = d.poll() {
        return Some(out);
    }
    for &i in order {
        if let Some(outcome) = outcomes[i] {
            openers[i].open(outcome);
            if let Poll::Ready(out) = d.poll_if_woken() {
                return Some(out);
            }
        }
    }
    None
}

fn check_no_poll_after_finish_and_drop_fan_out(openers: &[Opener]) {
    for (i, o) in openers.iter().enumerate() {
        assert_eq!(
            o.polls_after_finish(),
            0,
            "child {i} polled after it finished"
        );
        assert!(
            o.polls() <= 2,
            "child {i} polled {} times for one wake",
            o.polls()
        );
        assert_eq!(
            o.drops(),
            usize::from(o.finished()),
            "only finished children are dropped yet"
        );
    }
}

proptest! {
    #![proptest_config(support::proptest_config(256))]

    /// Fail fast: the result is the first failure in completion order, else every value in input
    /// order once all finished; dropping the join afterwards drops exactly the children that had not finished.
    #[test]
    fn fail_fast_returns_the_first_failure_or_all_values((outcomes, order) in plan()) {
        let (openers, children) = gates(outcomes.len());
        let mut d = Driven::new(join_all(children));
        let result = run(&mut d, &openers, &outcomes, &order);

        let first_failure = order.iter().map(|&i| (i, outcomes[i])).find_map(|(i, o)| match o {
            Some(Outcome::Err | Outcome::Panic) => Some((i, o.unwrap())),
            _ => None,
        });
        let stalls = outcomes.iter().any(Option::is_none);
        match (result, first_failure) {
            (Some(Err(e)), Some(expected)) => prop_assert_eq!(failure(&e), expected),
            (Some(Ok(values)), None) if !stalls => prop_assert_eq!(values, (0..outcomes.len()).collect::<Vec<_>>()),
            (None, None) if stalls => {}
            (Some(_), _) | (None, _) => prop_assert!(false, "unexpected result (stalls: {stalls})"),
        }
        check_no_poll_after_finish_and_drop_fan_out(&openers);
        prop_assert!(d.polls <= outcomes.len() + 1);
        drop(d);
        prop_assert!(openers.iter().all(|o| o.drops() == 1), "dropping the join drops the rest");
    }

    /// return_exceptions: once every child finished, every outcome in input order.
    #[test]
    fn all_outcomes_come_in_input_order((outcomes, order) in plan()) {
        let (openers, children) = gates(outcomes.len());
        let mut d = Driven::new(join_all(children).return_exceptions());
        let result = run(&mut d, &openers, &outcomes, &order);
        if outcomes.iter().any(Option::is_none) {
            prop_assert!(result.is_none(), "a child never finished");
        } else {
            let got: Vec<_> = result.expect("every child finished").iter().enumerate().map(|(i, r)| match r {
                Ok(id) => { assert_eq!(*id, i); Outcome::Ok }
                Err(e) => { let (id, how) = failure(e); assert_eq!(id, i); how }
            }).collect();
            let want: Vec<_> = outcomes.iter().map(|o| o.unwrap()).collect();
            prop_assert_eq!(got, want);
        }
        check_no_poll_after_finish_and_drop_fan_out(&openers);
        drop(d);
        prop_assert!(openers.iter().all(|o| o.drops() == 1));
    }
}
