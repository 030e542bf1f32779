//! What every handle of one promise shares: the state word, the outcome cell and the registry
//! of waiters and callbacks; and the protocol that ties them together.
//!
//! - **Completing** (`complete`): claim (PENDING -> COMPLETING), move the outcome into the
//!   cell, publish (-> FINISHED or CANCELLED). If the publish saw a `HAS_*` bit, take the
//!   registry lock, take the wakers and the callbacks out, release the lock, then wake and
//!   call them. The uncontended path takes no lock.
//! - **Registering** (`poll_done`, `add_callback`): under the registry lock, `register` either
//!   sets the entry's bit (then the entry is pushed before the lock is released, so the
//!   completer, which locks after publishing, finds it) or reports done.
//! - **Callbacks added late**: while the completer is still running the callbacks it drained
//!   (it saw `HAS_CALLBACKS` and has not closed the queue), a new callback is queued behind
//!   them, which keeps registration order even for a callback that adds another; once the
//!   queue is closed, or if no callback was ever registered, it runs at once on the adding
//!   thread.
//! - **Completions inside a drain** (`deferred.rs`): a completer that finds its thread already
//!   running a drain hands its batch to that drain instead of running it, so the stack does
//!   not grow with a chain of callbacks completing promises. Its queue stays open until the
//!   handed-over drain finds it empty, so "added late" above applies unchanged. A completion
//!   with no callbacks never touches the thread-local.
//!
//! - **Taking** (`register_taker`, `take.rs`): `into_value` leaves a slot in the registry and
//!   drops its handle; the last handle's drop, which alone may move the outcome out of the
//!   cell, moves it into the slot (or "never completed", if pending) and wakes the taker.
//!
//! No user code (callback, waker, drop of a callback or a replaced waker) runs under the
//! registry lock, except `Waker::clone`, which by the `RawWaker` contract only counts a
//! reference.

use std::fmt;
use std::task::{Context, Poll};

use crate::callbacks::{Batch, CallbackId, CallbackQueue, DeferDrain, FirstPanic};
use crate::cell::{Outcome, OutcomeCell};
use crate::deferred::{self, DeferredDrain};
use crate::error::InvalidStateError;
use crate::hook;
use crate::state::{Claim, Publish, Register, Registration, Snapshot, Stage, State, Terminal};
use crate::sync::{get_mut, lock, Arc, Mutex};
use crate::take::{Delivery, TakeSlot};
use crate::waiters::{WaiterKey, WaiterSlots};
use crate::Promise;

pub(crate) struct Shared<T, E> {
    state: State,
    outcome: OutcomeCell<T, E>,
    registry: Mutex<Registry<T, E>>,
    /// `E` as `Debug` for the unretrieved-exception hook, captured by `Promise::new` (which
    /// is where `E: Debug` is required), so that `Drop` needs no bound.
    describe: fn(&E) -> &dyn fmt::Debug,
}

/// What the registry lock guards, kept small because it sits in every promise's allocation:
/// one inline waiter slot (a single waiter allocates nothing), the callback queue out of
/// line, allocated by the first queued callback, and the slot of an `into_value` taker.
struct Registry<T, E> {
    waiters: WaiterSlots,
    callbacks: Option<Box<CallbackQueue<T, E>>>,
    /// Where the last handle's drop moves the outcome (see `take.rs`); at most one.
    taker: Option<Arc<TakeSlot<T, E>>>,
}

impl<T, E> Registry<T, E> {
    /// The callback queue, allocated on first use (with `defer`, see [`DeferDrain`]).
    fn callbacks(&mut self, defer: DeferDrain<T, E>) -> &mut CallbackQueue<T, E> {
        self.callbacks
            .get_or_insert_with(|| Box::new(CallbackQueue::new(defer)))
    }

    /// The completer's next batch of callbacks. With no queue, no callback was ever queued:
    /// the done word has no `HAS_CALLBACKS`, so a callback added now runs at once, and there
    /// is no queue to close.
    fn take_callback_batch(&mut self) -> Batch<T, E> {
        match &mut self.callbacks {
            Some(queue) => queue.take_batch(),
            None => Vec::new(),
        }
    }

    /// The completer's first batch and how to defer it; `None` (and the queue closed, if
    /// there is one) when there is no callback to run.
    fn take_first_batch(&mut self) -> Option<(Batch<T, E>, DeferDrain<T, E>)> {
        let queue = self.callbacks.as_mut()?;
        let batch = queue.take_batch();
        (!batch.is_empty()).then(|| (batch, queue.defer()))
    }

