//! [`TaskGroup`]: structured concurrency — children that fail together and are joined together.

use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll};

use filch_executor::JoinHandle;

use crate::completions::{Completions, Reporter};
use crate::error::{GatherError, GroupError};
use crate::gather::outcome;
use crate::sync::{Arc, Mutex, MutexGuard};

/// A set of child tasks that live and fail together (asyncio's `TaskGroup`).
///
/// - [`spawn`](Self::spawn) starts a child at once on the current runtime and returns its
///   [`ChildHandle`]; a [`Spawner`] (from [`spawner`](Self::spawner), cloneable) lets children
///   spawn siblings into their own group, even while it is being joined.
/// - The first child to fail — return `Err`, or panic — cancels every sibling at once, from
///   the failing child's own task; a child spawned after that is dropped without running.
/// - A child cancelled through its handle is not a failure (asyncio's test_taskgroup_03): the
///   others run on, and it has no value.
/// - [`join`](Self::join) waits for every child, those spawned while it waits too, and
///   returns the values in spawn order, or a [`GroupError`] holding every failure together
///   (asyncio's `ExceptionGroup`); the siblings' cancellations caused by the failure are not
///   errors of their own.
/// - Dropping the group (or the `join` future before it completes) cancels every child not
///   done: no child outlives its group. A child spawned after that, or after the join
///   completed, is dropped without running.
///
/// All children have one output type `Result<T, E>`. For a set joined one task at a time,
/// where a failure cancels nothing, see [`JoinSet`](crate::JoinSet).
///
/// # Panics
/// [`spawn`](Self::spawn) outside a filch runtime (as `filch::spawn`).
///
/// # Example
/// ```
/// use filch::TaskGroup;
///
/// let rt = filch::Runtime::new();
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
    spawner: Spawner<T, E>,
    /// `false` once `join` took over the children (it cancels them if dropped early).
    cancel_on_drop: bool,
}

/// What the children, their handles, the spawners and the join share.
struct Shared<T: Send + 'static, E: Send + 'static> {
    state: Mutex<State<T, E>>,
    /// The children that finished, for the join (they report before their task completes).
    completions: Arc<Completions>,
}

struct State<T: Send + 'static, E: Send + 'static> {
    /// Child i, in spawn order.
    children: Vec<Child<T, E>>,
    /// A child failed: the siblings were cancelled, and new children are not started.
    aborted: bool,
    /// The group was dropped or its join completed: new children are not started.
    closed: bool,
}

