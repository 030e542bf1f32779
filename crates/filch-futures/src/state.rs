//! The promise's state: one `AtomicUsize`, changed only by the read-modify-writes of the
//! named transitions below ([`State::claim`], [`State::publish`], [`State::register`],
//! [`State::mark_retrieved`]).
//!
//! | bits | name | meaning |
//! |---|---|---|
//! | 0..=1 | stage | `PENDING` (0) -> `COMPLETING` (1) -> `FINISHED` (2) or `CANCELLED` (3); never goes back |
//! | 2 | `HAS_WAITERS` | a waker was put in the registry; set under the registry lock, only before done; never cleared |
//! | 3 | `HAS_CALLBACKS` | a done callback was put in the registry; same rules as `HAS_WAITERS` |
//! | 4 | `RETRIEVED` | the exception was handed out (`result`, `exception`, await); set only once done |
//!
//! `COMPLETING` means one completer won the claim and is moving the outcome into the cell;
//! nobody else touches the cell until the stage is `FINISHED` or `CANCELLED`, after which
//! the cell is read-only until the last handle drops. Every reader treats `COMPLETING` as
//! not done. A set `HAS_*` bit only means "the completer must look in the registry": the
//! entry may have been removed since, and the completer then finds less, never more.
//!
//! # Orderings
//! Every read-modify-write is `AcqRel` (a failed compare-exchange reads with `Acquire`): the
//! compare-exchange loop of [`State::update`], the first compare-exchange of [`State::claim`]
//! and the `fetch_add` of [`State::publish`]. Every plain read is [`State::load`] (`Acquire`).
//! What each pairing buys:
//! - **The outcome.** The `Release` half of [`State::publish`] (COMPLETING -> done) pairs with
//!   the `Acquire` of any [`State::load`] or [`State::register`] that observes the done stage:
//!   the completer's write into the cell happens-before every read of it.
//! - **No lost wake-up.** [`State::register`] and [`State::publish`] are both read-modify-writes
//!   of this word, so they are totally ordered: either `register` comes first and `publish`
//!   reads its `HAS_*` bit (the completer then takes the registry lock and finds the entry,
//!   which was pushed under that same lock), or `publish` comes first and `register` reads the
//!   done stage (the registrant then acts as if done). No ordering beyond the RMW is needed:
//!   the registry's contents are ordered by its lock.
//! - **`RETRIEVED`** is read only by the last handle's drop, which `Arc` already orders after
//!   every use through the other handles (its `Release` decrement and `Acquire` fence).
//! - [`State::claim`] publishes nothing: the winner is the only writer of the cell and readers
//!   wait for `publish`.

use std::fmt;

use crate::sync::{
    yield_now, AtomicUsize,
    Ordering::{AcqRel, Acquire},
};

const STAGE_MASK: usize = 0b11;
const PENDING: usize = 0;
const COMPLETING: usize = 1;
const FINISHED: usize = 2;
const CANCELLED: usize = 3;
const HAS_WAITERS: usize = 1 << 2;
const HAS_CALLBACKS: usize = 1 << 3;
const RETRIEVED: usize = 1 << 4;
const FLAGS: usize = HAS_WAITERS | HAS_CALLBACKS | RETRIEVED;
// The table above and the constants cannot disagree: the flags are distinct bits above the stage.
const _: () = assert!(FLAGS & STAGE_MASK == 0);
const _: () = assert!(FLAGS.count_ones() == 3);

/// The state word. See the module docs for the bits and orderings.
pub(crate) struct State {
    word: AtomicUsize,
}

/// One value of the state word, as read by one load or read-modify-write.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

/// Where a promise is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Pending,
    Completing,
    Finished,
    Cancelled,
}

/// The final stage a completer publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Terminal {
    Finished,
    Cancelled,
}

/// Which list of the registry an entry goes into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Registration {
    Waiter,
    Callback,
}

/// Outcome of [`State::claim`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Claim {
    /// This thread moved the stage to COMPLETING: it alone writes the cell, then publishes.
    Won,
    /// Another completion came first; the promise is (or is about to be) done.
    Lost,
}

