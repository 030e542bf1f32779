//! The user's thread hooks (`on_thread_start` / `on_thread_stop`), run so that a panicking one
//! cannot leave a runtime thread uncounted (see [`Builder::on_thread_start`] for what each
//! panic does).
//!
//! [`Builder::on_thread_start`]: super::Builder::on_thread_start

use crate::sync::StdArc as Arc;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A callback run on each runtime thread as it starts or stops.
pub(crate) type ThreadHook = Arc<dyn Fn() + Send + Sync + 'static>;

/// Runs `hook` (if any), catching a panic: `Err` holds the panic's message. The panic hook has
/// already reported the panic on this thread as usual.
pub(crate) fn run_caught(hook: Option<&ThreadHook>) -> Result<(), String> {
    match hook {
        None => Ok(()),
        // The hook's captures are the user's; a runtime thread that caught its panic touches
        // none of them again except by calling the hook, which is the user's to make safe.
        Some(hook) => catch_unwind(AssertUnwindSafe(|| hook())).map_err(|p| panic_message(&*p)),
    }
}

/// The message of a panic payload (`panic!` with a literal or with format arguments).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

/// Runs `record` when dropped, so a thread's exit is recorded even if its stop hook panics
/// (the panic then goes on and ends the thread, reported by the panic hook).
pub(crate) struct OnExit<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> OnExit<F> {
    pub(crate) fn new(record: F) -> Self {
        Self(Some(record))
    }
}

impl<F: FnOnce()> Drop for OnExit<F> {
    fn drop(&mut self) {
        if let Some(record) = self.0.take() {
            record();
        }
    }
}
