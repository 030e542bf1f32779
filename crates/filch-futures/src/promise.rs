//! [`Promise`]: asyncio's Future as a shared, thread-safe handle.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crate::callbacks::CallbackId;
use crate::cell::Outcome;
use crate::error::{CancelledError, Error, ExceptionError, InvalidStateError, ResultError};
use crate::shared::Shared;
use crate::state::Terminal;
use crate::sync::Arc;
use crate::take::IntoValue;
use crate::waiters::WaiterKey;
use crate::Completion;

/// asyncio's Future: a result, an exception or a cancellation, set once, seen by every handle.
///
/// A `Promise` is a handle; [`clone`](Clone::clone) makes another handle to the same promise
/// (the state lives in one `Arc`). Any handle may complete it, inspect it, add callbacks or
/// await it, from any thread and under any executor. It is named `Promise` so that it does not
/// shadow [`std::future::Future`], which it implements.
///
/// | method | pending | finished (result) | finished (exception) | cancelled |
/// |---|---|---|---|---|
/// | [`done`](Self::done) | `false` | `true` | `true` | `true` |
/// | [`cancelled`](Self::cancelled) | `false` | `false` | `false` | `true` |
/// | [`result`](Self::result) | `InvalidState` | `Ok(&value)` | `Exception(&e)`, marks retrieved | `Cancelled(&err)` |
/// | [`exception`](Self::exception) | `InvalidState` | `Ok(None)` | `Ok(Some(&e))`, marks retrieved | `Cancelled(&err)` |
/// | [`set_result`](Self::set_result) / [`set_exception`](Self::set_exception) | completes, runs callbacks | `Err` | `Err` | `Err` |
/// | [`cancel`](Self::cancel) / [`cancel_with`](Self::cancel_with) | completes, runs callbacks, `true` | `false` | `false` | `false` |
/// | [`add_done_callback`](Self::add_done_callback) | queued | runs at once | runs at once | runs at once |
/// | [`remove_done_callback`](Self::remove_done_callback) | `true` if it was queued | `false` | `false` | `false` |
/// | `.await` (a clone) | waits | `Ok(value.clone())` | `Err(Exception(e.clone()))` | `Err(Cancelled(..))` |
/// | [`into_value`](Self::into_value)`.await` | waits | `Ok(value)`, once the other handles dropped | `Err(Exception(e))`, same | `Err(Cancelled(..))` |
///
/// # Where it departs from asyncio
/// - **Callbacks run inline, not on a loop**: those registered before completion run on the
///   thread that completes the promise, inside `set_result` / `set_exception` / `cancel`,
///   after the promise is done and with no lock held, so a callback may call any method of
///   any promise. One added once the promise is done runs at once, inside
///   `add_done_callback` (but if the completer is still running earlier callbacks, it is
///   queued behind them and run by the completer, which keeps registration order).
/// - **A promise completed from inside a callback** (or a wake, or a drop, that runs while
///   this thread is running callbacks) is done when its `set_result` returns, and its
///   waiters are woken, but its callbacks are *deferred*: the outermost completing call on
///   this thread runs them after the callbacks already due, before it returns. So a chain of
///   callbacks that each complete the next promise runs in constant stack, whatever its
///   length, and each promise's callbacks still run exactly once, in registration order. A
///   callback must not wait for the callbacks of a promise it completed: they have not run.
/// - **A panicking callback** does not stop the others: every callback runs, then the first
///   panic is resumed from the method that ran them. The promise is done and consistent by then.
///   The deferred callbacks run by the outermost completing call count as its own: their
///   first panic, in the order this thread ran them, is resumed from that call, and the inner
///   `set_result` that deferred them returns `Ok`. A callback that runs at once inside
///   `add_done_callback` panics out of `add_done_callback`, like any function it calls.
/// - **Removal is by id**: `add_done_callback` returns a [`CallbackId`], and
///   `remove_done_callback` removes that one registration (asyncio removes every registration
///   of an equal function and returns the count).
/// - **Thread-safe**: completions race safely; exactly one wins, and whatever a losing call
///   returns, the promise is done when it returns.
/// - **Unretrieved exceptions** are reported when the last handle drops, through
///   [`set_unretrieved_exception_hook`](crate::set_unretrieved_exception_hook).
/// - **Never completed**: a promise dropped while pending runs none of its callbacks.
///
/// A callback that captures a handle of its own promise keeps the promise alive until it
/// runs; use the `&Promise` it receives instead.
///
/// Awaiting clones the outcome, so it needs `T: Clone` and `E: Clone`; for types that are not
/// `Clone` (`std::io::Error`, say), put them in an `Arc`, or let one consumer move the
/// outcome out with [`into_value`](Self::into_value) (a promise as a oneshot channel).
///
/// # Example
/// ```
/// use std::{io, sync::Arc};
/// use filch::Promise;
///
/// let p: Promise<String, Arc<io::Error>> = Promise::new();
/// let setter = p.clone();
/// std::thread::spawn(move || setter.set_result("ready".to_string()).unwrap());
/// assert_eq!(futures::executor::block_on(p.clone()).unwrap(), "ready");
/// assert_eq!(p.result().unwrap(), "ready");
/// ```
pub struct Promise<T, E> {
    shared: Arc<Shared<T, E>>,
    /// This handle's slot among the waiters, once it was polled while pending.
    waiter: Option<WaiterKey>,
}

