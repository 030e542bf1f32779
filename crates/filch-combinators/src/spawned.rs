//! [`Spawned`]: the children of a [`gather`](fn@crate::gather), awaited in input order, with the
//! first failure ending a fail-fast gather at once.
//!
//! It is generic over the children's handles: `gather` gives it `JoinHandle`s, and the loom
//! models below give the same code `Promise`s completed on loom threads, since the executor's
//! runtime does not run under loom.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use filch_futures::Completion;

use crate::error::GatherError;
use crate::first_failure::FirstFailure;
use crate::sync::Arc;

/// A child's outcome as the gather reports it, from what awaiting its handle gave.
pub(crate) type Outcome<H, T, E> = fn(<H as Future>::Output) -> Result<T, GatherError<E>>;

/// The spawned children, awaited in input order; cancels the unfinished ones when dropped
/// before completion.
///
/// The gather's waker is held by the *last* handle not done yet (`done_from`), since its
/// children were spawned in order and mostly finish in order, so the gather sleeps until they
/// probably all finished instead of waking once per child; and, in fail-fast mode, by
/// `failure` and, once a child failed, by that child's handle, even when it is `handles[next]`.
/// On each poll the gather takes every outcome that is done in input order from `next` (it
/// only checks `done()` there: a handle before the last unfinished one holds no waker), and
/// if one is not, registers with the last unfinished handle again. A child that fails reports
/// itself through `failure` (its [`FailureGuard`](crate::first_failure::FailureGuard))
/// *before* its task completes, which wakes the gather in fail-fast mode; the gather then
/// awaits that child's handle for the error, so the task's completion wakes it even if it
/// polled in between (issue 11; `loom_tests` checks it). Each wake-up comes from a handle that
/// finished (its waker fires once) or from the first failure, so the gather is polled at most
/// n + 2 times; a poll checks the failed child's handle once and handles inwards from `next`
/// and from `done_from`, and every check but the last at each end moves that end inwards for
/// good: O(n) polls, checks and wake-ups, and no waker and no allocation per child.
pub(crate) struct Spawned<H: Completion + Future + Unpin, T, E> {
    handles: Vec<H>,
    outcome: Outcome<H, T, E>,
    /// The outcomes of `handles[..next]` are taken.
    next: usize,
    /// `handles[done_from..]` are known to be done.
    done_from: usize,
    failure: Arc<FirstFailure>,
    /// The waker last registered with `failure` (fail-fast mode only).
    registered: Option<Waker>,
    finished: bool,
}

impl<H: Completion + Future + Unpin, T, E> Spawned<H, T, E> {
    /// The children of `handles`, whose failures report to `failure`, with outcomes mapped
    /// through `outcome`.
    pub(crate) fn new(
        handles: Vec<H>,
        failure: Arc<FirstFailure>,
        outcome: Outcome<H, T, E>,
    ) -> Self {
        Spawned {
            done_from: handles.len(),
            handles,
            outcome,
            next: 0,
            failure,
            registered: None,
            finished: false,
        }
    }

    /// How many children there are.
    pub(crate) fn len(&self) -> usize {
        self.handles.len()
    }

    /// One poll in fail-fast mode: `Ok(values)` with the values in input order, pushed onto
    /// `values` as they come, once every child succeeded; or the first failure at once.
    pub(crate) fn poll_values(
        &mut self,
        cx: &mut Context<'_>,
        values: &mut Vec<T>,
    ) -> Poll<Result<Vec<T>, GatherError<E>>> {
        self.poll_once(|children| {
            if let Poll::Ready(error) = children.poll_first_failure(cx) {
                return Poll::Ready(Err(error));
            }
            let all = ready!(children.poll_in_order(cx, |outcome| {
                values.push(outcome?);
                Ok(())
            }));
            Poll::Ready(all.map(|()| std::mem::take(values)))
        })
    }

    /// One poll in `return_exceptions` mode: every outcome in input order, pushed onto
    /// `outcomes` as they come, once every child is done.
    pub(crate) fn poll_outcomes(
        &mut self,
        cx: &mut Context<'_>,
        outcomes: &mut Vec<Result<T, GatherError<E>>>,
    ) -> Poll<Vec<Result<T, GatherError<E>>>> {
        self.poll_once(|children| {
            let Ok(()) = ready!(children.poll_in_order(cx, |outcome| {
                outcomes.push(outcome);
                Ok::<_, std::convert::Infallible>(())
            }));
            Poll::Ready(std::mem::take(outcomes))
        })
    }