struct Child<T: Send + 'static, E: Send + 'static> {
    /// `None` for a child spawned after a failure or the group's end: it never ran.
    task: Option<JoinHandle<Result<T, E>>>,
    /// Cancelled through its [`ChildHandle`]: a cancellation that is no failure.
    cancelled_by_handle: bool,
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
                if let Some(task) = child.task.as_ref().filter(|_| index != failed) {
                    task.cancel();
                }
            }
        }
    }

    /// The group is gone: cancel every child, and start no more.
    fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        for task in state.children.iter().filter_map(|c| c.task.as_ref()) {
            task.cancel();
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
    /// let group = filch::TaskGroup::<u8, ()>::new();
    /// # drop(group);
    /// ```
    pub fn new() -> Self {
        let shared = Shared {
            state: Mutex::new(State {
                children: Vec::new(),
                aborted: false,
                closed: false,
            }),
            completions: Arc::new(Completions::new()),
        };
        TaskGroup {
            spawner: Spawner {
                shared: Arc::new(shared),
            },
            cancel_on_drop: true,
        }
    }

    /// Spawns `future` as a child; returns its handle.
    ///
    /// The child runs at once on the current runtime. If it returns `Err` or panics, every
    /// sibling is cancelled. A child spawned after a failure is dropped without running (its
    /// outcome counts as cancelled, which is not an error of its own).
    ///
    /// ```
    /// use filch::TaskGroup;
    ///
    /// let rt = filch::Runtime::new();
    /// rt.block_on(async {
    ///     let group = TaskGroup::<&str, ()>::new();
    ///     assert_eq!(group.spawn(async { Ok("first") }).index(), 0);
    ///     let stuck = group.spawn(std::future::pending());
    ///     group.spawn(async { Ok("third") });
    ///     // Cancelled from outside: not a failure, and no value.
    ///     assert!(stuck.cancel());
    ///     assert_eq!(group.join().await.unwrap(), ["first", "third"]);
    /// });
    /// ```
    pub fn spawn<F>(&self, future: F) -> ChildHandle<T, E>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        self.spawner.spawn(future)
    }

    /// A cloneable handle that spawns children into this group, for children that spawn
    /// siblings (asyncio's test_taskgroup_24/25): give each child a clone. Children it spawns
    /// while the group is being joined are joined too.
    ///
    /// ```
    /// use filch::TaskGroup;
    ///
    /// let rt = filch::Runtime::new();
    /// let values = rt.block_on(async {
    ///     let group = TaskGroup::<u32, ()>::new();
    ///     let spawner = group.spawner();
    ///     group.spawn(async move {
    ///         spawner.spawn(async { Ok(2) }); // a sibling, from inside the group
    ///         Ok(1)
    ///     });
    ///     group.join().await
    /// });
    /// assert_eq!(values.unwrap(), [1, 2]);
    /// ```
    pub fn spawner(&self) -> Spawner<T, E> {
        self.spawner.clone()
    }

    /// Waits for every child: `Ok(values)` in spawn order, or every failure in a [`GroupError`].
    ///
    /// A child cancelled through its [`ChildHandle`] has no value and is no failure. If no
    /// child failed but some were cancelled otherwise (the runtime shut down), the error
    /// holds those cancellations. Children spawned (by a [`Spawner`]) while it waits are
    /// waited for too. Each finished child costs the join O(1): O(n) for n children.
    ///
    /// ```
    /// use filch::TaskGroup;
    ///
    /// let rt = filch::Runtime::new();
    /// let values = rt.block_on(async {
    ///     let group = TaskGroup::<u32, ()>::new();
    ///     (0..4).for_each(|i| { group.spawn(async move { Ok(i * 2) }); });
    ///     group.join().await
    /// });
    /// assert_eq!(values.unwrap(), [0, 2, 4, 6]);
    /// ```
    pub fn join(mut self) -> GroupJoin<T, E> {
        self.cancel_on_drop = false;
        GroupJoin {
            shared: self.spawner.shared.clone(),
            outputs: Vec::new(),
            collected: 0,
            waiting: None,
            finished: false,
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Drop for TaskGroup<T, E> {
    fn drop(&mut self) {
        if self.cancel_on_drop {
            self.spawner.shared.close();
        }
    }
}

/// Spawns children into a [`TaskGroup`]; cloneable, so children can spawn siblings.
///
/// A child it spawns after the group failed, was dropped, or finished joining is dropped
/// without running (its handle reports it cancelled).
///
/// ```
/// use filch::TaskGroup;
///
/// let rt = filch::Runtime::new();
/// let values = rt.block_on(async {
///     let group = TaskGroup::<u8, ()>::new();
///     let spawner = group.spawner();
///     spawner.clone().spawn(async { Ok(7) });
///     group.join().await
/// });
/// assert_eq!(values.unwrap(), [7]);
/// ```
pub struct Spawner<T: Send + 'static, E: Send + 'static> {
    shared: Arc<Shared<T, E>>,
}

impl<T: Send + 'static, E: Send + 'static> Clone for Spawner<T, E> {
    fn clone(&self) -> Self {
        Spawner {
            shared: self.shared.clone(),
        }
    }
}

impl<T: Send + 'static, E: Send + 'static> Spawner<T, E> {
    /// Spawns `future` as a child of the group, as [`TaskGroup::spawn`] does.
    ///
    /// ```
    /// let rt = filch::Runtime::new();
    /// rt.block_on(async {
    ///     let group = filch::TaskGroup::<u8, ()>::new();
    ///     let child = group.spawner().spawn(async { Ok(1) });
    ///     assert_eq!(child.index(), 0);
    ///     assert_eq!(group.join().await.unwrap(), [1]);
    /// });
    /// ```
    pub fn spawn<F>(&self, future: F) -> ChildHandle<T, E>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
    {
        let shared = &self.shared;
        // Spawn under the lock: an `abort` or `close` either sees this child or ran before,
        // and then this spawn sees the flag and starts nothing. The child's report cannot
        // reach the join before it is in `children`: the join takes this lock to look.
        let mut state = shared.lock();
        let index = state.children.len();
        let task = if state.aborted || state.closed {
            shared.completions.report(index); // never ran: done at once
            None
        } else {
            let reporter = Reporter::new(shared.completions.clone(), index);
            let child = guard(shared.clone(), index, future);
            Some(filch_executor::spawn(async move {
                let _report_when_dropped = reporter;
                child.await
            }))
        };
        state.children.push(Child {
            task,
            cancelled_by_handle: false,
        });
        ChildHandle {
            shared: shared.clone(),
            index,
        }
    }
}

/// One child of a [`TaskGroup`]: cancel it without failing the group.
///
/// Its value comes from [`TaskGroup::join`]; the handle only watches and cancels.
pub struct ChildHandle<T: Send + 'static, E: Send + 'static> {
    shared: Arc<Shared<T, E>>,
    index: usize,
}

impl<T: Send + 'static, E: Send + 'static> ChildHandle<T, E> {
    /// The child's place in spawn order (counting children cancelled or never started).
    ///
    /// ```
    /// filch::Runtime::new().block_on(async {
    ///     let group = filch::TaskGroup::<(), ()>::new();
    ///     assert_eq!(group.spawn(async { Ok(()) }).index(), 0);
    ///     assert_eq!(group.spawn(async { Ok(()) }).index(), 1);
    /// });
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// Cancels the child. `true` means it ends cancelled (the promise of
    /// `JoinHandle::cancel`), which is no failure of the group: the siblings run on and the
    /// child has no value in the join's. `false` if it had finished (or never started).
    ///
    /// ```
    /// filch::Runtime::new().block_on(async {
    ///     let group = filch::TaskGroup::<u8, ()>::new();
    ///     let child = group.spawn(std::future::pending());
    ///     assert!(child.cancel());
    ///     assert!(group.join().await.unwrap().is_empty());
    /// });
    /// ```
    pub fn cancel(&self) -> bool {
        let mut state = self.shared.lock();
        let child = &mut state.children[self.index];
        let cancelled = child.task.as_ref().is_some_and(JoinHandle::cancel);
        child.cancelled_by_handle |= cancelled;
        cancelled
    }

    /// Whether the child finished: returned, failed, was cancelled or never started.
    ///
    /// ```
    /// filch::Runtime::new().block_on(async {
    ///     let group = filch::TaskGroup::<u8, ()>::new();
    ///     let child = group.spawn(async { Ok(1) });
    ///     let _ = group.join().await;
    ///     assert!(child.done());
    /// });
    /// ```
    pub fn done(&self) -> bool {
        let state = self.shared.lock();
        state.children[self.index]
            .task
            .as_ref()
            .is_none_or(JoinHandle::done)
    }
}

impl<T: Send + 'static, E: Send + 'static> std::fmt::Debug for ChildHandle<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChildHandle")
            .field("index", &self.index)
            .field("done", &self.done())
            .finish()
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

/// The future of [`TaskGroup::join`].
#[must_use = "futures do nothing unless polled; dropping it cancels the group's children"]
pub struct GroupJoin<T: Send + 'static, E: Send + 'static> {
    shared: Arc<Shared<T, E>>,
    /// Child i's outcome once taken, `None` before.
    outputs: Vec<Option<Result<T, GatherError<E>>>>,
    collected: usize,
    /// A child that reported finished whose task has not completed yet: awaited next.
    waiting: Option<usize>,
    finished: bool,
}

// Outputs are moved, never pinned; the children's handles are `Unpin`.
impl<T: Send + 'static, E: Send + 'static> Unpin for GroupJoin<T, E> {}

impl<T: Send + 'static, E: Send + 'static> GroupJoin<T, E> {
    /// Takes child outcomes as they finish until every child is collected (then closes the
    /// group, in the same critical section, so that no child is spawned uncollected).
    fn poll_collect(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            let index = match self.waiting.take() {
                Some(index) => index,
                None => {
                    let mut state = self.shared.lock();
                    if self.collected == state.children.len() {
                        state.closed = true;
                        return Poll::Ready(());
                    }
                    drop(state);
                    ready!(self.shared.completions.poll_next(cx))
                }
            };
            let mut state = self.shared.lock();
            let output = match &mut state.children[index].task {
                None => Err(GatherError::Cancelled), // never started
                Some(task) => match Pin::new(task).poll(cx) {
                    Poll::Pending => {
                        self.waiting = Some(index);
                        return Poll::Pending;
                    }
                    Poll::Ready(output) => outcome(output),
                },
            };
            if self.outputs.len() <= index {
                self.outputs.resize_with(index + 1, || None);
            }
            self.outputs[index] = Some(output);
            self.collected += 1;
        }
    }

    fn finish(&mut self) -> Result<Vec<T>, GroupError<E>> {
        let state = self.shared.lock();
        let mut values = Vec::with_capacity(self.outputs.len());
        let mut errors = Vec::new();
        for (output, child) in self.outputs.drain(..).zip(&state.children) {
            match output.expect("every child is collected") {
                Ok(value) => values.push(value),
                // Cancelled by the group's abort, or through its handle (or never started):
                // a consequence, not a failure of its own.
                Err(GatherError::Cancelled)
                    if state.aborted || child.cancelled_by_handle || child.task.is_none() => {}
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
        assert!(
            !this.finished,
            "a GroupJoin was polled after it completed: await it once"
        );
        ready!(this.poll_collect(cx));
        this.finished = true;
        Poll::Ready(this.finish())
    }
}

impl<T: Send + 'static, E: Send + 'static> Drop for GroupJoin<T, E> {
    fn drop(&mut self) {
        if !self.finished {
            self.shared.close();
        }
    }
}
