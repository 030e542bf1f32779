//! [`Parker`]: a token that a thread waits for, built on the sync facade.
//!
//! The token is either present or absent. [`Parker::unpark`] makes it present (and wakes the
//! thread if it waits); [`Parker::park`] waits until it is present and consumes it. An unpark
//! that comes before the park is therefore never lost, and spurious returns are allowed (the
//! callers always re-check their own condition).
//!
//! State word: `EMPTY` (no token), `PARKED` (the owner waits on the condvar, or is about to),
//! `NOTIFIED` (token present).
//! - `park` first tries the fast path `NOTIFIED -> EMPTY`. Otherwise it locks the mutex and
//!   only then moves `EMPTY -> PARKED`, so an unparker that sees `PARKED` and then takes the
//!   lock knows the owner is inside `Condvar::wait` (or has not checked yet): its
//!   `notify_one` cannot fall into the gap between "state is PARKED" and "waiting".
//! - `unpark` *swaps* `NOTIFIED` in (a swap is always a Release write, which a CAS failure
//!   would not be), then, if the owner was `PARKED`, locks and unlocks the mutex before
//!   `notify_one` (closing that gap).
//! - The swap's Release pairs with the Acquire of park's exchange that consumes the token, so
//!   everything the unparker wrote before `unpark` is visible after `park` returns.
//! - `EMPTY -> PARKED` and the timed-out `PARKED -> EMPTY` are Relaxed: they publish nothing
//!   (no data rides on them), and the mutex orders them against the unparker's lock-unlock.

use crate::sync::{AtomicUsize, Condvar, Mutex, Ordering::*};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// A park/unpark token for one thread.
#[derive(Debug, Default)]
pub(crate) struct Parker {
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
}

impl Parker {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Spins for at most `spin`, consuming the token if it arrives meanwhile: a wake-up that
    /// is microseconds away is cheaper to wait for awake than through a futex sleep, which
    /// costs tens of microseconds on a VM. `true` if the token was taken.
    pub(crate) fn spin_for_token(&self, spin: Duration) -> bool {
        let started = std::time::Instant::now();
        loop {
            // Acquire: pairs with `unpark`'s Release swap, as in `park`.
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Acquire, Relaxed)
                .is_ok()
            {
                return true;
            }
            if started.elapsed() >= spin {
                return false;
            }
            for _ in 0..32 {
                std::hint::spin_loop();
            }
        }
    }

    /// Waits for the token (at most `timeout`, if given) and consumes it.
    pub(crate) fn park(&self, timeout: Option<Duration>) {
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, Acquire, Relaxed)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            // A poll. Under loom, a yield: a model's poll loop (the LIFO watcher's looks) then
            // lets the other threads run, and its next loads see their newer stores (loom's
            // rule for spin loops); without it the loop could only end by a preemption.
            #[cfg(loom)]
            crate::sync::thread::yield_now();
            return;
        }
        let mut guard = self.lock.lock();
        match self.state.compare_exchange(EMPTY, PARKED, Relaxed, Relaxed) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Unparked between the fast path and the lock: consume the token.
                let old = self.state.swap(EMPTY, Acquire);
                debug_assert_eq!(old, NOTIFIED, "parker state is inconsistent");
                return;
            }
            Err(other) => panic!("parker state is inconsistent: {other}"),
        }
        loop {
            guard = match timeout {
                Some(timeout) => crate::sync::wait_timeout(&self.condvar, guard, timeout),
                None => self.condvar.wait(guard).unwrap_or_else(|p| p.into_inner()),
            };
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Acquire, Relaxed)
                .is_ok()
            {
                return;
            }
            if timeout.is_some() {
                // Timed out (or spurious): withdraw; a racing unpark leaves its token.
                if self
                    .state
                    .compare_exchange(PARKED, EMPTY, Relaxed, Relaxed)
                    .is_err()
                {
                    let old = self.state.swap(EMPTY, Acquire);
                    debug_assert_eq!(old, NOTIFIED, "parker state is inconsistent");
                }
                return;
            }
        }
    }

    /// Makes the token present, waking the owner if it waits.
    pub(crate) fn unpark(&self) {
        if self.state.swap(NOTIFIED, Release) == PARKED {
            // The owner holds the lock from its `EMPTY -> PARKED` until it waits on the
            // condvar: taking the lock here makes sure it waits before we notify.
            drop(self.lock.lock());
            self.condvar.notify_one();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn token_before_park_is_kept() {
        let parker = Parker::new();
        parker.unpark();
        parker.unpark();
        parker.park(None); // consumes the single token
        parker.park(Some(Duration::ZERO)); // no token: returns at once
    }

    #[test]
    fn unpark_wakes_a_parked_thread() {
        let parker = Arc::new(Parker::new());
        let (tx, rx) = std::sync::mpsc::channel();
        let p = parker.clone();
        let t = std::thread::spawn(move || {
            tx.send(()).unwrap();
            p.park(None);
        });
        rx.recv().unwrap();
        parker.unpark();
        t.join().unwrap();
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::{thread, Arc, AtomicBool};

    /// The classic lost wake-up: the owner checks a flag, then waits with `wait`; another
    /// thread sets the flag, then unparks. Whatever the interleaving, the owner returns and
    /// sees the flag.
    fn flag_then_unpark_is_never_lost(wait: fn(&Parker)) {
        loom::model(move || {
            let parker = Arc::new(Parker::new());
            let flag = Arc::new(AtomicBool::new(false));
            let (p, f) = (parker.clone(), flag.clone());
            let setter = thread::spawn(move || {
                f.store(true, Release);
                p.unpark();
            });
            while !flag.load(Acquire) {
                wait(&parker);
            }
            setter.join().unwrap();
        });
    }

    #[test]
    fn no_lost_wakeup() {
        flag_then_unpark_is_never_lost(|parker| parker.park(None));
    }

    /// `block_on`'s order: a spin that may take the token first, then a park only if it did
    /// not. The token is taken exactly once, by one of the two.
    #[test]
    fn spin_then_park_loses_no_wakeup() {
        flag_then_unpark_is_never_lost(|parker| {
            if !parker.spin_for_token(Duration::ZERO) {
                parker.park(None);
            }
        });
    }
}
