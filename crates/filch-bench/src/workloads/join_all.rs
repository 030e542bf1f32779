//! `join_all_100k`: `futures::future::join_all` over 100,000 spawned tasks' handles.

use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::hint::black_box;

/// Tasks joined per iteration.
pub const FULL_TASKS: usize = 100_000;

/// The measured rounds [`JoinAll`] takes at most: tokio takes about 5 s a round here, so the
/// default 50 rounds would be most of a full run; 11 still give a median that one slow round
/// does not move.
const MAX_ROUNDS: usize = 11;

/// A task spawns `tasks` trivial tasks, each returning its index, and awaits
/// `futures::future::join_all` over their handles: the combinator a user of any runtime
/// reaches for, where `gather_100k` uses each runtime's own way. A runtime whose handles
/// answer `Pending` once a task has used its budget (tokio's cooperative scheduling) makes
/// `join_all` poll again and again, which is what this row shows. The outputs must come back
/// in input order.
///
/// It takes at most 11 measured rounds and 2 warm-up rounds per runtime
/// ([`Workload::max_rounds`]), as tokio's seconds-long rounds would otherwise make most of a
/// full run.
#[derive(Debug, Clone)]
pub struct JoinAll {
    /// Tasks joined per iteration.
    pub tasks: usize,
}

impl Workload for JoinAll {
    fn name(&self) -> &'static str {
        "join_all_100k"
    }

    fn max_rounds(&self) -> Option<usize> {
        Some(MAX_ROUNDS)
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let tasks = self.tasks;
        let stopwatch = Stopwatch::start();
        let outputs = rt.block_on(rt.spawn_remote(async move {
            let handles: Vec<_> = (0..tasks)
                .map(|i| R::spawn(async move { black_box(i) }))
                .collect();
            futures::future::join_all(handles).await
        }));
        let sample = stopwatch.stop();
        assert!(
            outputs.iter().copied().eq(0..tasks),
            "join_all returned {} outputs, or out of input order",
            outputs.len()
        );
        sample
    }
}
