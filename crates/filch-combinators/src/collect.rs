//! The engine of [`join_all`](crate::join_all): n child futures polled through a [`Wakeups`]
//! ready list, outputs kept in input order.
//!
//! A child is polled once at the start and then only after its own waker fired; once it is
//! done it is dropped in place and never polled again. A panic while polling a child is caught
//! and becomes that child's [`GatherError::Panicked`].

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::GatherError;
use crate::ready_list::Wakeups;

/// What a combinator does with a child's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Stop at the first error and return it (asyncio's default).
    FailFast,
    /// Keep every outcome (asyncio's `return_exceptions=True`).
    AllOutcomes,
}

/// n children of type `C`, whose outputs `outcome` maps to `Result<T, GatherError<E>>`.
pub(crate) struct Collect<C: Future, T, E> {
    /// Pinned in place: a slot is `None` once its child finished (dropped in place).
    children: Pin<Box<[Option<C>]>>,
    outputs: Vec<Option<Result<T, GatherError<E>>>>,
    outcome: fn(C::Output) -> Result<T, GatherError<E>>,
    wakeups: Wakeups,
    remaining: usize,
}

impl<C: Future, T, E> Collect<C, T, E> {
    /// Collects `children`, mapping each output through `outcome`.
    pub(crate) fn new(
        children: impl IntoIterator<Item = C>,
        outcome: fn(C::Output) -> Result<T, GatherError<E>>,
    ) -> Self {
        let children: Box<[Option<C>]> = children.into_iter().map(Some).collect();
        let n = children.len();
        Collect {
            children: Box::into_pin(children),
            outputs: (0..n).map(|_| None).collect(),
            outcome,
            wakeups: Wakeups::new(n),
            remaining: n,
        }
    }

    /// Polls the children that woke. `Ready(Some(e))` at the first error in [`Mode::FailFast`];
    /// `Ready(None)` once every child is done; `Pending` otherwise.
    pub(crate) fn poll(
        &mut self,
        cx: &mut Context<'_>,
        mode: Mode,
    ) -> Poll<Option<GatherError<E>>> {
        let Collect {
            children,
            outputs,
            outcome,
            wakeups,
            remaining,
        } = self;
        let mut woken = wakeups.drain(cx);
        // With the task's cooperative budget spent, the children left would only yield: stop,
        // and dropping `woken` puts them back on the list and wakes this task, so each child
        // is polled once per wake-up, not once per poll of the combinator (tokio#2401).
        while filch_futures::coop::has_budget() {
            let Some(index) = woken.next() else { break };
            let mut slot = slot(children, index);
            let Some(child) = slot.as_mut().as_pin_mut() else {
                continue; // a wake that raced the child's completion
            };
            let mut child_cx = Context::from_waker(wakeups.waker(index));
            let output = match catch_unwind(AssertUnwindSafe(|| child.poll(&mut child_cx))) {
                Ok(Poll::Pending) => continue,
                Ok(Poll::Ready(output)) => outcome(output),
                Err(payload) => Err(GatherError::Panicked(payload)),
            };
            slot.set(None);
            *remaining -= 1;
            match output {
                Err(e) if mode == Mode::FailFast => return Poll::Ready(Some(e)),
                output => outputs[index] = Some(output),
            }
        }
        if *remaining == 0 {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    }

    /// Every outcome in input order. Call once, after `poll` returned `Ready(None)`.
    pub(crate) fn take_outcomes(&mut self) -> Vec<Result<T, GatherError<E>>> {
        std::mem::take(&mut self.outputs)
            .into_iter()
            .map(|o| o.expect("take_outcomes is called once every child is done"))
            .collect()
    }

    /// Every value in input order. Call once, after `poll` returned `Ready(None)` in
    /// [`Mode::FailFast`] (so no outcome is an error).
    pub(crate) fn take_values(&mut self) -> Vec<T> {
        let values = self.take_outcomes().into_iter().map(Result::ok);
        values
            .map(|v| v.expect("FailFast returns the first error"))
            .collect()
    }
}

/// The slot of child `index`, pinned.
fn slot<C>(children: &mut Pin<Box<[Option<C>]>>, index: usize) -> Pin<&mut Option<C>> {
    // SAFETY: the slice lives in a pinned box that is never moved out of, reallocated or
    // resized, so each element stays at its address until the box is dropped. Elements are
    // reached only through this pinned projection and leave only by `Pin::set(None)`, which
    // drops them in place: the pinning contract holds for every child.
    unsafe { children.as_mut().map_unchecked_mut(|s| &mut s[index]) }
}