    /// Whether the completer's drain of the callback queue is running or about to run (it
    /// has not found the queue empty yet).
    fn drain_open(&self) -> bool {
        self.callbacks
            .as_ref()
            .is_some_and(|queue| !queue.is_closed())
    }
}

fn as_debug<E: fmt::Debug>(exception: &E) -> &dyn fmt::Debug {
    exception
}

impl<T, E: fmt::Debug> Shared<T, E> {
    pub(crate) fn new() -> Self {
        Self {
            state: State::new(),
            outcome: OutcomeCell::new(),
            registry: Mutex::new(Registry {
                waiters: WaiterSlots::default(),
                callbacks: None,
                taker: None,
            }),
            describe: as_debug::<E>,
        }
    }
}

impl<T, E> Shared<T, E> {
    pub(crate) fn snapshot(&self) -> Snapshot {
        self.state.load()
    }

    /// The outcome, once done.
    pub(crate) fn outcome(&self) -> Option<&Outcome<T, E>> {
        if !self.state.load().is_done() {
            return None;
        }
        // SAFETY: the `Acquire` load above saw FINISHED or CANCELLED, so the outcome was
        // written and published, and the cell stays read-only until the last handle drops.
        Some(unsafe { self.outcome.get() })
    }

    pub(crate) fn mark_retrieved(&self) {
        self.state.mark_retrieved();
    }

    /// Completes with `outcome`, or returns the done word if another completion came first
    /// (after waiting out its COMPLETING stage, so the caller sees the promise done).
    /// `handle` is what the callbacks receive.
    ///
    /// Inlined, with the lost race and the drain out of line: the uncontended path is two
    /// read-modify-writes and the move of the outcome, with no call frame to set up.
    #[inline]
    pub(crate) fn complete(
        &self,
        handle: &Promise<T, E>,
        outcome: Outcome<T, E>,
        to: Terminal,
    ) -> Result<(), Snapshot> {
        if self.state.claim() == Claim::Lost {
            return Err(self.lost_claim());
        }
        // SAFETY: `claim` returned `Won` and we have not published: this thread alone may
        // touch the cell, and it is empty (a claim is won once per promise).
        unsafe { self.outcome.write(outcome) };
        match self.state.publish(to) {
            Publish::Alone => {}
            Publish::DrainRegistry => self.drain(handle),
        }
        Ok(())
    }

    /// Another completion won the claim: wait out its COMPLETING stage (out of line, so the
    /// winner's path stays small).
    #[cold]
    #[inline(never)]
    fn lost_claim(&self) -> Snapshot {
        self.state.wait_published()
    }

    /// Wakes every waiter and runs every callback, each once, callbacks in registration order,
    /// with no lock held. A panic does not stop the others; the first is resumed at the end.
    ///
    /// The wakers are woken here and now. The callbacks run here too if no drain runs on this
    /// thread yet, followed by every drain handed over meanwhile; otherwise they are handed
    /// to the running drain, which also resumes their panics (this call has returned by then).
    #[inline(never)]
    fn drain(&self, handle: &Promise<T, E>) {
        let (wakers, first) = {
            let mut registry = lock(&self.registry);
            (registry.waiters.take_all(), registry.take_first_batch())
        };
        let mut panic = FirstPanic::default();
        for waker in wakers {
            panic.run(|| waker.wake());
        }
        if let Some((batch, defer)) = first {
            match deferred::begin() {
                Some(outermost) => {
                    self.run_callbacks(handle, batch, &mut panic);
                    outermost.finish(&mut panic);
                }
                None => deferred::defer(defer(handle.clone(), batch)),
            }
        }
        panic.resume();
    }

    /// Runs `batch`, then the callbacks queued behind it while it ran, until an empty batch
    /// closes the queue.
    fn run_callbacks(
        &self,
        handle: &Promise<T, E>,
        mut batch: Batch<T, E>,
        panic: &mut FirstPanic,
    ) {
        while !batch.is_empty() {
            for (_, callback) in batch {
                panic.run(|| callback(handle));
            }
            batch = lock(&self.registry).take_callback_batch();
        }
    }

