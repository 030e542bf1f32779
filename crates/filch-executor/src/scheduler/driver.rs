//! The one place where the timer driver plugs into the workers (and `block_on`) parking.
//!
//! - Before parking, a thread asks `next_deadline` and parks at most until then; after waking
//!   from a timed park it calls `fire_expired`, which wakes every due timer.
//! - While busy, a worker fires due timers every [`TIMER_INTERVAL`] ticks, so timers are not
//!   late just because no worker ever runs out of work.
//! - When a new timer becomes the earliest one, one sleeping worker is woken (unless a worker
//!   is searching, which will park with the new deadline anyway), so a timer registered by a
//!   busy worker does not wait for that worker's next tick.

use super::Shared;
use crate::sync::StdArc;
use crate::time::TimerDriver;
use std::sync::Weak;

/// The runtime's timer driver (see the module docs). Shared by reference counting because
/// every registered `Sleep` keeps the driver it registered with.
pub(crate) type Driver = StdArc<TimerDriver>;

/// Scheduling ticks between two looks at the timers by a busy worker (tokio polls its drivers
/// every 61 ticks, a number it took from Go).
pub(crate) const TIMER_INTERVAL: u32 = 61;

/// The driver of the runtime whose shared state is `shared` (still being built: hence `Weak`,
/// which also keeps the driver, owned by `Shared`, from owning `Shared` back).
pub(crate) fn new_driver(shared: Weak<Shared>) -> Driver {
    StdArc::new(TimerDriver::new_with_notify(Box::new(move || {
        if let Some(shared) = shared.upgrade() {
            shared.idle.wake_one();
        }
    })))
}