    /// Fail-fast mode: the first failed child's error once its task is done. Registers the
    /// gather's waker with `failure` first, so a later failure wakes it.
    fn poll_first_failure(&mut self, cx: &mut Context<'_>) -> Poll<GatherError<E>> {
        if !self
            .registered
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            self.failure.register(cx.waker());
            self.registered = Some(cx.waker().clone());
        }
        match self.failure.first() {
            // Await it even at `next`: the child reports before its task completes, and the
            // in-order loop only checks `done()` there without registering, so a poll in
            // between would leave this handle's completion waking nobody. Before `next` it
            // would have ended the gather already.
            Some(index) if index >= self.next => {
                let output = ready!(Pin::new(&mut self.handles[index]).poll(cx));
                let Err(error) = (self.outcome)(output) else {
                    unreachable!("a child reported as failed returned Ok");
                };
                Poll::Ready(error)
            }
            _ => Poll::Pending,
        }
    }

    /// Takes the outcomes that are ready in input order, passing each to `take`, until a
    /// handle is unfinished (then the last unfinished handle holds the gather's waker) or
    /// `take` returns an error. `Ready(Ok(()))` once every outcome is taken.
    fn poll_in_order<X>(
        &mut self,
        cx: &mut Context<'_>,
        mut take: impl FnMut(Result<T, GatherError<E>>) -> Result<(), X>,
    ) -> Poll<Result<(), X>> {
        loop {
            while let Some(handle) = self.handles.get_mut(self.next) {
                if !handle.done() {
                    break;
                }
                let output = ready!(Pin::new(handle).poll(cx));
                self.next += 1;
                take((self.outcome)(output))?;
            }
            if self.next == self.handles.len() {
                return Poll::Ready(Ok(()));
            }
            if self.wait_on_last_unfinished(cx) {
                return Poll::Pending;
            }
        }
    }

    /// Registers the gather's waker with the last handle not done yet, so that the gather is
    /// woken once, when the children probably all finished, rather than once per child.
    /// `false` if every handle from `next` on is done by now.
    fn wait_on_last_unfinished(&mut self, cx: &mut Context<'_>) -> bool {
        while self.done_from > self.next {
            let last = &mut self.handles[self.done_from - 1];
            if Completion::poll_done(last, cx).is_pending() {
                return true;
            }
            self.done_from -= 1;
        }
        false
    }

    /// Runs one poll of the gather: `poll` unless it completed already; ends the gather's
    /// interest in failures once `poll` is ready.
    fn poll_once<R>(&mut self, poll: impl FnOnce(&mut Self) -> Poll<R>) -> Poll<R> {
        assert!(!self.finished, "a gather was polled after it completed");
        let result = poll(self);
        if result.is_ready() {
            self.finished = true;
            self.unregister();
        }
        result
    }

    /// Forgets the gather's waker in `failure`, so that a child that fails from now on wakes
    /// nothing (and does not keep the waker alive).
    pub(crate) fn unregister(&mut self) {
        if self.registered.take().is_some() {
            self.failure.unregister();
        }
    }
}

impl<H: Completion + Future + Unpin, T, E> Drop for Spawned<H, T, E> {
    fn drop(&mut self) {
        self.unregister();
        if !self.finished {
            for child in &self.handles[self.next..] {
                child.cancel();
            }
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! The production [`Spawned`] over promises: each child's promise holds what its task
    //! would return, and a loom thread plays the child's task, settling its
    //! [`FailureGuard`] and then completing, in that order, as `gather`'s tasks do.
    //! `block_on` parks between polls, so a gather left unwoken is a loom deadlock.

    use super::*;
    use crate::first_failure::FailureGuard;
    use crate::sync::thread;
    use filch_futures::{Error, Promise};
    use loom::future::block_on;
    use std::future::poll_fn;

    /// A child's handle; nothing cancels or fails the promise itself.
    type Child = Promise<Result<u32, u32>, ()>;

    fn outcome(output: Result<Result<u32, u32>, Error<()>>) -> Result<u32, GatherError<u32>> {
        crate::gather::outcome(output.map_err(|_| unreachable!("nothing cancels a child here")))
    }

    /// Runs fail-fast `children.len()` children of which child `failing` fails with `7` on
    /// another thread while the gather polls; the others never finish. The gather must
    /// end with that error.
    fn one_child_fails_while_the_gather_polls(children: usize, failing: usize) {
        loom::model(move || {
            let failure = Arc::new(FirstFailure::new());
            let handles: Vec<Child> = (0..children).map(|_| Promise::new()).collect();
            let task = {
                let guard = FailureGuard::new(failure.clone(), failing);
                let handle = handles[failing].clone();
                thread::spawn(move || {
                    let output = Err(7);
                    guard.settle(output.is_err());
                    handle.set_result(output).unwrap();
                })
            };
            let mut gather = Spawned::new(handles, failure, outcome);
            let mut values = Vec::new();
            let result = block_on(poll_fn(|cx| gather.poll_values(cx, &mut values)));
            assert_eq!(result.unwrap_err().into_failure(), Some(7));
            task.join().unwrap();
        });
    }

    /// Issue 11: the child at `next` fails; the gather waits on the last unfinished handle,
    /// which never finishes, so only the failed child's own handle can wake it after a poll
    /// between the report and the completion.
    #[test]
    fn a_failure_at_next_wakes_the_gather() {
        one_child_fails_while_the_gather_polls(2, 0);
    }

    /// A child after `next` fails while the one at `next` never finishes: the failure slot
    /// wakes the gather, and the failed child's handle wakes it once the task completes.
    #[test]
    fn a_failure_after_next_wakes_the_gather() {
        one_child_fails_while_the_gather_polls(2, 1);
    }
}
