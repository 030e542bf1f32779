//! [`JoinHandle`]: await a task's output, cancel it, or watch it finish.

use super::callbacks::DoneCallbacks;
use super::error::JoinError;
use super::refs::JoinRef;
use super::state::{Snapshot, TaskOutcome, JOIN_WAKER};
use crate::sync::StdArc;
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

/// An owned permission to await a spawned task's output; also asyncio's Task interface.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task was cancelled or panicked.
/// [`cancel`](Self::cancel) asks the runtime to drop the task's future at its next scheduling;
/// [`done`](Self::done), [`cancelled`](Self::cancelled) and
/// [`add_done_callback`](Self::add_done_callback) observe it without consuming the output.
/// Dropping the handle *detaches* the task: it keeps running and its output is dropped.
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let handle = rt.spawn(async { 6 * 7 });
/// assert_eq!(rt.block_on(handle).unwrap(), 42);
/// ```
pub struct JoinHandle<T> {
    task: Join,
    /// The done-callbacks, once `add_done_callback` was called; its waker sits in the task's
    /// join-waker slot from then on (`installed`). A `OnceLock` so that `add_done_callback`
    /// takes `&self`, as `Promise`'s does: two threads adding the first callbacks at once
    /// install them once (the other waits for that to finish, which takes no user code).
    callbacks: OnceLock<StdArc<DoneCallbacks>>,
    _output: PhantomData<T>,
}

enum Join {
    /// The task's outcome is still in the task (or the task is still running).
    Live(JoinRef),
    /// The output was taken; the task reference was released then.
    Taken(TaskOutcome),
}

impl<T> Unpin for JoinHandle<T> {}

impl<T: Send + 'static> JoinHandle<T> {
    pub(crate) fn new(task: JoinRef) -> Self {
        Self {
            task: Join::Live(task),
            callbacks: OnceLock::new(),
            _output: PhantomData,
        }
    }

    /// The outcome, if the task has finished.
    fn outcome(&self) -> Option<TaskOutcome> {
        match &self.task {
            Join::Live(task) => TaskOutcome::of(task.state().load()),
            Join::Taken(outcome) => Some(*outcome),
        }
    }

    /// Whether the task has finished: returned, panicked or was cancelled.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let mut handle = rt.spawn(async {});
    /// rt.block_on(&mut handle).unwrap();
    /// assert!(handle.done());
    /// ```
    pub fn done(&self) -> bool {
        self.outcome().is_some()
    }

    /// Whether the task finished by being cancelled (a cancel that came too late, after the
    /// task returned, does not count).
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let mut handle = rt.spawn(std::future::pending::<()>());
    /// assert!(handle.cancel());
    /// assert!(rt.block_on(&mut handle).unwrap_err().is_cancelled());
    /// assert!(handle.cancelled());
    /// ```
    pub fn cancelled(&self) -> bool {
        self.outcome() == Some(TaskOutcome::Cancelled)
    }

    /// Whether the task finished by panicking.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let mut handle = rt.spawn(async { panic!("boom") });
    /// assert!(rt.block_on(&mut handle).is_err());
    /// assert!(handle.failed());
    /// ```
    pub fn failed(&self) -> bool {
        self.outcome() == Some(TaskOutcome::Panicked)
    }

    /// Requests cancellation: the runtime drops the task's future at its next scheduling (on a
    /// runtime thread), and awaiting the handle then gives [`JoinError::is_cancelled`].
    /// Returns `false` if the task had already finished (the request has no effect).
    ///
    /// `true` is a promise: the task ends cancelled. A cancel that lands while the task is
    /// being polled wins even if that poll returns the value (the value is dropped), as
    /// asyncio's `Task.cancel` does with `_must_cancel`. The one exception is a panic: a task
    /// whose future (or its destructor) panics after the cancel ends panicked, so no panic is
    /// ever hidden.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let handle = rt.spawn(std::future::pending::<()>());
    /// assert!(handle.cancel());
    /// assert!(rt.block_on(handle).unwrap_err().is_cancelled());
    ///
    /// // Cancelled while it runs: the value it then returns is dropped.
    /// let (started_tx, started_rx) = std::sync::mpsc::channel();
    /// let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
    /// let handle = rt.handle().spawn_blocking(move || {
    ///     started_tx.send(()).unwrap();
    ///     finish_rx.recv().unwrap();
    ///     42
    /// });
    /// started_rx.recv().unwrap();
    /// assert!(handle.cancel());
    /// finish_tx.send(()).unwrap();
    /// assert!(rt.block_on(handle).unwrap_err().is_cancelled());
    /// ```
    pub fn cancel(&self) -> bool {
        match &self.task {
            Join::Live(task) => task.request_cancel(),
            Join::Taken(_) => false,
        }
    }

    /// Registers `callback` to run once the task finishes, with how it finished. Callbacks
    /// registered before then run on the thread that completes the task (a runtime thread,
    /// usually), in registration order, even if the handle is dropped first; a panicking one
    /// is caught and dropped, and the others still run.
    ///
    /// If the task has finished already, `callback` runs now, on this thread, before this
    /// returns, and a panic in it propagates out of `add_done_callback`: the same rule as
    /// [`Promise::add_done_callback`](filch_futures::Promise::add_done_callback). (A task
    /// that has just finished while its completer has not yet run the earlier callbacks gets
    /// `callback` queued behind them, run by the completer.)
    ///
    /// ```
    /// use filch::TaskOutcome;
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    /// use std::sync::mpsc;
    ///
    /// let rt = filch::Runtime::new();
    /// let (tx, rx) = mpsc::channel();
    /// let handle = rt.spawn(async { 1 });
    /// handle.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    /// assert_eq!(rx.recv().unwrap(), TaskOutcome::Returned);
    ///
    /// // Finished already: the callback runs at once, and its panic reaches the caller.
    /// let late = catch_unwind(AssertUnwindSafe(|| handle.add_done_callback(|_| panic!("late"))));
    /// assert_eq!(late.unwrap_err().downcast_ref::<&str>(), Some(&"late"));
    /// ```
    pub fn add_done_callback<F>(&self, callback: F)
    where
        F: FnOnce(TaskOutcome) + Send + 'static,
    {
        let task = match &self.task {
            Join::Taken(outcome) => return callback(*outcome),
            Join::Live(task) => task,
        };
        // Pushed last, so that a callback of a finished task runs here, on the adding thread.
        self.callbacks
            .get_or_init(|| install_callbacks(task))
            .push(Box::new(callback));
    }

    /// `Poll::Ready(outcome)` once complete, else registers `waker`.
    fn poll_outcome(&mut self, waker: &Waker) -> Poll<TaskOutcome> {
        let task = match &self.task {
            Join::Taken(outcome) => return Poll::Ready(*outcome),
            Join::Live(task) => task,
        };
        if let Some(callbacks) = self.callbacks.get() {
            // The callbacks' waker is in the slot: it wakes `waker` after running them.
            return match callbacks.register(Some(waker)) {
                Some(outcome) => Poll::Ready(outcome),
                None => Poll::Pending,
            };
        }
        let snapshot = task.state().load();
        if let Some(outcome) = TaskOutcome::of(snapshot) {
            return Poll::Ready(outcome);
        }
        let stale = !snapshot.has(JOIN_WAKER)
            || !task.peek_join_waker(|w| w.is_some_and(|w| w.will_wake(waker)));
        if !stale {
            return Poll::Pending;
        }
        // The waker of an earlier poll, if displaced, is superseded by `waker`.
        match install(task, waker, snapshot.has(JOIN_WAKER)).1 {
            Ok(()) => Poll::Pending,
            Err(outcome) => Poll::Ready(outcome),
        }
    }
}

