//! A small, real runtime for Miri (`scripts/test` runs this file under Miri with Tree
//! Borrows): two workers, tasks taken from the injector and stolen from a blocked worker's
//! queue, a wake from a plain thread, timers, the blocking pool, and a shutdown that cancels
//! tasks still pending (one holding a registered timer). Miri checks every raw-pointer step of
//! that (task cells, wakers, the registry, crossbeam's deques) for undefined behaviour, data
//! races and leaks. The loops are tiny on purpose: Miri is about a thousand times slower.
//!
//! It runs in the ordinary `cargo test` too, where it is one more smoke test.

use filch_executor::{sleep, spawn, spawn_blocking, timeout, Builder, TimeoutError};
use std::future::{pending, Future};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::Duration;
use support::{within_hang_guard, HANG_GUARD};

mod support;

/// Tasks spawned from outside besides the one that blocks its worker.
const OTHERS: usize = 3;

/// Waits for `n` messages on `rx`, each within the hang guard.
fn receive(rx: &Receiver<usize>, n: usize) -> Vec<usize> {
    let mut got: Vec<usize> = (0..n)
        .map(|_| rx.recv_timeout(HANG_GUARD).expect("a task never ran"))
        .collect();
    got.sort_unstable();
    got
}

#[test]
fn two_workers_spawn_steal_wake_sleep_block_and_shut_down() {
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(2).build().unwrap();

        // Injected from outside: the first task blocks whichever worker takes it until the
        // others ran, so they run on the other worker, taken from the injector or stolen
        // from the blocked worker's queue (where a batch from the injector may have put them).
        let (ran_tx, ran_rx) = channel();
        let blocker = rt.spawn(async move { receive(&ran_rx, OTHERS) });
        let others: Vec<_> = (0..OTHERS)
            .map(|i| {
                let ran_tx = ran_tx.clone();
                rt.spawn(async move { ran_tx.send(i).unwrap() })
            })
            .collect();

        let (answer, woken, timed_out) = rt.block_on(async {
            // A wake from a thread outside the runtime.
            let (tx, rx) = futures::channel::oneshot::channel();
            let waiter = spawn(async move { rx.await.unwrap() });
            let sender = std::thread::spawn(move || tx.send(5).unwrap());
            // A short timer on a worker, and a timeout in `block_on` that must elapse.
            let slept = spawn(sleep(Duration::from_millis(1)));
            let timed_out = timeout(Duration::from_millis(1), pending::<()>()).await;
            let answer = spawn_blocking(|| 6 * 7).await.unwrap();
            slept.await.unwrap();
            let woken = waiter.await.unwrap();
            sender.join().unwrap();
            (answer, woken, timed_out)
        });
        assert_eq!((answer, woken, timed_out), (42, 5, Err(TimeoutError)));
        assert_eq!(
            rt.block_on(blocker).unwrap(),
            (0..OTHERS).collect::<Vec<_>>()
        );
        for other in others {
            rt.block_on(other).unwrap();
        }

        // Shutdown with tasks still pending: one parked on nothing, one on a registered timer.
        // Each holds a count of `alive`, to see their futures dropped (the leak check, which
        // would see their cells too, is off: see `scripts/test`).
        let alive = Arc::new(());
        let parked = rt.spawn({
            let alive = alive.clone();
            async move {
                let _alive = alive;
                pending::<()>().await
            }
        });
        let (polled_tx, polled_rx) = channel();
        let in_sleeper = alive.clone();
        let sleeping = rt.spawn(async move {
            let _alive = in_sleeper;
            let mut far = std::pin::pin!(sleep(Duration::from_secs(3600)));
            // Poll once (registering the timer) before telling the test it is registered.
            std::future::poll_fn(|cx| {
                let _ = far.as_mut().poll(cx);
                polled_tx.send(()).unwrap();
                std::task::Poll::Ready(())
            })
            .await;
            far.await;
        });
        polled_rx.recv_timeout(HANG_GUARD).unwrap();
        drop(rt);
        assert!(parked.cancelled() && sleeping.cancelled());
        assert_eq!(
            Arc::strong_count(&alive),
            1,
            "a pending future outlived shutdown"
        );
    });
}

/// Fork-join on the same kind of runtime: `join` whose halves meet at a barrier (so `b` is
/// stolen and its owner waits on the latch), a small recursive `join` (jobs taken back
/// inline), a `scope` whose spawns borrow from the stack, a panic carried across a steal, and
/// the cold path from `block_on`. Miri checks the stack jobs, heap jobs, latches and the
/// deque hand-offs.
#[test]
fn two_workers_join_and_scope() {
    fn sum(range: std::ops::Range<u64>) -> u64 {
        if range.end - range.start <= 4 {
            return range.sum();
        }
        let mid = range.start + (range.end - range.start) / 2;
        let (a, b) = filch_executor::join(|| sum(range.start..mid), || sum(mid..range.end));
        a + b
    }
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(2).build().unwrap();
        let task = rt.spawn(async {
            let barrier = std::sync::Barrier::new(2);
            let (a, b) = filch_executor::join(|| barrier.wait(), || barrier.wait());
            assert!(a.is_leader() != b.is_leader());
            sum(0..32)
        });
        assert_eq!(rt.block_on(task).unwrap(), 496);
        let mut cells = [0u64; 4];
        rt.block_on(async {
            filch_executor::scope(|s| {
                for (i, cell) in cells.iter_mut().enumerate() {
                    s.spawn(move |_| *cell = i as u64 + 1);
                }
            })
        });
        assert_eq!(cells, [1, 2, 3, 4]);
        let caught = rt.block_on(async {
            std::panic::catch_unwind(|| filch_executor::join(|| 1, || panic!("b failed")))
        });
        assert!(caught.is_err());
    });
}
