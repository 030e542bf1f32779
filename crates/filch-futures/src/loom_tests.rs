//! loom models of the promise protocol: every interleaving of a few racing operations.
//!
//! Each model is small (two or three threads, a handful of atomic steps), as the
//! preemption bound in `scripts/test` assumes.

use loom::future::block_on;
use loom::thread;

use crate::sync::{lock, Arc, AtomicUsize, Mutex, Ordering::SeqCst};
use crate::{Error, Promise};

type P = Promise<u32, u32>;

/// A callback that counts its runs.
fn counting(runs: &Arc<AtomicUsize>) -> impl FnOnce(&P) + Send + 'static {
    let runs = Arc::clone(runs);
    move |_| {
        runs.fetch_add(1, SeqCst);
    }
}

/// `set_result` and `cancel` race: exactly one wins, the state says which, and the
/// callback registered before runs exactly once.
#[test]
fn set_result_vs_cancel_exactly_one_wins() {
    loom::model(|| {
        let p = P::new();
        let runs = Arc::new(AtomicUsize::new(0));
        p.add_done_callback(counting(&runs));
        let setter = thread::spawn({
            let p = p.clone();
            move || p.set_result(1).is_ok()
        });
        let cancelled = p.cancel();
        let set = setter.join().unwrap();
        assert!(set ^ cancelled, "set: {set}, cancelled: {cancelled}");
        assert!(p.done());
        assert_eq!(p.cancelled(), cancelled);
        assert_eq!(p.result().ok(), set.then_some(&1));
        assert_eq!(runs.load(SeqCst), 1);
    });
}

/// An await racing with `set_result` is always woken (loom reports a deadlock otherwise).
#[test]
fn set_vs_await_no_lost_wakeup() {
    loom::model(|| {
        let p = P::new();
        let setter = thread::spawn({
            let p = p.clone();
            move || p.set_result(7).unwrap()
        });
        assert_eq!(block_on(p.clone()), Ok(7));
        setter.join().unwrap();
    });
}

/// A callback added while another thread completes runs exactly once, on one of the two.
#[test]
fn add_done_callback_vs_completion_runs_once() {
    loom::model(|| {
        let p = P::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let canceller = thread::spawn({
            let p = p.clone();
            move || assert!(p.cancel())
        });
        p.add_done_callback(counting(&runs));
        canceller.join().unwrap();
        assert_eq!(runs.load(SeqCst), 1);
    });
}

/// A callback that appends `n` to `order`.
fn recording(order: &Arc<Mutex<Vec<u8>>>, n: u8) -> impl FnOnce(&P) + Send + 'static {
    let order = Arc::clone(order);
    move |_| lock(&order).push(n)
}

/// A thread that adds `callback` to `p`.
fn adding(p: &P, callback: impl FnOnce(&P) + Send + 'static) -> thread::JoinHandle<()> {
    let p = p.clone();
    thread::spawn(move || {
        p.add_done_callback(callback);
    })
}

/// Registration order survives a race: a callback added by another thread while the
/// completer runs an earlier one runs after it, whether it was queued before completion,
/// behind the drain, or run inline after the drain closed.
#[test]
fn late_callback_keeps_registration_order() {
    loom::model(|| {
        let p = P::new();
        let order = Arc::new(Mutex::new(Vec::new()));
        p.add_done_callback(recording(&order, 1));
        let adder = adding(&p, recording(&order, 2));
        p.set_exception(3).unwrap();
        adder.join().unwrap();
        assert_eq!(*lock(&order), [1, 2]);
        assert_eq!(p.exception(), Ok(Some(&3)));
    });
}

/// The same race against a drain deferred to this thread's outermost drain (`inner` is
/// completed by `outer`'s callback): `inner`'s queue stays open until the deferred drain
/// runs, so a callback another thread adds meanwhile is queued behind `inner`'s first one
/// (or, once that drain closed the queue, runs inline on the adder), never ahead of it.
#[test]
fn late_callback_keeps_registration_order_behind_a_deferred_drain() {
    loom::model(|| {
        let outer = P::new();
        let inner = P::new();
        let order = Arc::new(Mutex::new(Vec::new()));
        inner.add_done_callback(recording(&order, 1));
        outer.add_done_callback({
            let inner = inner.clone();
            move |_| inner.set_result(1).unwrap()
        });
        let adder = adding(&inner, recording(&order, 2));
        outer.set_result(0).unwrap();
        adder.join().unwrap();
        assert_eq!(*lock(&order), [1, 2]);
    });
}

/// Two handles awaiting at once are both woken by one completion.
#[test]
fn concurrent_awaiters_all_woken() {
    loom::model(|| {
        let p = P::new();
        let other = thread::spawn({
            let p = p.clone();
            move || block_on(p)
        });
        let setter = thread::spawn({
            let p = p.clone();
            move || assert!(p.cancel_with("stop"))
        });
        let mine = block_on(p.clone());
        assert!(matches!(&mine, Err(Error::Cancelled(c)) if c.message() == Some("stop")));
        assert_eq!(other.join().unwrap(), mine);
        setter.join().unwrap();
    });
}

/// `remove_done_callback` racing with completion: the callback either is removed or runs,
/// never both, never neither.
#[test]
fn remove_done_callback_vs_completion() {
    loom::model(|| {
        let p = P::new();
        let runs = Arc::new(AtomicUsize::new(0));
        let id = p.add_done_callback(counting(&runs));
        let setter = thread::spawn({
            let p = p.clone();
            move || p.set_result(1).unwrap()
        });
        let removed = p.remove_done_callback(id);
        setter.join().unwrap();
        assert_eq!(runs.load(SeqCst), usize::from(!removed));
    });
}

/// `into_value` racing with the completer, whose handle is the last other one: the outcome
/// is delivered by whichever handle drops last (the completer's, or the taker's own if the
/// completer finished first), and the taker is always woken with it (loom reports a
/// deadlock if a wake-up is lost).
#[test]
fn into_value_vs_completer_drop_delivers_once() {
    loom::model(|| {
        let p = P::new();
        let setter = thread::spawn({
            let p = p.clone();
            move || p.set_result(5).unwrap()
        });
        assert_eq!(block_on(p.into_value()), Ok(5));
        setter.join().unwrap();
    });
}
