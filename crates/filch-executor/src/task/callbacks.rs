//! Done-callbacks of a task, run once when it completes.
//!
//! They cost nothing until `JoinHandle::add_done_callback` is first called: then one
//! `DoneCallbacks` is allocated and its waker goes into the task's join-waker slot for good.
//! The completer wakes it like any join waker; waking reads the outcome from the task's state
//! word and runs the callbacks, then wakes the handle's own waker (kept here from then on).
//! The callbacks hold a reference to the task until they fire, so the outcome can be read;
//! every task completes (at the latest at runtime shutdown), so that reference is always
//! released.
//!
//! Panics follow `filch::Promise`'s rule for a callback added to a done future: it
//! runs inside `add_done_callback` and its panic propagates out of it. Those the completer
//! runs (registered before completion) are caught one by one, so every callback runs and the
//! runtime thread lives on; there is no caller to resume them to, so they are dropped.
//!
//! No deferral is needed here (unlike a promise's drain, see filch-futures' `deferred.rs`):
//! a callback cannot complete a task inline, so completions do not nest. A task completes
//! only in its own poll or shutdown, run from a worker's or the blocking pool's loop (or, if
//! spawned after shutdown, inside `spawn`, before it has a handle to add callbacks to);
//! `cancel` and waking only schedule it.

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

    /// Adds a callback; runs it at once, on this thread, if the callbacks already fired (its
    /// panic propagates to the caller).
    pub(crate) fn push(&self, callback: Callback) {
        let mut inner = self.inner.lock();
        match inner.fired {
            Some(outcome) => {
                drop(inner);
                callback(outcome);
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
            // Caught so that the rest run and the completing thread lives on; dropped, as
            // nobody called into this to receive it.
            drop(catch_unwind(AssertUnwindSafe(move || callback(outcome))));
        }
        if let Some(waker) = waker {
            waker.wake();
        }
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
