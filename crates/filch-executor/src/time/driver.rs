//! `TimerDriver`: one timing wheel per runtime behind one lock, on the wall clock.
//!
//! # The one concurrent protocol
//! Every operation on a timer (register, poll, cancel, reschedule, fire) takes the wheel's
//! `Mutex`, so each is atomic with respect to the others, and the slab's generation-checked
//! [`Key`] decides every race: whoever takes the entry out of the wheel first (a
//! [`fire_expired`](TimerDriver::fire_expired) popping it, or its `Sleep` cancelling it) owns
//! its waker, and the other side then finds the key stale. So a timer's waker is woken at most
//! once, and never after its `Sleep` was dropped, and its entry is freed exactly once (loom
//! models: `time::loom_tests`).
//!
//! **No waker is woken or dropped while the lock is held**, and neither is the
//! `on_new_earliest` callback run: waking may run arbitrary code (an executor's schedule, a
//! user's waker) that could come back to this driver. Cloning a waker under the lock is fine:
//! a clone only adds a reference.
//!
//! # Time
//! One tick is one millisecond since the `Instant` the driver was made. A deadline is rounded
//! *up* to a tick and `now` *down*, so a timer never fires before its deadline, and fires at
//! the first [`fire_expired`](TimerDriver::fire_expired) at or after its deadline rounded up to
//! the next millisecond.

use super::slab::Key;
use super::wheel::{Lookup, Wheel};
use crate::sync::{Mutex, MutexGuard};
use std::fmt;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// Wakers taken out per lock acquisition in `fire_expired`: it bounds the time the lock is
/// held and needs no allocation. tokio's driver uses a batch of 32 the same way. Two under
/// loom, so that a model with three due timers goes round the re-locking loop.
const WAKE_BATCH: usize = if cfg!(loom) { 2 } else { 32 };

/// The runtime's timers; `Send + Sync`, shared by the workers and every `Sleep` it serves.
///
/// The executor calls [`fire_expired`](Self::fire_expired) from its workers and parks no
/// longer than [`next_deadline`](Self::next_deadline); `on_new_earliest` tells it when a new
/// timer makes that deadline earlier (see the module docs of `time`).
pub(crate) struct TimerDriver {
    /// Tick 0.
    origin: Instant,
    wheel: Mutex<Wheel<Waker>>,
    /// Called, without the lock, when an insertion makes the earliest deadline earlier.
    on_new_earliest: Box<dyn Fn() + Send + Sync>,
}

impl TimerDriver {
    /// A driver whose tick 0 is now; `on_new_earliest` runs whenever registering or moving a
    /// timer makes [`next_deadline`](Self::next_deadline) earlier, so that a worker parked
    /// until the old deadline can be woken to park again with the new one.
    pub(crate) fn new_with_notify(on_new_earliest: Box<dyn Fn() + Send + Sync>) -> Self {
        Self {
            origin: Instant::now(),
            wheel: Mutex::new(Wheel::new()),
            on_new_earliest,
        }
    }

    /// Wakes every timer due at `now` and returns how many it woke. Costs O(due timers +
    /// wheel slots passed since the last call), whatever the number of pending timers.
    pub(crate) fn fire_expired(&self, now: Instant) -> usize {
        let now = self.now_tick(now);
        let mut batch: [Option<Waker>; WAKE_BATCH] = [const { None }; WAKE_BATCH];
        let mut woken = 0;
        let mut wheel = self.lock();
        wheel.advance(now);
        loop {
            let mut taken = 0;
            while taken < WAKE_BATCH {
                let Some(waker) = wheel.pop_expired() else {
                    break;
                };
                batch[taken] = Some(waker);
                taken += 1;
            }
            drop(wheel);
            for waker in batch[..taken].iter_mut().filter_map(Option::take) {
                waker.wake();
            }
            woken += taken;
            if taken < WAKE_BATCH {
                return woken;
            }
            wheel = self.lock();
        }
    }

