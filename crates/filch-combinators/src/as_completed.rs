//! [`as_completed`]: a stream of handles in the order they complete.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use filch_executor::Sleep;
use filch_futures::Completion;
use futures_core::Stream;

use crate::watch::Watch;
use filch_executor::TimeoutError;

/// Yields each of `handles` once it is done, in the order they complete (asyncio's
/// `as_completed`).
///
/// The stream yields the handles themselves, done: await a `Promise` or `JoinHandle` for its
/// result (ready at once). Handles that complete between two polls of the stream come out
/// in the order they woke the stream (their completion order). Each handle is asked once at the start and then only
/// when its own waker fires: O(n) polls in all, and nothing allocates after construction. An
/// empty input is an empty stream. Works on any executor; for a deadline see
/// [`AsCompleted::timeout`].
///
/// # Example
/// ```
/// use filch::{as_completed, Promise};
/// use futures::StreamExt; // for `collect`: it is a `Stream`; `next` needs no import
///
/// let promises: Vec<Promise<u32, ()>> = (0..3).map(|_| Promise::new()).collect();
/// let mut stream = as_completed(promises.clone());
/// promises[2].set_result(20).unwrap();
/// promises[0].set_result(0).unwrap();
/// futures::executor::block_on(async {
///     let first = stream.next().await.unwrap();
///     assert!(first.done());
///     promises[1].set_result(10).unwrap();
///     let rest: Vec<_> = stream.collect().await;
///     assert_eq!(rest.len(), 2);
/// });
/// ```
pub fn as_completed<I, H>(handles: I) -> AsCompleted<H>
where
    I: IntoIterator<Item = H>,
    H: Completion,
{
    let watch = Watch::new(handles);
    AsCompleted {
        completed: VecDeque::with_capacity(watch.len()),
        watch,
        yielded: 0,
    }
}

/// The stream of [`as_completed`]: handles, done, in completion order.
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<H> {
    watch: Watch<H>,
    /// Indices seen done and not yielded yet, oldest first (capacity n: pushing never allocates).
    completed: VecDeque<usize>,
    yielded: usize,
}

// Handles are polled through `&mut` (`Completion::poll_done`), never pinned.
impl<H> Unpin for AsCompleted<H> {}

impl<H: Completion> AsCompleted<H> {
    /// The next handle to complete, or `None` once every handle was yielded: the stream's
    /// `next`, so no `StreamExt` is needed.
    ///
    /// ```
    /// use filch::{as_completed, Promise};
    ///
    /// let first: Promise<u32, ()> = Promise::new();
    /// let second: Promise<u32, ()> = Promise::new();
    /// let mut stream = as_completed([first.clone(), second.clone()]);
    /// filch::Runtime::new().block_on(async {
    ///     second.set_result(2).unwrap();
    ///     assert_eq!(stream.next().await.unwrap().await.unwrap(), 2);
    ///     first.set_result(1).unwrap();
    ///     assert_eq!(stream.next().await.unwrap().await.unwrap(), 1);
    ///     assert!(stream.next().await.is_none());
    /// });
    /// ```
    // `StreamExt::next`'s name and shape: what a stream user types, with no import.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> impl Future<Output = Option<H>> + '_ {
        std::future::poll_fn(move |cx| Pin::new(&mut *self).poll_next(cx))
    }

    /// Ends the stream with one `Err(TimeoutError)` if `timeout` passes before every handle
    /// was yielded (asyncio's `as_completed(aws, timeout)`); handles done before that still come
    /// first. The deadline starts now and uses filch's timer, so a stream whose deadline has not
    /// passed must be polled inside a filch runtime. The handles still pending are not
    /// cancelled: get them back with [`AsCompletedTimeout::into_remaining`].
    ///
    /// ```
    /// use filch::{as_completed, Promise, TimeoutError};
    /// use std::time::Duration;
    ///
    /// let slow: Promise<(), ()> = Promise::new();
    /// let mut stream = as_completed([slow.clone()]).timeout(Duration::from_millis(5));
    /// filch::Runtime::new().block_on(async {
    ///     assert_eq!(stream.next().await.unwrap().unwrap_err(), TimeoutError);
    ///     assert!(stream.next().await.is_none());
    /// });
    /// assert_eq!(stream.into_remaining().len(), 1);
    /// ```
    pub fn timeout(self, timeout: Duration) -> AsCompletedTimeout<H> {
        AsCompletedTimeout {
            inner: self,
            deadline: filch_executor::sleep(timeout),
            timed_out: false,
        }
    }

    /// The handles not yielded yet, in input order.
    ///
    /// ```
    /// use filch::as_completed;
    /// use filch::Promise;
    ///
    /// let p: Promise<(), ()> = Promise::new();
    /// assert_eq!(as_completed([p]).into_remaining().len(), 1);
    /// ```
    pub fn into_remaining(mut self) -> Vec<H> {
        self.watch.take_all().collect()
    }
}

