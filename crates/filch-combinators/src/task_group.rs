//! [`TaskGroup`]: structured concurrency — children that fail together and are joined together.

use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use filch_executor::JoinHandle;

use crate::error::{GatherError, GroupError};
use crate::gather::outcome;
use crate::ready_list::Wakeups;
use crate::sync::{Arc, Mutex, MutexGuard};

/// A set of child tasks that live and fail together (asyncio's `TaskGroup`).
///
/// - [`spawn`](Self::spawn) starts a child at once on the current runtime.
/// - The first child to fail — return `Err`, or panic — cancels every sibling at once, from
///   the failing child's own task; a child spawned after that is dropped without running.
/// - [`join`](Self::join) waits for every child and returns all values in spawn order, or a
///   [`GroupError`] holding every failure together (asyncio's `ExceptionGroup`); the siblings'
///   cancellations caused by the failure are not errors of their own.
/// - Dropping the group (or the `join` future before it completes) cancels every child not
///   done: no child outlives its group.
///
/// Children cannot reach the group (it is not `Clone`), so a child cannot spawn siblings; all
/// children have one output type `Result<T, E>`.
///
/// # Panics
/// [`spawn`](Self::spawn) outside a filch runtime (as `filch_executor::spawn`).
///
/// # Example
/// ```
/// use filch_combinators::TaskGroup;
///
/// let rt = filch_executor::Runtime::new();
/// let result = rt.block_on(async {
///     let group = TaskGroup::new();
///     for i in 0..3u32 {
///         group.spawn(async move { if i == 1 { Err(format!("child {i} failed")) } else { Ok(i) } });
///     }
///     group.join().await
/// });
/// let errors = result.unwrap_err().into_errors();
/// assert_eq!(errors.len(), 1);
/// assert_eq!(errors[0].to_string(), "a child failed: child 1 failed");
/// ```
pub struct TaskGroup<T: Send + 'static, E: Send + 'static> {
    shared: Arc<Shared<T, E>>,
    /// `false` once `join` took over the children (it cancels them if dropped early).
    cancel_on_drop: bool,
}

/// What the children and the group share.
struct Shared<T: Send + 'static, E: Send + 'static> {
    state: Mutex<State<T, E>>,
}

struct State<T: Send + 'static, E: Send + 'static> {
    /// Child i's task, in spawn order; `None` for a child spawned after a failure, which was
    /// dropped without running.
    children: Vec<Option<JoinHandle<Result<T, E>>>>,
    /// A child failed: the siblings were cancelled, and new children are not started.
    aborted: bool,
}

impl<T: Send + 'static, E: Send + 'static> Shared<T, E> {
    fn lock(&self) -> MutexGuard<'_, State<T, E>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Child `failed` failed: cancel every other child, once.
    fn abort(&self, failed: usize) {
        let mut state = self.lock();
        if !std::mem::replace(&mut state.aborted, true) {
            for (index, child) in state.children.iter().enumerate() {
                if let Some(child) = child.as_ref().filter(|_| index != failed) {
                    child.cancel();
                }
            }
        }
    }

    fn cancel_all(&self) {
        for child in self.lock().children.iter().flatten() {
            child.cancel();
        }
    }
}