impl<T, E: fmt::Debug> Promise<T, E> {
    /// A new pending promise.
    ///
    /// `E: Debug` lets a never-retrieved exception be reported when the last handle drops
    /// (see [`set_unretrieved_exception_hook`](crate::set_unretrieved_exception_hook)).
    /// The handle costs one allocation; completing and awaiting it without contention
    /// allocate nothing more and take no lock.
    ///
    /// ```
    /// use filch::Promise;
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// assert!(!p.done());
    /// ```
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared::new()),
            waiter: None,
        }
    }
}

impl<T, E: fmt::Debug> Default for Promise<T, E> {
    /// Same as [`Promise::new`].
    ///
    /// ```
    /// use filch::Promise;
    ///
    /// let p: Promise<u8, String> = Default::default();
    /// assert!(!p.done());
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E> Promise<T, E> {
    /// Finishes the promise with `value`, then wakes its waiters and runs its callbacks on this
    /// thread (or, called from inside a callback, leaves them to the running drain: see the
    /// type docs). Fails with [`InvalidStateError`] if it is already done (the
    /// value is dropped).
    ///
    /// ```
    /// use filch::Promise;
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// assert!(p.set_result(1).is_ok());
    /// assert!(p.set_result(2).is_err());
    /// assert_eq!(p.result(), Ok(&1));
    /// ```
    pub fn set_result(&self, value: T) -> Result<(), InvalidStateError> {
        self.complete(Outcome::Value(value), Terminal::Finished)
    }

    /// Finishes the promise with `exception`, then wakes its waiters and runs its callbacks on
    /// this thread. Fails with [`InvalidStateError`] if it is already done.
    ///
    /// ```
    /// use filch::{Promise, ResultError};
    ///
    /// let p: Promise<u8, &str> = Promise::new();
    /// p.set_exception("no route to host").unwrap();
    /// assert_eq!(p.result(), Err(ResultError::Exception(&"no route to host")));
    /// ```
    pub fn set_exception(&self, exception: E) -> Result<(), InvalidStateError> {
        self.complete(Outcome::Exception(exception), Terminal::Finished)
    }

    /// Cancels the promise, then wakes its waiters and runs its callbacks on this thread.
    /// Returns `false` (and changes nothing) if it is already done.
    ///
    /// ```
    /// use filch::Promise;
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// assert!(p.cancel());
    /// assert!(p.cancelled() && p.done());
    /// assert!(!p.cancel());
    /// ```
    pub fn cancel(&self) -> bool {
        self.complete(
            Outcome::Cancelled(CancelledError::new(None)),
            Terminal::Cancelled,
        )
        .is_ok()
    }

    /// Like [`cancel`](Self::cancel), with a message that every [`CancelledError`] of this
    /// promise carries.
    ///
    /// ```
    /// use filch::{ExceptionError, Promise};
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// assert!(p.cancel_with("deadline passed"));
    /// let Err(ExceptionError::Cancelled(err)) = p.exception() else { unreachable!() };
    /// assert_eq!(err.message(), Some("deadline passed"));
    /// ```
    pub fn cancel_with(&self, message: impl Into<String>) -> bool {
        let cancelled = CancelledError::new(Some(message.into()));
        self.complete(Outcome::Cancelled(cancelled), Terminal::Cancelled)
            .is_ok()
    }

    #[inline]
    fn complete(&self, outcome: Outcome<T, E>, to: Terminal) -> Result<(), InvalidStateError> {
        self.shared
            .complete(self, outcome, to)
            .map_err(|done| InvalidStateError::already_done(done.is_cancelled()))
    }

    /// Whether the promise is done: finished with a result or an exception, or cancelled.
    ///
    /// ```
    /// use filch::Promise;
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// assert!(!p.done());
    /// p.set_exception("late".into()).unwrap();
    /// assert!(p.done());
    /// ```
    pub fn done(&self) -> bool {
        self.shared.snapshot().is_done()
    }

    /// Whether the promise was cancelled.
    ///
    /// ```
    /// use filch::Promise;
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// p.set_result(3).unwrap();
    /// assert!(!p.cancelled());
    /// ```
    pub fn cancelled(&self) -> bool {
        self.shared.snapshot().is_cancelled()
    }

    /// Lends the result, as often as asked, once the promise finished with one.
    ///
    /// Otherwise: [`ResultError::InvalidState`] while pending, [`ResultError::Cancelled`] once
    /// cancelled, [`ResultError::Exception`] once finished with an exception (which marks the
    /// exception retrieved, so it is not reported at drop).
    ///
    /// ```
    /// use filch::{Promise, ResultError};
    ///
    /// let p: Promise<Vec<u8>, String> = Promise::new();
    /// assert!(matches!(p.result(), Err(ResultError::InvalidState(_))));
    /// p.set_result(vec![1, 2]).unwrap();
    /// assert_eq!(p.result(), Ok(&vec![1, 2]));
    /// assert_eq!(p.result(), Ok(&vec![1, 2]));
    /// ```
    pub fn result(&self) -> Result<&T, ResultError<'_, E>> {
        match self.shared.outcome() {
            None => Err(ResultError::InvalidState(
                InvalidStateError::result_not_ready(),
            )),
            Some(Outcome::Value(value)) => Ok(value),
            Some(Outcome::Exception(exception)) => {
                self.shared.mark_retrieved();
                Err(ResultError::Exception(exception))
            }
            Some(Outcome::Cancelled(cancelled)) => Err(ResultError::Cancelled(cancelled)),
        }
    }

