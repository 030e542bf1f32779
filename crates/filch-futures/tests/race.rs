//! proptest with real threads: completions, callback registrations and awaits race from a
//! common start. Exactly one completion wins, every callback runs exactly once (in
//! registration order where one thread registered several), and every awaiter sees the winner.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use filch_futures::{Error, Promise, ResultError};
use proptest::prelude::*;

type P = Promise<u32, u32>;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Completer {
    SetResult(u32),
    SetException(u32),
    Cancel,
}

fn completer() -> impl Strategy<Value = Completer> {
    prop_oneof![
        any::<u32>().prop_map(Completer::SetResult),
        any::<u32>().prop_map(Completer::SetException),
        Just(Completer::Cancel),
    ]
}

/// Callbacks count their runs in `runs[label]` and append `label` to `order`.
#[derive(Clone)]
struct Recorder {
    runs: Arc<Vec<AtomicUsize>>,
    order: Arc<Mutex<Vec<usize>>>,
}

impl Recorder {
    fn callback(&self, label: usize) -> impl FnOnce(&P) + Send + 'static {
        let this = self.clone();
        move |p| {
            assert!(p.done());
            this.runs[label].fetch_add(1, SeqCst);
            this.order.lock().unwrap().push(label);
        }
    }
}

const CALLBACKS_PER_ADDER: usize = 2;

fn race(completers: Vec<Completer>, early: usize, adders: usize, awaiters: usize) {
    let p = P::new();
    let recorder = Recorder {
        runs: Arc::new(
            (0..early + adders * CALLBACKS_PER_ADDER)
                .map(|_| AtomicUsize::new(0))
                .collect(),
        ),
        order: Arc::default(),
    };
    for label in 0..early {
        p.add_done_callback(recorder.callback(label));
    }
    let start = Arc::new(Barrier::new(completers.len() + adders + awaiters));
    let spawn = |job: Box<dyn FnOnce(P) -> Option<Completer> + Send>| {
        let (p, start) = (p.clone(), Arc::clone(&start));
        thread::spawn(move || {
            start.wait();
            job(p)
        })
    };
    let mut threads = Vec::new();
    for completer in completers {
        threads.push(spawn(Box::new(move |p| {
            let won = match completer {
                Completer::SetResult(v) => p.set_result(v).is_ok(),
                Completer::SetException(e) => p.set_exception(e).is_ok(),
                Completer::Cancel => p.cancel(),
            };
            assert!(p.done(), "done once any completion returned");
            won.then_some(completer)
        })));
    }
    for adder in 0..adders {
        let recorder = recorder.clone();
        threads.push(spawn(Box::new(move |p| {
            for i in 0..CALLBACKS_PER_ADDER {
                p.add_done_callback(recorder.callback(early + adder * CALLBACKS_PER_ADDER + i));
            }
            None
        })));
    }
    let awaited: Vec<_> = (0..awaiters)
        .map(|_| {
            let (p, start) = (p.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                futures::executor::block_on(p)
            })
        })
        .collect();

    let winners: Vec<Completer> = threads
        .into_iter()
        .filter_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(winners.len(), 1, "exactly one completion wins: {winners:?}");
    let expected = match winners[0] {
        Completer::SetResult(v) => Ok(v),
        Completer::SetException(e) => Err(Some(e)),
        Completer::Cancel => Err(None),
    };
    let seen = match p.result() {
        Ok(v) => Ok(*v),
        Err(ResultError::Exception(e)) => Err(Some(*e)),
        Err(ResultError::Cancelled(_)) => Err(None),
        Err(ResultError::InvalidState(e)) => panic!("pending after every completer returned: {e}"),
    };
    assert_eq!(seen, expected);
    for awaited in awaited {
        let awaited = match awaited.join().unwrap() {
            Ok(v) => Ok(v),
            Err(Error::Exception(e)) => Err(Some(e)),
            Err(Error::Cancelled(_)) => Err(None),
        };
        assert_eq!(awaited, expected);
    }
    let runs: Vec<usize> = recorder.runs.iter().map(|r| r.load(SeqCst)).collect();
    assert!(
        runs.iter().all(|&r| r == 1),
        "every callback runs exactly once: {runs:?}"
    );
    let order = recorder.order.lock().unwrap().clone();
    assert_eq!(
        order[..early],
        (0..early).collect::<Vec<_>>(),
        "early callbacks first, in order"
    );
    for adder in 0..adders {
        let first = early + adder * CALLBACKS_PER_ADDER;
        let positions: Vec<usize> = (first..first + CALLBACKS_PER_ADDER)
            .map(|label| order.iter().position(|&l| l == label).unwrap())
            .collect();
        assert!(
            positions.is_sorted(),
            "one thread's callbacks run in its order: {order:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 2 } else { 128 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn racing_completions_have_one_winner_and_run_every_callback_once(
        completers in proptest::collection::vec(completer(), 2..=4),
        early in 0..4usize,
        adders in 0..=2usize,
        awaiters in 0..=2usize,
    ) {
        race(completers, early, adders, awaiters);
    }
}
