//! [`wait`]: asyncio's `wait(aws, timeout, return_when)` over [`Completion`] handles.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use filch_executor::Sleep;
use filch_futures::Completion;

use crate::error::WaitError;
use crate::watch::Watch;

/// When [`wait`] returns (asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnWhen {
    /// As soon as any handle is done: finished, failed or cancelled.
    FirstCompleted,
    /// As soon as any handle failed (finished with an exception: `Completion::failed`); a
    /// cancelled handle does not count. If none fails, the same as `AllCompleted`.
    FirstException,
    /// When every handle is done.
    AllCompleted,
}

/// Waits on `handles` until `return_when` holds or `timeout` passes, then hands the same
/// handles back split in two: `(done, pending)`.
///
/// Any [`Completion`] works: filch `Promise`s, `JoinHandle`s, your own. The handles are taken by
/// value and all come back, none lost, none cancelled: on timeout `wait` just returns what is
/// done so far and the caller decides about `pending` (asyncio's rule; `wait` never raises a
/// timeout). A condition already true returns on the first poll.
///
/// - Both vectors keep the input order. A handle is in `done` when its `done()` is true at the
///   moment `wait` returns (asyncio's check), so a handle that finished after the condition was
///   met can be in `done` too.
/// - An empty input is [`WaitError::Empty`] ("Set of Tasks/Futures is empty.").
/// - The same handle twice (two clones of a `Promise`) is watched twice and appears twice.
/// - Each handle is asked once at the start and then only when its own waker fires, and never
///   after it reported done: O(n) polls in all for n handles.
///
/// `Wait` works on any executor when `timeout` is `None`. A timeout uses filch's timer: the
/// deadline is fixed when `wait` is called, and a `Wait` with a timeout that has not passed yet
/// must be polled inside a filch runtime (`Runtime::block_on` or a spawned task); otherwise the
/// timer panics saying so. `Some(Duration::ZERO)` polls each handle once and returns anywhere.
///
/// # Example
/// ```
/// use filch::{wait, ReturnWhen};
/// use filch::Promise;
///
/// let a: Promise<u32, String> = Promise::new();
/// let b: Promise<u32, String> = Promise::new();
/// b.set_exception("lost".to_string()).unwrap();
///
/// let (done, pending) = futures::executor::block_on(wait(
///     [a.clone(), b.clone()],
///     ReturnWhen::FirstException,
///     None,
/// ))
/// .unwrap();
/// assert_eq!((done.len(), pending.len()), (1, 1));
/// assert!(pending[0].cancel(), "wait cancelled nothing: pending is still ours to decide on");
/// ```
pub fn wait<I, H>(handles: I, return_when: ReturnWhen, timeout: Option<Duration>) -> Wait<H>
where
    I: IntoIterator<Item = H>,
    H: Completion,
{
    Wait {
        watch: Watch::new(handles),
        return_when,
        failed: false,
        deadline: timeout.map(filch_executor::sleep),
        finished: false,
    }
}

/// The future of [`wait`]: `Ok((done, pending))`, or [`WaitError::Empty`].
#[must_use = "futures do nothing unless polled"]
pub struct Wait<H> {
    watch: Watch<H>,
    return_when: ReturnWhen,
    /// A handle seen done was `failed()`.
    failed: bool,
    deadline: Option<Sleep>,
    finished: bool,
}

// Handles are polled through `&mut` (`Completion::poll_done`), never pinned.
impl<H> Unpin for Wait<H> {}

impl<H: Completion> Wait<H> {
    fn condition_met(&self) -> bool {
        let all = self.watch.done_count() == self.watch.len();
        match self.return_when {
            ReturnWhen::FirstCompleted => self.watch.done_count() > 0,
            ReturnWhen::FirstException => self.failed || all,
            ReturnWhen::AllCompleted => all,
        }
    }
}

impl<H: Completion> Future for Wait<H> {
    type Output = Result<(Vec<H>, Vec<H>), WaitError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.finished, "Wait polled after it completed");
        if this.watch.len() == 0 {
            this.finished = true;
            return Poll::Ready(Err(WaitError::Empty));
        }
        let failed = &mut this.failed;
        this.watch.poll(cx, |_, handle| *failed |= handle.failed());
        if !this.condition_met() {
            let Some(deadline) = this.deadline.as_mut() else {
                return Poll::Pending;
            };
            if Pin::new(deadline).poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        this.finished = true;
        let (done, pending) = this.watch.take_all().partition(|h| h.done());
        Poll::Ready(Ok((done, pending)))
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::thread;
    use filch_futures::Promise;
    use loom::future::block_on;

    /// The class of issue 11 for `wait`: a handle fails on another thread while `wait` polls,
    /// and the handle before it never finishes. `FirstException` must return with the failed
    /// handle done; `block_on` parks between polls, so a lost wake-up is a loom deadlock.
    #[test]
    fn a_failure_racing_the_poll_ends_first_exception() {
        loom::model(|| {
            let handles: Vec<Promise<u32, u32>> = (0..2).map(|_| Promise::new()).collect();
            let failing = {
                let handle = handles[1].clone();
                thread::spawn(move || handle.set_exception(7).unwrap())
            };
            let (done, pending) =
                block_on(wait(handles, ReturnWhen::FirstException, None)).unwrap();
            failing.join().unwrap();
            assert_eq!((done.len(), pending.len()), (1, 1));
            assert_eq!(done[0].exception().ok(), Some(Some(&7)));
        });
    }
}
