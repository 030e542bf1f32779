//! `Sleep`: a future that completes at a deadline, served by the runtime's `TimerDriver`.

use super::driver::TimerDriver;
use super::slab::Key;
use crate::runtime::context::{current_timer_driver, with_worker};
use crate::sync::StdArc;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The panic message for polling a pending `Sleep` (or `Timeout`) off the runtime.
const OUTSIDE_RUNTIME: &str = "filch::sleep/timeout must be polled inside a filch runtime \
                               (Runtime::block_on or a spawned task)";

/// Stands in for "never" when `now + duration` overflows `Instant`: about 30 years, which is
/// what tokio uses too; the wheel serves it like any far deadline.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// Waits until `duration` has passed.
///
/// The returned [`Sleep`] does nothing until polled; its deadline is fixed now. A zero
/// duration completes on the first poll without touching the timer. The timer has a
/// resolution of one millisecond: the sleep never ends early and usually ends within a
/// millisecond after its deadline (later only if every worker is busy). A duration too large
/// for [`Instant`] means "about 30 years".
///
/// # Panics
/// Polling a `Sleep` whose deadline has not passed yet outside a filch runtime.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// filch::Runtime::new().block_on(async {
///     filch::sleep(Duration::from_millis(5)).await;
/// });
/// assert!(start.elapsed() >= Duration::from_millis(5));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    sleep_until(
        now.checked_add(duration)
            .unwrap_or_else(|| now + FAR_FUTURE),
    )
}

/// Waits until `deadline`.
///
/// Like [`sleep`], with the deadline given directly; one already passed completes on the
/// first poll without touching the timer.
///
/// # Panics
/// Polling a `Sleep` whose deadline has not passed yet outside a filch runtime.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
///
/// let deadline = Instant::now() + Duration::from_millis(5);
/// filch::Runtime::new().block_on(async move {
///     filch::sleep_until(deadline).await;
/// });
/// assert!(Instant::now() >= deadline);
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        state: State::Unregistered,
    }
}

/// The future returned by [`sleep`] and [`sleep_until`]; completes with `()` at its deadline.
///
/// It is `Unpin`, so it can be polled through `&mut` and kept in a struct without pinning.
/// On its first poll it registers a timer with the runtime it runs on; re-polling it with
/// another waker swaps the waker without re-registering; dropping it removes the timer in
/// O(1).
///
/// It is always served by the runtime that polls it: polled by another runtime than the one
/// its timer is registered with (say, that first runtime was dropped and nothing fires its
/// timers any more), it moves its timer to the runtime polling it. So, like an unregistered
/// one, a pending `Sleep` panics when polled outside any filch runtime.
///
/// # Examples
/// Reusing one `Sleep` for a second deadline:
/// ```
/// use std::time::{Duration, Instant};
///
/// filch::Runtime::new().block_on(async {
///     let mut sleep = filch::sleep(Duration::from_millis(1));
///     (&mut sleep).await;
///     assert!(sleep.is_elapsed());
///     sleep.reset(Instant::now() + Duration::from_millis(1));
///     assert!(!sleep.is_elapsed());
///     (&mut sleep).await;
/// });
/// ```
pub struct Sleep {
    deadline: Instant,
    state: State,
}

enum State {
    /// Not polled since made or reset (or its timer fired before a reset).
    Unregistered,
    /// Its timer is in `driver` under `key` (or has just fired: the key then is stale).
    Registered {
        driver: StdArc<TimerDriver>,
        key: Key,
    },
    /// Returned `Ready`; holds no timer.
    Elapsed,
}

impl Sleep {
    /// The instant this sleep completes at.
    ///
    /// # Examples
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(filch::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether this sleep has completed or its deadline has passed.
    ///
    /// # Examples
    /// ```
    /// use std::time::Duration;
    ///
    /// assert!(filch::sleep(Duration::ZERO).is_elapsed());
    /// assert!(!filch::sleep(Duration::from_secs(60)).is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        matches!(self.state, State::Elapsed) || self.deadline <= Instant::now()
    }

