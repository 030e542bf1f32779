//! The errors a [`Promise`](crate::Promise) reports, named after asyncio's exceptions.

use std::error::Error as StdError;
use std::fmt;

/// A method was called in a state that does not allow it: asyncio's `InvalidStateError`.
///
/// Returned by [`set_result`](crate::Promise::set_result) and
/// [`set_exception`](crate::Promise::set_exception) once the promise is done, and (inside
/// [`ResultError`] / [`ExceptionError`]) by [`result`](crate::Promise::result) and
/// [`exception`](crate::Promise::exception) while it is still pending.
///
/// # Example
/// ```
/// use filch::Promise;
///
/// let p: Promise<u8, String> = Promise::new();
/// p.set_result(1).unwrap();
/// let err = p.set_result(2).unwrap_err();
/// assert!(err.to_string().starts_with("invalid state: the promise is already done (finished)"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidStateError {
    kind: InvalidState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InvalidState {
    ResultNotReady,
    ExceptionNotSet,
    AlreadyFinished,
    AlreadyCancelled,
    AlreadyTaken,
    NeverCompleted,
}

impl InvalidStateError {
    pub(crate) fn result_not_ready() -> Self {
        Self {
            kind: InvalidState::ResultNotReady,
        }
    }

    pub(crate) fn exception_not_set() -> Self {
        Self {
            kind: InvalidState::ExceptionNotSet,
        }
    }

    pub(crate) fn already_done(cancelled: bool) -> Self {
        let kind = if cancelled {
            InvalidState::AlreadyCancelled
        } else {
            InvalidState::AlreadyFinished
        };
        Self { kind }
    }

    pub(crate) fn already_taken() -> Self {
        Self {
            kind: InvalidState::AlreadyTaken,
        }
    }

    pub(crate) fn never_completed() -> Self {
        Self {
            kind: InvalidState::NeverCompleted,
        }
    }

    /// Whether the promise was still pending (from `result` / `exception`, or an
    /// [`into_value`](crate::Promise::into_value) whose promise lost its last other handle
    /// while pending), as opposed to already done (from `set_result` / `set_exception`) or
    /// already taken (a second `into_value`).
    ///
    /// ```
    /// use filch::{Promise, ResultError};
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// match p.result() {
    ///     Err(ResultError::InvalidState(e)) => assert!(e.is_pending()),
    ///     other => panic!("expected InvalidState, got {other:?}"),
    /// }
    /// ```
    pub fn is_pending(&self) -> bool {
        matches!(
            self.kind,
            InvalidState::ResultNotReady
                | InvalidState::ExceptionNotSet
                | InvalidState::NeverCompleted
        )
    }
}

impl fmt::Display for InvalidStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, advice) = match self.kind {
            InvalidState::ResultNotReady => (
                "the result is not ready (the promise is still pending)",
                "await the promise, or check done() before calling result()",
            ),
            InvalidState::ExceptionNotSet => (
                "the exception is not set (the promise is still pending)",
                "await the promise, or check done() before calling exception()",
            ),
            InvalidState::AlreadyFinished => (
                "the promise is already done (finished)",
                "a promise completes once: check done() first, or treat this as losing the race to complete it",
            ),
            InvalidState::AlreadyCancelled => (
                "the promise is already done (cancelled)",
                "a promise completes once: check done() first, or treat this as losing the race to complete it",
            ),
            InvalidState::AlreadyTaken => (
                "the outcome was already taken by another handle's into_value()",
                "an outcome moves out once: keep one consumer, or await clones of the promise (T: Clone) instead",
            ),
            InvalidState::NeverCompleted => (
                "every other handle was dropped while the promise was pending, so nothing can complete it",
                "keep a handle to complete the promise (set_result, set_exception or cancel) before dropping it",
            ),
        };
        write!(f, "invalid state: {what}; {advice}")
    }
}

impl StdError for InvalidStateError {}

/// The promise was cancelled: asyncio's `CancelledError`, carrying the cancel message if any.
///
/// # Example
/// ```
/// use filch::{Promise, ResultError};
///
/// let p: Promise<u8, String> = Promise::new();
/// p.cancel_with("shutting down");
/// let Err(ResultError::Cancelled(err)) = p.result() else { unreachable!() };
/// assert_eq!(err.message(), Some("shutting down"));
/// assert_eq!(err.to_string(), "cancelled: the promise was cancelled before it finished, so it has no result (message: shutting down)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelledError {
    message: Option<String>,
}

impl CancelledError {
    pub(crate) fn new(message: Option<String>) -> Self {
        Self { message }
    }

    /// The message given to [`cancel_with`](crate::Promise::cancel_with), if any.
    ///
    /// ```
    /// use filch::{Error, Promise};
    ///
    /// let p: Promise<u8, String> = Promise::new();
    /// p.cancel();
    /// let Err(Error::Cancelled(err)) = futures::executor::block_on(p) else { unreachable!() };
    /// assert_eq!(err.message(), None);
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

impl fmt::Display for CancelledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "cancelled: the promise was cancelled before it finished, so it has no result",
        )?;
        match &self.message {
            Some(message) => write!(f, " (message: {message})"),
            None => Ok(()),
        }
    }
}

