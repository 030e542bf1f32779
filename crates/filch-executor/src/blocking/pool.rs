//! The blocking pool's state machine: the queue, the thread count, and the decisions made
//! under its lock (push, a thread's next step, its exit, shutdown).
//!
//! Generic over the job so that the loom models below drive this very code with a trivial
//! job; the runtime's pool (`super::BlockingPool`) uses it with task `Notified`s and only adds
//! the OS threads and the hooks around it.
//!
//! # Exit vs push
//!
//! A push relies on the counts it reads under the lock: it starts a thread only while
//! `threads < max_threads`, and hands the job to an idle thread only while one waits. A thread
//! that finds the queue empty past its keep-alive therefore leaves `threads` in the **same**
//! lock hold as its last look at the queue, and only then runs its stop hook: a push after
//! that hold sees the cap free and starts a new thread; a push before it is seen by that last
//! look. (Decrementing after the stop hook left a window in which a push saw the cap reached
//! and no idle thread, and queued a job no thread would ever take.)
//!
//! A thread between that decision and the end of its stop hook is counted in `exiting`:
//! it takes no work and does not count against `max_threads`, but shutdown still waits for it,
//! so once shutdown returns every pool thread's stop hook has returned.

use crate::runtime::hooks::OnExit;
use crate::sync::{Condvar, Mutex};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub(crate) struct Pool<J> {
    state: Mutex<State<J>>,
    /// Idle threads wait here for work.
    work: Condvar,
    /// Shutdown waits here for the threads to exit.
    exited: Condvar,
    max_threads: usize,
    keep_alive: Duration,
}

struct State<J> {
    queue: VecDeque<J>,
    /// Threads that take work: started (or being started) and not yet decided to exit. What
    /// `max_threads` bounds.
    threads: usize,
    /// Threads that decided to exit and have not finished their stop hook yet.
    exiting: usize,
    /// Threads waiting on `work`.
    idle: usize,
    /// Wake-ups sent to idle threads and not yet taken: an idle thread is only "free" if
    /// `idle > notified`, so a burst of jobs starts new threads instead of queueing behind one.
    notified: usize,
    shutdown: bool,
}

/// What [`Pool::push`] did with a job.
#[must_use]
pub(crate) enum Pushed<J> {
    /// Queued for a running thread (an idle one was woken, or all are busy at the cap).
    Queued,
    /// Queued, and counted a new thread: the caller must start one that calls
    /// [`Pool::serve`], or report that it could not with [`Pool::start_failed`].
    StartThread,
    /// The pool is shut down: the job is handed back to be dropped.
    Refused(J),
}

