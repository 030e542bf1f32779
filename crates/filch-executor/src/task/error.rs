//! [`JoinError`]: why a task produced no output.

use std::any::Any;
use std::fmt;

/// A panic payload behind a thin pointer, so a task's stage needs one word for it.
pub(crate) struct PanicPayload(pub(crate) Box<dyn Any + Send + 'static>);

/// Why awaiting a [`JoinHandle`](crate::JoinHandle) gave no output: the task was cancelled, or
/// it panicked (in `poll`, or in the destructor of its future).
///
/// # Example
/// ```
/// let rt = filch::Runtime::new();
/// let err = rt.block_on(rt.spawn(async { panic!("boom") })).unwrap_err();
/// assert!(err.is_panic() && !err.is_cancelled());
/// assert_eq!(err.into_panic().downcast_ref::<&str>(), Some(&"boom"));
/// ```
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(Box<PanicPayload>),
}

impl JoinError {
    pub(crate) fn cancelled() -> Self {
        Self {
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(payload: Box<PanicPayload>) -> Self {
        Self {
            repr: Repr::Panic(payload),
        }
    }

    /// Whether the task was cancelled (by `JoinHandle::cancel` or runtime shutdown).
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let handle = rt.spawn(std::future::pending::<()>());
    /// handle.cancel();
    /// assert!(rt.block_on(handle).unwrap_err().is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// assert!(rt.block_on(rt.spawn(async { panic!() })).unwrap_err().is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic's payload, to inspect or to resume with `std::panic::resume_unwind`.
    ///
    /// # Panics
    /// If the task was cancelled instead (check [`is_panic`](Self::is_panic) first, or use
    /// [`try_into_panic`](Self::try_into_panic)).
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let err = rt.block_on(rt.spawn(async { std::panic::panic_any(7_u32) })).unwrap_err();
    /// assert_eq!(*err.into_panic().downcast::<u32>().unwrap(), 7);
    /// ```
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic().unwrap_or_else(|_| {
            panic!("JoinError::into_panic on a cancelled task: check is_panic() first")
        })
    }

    /// The panic's payload, or the error itself if the task was cancelled.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// let handle = rt.spawn(std::future::pending::<()>());
    /// handle.cancel();
    /// assert!(rt.block_on(handle).unwrap_err().try_into_panic().is_err());
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload.0),
            Repr::Cancelled => Err(self),
        }
    }
}

/// The panic message, when the payload is a string (as `panic!` with a message makes it).
fn panic_message(payload: &PanicPayload) -> Option<&str> {
    let any = &*payload.0;
    any.downcast_ref::<&'static str>()
        .copied()
        .or_else(|| any.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("task was cancelled"),
            Repr::Panic(payload) => match panic_message(payload) {
                Some(message) => write!(f, "task panicked with message {message:?}"),
                None => f.write_str("task panicked"),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("JoinError::Cancelled"),
            Repr::Panic(payload) => match panic_message(payload) {
                Some(message) => write!(f, "JoinError::Panic({message:?})"),
                None => f.write_str("JoinError::Panic(..)"),
            },
        }
    }
}

impl std::error::Error for JoinError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn panic_with(payload: Box<dyn Any + Send>) -> JoinError {
        JoinError::panic(Box::new(PanicPayload(payload)))
    }

    #[test]
    fn messages_say_what_happened() {
        assert_eq!(JoinError::cancelled().to_string(), "task was cancelled");
        assert_eq!(
            panic_with(Box::new("boom")).to_string(),
            r#"task panicked with message "boom""#
        );
        assert_eq!(
            panic_with(Box::new(String::from("x"))).to_string(),
            r#"task panicked with message "x""#
        );
        assert_eq!(panic_with(Box::new(3_u8)).to_string(), "task panicked");
        assert_eq!(
            format!("{:?}", JoinError::cancelled()),
            "JoinError::Cancelled"
        );
    }

    #[test]
    fn into_panic_returns_the_payload() {
        let payload = panic_with(Box::new(5_i32)).into_panic();
        assert_eq!(payload.downcast_ref::<i32>(), Some(&5));
        assert!(JoinError::cancelled().try_into_panic().is_err());
    }
}
