//! `Promise::into_value`: the outcome moved out to one consumer, so that a value that is not
//! `Clone` can be awaited (a promise as a oneshot channel).

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use filch_futures::{IntoValueError, InvalidStateError, Promise};
use futures::executor::block_on;
use futures::FutureExt;

/// Generous hang guard: only a hang fails on it, never a slow machine.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// Not `Clone`; counts its drops, so a test can tell the one value was moved, not copied.
struct Token {
    id: u32,
    drops: Arc<AtomicUsize>,
}

impl Drop for Token {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

type P = Promise<Token, String>;

fn invalid_state(outcome: Result<Token, IntoValueError<String>>) -> InvalidStateError {
    match outcome {
        Err(IntoValueError::InvalidState(e)) => e,
        Err(other) => panic!("expected InvalidState, got {other:?}"),
        Ok(token) => panic!("expected InvalidState, got the value {}", token.id),
    }
}

/// A waker that counts its wakes.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn a_value_that_is_not_clone_moves_to_its_consumer_on_another_thread() {
    let drops = Arc::new(AtomicUsize::new(0));
    let p = P::new();
    let sender = p.clone();
    let (tx, rx) = mpsc::channel();
    let consumer = thread::spawn(move || tx.send(block_on(p.into_value())).unwrap());
    let token = Token {
        id: 7,
        drops: Arc::clone(&drops),
    };
    sender.set_result(token).unwrap();
    drop(sender);
    let received = rx
        .recv_timeout(HANG_GUARD)
        .expect("the consumer hung")
        .expect("the value");
    consumer.join().unwrap();
    assert_eq!(received.id, 7);
    assert_eq!(
        drops.load(SeqCst),
        0,
        "moved out: the promise dropped nothing"
    );
    drop(received);
    assert_eq!(drops.load(SeqCst), 1, "one value, dropped once");
}

/// The outcome moves out only once no other handle can lend it: the future waits for the
/// completer's handle to drop, and that drop wakes it.
#[test]
fn into_value_waits_for_the_other_handles_to_drop() {
    let p = P::new();
    let completer = p.clone();
    let drops = Arc::new(AtomicUsize::new(0));
    completer.set_result(Token { id: 1, drops }).unwrap();
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&counter));
    let mut cx = Context::from_waker(&waker);
    let mut taking = pin!(p.into_value());
    assert!(
        taking.as_mut().poll(&mut cx).is_pending(),
        "the completer still lends it"
    );
    assert_eq!(completer.result().map(|t| t.id), Ok(1));
    drop(completer);
    assert_eq!(
        counter.0.load(SeqCst),
        1,
        "the last handle's drop wakes the taker"
    );
    match taking.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(token)) => assert_eq!(token.id, 1),
        other => panic!(
            "expected the value, got {:?}",
            other.map(|r| r.map(|t| t.id))
        ),
    }
}

#[test]
fn a_cancelled_promise_yields_its_cancellation() {
    let p = P::new();
    assert!(p.cancel_with("not needed"));
    match block_on(p.into_value()) {
        Err(IntoValueError::Cancelled(e)) => assert_eq!(e.message(), Some("not needed")),
        other => panic!("expected Cancelled, got {:?}", other.map(|t| t.id)),
    }
}

/// An outcome moves out once: the second `into_value` is refused at once, whichever handle
/// completes the promise, and the first still gets the value.
#[test]
fn a_second_into_value_is_refused() {
    let p = P::new();
    let (second, completer) = (p.clone(), p.clone());
    let first = p.into_value();
    // Refused at once: one poll answers (and a bug fails here instead of hanging).
    let refused = second
        .into_value()
        .now_or_never()
        .expect("a second into_value is answered at once, not left waiting");
    let refused = invalid_state(refused);
    assert!(!refused.is_pending());
    assert!(refused.to_string().contains("already taken"), "{refused}");
    let drops = Arc::new(AtomicUsize::new(0));
    completer.set_result(Token { id: 2, drops }).unwrap();
    drop(completer);
    let first = first
        .now_or_never()
        .expect("the last other handle dropped: delivered");
    assert_eq!(first.map(|t| t.id).ok(), Some(2));
}

/// Every other handle dropped while pending: nothing can complete the promise, so the taker
/// is told so (a oneshot's "sender dropped") instead of waiting forever.
#[test]
fn every_other_handle_dropped_while_pending_is_an_error_not_a_hang() {
    let p = P::new();
    let completer = p.clone();
    let (tx, rx) = mpsc::channel();
    let consumer = thread::spawn(move || tx.send(block_on(p.into_value())).unwrap());
    drop(completer);
    let outcome = rx.recv_timeout(HANG_GUARD).expect("the consumer hung");
    consumer.join().unwrap();
    let error = invalid_state(outcome);
    assert!(error.is_pending());
    assert!(
        error.to_string().contains("nothing can complete it"),
        "{error}"
    );
}
