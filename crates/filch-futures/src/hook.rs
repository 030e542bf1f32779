//! The process-wide hook that reports exceptions nobody retrieved.
//!
//! asyncio logs "exception was never retrieved" when a future that finished with an
//! exception is garbage-collected before anyone looked at it. filch does the same when the
//! last handle of such a [`Promise`](crate::Promise) drops: it calls the hook with the
//! exception. "Retrieved" means handed out by [`result`](crate::Promise::result),
//! [`exception`](crate::Promise::exception), an await, or
//! [`into_value`](crate::Promise::into_value).

use std::fmt;

use crate::sync::process::{Arc, RwLock};

type Hook = dyn Fn(&dyn fmt::Debug) + Send + Sync;

/// `None`: the default hook, one line on stderr.
static HOOK: RwLock<Option<Arc<Hook>>> = RwLock::new(None);

/// Replaces the hook that reports an exception nobody retrieved.
///
/// The hook is called on the thread that drops the last handle, with the exception as
/// `&dyn Debug`, and without any lock of this crate held (it may set the hook again).
/// The default prints `filch: Promise exception was never retrieved: {exception:?}` on
/// stderr; pass `|_| {}` to turn reporting off, and see [`reset_unretrieved_exception_hook`]
/// to go back to the default.
///
/// # Example
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use filch::futures::{reset_unretrieved_exception_hook, set_unretrieved_exception_hook, Promise};
///
/// static REPORTED: AtomicUsize = AtomicUsize::new(0);
/// set_unretrieved_exception_hook(|_exception| {
///     REPORTED.fetch_add(1, Ordering::Relaxed);
/// });
/// let p: Promise<u8, &str> = Promise::new();
/// p.set_exception("nobody looks at me").unwrap();
/// drop(p);
/// assert_eq!(REPORTED.load(Ordering::Relaxed), 1);
/// reset_unretrieved_exception_hook();
/// ```
pub fn set_unretrieved_exception_hook(hook: impl Fn(&dyn fmt::Debug) + Send + Sync + 'static) {
    install(Some(Arc::new(hook)));
}

/// Restores the default hook: one line on stderr per exception nobody retrieved.
///
/// # Example
/// ```
/// use filch::futures::{reset_unretrieved_exception_hook, set_unretrieved_exception_hook, Promise};
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// static CALLS: AtomicUsize = AtomicUsize::new(0);
/// set_unretrieved_exception_hook(|_| {
///     CALLS.fetch_add(1, Ordering::Relaxed);
/// });
/// reset_unretrieved_exception_hook(); // back to one line on stderr
///
/// let p: Promise<u8, &str> = Promise::new();
/// p.set_exception("reported on stderr, not to the hook").unwrap();
/// drop(p);
/// assert_eq!(CALLS.load(Ordering::Relaxed), 0);
/// ```
pub fn reset_unretrieved_exception_hook() {
    install(None);
}

fn install(hook: Option<Arc<Hook>>) {
    let previous = {
        let mut slot = HOOK
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::replace(&mut *slot, hook)
    };
    // Dropped after the lock is released: dropping a hook's captures runs user code.
    drop(previous);
}

/// Reports `exception` through the current hook, called with no lock held.
pub(crate) fn report(exception: &dyn fmt::Debug) {
    let hook = HOOK
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    match hook {
        Some(hook) => hook(exception),
        None => eprintln!("filch: Promise exception was never retrieved: {exception:?}"),
    }
}