impl<H: Completion> Stream for AsCompleted<H> {
    type Item = H;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<H>> {
        let this = self.get_mut();
        if this.yielded == this.watch.len() {
            return Poll::Ready(None);
        }
        if this.completed.is_empty() {
            let completed = &mut this.completed;
            this.watch.poll(cx, |index, _| completed.push_back(index));
        }
        match this.completed.pop_front() {
            Some(index) => {
                this.yielded += 1;
                Poll::Ready(Some(this.watch.take(index)))
            }
            None => Poll::Pending,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.watch.len() - self.yielded;
        (left, Some(left))
    }
}

/// The stream of [`AsCompleted::timeout`]: `Ok(handle)` in completion order, then
/// `Err(TimeoutError)` once if the deadline passes first.
#[must_use = "streams do nothing unless polled"]
pub struct AsCompletedTimeout<H> {
    inner: AsCompleted<H>,
    deadline: Sleep,
    timed_out: bool,
}

impl<H: Completion> AsCompletedTimeout<H> {
    /// The next item: `Some(Ok(handle))` in completion order, `Some(Err(TimeoutError))` once
    /// if the deadline passes first, then `None`. The stream's `next`, without `StreamExt`.
    ///
    /// ```
    /// use filch::{as_completed, Promise, TimeoutError};
    /// use std::time::Duration;
    ///
    /// let quick: Promise<(), ()> = Promise::new();
    /// let slow: Promise<(), ()> = Promise::new();
    /// quick.set_result(()).unwrap();
    /// let mut stream = as_completed([quick, slow]).timeout(Duration::from_millis(5));
    /// filch::Runtime::new().block_on(async {
    ///     assert!(stream.next().await.unwrap().unwrap().done());
    ///     assert_eq!(stream.next().await.unwrap().unwrap_err(), TimeoutError);
    ///     assert!(stream.next().await.is_none());
    /// });
    /// ```
    // As `AsCompleted::next`: `StreamExt::next` without the import.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> impl Future<Output = Option<Result<H, TimeoutError>>> + '_ {
        std::future::poll_fn(move |cx| Pin::new(&mut *self).poll_next(cx))
    }

    /// The handles not yielded yet, in input order.
    ///
    /// ```
    /// use filch::as_completed;
    /// use filch::Promise;
    /// use std::time::Duration;
    ///
    /// let p: Promise<(), ()> = Promise::new();
    /// let stream = as_completed([p]).timeout(Duration::from_secs(1));
    /// assert_eq!(stream.into_remaining().len(), 1);
    /// ```
    pub fn into_remaining(self) -> Vec<H> {
        self.inner.into_remaining()
    }
}

impl<H: Completion> Stream for AsCompletedTimeout<H> {
    type Item = Result<H, TimeoutError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.timed_out {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut this.inner).poll_next(cx) {
            return Poll::Ready(item.map(Ok));
        }
        if Pin::new(&mut this.deadline).poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.timed_out = true;
        Poll::Ready(Some(Err(TimeoutError)))
    }
}