/// Outcome of [`State::publish`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Publish {
    /// No waiter or callback was ever registered: nothing to drain, no lock to take.
    Alone,
    /// The registry holds wakers or callbacks: the completer must drain it.
    DrainRegistry,
}

/// Outcome of [`State::register`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Register {
    /// The promise is not done and the entry's bit is set: push the entry; the completer
    /// will find it.
    Registered,
    /// The promise is done; this is the final word (only `RETRIEVED` may still change).
    Done(Snapshot),
}

impl Snapshot {
    #[inline]
    pub(crate) fn stage(self) -> Stage {
        match self.0 & STAGE_MASK {
            PENDING => Stage::Pending,
            COMPLETING => Stage::Completing,
            FINISHED => Stage::Finished,
            _ => Stage::Cancelled,
        }
    }

    /// Finished or cancelled: the outcome cell is written and read-only from now on.
    #[inline]
    pub(crate) fn is_done(self) -> bool {
        self.0 & STAGE_MASK >= FINISHED
    }

    #[inline]
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & STAGE_MASK == CANCELLED
    }

    /// Whether a callback was ever registered. In a done word this is what `publish` saw,
    /// since nothing registers once done: it tells whether the completer drains the queue.
    pub(crate) fn has_callbacks(self) -> bool {
        self.has(HAS_CALLBACKS)
    }

    #[inline]
    fn has(self, flag: usize) -> bool {
        self.0 & flag != 0
    }

    #[inline]
    pub(crate) fn is_retrieved(self) -> bool {
        self.has(RETRIEVED)
    }

    #[inline]
    fn with(self, flag: usize) -> Self {
        Self(self.0 | flag)
    }

    #[inline]
    fn with_stage(self, stage: usize) -> Self {
        Self(self.0 & !STAGE_MASK | stage)
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stage = match self.stage() {
            Stage::Pending => "PENDING",
            Stage::Completing => "COMPLETING",
            Stage::Finished => "FINISHED",
            Stage::Cancelled => "CANCELLED",
        };
        f.write_str(stage)?;
        for (flag, name) in [
            (HAS_WAITERS, "HAS_WAITERS"),
            (HAS_CALLBACKS, "HAS_CALLBACKS"),
            (RETRIEVED, "RETRIEVED"),
        ] {
            if self.has(flag) {
                write!(f, " | {name}")?;
            }
        }
        Ok(())
    }
}

impl Registration {
    fn flag(self) -> usize {
        match self {
            Registration::Waiter => HAS_WAITERS,
            Registration::Callback => HAS_CALLBACKS,
        }
    }
}

impl State {
    /// A pending promise with nothing registered.
    #[inline]
    pub(crate) fn new() -> Self {
        Self {
            word: AtomicUsize::new(PENDING),
        }
    }

