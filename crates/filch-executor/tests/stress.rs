//! Stress tests: many tasks, many threads, and every outcome counted. They assert outcomes,
//! never speed, and finish in seconds on 2 cores, debug builds included.

use filch_executor::{spawn, yield_now, Builder, JoinHandle, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Once};

fn runtime(workers: usize) -> Runtime {
    Builder::new()
        .worker_threads(workers)
        .thread_name("stress-worker")
        .build()
        .unwrap()
}

/// Silences the panics these tests cause on purpose (their messages start with "stress:").
fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let expected = info
                .payload()
                .downcast_ref::<&str>()
                .is_some_and(|m| m.starts_with("stress:"));
            if !expected {
                default(info);
            }
        }));
    });
}

/// Counts drops of its [`Tracked`] values, and drops that happened off the runtime's workers.
#[derive(Clone, Default)]
struct DropCounts {
    drops: Arc<AtomicUsize>,
    foreign: Arc<AtomicUsize>,
}

/// A value whose drop its [`DropCounts`] counts.
struct Tracked(DropCounts);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.drops.fetch_add(1, SeqCst);
        if std::thread::current().name() != Some("stress-worker") {
            self.0.foreign.fetch_add(1, SeqCst);
        }
    }
}

/// `n` tasks that never finish on their own, each owning a [`Tracked`]: the even ones idle
/// (a cancel must schedule them), the odd ones busy (yielding in a loop, so a cancel lands
/// while they are queued or running).
fn spawn_never_finishing(rt: &Runtime, n: usize, counts: &DropCounts) -> Vec<JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let tracked = Tracked(counts.clone());
            rt.spawn(async move {
                let _tracked = tracked;
                if i % 2 == 0 {
                    std::future::pending::<()>().await;
                }
                loop {
                    yield_now().await;
                }
            })
        })
        .collect()
}

#[test]
fn a_million_tasks_with_one_percent_panicking() {
    quiet_expected_panics();
    let n = 1_000_000;
    let rt = runtime(2);
    let (sum, panics) = rt.block_on(async move {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                spawn(async move {
                    if i % 100 == 0 {
                        panic!("stress: one in a hundred");
                    }
                    i as u64
                })
            })
            .collect();
        let (mut sum, mut panics) = (0_u64, 0);
        for handle in handles {
            match handle.await {
                Ok(v) => sum += v,
                Err(e) if e.is_panic() => panics += 1,
                Err(e) => panic!("unexpected {e}"),
            }
        }
        (sum, panics)
    });
    let all: u64 = (0..n as u64).sum();
    let panicked: u64 = (0..n as u64).step_by(100).sum();
    assert_eq!(panics, n / 100);
    assert_eq!(sum, all - panicked);
    assert_eq!(rt.metrics().spawned_tasks, n as u64);
}

#[test]
fn spawn_storm_from_many_threads() {
    let (threads, per_thread) = (8, 100_000 / 8);
    let rt = runtime(2);
    let ran = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(threads));
    let spawners: Vec<_> = (0..threads)
        .map(|_| {
            let (handle, ran, start) = (rt.handle().clone(), ran.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let tasks: Vec<_> = (0..per_thread)
                    .map(|_| {
                        let ran = ran.clone();
                        handle.spawn(async move {
                            ran.fetch_add(1, SeqCst);
                        })
                    })
                    .collect();
                handle.block_on(async move {
                    for task in tasks {
                        task.await.unwrap();
                    }
                });
            })
        })
        .collect();
    for spawner in spawners {
        spawner.join().unwrap();
    }
    assert_eq!(ran.load(SeqCst), threads * per_thread);
}

#[test]
fn cancellation_storm() {
    let n = 100_000;
    let rt = runtime(2);
    let counts = DropCounts::default();
    let handles = Arc::new(spawn_never_finishing(&rt, n, &counts));
    let cancellers: Vec<_> = (0..4)
        .map(|_| {
            let handles = handles.clone();
            std::thread::spawn(move || handles.iter().filter(|h| h.cancel()).count())
        })
        .collect();
    // The first cancel of each task comes before its completion (it cannot finish on its
    // own), so it says `true`; later ones may find it done already.
    let accepted: usize = cancellers.into_iter().map(|c| c.join().unwrap()).sum();
    assert!(accepted >= n, "{accepted} cancels accepted for {n} tasks");
    let handles = Arc::into_inner(handles).unwrap();
    rt.block_on(async move {
        for handle in handles {
            assert!(handle.await.unwrap_err().is_cancelled());
        }
    });
    assert_eq!(
        counts.drops.load(SeqCst),
        n,
        "each future dropped exactly once"
    );
    assert_eq!(counts.foreign.load(SeqCst), 0, "and on a runtime thread");
    assert_eq!(rt.metrics().alive_tasks, 0);
}

#[test]
fn shutdown_with_100k_pending_tasks() {
    let n = 100_000;
    let rt = runtime(2);
    let counts = DropCounts::default();
    let handles = spawn_never_finishing(&rt, n, &counts);
    let late = rt.handle().clone();
    drop(rt);
    assert_eq!(
        counts.drops.load(SeqCst),
        n,
        "each future dropped exactly once"
    );
    assert_eq!(counts.foreign.load(SeqCst), 0, "and on a runtime thread");
    assert!(handles.iter().all(|h| h.cancelled()));
    assert!(
        late.spawn(async {}).cancelled(),
        "spawning after shutdown: cancelled, no hang"
    );
}

#[test]
fn futures_that_spawn_and_wake_while_being_dropped_at_shutdown() {
    struct SpawnOnDrop;
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            // Runs during shutdown on a worker: the spawn is refused, never hangs.
            let refused = spawn(async {});
            assert!(refused.cancelled());
        }
    }
    let rt = runtime(2);
    let handles: Vec<_> = (0..1000)
        .map(|_| {
            rt.spawn(async {
                let _guard = SpawnOnDrop;
                std::future::pending::<()>().await;
            })
        })
        .collect();
    drop(rt);
    assert!(handles.iter().all(|h| h.cancelled()));
}
