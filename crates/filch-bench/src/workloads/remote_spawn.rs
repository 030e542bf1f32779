//! `remote_spawn_{1,2,4}`: spawn contention from threads outside the runtime.

use super::{Sample, Workload};
use crate::rt::Rt;
use crate::stopwatch::Stopwatch;
use std::sync::Barrier;
use std::thread;

/// tokio's `TOTAL_TASKS` in `benches/remote_spawn.rs`.
pub const TOKIO_TOTAL_TASKS: usize = 12_800;

/// `THREADS` plain threads, released together by a barrier, each spawn `tasks / THREADS`
/// trivial tasks and keep the handles. As in tokio's bench, the timed region runs from
/// before the threads start until all have been joined; awaiting the handles afterwards
/// (which checks that every task ran) is not timed.
#[derive(Debug, Clone)]
pub struct RemoteSpawn<const THREADS: usize> {
    /// Tasks spawned per iteration, split evenly between the threads.
    pub tasks: usize,
}

impl<const THREADS: usize> Workload for RemoteSpawn<THREADS> {
    fn name(&self) -> &'static str {
        match THREADS {
            1 => "remote_spawn_1",
            2 => "remote_spawn_2",
            4 => "remote_spawn_4",
            _ => unreachable!("the registry lists remote_spawn for 1, 2 and 4 threads only"),
        }
    }

    fn run<R: Rt>(&self, rt: &R) -> Sample {
        let per_thread = self.tasks / THREADS;
        let barrier = Barrier::new(THREADS);
        let stopwatch = Stopwatch::start();
        let handles: Vec<Vec<_>> = thread::scope(|scope| {
            let spawners: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        (0..per_thread)
                            .map(|_| rt.spawn_remote(async {}))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            spawners
                .into_iter()
                .map(|spawner| spawner.join().expect("a spawner thread panicked"))
                .collect()
        });
        let sample = stopwatch.stop();
        let joined = rt.block_on(async {
            let mut joined = 0;
            for handle in handles.into_iter().flatten() {
                handle.await;
                joined += 1;
            }
            joined
        });
        assert_eq!(
            joined,
            per_thread * THREADS,
            "not every spawned task was joined"
        );
        sample
    }
}