    /// The earliest pending deadline, or `None` with no timer pending. It is never later than
    /// a pending deadline rounded up to the millisecond, and may be earlier (by less than the
    /// slot of the wheel level the timer sits on): parking until then and calling
    /// [`fire_expired`](Self::fire_expired) either fires the timer or moves it closer.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let tick = self.lock().earliest()?;
        self.origin.checked_add(Duration::from_millis(tick))
    }

    /// Adds a timer that wakes `waker` at `deadline`.
    pub(super) fn register(&self, deadline: Instant, waker: Waker) -> Key {
        let tick = self.deadline_tick(deadline);
        let mut key = None;
        self.change_and_notify(|wheel| key = Some(wheel.insert(tick, waker)));
        key.expect("change_and_notify runs its closure")
    }

    /// `Ready` if the timer is gone (fired) or due (then removed here); otherwise keeps
    /// `waker` as the one to wake, cloning it only when it would not wake the same task.
    pub(super) fn poll(&self, key: Key, waker: &Waker) -> Poll<()> {
        let mut wheel = self.lock();
        let (ready, replaced) = match wheel.lookup(key) {
            Lookup::Gone => (true, None),
            Lookup::Due => (true, wheel.cancel(key)),
            Lookup::Pending(stored) if stored.will_wake(waker) => (false, None),
            Lookup::Pending(stored) => (false, Some(std::mem::replace(stored, waker.clone()))),
        };
        drop(wheel);
        drop(replaced);
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Removes the timer in O(1); `false` if it was already gone.
    pub(super) fn cancel(&self, key: Key) -> bool {
        let removed = self.lock().cancel(key);
        removed.is_some()
    }

    /// Moves the timer to `deadline`, keeping its waker; `false` if it was already gone.
    pub(super) fn reschedule(&self, key: Key, deadline: Instant) -> bool {
        let tick = self.deadline_tick(deadline);
        let mut moved = false;
        self.change_and_notify(|wheel| moved = wheel.reschedule(key, tick));
        moved
    }

    /// Runs `change` under the lock, then `on_new_earliest` (without it) if the earliest
    /// deadline got earlier.
    fn change_and_notify(&self, change: impl FnOnce(&mut Wheel<Waker>)) {
        let mut wheel = self.lock();
        let before = wheel.earliest();
        change(&mut wheel);
        let after = wheel.earliest();
        drop(wheel);
        let earlier = match (after, before) {
            (Some(after), Some(before)) => after < before,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if earlier {
            (self.on_new_earliest)();
        }
    }

    fn lock(&self) -> MutexGuard<'_, Wheel<Waker>> {
        self.wheel.lock()
    }

    /// `deadline` as a tick, rounded up so a timer never fires early.
    fn deadline_tick(&self, deadline: Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.origin);
        let partial_ms = !since.subsec_nanos().is_multiple_of(1_000_000);
        u64::try_from(since.as_millis() + u128::from(partial_ms)).unwrap_or(u64::MAX)
    }

    /// `now` as a tick, rounded down so a timer never fires early.
    fn now_tick(&self, now: Instant) -> u64 {
        let since = now.saturating_duration_since(self.origin);
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    }

    /// Tick 0: the instant the driver was made.
    #[cfg(all(test, loom))]
    pub(super) fn origin(&self) -> Instant {
        self.origin
    }

    /// Timers stored, due ones included.
    #[cfg(test)]
    pub(super) fn pending(&self) -> usize {
        self.lock().len()
    }
}

