//! The everyday paths: block_on, spawn from everywhere, join, yield, handles, errors.

mod support;

use filch_executor::{spawn, yield_now, Builder, Handle, JoinError, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use support::panic_message;

fn runtime(workers: usize) -> Runtime {
    Builder::new().worker_threads(workers).build().unwrap()
}

#[test]
fn block_on_returns_the_output() {
    assert_eq!(runtime(1).block_on(async { 7 }), 7);
}

#[test]
fn spawn_from_tasks_and_block_on_on_several_workers() {
    let rt = runtime(4);
    let total = rt.block_on(async {
        let outer: Vec<_> = (0..100_u64)
            .map(|i| {
                spawn(async move {
                    let inner = spawn(async move { i * 2 });
                    yield_now().await;
                    inner.await.unwrap() + 1
                })
            })
            .collect();
        let mut total = 0;
        for t in outer {
            total += t.await.unwrap();
        }
        total
    });
    assert_eq!(total, (0..100).map(|i| i * 2 + 1).sum::<u64>());
}

#[test]
fn runtime_spawn_from_outside_then_await_elsewhere() {
    let rt = runtime(2);
    let handles: Vec<_> = (0..1000).map(|i| rt.spawn(async move { i })).collect();
    let sum = rt.block_on(async {
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..1000).sum::<i32>());
}

#[test]
fn handle_works_from_other_threads() {
    let rt = runtime(2);
    let handle = rt.handle().clone();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let handle = handle.clone();
            std::thread::spawn(move || handle.block_on(handle.spawn(async move { i })).unwrap())
        })
        .collect();
    let sum: i32 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(sum, 6);
}

#[test]
fn panic_in_task_is_returned_and_the_worker_lives_on() {
    let rt = runtime(1);
    let err: JoinError = rt.block_on(rt.spawn(async { panic!("boom") })).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(err.to_string(), r#"task panicked with message "boom""#);
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
}

#[test]
fn panic_in_block_on_future_propagates() {
    let rt = runtime(1);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("mine") })
    }));
    assert_eq!(*caught.unwrap_err().downcast::<&str>().unwrap(), "mine");
    assert_eq!(
        rt.block_on(async { 2 }),
        2,
        "the runtime and the context survive"
    );
}

#[test]
fn nested_block_on_panics_with_a_clear_message() {
    let rt = runtime(1);
    let handle = rt.handle().clone();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { handle.block_on(async {}) })
    }));
    let message = panic_message(&*caught.unwrap_err());
    assert!(
        message.contains("Cannot call block_on from inside a filch runtime"),
        "{message}"
    );

    let handle = rt.handle().clone();
    let on_worker = rt.block_on(rt.spawn(async move { handle.block_on(async {}) }));
    assert!(on_worker.unwrap_err().is_panic());
}

#[test]
fn spawn_outside_a_runtime_panics_saying_what_to_use() {
    let caught = std::panic::catch_unwind(|| spawn(async {}));
    let message = panic_message(&*caught.unwrap_err());
    assert!(
        message.contains("Runtime::spawn or Handle::spawn"),
        "{message}"
    );
    assert!(Handle::try_current().is_err());
}

#[test]
fn cancel_drops_the_future_once_and_reports_cancelled() {
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let rt = runtime(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = CountDrop(drops.clone());
    let handle = rt.spawn(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    assert!(handle.cancel());
    assert!(rt.block_on(handle).unwrap_err().is_cancelled());
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn drop_runtime_cancels_pending_tasks_and_later_spawns() {
    let rt = runtime(2);
    let handle = rt.handle().clone();
    let pending = rt.spawn(std::future::pending::<()>());
    drop(rt);
    assert!(pending.cancelled());
    let late = handle.spawn(async { 1 });
    assert!(late.done() && late.cancelled());
    assert!(handle.block_on(late).unwrap_err().is_cancelled());
}
