//! create + complete + await: `filch_futures::Promise` against `tokio::sync::oneshot` and
//! `futures::channel::oneshot`, on one thread and with the completion on another thread.
//!
//! Every variant is awaited with `futures::executor::block_on`, so the executor's cost is the
//! same for all three. Run briefly with
//! `cargo bench -p filch-criterion-benches --bench promise -- --warm-up-time 1 --measurement-time 2`.

use std::sync::mpsc;
use std::thread;

use criterion::{criterion_main, Criterion};
use filch_futures::Promise;
use futures::executor::block_on;

type P = Promise<u64, ()>;

/// Set on the same thread, then awaited: the uncontended path (no lock, no waker).
fn same_thread(c: &mut Criterion) {
    let mut group = c.benchmark_group("create_set_await/same_thread");
    group.bench_function("filch Promise", |b| {
        b.iter(|| {
            let p = P::new();
            p.clone().set_result(1).unwrap();
            block_on(p).unwrap()
        })
    });
    group.bench_function("tokio oneshot", |b| {
        b.iter(|| {
            let (tx, rx) = tokio::sync::oneshot::channel::<u64>();
            tx.send(1).unwrap();
            block_on(rx).unwrap()
        })
    });
    group.bench_function("futures oneshot", |b| {
        b.iter(|| {
            let (tx, rx) = futures::channel::oneshot::channel::<u64>();
            tx.send(1).unwrap();
            block_on(rx).unwrap()
        })
    });
    group.finish();
}

/// A thread that completes whatever it is sent, so each iteration pays one channel hand-off
/// (the same for all three) rather than a thread spawn.
struct Completer<M: Send + 'static> {
    jobs: Option<mpsc::Sender<M>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl<M: Send + 'static> Completer<M> {
    fn new(complete: fn(M)) -> Self {
        let (jobs, inbox) = mpsc::channel();
        let thread = thread::spawn(move || inbox.into_iter().for_each(complete));
        Self {
            jobs: Some(jobs),
            thread: Some(thread),
        }
    }

    fn send(&self, job: M) {
        self.jobs.as_ref().unwrap().send(job).unwrap();
    }
}

impl<M: Send + 'static> Drop for Completer<M> {
    fn drop(&mut self) {
        drop(self.jobs.take());
        self.thread.take().unwrap().join().unwrap();
    }
}

/// Completed on another thread while this one awaits: the waker path.
fn across_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("create_set_await/across_threads");
    let promises = Completer::new(|p: P| p.set_result(1).unwrap());
    group.bench_function("filch Promise", |b| {
        b.iter(|| {
            let p = P::new();
            promises.send(p.clone());
            block_on(p).unwrap()
        })
    });
    let tokio_senders = Completer::new(|tx: tokio::sync::oneshot::Sender<u64>| tx.send(1).unwrap());
    group.bench_function("tokio oneshot", |b| {
        b.iter(|| {
            let (tx, rx) = tokio::sync::oneshot::channel::<u64>();
            tokio_senders.send(tx);
            block_on(rx).unwrap()
        })
    });
    let futures_senders =
        Completer::new(|tx: futures::channel::oneshot::Sender<u64>| tx.send(1).unwrap());
    group.bench_function("futures oneshot", |b| {
        b.iter(|| {
            let (tx, rx) = futures::channel::oneshot::channel::<u64>();
            futures_senders.send(tx);
            block_on(rx).unwrap()
        })
    });
    group.finish();
}

/// `criterion_group!` generates an undocumented `pub fn`, hence the module and the `allow`.
#[allow(missing_docs)]
mod groups {
    criterion::criterion_group!(benches, super::same_thread, super::across_threads);
}
criterion_main!(groups::benches);
