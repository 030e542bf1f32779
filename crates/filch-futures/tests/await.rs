//! Awaiting promises: on `futures::executor::block_on`, on tokio, from many tasks and threads,
//! and the waker bookkeeping behind it (one slot per handle, freed on drop).

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Barrier};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use filch_futures::{Completion, Error, Promise};
use futures::executor::block_on;

type P = Promise<u32, String>;

/// Generous hang guard: only a hang fails on it, never a slow machine.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// A waker that counts its wakes; `Arc::strong_count` tells how many clones are alive.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

impl CountingWaker {
    fn wakes(&self) -> usize {
        self.0.load(SeqCst)
    }
}

fn poll_done(p: &mut P, waker: &Arc<CountingWaker>) -> Poll<()> {
    let waker = Waker::from(Arc::clone(waker));
    p.poll_done(&mut Context::from_waker(&waker))
}

#[test]
fn await_yields_result_exception_or_cancellation() {
    let p = P::new();
    p.set_result(1).unwrap();
    assert_eq!(block_on(p.clone()), Ok(1));
    assert_eq!(
        p.result(),
        Ok(&1),
        "awaiting a clone leaves the outcome in place"
    );

    let p = P::new();
    p.set_exception("e".into()).unwrap();
    assert_eq!(block_on(p.clone()), Err(Error::Exception("e".to_string())));

    let p = P::new();
    p.cancel_with("why");
    match block_on(p) {
        Err(Error::Cancelled(c)) => assert_eq!(c.message(), Some("why")),
        other => panic!("expected Cancelled, got {other:?}"),
    }
}

#[test]
fn a_ready_handle_stays_ready() {
    let p = P::new();
    p.set_result(9).unwrap();
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    let mut fut = pin!(p);
    assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(Ok(9)));
    assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(Ok(9)));
}

#[test]
fn completion_wakes_the_registered_waker_once() {
    let mut p = P::new();
    let waker = Arc::new(CountingWaker::default());
    assert_eq!(poll_done(&mut p, &waker), Poll::Pending);
    let setter = p.clone();
    thread::spawn(move || setter.set_result(3).unwrap())
        .join()
        .unwrap();
    assert_eq!(waker.wakes(), 1);
    assert_eq!(poll_done(&mut p, &waker), Poll::Ready(()));
    assert_eq!(
        Arc::strong_count(&waker),
        1,
        "no clone kept after completion"
    );
}

#[test]
fn re_polling_replaces_the_waker() {
    let mut p = P::new();
    let first = Arc::new(CountingWaker::default());
    let second = Arc::new(CountingWaker::default());
    assert_eq!(poll_done(&mut p, &first), Poll::Pending);
    assert_eq!(poll_done(&mut p, &first), Poll::Pending);
    assert_eq!(
        Arc::strong_count(&first),
        2,
        "the same waker is kept, not cloned again"
    );
    assert_eq!(poll_done(&mut p, &second), Poll::Pending);
    assert_eq!(
        Arc::strong_count(&first),
        1,
        "the replaced waker is dropped"
    );
    p.clone().cancel();
    assert_eq!((first.wakes(), second.wakes()), (0, 1));
}

#[test]
fn dropping_a_waiting_handle_frees_its_slot() {
    let p = P::new();
    let waker = Arc::new(CountingWaker::default());
    // Many short-lived waiters on a long-lived promise: none of them leaves a waker behind.
    for _ in 0..1_000 {
        let mut short = p.clone();
        assert_eq!(poll_done(&mut short, &waker), Poll::Pending);
        assert_eq!(Arc::strong_count(&waker), 2);
        drop(short);
        assert_eq!(Arc::strong_count(&waker), 1);
    }
    p.set_result(1).unwrap();
    assert_eq!(waker.wakes(), 0, "dropped waiters are not woken");
}

#[test]
fn every_waiting_handle_is_woken() {
    let p = P::new();
    let wakers: Vec<_> = (0..10)
        .map(|_| Arc::new(CountingWaker::default()))
        .collect();
    let mut handles: Vec<P> = wakers.iter().map(|_| p.clone()).collect();
    for (handle, waker) in handles.iter_mut().zip(&wakers) {
        assert_eq!(poll_done(handle, waker), Poll::Pending);
    }
    drop(handles.remove(4)); // frees a slot in the middle
    p.set_result(1).unwrap();
    let wakes: Vec<usize> = wakers.iter().map(|w| w.wakes()).collect();
    assert_eq!(wakes, [1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
}

#[test]
fn set_on_one_thread_awaited_on_another() {
    let p = P::new();
    let (polled_tx, polled_rx) = mpsc::channel();
    let waiter = thread::spawn({
        let p = p.clone();
        move || {
            let mut fut = pin!(p);
            let waker = Waker::from(Arc::new(CountingWaker::default()));
            assert!(fut
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending());
            polled_tx.send(()).unwrap();
            block_on(fut)
        }
    });
    polled_rx.recv_timeout(HANG_GUARD).unwrap();
    p.set_result(11).unwrap();
    assert_eq!(waiter.join().unwrap(), Ok(11));
}

#[test]
#[cfg_attr(miri, ignore)] // tokio's runtime is too slow under Miri
fn many_tokio_tasks_await_one_promise() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let p = P::new();
    let tasks: Vec<_> = (0..100).map(|_| rt.spawn(p.clone())).collect();
    let setter = p.clone();
    thread::spawn(move || setter.set_result(5).unwrap());
    rt.block_on(async {
        for task in tasks {
            assert_eq!(task.await.unwrap(), Ok(5));
        }
        assert_eq!(p.await, Ok(5));
    });
}

#[test]
#[cfg_attr(miri, ignore)] // tokio's runtime is too slow under Miri
fn tokio_current_thread_awaits_a_promise_set_by_another_task() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let p: Promise<String, String> = Promise::new();
    let out = rt.block_on(async {
        let setter = p.clone();
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            setter.set_result("from a task".into()).unwrap();
        });
        p.clone().await
    });
    assert_eq!(out.as_deref(), Ok("from a task"));
}

#[test]
fn many_threads_await_one_promise() {
    let threads = if cfg!(miri) { 3 } else { 16 };
    let p = P::new();
    let start = Arc::new(Barrier::new(threads + 1));
    let waiters: Vec<_> = (0..threads)
        .map(|_| {
            let p = p.clone();
            let start = Arc::clone(&start);
            thread::spawn(move || {
                start.wait();
                block_on(p)
            })
        })
        .collect();
    start.wait();
    p.set_exception("shared failure".into()).unwrap();
    for waiter in waiters {
        assert_eq!(
            waiter.join().unwrap(),
            Err(Error::Exception("shared failure".into()))
        );
    }
}
