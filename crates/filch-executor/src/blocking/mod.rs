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
//!
//! `pool.rs` holds the state machine (and its loom models); this file adds the tasks, the OS
//! threads and the hooks.

mod pool;

use crate::runtime::{context, hooks, Handle, ThreadFactory, ThreadHook};
use crate::scheduler::Shared;
use crate::sync::StdArc as Arc;
use crate::task::{self, Header, JoinHandle, Notified, Schedule};
use pool::{Pool, Pushed};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The blocking pool's settings.
pub(crate) struct BlockingConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) thread: ThreadFactory,
    pub(crate) on_start: Option<ThreadHook>,
    pub(crate) on_stop: Option<ThreadHook>,
}

pub(crate) struct BlockingPool {
    pool: Pool<Notified>,
    config: BlockingConfig,
    /// Blocking tasks pushed and not yet through their poll: while there are any, their
    /// threads want the cores, and the workers do not spin before they sleep (`is_busy`). A
    /// std atomic, Relaxed, even under loom: a hint that orders nothing and that no protocol
    /// reads (a stale value makes one search spin, or not).
    in_flight: AtomicUsize,
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
            pool: Pool::new(config.max_threads, config.keep_alive),
            config,
            in_flight: AtomicUsize::new(0),
        }
    }

    /// Whether blocking tasks are queued or running (see `in_flight`).
    pub(crate) fn is_busy(&self) -> bool {
        self.in_flight.load(Relaxed) > 0
    }

    fn push(&self, task: Notified, shared: &Arc<Shared>) {
        self.in_flight.fetch_add(1, Relaxed);
        match self.pool.push(task) {
            Pushed::Queued => {}
            Pushed::StartThread => self.start_thread(shared),
            // The registry is closed too: the task was or will be cancelled by shutdown.
            Pushed::Refused(task) => {
                self.in_flight.fetch_sub(1, Relaxed);
                drop(task)
            }
        }
    }

    fn start_thread(&self, shared: &Arc<Shared>) {
        let shared = shared.clone();
        let spawned = (self.config.thread)().spawn(move || {
            let config = &shared.blocking.config;
            // A panicking start hook has been reported by the panic hook; the thread still
            // serves the pool, so the task that made it start is not stranded (builder docs).
            let _ = hooks::run_caught(config.on_start.as_ref());
            context::set_blocking_thread(Handle::from_shared(shared.clone()));
            // A blocking task is never woken during its poll (it never returns `Pending`);
            // if one were, it would simply be queued again.
            let run = |task: Notified| {
                let again = task.run();
                shared.blocking.in_flight.fetch_sub(1, Relaxed);
                if let Some(again) = again {
                    shared.blocking.push(again, &shared);
                }
            };
            shared.blocking.pool.serve(run, || {
                if let Some(stop) = &config.on_stop {
                    stop();
                }
            });
        });
        if let Err(e) = spawned {
            if self.pool.start_failed() {
                // No thread would ever run the queued tasks: report it where it happened.
                panic!("filch: cannot start a blocking-pool thread: {e}");
            }
        }
    }

    /// Stops the pool: idle threads exit, then waits (until `deadline`, if any) for the busy
    /// ones, except the caller's own thread if it is one of them (`on_own_thread`). Queued
    /// tasks were cancelled by the registry; their `Notified`s are dropped here.
    pub(crate) fn shutdown(&self, deadline: Option<Instant>, on_own_thread: bool) {
        self.pool.shutdown(deadline, on_own_thread);
    }

    /// (threads alive, tasks queued), for the metrics.
    pub(crate) fn load(&self) -> (usize, usize) {
        self.pool.load()
    }
}
