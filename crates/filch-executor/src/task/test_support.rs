//! A minimal scheduler for the task-level tests (unit, Miri and loom): a FIFO the test drains.

use super::{Header, JoinHandle, Notified, Registry, Schedule};
use crate::sync::{Arc, AtomicUsize, Mutex, Ordering::SeqCst};
use std::collections::VecDeque;
use std::future::Future;

/// Cheap to clone: every clone is the same scheduler.
#[derive(Clone)]
pub(super) struct TestScheduler(Arc<Inner>);

struct Inner {
    queue: Mutex<VecDeque<Notified>>,
    registry: Registry,
    /// How many times a task was queued (spawns included).
    scheduled: AtomicUsize,
}

impl TestScheduler {
    pub(super) fn new() -> Self {
        Self(Arc::new(Inner {
            queue: Mutex::new(VecDeque::new()),
            registry: Registry::new(2),
            scheduled: AtomicUsize::new(0),
        }))
    }

    #[cfg(not(loom))]
    pub(super) fn scheduled(&self) -> usize {
        self.0.scheduled.load(SeqCst)
    }

    pub(super) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (notified, join) = super::spawn(future, self.clone(), &self.0.registry);
        if let Some(notified) = notified {
            self.push(notified);
        }
        join
    }

    pub(super) fn pop(&self) -> Option<Notified> {
        self.0.queue.lock().pop_front()
    }

    /// Runs queued tasks until the queue is empty; returns how many runs.
    pub(super) fn run_all(&self) -> usize {
        let mut runs = 0;
        while let Some(task) = self.pop() {
            if let Some(again) = task.run() {
                self.push(again);
            }
            runs += 1;
        }
        runs
    }

    /// What the runtime's shutdown does: close, cancel every task, release the queue.
    pub(super) fn shutdown(&self) {
        self.0.registry.close();
        super::shutdown_all(&self.0.registry, 0);
        self.release_queued();
    }

    /// Drops the queued `Notified`s (as the runtime does after its drain), without draining
    /// the registry again.
    pub(super) fn release_queued(&self) {
        while let Some(task) = self.pop() {
            drop(task);
        }
    }

    /// How many tasks are linked in the registry now.
    #[cfg(loom)]
    pub(super) fn registered(&self) -> usize {
        self.0.registry.len()
    }

    fn push(&self, task: Notified) {
        self.0.scheduled.fetch_add(1, SeqCst);
        self.0.queue.lock().push_back(task);
    }
}

impl Schedule for TestScheduler {
    fn schedule(&self, task: Notified) {
        self.push(task);
    }
    fn release(&self, task: &Header) -> bool {
        self.0.registry.remove(task, None)
    }
    fn home_shard(&self) -> Option<usize> {
        None
    }
}

/// Counts how many times it is dropped.
pub(super) struct DropCounter(pub(super) Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}
