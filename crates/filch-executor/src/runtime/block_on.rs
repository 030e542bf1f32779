//! Running a future to completion on the calling thread.
//!
//! The thread parks on its own [`Parker`] and the future's waker unparks it directly (no
//! queue, no worker involved). The waker is made once per thread and reused, so `block_on`
//! allocates nothing per call.

use super::{context, Handle};
use crate::scheduler::park::Parker;
use crate::scheduler::Shared;
use crate::sync::StdArc;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

struct ThreadWaker {
    parker: Parker,
}

impl Wake for ThreadWaker {
    fn wake(self: StdArc<Self>) {
        self.parker.unpark();
    }
    fn wake_by_ref(self: &StdArc<Self>) {
        self.parker.unpark();
    }
}

thread_local! {
    static THREAD_WAKER: (StdArc<ThreadWaker>, Waker) = {
        let inner = StdArc::new(ThreadWaker { parker: Parker::new() });
        let waker = Waker::from(inner.clone());
        (inner, waker)
    };
}

/// How long the `block_on` thread waits awake for its wake-up before it sleeps, while a worker
/// is awake: the answer from a worker often comes within microseconds, and a sleep plus a futex
/// wake-up costs tens of microseconds on a VM.
const BLOCK_ON_SPIN: Duration = Duration::from_micros(20);

/// Drives `future` on this thread with `handle`'s runtime entered.
pub(crate) fn block_on<F: Future>(handle: &Handle, future: F) -> F::Output {
    let _guard = context::enter_block_on(handle);
    wait_here(&handle.shared, future)
}

/// Drives `future` on this thread without entering a runtime: `block_on`'s loop, and how a
/// thread outside the workers waits for fork-join work it handed to them (`join::in_worker`).
pub(crate) fn wait_here<F: Future>(shared: &Shared, future: F) -> F::Output {
    THREAD_WAKER
        .with(|(inner, waker)| wait_for(shared, &inner.parker, waker, future, BLOCK_ON_SPIN))
}

/// `block_on`'s loop: poll `future` with `waker` (which unparks `parker`); while it is
/// pending, spin for at most `spin` if a worker of `shared` is awake, then park. The loom
/// model below runs it with a fresh parker and no
/// spin time (a timed spin would make the model's runs differ).
pub(crate) fn wait_for<F: Future>(
    shared: &Shared,
    parker: &Parker,
    waker: &Waker,
    future: F,
    spin: Duration,
) -> F::Output {
    let mut cx = Context::from_waker(waker);
    let mut future = pin!(future);
    let driver = &shared.driver;
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // Spin only while a worker is awake: then the wake-up is likely in flight (a task
        // running or about to run). With every worker asleep it must come from outside the
        // runtime, at a time we cannot guess, and sleeping lets that producer run ahead and
        // hand over its work in batches instead of in lockstep with this thread.
        if shared.idle.any_awake() && parker.spin_for_token(spin) {
            continue;
        }
        let deadline = driver.next_deadline();
        parker.park(deadline.map(|d| d.saturating_duration_since(Instant::now())));
        if deadline.is_some() {
            driver.fire_expired(Instant::now());
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::scheduler::loom_tests::{runtime, shut_down, start};

    /// `block_on` waits for a task that a real worker (its whole loop) runs: whichever comes
    /// first, the task's wake or `block_on`'s spin-then-park, the wake-up is not lost (a lost
    /// one leaves every thread parked: loom reports the deadlock).
    #[test]
    fn block_on_loses_no_wakeup() {
        loom::model(|| {
            let (shared, workers) = runtime(1);
            let threads = start(workers);
            let inner = StdArc::new(ThreadWaker {
                parker: Parker::new(),
            });
            let waker = Waker::from(inner.clone());
            let task = shared.spawn(async { 7 });
            let out = wait_for(&shared, &inner.parker, &waker, task, Duration::ZERO);
            assert_eq!(out.unwrap(), 7);
            shut_down(&shared, threads);
        });
    }
}
