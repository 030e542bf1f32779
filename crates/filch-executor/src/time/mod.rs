//! Timers: [`sleep`], [`sleep_until`], [`timeout`], and the `TimerDriver` the workers run.
//!
//! # Structure
//! - `wheel.rs`: a hierarchical timing wheel, 6 levels × 64 slots at 1 ms per tick (level `l`
//!   has slots of `64^l` ms; the wheel spans 2^36 ms, about 2.2 years, and farther deadlines
//!   wrap round its top level). Each slot is an intrusive doubly-linked list of slab indices.
//!   It is plain data: time is a tick number passed in, so tests drive it with any clock.
//! - `slab.rs`: the timers' storage, a `Vec` plus free list; keys carry a 64-bit generation,
//!   so a key kept after its timer fired or was cancelled is harmless.
//! - `driver.rs`: `TimerDriver`, the wheel behind one `Mutex` on the wall clock, holding each
//!   timer's `Waker`. Its module docs give the one concurrent protocol (the lock, and keys
//!   that go stale) and its rule: no waker is woken or dropped while the lock is held.
//! - `sleep.rs`, `timeout.rs`: the public futures.
//! - `loom_tests.rs`: loom models of the driver against the threads around it (a worker
//!   parking on `next_deadline`, the new-earliest notification, batched fires racing a task).
//!
//! # Costs
//! Registering, re-polling, cancelling (dropping a `Sleep`) and moving a timer are O(1).
//! `fire_expired` costs O(due timers + slots passed + timers cascaded to a lower level); each
//! timer cascades at most once per level. So a million pending sleeps cost memory (about 50
//! bytes each, the slab's high-water mark) and no CPU until they are due. `next_deadline` is
//! O(levels).
//!
//! # How the executor drives it
//! One `TimerDriver` per runtime, made with `TimerDriver::new_with_notify(f)`, shared as a
//! `StdArc`. A `Sleep` registers with the driver of the runtime polling it (looked up on each
//! poll: on a worker without touching a reference count) and moves its timer when another
//! runtime polls it, so a runtime dropped under a registered `Sleep` does not strand it.
//! - A worker calls `fire_expired(Instant::now())` every so many scheduler ticks while busy
//!   (otherwise timers wait until some worker is idle), and after each timed park.
//! - A thread about to park reads `next_deadline()` and parks at most
//!   `deadline.saturating_duration_since(now)` (untimed when `None`); a deadline already
//!   passed means a zero timeout.
//! - `f` runs, after the lock is released, when a new or moved timer makes `next_deadline`
//!   earlier. It must make one parked thread re-read `next_deadline` (unpark one sleeping
//!   worker). The timer is in the wheel before `f` runs, so a thread that reads
//!   `next_deadline` after `f`'s unpark sees it; an unpark that lands before the park must not
//!   be lost (a token, as `crossbeam_utils::sync::Parker` has). `f` should hold the runtime
//!   weakly: the runtime owns the driver, and the driver owns `f`.

mod driver;
#[cfg(all(test, loom))]
mod loom_tests;
mod slab;
mod sleep;
#[cfg(test)]
mod test_util;
mod timeout;
mod wheel;

pub(crate) use driver::TimerDriver;
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, Timeout, TimeoutError};
