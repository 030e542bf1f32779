//! [`Builder`]: every runtime setting, checked when the runtime is built.

use super::hooks::{self, OnExit, ThreadHook};
use super::{context, Handle, Runtime, WorkerExits};
use crate::blocking::{BlockingConfig, BlockingPool};
use crate::scheduler::idle::MAX_WORKERS;
use crate::scheduler::worker::Worker;
use crate::scheduler::{new_driver, new_queues, Config, Shared};
use crate::sync::{thread, StdArc as Arc};
use std::fmt;
use std::io;
use std::sync::mpsc;
use std::time::Duration;

/// How long a worker with nothing to do goes on looking before it sleeps. Waking a sleeping
/// worker costs its waker a futex call and the worker a scheduler round trip, several
/// microseconds on a VM whose idle vCPU halted; work that arrives within the spin is taken
/// at the cost of a steal round. An idle runtime pays this much CPU per worker per
/// burst of work, and nothing once asleep. Under Miri no spin: its clock is virtual, and a
/// spin would only slow the interpreter down.
#[cfg(not(miri))]
const SEARCH_SPIN: Duration = Duration::from_micros(20);
#[cfg(miri)]
const SEARCH_SPIN: Duration = Duration::ZERO;

/// Makes the `thread::Builder` for each new runtime thread.
pub(crate) type ThreadFactory = Arc<dyn Fn() -> thread::Builder + Send + Sync + 'static>;

/// Configures and builds a [`Runtime`].
///
/// | setting | default |
/// |---|---|
/// | [`worker_threads`](Self::worker_threads) | `num_cpus::get()` |
/// | [`thread_name`](Self::thread_name) | `"filch-worker"` (blocking threads: `"filch-worker-blocking"`) |
/// | [`thread_stack_size`](Self::thread_stack_size) | the platform's default |
/// | [`max_blocking_threads`](Self::max_blocking_threads) | 512 |
/// | [`thread_keep_alive`](Self::thread_keep_alive) | 10 s |
/// | [`global_queue_interval`](Self::global_queue_interval) | self-tuned: about every 200 µs of polling (2..=127 ticks) |
/// | [`max_lifo_polls`](Self::max_lifo_polls) | 3 |
///
/// # Example
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let started = Arc::new(AtomicUsize::new(0));
/// let counter = started.clone();
/// let rt = filch::Builder::new()
///     .worker_threads(2)
///     .thread_name("app-worker")
///     .on_thread_start(move || {
///         counter.fetch_add(1, Ordering::SeqCst);
///     })
///     .build()
///     .unwrap();
/// let name = rt.block_on(rt.spawn(async { std::thread::current().name().map(String::from) }));
/// assert_eq!(name.unwrap().as_deref(), Some("app-worker"));
/// drop(rt);
/// assert_eq!(started.load(Ordering::SeqCst), 2);
/// ```
#[derive(Clone)]
pub struct Builder {
    worker_threads: Option<usize>,
    thread_name: String,
    thread_stack_size: Option<usize>,
    on_thread_start: Option<ThreadHook>,
    on_thread_stop: Option<ThreadHook>,
    max_blocking_threads: usize,
    thread_keep_alive: Duration,
    global_queue_interval: Option<u32>,
    max_lifo_polls: u32,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

fn invalid(setting: &str, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("invalid runtime setting `{setting}`: {why}"),
    )
}

impl Builder {
    /// The default settings (see the table above).
    ///
    /// ```
    /// let rt = filch::Builder::new().build().unwrap();
    /// assert_eq!(rt.metrics().workers, num_cpus::get());
    /// ```
    pub fn new() -> Self {
        Self {
            worker_threads: None,
            thread_name: "filch-worker".into(),
            thread_stack_size: None,
            on_thread_start: None,
            on_thread_stop: None,
            max_blocking_threads: 512,
            thread_keep_alive: Duration::from_secs(10),
            global_queue_interval: None,
            max_lifo_polls: 3,
        }
    }

