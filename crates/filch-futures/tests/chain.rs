//! Callbacks that complete other promises: a completion started inside a callback defers its
//! callbacks to the drain already running on this thread, so a chain of any length runs in
//! bounded stack, every callback once, each promise's in registration order.
//!
//! Without the deferral each link nests a drain in the previous callback's frame: a long
//! chain overflows the stack, which aborts the whole test binary (a failure, never a hang).

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Duration;

use filch_futures::Promise;
use proptest::prelude::*;

type P = Promise<u32, u32>;

/// Generous hang guard: only a hang fails on it, never a slow machine.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Runs `body` on a thread with a small fixed stack (so recursion per link overflows it
/// whatever the platform's default), failing if it does not finish within the hang guard.
fn on_small_stack<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    const STACK: usize = 256 * 1024;
    let (tx, rx) = mpsc::channel();
    let thread = thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || tx.send(body()).unwrap())
        .unwrap();
    let result = rx
        .recv_timeout(HANG_GUARD)
        .expect("the chain did not finish");
    thread.join().unwrap();
    result
}

/// 100,000 promises, each with two callbacks: the first completes the next promise, the
/// second only records. Each callback must run once, the first of a promise before its second.
#[test]
fn a_long_chain_of_completions_from_callbacks_runs_in_bounded_stack() {
    // Miri is slow and does not bound the stack: there the chain only checks the order.
    const LINKS: usize = if cfg!(miri) { 1_000 } else { 100_000 };
    let log = on_small_stack(|| {
        let promises: Vec<P> = (0..LINKS).map(|_| P::new()).collect();
        let log: Arc<Mutex<Vec<(usize, u8)>>> = Arc::default();
        for (i, p) in promises.iter().enumerate() {
            let next = promises.get(i + 1).cloned();
            let first = Arc::clone(&log);
            p.add_done_callback(move |p| {
                first.lock().unwrap().push((i, 0));
                if let Some(next) = next {
                    next.set_result(p.result().unwrap() + 1).unwrap();
                }
            });
            let second = Arc::clone(&log);
            p.add_done_callback(move |_| second.lock().unwrap().push((i, 1)));
        }
        promises[0].set_result(0).unwrap();
        let last = promises.last().unwrap();
        assert_eq!(last.result(), Ok(&(LINKS as u32 - 1)));
        // Promises dropped here, one by one: no callback is left holding the next link.
        drop(promises);
        Arc::try_unwrap(log).unwrap().into_inner().unwrap()
    });
    // Exactly once each, and per promise in registration order.
    let mut seen = vec![Vec::new(); LINKS];
    for (i, callback) in log {
        seen[i].push(callback);
    }
    for (i, callbacks) in seen.iter().enumerate() {
        assert_eq!(
            callbacks,
            &[0, 1],
            "promise {i}'s callbacks ran as {callbacks:?}"
        );
    }
}

/// The deferred order, as documented: a promise completed inside a callback is done at once,
/// its callbacks run once the running drain is through (after the outer promise's remaining
/// callbacks), and all of them before the outermost completing call returns.
#[test]
fn callbacks_of_a_promise_completed_in_a_callback_run_after_the_current_drain() {
    let outer = P::new();
    let inner = P::new();
    let log: Arc<Mutex<Vec<&str>>> = Arc::default();
    let record = |label| {
        let log = Arc::clone(&log);
        move |_: &P| log.lock().unwrap().push(label)
    };
    inner.add_done_callback(record("inner"));
    outer.add_done_callback({
        let inner = inner.clone();
        let log = Arc::clone(&log);
        move |_| {
            inner.set_result(1).unwrap();
            assert!(inner.done(), "completed at once");
            log.lock().unwrap().push("outer 1");
        }
    });
    outer.add_done_callback(record("outer 2"));
    outer.set_result(0).unwrap();
    assert_eq!(*log.lock().unwrap(), ["outer 1", "outer 2", "inner"]);
}

/// A deferred callback's panic cannot leave the inner `set_result` (which has returned): it
/// is resumed, if it is the first, from the outermost completing call on this thread.
#[test]
fn a_deferred_callbacks_panic_is_resumed_by_the_outermost_completion() {
    let outer = P::new();
    let inner = P::new();
    inner.add_done_callback(|_| panic!("inner callback"));
    let returned: Arc<Mutex<Option<bool>>> = Arc::default();
    outer.add_done_callback({
        let inner = inner.clone();
        let returned = Arc::clone(&returned);
        move |_| *returned.lock().unwrap() = Some(inner.set_result(1).is_ok())
    });
    let caught = panic::catch_unwind(AssertUnwindSafe(|| outer.set_result(0))).unwrap_err();
    assert_eq!(caught.downcast_ref::<&str>(), Some(&"inner callback"));
    assert_eq!(
        *returned.lock().unwrap(),
        Some(true),
        "inner set_result returned Ok"
    );
    assert!(inner.done() && outer.done());
}