    /// Moves the deadline to `deadline`, earlier or later, even after the sleep completed.
    ///
    /// A registered timer moves in place and keeps the waker it has, so the task waiting on it
    /// is woken at the new deadline even if it does not poll again first.
    ///
    /// # Examples
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// filch::Runtime::new().block_on(async {
    ///     let mut sleep = filch::sleep(Duration::from_secs(3600));
    ///     let soon = Instant::now() + Duration::from_millis(2);
    ///     sleep.reset(soon);
    ///     assert_eq!(sleep.deadline(), soon);
    ///     sleep.await;
    /// });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        let moved = match &self.state {
            State::Registered { driver, key } => driver.reschedule(*key, deadline),
            State::Unregistered | State::Elapsed => false,
        };
        if !moved {
            self.state = State::Unregistered;
        }
    }

    /// Registers this (unregistered) sleep's timer with `driver`, to wake `waker`.
    fn register(&mut self, driver: &StdArc<TimerDriver>, waker: &Waker) {
        debug_assert!(matches!(self.state, State::Unregistered));
        let key = driver.register(self.deadline, waker.clone());
        self.state = State::Registered {
            driver: driver.clone(),
            key,
        };
    }

    /// The poll, given `current`, the timer driver of the runtime polling (`None` outside
    /// any runtime).
    fn poll_on(&mut self, current: Option<&StdArc<TimerDriver>>, waker: &Waker) -> Poll<()> {
        let passed = self.deadline <= Instant::now();
        let serving = || current.unwrap_or_else(|| panic!("{OUTSIDE_RUNTIME}"));
        let ready = match &self.state {
            State::Elapsed => true,
            State::Unregistered if passed => true,
            State::Unregistered => {
                self.register(serving(), waker);
                false
            }
            State::Registered { driver, key } if passed => {
                // Do not wait for a worker to fire it: the deadline has passed.
                driver.cancel(*key);
                true
            }
            State::Registered { driver, key }
                if current.is_some_and(|current| StdArc::ptr_eq(current, driver)) =>
            {
                driver.poll(*key, waker).is_ready()
            }
            State::Registered { driver, key } => {
                // Polled by another runtime than the one we registered with (which may be
                // gone, its timers fired by no one): move to the one polling; by none: panic
                // (`serving`), still registered. A timer that fired meanwhile is done.
                let current = serving();
                let fired = !driver.cancel(*key);
                if !fired {
                    self.state = State::Unregistered;
                    self.register(current, waker);
                }
                fired
            }
        };
        if ready {
            self.state = State::Elapsed;
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Calls `f` with the timer driver of the runtime this thread belongs to or has entered. On
/// a worker it touches no reference count: this runs on every poll of a pending `Sleep`.
fn with_current_driver<R>(f: impl FnOnce(Option<&StdArc<TimerDriver>>) -> R) -> R {
    let mut f = Some(f);
    let on_worker = with_worker(|worker| {
        worker.map(|w| f.take().expect("called once")(Some(&w.shared().driver)))
    });
    on_worker.unwrap_or_else(|| f.take().expect("not called yet")(current_timer_driver().as_ref()))
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if matches!(this.state, State::Elapsed) {
            return Poll::Ready(());
        }
        with_current_driver(|current| this.poll_on(current, cx.waker()))
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let State::Registered { driver, key } = &self.state {
            driver.cancel(*key);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Unregistered => "unregistered",
            State::Registered { .. } => "registered",
            State::Elapsed => "elapsed",
        };
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("state", &state)
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::time::test_util::{counting_waker, on_runtime};

    const HOUR: Duration = Duration::from_secs(3600);
    /// The timer's resolution: firing a millisecond after a deadline is never too early.
    const MS: Duration = Duration::from_millis(1);

    fn poll(sleep: &mut Sleep, waker: &Waker) -> Poll<()> {
        Pin::new(sleep).poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn passed_deadline_is_ready_without_a_runtime() {
        let (waker, counter) = counting_waker();
        let mut sleep = sleep(Duration::ZERO);
        assert_eq!(poll(&mut sleep, &waker), Poll::Ready(()));
        assert_eq!(poll(&mut sleep, &waker), Poll::Ready(()), "stays ready");
        assert!(sleep.is_elapsed());
        assert_eq!(counter.wakers_alive(), 1, "no timer holds a clone of ours");
    }

    #[test]
    #[should_panic(expected = "must be polled inside a filch runtime")]
    fn pending_sleep_outside_a_runtime_panics_with_advice() {
        let (waker, _) = counting_waker();
        let _ = poll(&mut sleep(HOUR), &waker);
    }

    #[test]
    fn overflowing_duration_sleeps_far_ahead() {
        let sleep = sleep(Duration::MAX);
        assert!(sleep.deadline() > Instant::now() + FAR_FUTURE - HOUR);
        assert!(!sleep.is_elapsed());
    }

    #[test]
    fn registered_sleep_completes_when_fired() {
        on_runtime(|driver| {
            let (waker, counter) = counting_waker();
            let mut sleep = sleep(HOUR);
            assert_eq!(poll(&mut sleep, &waker), Poll::Pending, "registers");
            assert_eq!(poll(&mut sleep, &waker), Poll::Pending);
            assert_eq!(
                counter.wakers_alive(),
                2,
                "ours and one stored: same waker, no re-clone"
            );
            assert!(!sleep.is_elapsed());
            assert_eq!(driver.fire_expired(sleep.deadline() + HOUR), 1);
            assert_eq!(counter.wakes(), 1);
            assert_eq!(poll(&mut sleep, &waker), Poll::Ready(()));
            assert!(sleep.is_elapsed());
            assert_eq!(driver.pending(), 0);
        });
    }

    #[test]
    fn dropping_a_registered_sleep_removes_its_timer() {
        on_runtime(|driver| {
            let (waker, counter) = counting_waker();
            let mut sleep = sleep(HOUR);
            assert_eq!(poll(&mut sleep, &waker), Poll::Pending);
            let deadline = sleep.deadline();
            drop(sleep);
            assert_eq!(driver.pending(), 0);
            assert_eq!(counter.wakers_alive(), 1, "the stored clone is dropped");
            assert_eq!(driver.fire_expired(deadline + HOUR), 0);
            assert_eq!(counter.wakes(), 0);
        });
    }

    #[test]
    fn reset_moves_the_registered_timer_and_keeps_its_waker() {
        on_runtime(|driver| {
            let (waker, counter) = counting_waker();
            let mut sleep = sleep(HOUR);
            assert_eq!(poll(&mut sleep, &waker), Poll::Pending);
            let later = sleep.deadline() + 2 * HOUR;
            sleep.reset(later);
            assert_eq!(sleep.deadline(), later);
            assert_eq!(
                driver.fire_expired(later - HOUR),
                0,
                "not at the old deadline"
            );
            assert_eq!(
                driver.fire_expired(later + MS),
                1,
                "at the new one, without a re-poll"
            );
            assert_eq!(counter.wakes(), 1);
            assert_eq!(poll(&mut sleep, &waker), Poll::Ready(()));
        });
    }

    #[test]
    fn reset_after_completion_starts_over() {
        let (waker, _) = counting_waker();
        let mut sleep = sleep(Duration::ZERO);
        assert_eq!(poll(&mut sleep, &waker), Poll::Ready(()));
        sleep.reset(Instant::now() + HOUR);
        assert!(!sleep.is_elapsed());
        on_runtime(|driver| {
            assert_eq!(poll(&mut sleep, &waker), Poll::Pending);
            assert_eq!(driver.pending(), 1);
        });
    }

    /// The runtime a sleep registered with, dropped; the sleep polled pending there.
    fn registered_on_a_dropped_runtime() -> (Sleep, StdArc<TimerDriver>) {
        let mut sleep = sleep(HOUR);
        let first = on_runtime(|driver| {
            assert_eq!(poll(&mut sleep, &counting_waker().0), Poll::Pending);
            driver.clone()
        });
        (sleep, first)
    }

    #[test]
    fn a_sleep_polled_by_another_runtime_moves_its_timer_there() {
        let (mut sleep, first) = registered_on_a_dropped_runtime();
        let (waker, counter) = counting_waker();
        on_runtime(|second| {
            assert_eq!(poll(&mut sleep, &waker), Poll::Pending);
            assert_eq!((first.pending(), second.pending()), (0, 1), "moved");
            assert_eq!(second.fire_expired(sleep.deadline() + HOUR), 1);
            assert_eq!(counter.wakes(), 1, "the second runtime fires it");
            assert_eq!(poll(&mut sleep, &waker), Poll::Ready(()));
        });
    }

    #[test]
    fn a_timer_that_fired_before_the_move_is_ready() {
        let (mut sleep, first) = registered_on_a_dropped_runtime();
        assert_eq!(first.fire_expired(sleep.deadline() + HOUR), 1);
        on_runtime(|second| {
            assert_eq!(poll(&mut sleep, &counting_waker().0), Poll::Ready(()));
            assert_eq!(second.pending(), 0, "nothing registered for a fired timer");
        });
    }

    #[test]
    #[should_panic(expected = "must be polled inside a filch runtime")]
    fn a_registered_sleep_polled_outside_a_runtime_panics_with_advice() {
        let (mut sleep, _first) = registered_on_a_dropped_runtime();
        let _ = poll(&mut sleep, &counting_waker().0);
    }
}
