//! This thread's callback drain: completions started inside it put their callbacks off.
//!
//! A completer runs its promise's callbacks on its own stack. If one of them completes another
//! promise, that completer would run *its* callbacks one frame deeper, and a chain of such
//! promises would grow the stack by a drain per link until it overflows. So the first
//! completer on a thread to run callbacks is the *outermost drain*: a completer that finds a
//! drain already running on its thread (it was called from inside it, by a callback, a wake
//! or a drop) publishes its promise and wakes its waiters as usual, but hands its callbacks to
//! the outermost drain and returns. The outermost drain runs the drains it was handed in the
//! order they were handed over, each one whole (its callbacks in registration order, then those
//! queued behind them), and returns only when none is left: the stack stays one drain deep
//! whatever the chain's length.
//!
//! A thread-local queue is no atomic protocol: only this thread touches it. What another
//! thread can do meanwhile (add a callback to a promise whose drain is put off) is the
//! registry's business: the drain is still open, so the callback is queued behind it.

use std::cell::RefCell;
use std::collections::VecDeque;

use crate::callbacks::FirstPanic;
use crate::sync::thread_local;

/// A promise's drain put off until the outermost drain gets to it. It owns a handle of its
/// promise and the callbacks taken at completion, and records panics in the outermost
/// drain's [`FirstPanic`].
pub(crate) type DeferredDrain = Box<dyn FnOnce(&mut FirstPanic)>;

thread_local! {
    /// `Some` while an outermost drain runs on this thread: the drains handed to it. (Not
    /// a `const { }` initialiser: loom's `thread_local!` does not take one.)
    static DEFERRED: RefCell<Option<VecDeque<DeferredDrain>>> = RefCell::new(None);
}

/// Held by the outermost drain of this thread, from before its first callback runs until
/// [`finish`](Self::finish) has run every deferred drain.
pub(crate) struct Outermost(());

/// Makes the caller this thread's outermost drain, or returns `None` if one is running
/// already: then the caller hands its callbacks over with [`defer`].
///
/// A thread whose thread-locals are being destroyed has no queue: its completers all run
/// their callbacks at once, nested, as if each were outermost.
pub(crate) fn begin() -> Option<Outermost> {
    let running = DEFERRED.try_with(|deferred| {
        let mut deferred = deferred.borrow_mut();
        let running = deferred.is_some();
        if !running {
            *deferred = Some(VecDeque::new());
        }
        running
    });
    match running {
        Ok(true) => None,
        Ok(false) | Err(_) => Some(Outermost(())),
    }
}

/// Hands `drain` to this thread's outermost drain. Only called when [`begin`] just returned
/// `None`, with no user code run since, so the queue exists.
pub(crate) fn defer(drain: DeferredDrain) {
    DEFERRED.with(|deferred| {
        deferred
            .borrow_mut()
            .as_mut()
            .expect("begin found a drain running on this thread")
            .push_back(drain);
    });
}

impl Outermost {
    /// Runs the deferred drains, oldest first, including those deferred while they run.
    pub(crate) fn finish(self, panic: &mut FirstPanic) {
        // The borrow ends before the drain runs: its callbacks may complete promises too.
        let next = || {
            DEFERRED
                .try_with(|deferred| deferred.borrow_mut().as_mut()?.pop_front())
                .ok()
                .flatten()
        };
        while let Some(drain) = next() {
            drain(panic);
        }
    }
}

impl Drop for Outermost {
    /// Ends this thread's drain. The queue is empty unless something unwound past `finish`;
    /// what is left then is dropped after the queue is gone, since dropping callbacks runs
    /// user code, which may complete a promise and start a new drain.
    fn drop(&mut self) {
        let leftover = DEFERRED.try_with(|deferred| deferred.borrow_mut().take());
        drop(leftover);
    }
}