/// Makes the done-callbacks of `task` and puts their waker into its join-waker slot for good;
/// a waker already there moves into them. If the task is complete already, they fire (with
/// no callbacks yet) here instead.
fn install_callbacks(task: &JoinRef) -> StdArc<DoneCallbacks> {
    let callbacks = StdArc::new(DoneCallbacks::new(task.watcher()));
    let hub_waker = Waker::from(callbacks.clone());
    // A waker a poll left in the slot moves into the callbacks, which wake it when they
    // fire. If they cannot (the task completed between taking the slot back and handing
    // it over, or they fired already), it is woken here: its poller would wait forever.
    let (displaced, installed) = install(task, &hub_waker, task.state().load().has(JOIN_WAKER));
    let fired = match installed {
        Ok(()) => callbacks.register(displaced.as_ref()).is_some(),
        Err(done) => {
            callbacks.fire(done);
            true
        }
    };
    if let Some(waker) = displaced.filter(|_| fired) {
        waker.wake();
    }
    callbacks
}

/// Puts `waker` into the join-waker slot, taking the slot back first if `occupied`. Returns
/// the registered waker it displaced (one the completer will now never wake: `None` unless
/// `occupied`), and `Err` once the task is complete (then `waker` is not registered either).
fn install(
    task: &JoinRef,
    waker: &Waker,
    occupied: bool,
) -> (Option<Waker>, Result<(), TaskOutcome>) {
    let complete = |s: Snapshot| TaskOutcome::of(s).expect("the transition failed on COMPLETE");
    if occupied {
        if let Err(s) = task.state().unset_join_waker() {
            // The completer has the slot, and wakes the waker in it.
            return (None, Err(complete(s)));
        }
    }
    // SAFETY: JOIN_WAKER is clear (we just cleared it, or saw it clear, and only the handle
    // sets it): rule 1, the slot is ours to write.
    let previous = unsafe { task.with_join_waker(|slot| slot.replace(waker.clone())) };
    // Without `occupied`, a waker left in the slot is stale: the completer woke it already.
    let displaced = previous.filter(|_| occupied);
    (displaced, task.state().set_join_waker().map_err(complete))
}