impl fmt::Debug for TimerDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerDriver")
            .field("origin", &self.origin)
            .field("pending", &self.lock().len())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::{AtomicUsize, Ordering::SeqCst, StdArc};
    use crate::time::test_util::counting_waker;

    const HOUR: Duration = Duration::from_secs(3600);

    fn driver_counting_notifies() -> (TimerDriver, StdArc<AtomicUsize>) {
        let notifies = StdArc::new(AtomicUsize::new(0));
        let n = notifies.clone();
        let driver = TimerDriver::new_with_notify(Box::new(move || {
            n.fetch_add(1, SeqCst);
        }));
        (driver, notifies)
    }

    #[test]
    fn fires_each_timer_once_and_only_when_due() {
        let (driver, _) = driver_counting_notifies();
        let base = driver.origin;
        let (w1, c1) = counting_waker();
        let (w2, c2) = counting_waker();
        driver.register(base + HOUR, w1);
        driver.register(base + 2 * HOUR, w2);
        assert_eq!(
            driver.fire_expired(base + HOUR - Duration::from_millis(1)),
            0
        );
        assert_eq!(driver.fire_expired(base + HOUR), 1);
        assert_eq!((c1.wakes(), c2.wakes()), (1, 0));
        assert_eq!(driver.fire_expired(base + 3 * HOUR), 1);
        assert_eq!(driver.fire_expired(base + 4 * HOUR), 0);
        assert_eq!((c1.wakes(), c2.wakes()), (1, 1));
        assert_eq!(driver.pending(), 0);
    }

    #[test]
    fn more_than_a_batch_fires_in_one_call() {
        let (driver, _) = driver_counting_notifies();
        let base = driver.origin;
        let counters: Vec<_> = (0..3 * WAKE_BATCH + 1)
            .map(|i| {
                let (waker, counter) = counting_waker();
                driver.register(base + HOUR + Duration::from_millis(i as u64 % 3), waker);
                counter
            })
            .collect();
        assert_eq!(driver.fire_expired(base + 2 * HOUR), counters.len());
        assert!(counters.iter().all(|c| c.wakes() == 1));
    }

    #[test]
    fn sub_millisecond_deadline_rounds_up_never_early() {
        let (driver, _) = driver_counting_notifies();
        // Within the first 64 ms the timer sits on level 0, where `next_deadline` is exact.
        let deadline = driver.origin + Duration::from_micros(10_300);
        let (waker, counter) = counting_waker();
        driver.register(deadline, waker);
        let next = driver.next_deadline().expect("one timer pending");
        assert_eq!(next, driver.origin + Duration::from_millis(11));
        assert_eq!(
            driver.fire_expired(deadline),
            0,
            "its millisecond is not over yet"
        );
        assert_eq!(driver.fire_expired(next), 1);
        assert_eq!(counter.wakes(), 1);
        assert_eq!(driver.next_deadline(), None);
    }

    #[test]
    fn next_deadline_of_a_far_timer_is_never_late() {
        let (driver, _) = driver_counting_notifies();
        let deadline = driver.origin + HOUR + Duration::from_micros(300);
        driver.register(deadline, counting_waker().0);
        let mut woken = 0;
        // Park-and-fire as a worker would: each wake either fires it or moves it down a level.
        for _ in 0..=crate::time::wheel::LEVELS {
            let Some(next) = driver.next_deadline() else {
                break;
            };
            assert!(
                next < deadline + Duration::from_millis(1),
                "{next:?} late for {deadline:?}"
            );
            woken += driver.fire_expired(next);
        }
        assert_eq!(woken, 1);
        assert_eq!(driver.next_deadline(), None);
    }

    #[test]
    fn notifies_only_when_the_earliest_deadline_moves_earlier() {
        let (driver, notifies) = driver_counting_notifies();
        let base = driver.origin;
        let key = driver.register(base + 2 * HOUR, counting_waker().0);
        assert_eq!(notifies.load(SeqCst), 1, "first timer");
        driver.register(base + 3 * HOUR, counting_waker().0);
        assert_eq!(notifies.load(SeqCst), 1, "later timer");
        driver.register(base + HOUR, counting_waker().0);
        assert_eq!(notifies.load(SeqCst), 2, "earlier timer");
        assert!(driver.reschedule(key, base + Duration::from_secs(1)));
        assert_eq!(notifies.load(SeqCst), 3, "moved earliest");
        assert!(driver.reschedule(key, base + 4 * HOUR));
        assert_eq!(notifies.load(SeqCst), 3, "moved later");
    }

    #[test]
    fn poll_keeps_the_latest_waker_and_reports_fired() {
        let (driver, _) = driver_counting_notifies();
        let base = driver.origin;
        let (w1, c1) = counting_waker();
        let (w2, c2) = counting_waker();
        let key = driver.register(base + HOUR, w1.clone());
        assert_eq!(driver.poll(key, &w1), Poll::Pending);
        assert_eq!(driver.poll(key, &w2), Poll::Pending);
        assert_eq!(c1.wakers_alive(), 1, "the replaced waker was dropped");
        assert_eq!(driver.fire_expired(base + HOUR), 1);
        assert_eq!((c1.wakes(), c2.wakes()), (0, 1));
        assert_eq!(driver.poll(key, &w2), Poll::Ready(()));
        assert!(!driver.cancel(key), "fired timers are gone");
    }

    #[test]
    fn a_due_timer_is_ready_on_poll_before_it_is_fired() {
        let (driver, _) = driver_counting_notifies();
        let (waker, counter) = counting_waker();
        let key = driver.register(driver.origin, waker.clone());
        assert_eq!(driver.poll(key, &waker), Poll::Ready(()));
        assert_eq!(driver.pending(), 0);
        assert_eq!(driver.fire_expired(driver.origin + HOUR), 0);
        assert_eq!(counter.wakes(), 0);
    }

    #[test]
    fn cancel_frees_the_entry_and_drops_the_waker() {
        let (driver, _) = driver_counting_notifies();
        let (waker, counter) = counting_waker();
        let key = driver.register(driver.origin + HOUR, waker);
        assert!(driver.cancel(key));
        assert!(!driver.cancel(key));
        assert_eq!(driver.pending(), 0);
        assert_eq!(counter.wakers_alive(), 0);
        assert_eq!(driver.fire_expired(driver.origin + 2 * HOUR), 0);
        assert_eq!(counter.wakes(), 0);
    }

    proptest::proptest! {
        // No regression files: they would land outside this module's directory.
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..Default::default()
        })]

        /// On the wall clock, with sub-millisecond deadlines: a timer is woken once, never
        /// before its deadline, and by the first `fire_expired` a millisecond after it;
        /// `next_deadline` is never a millisecond late; cancelled timers are never woken.
        #[test]
        #[cfg_attr(miri, ignore)]
        fn never_early_never_a_millisecond_late(
            timers in proptest::collection::vec((0u64..5_000_000, proptest::bool::ANY), 1..40),
            mut fires in proptest::collection::vec(0u64..6_000_000, 1..20),
        ) {
            let (driver, _) = driver_counting_notifies();
            let at = |micros: u64| driver.origin + Duration::from_micros(micros);
            let mut live: Vec<_> = timers
                .iter()
                .map(|&(micros, cancel)| {
                    let (waker, counter) = counting_waker();
                    let key = driver.register(at(micros), waker);
                    (at(micros), key, cancel, counter)
                })
                .collect();
            for (_, key, cancel, _) in &live {
                if *cancel {
                    proptest::prop_assert!(driver.cancel(*key));
                }
            }
            live.retain(|(_, _, cancel, _)| !cancel);
            fires.sort_unstable();
            for now in fires.into_iter().map(at) {
                if let (Some(next), Some(min)) =
                    (driver.next_deadline(), live.iter().map(|t| t.0).min())
                {
                    proptest::prop_assert!(next < min + Duration::from_millis(1));
                }
                driver.fire_expired(now);
                for (deadline, _, _, counter) in &live {
                    let woken = counter.wakes() == 1;
                    proptest::prop_assert!(counter.wakes() <= 1);
                    proptest::prop_assert!(!woken || *deadline <= now, "early");
                    proptest::prop_assert!(woken || now < *deadline + Duration::from_millis(1));
                }
                live.retain(|(.., counter)| counter.wakes() == 0);
            }
            proptest::prop_assert_eq!(driver.pending(), live.len());
        }
    }
}