    /// `Ready` once done; otherwise stores `cx`'s waker in the handle's slot (`key`).
    /// Inlined: a promise that is already done costs one load, with the lock out of line.
    #[inline]
    pub(crate) fn poll_done(&self, key: &mut Option<WaiterKey>, cx: &mut Context<'_>) -> Poll<()> {
        if self.state.load().is_done() {
            return Poll::Ready(());
        }
        self.register_waiter(key, cx)
    }

    /// `poll_done` on a promise that was pending when it looked.
    #[inline(never)]
    fn register_waiter(&self, key: &mut Option<WaiterKey>, cx: &mut Context<'_>) -> Poll<()> {
        let mut registry = lock(&self.registry);
        if let Register::Done(_) = self.state.register(Registration::Waiter) {
            return Poll::Ready(());
        }
        let waiters = &mut registry.waiters;
        let replaced = match *key {
            Some(key) => waiters.replace(key, cx.waker()),
            None => {
                *key = Some(waiters.insert(cx.waker()));
                None
            }
        };
        drop(registry);
        drop(replaced);
        Poll::Pending
    }

    /// Frees the slot of a handle that is dropping.
    pub(crate) fn forget_waiter(&self, key: WaiterKey) {
        if self.state.load().is_done() {
            // The completer empties (or is about to empty) every slot; a wake it sends to
            // this slot's waker is spurious and harmless.
            return;
        }
        let removed = lock(&self.registry).waiters.remove(key);
        drop(removed);
    }

    pub(crate) fn add_callback(
        &self,
        handle: &Promise<T, E>,
        callback: impl FnOnce(&Promise<T, E>) + Send + 'static,
    ) -> CallbackId
    where
        T: 'static,
        E: 'static,
    {
        let id = CallbackId::next();
        let mut registry = lock(&self.registry);
        let queue = match self.state.register(Registration::Callback) {
            Register::Registered => true,
            // Queue behind a drain that is running or about to run; otherwise run now.
            Register::Done(done) => done.has_callbacks() && registry.drain_open(),
        };
        if queue {
            registry
                .callbacks(Self::defer_drain)
                .push(id, Box::new(callback));
        } else {
            drop(registry);
            callback(handle);
        }
        id
    }

    /// The [`DeferDrain`] of this promise's queue: its drain, run later by this thread's
    /// outermost drain, through a handle that keeps the promise alive until then.
    fn defer_drain(handle: Promise<T, E>, batch: Batch<T, E>) -> DeferredDrain
    where
        T: 'static,
        E: 'static,
    {
        Box::new(move |panic| handle.shared().run_callbacks(&handle, batch, panic))
    }

    pub(crate) fn remove_callback(&self, id: CallbackId) -> bool {
        let removed = lock(&self.registry)
            .callbacks
            .as_mut()
            .and_then(|queue| queue.remove(id));
        removed.is_some()
    }

    /// Leaves the slot that the last handle's drop moves the outcome into; refused if another
    /// handle left one already.
    pub(crate) fn register_taker(&self) -> Result<Arc<TakeSlot<T, E>>, InvalidStateError> {
        let mut registry = lock(&self.registry);
        if registry.taker.is_some() {
            return Err(InvalidStateError::already_taken());
        }
        Ok(Arc::clone(registry.taker.insert(Arc::new(TakeSlot::new()))))
    }
}

impl<T, E> Drop for Shared<T, E> {
    fn drop(&mut self) {
        let last = self.state.load();
        // A completer holds a handle until it has published, so COMPLETING cannot be seen here.
        debug_assert_ne!(last.stage(), Stage::Completing);
        // `&mut self`: the last handle is gone, so the registry needs no lock.
        let taker = get_mut(&mut self.registry).taker.take();
        let delivery: Delivery<T, E> = if last.is_done() {
            // SAFETY: the stage is done, so the outcome was written and published; `&mut
            // self` means no borrow from `get` is alive, and `drop` runs once, so it is
            // taken once.
            Ok(unsafe { self.outcome.take() })
        } else {
            Err(InvalidStateError::never_completed())
        };
        // A taker that is still waiting gets the outcome, exception included (it retrieves
        // it); otherwise it comes back here.
        let kept = match taker {
            Some(taker) => taker.deliver(delivery),
            None => Err(delivery),
        };
        if let Err(Ok(Outcome::Exception(exception))) = &kept {
            if !last.is_retrieved() {
                hook::report((self.describe)(exception));
            }
        }
    }
}
