//! Loom models of the `TimerDriver` against the threads around it, over the production
//! driver (wheel, slab, lock, batching, notification) and the production `Parker`.
//!
//! The driver's own state sits behind one lock, so what these models explore is what happens
//! around it: the notification of a new earliest timer (run after the lock is released) racing
//! a worker that reads `next_deadline` and parks; the wakes `fire_expired` runs outside the
//! lock, batch by batch, racing a task that re-polls, cancels, registers and moves timers in
//! between; and the hand-over of each timer's waker to exactly one side.
//!
//! The worker here is the executor's side of the contract in `time`'s module docs (read
//! `next_deadline`, park at most until then, fire after a timed park), on a clock that reads
//! an hour after the driver was made: a timer due by then is a zero park timeout, and any
//! other park (under loom every timed wait is an untimed one) ends only by an unpark. So a
//! notification that is lost, or a fire that does not wake, leaves a thread parked for good,
//! which loom reports as a deadlock.

use super::driver::TimerDriver;
use super::test_util::{counting_waker, WakeCounter};
use crate::scheduler::park::Parker;
use crate::sync::{thread, AtomicBool, AtomicUsize, Ordering::SeqCst, StdArc};
use std::sync::Weak;
use std::task::{Poll, Wake, Waker};
use std::time::{Duration, Instant};

const MS: Duration = Duration::from_millis(1);
const HOUR: Duration = Duration::from_secs(3600);

/// The worker's clock in these models.
fn worker_now(driver: &TimerDriver) -> Instant {
    driver.origin() + HOUR
}

/// The executor's side of the contract: park until the next deadline, fire after a timed
/// park, until `stop` is set (then unparked); returns how many timers it fired in all.
fn park_and_fire_until_stopped(driver: &TimerDriver, parker: &Parker, stop: &AtomicBool) -> usize {
    let now = worker_now(driver);
    let mut fired = 0;
    while !stop.load(SeqCst) {
        let deadline = driver.next_deadline();
        parker.park(deadline.map(|d| d.saturating_duration_since(now)));
        if deadline.is_some() {
            fired += driver.fire_expired(now);
        }
    }
    fired
}

/// A task's waker that unparks the task's thread (as `block_on`'s does), after calling back
/// into the driver the way an executor's wake may: woken while the driver's lock is held, it
/// would deadlock on that lock.
struct ParkingWaker {
    parker: Parker,
    driver: Weak<TimerDriver>,
    wakes: AtomicUsize,
}

impl Wake for ParkingWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        if let Some(driver) = self.driver.upgrade() {
            let _ = driver.next_deadline();
        }
        self.wakes.fetch_add(1, SeqCst);
        self.parker.unpark();
    }
}

/// A driver whose new-earliest notification unparks `worker`, as the executor's unparks one
/// sleeping worker, and counts how often it ran.
fn driver_notifying(worker: &StdArc<Parker>) -> (StdArc<TimerDriver>, StdArc<AtomicUsize>) {
    let notifies = StdArc::new(AtomicUsize::new(0));
    let (worker, n) = (worker.clone(), notifies.clone());
    let driver = TimerDriver::new_with_notify(Box::new(move || {
        n.fetch_add(1, SeqCst);
        worker.unpark();
    }));
    (StdArc::new(driver), notifies)
}

