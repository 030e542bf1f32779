//! The blocking pool: threads for closures that block, started on demand.
//!
//! `spawn_blocking` makes an ordinary task (so it has a `JoinHandle`, is in the registry, and
//! its panic is caught) whose future calls the closure on its first poll, and queues it here
//! instead of on the workers. A queued task is handed to an idle thread if one waits, else a
//! new thread is started, up to `max_threads`; beyond that it waits its turn. An idle thread
//! exits after `keep_alive` without work.
//!
//! Shutdown cancels the queued tasks like any other (through the registry); closures already
//! running cannot be interrupted, so shutdown waits for them (or gives up at its deadline).

use crate::runtime::context;
use crate::runtime::Handle;
use crate::scheduler::Shared;
use crate::sync::{Condvar, Mutex, StdArc as Arc};
use crate::task::{self, Header, JoinHandle, Notified, Schedule};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::runtime::{ThreadFactory, ThreadHook};

/// The blocking pool's settings.
pub(crate) struct BlockingConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) thread: ThreadFactory,
    pub(crate) on_start: Option<ThreadHook>,
    pub(crate) on_stop: Option<ThreadHook>,
}

pub(crate) struct BlockingPool {
    state: Mutex<PoolState>,
    /// Idle threads wait here for work.
    work: Condvar,
    /// Shutdown waits here for the threads to exit.
    exited: Condvar,
    config: BlockingConfig,
}

#[derive(Default)]
struct PoolState {
    queue: VecDeque<Notified>,
    threads: usize,
    /// Threads waiting on `work`.
    idle: usize,
    /// Wake-ups sent to idle threads and not yet taken: an idle thread is only "free" if
    /// `idle > notified`, so a burst of tasks starts new threads instead of queueing behind one.
    notified: usize,
    shutdown: bool,
}

/// Runs `f` on `shared`'s blocking pool.
pub(crate) fn spawn_blocking<F, R>(shared: &Arc<Shared>, f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let scheduler = BlockingSchedule(shared.clone());
    let (notified, handle) = task::spawn(BlockingTask(Some(f)), scheduler, &shared.registry);
    if let Some(notified) = notified {
        shared.blocking.push(notified, shared);
    }
    handle
}

/// A closure as a future that runs it on its first poll.
struct BlockingTask<F>(Option<F>);

impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self.0.take().expect("a blocking task runs once");
        Poll::Ready(f())
    }
}

/// The scheduler of blocking tasks. They never return `Pending`, so they are only scheduled
/// when spawned and when cancelled while queued (which `JoinHandle::cancel` does not need:
/// they are never idle); both cases just (re)queue them.
struct BlockingSchedule(Arc<Shared>);

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified) {
        self.0.blocking.push(task, &self.0);
    }
    fn reschedule(&self, task: Notified) {
        self.0.blocking.push(task, &self.0);
    }
    fn release(&self, task: &Header) -> bool {
        self.0.registry.remove(task, None)
    }
    fn home_shard(&self) -> Option<usize> {
        None
    }
}

impl BlockingPool {
    pub(crate) fn new(config: BlockingConfig) -> Self {
        Self {
            state: Mutex::new(PoolState::default()),
            work: Condvar::new(),
            exited: Condvar::new(),
            config,
        }
    }

    fn push(&self, task: Notified, shared: &Arc<Shared>) {
        let mut state = self.state.lock();
        if state.shutdown {
            // The registry is closed too: the task was or will be cancelled by shutdown.
            return drop(task);
        }
        state.queue.push_back(task);
        if state.idle > state.notified {
            state.notified += 1;
            self.work.notify_one();
        } else if state.threads < self.config.max_threads {
            state.threads += 1;
            drop(state);
            self.start_thread(shared);
        }
    }

    fn start_thread(&self, shared: &Arc<Shared>) {
        let shared = shared.clone();
        let spawned = (self.config.thread)().spawn(move || {
            let pool = &shared.blocking;
            if let Some(start) = &pool.config.on_start {
                start();
            }
            context::set_blocking_thread(Handle::from_shared(shared.clone()));
            pool.run();
            if let Some(stop) = &pool.config.on_stop {
                stop();
            }
            let mut state = pool.state.lock();
            state.threads -= 1;
            pool.exited.notify_all();
        });
        if let Err(e) = spawned {
            let mut state = self.state.lock();
            state.threads -= 1;
            if state.threads == 0 {
                // No thread would ever run the queued tasks: report it where it happened.
                panic!("filch: cannot start a blocking-pool thread: {e}");
            }
        }
    }

    /// A blocking thread's loop: run queued tasks; exit after `keep_alive` idle, or at shutdown.
    fn run(&self) {
        let mut state = self.state.lock();
        loop {
            if let Some(task) = state.queue.pop_front() {
                drop(state);
                task.run();
                state = self.state.lock();
                continue;
            }
            if state.shutdown {
                return;
            }
            let deadline = Instant::now() + self.config.keep_alive;
            state.idle += 1;
            let woken = loop {
                let now = Instant::now();
                if state.notified > 0 {
                    state.notified -= 1;
                    break true;
                }
                if state.shutdown || now >= deadline {
                    break false;
                }
                state = crate::sync::wait_timeout(&self.work, state, deadline - now);
            };
            state.idle -= 1;
            if !woken && state.queue.is_empty() {
                return;
            }
        }
    }

    /// Stops the pool: idle threads exit, then waits (until `deadline`, if any) for the busy
    /// ones. Queued tasks were cancelled by the registry; their `Notified`s are dropped here.
    pub(crate) fn shutdown(&self, deadline: Option<Instant>) {
        let mut state = self.state.lock();
        state.shutdown = true;
        let queued = std::mem::take(&mut state.queue);
        self.work.notify_all();
        while state.threads > 0 {
            state = match deadline {
                None => self.exited.wait(state).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    crate::sync::wait_timeout(&self.exited, state, deadline - now)
                }
            };
        }
        drop(state);
        drop(queued);
    }

    /// (threads alive, tasks queued), for the metrics.
    pub(crate) fn load(&self) -> (usize, usize) {
        let state = self.state.lock();
        (state.threads, state.queue.len())
    }
}
