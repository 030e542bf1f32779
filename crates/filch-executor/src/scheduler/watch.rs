//! The LIFO watcher's looks at the other workers' LIFO slots.
//!
//! A task stranded in a slot (its owner's running task blocks the worker waiting for it) and
//! a chain of tasks that its owner runs one after the other both leave the slot non-empty
//! most of the time; what tells them apart is the slot's put count (`lifo.rs`). The watcher
//! (one sleeping worker, see `idle.rs` for the role and `worker.rs` for its timed park) looks
//! at every other slot once a [period](super::worker) and takes a task only if the slot held
//! one at two looks in a row with no put in between: it sat there a whole period, so its owner
//! is blocked (or busy in one long poll, where taking it is right too).

use super::Remote;
use crate::task::Notified;
use std::cell::Cell;

/// What one look saw in one slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Seen {
    full: bool,
    puts: usize,
}

impl Seen {
    fn of(remote: &Remote) -> Self {
        // The task first: a look that sees a task sees at least the count of its put.
        let full = remote.lifo.is_full();
        Self {
            full,
            puts: remote.lifo.puts(),
        }
    }
}

/// The outcome of [`LifoWatch::look`].
pub(super) enum Look {
    /// A task that waited a whole period, now taken.
    Stole(Notified),
    /// Some slot holds a task, or some owner put one since the last look: keep watching.
    Busy,
    /// Every slot is empty and no owner put anything since the last look.
    Quiet,
}

/// One worker's record of its last look at every other worker's slot.
pub(super) struct LifoWatch {
    me: usize,
    seen: Box<[Cell<Seen>]>,
}

impl LifoWatch {
    pub(super) fn new(workers: usize, me: usize) -> Self {
        Self {
            me,
            seen: (0..workers).map(|_| Cell::default()).collect(),
        }
    }

    /// The first look of a watch: records every other slot. Whether one holds a task (the
    /// peek of `idle.rs`: the caller must have fenced since the store it pairs with).
    pub(super) fn start(&self, remotes: &[Remote]) -> bool {
        let mut any_full = false;
        for (victim, remote) in self.others(remotes) {
            let now = Seen::of(remote);
            self.seen[victim].set(now);
            any_full |= now.full;
        }
        any_full
    }

    /// The look one period after the last: takes a task that waited since then, if any.
    pub(super) fn look(&self, remotes: &[Remote]) -> Look {
        let mut busy = false;
        for (victim, remote) in self.others(remotes) {
            let now = Seen::of(remote);
            let before = self.seen[victim].replace(now);
            if now.full && now == before {
                if let Some(task) = remote.lifo.take() {
                    return Look::Stole(task);
                }
            }
            busy |= now.full || now.puts != before.puts;
        }
        if busy {
            Look::Busy
        } else {
            Look::Quiet
        }
    }

    fn others<'a>(&self, remotes: &'a [Remote]) -> impl Iterator<Item = (usize, &'a Remote)> {
        let me = self.me;
        remotes.iter().enumerate().filter(move |&(i, _)| i != me)
    }
}
