//! The task-combination matrix: how a task misbehaves (nothing / panic in poll / panic in its
//! destructor) × when it is cancelled (before its first poll / during a poll / after it
//! finished) × when its `JoinHandle` goes (right after the cancel, unawaited / after awaiting).
//! Every cell checks the outcome, the poll count, that the future is dropped exactly once, and
//! that the output (if any) is dropped exactly once and nothing stays registered.
//!
//! Ordering is by handshakes only: a blocker task holds the single worker while the test
//! cancels "before"; the subject waits inside its poll for the test's go-ahead "during";
//! a done-callback reports "finished".

use filch_executor::{Builder, JoinHandle, Runtime, TaskOutcome};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

const HANG_GUARD: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    PanicOnPoll,
    PanicOnDrop,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum CancelAt {
    BeforePoll,
    DuringPoll,
    AfterFinish,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum HandleDropped {
    Early,
    Late,
}

#[derive(Debug, Default)]
struct Counts {
    polls: AtomicUsize,
    future_drops: AtomicUsize,
    outputs_made: AtomicUsize,
    output_drops: AtomicUsize,
}

#[derive(Debug)]
struct Output(Arc<Counts>);
impl Drop for Output {
    fn drop(&mut self) {
        self.0.output_drops.fetch_add(1, SeqCst);
    }
}

struct Subject {
    fault: Fault,
    counts: Arc<Counts>,
    /// For `DuringPoll`: announce the poll, then wait for the test's go-ahead.
    handshake: Option<(Sender<()>, Receiver<()>)>,
}

impl Future for Subject {
    type Output = Output;
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Output> {
        self.counts.polls.fetch_add(1, SeqCst);
        let mid_poll_cancel = if let Some((polling, go)) = &self.handshake {
            polling.send(()).unwrap();
            go.recv_timeout(HANG_GUARD).unwrap();
            true
        } else {
            false
        };
        if self.fault == Fault::PanicOnPoll {
            panic!("matrix: panic in poll");
        }
        if mid_poll_cancel {
            return Poll::Pending; // the cancel requested meanwhile takes effect now
        }
        self.counts.outputs_made.fetch_add(1, SeqCst);
        Poll::Ready(Output(self.counts.clone()))
    }
}

impl Drop for Subject {
    fn drop(&mut self) {
        self.counts.future_drops.fetch_add(1, SeqCst);
        if self.fault == Fault::PanicOnDrop && !std::thread::panicking() {
            panic!("matrix: panic in drop");
        }
    }
}

fn expected(fault: Fault, at: CancelAt) -> TaskOutcome {
    match (fault, at) {
        (Fault::None, CancelAt::AfterFinish) => TaskOutcome::Returned,
        (Fault::None, _) | (Fault::PanicOnPoll, CancelAt::BeforePoll) => TaskOutcome::Cancelled,
        _ => TaskOutcome::Panicked,
    }
}

fn run_cell(fault: Fault, at: CancelAt, dropped: HandleDropped) {
    let cell = format!("{fault:?} × {at:?} × handle dropped {dropped:?}");
    let rt: Runtime = Builder::new().worker_threads(1).build().unwrap();
    let counts = Arc::new(Counts::default());

    // "Before": the only worker is held by a blocker until the cancel is in.
    let (release_tx, release_rx) = channel::<()>();
    let (blocking_tx, blocking_rx) = channel::<()>();
    let blocker = (at == CancelAt::BeforePoll).then(|| {
        rt.spawn(async move {
            blocking_tx.send(()).unwrap();
            release_rx.recv_timeout(HANG_GUARD).unwrap();
        })
    });
    if blocker.is_some() {
        blocking_rx.recv_timeout(HANG_GUARD).unwrap();
    }

    let (polling_tx, polling_rx) = channel();
    let (go_tx, go_rx) = channel();
    let handshake = (at == CancelAt::DuringPoll).then_some((polling_tx, go_rx));
    let handle: JoinHandle<Output> = rt.spawn(Subject {
        fault,
        counts: counts.clone(),
        handshake,
    });
    let (done_tx, done_rx) = channel();
    handle.add_done_callback(move |outcome| done_tx.send(outcome).unwrap());

    match at {
        CancelAt::BeforePoll => assert!(handle.cancel(), "{cell}"),
        CancelAt::DuringPoll => {
            polling_rx.recv_timeout(HANG_GUARD).unwrap();
            assert!(handle.cancel(), "{cell}");
        }
        CancelAt::AfterFinish => {}
    }
    let handle = match dropped {
        HandleDropped::Early if at != CancelAt::AfterFinish => {
            drop(handle);
            None
        }
        _ => Some(handle),
    };
    // Go-aheads (a send fails harmlessly where the cell has no such handshake).
    let _ = release_tx.send(());
    let _ = go_tx.send(());

    let outcome = done_rx.recv_timeout(HANG_GUARD).expect("the task finishes");
    assert_eq!(outcome, expected(fault, at), "{cell}");
    if let Some(handle) = handle {
        if at == CancelAt::AfterFinish {
            assert!(
                !handle.cancel(),
                "{cell}: cancel after finish has no effect"
            );
        }
        match dropped {
            HandleDropped::Early => drop(handle),
            HandleDropped::Late => {
                let result = rt.block_on(handle);
                match outcome {
                    TaskOutcome::Returned => assert!(result.is_ok(), "{cell}"),
                    TaskOutcome::Cancelled => assert!(result.unwrap_err().is_cancelled(), "{cell}"),
                    TaskOutcome::Panicked => assert!(result.unwrap_err().is_panic(), "{cell}"),
                }
            }
        }
    }
    if let Some(blocker) = blocker {
        rt.block_on(blocker).unwrap();
    }
    assert_eq!(
        rt.metrics().alive_tasks,
        0,
        "{cell}: nothing stays registered"
    );
    drop(rt); // joins the worker: every drop has happened

    let polls = if at == CancelAt::BeforePoll { 0 } else { 1 };
    assert_eq!(counts.polls.load(SeqCst), polls, "{cell}: polls");
    assert_eq!(
        counts.future_drops.load(SeqCst),
        1,
        "{cell}: future dropped exactly once"
    );
    let made = counts.outputs_made.load(SeqCst);
    assert_eq!(
        made,
        usize::from(at == CancelAt::AfterFinish && fault != Fault::PanicOnPoll),
        "{cell}"
    );
    assert_eq!(
        counts.output_drops.load(SeqCst),
        made,
        "{cell}: output dropped exactly once"
    );
}

fn quiet_expected_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let expected = info
            .payload()
            .downcast_ref::<&str>()
            .is_some_and(|m| m.starts_with("matrix:"));
        if !expected {
            default(info);
        }
    }));
}

#[test]
fn every_cell_of_the_matrix() {
    quiet_expected_panics();
    for fault in [Fault::None, Fault::PanicOnPoll, Fault::PanicOnDrop] {
        for at in [
            CancelAt::BeforePoll,
            CancelAt::DuringPoll,
            CancelAt::AfterFinish,
        ] {
            for dropped in [HandleDropped::Early, HandleDropped::Late] {
                run_cell(fault, at, dropped);
            }
        }
    }
}
