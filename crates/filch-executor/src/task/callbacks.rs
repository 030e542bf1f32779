//! Done-callbacks of a task, run once when it completes.
//!
//! They cost nothing until `JoinHandle::add_done_callback` is first called: then one
//! `DoneCallbacks` is allocated and its waker goes into the task's join-waker slot for good.
//! The completer wakes it like any join waker; waking reads the outcome from the task's state
//! word and runs the callbacks, then wakes the handle's own waker (kept here from then on).
//! The callbacks hold a reference to the task until they fire, so the outcome can be read;
//! every task completes (at the latest at runtime shutdown), so that reference is always
//! released.

use super::raw::TaskRef;
use super::state::TaskOutcome;
use crate::sync::{Mutex, StdArc};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::task::{Wake, Waker};

type Callback = Box<dyn FnOnce(TaskOutcome) + Send + 'static>;

pub(crate) struct DoneCallbacks {
    inner: Mutex<Inner>,
}

struct Inner {
    /// The task, until the callbacks fire.
    task: Option<TaskRef>,
    callbacks: Vec<Callback>,
    /// The `JoinHandle`'s waker, woken after the callbacks.
    waker: Option<Waker>,
    fired: Option<TaskOutcome>,
}

impl DoneCallbacks {
    pub(crate) fn new(task: TaskRef) -> Self {
        let inner = Inner {
            task: Some(task),
            callbacks: Vec::new(),
            waker: None,
            fired: None,
        };
        Self {
            inner: Mutex::new(inner),
        }
    }

    /// Adds a callback; runs it at once if the callbacks already fired.
    pub(crate) fn push(&self, callback: Callback) {
        let mut inner = self.inner.lock();
        match inner.fired {
            Some(outcome) => {
                drop(inner);
                Self::run_one(callback, outcome);
            }
            None => inner.callbacks.push(callback),
        }
    }

    /// The outcome once fired; otherwise remembers `waker` (if any) to wake after firing.
    pub(crate) fn register(&self, waker: Option<&Waker>) -> Option<TaskOutcome> {
        let mut inner = self.inner.lock();
        if inner.fired.is_none() {
            if let Some(waker) = waker {
                if !inner.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
                    inner.waker = Some(waker.clone());
                }
            }
        }
        inner.fired
    }

    /// Runs the callbacks (once) and wakes the handle's waker.
    pub(crate) fn fire(&self, outcome: TaskOutcome) {
        let mut inner = self.inner.lock();
        if inner.fired.is_some() {
            return;
        }
        inner.fired = Some(outcome);
        let task = inner.task.take();
        let callbacks = std::mem::take(&mut inner.callbacks);
        let waker = inner.waker.take();
        drop(inner);
        drop(task);
        for callback in callbacks {
            Self::run_one(callback, outcome);
        }
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Runs one callback; its panic is caught so the completing thread lives on.
    pub(crate) fn run_one(callback: Callback, outcome: TaskOutcome) {
        let _ = catch_unwind(AssertUnwindSafe(move || callback(outcome)));
    }
}

impl Wake for DoneCallbacks {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    /// Called by the completer after `COMPLETE` is set, so the outcome is known.
    fn wake_by_ref(self: &StdArc<Self>) {
        let outcome = {
            let inner = self.inner.lock();
            inner
                .task
                .as_ref()
                .and_then(|task| TaskOutcome::of(task.state().load()))
        };
        if let Some(outcome) = outcome {
            self.fire(outcome);
        }
    }
}
