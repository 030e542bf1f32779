//! [`Completions`]: which children of a growing set ([`JoinSet`](crate::JoinSet),
//! [`TaskGroup`](crate::TaskGroup)) finished, in the order they finished, and the one waker to
//! tell.
//!
//! The fixed-size ready list (`ready_list.rs`) makes its n wakers up front, so it cannot take
//! children spawned later. Here each child's task future carries a [`Reporter`] instead: when
//! the future is dropped (it returned, panicked, or its task was cancelled) the reporter
//! queues the child's id and wakes the joiner. That happens just *before* the task completes,
//! so the joiner then awaits that child's `JoinHandle`, which wakes it once the task is done:
//! the same shape as gather's failure report (`first_failure.rs`).
//!
//! # Protocol
//! One mutex guards the queue and the waker: a report pushes and takes the waker in one
//! critical section, and the joiner pops or stores its waker in one. So either the joiner's
//! section comes first (it stores the waker, and the report finds and wakes it) or the
//! report's does (the joiner then pops the id): no report is missed, with no atomics to
//! order. Each report wakes at most once, so n children cost O(n) joiner polls.
//! `loom_tests::a_report_racing_the_joiner_is_seen_or_wakes` checks it.

use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

use crate::sync::{Arc, Mutex, MutexGuard};

/// The finished children not taken yet, and the joiner's waker.
#[derive(Debug)]
pub(crate) struct Completions {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    finished: VecDeque<usize>,
    waker: Option<Waker>,
}

impl Completions {
    pub(crate) fn new() -> Self {
        Completions {
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Child `id` finished: queue it and wake the joiner.
    pub(crate) fn report(&self, id: usize) {
        let waker = {
            let mut inner = self.lock();
            inner.finished.push_back(id);
            inner.waker.take()
        };
        // Woken outside the lock: a waker may run arbitrary code.
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The oldest finished child not taken yet; otherwise registers `cx`'s waker.
    pub(crate) fn poll_next(&self, cx: &mut Context<'_>) -> Poll<usize> {
        let mut inner = self.lock();
        match inner.finished.pop_front() {
            Some(id) => Poll::Ready(id),
            None => {
                if !inner
                    .waker
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()))
                {
                    inner.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

/// Carried by child `id`'s future for its whole life: reports the child when dropped, so a
/// return, a panic (the unwinding drops it) and a cancellation (the task drops the future)
/// all report, once.
#[derive(Debug)]
pub(crate) struct Reporter {
    completions: Arc<Completions>,
    id: usize,
}

impl Reporter {
    pub(crate) fn new(completions: Arc<Completions>, id: usize) -> Self {
        Reporter { completions, id }
    }
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.completions.report(self.id);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::thread;
    use loom::future::block_on;
    use std::future::poll_fn;

    /// Two children finish on other threads while the joiner polls: it takes both, and a
    /// report that lands after the joiner looked wakes it (else `block_on` deadlocks).
    #[test]
    fn a_report_racing_the_joiner_is_seen_or_wakes() {
        loom::model(|| {
            let completions = Arc::new(Completions::new());
            let children: Vec<_> = (0..2)
                .map(|id| {
                    let reporter = Reporter::new(completions.clone(), id);
                    thread::spawn(move || drop(reporter))
                })
                .collect();
            let mut seen = [
                block_on(poll_fn(|cx| completions.poll_next(cx))),
                block_on(poll_fn(|cx| completions.poll_next(cx))),
            ];
            seen.sort_unstable();
            assert_eq!(seen, [0, 1]);
            children.into_iter().for_each(|c| c.join().unwrap());
        });
    }
}
