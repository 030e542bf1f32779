//! Test children whose completion the test controls, and wakers that count.
//!
//! A [`Gate`] is a child future that finishes only when the test opens it, with the outcome
//! the test picks: "random delays" are a random opening order, so every run is deterministic.
//! Each gate counts its polls and drops and records a poll after completion as a violation
//! (instead of panicking, which the combinator under test would catch).
#![allow(dead_code)] // each test binary uses its own part of the support module

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// What a gate finishes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Err,
    Panic,
}

#[derive(Default)]
struct GateState {
    outcome: Option<Outcome>,
    finished: bool,
    waker: Option<Waker>,
    polls: usize,
    polls_after_finish: usize,
    drops: usize,
}

/// The child half of a gate: a future of `Result<usize, usize>` (its id either way).
pub struct Gate {
    id: usize,
    state: Arc<Mutex<GateState>>,
}

/// The test's half of a gate.
#[derive(Clone)]
pub struct Opener {
    state: Arc<Mutex<GateState>>,
}

/// A closed gate for child `id`.
pub fn gate(id: usize) -> (Opener, Gate) {
    let state = Arc::new(Mutex::new(GateState::default()));
    (
        Opener {
            state: state.clone(),
        },
        Gate { id, state },
    )
}

impl Opener {
    /// Opens the gate: the child finishes with `outcome` at its next poll, and is woken once.
    pub fn open(&self, outcome: Outcome) {
        let waker = {
            let mut s = self.state.lock().unwrap();
            assert!(s.outcome.is_none(), "a gate opens once");
            s.outcome = Some(outcome);
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
    pub fn polls(&self) -> usize {
        self.state.lock().unwrap().polls
    }
    pub fn polls_after_finish(&self) -> usize {
        self.state.lock().unwrap().polls_after_finish
    }
    pub fn finished(&self) -> bool {
        self.state.lock().unwrap().finished
    }
    pub fn drops(&self) -> usize {
        self.state.lock().unwrap().drops
    }
}

impl Future for Gate {
    type Output = Result<usize, usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut s = self.state.lock().unwrap();
        s.polls += 1;
        if s.finished {
            s.polls_after_finish += 1;
            return Poll::Pending;
        }
        match s.outcome {
            None => {
                s.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            Some(outcome) => {
                s.finished = true;
                drop(s);
                match outcome {
                    Outcome::Ok => Poll::Ready(Ok(self.id)),
                    Outcome::Err => Poll::Ready(Err(self.id)),
                    Outcome::Panic => std::panic::panic_any(self.id),
                }
            }
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.state.lock().unwrap().drops += 1;
    }
}

/// A waker that counts its wakes.
#[derive(Default)]
pub struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

impl CountingWaker {
    pub fn new() -> (Arc<Self>, Waker) {
        let counter = Arc::new(CountingWaker::default());
        (counter.clone(), Waker::from(counter))
    }
    pub fn wakes(&self) -> usize {
        self.0.load(SeqCst)
    }
}

/// A future polled by hand, counting its polls, polled again only when its waker fired.
pub struct Driven<F> {
    fut: Pin<Box<F>>,
    counter: Arc<CountingWaker>,
    waker: Waker,
    seen_wakes: usize,
    pub polls: usize,
}

impl<F: Future> Driven<F> {
    pub fn new(fut: F) -> Self {
        let (counter, waker) = CountingWaker::new();
        Driven {
            fut: Box::pin(fut),
            counter,
            waker,
            seen_wakes: 0,
            polls: 0,
        }
    }

    /// Polls unconditionally.
    pub fn poll(&mut self) -> Poll<F::Output> {
        self.seen_wakes = self.counter.wakes();
        self.polls += 1;
        self.fut
            .as_mut()
            .poll(&mut Context::from_waker(&self.waker))
    }

    /// Polls if the waker fired since the last poll, as an executor would.
    pub fn poll_if_woken(&mut self) -> Poll<F::Output> {
        if self.counter.wakes() > self.seen_wakes {
            self.poll()
        } else {
            Poll::Pending
        }
    }
}

/// A `Completion` handle that remembers its id and counts `poll_done` calls after it said done.
pub struct Probe<H> {
    pub id: usize,
    pub inner: H,
    reported_done: bool,
    polls_after_done: Arc<AtomicUsize>,
}

impl<H> Probe<H> {
    pub fn new(id: usize, inner: H) -> (Self, Arc<AtomicUsize>) {
        let counter = Arc::new(AtomicUsize::new(0));
        let probe = Probe {
            id,
            inner,
            reported_done: false,
            polls_after_done: counter.clone(),
        };
        (probe, counter)
    }
}

impl<H: filch_futures::Completion> filch_futures::Completion for Probe<H> {
    fn done(&self) -> bool {
        self.inner.done()
    }
    fn cancelled(&self) -> bool {
        self.inner.cancelled()
    }
    fn failed(&self) -> bool {
        self.inner.failed()
    }
    fn cancel(&self) -> bool {
        self.inner.cancel()
    }
    fn poll_done(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.reported_done {
            self.polls_after_done.fetch_add(1, SeqCst);
        }
        let poll = self.inner.poll_done(cx);
        self.reported_done |= poll.is_ready();
        poll
    }
}

/// Completes its promise when dropped: lets a test await "this future was dropped".
pub struct DropSignal(filch_futures::Promise<(), ()>);

impl DropSignal {
    /// A signal and the promise it completes on drop.
    pub fn new() -> (Self, filch_futures::Promise<(), ()>) {
        let p = filch_futures::Promise::new();
        (DropSignal(p.clone()), p)
    }
}

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.set_result(());
    }
}

/// A future that counts its polls (to bound a combinator's own polls).
pub struct CountPolls<F> {
    pub inner: Pin<Box<F>>,
    pub polls: Arc<AtomicUsize>,
}

impl<F: Future> CountPolls<F> {
    pub fn new(inner: F) -> (Self, Arc<AtomicUsize>) {
        let polls = Arc::new(AtomicUsize::new(0));
        (
            CountPolls {
                inner: Box::pin(inner),
                polls: polls.clone(),
            },
            polls,
        )
    }
}

impl<F: Future> Future for CountPolls<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, SeqCst);
        self.inner.as_mut().poll(cx)
    }
}

/// proptest settings for these tests: `cases` (fewer under Miri), and no failure files (Miri's
/// isolation forbids the file system, and the seeds are printed on failure anyway).
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases: if cfg!(miri) { cases.min(8) } else { cases },
        failure_persistence: None,
        ..Default::default()
    }
}

/// A hang guard, never a speed bound.
pub const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs `body` on its own thread and fails if it does not finish within [`HANG_GUARD`]
/// (re-raising its panic if it panicked), so a lost wake-up fails instead of hanging.
pub fn within_hang_guard(body: impl FnOnce() + Send + 'static) {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let runner = std::thread::spawn(move || {
        body();
        done_tx.send(()).unwrap();
    });
    match done_rx.recv_timeout(HANG_GUARD) {
        Ok(()) => runner.join().unwrap(),
        // A panic drops the sender (which can come before `is_finished` says so): join
        // re-raises the panic with its message.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => runner.join().unwrap(),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("hung for {HANG_GUARD:?}"),
    }
}

/// A promise that a task's done-callback settles with how the task finished.
pub fn outcome_of<T: Send + 'static>(
    task: &filch_executor::JoinHandle<T>,
) -> filch_futures::Promise<filch_executor::TaskOutcome, ()> {
    let finished = filch_futures::Promise::new();
    let report = finished.clone();
    task.add_done_callback(move |outcome| {
        let _ = report.set_result(outcome);
    });
    finished
}