impl<T: Send + 'static> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let outcome = std::task::ready!(self.poll_outcome(cx.waker()));
        // The cooperative budget (`filch_futures::coop`): a task that keeps finding handles
        // done yields now and then.
        std::task::ready!(filch_futures::coop::poll_proceed(cx));
        let Join::Live(task) = std::mem::replace(&mut self.task, Join::Taken(outcome)) else {
            panic!("JoinHandle polled after it returned its output");
        };
        // SAFETY: COMPLETE was seen with Acquire while this handle held JOIN_INTEREST, the
        // outcome was not taken (the handle leaves `Live` here), and `T` is the output type.
        let result = unsafe { task.read_outcome::<T>() };
        let dropped = task
            .state()
            .drop_join_interest(self.callbacks.get().is_some());
        if dropped.clear_slot {
            // SAFETY: `clear_slot`: JOIN_WAKER is clear after COMPLETE, the slot is ours.
            drop(unsafe { task.with_join_waker(Option::take) });
        }
        Poll::Ready(result)
    }
}

impl<T: Send + 'static> filch_futures::Completion for JoinHandle<T> {
    fn done(&self) -> bool {
        JoinHandle::done(self)
    }
    fn cancelled(&self) -> bool {
        JoinHandle::cancelled(self)
    }
    fn failed(&self) -> bool {
        JoinHandle::failed(self)
    }
    fn cancel(&self) -> bool {
        JoinHandle::cancel(self)
    }
    fn poll_done(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_outcome(cx.waker()).map(drop)
    }
}

thread_local! {
    /// What [`drop_cancelling`] is dropping on this thread: its address and type name.
    static DROPPING: Cell<Option<(usize, &'static str)>> = const { Cell::new(None) };
}

/// Drops the value in `slot` in place (leaving `None`); if that value *is* a `JoinHandle`,
/// its task is cancelled first instead of detached, as asyncio cancels a Task whose waiter
/// gave up. Anything else is simply dropped, including a `JoinHandle` inside it (a shield
/// that owns one must still detach it). `filch-combinators`' `wait_for` uses this on
/// timeout; a `JoinHandle` cannot be told apart from other futures by a generic `wait_for`
/// any other way on stable Rust.
///
/// The handle recognises itself by address *and* type name, so a struct that merely starts
/// with a `JoinHandle` (same address) is not mistaken for one.
///
/// ```
/// use filch_executor::TaskOutcome;
/// use std::pin::pin;
///
/// let rt = filch_executor::Runtime::new();
/// let task = rt.spawn(std::future::pending::<()>());
/// let (tx, rx) = std::sync::mpsc::channel();
/// task.add_done_callback(move |outcome| tx.send(outcome).unwrap());
/// let mut slot = pin!(Some(task));
/// filch_executor::drop_cancelling(slot.as_mut());
/// assert!(slot.is_none());
/// assert_eq!(rx.recv().unwrap(), TaskOutcome::Cancelled); // a plain drop would detach it
/// ```
#[doc(hidden)]
pub fn drop_cancelling<F>(mut slot: Pin<&mut Option<F>>) {
    let Some(value) = slot.as_ref().as_pin_ref() else {
        return;
    };
    let this = (
        value.get_ref() as *const F as usize,
        std::any::type_name::<F>(),
    );
    /// Restores the outer value, even if a destructor panics, so no later handle that
    /// happens to reuse the address is cancelled.
    struct Restore(Option<(usize, &'static str)>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DROPPING.set(self.0);
        }
    }
    let _restore = Restore(DROPPING.replace(Some(this)));
    slot.set(None);
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let Join::Live(task) = &self.task else { return };
        let this = (self as *const Self as usize, std::any::type_name::<Self>());
        if DROPPING.get() == Some(this) {
            task.request_cancel();
        }
        let dropped = task
            .state()
            .drop_join_interest(self.callbacks.get().is_some());
        if dropped.drop_outcome {
            // SAFETY: `drop_outcome`: COMPLETE was set while this handle held JOIN_INTEREST
            // (seen by the AcqRel transition), and the outcome is still in the task.
            unsafe { task.drop_outcome() };
        }
        if dropped.clear_slot {
            // SAFETY: `clear_slot`: JOIN_WAKER is clear and the handle owns the slot.
            drop(unsafe { task.with_join_waker(Option::take) });
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("JoinHandle");
        match &self.task {
            Join::Live(task) => d.field("state", &task.state().load()),
            Join::Taken(outcome) => d.field("taken", outcome),
        };
        d.finish()
    }
}
