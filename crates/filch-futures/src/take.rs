//! [`IntoValue`]: a promise's outcome moved out to its one consumer, so that a value that
//! is not `Clone` can be awaited (a promise used as a oneshot channel).
//!
//! Every handle may lend `&T` from the outcome cell for as long as it lives, so the outcome
//! can only move out once no other handle exists. The taker therefore does not take: it
//! leaves a [`TakeSlot`] in the registry and drops its handle, and the last handle's drop
//! (`Shared`'s, which has the cell to itself) moves the outcome into the slot and wakes the
//! taker. The registry holds at most one slot: a second `into_value` is refused.
//!
//! The slot is a lock and two fields: the last handle's drop delivers under the lock and
//! wakes after releasing it; the taker polls under the same lock. If the taker was dropped
//! first, the delivery is refused and the outcome goes back to the drop, which reports an
//! exception nobody retrieved as usual.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::cell::Outcome;
use crate::error::{IntoValueError, InvalidStateError};
use crate::sync::{lock, Arc, Mutex};

/// What the last handle's drop hands the taker: the outcome, or why there is none.
pub(crate) type Delivery<T, E> = Result<Outcome<T, E>, InvalidStateError>;

/// Where the last handle's drop leaves the outcome for the taker.
pub(crate) struct TakeSlot<T, E>(Mutex<Slot<T, E>>);

struct Slot<T, E> {
    delivered: Option<Delivery<T, E>>,
    /// The taker's waker, from its last pending poll.
    waker: Option<Waker>,
    /// The [`IntoValue`] was dropped: nobody will take a delivery.
    abandoned: bool,
}

impl<T, E> TakeSlot<T, E> {
    pub(crate) fn new() -> Self {
        Self(Mutex::new(Slot {
            delivered: None,
            waker: None,
            abandoned: false,
        }))
    }

    /// Hands `delivery` to the taker and wakes it; gives it back if the taker is gone.
    pub(crate) fn deliver(&self, delivery: Delivery<T, E>) -> Result<(), Delivery<T, E>> {
        let waker = {
            let mut slot = lock(&self.0);
            if slot.abandoned {
                return Err(delivery);
            }
            slot.delivered = Some(delivery);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }
}

/// The future [`Promise::into_value`](crate::Promise::into_value) returns: the outcome, moved
/// out, once the promise is done and every other handle of it has dropped.
#[must_use = "futures do nothing unless awaited"]
pub struct IntoValue<T, E>(Take<T, E>);

enum Take<T, E> {
    Waiting(Arc<TakeSlot<T, E>>),
    Refused(InvalidStateError),
    Finished,
}

impl<T, E> IntoValue<T, E> {
    pub(crate) fn waiting(slot: Arc<TakeSlot<T, E>>) -> Self {
        Self(Take::Waiting(slot))
    }

    pub(crate) fn refused(error: InvalidStateError) -> Self {
        Self(Take::Refused(error))
    }
}

impl<T, E> Future for IntoValue<T, E> {
    type Output = Result<T, IntoValueError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let delivery = match &this.0 {
            Take::Finished => panic!("IntoValue polled after it returned the outcome"),
            Take::Refused(error) => Err(*error),
            Take::Waiting(slot) => {
                let mut slot = lock(&slot.0);
                match slot.delivered.take() {
                    Some(delivery) => delivery,
                    None => {
                        let stale = !slot.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker()));
                        let replaced = stale.then(|| slot.waker.replace(cx.waker().clone()));
                        drop(slot);
                        // Dropped unlocked: dropping a waker may run user code.
                        drop(replaced);
                        return Poll::Pending;
                    }
                }
            }
        };
        this.0 = Take::Finished;
        Poll::Ready(match delivery {
            Ok(Outcome::Value(value)) => Ok(value),
            Ok(Outcome::Exception(exception)) => Err(IntoValueError::Exception(exception)),
            Ok(Outcome::Cancelled(cancelled)) => Err(IntoValueError::Cancelled(cancelled)),
            Err(refused) => Err(IntoValueError::InvalidState(refused)),
        })
    }
}

impl<T, E> Drop for IntoValue<T, E> {
    /// Refuses later deliveries, so that the last handle's drop keeps (and reports) an
    /// exception, and drops one already delivered.
    fn drop(&mut self) {
        if let Take::Waiting(slot) = &self.0 {
            let (delivered, waker) = {
                let mut slot = lock(&slot.0);
                slot.abandoned = true;
                (slot.delivered.take(), slot.waker.take())
            };
            // Dropped unlocked: both may run user code.
            drop((delivered, waker));
        }
    }
}