impl StdError for CancelledError {}

/// What awaiting a [`Promise`](crate::Promise) yields when it did not finish with a result.
///
/// # Example
/// ```
/// use filch::{Error, Promise};
///
/// let p: Promise<u8, &str> = Promise::new();
/// p.set_exception("disk full").unwrap();
/// assert_eq!(futures::executor::block_on(p), Err(Error::Exception("disk full")));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error<E> {
    /// The promise was cancelled.
    Cancelled(CancelledError),
    /// The promise finished with this exception (`set_exception`).
    Exception(E),
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    /// Transparent: a cancellation shows as [`CancelledError`], an exception as itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Cancelled(cancelled) => cancelled.fmt(f),
            Error::Exception(e) => e.fmt(f),
        }
    }
}

impl<E: StdError> StdError for Error<E> {
    /// Transparent: the exception's own source (the display already shows the exception).
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Cancelled(_) => None,
            Error::Exception(e) => e.source(),
        }
    }
}

/// Why [`Promise::result`](crate::Promise::result) has no result to lend: asyncio's `result()`
/// raises one of these three.
///
/// # Example
/// ```
/// use filch::{Promise, ResultError};
///
/// let p: Promise<u8, &str> = Promise::new();
/// assert!(matches!(p.result(), Err(ResultError::InvalidState(_))));
/// p.set_exception("boom").unwrap();
/// assert_eq!(p.result(), Err(ResultError::Exception(&"boom")));
/// ```
#[derive(Debug, PartialEq, Eq)]
pub enum ResultError<'a, E> {
    /// The promise is still pending.
    InvalidState(InvalidStateError),
    /// The promise was cancelled.
    Cancelled(&'a CancelledError),
    /// The promise finished with this exception; it is now marked retrieved.
    Exception(&'a E),
}

impl<E: fmt::Display> fmt::Display for ResultError<'_, E> {
    /// Transparent, as for [`Error`]: each variant shows as the error it holds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResultError::InvalidState(e) => e.fmt(f),
            ResultError::Cancelled(e) => e.fmt(f),
            ResultError::Exception(e) => e.fmt(f),
        }
    }
}

impl<E: StdError> StdError for ResultError<'_, E> {
    /// Transparent: the exception's own source.
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            ResultError::InvalidState(_) | ResultError::Cancelled(_) => None,
            ResultError::Exception(e) => e.source(),
        }
    }
}

/// Why [`Promise::exception`](crate::Promise::exception) cannot answer: asyncio's
/// `exception()` raises one of these two.
///
/// # Example
/// ```
/// use filch::{ExceptionError, Promise};
///
/// let p: Promise<u8, &str> = Promise::new();
/// assert!(matches!(p.exception(), Err(ExceptionError::InvalidState(_))));
/// p.cancel();
/// assert!(matches!(p.exception(), Err(ExceptionError::Cancelled(_))));
/// ```
#[derive(Debug, PartialEq, Eq)]
pub enum ExceptionError<'a> {
    /// The promise is still pending.
    InvalidState(InvalidStateError),
    /// The promise was cancelled.
    Cancelled(&'a CancelledError),
}

impl fmt::Display for ExceptionError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExceptionError::InvalidState(e) => e.fmt(f),
            ExceptionError::Cancelled(e) => e.fmt(f),
        }
    }
}

impl StdError for ExceptionError<'_> {}

/// What [`Promise::into_value`](crate::Promise::into_value) yields when it cannot move a result
/// out: the outcome was an exception or a cancellation, or the take was refused.
///
/// # Example
/// ```
/// use filch::{IntoValueError, Promise};
///
/// let p: Promise<u8, &str> = Promise::new();
/// p.set_exception("disk full").unwrap();
/// let again = p.clone();
/// let taker = p.into_value();
/// assert!(matches!(again.into_value().now_or_never(), Some(Err(IntoValueError::InvalidState(_)))));
/// assert_eq!(futures::executor::block_on(taker), Err(IntoValueError::Exception("disk full")));
/// # use futures::FutureExt;
/// ```
#[derive(Debug, PartialEq, Eq)]
pub enum IntoValueError<E> {
    /// Another handle already called `into_value`, or every other handle dropped while the
    /// promise was pending (see [`InvalidStateError::is_pending`]).
    InvalidState(InvalidStateError),
    /// The promise was cancelled.
    Cancelled(CancelledError),
    /// The promise finished with this exception, moved out.
    Exception(E),
}

impl<E: fmt::Display> fmt::Display for IntoValueError<E> {
    /// Transparent, as for [`Error`]: each variant shows as the error it holds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntoValueError::InvalidState(e) => e.fmt(f),
            IntoValueError::Cancelled(e) => e.fmt(f),
            IntoValueError::Exception(e) => e.fmt(f),
        }
    }
}

impl<E: StdError> StdError for IntoValueError<E> {
    /// Transparent: the exception's own source.
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            IntoValueError::InvalidState(_) | IntoValueError::Cancelled(_) => None,
            IntoValueError::Exception(e) => e.source(),
        }
    }
}
