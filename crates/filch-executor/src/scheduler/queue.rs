//! The run queues: a per-worker [`Local`] queue with its [`Stealer`]s, and the shared
//! [`Injector`] for tasks that come from outside the workers.
//!
//! With `std` these are `crossbeam_deque`'s `Worker` (FIFO), `Stealer` and `Injector`
//! (lock-free; the injector is where remote spawns beat tokio's single-mutex inject queue).
//! crossbeam-deque is not loom-instrumented, so under `cfg(loom)` the same interface is backed
//! by a `Mutex<VecDeque>` through the sync facade, with batches of at most 2 tasks so that the
//! models reach the batch paths with few tasks.

use crate::task::Notified;

/// The outcome of a steal.
#[must_use]
#[derive(Debug)]
pub(crate) enum Steal {
    /// Nothing to take.
    Empty,
    /// Got a task; `moved` more were moved into the thief's local queue.
    Success { task: Notified, moved: usize },
    /// Lost a race with another thief: worth trying again (the loom model never loses one).
    #[cfg_attr(loom, allow(dead_code))]
    Retry,
}

#[cfg(not(loom))]
mod imp {
    use super::Steal;
    use crate::task::Notified;
    use crossbeam_deque as deque;

    /// A worker's own queue: it pushes to the back and pops from the front.
    pub(crate) struct Local(deque::Worker<Notified>);
    /// Takes tasks from the front of another worker's queue.
    pub(crate) struct Stealer(deque::Stealer<Notified>);
    /// The global FIFO queue for tasks spawned or woken outside the workers.
    pub(crate) struct Injector(deque::Injector<Notified>);

    fn convert(steal: deque::Steal<Notified>, dest: &Local, before: usize) -> Steal {
        match steal {
            deque::Steal::Empty => Steal::Empty,
            deque::Steal::Retry => Steal::Retry,
            deque::Steal::Success(task) => Steal::Success {
                task,
                moved: dest.len().saturating_sub(before),
            },
        }
    }

    impl Local {
        pub(crate) fn new() -> (Self, Stealer) {
            let worker = deque::Worker::new_fifo();
            let stealer = worker.stealer();
            (Self(worker), Stealer(stealer))
        }
        pub(crate) fn push(&self, task: Notified) {
            self.0.push(task);
        }
        pub(crate) fn pop(&self) -> Option<Notified> {
            self.0.pop()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }

    impl Stealer {
        /// Moves about half of the victim's tasks into `dest` and returns one of them.
        pub(crate) fn steal_into(&self, dest: &Local) -> Steal {
            let before = dest.len();
            convert(self.0.steal_batch_and_pop(&dest.0), dest, before)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }

    impl Injector {
        pub(crate) fn new() -> Self {
            Self(deque::Injector::new())
        }
        pub(crate) fn push(&self, task: Notified) {
            self.0.push(task);
        }
        /// Moves up to `limit` tasks (at least one, if there is one) into `dest` and returns
        /// one of them.
        pub(crate) fn steal_into(&self, dest: &Local, limit: usize) -> Steal {
            let before = dest.len();
            let steal = self.0.steal_batch_with_limit_and_pop(&dest.0, limit);
            if matches!(steal, deque::Steal::Success(_)) {
                // crossbeam moves at most one block of the injector per call: top up.
                loop {
                    let taken = dest.len().saturating_sub(before) + 1;
                    let room = limit.saturating_sub(taken);
                    if room == 0 || !self.0.steal_batch_with_limit(&dest.0, room).is_success() {
                        break;
                    }
                }
            }
            convert(steal, dest, before)
        }
        /// Takes one task (used by shutdown, which has no local queue to fill).
        pub(crate) fn pop(&self) -> Option<Notified> {
            loop {
                match self.0.steal() {
                    deque::Steal::Success(task) => return Some(task),
                    deque::Steal::Empty => return None,
                    deque::Steal::Retry => std::hint::spin_loop(),
                }
            }
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }
}

#[cfg(loom)]
mod imp {
    use super::Steal;
    use crate::sync::{Arc, Mutex};
    use crate::task::Notified;
    use std::collections::VecDeque;

    /// At most this many tasks move per batch steal (small, to reach the batch paths).
    const MAX_BATCH: usize = 2;

    type Queue = Arc<Mutex<VecDeque<Notified>>>;

    pub(crate) struct Local(Queue);
    pub(crate) struct Stealer(Queue);
    pub(crate) struct Injector(Queue);

    /// Moves up to half of `src` (at most `MAX_BATCH`, and `limit` in all) into `dest`,
    /// returning the first.
    fn steal_batch(src: &Queue, dest: &Local, limit: usize) -> Steal {
        let mut src = src.lock();
        let Some(task) = src.pop_front() else {
            return Steal::Empty;
        };
        let n = (src.len() / 2).min(MAX_BATCH).min(limit.saturating_sub(1));
        let mut dest = dest.0.lock();
        dest.extend(src.drain(..n));
        Steal::Success { task, moved: n }
    }

    impl Local {
        pub(crate) fn new() -> (Self, Stealer) {
            let queue = Queue::default();
            (Self(queue.clone()), Stealer(queue))
        }
        pub(crate) fn push(&self, task: Notified) {
            self.0.lock().push_back(task);
        }
        pub(crate) fn pop(&self) -> Option<Notified> {
            self.0.lock().pop_front()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
    }

    impl Stealer {
        pub(crate) fn steal_into(&self, dest: &Local) -> Steal {
            steal_batch(&self.0, dest, usize::MAX)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
    }

    impl Injector {
        pub(crate) fn new() -> Self {
            Self(Queue::default())
        }
        pub(crate) fn push(&self, task: Notified) {
            self.0.lock().push_back(task);
        }
        pub(crate) fn steal_into(&self, dest: &Local, limit: usize) -> Steal {
            steal_batch(&self.0, dest, limit)
        }
        pub(crate) fn pop(&self) -> Option<Notified> {
            self.0.lock().pop_front()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.lock().len()
        }
    }
}

pub(crate) use imp::{Injector, Local, Stealer};