/// One callback of the random graph: the promises it completes, and optionally a callback it
/// adds to another promise (which itself completes `completes`, if any, when it runs).
#[derive(Clone, Debug)]
struct CallbackSpec {
    completes: Vec<usize>,
    adds: Option<(usize, Option<usize>)>,
    panics: bool,
}

const PROMISES: usize = 12;

fn callback_spec() -> impl Strategy<Value = CallbackSpec> {
    (
        proptest::collection::vec(0..PROMISES, 0..3),
        proptest::option::of((0..PROMISES, proptest::option::of(0..PROMISES))),
        proptest::bool::weighted(0.15),
    )
        .prop_map(|(completes, adds, panics)| CallbackSpec {
            completes,
            adds,
            panics,
        })
}

/// What ran, in run order: (promise, its registration number, whether it panicked).
type RunLog = Arc<Mutex<Vec<(usize, usize, bool)>>>;

/// The graph's promises, how many callbacks each was given so far, and the run log.
#[derive(Clone)]
struct Graph {
    promises: Arc<Vec<P>>,
    registered: Arc<Mutex<Vec<usize>>>,
    log: RunLog,
}

impl Graph {
    /// Registers on promise `at` a callback that logs itself as it starts, completes `completes`, adds
    /// `adds` and panics if told to. Its registration number is taken right before the
    /// registration, on the registering thread, so it is the registration order.
    fn register(&self, at: usize, spec: CallbackSpec) {
        let seq = {
            let mut registered = self.registered.lock().unwrap();
            registered[at] += 1;
            registered[at] - 1
        };
        let graph = self.clone();
        self.promises[at].add_done_callback(move |_| {
            graph.log.lock().unwrap().push((at, seq, spec.panics));
            for &target in &spec.completes {
                let _ = graph.promises[target].set_result(target as u32);
            }
            if let Some((to, completes)) = spec.adds {
                let added = CallbackSpec {
                    completes: completes.into_iter().collect(),
                    adds: None,
                    panics: false,
                };
                graph.register(to, added);
            }
            if spec.panics {
                panic::panic_any((at, seq));
            }
        });
    }
}

/// Random graphs of completions from callbacks, with late registrations and panics: once the
/// outermost completion returns, every callback of every done promise ran exactly once,
/// each promise's in registration order, none of a pending promise's ran, and the panic that
/// came out was the first one that ran.
fn run_graph(callbacks: Vec<(usize, CallbackSpec)>, roots: Vec<usize>) {
    let graph = Graph {
        promises: Arc::new((0..PROMISES).map(|_| P::new()).collect()),
        registered: Arc::new(Mutex::new(vec![0; PROMISES])),
        log: Arc::default(),
    };
    for (at, spec) in callbacks {
        graph.register(at, spec);
    }
    for root in roots {
        let before = graph.log.lock().unwrap().len();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            let _ = graph.promises[root].set_result(root as u32);
        }));
        let first_panic = graph.log.lock().unwrap()[before..]
            .iter()
            .find(|(_, _, panicked)| *panicked)
            .map(|&(at, seq, _)| (at, seq));
        let resumed = outcome.err().map(|payload: Box<dyn Any + Send>| {
            *payload
                .downcast::<(usize, usize)>()
                .expect("only the callbacks panic")
        });
        assert_eq!(resumed, first_panic, "the first panic is the one resumed");
    }
    let registered = graph.registered.lock().unwrap().clone();
    let mut ran = vec![Vec::new(); PROMISES];
    for &(at, seq, _) in graph.log.lock().unwrap().iter() {
        ran[at].push(seq);
    }
    for (at, p) in graph.promises.iter().enumerate() {
        let expected: Vec<usize> = if p.done() {
            (0..registered[at]).collect()
        } else {
            Vec::new()
        };
        assert_eq!(ran[at], expected, "promise {at} (done: {})", p.done());
    }
    // The callbacks hold the graph, which holds the promises: cancelling those still pending
    // runs (and so frees) every queued callback, which breaks the cycles.
    for p in graph.promises.iter() {
        let _ = panic::catch_unwind(AssertUnwindSafe(|| p.cancel()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 3 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_callback_runs_once_in_registration_order_across_completion_graphs(
        callbacks in proptest::collection::vec((0..PROMISES, callback_spec()), 0..24),
        roots in proptest::collection::vec(0..PROMISES, 1..4),
    ) {
        run_graph(callbacks, roots);
    }
}
