//! The LIFO watcher's looks at the other workers' LIFO slots.
//!
//! A task stranded in a slot (its owner's running task blocks the worker waiting for it) and
//! a chain of tasks that its owner runs one after the other both leave the slot non-empty
//! most of the time; what tells them apart is the slot's put count (`lifo.rs`). The watcher
//! (one sleeping worker, see `idle.rs` for the role and `worker.rs` for its timed park) looks
//! at every other slot once a [period](super::worker) and takes a task only if the slot held
//! one at two looks in a row with no put in between: it sat there a whole period, so its owner
//! is blocked (or busy in one long poll, where taking it is right too). A task taken by its
//! owner and another put in its place between two looks changes the count: no steal.

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

    /// The first look of a watch: records every other slot.
    pub(super) fn start(&self, remotes: &[Remote]) {
        for (victim, remote) in self.others(remotes) {
            self.seen[victim].set(Seen::of(remote));
        }
    }

    /// The look one period after the last: takes a task that waited since then, if any.
    pub(super) fn look(&self, remotes: &[Remote]) -> Option<Notified> {
        for (victim, remote) in self.others(remotes) {
            let now = Seen::of(remote);
            let before = self.seen[victim].replace(now);
            if now.full && now == before {
                if let Some(task) = remote.lifo.take() {
                    return Some(task);
                }
            }
        }
        None
    }

    fn others<'a>(&self, remotes: &'a [Remote]) -> impl Iterator<Item = (usize, &'a Remote)> {
        let me = self.me;
        remotes.iter().enumerate().filter(move |&(i, _)| i != me)
    }
}
