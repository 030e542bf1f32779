//! Runtime threads coming and going: a blocking-pool thread exiting while a task is pushed,
//! a runtime dropped on its own blocking thread, and `on_thread_start` / `on_thread_stop`
//! hooks that panic on workers and on blocking threads.
//!
//! Every test runs under [`guarded`]: a hang fails it in bounded time. Orderings come from
//! handshakes (channels), never from sleeps; the hooks' panics are printed by the panic hook.

use filch_executor::Builder;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;
use support::within_hang_guard;

mod support;

/// Whether this is a blocking-pool thread (workers run the same hooks).
fn on_blocking_thread() -> bool {
    thread::current()
        .name()
        .is_some_and(|name| name.ends_with("-blocking"))
}

#[test]
fn a_push_while_the_only_blocking_thread_runs_its_stop_hook_still_runs() {
    within_hang_guard(|| {
        // The first blocking thread to stop says so, then holds its stop hook until the test
        // has pushed the second task: the push lands while that thread is on its way out.
        let (stopping_tx, stopping_rx) = channel();
        let (release_tx, release_rx) = channel::<()>();
        let first_stop = Mutex::new(Some((stopping_tx, release_rx)));
        let rt = Builder::new()
            .worker_threads(1)
            .max_blocking_threads(1)
            .thread_keep_alive(Duration::from_millis(1))
            .on_thread_stop(move || {
                if !on_blocking_thread() {
                    return;
                }
                if let Some((stopping, release)) = first_stop.lock().unwrap().take() {
                    stopping.send(()).unwrap();
                    let _ = release.recv();
                }
            })
            .build()
            .unwrap();
        assert_eq!(rt.block_on(rt.handle().spawn_blocking(|| 1)).unwrap(), 1);
        stopping_rx.recv().unwrap();

        let (ran_tx, ran_rx) = channel();
        let _second = rt.handle().spawn_blocking(move || ran_tx.send(2).unwrap());
        release_tx.send(()).unwrap();
        let ran = ran_rx.recv_timeout(Duration::from_secs(5));
        let metrics = rt.metrics();
        assert_eq!(
            ran,
            Ok(2),
            "a blocking task pushed while the last pool thread exited never ran (queue = {}, \
             threads = {})",
            metrics.blocking_queue_depth,
            metrics.blocking_threads,
        );
    });
}

#[test]
fn dropping_the_runtime_inside_its_own_blocking_closure_returns() {
    within_hang_guard(|| {
        let rt = Builder::new().worker_threads(2).build().unwrap();
        let handle = rt.handle().clone();
        let pending = rt.spawn(std::future::pending::<()>());
        let (dropped_tx, dropped_rx) = channel();
        let _closure = handle.spawn_blocking(move || {
            drop(rt);
            dropped_tx.send(()).unwrap();
        });
        dropped_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("drop(Runtime) on one of its own blocking threads returns");
        assert!(
            pending.cancelled(),
            "the shutdown cancelled the other tasks"
        );
    });
}

#[test]
fn a_panicking_worker_start_hook_fails_build_and_stops_what_started() {
    within_hang_guard(|| {
        let (starts, stops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let counted_stops = stops.clone();
        let err = Builder::new()
            .worker_threads(2)
            .on_thread_start(move || {
                // The first worker starts fine; the second one's hook panics.
                if starts.fetch_add(1, SeqCst) == 1 {
                    panic!("no worker for you");
                }
            })
            .on_thread_stop(move || {
                counted_stops.fetch_add(1, SeqCst);
            })
            .build()
            .map(drop)
            .expect_err("build reports the start hook's panic");
        assert_eq!(err.kind(), std::io::ErrorKind::Other);
        let message = err.to_string();
        assert!(
            message.contains("on_thread_start") && message.contains("no worker for you"),
            "the error names the hook and its panic: {message}"
        );
        assert_eq!(
            stops.load(SeqCst),
            1,
            "the worker that started was shut down (its stop hook ran) before build returned"
        );
    });
}

#[test]
fn a_panicking_worker_stop_hook_does_not_hang_drop() {
    within_hang_guard(|| {
        let rt = Builder::new()
            .worker_threads(2)
            .on_thread_stop(|| panic!("worker stop hook fails"))
            .build()
            .unwrap();
        assert_eq!(rt.block_on(rt.spawn(async { 5 })).unwrap(), 5);
        drop(rt);
    });
}

#[test]
fn a_panicking_blocking_start_hook_leaves_the_thread_working() {
    within_hang_guard(|| {
        let rt = Builder::new()
            .worker_threads(1)
            .max_blocking_threads(1)
            .on_thread_start(|| {
                if on_blocking_thread() {
                    panic!("blocking start hook fails");
                }
            })
            .build()
            .unwrap();
        let a = rt.handle().spawn_blocking(|| 3);
        let b = rt.handle().spawn_blocking(|| 4);
        assert_eq!(
            rt.block_on(async { a.await.unwrap() + b.await.unwrap() }),
            7
        );
        drop(rt);
    });
}

#[test]
fn a_panicking_blocking_stop_hook_neither_strands_work_nor_hangs_drop() {
    within_hang_guard(|| {
        let stops = Arc::new(AtomicUsize::new(0));
        let counted = stops.clone();
        let rt = Builder::new()
            .worker_threads(1)
            .max_blocking_threads(1)
            .thread_keep_alive(Duration::from_millis(1))
            .on_thread_stop(move || {
                if on_blocking_thread() {
                    counted.fetch_add(1, SeqCst);
                    panic!("blocking stop hook fails");
                }
            })
            .build()
            .unwrap();
        assert_eq!(rt.block_on(rt.handle().spawn_blocking(|| 1)).unwrap(), 1);
        // The thread may or may not have exited (its hook panicking) by now; either way the
        // next task gets a thread.
        assert_eq!(rt.block_on(rt.handle().spawn_blocking(|| 2)).unwrap(), 2);
        drop(rt);
        assert!(
            stops.load(SeqCst) >= 1,
            "every pool thread ran its stop hook"
        );
    });
}
