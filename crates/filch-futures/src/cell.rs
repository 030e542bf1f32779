//! The outcome cell: written once by the winner of the claim, then shared read-only.
//!
//! The state word (`state.rs`) says who may touch the cell: the thread that got
//! `Claim::Won` writes it once while the stage is COMPLETING; anyone who has seen a done
//! stage through an `Acquire` read may borrow it; the last handle's drop moves it out.

use std::mem::MaybeUninit;

use crate::error::CancelledError;
use crate::sync::UnsafeCell;

/// How a promise ended.
#[derive(Debug)]
pub(crate) enum Outcome<T, E> {
    Value(T),
    Exception(E),
    Cancelled(CancelledError),
}

pub(crate) struct OutcomeCell<T, E>(UnsafeCell<MaybeUninit<Outcome<T, E>>>);

// SAFETY: the cell hands out `&T` / `&E` to every thread that observed the done stage, so
// sharing it needs `T: Sync` and `E: Sync`; the outcome is moved in by one thread and dropped
// by another (the last handle), so it also needs `Send`. Writes and reads never overlap: the
// single write happens in the COMPLETING stage, before the `Release` publish that every
// reader's `Acquire` observes (see `state.rs`).
unsafe impl<T: Send + Sync, E: Send + Sync> Sync for OutcomeCell<T, E> {}

impl<T, E> OutcomeCell<T, E> {
    pub(crate) fn new() -> Self {
        Self(UnsafeCell::new(MaybeUninit::uninit()))
    }

    /// Moves the outcome in.
    ///
    /// # Safety
    /// The caller got `Claim::Won` from `State::claim` and has not published yet: it is the
    /// only thread that may touch the cell, and the cell is still empty.
    pub(crate) unsafe fn write(&self, outcome: Outcome<T, E>) {
        // SAFETY: exclusive access and emptiness are the caller's contract.
        self.0.with_mut(|slot| unsafe { (*slot).write(outcome) });
    }

    /// Borrows the outcome for as long as the cell lives.
    ///
    /// # Safety
    /// The caller observed a done stage (FINISHED or CANCELLED) through an `Acquire` read of
    /// the state word: the outcome is written, and nobody writes it again before the drop.
    pub(crate) unsafe fn get(&self) -> &Outcome<T, E> {
        // SAFETY: written and published (the caller's contract), and only shared borrows
        // exist until `take`, which needs `&mut self`.
        self.0.with(|slot| unsafe { (*slot).assume_init_ref() })
    }

    /// Moves the outcome out, leaving the cell empty.
    ///
    /// # Safety
    /// The outcome was written and published (a done stage was observed), and it was not
    /// taken before; `&mut self` rules out any borrow from [`get`](Self::get).
    pub(crate) unsafe fn take(&mut self) -> Outcome<T, E> {
        // SAFETY: initialised and not taken before (the caller's contract); exclusive by `&mut`.
        self.0
            .with_mut(|slot| unsafe { (*slot).assume_init_read() })
    }
}
