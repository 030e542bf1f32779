//! The errors the combinators return: one type per question a caller asks.

use std::any::Any;
use std::fmt;

/// Why one child of [`gather`](fn@crate::gather), [`join_all`](crate::join_all) or a
/// [`TaskGroup`](crate::TaskGroup) produced no value.
///
/// For a child of `Result<T, E>` ([`try_gather`](fn@crate::try_gather), `join_all`, a task
/// group) its `Err(e)` is asyncio's exception and becomes [`Failed`](Self::Failed); a plain
/// child of [`gather`](fn@crate::gather) cannot fail that way, so its `E` is `Infallible`,
/// the default. A panic while the child ran (on a worker, or in place for
/// `join_all`) is caught and becomes [`Panicked`](Self::Panicked) with the payload; a child that
/// was cancelled (its task cancelled, or the runtime shut down) becomes
/// [`Cancelled`](Self::Cancelled), asyncio's `CancelledError`.
///
/// # Example
/// ```
/// use filch::GatherError;
///
/// let e: GatherError<&str> = GatherError::Failed("no such user");
/// assert_eq!(e.to_string(), "a child failed: no such user");
/// assert_eq!(e.into_failure(), Some("no such user"));
/// ```
pub enum GatherError<E = std::convert::Infallible> {
    /// The child returned `Err(e)`.
    Failed(E),
    /// The child panicked; the payload is what `panic!` was given.
    Panicked(Box<dyn Any + Send + 'static>),
    /// The child was cancelled before it finished.
    Cancelled,
}

impl<E> GatherError<E> {
    /// Whether the child was cancelled.
    ///
    /// ```
    /// use filch::GatherError;
    /// assert!(GatherError::<()>::Cancelled.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, GatherError::Cancelled)
    }

    /// Whether the child panicked.
    ///
    /// ```
    /// use filch::GatherError;
    /// assert!(GatherError::<()>::Panicked(Box::new("boom")).is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, GatherError::Panicked(_))
    }

    /// The child's own error, if it returned one (`None` for a panic or a cancellation).
    ///
    /// ```
    /// use filch::GatherError;
    /// assert_eq!(GatherError::Failed(3).into_failure(), Some(3));
    /// assert_eq!(GatherError::<i32>::Cancelled.into_failure(), None);
    /// ```
    pub fn into_failure(self) -> Option<E> {
        match self {
            GatherError::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// The text of a panic payload, when it is a string (as `panic!` makes it).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "a non-string payload"
    }
}

impl<E: fmt::Debug> fmt::Debug for GatherError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GatherError::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
            GatherError::Panicked(p) => f
                .debug_tuple("Panicked")
                .field(&panic_message(&**p))
                .finish(),
            GatherError::Cancelled => f.write_str("Cancelled"),
        }
    }
}

impl<E: fmt::Display> fmt::Display for GatherError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GatherError::Failed(e) => write!(f, "a child failed: {e}"),
            GatherError::Panicked(p) => write!(f, "a child panicked: {}", panic_message(&**p)),
            GatherError::Cancelled => f.write_str("a child was cancelled"),
        }
    }
}

/// An error with no `source`: `E` need only be `Debug + Display` (a `String`, a `&str`, an
/// enum of your own), and the child's error is part of the message already.
impl<E: fmt::Debug + fmt::Display> std::error::Error for GatherError<E> {}

/// [`wait`](crate::wait) was given nothing to wait for (asyncio's `ValueError`).
///
/// ```
/// use filch::WaitError;
/// assert_eq!(WaitError::Empty.to_string(), "Set of Tasks/Futures is empty.");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitError {
    /// The input held no handles.
    Empty,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Empty => f.write_str("Set of Tasks/Futures is empty."),
        }
    }
}

impl std::error::Error for WaitError {}

/// Every failure of a [`TaskGroup`](crate::TaskGroup)'s children, together (asyncio's
/// `ExceptionGroup`), in spawn order.
///
/// It holds each child's [`GatherError`] (`Failed` or `Panicked`); the cancellations the first
/// failure caused are not in it. If no child failed but some were cancelled from outside (the
/// runtime shut down), it holds those `Cancelled` entries. Never empty.
///
/// # Example
/// ```
/// use filch::TaskGroup;
///
/// let rt = filch::Runtime::new();
/// let error = rt
///     .block_on(async {
///         let group = TaskGroup::<(), &str>::new();
///         group.spawn(async { Err("disk full") });
///         group.join().await
///     })
///     .unwrap_err();
/// assert_eq!(error.errors().len(), 1);
/// assert_eq!(error.to_string(), "1 child of the task group failed; the first: a child failed: disk full");
/// ```
#[derive(Debug)]
pub struct GroupError<E> {
    errors: Vec<GatherError<E>>,
}

impl<E> GroupError<E> {
    pub(crate) fn new(errors: Vec<GatherError<E>>) -> Self {
        assert!(!errors.is_empty(), "a GroupError holds at least one error");
        GroupError { errors }
    }

    /// The children's errors, in spawn order.
    ///
    /// ```
    /// # use filch::TaskGroup;
    /// # let rt = filch::Runtime::new();
    /// let error = rt.block_on(async {
    ///     let group = TaskGroup::<(), u8>::new();
    ///     group.spawn(async { Err(1) });
    ///     group.join().await
    /// }).unwrap_err();
    /// assert!(matches!(error.errors(), [filch::GatherError::Failed(1)]));
    /// ```
    pub fn errors(&self) -> &[GatherError<E>] {
        &self.errors
    }

    /// The children's errors, in spawn order, by value.
    ///
    /// ```
    /// # use filch::TaskGroup;
    /// # let rt = filch::Runtime::new();
    /// let error = rt.block_on(async {
    ///     let group = TaskGroup::<(), u8>::new();
    ///     group.spawn(async { Err(1) });
    ///     group.join().await
    /// }).unwrap_err();
    /// assert_eq!(error.into_errors().pop().unwrap().into_failure(), Some(1));
    /// ```
    pub fn into_errors(self) -> Vec<GatherError<E>> {
        self.errors
    }
}

impl<E: fmt::Display> fmt::Display for GroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        let children = if n == 1 { "child" } else { "children" };
        write!(
            f,
            "{n} {children} of the task group failed; the first: {}",
            self.errors[0]
        )
    }
}

/// `E` need only be `Debug + Display`, so `?` turns a group of `String` errors into a
/// `Box<dyn Error>`; the source is the first child's [`GatherError`].
///
/// ```
/// use filch::TaskGroup;
///
/// fn run() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
///     let rt = filch::Runtime::new();
///     let values = rt.block_on(async {
///         let group = TaskGroup::<u8, String>::new();
///         group.spawn(async { Err("disk full".to_string()) });
///         group.join().await
///     })?;
///     Ok(values)
/// }
/// let error = run().unwrap_err();
/// assert_eq!(error.source().unwrap().to_string(), "a child failed: disk full");
/// ```
impl<E: fmt::Debug + fmt::Display + 'static> std::error::Error for GroupError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.errors[0])
    }
}
