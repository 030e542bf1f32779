//! Which attribute is expanding: `#[filch::main]` or `#[filch::test]`.

use std::fmt;

/// The two entry-point attributes; they differ only in the defaults and the `#[test]` marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// `#[filch::main]`: a program's entry point.
    Main,
    /// `#[filch::test]`: a `#[test]` function.
    Test,
}

/// Workers of a `#[filch::test]` runtime when `worker_threads` is not given.
///
/// Two, not one per core: a test must see real parallelism (a task stolen by the other worker,
/// a wake-up from another thread) to catch what a single worker hides, while `cargo test` runs
/// many tests at once, so one runtime per core per test would oversubscribe the machine. Two is
/// the smallest count that has both a local queue and a thief, and tokio's multi-threaded test
/// flavour makes the same choice for the same reason.
pub(crate) const TEST_WORKER_THREADS: usize = 2;

impl Entry {
    /// The worker count used when the attribute names none; `None` keeps the builder's
    /// default (one worker per core).
    pub(crate) fn default_worker_threads(self) -> Option<usize> {
        match self {
            Entry::Main => None,
            Entry::Test => Some(TEST_WORKER_THREADS),
        }
    }
}

impl fmt::Display for Entry {
    /// The attribute as the user writes it, the prefix of every error message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entry::Main => "#[filch::main]",
            Entry::Test => "#[filch::test]",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_defaults() {
        assert_eq!(Entry::Main.to_string(), "#[filch::main]");
        assert_eq!(Entry::Test.to_string(), "#[filch::test]");
        assert_eq!(Entry::Main.default_worker_threads(), None);
        assert_eq!(Entry::Test.default_worker_threads(), Some(2));
    }
}
