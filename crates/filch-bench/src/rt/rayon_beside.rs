//! [`RayonBeside`]: the rayon pool a service on a runtime without fork-join (tokio, smol)
//! runs its parallel work on, as the users of those runtimes do.

use super::{ParallelWork, RayonJoin};
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

/// A rayon pool of as many threads as the runtime beside it has workers, built on first use
/// only: idle threads of a pool that the other workloads never use would still be threads the
/// comparison did not ask for.
#[derive(Debug)]
pub(crate) struct RayonBeside {
    threads: usize,
    pool: OnceLock<Arc<rayon::ThreadPool>>,
}

impl RayonBeside {
    /// A pool of `threads` threads, not built yet.
    pub(crate) fn new(threads: usize) -> Self {
        RayonBeside {
            threads,
            pool: OnceLock::new(),
        }
    }

    /// A future that hands `work` to the pool when first polled and completes with its
    /// result: the body of the task a service spawns for a parallel request. A panic in
    /// `work` resumes in the awaiting task, as a panic in a filch task does.
    pub(crate) fn run<W: ParallelWork>(&self, work: W) -> impl Future<Output = W::Output> + Send {
        let pool = Arc::clone(self.pool.get_or_init(|| Arc::new(rayon_pool(self.threads))));
        async move {
            let (send, receive) = futures::channel::oneshot::channel();
            pool.spawn(move || {
                // A panic in a rayon `spawn` aborts the process: carry it back instead.
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| work.run::<RayonJoin>()));
                // The receiver is gone only if the awaiting task was dropped: nobody wants it.
                let _ = send.send(outcome);
            });
            match receive.await {
                Ok(Ok(value)) => value,
                Ok(Err(payload)) => panic::resume_unwind(payload),
                Err(_) => panic!("the rayon job ended without sending its result"),
            }
        }
    }
}

/// A rayon pool of `threads` threads: the one beside tokio and smol, and the reference column's.
pub(crate) fn rayon_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("building a rayon pool failed")
}