    /// Lends the exception once the promise finished: `Some` (marking it retrieved) if it
    /// finished with one, `None` if it finished with a result.
    ///
    /// Otherwise: [`ExceptionError::InvalidState`] while pending, [`ExceptionError::Cancelled`]
    /// once cancelled.
    ///
    /// ```
    /// use filch::Promise;
    ///
    /// let ok: Promise<u8, String> = Promise::new();
    /// ok.set_result(1).unwrap();
    /// assert_eq!(ok.exception(), Ok(None));
    ///
    /// let failed: Promise<u8, String> = Promise::new();
    /// failed.set_exception("bad input".into()).unwrap();
    /// assert_eq!(failed.exception(), Ok(Some(&"bad input".to_string())));
    /// ```
    pub fn exception(&self) -> Result<Option<&E>, ExceptionError<'_>> {
        match self.shared.outcome() {
            None => Err(ExceptionError::InvalidState(
                InvalidStateError::exception_not_set(),
            )),
            Some(Outcome::Value(_)) => Ok(None),
            Some(Outcome::Exception(exception)) => {
                self.shared.mark_retrieved();
                Ok(Some(exception))
            }
            Some(Outcome::Cancelled(cancelled)) => Err(ExceptionError::Cancelled(cancelled)),
        }
    }

    /// Calls `callback` with a handle of this promise once it is done, exactly once.
    ///
    /// Callbacks registered while pending run in registration order on the thread that
    /// completes the promise, with no lock held (deferred to the end of the running drain if
    /// that thread completes it from inside a callback: see the type docs). Their panics are
    /// caught; the first is resumed from the completing call once all of them ran.
    ///
    /// If the promise is already done, `callback` runs now, on this thread, before this
    /// returns, and a panic in it propagates out of `add_done_callback` (unless the completer
    /// is still running earlier callbacks: then it is queued behind them and runs on the
    /// completer's thread, under the completer's panic rule). The returned id is for
    /// [`remove_done_callback`](Self::remove_done_callback).
    ///
    /// `T` and `E` must be `'static` (a callback closure that names them already needs it):
    /// a drain may be deferred, holding a handle, past the call that completed the promise.
    ///
    /// ```
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    /// use std::sync::mpsc;
    /// use filch::Promise;
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// let (tx, rx) = mpsc::channel();
    /// let tx2 = tx.clone();
    /// p.add_done_callback(move |p| tx.send(*p.result().unwrap()).unwrap());
    /// p.set_result(5).unwrap();
    /// p.add_done_callback(move |p| tx2.send(*p.result().unwrap() + 1).unwrap()); // runs at once
    /// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [5, 6]);
    ///
    /// // Done already: the callback's panic comes out of `add_done_callback`.
    /// let panicked = catch_unwind(AssertUnwindSafe(|| p.add_done_callback(|_| panic!("late"))));
    /// assert_eq!(panicked.unwrap_err().downcast_ref::<&str>(), Some(&"late"));
    /// ```
    pub fn add_done_callback<F>(&self, callback: F) -> CallbackId
    where
        F: FnOnce(&Promise<T, E>) + Send + 'static,
        T: 'static,
        E: 'static,
    {
        self.shared.add_callback(self, callback)
    }

    /// Removes the callback registered as `id`; returns whether it was removed (`false` once
    /// the promise is done, if it was removed before, or if `id` was returned by another
    /// promise: an id names one registration on one promise, see [`CallbackId`]).
    ///
    /// ```
    /// use filch::Promise;
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// let id = p.add_done_callback(|_| panic!("never runs"));
    /// assert!(p.remove_done_callback(id));
    /// assert!(!p.remove_done_callback(id));
    /// p.set_result(1).unwrap();
    /// ```
    pub fn remove_done_callback(&self, id: CallbackId) -> bool {
        self.shared.remove_callback(id)
    }

    /// Gives up this handle for a future of the outcome *moved out*, for one consumer: a
    /// value that is not `Clone` can be awaited, and a promise can stand in for a oneshot
    /// channel.
    ///
    /// Any handle may lend `&T` for as long as it lives, so the outcome moves out only once
    /// no other handle is left: the future resolves when the promise is done and every other
    /// handle (the completer's included) has dropped. It yields `Ok(value)`,
    /// [`IntoValueError::Exception`](crate::IntoValueError::Exception) (which counts as retrieved) or
    /// [`IntoValueError::Cancelled`](crate::IntoValueError::Cancelled); and [`IntoValueError::InvalidState`](crate::IntoValueError::InvalidState) if another handle
    /// called `into_value` first (an outcome moves out once), or if every other handle
    /// dropped while the promise was pending (nothing can complete it: a oneshot's "sender
    /// dropped"). A handle kept alive elsewhere after completion keeps the future waiting.
    /// Dropping the future before it resolves gives the outcome back to the promise (an
    /// exception nobody retrieved is then reported as usual; one already delivered to the
    /// future is dropped with it).
    ///
    /// ```
    /// use filch::{IntoValueError, Promise};
    ///
    /// struct Connection(u16); // not Clone
    ///
    /// let p: Promise<Connection, String> = Promise::new();
    /// let sender = p.clone();
    /// std::thread::spawn(move || sender.set_result(Connection(8080)).ok());
    /// let connection = futures::executor::block_on(p.into_value()).unwrap();
    /// assert_eq!(connection.0, 8080);
    ///
    /// let p: Promise<Connection, String> = Promise::new();
    /// p.cancel_with("shutting down");
    /// let Err(IntoValueError::Cancelled(e)) = futures::executor::block_on(p.into_value()) else {
    ///     unreachable!()
    /// };
    /// assert_eq!(e.message(), Some("shutting down"));
    /// ```
    pub fn into_value(self) -> IntoValue<T, E> {
        let taken = self.shared.register_taker();
        // Dropped after the slot is in place: if this was the last handle, the drop delivers
        // into it at once.
        drop(self);
        match taken {
            Ok(slot) => IntoValue::waiting(slot),
            Err(refused) => IntoValue::refused(refused),
        }
    }

    /// What every handle shares (for a deferred drain, which holds only a handle).
    pub(crate) fn shared(&self) -> &Shared<T, E> {
        &self.shared
    }

    /// The outcome as an owned value, for an awaiter; an exception is marked retrieved.
    fn cloned_outcome(&self) -> Option<Result<T, Error<E>>>
    where
        T: Clone,
        E: Clone,
    {
        Some(match self.shared.outcome()? {
            Outcome::Value(value) => Ok(value.clone()),
            Outcome::Exception(exception) => {
                self.shared.mark_retrieved();
                Err(Error::Exception(exception.clone()))
            }
            Outcome::Cancelled(cancelled) => Err(Error::Cancelled(cancelled.clone())),
        })
    }
}

