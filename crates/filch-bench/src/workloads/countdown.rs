//! [`Countdown`]: how tokio's benches learn that every spawned task has run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

/// Shared by `n` tasks: the one that counts the last task down signals the bench thread. A
/// clone costs what tokio's benches pay per task (one `Arc` and one channel sender).
#[derive(Clone)]
pub(crate) struct Countdown {
    remaining: Arc<AtomicUsize>,
    done: mpsc::SyncSender<()>,
}

/// The bench thread's end of a [`Countdown`].
pub(crate) struct Finished(mpsc::Receiver<()>);

impl Countdown {
    /// A countdown from `n`, and the end the bench thread waits on.
    pub(crate) fn new(n: usize) -> (Self, Finished) {
        let (done, finished) = mpsc::sync_channel(1);
        let remaining = Arc::new(AtomicUsize::new(n));
        (Self { remaining, done }, Finished(finished))
    }

    /// One task finished; the last one signals.
    pub(crate) fn count_down(&self) {
        if self.remaining.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.done
                .send(())
                .expect("the bench thread waits for this signal");
        }
    }
}

impl Finished {
    /// Blocks until the last task counted down. Only the task that took the counter from 1 to
    /// 0 sends, so every task has run; a sender dropped without sending means one panicked.
    pub(crate) fn wait(self) {
        self.0
            .recv()
            .expect("a spawned task panicked before the last one finished");
    }
}