/// A task on this thread registers a timer (due by the worker's clock) while the worker falls
/// asleep, then waits for it by polling and parking; the worker parks on the earliest
/// deadline, which is none (`later_pending` false) or a later timer's (true), either way a
/// wait only an unpark ends. The notification of the new earliest timer must reach the
/// worker whenever it parks, and the fire must wake the task: else a thread stays parked.
/// (The worker's first fire may advance the wheel past the task's deadline before the task
/// registers: then the timer is due at once and the task's poll takes it, no fire needed.)
fn new_earliest_timer_reaches_the_parked_worker(later_pending: bool) {
    loom::model(move || {
        let worker_parker = StdArc::new(Parker::new());
        let (driver, notifies) = driver_notifying(&worker_parker);
        let origin = driver.origin();
        if later_pending {
            driver.register(origin + 2 * HOUR, counting_waker().0);
        }
        let stop = StdArc::new(AtomicBool::new(false));
        let (firing, parker, stopped) = (driver.clone(), worker_parker.clone(), stop.clone());
        let worker = thread::spawn(move || park_and_fire_until_stopped(&firing, &parker, &stopped));

        let task = StdArc::new(ParkingWaker {
            parker: Parker::new(),
            driver: StdArc::downgrade(&driver),
            wakes: AtomicUsize::new(0),
        });
        let waker = Waker::from(task.clone());
        let key = driver.register(origin + MS, waker.clone());
        while driver.poll(key, &waker).is_pending() {
            task.parker.park(None);
        }
        stop.store(true, SeqCst);
        worker_parker.unpark();
        let fired = worker.join().unwrap();
        assert!(fired <= 1);
        assert_eq!(
            task.wakes.load(SeqCst),
            fired,
            "a fire is a wake of our task"
        );
        assert_eq!(notifies.load(SeqCst), 1 + usize::from(later_pending));
        assert_eq!(driver.pending(), usize::from(later_pending));
    });
}

#[test]
fn first_timer_reaches_the_worker_parked_without_deadline() {
    new_earliest_timer_reaches_the_parked_worker(false);
}

#[test]
fn earlier_timer_reaches_the_worker_parked_until_a_later_one() {
    new_earliest_timer_reaches_the_parked_worker(true);
}

/// Two workers fire three due timers, each in up to two batches (`WAKE_BATCH` is 2 under
/// loom), while the task re-polls the first with a new waker, cancels the second, moves the
/// third an hour past the workers' clock and registers a fourth, due. Whatever the
/// interleaving, each timer's waker goes to exactly one side: woken once by one fire, or
/// taken back (cancel, a poll that found it due) and never woken; nothing is woken twice or
/// after its cancel returned; the fires' counts are the wakes they did; every entry and every
/// waker clone is freed, or pending.
#[test]
fn task_operations_race_a_batched_fire() {
    loom::model(|| {
        let driver = StdArc::new(TimerDriver::new_with_notify(Box::new(|| {})));
        let due = driver.origin() + MS;
        let (old, old_1) = counting_waker();
        let (w2, c2) = counting_waker();
        let (w3, c3) = counting_waker();
        let (k1, k2, k3) = (
            driver.register(due, old),
            driver.register(due, w2),
            driver.register(due, w3),
        );
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let firing = driver.clone();
                thread::spawn(move || firing.fire_expired(worker_now(&firing)))
            })
            .collect();

        let (new, new_1) = counting_waker();
        let polled = driver.poll(k1, &new);
        drop(new); // from here on, only a stored clone keeps it alive
        let cancelled = driver.cancel(k2);
        let moved = driver.reschedule(k3, worker_now(&driver) + HOUR);
        let (w4, c4) = counting_waker();
        driver.register(due, w4);
        let fired: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();

        let wakes = |c: &StdArc<WakeCounter>| c.wakes();
        match polled {
            // Found pending: the fire comes later and wakes the new waker.
            Poll::Pending => assert_eq!((wakes(&old_1), wakes(&new_1)), (0, 1)),
            // Found fired (old woken) or due and taken back by the poll (nobody woken).
            Poll::Ready(()) => assert!(wakes(&old_1) <= 1 && wakes(&new_1) == 0),
        }
        assert_eq!(wakes(&c2), usize::from(!cancelled), "cancelled xor fired");
        assert_eq!(wakes(&c3), usize::from(!moved), "moved xor fired");
        assert!(wakes(&c4) <= 1);
        let all = [&old_1, &new_1, &c2, &c3, &c4];
        assert_eq!(
            fired,
            all.iter().map(|c| wakes(c)).sum::<usize>(),
            "fires = wakes"
        );
        let left = usize::from(moved) + usize::from(wakes(&c4) == 0);
        assert_eq!(
            driver.pending(),
            left,
            "the moved timer and an unfired fourth"
        );
        let stored: usize = all.iter().map(|c| c.wakers_alive()).sum();
        assert_eq!(stored, left, "only pending timers keep a waker clone");
    });
}
