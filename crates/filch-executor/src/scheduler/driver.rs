//! The one place where a timer driver plugs into the workers (and `block_on`) parking.
//!
//! Before parking, a thread asks [`Driver::next_deadline`] and parks at most until then; after
//! waking from a timed park it calls [`Driver::fire_expired`], which wakes every due timer.
//! Until the timing wheel (`crate::time::TimerDriver`) is wired in here, there are no timers:
//! no deadline, nothing to fire, and parks are untimed.

use std::time::Instant;

/// The runtime's timer driver hook (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Driver {}

impl Driver {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The earliest pending timer deadline, if any.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        None
    }

    /// Wakes every timer due at `now`; returns how many.
    pub(crate) fn fire_expired(&self, _now: Instant) -> usize {
        0
    }
}