    /// How many worker threads run async tasks (at least 1).
    ///
    /// ```
    /// let err = filch::Builder::new().worker_threads(0).build().unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// assert!(err.to_string().contains("worker_threads"));
    /// ```
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        self.worker_threads = Some(n);
        self
    }

    /// The name of the worker threads; blocking-pool threads get it with `-blocking` added.
    ///
    /// ```
    /// let rt = filch::Builder::new().thread_name("io").build().unwrap();
    /// let name = rt.handle().spawn_blocking(|| std::thread::current().name().map(String::from));
    /// assert_eq!(rt.block_on(name).unwrap().as_deref(), Some("io-blocking"));
    /// ```
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.thread_name = name.into();
        self
    }

    /// The stack size of every runtime thread, in bytes (not 0).
    ///
    /// ```
    /// let rt = filch::Builder::new().thread_stack_size(4 << 20).build().unwrap();
    /// assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
    /// ```
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// Runs `f` on each runtime thread (worker or blocking) when it starts. [`build`] returns
    /// once every worker's hook has returned, so `f` must not wait for something the caller
    /// of `build` does afterwards.
    ///
    /// # If `f` panics
    /// - On a worker: `build` shuts down the workers that did start (their
    ///   [`on_thread_stop`] runs) and returns an error of kind [`io::ErrorKind::Other`] that
    ///   names the hook and carries the panic's message.
    /// - On a blocking-pool thread (started later, on demand, with no caller to report to):
    ///   the panic is reported by the panic hook as usual and the thread serves the pool
    ///   anyway (its stop hook runs too), so no blocking task waits for a thread that died.
    ///
    /// [`build`]: Self::build
    /// [`on_thread_stop`]: Self::on_thread_stop
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let started = Arc::new(AtomicUsize::new(0));
    /// let counter = started.clone();
    /// let rt = filch::Builder::new()
    ///     .worker_threads(2)
    ///     .on_thread_start(move || {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// drop(rt); // joins the workers, so both have started
    /// assert_eq!(started.load(Ordering::SeqCst), 2);
    ///
    /// let err = filch::Builder::new()
    ///     .worker_threads(1)
    ///     .on_thread_start(|| panic!("no config file"))
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("`on_thread_start` panicked on worker thread 0: no config file"));
    /// ```
    pub fn on_thread_start(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.on_thread_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on each runtime thread (worker or blocking) just before it exits. Dropping the
    /// runtime waits for every thread's hook to return (up to the deadline of
    /// [`Runtime::shutdown_timeout`]), except the dropping thread's own if it is one of the
    /// runtime's threads.
    ///
    /// # If `f` panics
    /// The thread still counts as exited (shutdown never waits for it in vain); the panic then
    /// ends the thread and is reported by the panic hook, like any panic of a thread that no
    /// one joins.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let stopped = Arc::new(AtomicUsize::new(0));
    /// let counter = stopped.clone();
    /// let rt = filch::Builder::new()
    ///     .worker_threads(3)
    ///     .on_thread_stop(move || {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// drop(rt);
    /// assert_eq!(stopped.load(Ordering::SeqCst), 3);
    /// ```
    pub fn on_thread_stop(&mut self, f: impl Fn() + Send + Sync + 'static) -> &mut Self {
        self.on_thread_stop = Some(Arc::new(f));
        self
    }

    /// The most threads the blocking pool starts (at least 1); more blocking tasks wait. A
    /// thread leaving after its [keep-alive](Self::thread_keep_alive) stops counting as it
    /// decides to leave, before its [`on_thread_stop`](Self::on_thread_stop) hook runs: a task
    /// pushed meanwhile starts a new thread.
    ///
    /// ```
    /// let rt = filch::Builder::new().max_blocking_threads(1).build().unwrap();
    /// let a = rt.handle().spawn_blocking(|| 1);
    /// let b = rt.handle().spawn_blocking(|| 2);
    /// assert_eq!(rt.block_on(async { a.await.unwrap() + b.await.unwrap() }), 3);
    /// ```
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        self.max_blocking_threads = n;
        self
    }

    /// How long an idle blocking thread waits for work before it exits.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = filch::Builder::new()
    ///     .thread_keep_alive(Duration::from_millis(1))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(rt.handle().spawn_blocking(|| 2)).unwrap(), 2);
    /// ```
    pub fn thread_keep_alive(&mut self, keep_alive: Duration) -> &mut Self {
        self.thread_keep_alive = keep_alive;
        self
    }

    /// Every `n` scheduling ticks a worker takes from the global injector before its own queue
    /// (at least 1; 1 means always first). Lower is fairer to remote spawns, higher favours
    /// locality. By default each worker tunes it so the look comes about every 200 µs of
    /// polling (between 2 and 127 ticks, as tokio); setting it fixes it.
    ///
    /// ```
    /// let rt = filch::Builder::new().global_queue_interval(31).build().unwrap();
    /// # drop(rt);
    /// assert!(filch::Builder::new().global_queue_interval(0).build().is_err());
    /// ```
    pub fn global_queue_interval(&mut self, n: u32) -> &mut Self {
        self.global_queue_interval = Some(n);
        self
    }

    /// How many times in a row a worker runs the task that the previous task woke (its LIFO
    /// slot) before letting the rest of its queue go first. 0 disables the LIFO slot.
    ///
    /// ```
    /// let rt = filch::Builder::new().max_lifo_polls(0).build().unwrap();
    /// assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
    /// ```
    pub fn max_lifo_polls(&mut self, n: u32) -> &mut Self {
        self.max_lifo_polls = n;
        self
    }

    fn validate(&self) -> io::Result<usize> {
        let workers = self.worker_threads.unwrap_or_else(num_cpus::get);
        if workers == 0 {
            return Err(invalid(
                "worker_threads",
                "a runtime needs at least 1 worker thread",
            ));
        }
        if workers > MAX_WORKERS {
            return Err(invalid(
                "worker_threads",
                &format!("at most {MAX_WORKERS} worker threads"),
            ));
        }
        if self.max_blocking_threads == 0 {
            return Err(invalid(
                "max_blocking_threads",
                "the blocking pool needs at least 1 thread",
            ));
        }
        if self.global_queue_interval == Some(0) {
            return Err(invalid("global_queue_interval", "must be at least 1"));
        }
        if self.thread_stack_size == Some(0) {
            return Err(invalid("thread_stack_size", "must be more than 0 bytes"));
        }
        Ok(workers)
    }

    /// Starts the runtime's worker threads and returns once each has run its
    /// [`on_thread_start`](Self::on_thread_start) hook. Fails with `InvalidInput` naming the
    /// setting if a setting is invalid, with the OS error if a thread cannot be started, or
    /// with `Other` if a worker's start hook panicked; the threads that did start are shut
    /// down first.
    ///
    /// ```
    /// let rt = filch::Builder::new().worker_threads(4).build().unwrap();
    /// assert_eq!(rt.metrics().workers, 4);
    /// ```
    pub fn build(&self) -> io::Result<Runtime> {
        let workers = self.validate()?;
        let config = Config {
            global_queue_interval: self.global_queue_interval,
            max_lifo_polls: self.max_lifo_polls,
            search_rounds: 3,
            search_spin: SEARCH_SPIN,
        };
        let blocking = BlockingPool::new(BlockingConfig {
            max_threads: self.max_blocking_threads,
            keep_alive: self.thread_keep_alive,
            thread: self.thread_factory("-blocking"),
            on_start: self.on_thread_start.clone(),
            on_stop: self.on_thread_stop.clone(),
        });
        let (queues, stealers) = new_queues(workers);
        let shared = Arc::new_cyclic(|shared| {
            Shared::new(config, stealers, blocking, new_driver(shared.clone()))
        });
        let handle = Handle::from_shared(shared.clone());
        let exited = Arc::new(WorkerExits::default());
        let worker_thread = self.thread_factory("");
        // From here on, dropping `runtime` shuts down whatever started.
        let mut runtime = Runtime::from_parts(handle, exited.clone(), 0);
        // Each worker reports whether its start hook returned or panicked.
        let (started_tx, started_rx) = mpsc::channel();
        for (index, queues) in queues.into_iter().enumerate() {
            let worker = Worker::new(shared.clone(), index, queues);
            let (start, stop, exited, started) = (
                self.on_thread_start.clone(),
                self.on_thread_stop.clone(),
                exited.clone(),
                started_tx.clone(),
            );
            let spawned = worker_thread().spawn(move || {
                // However this thread ends, shutdown must not wait for it in vain.
                let _exit = OnExit::new(|| exited.record());
                let hook = hooks::run_caught(start.as_ref());
                let failed = hook.is_err();
                // Unheard if `build` already failed on another worker's report.
                let _ = started.send((index, hook));
                if failed {
                    return; // `build` shuts the runtime down and returns the error.
                }
                context::run_worker(worker);
                if let Some(stop) = stop {
                    stop();
                }
            });
            match spawned {
                Ok(_) => runtime.workers += 1,
                Err(e) => return Err(e),
            }
        }
        for _ in 0..runtime.workers {
            let Ok((index, hook)) = started_rx.recv() else {
                unreachable!("every started worker reports its start hook")
            };
            if let Err(panic) = hook {
                // Dropping `runtime` (on return) shuts down the workers that did start.
                return Err(io::Error::other(format!(
                    "`on_thread_start` panicked on worker thread {index}: {panic}"
                )));
            }
        }
        Ok(runtime)
    }

    /// Makes `thread::Builder`s with the configured stack size, named after the setting.
    fn thread_factory(&self, suffix: &str) -> ThreadFactory {
        let (name, stack) = (
            format!("{}{suffix}", self.thread_name),
            self.thread_stack_size,
        );
        Arc::new(move || {
            let builder = thread::Builder::new().name(name.clone());
            match stack {
                Some(bytes) => builder.stack_size(bytes),
                None => builder,
            }
        })
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("worker_threads", &self.worker_threads)
            .field("thread_name", &self.thread_name)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.thread_keep_alive)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("max_lifo_polls", &self.max_lifo_polls)
            .finish_non_exhaustive()
    }
}