impl<J> Pool<J> {
    pub(crate) fn new(max_threads: usize, keep_alive: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                threads: 0,
                exiting: 0,
                idle: 0,
                notified: 0,
                shutdown: false,
            }),
            work: Condvar::new(),
            exited: Condvar::new(),
            max_threads,
            keep_alive,
        }
    }

    pub(crate) fn push(&self, job: J) -> Pushed<J> {
        let mut state = self.state.lock();
        if state.shutdown {
            return Pushed::Refused(job);
        }
        state.queue.push_back(job);
        if state.idle > state.notified {
            state.notified += 1;
            self.work.notify_one();
            Pushed::Queued
        } else if state.threads < self.max_threads {
            state.threads += 1;
            Pushed::StartThread
        } else {
            Pushed::Queued
        }
    }

    /// The thread counted by a `Pushed::StartThread` could not be started. Returns `true` if
    /// queued jobs are left with no thread to run them.
    pub(crate) fn start_failed(&self) -> bool {
        let mut state = self.state.lock();
        state.threads -= 1;
        state.threads == 0 && !state.queue.is_empty()
    }

    /// A pool thread's life: runs each job it takes with `run` until it decides to exit (idle
    /// past the keep-alive, or shutdown), then calls `stop` and records its exit, even if
    /// `stop` panics (the panic then goes on, ending the thread).
    pub(crate) fn serve(&self, mut run: impl FnMut(J), stop: impl FnOnce()) {
        while let Some(job) = self.next_job() {
            run(job);
        }
        let _exit = OnExit::new(|| self.thread_exited());
        stop();
    }

    fn thread_exited(&self) {
        let mut state = self.state.lock();
        state.exiting -= 1;
        self.exited.notify_all();
    }

    /// The next job for this thread, or `None` when it must exit: then it has already left
    /// `threads` for `exiting`, in the lock hold that found the queue empty (module docs).
    fn next_job(&self) -> Option<J> {
        let mut state = self.state.lock();
        loop {
            if let Some(job) = state.queue.pop_front() {
                return Some(job);
            }
            if !state.shutdown {
                let deadline = Instant::now() + self.keep_alive;
                state.idle += 1;
                let woken = loop {
                    if state.notified > 0 {
                        state.notified -= 1;
                        break true;
                    }
                    let now = Instant::now();
                    if state.shutdown || now >= deadline {
                        break false;
                    }
                    state = crate::sync::wait_timeout(&self.work, state, deadline - now);
                };
                state.idle -= 1;
                if woken || !state.queue.is_empty() {
                    continue;
                }
            }
            state.threads -= 1;
            state.exiting += 1;
            return None;
        }
    }

    /// Stops the pool: idle threads exit, then waits (until `deadline`, if any) for every
    /// thread to finish its stop hook, except the caller's own when `on_own_thread` (a job of
    /// this pool shutting it down cannot wait for itself). Drops the queued jobs.
    pub(crate) fn shutdown(&self, deadline: Option<Instant>, on_own_thread: bool) {
        let mut state = self.state.lock();
        state.shutdown = true;
        let queued = std::mem::take(&mut state.queue);
        self.work.notify_all();
        let others = |state: &State<J>| state.threads + state.exiting > usize::from(on_own_thread);
        while others(&state) {
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

    /// (threads alive, jobs queued), for the metrics.
    pub(crate) fn load(&self) -> (usize, usize) {
        let state = self.state.lock();
        (state.threads + state.exiting, state.queue.len())
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::{thread, Arc, AtomicBool, AtomicUsize, Ordering::SeqCst};

    /// Pushes `job`; starts the thread the push asks for, running `run` on each job.
    fn push_and_start(
        pool: &Arc<Pool<usize>>,
        job: usize,
        ran: &Arc<AtomicUsize>,
        threads: &mut Vec<thread::JoinHandle<()>>,
    ) {
        match pool.push(job) {
            Pushed::Queued => {}
            Pushed::StartThread => {
                let (pool, ran) = (pool.clone(), ran.clone());
                threads.push(thread::spawn(move || {
                    pool.serve(
                        |_| {
                            ran.fetch_add(1, SeqCst);
                        },
                        || {},
                    )
                }));
            }
            Pushed::Refused(_) => unreachable!("not shut down"),
        }
    }

    /// One thread at most, no keep-alive: the thread that ran the first job exits as soon as
    /// it finds the queue empty, while the second job is pushed. Whatever the interleaving,
    /// both jobs run: the push either is seen by the exiting thread's last look or sees the
    /// cap free and starts a new thread. (Fails if the thread leaves the count after its
    /// stop hook rather than in its last look's lock hold.)
    #[test]
    fn exit_vs_push_strands_no_job() {
        loom::model(|| {
            let pool = Arc::new(Pool::new(1, Duration::ZERO));
            let ran = Arc::new(AtomicUsize::new(0));
            let mut threads = Vec::new();
            push_and_start(&pool, 0, &ran, &mut threads);
            push_and_start(&pool, 1, &ran, &mut threads);
            for t in threads {
                t.join().unwrap();
            }
            assert_eq!(
                ran.load(SeqCst),
                2,
                "a job was queued with no thread to run it"
            );
            pool.shutdown(None, false);
        });
    }

    /// A pool thread leaving while shutdown runs: shutdown returns only after the thread's
    /// stop hook has returned, whether the thread left on its own (no keep-alive: it exits
    /// once the queue is empty, maybe before shutdown looks) or was idle (its keep-alive
    /// never ends under loom) until shutdown woke it.
    #[test]
    fn shutdown_waits_for_the_stop_hook() {
        for keep_alive in [Duration::ZERO, Duration::from_secs(3600)] {
            loom::model(move || {
                let pool = Arc::new(Pool::<usize>::new(1, keep_alive));
                let stopped = Arc::new(AtomicBool::new(false));
                assert!(matches!(pool.push(0), Pushed::StartThread));
                let (p, s) = (pool.clone(), stopped.clone());
                let thread = thread::spawn(move || p.serve(|_| {}, || s.store(true, SeqCst)));
                pool.shutdown(None, false);
                assert!(
                    stopped.load(SeqCst),
                    "shutdown returned before the stop hook"
                );
                thread.join().unwrap();
            });
        }
    }

    /// A job that shuts its own pool down (a runtime dropped inside its own `spawn_blocking`
    /// closure) returns from the shutdown: it does not wait for its own thread.
    #[test]
    fn a_job_shutting_its_own_pool_down_returns() {
        loom::model(|| {
            let pool = Arc::new(Pool::<usize>::new(1, Duration::from_secs(3600)));
            let shut_down = Arc::new(AtomicBool::new(false));
            assert!(matches!(pool.push(0), Pushed::StartThread));
            let (p, s) = (pool.clone(), shut_down.clone());
            let thread = thread::spawn(move || {
                p.serve(
                    |_| {
                        p.shutdown(None, true);
                        s.store(true, SeqCst);
                    },
                    || {},
                )
            });
            thread.join().unwrap();
            assert!(shut_down.load(SeqCst));
        });
    }
}
