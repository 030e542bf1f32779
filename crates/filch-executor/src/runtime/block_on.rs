//! Running a future to completion on the calling thread.
//!
//! The thread parks on its own [`Parker`] and the future's waker unparks it directly (no
//! queue, no worker involved). The waker is made once per thread and reused, so `block_on`
//! allocates nothing per call.

use super::{context, Handle};
use crate::scheduler::park::Parker;
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
    let (inner, waker) = THREAD_WAKER.with(|(inner, waker)| (inner.clone(), waker.clone()));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let driver = &handle.shared.driver;
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // Spin only while a worker is awake: then the wake-up is likely in flight (a task
        // running or about to run). With every worker asleep it must come from outside the
        // runtime, at a time we cannot guess, and sleeping lets that producer run ahead and
        // hand over its work in batches instead of in lockstep with this thread.
        if handle.shared.idle.any_awake() && inner.parker.spin_for_token(BLOCK_ON_SPIN) {
            continue;
        }
        let deadline = driver.next_deadline();
        inner
            .parker
            .park(deadline.map(|d| d.saturating_duration_since(Instant::now())));
        if deadline.is_some() {
            driver.fire_expired(Instant::now());
        }
    }
}
