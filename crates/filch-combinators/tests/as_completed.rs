//! `as_completed`: handles in completion order, each polled only until done.

mod support;

use std::sync::atomic::Ordering::SeqCst;
use std::task::{Context, Poll};
use std::time::Duration;

use filch_combinators::{as_completed, TimeoutError};
use filch_futures::Promise;
use futures::{Stream, StreamExt};
use proptest::prelude::*;
use support::{CountingWaker, Probe};

type P = Promise<usize, ()>;

/// Polls `stream` until it is pending or ends; returns the ids it yielded.
fn poll_ready<S: Stream<Item = Probe<P>> + Unpin>(
    stream: &mut S,
    cx: &mut Context<'_>,
) -> Vec<usize> {
    let mut ids = Vec::new();
    while let Poll::Ready(Some(handle)) = stream.poll_next_unpin(cx) {
        assert!(handle.inner.done());
        ids.push(handle.id);
    }
    ids
}

#[test]
fn an_empty_input_is_an_empty_stream() {
    let mut s = as_completed(Vec::<P>::new());
    assert!(futures::executor::block_on(s.next()).is_none());
}

#[test]
fn handles_already_done_come_first_in_input_order() {
    let ps: Vec<P> = (0..3).map(|_| Promise::new()).collect();
    ps[2].set_result(2).unwrap();
    ps[0].set_result(0).unwrap();
    let s = as_completed(
        ps.iter()
            .cloned()
            .enumerate()
            .map(|(i, p)| Probe::new(i, p).0),
    );
    let (_, waker) = CountingWaker::new();
    let mut s = s;
    assert_eq!(poll_ready(&mut s, &mut Context::from_waker(&waker)), [0, 2]);
    assert_eq!(s.size_hint(), (1, Some(1)));
}

#[test]
#[cfg_attr(miri, ignore)] // worker threads and the timer: covered by the native run
fn a_timeout_ends_the_stream_with_an_error_and_keeps_the_rest() {
    let rt = filch_executor::Runtime::new();
    let ps: Vec<P> = (0..2).map(|_| Promise::new()).collect();
    ps[1].set_result(1).unwrap();
    let mut s = as_completed(ps.clone()).timeout(Duration::from_millis(2));
    let items: Vec<_> = rt.block_on(async { (&mut s).collect::<Vec<_>>().await });
    assert!(items[0].as_ref().is_ok_and(|p| p.result().ok() == Some(&1)));
    assert_eq!(items[1].as_ref().err(), Some(&TimeoutError));
    assert_eq!(items.len(), 2);
    let rest = s.into_remaining();
    assert_eq!(rest.len(), 1);
    assert!(!rest[0].done(), "as_completed cancels nothing");
}

proptest! {
    #![proptest_config(support::proptest_config(256))]

    /// Promises completed in a random order, in random batches between polls: the stream
    /// yields exactly that order, and never polls a handle after it reported done.
    #[test]
    fn yields_in_completion_order(
        order in (1usize..20).prop_flat_map(|n| Just((0..n).collect::<Vec<_>>()).prop_shuffle()),
        cuts in prop::collection::vec(any::<bool>(), 20),
    ) {
        let ps: Vec<P> = (0..order.len()).map(|_| Promise::new()).collect();
        let (probes, after_done): (Vec<_>, Vec<_>) =
            ps.iter().cloned().enumerate().map(|(i, p)| Probe::new(i, p)).unzip();
        let mut s = as_completed(probes);
        let (_, waker) = CountingWaker::new();
        let mut cx = Context::from_waker(&waker);
        let mut yielded = poll_ready(&mut s, &mut cx);
        for (k, &i) in order.iter().enumerate() {
            ps[i].set_result(i).unwrap();
            if cuts[k] {
                yielded.extend(poll_ready(&mut s, &mut cx));
            }
        }
        yielded.extend(poll_ready(&mut s, &mut cx));
        prop_assert_eq!(yielded, order);
        prop_assert!(futures::executor::block_on(s.next()).is_none());
        prop_assert!(after_done.iter().all(|c| c.load(SeqCst) == 0));
    }
}