impl<T, E> Clone for Promise<T, E> {
    /// Another handle to the same promise (with no waiter slot of its own yet).
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            waiter: None,
        }
    }
}

impl<T, E> Drop for Promise<T, E> {
    /// Frees this handle's waiter slot, if it has one. The last handle's drop reports an
    /// exception nobody retrieved.
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.shared.forget_waiter(key);
        }
    }
}

/// Awaiting a handle yields a clone of the outcome, so any number of handles can await the
/// same promise, and `result` still works afterwards.
impl<T: Clone, E: Clone> Future for Promise<T, E> {
    type Output = Result<T, Error<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // Done already (the common case once awaited): one load, no registry.
        if let Some(outcome) = this.cloned_outcome() {
            ready!(crate::coop::poll_proceed(cx));
            return Poll::Ready(outcome);
        }
        ready!(this.poll_done(cx));
        ready!(crate::coop::poll_proceed(cx));
        Poll::Ready(
            this.cloned_outcome()
                .expect("poll_done returned Ready, so the promise is done"),
        )
    }
}

impl<T, E> Completion for Promise<T, E> {
    fn done(&self) -> bool {
        Promise::done(self)
    }

    fn cancelled(&self) -> bool {
        Promise::cancelled(self)
    }

    fn failed(&self) -> bool {
        matches!(self.shared.outcome(), Some(Outcome::Exception(_)))
    }

    fn cancel(&self) -> bool {
        Promise::cancel(self)
    }

    fn poll_done(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.shared.poll_done(&mut self.waiter, cx)
    }
}

impl<T: fmt::Debug, E: fmt::Debug> fmt::Debug for Promise<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Promise")
            .field("state", &self.shared.snapshot())
            .field("outcome", &self.shared.outcome())
            .finish()
    }
}

// A handle lends `&T` / `&E` to every thread holding one, and the last one to drop drops the
// outcome wherever it is: so it is `Send` and `Sync` exactly when `T` and `E` are both.
const _: () = {
    const fn assert_send_sync<P: Send + Sync>() {}
    assert_send_sync::<Promise<String, std::io::Error>>();
    assert_send_sync::<Promise<std::sync::Arc<u8>, Box<dyn std::error::Error + Send + Sync>>>();
};
