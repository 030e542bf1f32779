//! The engine shared by [`wait`](crate::wait) and [`as_completed`](crate::as_completed): n
//! [`Completion`] handles watched through a [`Wakeups`] ready list.
//!
//! A handle is asked `poll_done` once at the start and then only after its own waker fired;
//! once it reported done it is never asked again.

use std::task::{Context, Poll};

use filch_futures::Completion;

use crate::ready_list::Wakeups;

/// n handles and which of them were seen done.
pub(crate) struct Watch<H> {
    /// `None` once handed back to the caller.
    handles: Vec<Option<H>>,
    seen_done: Vec<bool>,
    done_count: usize,
    wakeups: Wakeups,
}

impl<H: Completion> Watch<H> {
    pub(crate) fn new(handles: impl IntoIterator<Item = H>) -> Self {
        let handles: Vec<Option<H>> = handles.into_iter().map(Some).collect();
        let n = handles.len();
        Watch {
            handles,
            seen_done: vec![false; n],
            done_count: 0,
            wakeups: Wakeups::new(n),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.handles.len()
    }

    /// How many handles were seen done so far.
    pub(crate) fn done_count(&self) -> usize {
        self.done_count
    }

    /// Polls the handles that woke; calls `on_done(index, handle)` for each one that is now done.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>, mut on_done: impl FnMut(usize, &H)) {
        let Watch {
            handles,
            seen_done,
            done_count,
            wakeups,
        } = self;
        for index in wakeups.drain(cx) {
            let Some(handle) = handles[index].as_mut() else {
                continue;
            };
            if seen_done[index] {
                continue; // a wake that raced the handle's completion
            }
            let mut child_cx = Context::from_waker(wakeups.waker(index));
            if let Poll::Ready(()) = handle.poll_done(&mut child_cx) {
                seen_done[index] = true;
                *done_count += 1;
                on_done(index, handle);
            }
        }
    }

    /// Hands handle `index` back; it is not watched any more.
    pub(crate) fn take(&mut self, index: usize) -> H {
        self.handles[index]
            .take()
            .expect("each handle is taken once")
    }

    /// Hands back every handle not taken yet, in input order.
    pub(crate) fn take_all(&mut self) -> impl Iterator<Item = H> + '_ {
        self.handles.iter_mut().filter_map(Option::take)
    }
}
