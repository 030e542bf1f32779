//! The per-worker job deques of fork-join (`join`, `scope`): a [`JobDeque`] its owner pushes
//! to and pops from at one end, and the [`JobStealer`]s that take from the other.
//!
//! LIFO for the owner, unlike the task queue: `join` pushes `b`, runs `a`, and then wants `b`
//! back, the newest job; a thief takes the oldest, the biggest piece of a recursive split.
//! With `std` this is crossbeam-deque's LIFO `Worker`; crossbeam is not loom-instrumented, so
//! under `cfg(loom)` a `Mutex<VecDeque>` through the sync facade gives the same interface.

use crate::join::JobRef;

#[cfg(not(loom))]
mod imp {
    use super::JobRef;
    use crossbeam_deque as deque;

    /// A worker's own job deque.
    pub(crate) struct JobDeque(deque::Worker<JobRef>);
    /// Takes the oldest job of another worker's deque.
    pub(crate) struct JobStealer(deque::Stealer<JobRef>);

    impl JobDeque {
        pub(crate) fn new() -> (Self, JobStealer) {
            let worker = deque::Worker::new_lifo();
            let stealer = worker.stealer();
            (Self(worker), JobStealer(stealer))
        }
        pub(crate) fn push(&self, job: JobRef) {
            self.0.push(job);
        }
        pub(crate) fn pop(&self) -> Option<JobRef> {
            self.0.pop()
        }
    }

    impl JobStealer {
        /// One job, retrying lost races (a job is one piece of work: no batches).
        pub(crate) fn steal(&self) -> Option<JobRef> {
            loop {
                match self.0.steal() {
                    deque::Steal::Success(job) => return Some(job),
                    deque::Steal::Empty => return None,
                    deque::Steal::Retry => std::hint::spin_loop(),
                }
            }
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }
}

#[cfg(loom)]
mod imp {
    use super::JobRef;
    use crate::sync::{Arc, Mutex};
    use std::collections::VecDeque;

    type Deque = Arc<Mutex<VecDeque<JobRef>>>;

    pub(crate) struct JobDeque(Deque);
    pub(crate) struct JobStealer(Deque);

    impl JobDeque {
        pub(crate) fn new() -> (Self, JobStealer) {
            let deque = Deque::default();
            (Self(deque.clone()), JobStealer(deque))
        }
        pub(crate) fn push(&self, job: JobRef) {
            self.0.lock().push_back(job);
        }
        pub(crate) fn pop(&self) -> Option<JobRef> {
            self.0.lock().pop_back()
        }
    }

    impl JobStealer {
        pub(crate) fn steal(&self) -> Option<JobRef> {
            self.0.lock().pop_front()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.lock().is_empty()
        }
    }
}

pub(crate) use imp::{JobDeque, JobStealer};
