//! [`JoinSet`]: a growing set of tasks, joined one at a time in completion order (tokio's
//! `JoinSet`).

use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use filch_executor::{JoinError, JoinHandle};

use crate::completions::{Completions, Reporter};
use crate::sync::Arc;

/// Tasks of one output type, spawned at any time and joined in the order they finish: the
/// shape of tokio's `JoinSet`.
///
/// | tokio `JoinSet` | filch `JoinSet` |
/// |---|---|
/// | `spawn(fut)` (returns an `AbortHandle`) | [`spawn(fut)`](Self::spawn) (returns nothing: a [`TaskGroup`](crate::TaskGroup) child's handle cancels one child) |
/// | `join_next().await -> Option<Result<T, JoinError>>` | [`join_next().await`](Self::join_next), the same |
/// | `len()`, `is_empty()` | [`len()`](Self::len), [`is_empty()`](Self::is_empty) |
/// | `abort_all()` | [`abort_all()`](Self::abort_all) (the tasks end cancelled; join them to see it) |
/// | dropping the set aborts every task | the same |
///
/// Unlike a [`TaskGroup`](crate::TaskGroup), a failure does not cancel the others: each
/// task's outcome comes back on its own, as `Ok(value)` or a [`JoinError`] (panicked or
/// cancelled). Spawning between two `join_next` calls is the "spawn while joining" loop
/// below. Each finished task costs O(1) to join, whatever the set's size.
///
/// # Panics
/// [`spawn`](Self::spawn) outside a filch runtime (as `filch::spawn`).
///
/// # Example
/// ```
/// use filch::JoinSet;
///
/// filch::Runtime::new().block_on(async {
///     let mut set = JoinSet::new();
///     set.spawn(async { 1 });
///     let mut sum = 0;
///     while let Some(done) = set.join_next().await {
///         let n = done.unwrap();
///         sum += n;
///         if n < 3 {
///             set.spawn(async move { n + 1 }); // spawn while joining
///         }
///     }
///     assert_eq!(sum, 1 + 2 + 3);
///     assert!(set.is_empty());
/// });
/// ```
pub struct JoinSet<T: Send + 'static> {
    completions: Arc<Completions>,
    tasks: HashMap<usize, JoinHandle<T>>,
    next_id: usize,
    /// A task reported finished whose handle is not done yet (it completes just after
    /// reporting): `join_next` awaits it before taking the next report.
    waiting: Option<usize>,
}

// The handles are `Unpin`; nothing is pinned through a `JoinSet`.
impl<T: Send + 'static> Unpin for JoinSet<T> {}

impl<T: Send + 'static> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set = filch::JoinSet::<u8>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> Self {
        JoinSet {
            completions: Arc::new(Completions::new()),
            tasks: HashMap::new(),
            next_id: 0,
            waiting: None,
        }
    }

    /// Spawns `future` as a task of the set, on the current filch runtime.
    ///
    /// ```
    /// filch::Runtime::new().block_on(async {
    ///     let mut set = filch::JoinSet::new();
    ///     set.spawn(async { "done" });
    ///     assert_eq!(set.len(), 1);
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), "done");
    /// });
    /// ```
    pub fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + Send + 'static,
    {
        let id = self.next_id;
        self.next_id += 1;
        let reporter = Reporter::new(self.completions.clone(), id);
        let task = filch_executor::spawn(async move {
            let _report_when_dropped = reporter;
            future.await
        });
        self.tasks.insert(id, task);
    }

    /// How many tasks are in the set: spawned and not joined yet.
    ///
    /// ```
    /// assert_eq!(filch::JoinSet::<()>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether the set holds no task.
    ///
    /// ```
    /// assert!(filch::JoinSet::<()>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Waits for the next task to finish and removes it from the set: its value, or the
    /// [`JoinError`] of a panic or cancellation; `None` once the set is empty.
    ///
    /// Dropping the returned future before it completes loses nothing: the task stays in
    /// the set for the next call.
    ///
    /// ```
    /// filch::Runtime::new().block_on(async {
    ///     let mut set = filch::JoinSet::new();
    ///     set.spawn(async { panic!("task 0 broke") });
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_panic());
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub fn join_next(&mut self) -> impl Future<Output = Option<Result<T, JoinError>>> + '_ {
        poll_fn(move |cx| self.poll_join_next(cx))
    }

    /// One poll of [`join_next`](Self::join_next).
    fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.tasks.is_empty() {
            return Poll::Ready(None);
        }
        let id = match self.waiting {
            Some(id) => id,
            None => ready!(self.completions.poll_next(cx)),
        };
        let task = self
            .tasks
            .get_mut(&id)
            .expect("each task of the set reports once");
        match Pin::new(task).poll(cx) {
            Poll::Pending => {
                self.waiting = Some(id);
                Poll::Pending
            }
            Poll::Ready(output) => {
                self.waiting = None;
                self.tasks.remove(&id);
                Poll::Ready(Some(output))
            }
        }
    }

    /// Cancels every task in the set. They stay in it until joined, and then most come back
    /// as cancelled (a task that had finished already keeps its value).
    ///
    /// ```
    /// filch::Runtime::new().block_on(async {
    ///     let mut set = filch::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_all(&self) {
        for task in self.tasks.values() {
            task.cancel();
        }
    }
}

impl<T: Send + 'static> Drop for JoinSet<T> {
    /// Cancels every task not joined yet: no task outlives its set.
    fn drop(&mut self) {
        self.abort_all();
    }
}