    /// The current word. `Acquire`: a done stage seen here makes the outcome readable.
    #[inline]
    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.word.load(Acquire))
    }

    /// PENDING -> COMPLETING. The winner must write the cell and then [`publish`](Self::publish).
    #[inline]
    pub(crate) fn claim(&self) -> Claim {
        // Usually nothing was registered: try the bare PENDING word before loading anything.
        let seen = match self
            .word
            .compare_exchange(PENDING, COMPLETING, AcqRel, Acquire)
        {
            Ok(_) => return Claim::Won,
            Err(seen) => Snapshot(seen),
        };
        self.update_from(seen, |s| match s.stage() {
            Stage::Pending => (Claim::Won, Some(s.with_stage(COMPLETING))),
            _ => (Claim::Lost, None),
        })
    }

    /// COMPLETING -> FINISHED or CANCELLED, keeping the flags. Only the winner of
    /// [`claim`](Self::claim) calls it, after writing the cell; its `Release` publishes the cell.
    #[inline]
    pub(crate) fn publish(&self, to: Terminal) -> Publish {
        // From COMPLETING, adding 1 or 2 to the stage bits gives FINISHED or CANCELLED and
        // never carries into the flags, which registrants may still be setting: one
        // `fetch_add`, no compare-exchange loop.
        let step = match to {
            Terminal::Finished => FINISHED - COMPLETING,
            Terminal::Cancelled => CANCELLED - COMPLETING,
        };
        let before = Snapshot(self.word.fetch_add(step, AcqRel));
        debug_assert_eq!(
            before.stage(),
            Stage::Completing,
            "publish without claim: {before:?}"
        );
        if before.has(HAS_WAITERS | HAS_CALLBACKS) {
            Publish::DrainRegistry
        } else {
            Publish::Alone
        }
    }

    /// Sets the bit for `kind` unless the promise is done. Call it with the registry lock held
    /// and push the entry before releasing the lock: that is what lets the completer, which
    /// takes the same lock after `publish`, find every entry registered before it.
    pub(crate) fn register(&self, kind: Registration) -> Register {
        self.update(|s| {
            if s.is_done() {
                (Register::Done(s), None)
            } else if s.has(kind.flag()) {
                (Register::Registered, None)
            } else {
                (Register::Registered, Some(s.with(kind.flag())))
            }
        })
    }

    /// Notes that the exception was handed out, so dropping the promise does not report it.
    #[inline]
    pub(crate) fn mark_retrieved(&self) {
        self.update(|s| {
            debug_assert!(s.is_done(), "retrieved before done: {s:?}");
            ((), (!s.is_retrieved()).then(|| s.with(RETRIEVED)))
        });
    }

    /// Waits out a COMPLETING stage, which lasts as long as the winner's move of the outcome
    /// into the cell (no user code runs in it), and returns the done word.
    pub(crate) fn wait_published(&self) -> Snapshot {
        loop {
            let s = self.load();
            if s.is_done() {
                return s;
            }
            debug_assert_eq!(s.stage(), Stage::Completing, "waiting on a pending promise");
            yield_now();
        }
    }

    /// The one CAS loop for every transition: `f` decides from the current word and returns
    /// the action and the new word (`None`: no write, the action stands on the word read).
    #[inline]
    fn update<A>(&self, f: impl FnMut(Snapshot) -> (A, Option<Snapshot>)) -> A {
        self.update_from(self.load(), f)
    }

    /// [`update`](Self::update) starting from `current`, a word just read from the state
    /// (with `Acquire`): a failed compare-exchange's witness.
    #[inline]
    fn update_from<A>(
        &self,
        mut current: Snapshot,
        mut f: impl FnMut(Snapshot) -> (A, Option<Snapshot>),
    ) -> A {
        loop {
            let (action, next) = f(current);
            let Some(next) = next else { return action };
            match self
                .word
                .compare_exchange_weak(current.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return action,
                Err(seen) => current = Snapshot(seen),
            }
        }
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_won_once_and_publish_keeps_the_flags() {
        let state = State::new();
        assert_eq!(state.register(Registration::Callback), Register::Registered);
        assert_eq!(state.claim(), Claim::Won);
        assert_eq!(state.claim(), Claim::Lost);
        assert_eq!(state.load().stage(), Stage::Completing);
        assert!(!state.load().is_done(), "COMPLETING is not done");
        assert_eq!(state.register(Registration::Waiter), Register::Registered);
        assert_eq!(state.publish(Terminal::Cancelled), Publish::DrainRegistry);
        let done = state.load();
        assert!(done.is_done() && done.is_cancelled());
        assert_eq!(
            format!("{done:?}"),
            "CANCELLED | HAS_WAITERS | HAS_CALLBACKS"
        );
        assert_eq!(state.wait_published(), done);
    }

    #[test]
    fn nothing_registers_once_done_and_retrieved_is_sticky() {
        let state = State::new();
        assert_eq!(state.claim(), Claim::Won);
        assert_eq!(state.publish(Terminal::Finished), Publish::Alone);
        let done = state.load();
        assert_eq!(state.register(Registration::Waiter), Register::Done(done));
        assert_eq!(state.register(Registration::Callback), Register::Done(done));
        assert!(!done.is_retrieved());
        state.mark_retrieved();
        state.mark_retrieved();
        assert_eq!(format!("{state:?}"), "FINISHED | RETRIEVED");
    }
}
