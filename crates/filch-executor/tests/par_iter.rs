//! Parallel iterators' contract beyond equal results (`par_iter_props.rs` has those): the
//! splitting rule, panics, owned items dropped exactly once, misuse outside a runtime.

use filch_executor::iter::plumbing::{bridge, Consumer, Folder, Reducer};
use filch_executor::prelude::*;
use filch_executor::{Builder, Runtime};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use support::{panic_message, within_hang_guard};

mod support;

fn runtime(workers: usize) -> Runtime {
    Builder::new().worker_threads(workers).build().unwrap()
}

/// Counts the leaves [`bridge`] folds (one per sequential piece).
struct Leaves;
struct Leaf;
struct AddLeaves;

impl<T> Consumer<T> for Leaves {
    type Folder = Leaf;
    type Reducer = AddLeaves;
    type Result = usize;

    fn split_at(self, _index: usize) -> (Leaves, Leaves, AddLeaves) {
        (Leaves, Leaves, AddLeaves)
    }

    fn into_folder(self) -> Leaf {
        Leaf
    }
}

impl<T> Folder<T> for Leaf {
    type Result = usize;

    fn consume(self, _item: T) -> Leaf {
        self
    }

    fn complete(self) -> usize {
        1
    }
}

impl Reducer<usize> for AddLeaves {
    fn reduce(self, left: usize, right: usize) -> usize {
        left + right
    }
}

#[test]
fn tiny_inputs_run_as_one_piece_and_big_ones_split_per_worker() {
    within_hang_guard(|| {
        for workers in [1, 2, 4] {
            let rt = runtime(workers);
            let (empty, one, big) = rt.block_on(async {
                (
                    bridge((0..0_u32).into_par_iter(), Leaves),
                    bridge((0..1_u32).into_par_iter(), Leaves),
                    bridge((0..1_000_000_u32).into_par_iter(), Leaves),
                )
            });
            assert_eq!((empty, one), (1, 1), "no split below two items");
            // Undisturbed, the budget of `workers` splits gives the next power of two above
            // it; steals (migrated halves) only add pieces.
            let undisturbed = (workers + 1).next_power_of_two();
            assert!(big >= undisturbed, "{big} pieces for {workers} workers");
            // Not a speed bound but the shape: a stolen piece re-splits into about two per
            // worker, never down to single items (a million pieces here). That would happen
            // if the nested joins of a piece running on a worker all reported `migrated`.
            assert!(big <= 1_000_000 / 16, "{big} pieces for {workers} workers");
        }
    });
}

#[test]
fn a_panic_in_a_closure_propagates_out_of_the_consumer() {
    within_hang_guard(|| {
        let rt = runtime(2);
        let boom = |x: &u32| {
            if *x == 777 {
                panic!("boom at {x}");
            }
        };
        let v: Vec<u32> = (0..10_000).collect();
        // From block_on (a thread that is not a worker).
        let err = catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async { v.par_iter().for_each(boom) })
        }))
        .unwrap_err();
        assert_eq!(panic_message(&*err), "boom at 777");
        // From a task: the task panics, its handle says so.
        let v = Arc::new(v);
        let in_task = Arc::clone(&v);
        let err = rt
            .block_on(
                rt.spawn(async move { in_task.par_iter().map(|x| 100 / (777 - *x)).sum::<u32>() }),
            )
            .unwrap_err();
        assert!(err.is_panic());
        // The runtime still works afterwards.
        assert_eq!(rt.block_on(async { v.par_iter().count() }), 10_000);
    });
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn owned_items_are_dropped_once_when_a_consumer_stops_early_or_panics() {
    within_hang_guard(|| {
        let rt = runtime(2);
        let n = 5_000;
        let items = |drops: &Arc<AtomicUsize>| -> Vec<Counted> {
            (0..n).map(|_| Counted(Arc::clone(drops))).collect()
        };

        let drops = Arc::new(AtomicUsize::new(0));
        let v = items(&drops);
        assert!(rt.block_on(async { v.into_par_iter().any(|_| true) }));
        assert_eq!(
            drops.load(SeqCst),
            n,
            "any stops early: the rest is dropped"
        );

        let drops = Arc::new(AtomicUsize::new(0));
        let v = items(&drops);
        let seen = AtomicUsize::new(0);
        let panicked = catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async {
                v.into_par_iter().for_each(|item| {
                    if seen.fetch_add(1, SeqCst) == n / 3 {
                        panic!("stop");
                    }
                    drop(item);
                })
            })
        }));
        assert!(panicked.is_err());
        assert_eq!(
            drops.load(SeqCst),
            n,
            "every item dropped once after a panic"
        );
    });
}

#[test]
fn consumers_outside_a_runtime_panic_with_what_to_do_even_on_empty_input() {
    let empty: Vec<u32> = Vec::new();
    let checks: [(&str, &dyn Fn()); 4] = [
        ("for_each", &|| empty.par_iter().for_each(|_| ())),
        ("sum", &|| assert_eq!(empty.par_iter().sum::<u32>(), 0)),
        ("collect", &|| {
            assert!(empty.par_iter().collect::<Vec<_>>().is_empty())
        }),
        ("all", &|| assert!((0..0_u8).into_par_iter().all(|_| true))),
    ];
    for (what, call) in checks {
        let err = catch_unwind(AssertUnwindSafe(call)).expect_err(what);
        assert!(
            panic_message(&*err).contains("outside a filch runtime"),
            "{what} must say it needs a runtime"
        );
    }
    let err = catch_unwind(|| Vec::<u8>::new().par_sort_unstable()).unwrap_err();
    assert!(
        panic_message(&*err).contains("filch::par_sort_unstable called outside a filch runtime")
    );
}

#[test]
fn chunk_size_zero_is_refused_with_a_reason() {
    let err = catch_unwind(|| [1, 2, 3].par_chunks(0).count()).unwrap_err();
    assert!(panic_message(&*err).contains("chunk_size must be at least 1"));
}
