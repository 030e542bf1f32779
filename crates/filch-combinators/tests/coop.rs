//! The cooperative budget meets combinators: `join_all` over many children that are ready at
//! once stops when the budget is spent instead of polling children that could only yield, so
//! each child is polled once (tokio#2401's quadratic trap, avoided).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// Counts its polls, then awaits an always-done promise (a budgeted leaf).
struct Counted {
    polls: Arc<AtomicUsize>,
    done: filch::Promise<u64, ()>,
}

impl Future for Counted {
    type Output = Result<u64, ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        Pin::new(&mut self.done).poll(cx).map(|r| r.map_err(drop))
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "starts a runtime (covered by the executor's Miri test)"
)]
fn join_all_over_ready_children_polls_each_once() {
    const CHILDREN: usize = 2_000;
    let rt = filch::Builder::new().worker_threads(1).build().unwrap();
    let polls = Arc::new(AtomicUsize::new(0));
    let done = filch::Promise::new();
    done.set_result(1).unwrap();
    let children: Vec<_> = (0..CHILDREN)
        .map(|_| Counted {
            polls: polls.clone(),
            done: done.clone(),
        })
        .collect();
    let task = rt.spawn(filch::join_all(children));
    let values = rt.block_on(task).unwrap().unwrap();
    assert_eq!(values.len(), CHILDREN);
    // CHILDREN / 128 budget yields happened on the way; a combinator that kept polling after
    // the budget ran out would poll most children many times.
    assert_eq!(
        polls.load(Ordering::Relaxed),
        CHILDREN,
        "each child polled once"
    );
}