impl<T, E> Default for TaskGroup<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<T, E> TaskGroup<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
{
    /// An empty group.
    ///
    /// ```
    /// let group = filch_combinators::TaskGroup::<u8, ()>::new();
    /// # drop(group);
    /// ```
    pub fn new() -> Self {
        TaskGroup {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    children: Vec::new(),
                    aborted: false,
                }),
            }),
            cancel_on_drop: true,
        }
    }

    /// Spawns `future` as a child; returns its index in the values `join` returns.
    ///
    /// The child runs at once on the current runtime. If it returns `Err` or panics, every
    /// sibling is cancelled. A child spawned after a failure is dropped without running (its
    /// outcome counts as cancelled, which is not an error of its own).
    ///
    /// ```
    /// use filch_combinators::TaskGroup;
    ///
    /// let rt = filch_executor::Runtime::new();
    /// rt.block_on(async {
    ///     let group = TaskGroup::<&str, ()>::new();
    ///     assert_eq!(group.spawn(async { Ok("first") }), 0);
    ///     assert_eq!(group.spawn(async { Ok("second") }), 1);
    ///     assert_eq!(group.join().await.unwrap(), ["first", "second"]);
    /// });
    /// ```
    pub fn spawn<F>(&self, future: F) -> usize
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        // Spawn under the lock: an `abort` either sees this child or ran before, and then
        // this spawn sees `aborted` and starts nothing.
        let mut state = self.shared.lock();
        let index = state.children.len();
        let child = (!state.aborted)
            .then(|| filch_executor::spawn(guard(self.shared.clone(), index, future)));
        state.children.push(child);
        index
    }

    /// Waits for every child: `Ok(values)` in spawn order, or every failure in a [`GroupError`].
    ///
    /// If no child failed but some were cancelled from outside (the runtime shut down), the
    /// error holds those cancellations. The `join` future polls only the children that
    /// finished since its last poll: O(n) polls for n children.
    ///
    /// ```
    /// use filch_combinators::TaskGroup;
    ///
    /// let rt = filch_executor::Runtime::new();
    /// let values = rt.block_on(async {
    ///     let group = TaskGroup::<u32, ()>::new();
    ///     (0..4).for_each(|i| { group.spawn(async move { Ok(i * 2) }); });
    ///     group.join().await
    /// });
    /// assert_eq!(values.unwrap(), [0, 2, 4, 6]);
    /// ```
    pub fn join(mut self) -> GroupJoin<T, E> {
        self.cancel_on_drop = false;
        let n = self.shared.lock().children.len();
        GroupJoin {
            shared: self.shared.clone(),
            wakeups: Wakeups::new(n),
            outputs: (0..n).map(|_| None).collect(),
            remaining: n,
            finished: false,
        }
    }
}

/// Wraps a child so that its failure aborts the group from the child's own task.
async fn guard<T, E, F>(shared: Arc<Shared<T, E>>, index: usize, future: F) -> Result<T, E>
where
    T: Send + 'static,
    E: Send + 'static,
    F: Future<Output = Result<T, E>>,
{
    let mut future = pin!(future);
    let caught = poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(payload)),
        },
    )
    .await;
    match caught {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => {
            shared.abort(index);
            Err(error)
        }
        Err(payload) => {
            shared.abort(index);
            resume_unwind(payload) // the task reports it as a panic, as it would unguarded
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Drop for TaskGroup<T, E> {
    fn drop(&mut self) {
        if self.cancel_on_drop {
            self.shared.cancel_all();
        }
    }
}

/// The future of [`TaskGroup::join`].
#[must_use = "futures do nothing unless polled; dropping it cancels the group's children"]
pub struct GroupJoin<T: Send + 'static, E: Send + 'static> {
    shared: Arc<Shared<T, E>>,
    wakeups: Wakeups,
    outputs: Vec<Option<Result<T, GatherError<E>>>>,
    remaining: usize,
    finished: bool,
}

// Outputs are moved, never pinned; the children's handles are `Unpin`.
impl<T: Send + 'static, E: Send + 'static> Unpin for GroupJoin<T, E> {}

impl<T: Send + 'static, E: Send + 'static> GroupJoin<T, E> {
    fn finish(&mut self) -> Result<Vec<T>, GroupError<E>> {
        let aborted = self.shared.lock().aborted;
        let mut values = Vec::with_capacity(self.outputs.len());
        let mut errors = Vec::new();
        for output in self.outputs.drain(..) {
            match output.expect("every child is done") {
                Ok(value) => values.push(value),
                // Cancelled by the group's abort: a consequence, not a failure of its own.
                Err(GatherError::Cancelled) if aborted => {}
                Err(error) => errors.push(error),
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(GroupError::new(errors))
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Future for GroupJoin<T, E> {
    type Output = Result<Vec<T>, GroupError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.finished, "GroupJoin polled after it completed");
        {
            let mut state = this.shared.lock();
            for index in this.wakeups.drain(cx) {
                if this.outputs[index].is_some() {
                    continue;
                }
                let output = match &mut state.children[index] {
                    None => Err(GatherError::Cancelled), // never started: the group had failed
                    Some(child) => {
                        let mut child_cx = Context::from_waker(this.wakeups.waker(index));
                        match Pin::new(child).poll(&mut child_cx) {
                            Poll::Pending => continue,
                            Poll::Ready(output) => outcome(output),
                        }
                    }
                };
                this.outputs[index] = Some(output);
                this.remaining -= 1;
            }
        }
        if this.remaining > 0 {
            return Poll::Pending;
        }
        this.finished = true;
        Poll::Ready(this.finish())
    }
}

impl<T: Send + 'static, E: Send + 'static> Drop for GroupJoin<T, E> {
    fn drop(&mut self) {
        if self.remaining > 0 {
            self.shared.cancel_all();
        }
    }
}
