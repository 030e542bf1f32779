//! One worker: its run loop, where it finds the next task, and how it stops.
//!
//! Order in which a worker looks for its next task (`next_task`, then `search`):
//! 1. every `global_queue_interval` ticks, the injector first (so remote work is not starved
//!    by a worker whose own queue never empties). Unless the builder fixed it, each worker
//!    tunes that interval so the look comes about every [`GLOBAL_QUEUE_TARGET`] of polling
//!    (tokio's self-tuning, which targets 200 µs): short polls mean a long interval and little
//!    overhead, long polls a short one, so remote work waits about as long either way. The
//!    pick after a task yielded (was woken during its own poll) also looks there first:
//!    `yield_now` means "let others run", and remote work is others too (tokio gets the same
//!    effect by deferring yielded tasks until its drivers were polled). A self-tuned worker
//!    that leaves a backlog in the injector when it takes its batch looks again after
//!    [`MIN_INTERVAL`] ticks: the interval was tuned to the polls before the batch (after a
//!    batch of short tasks it is long), and a worker whose own queue never empties (a chain
//!    of spawns in its LIFO slot) would otherwise leave the backlog waiting that long per
//!    batch (tokio's `busy2` shape: 1,000 remote spawns took 4 ms against smol's 0.8 ms).
//!    A task injected while every worker is busy (awake, none searching: nobody is woken for
//!    it) pokes them (`Idle::take_injector_poke`): the first self-tuned worker to see the poke
//!    looks within [`MIN_INTERVAL`] ticks too. Without it the first look after a burst came a
//!    whole interval late, and the interval tuned during a burst of short tasks is long (127
//!    ticks of 10 µs polls: 1.3 ms before the first of `busy2`'s tasks ran);
//! 2. the LIFO slot (only non-empty here if something was scheduled outside a poll);
//! 3. its own queue (FIFO);
//! 4. a batch from the injector: this worker's share of it (`len / workers + 1`, at most
//!    [`MAX_INJECTED_BATCH`], as tokio), so a burst of remote spawns takes few visits; one
//!    task when the worker's polls are long (its self-tuned interval at the minimum), so
//!    long tasks from outside run in the order they came instead of waiting in one
//!    worker's batch while another worker takes newer ones;
//! 5. searching (if the throttle allows): steal half of a random victim's queue, trying every
//!    other worker from a random start, then the injector again, round after round for the
//!    builder's search spin (20 µs; after the first three rounds it yields the core between
//!    rounds, so a thread that wants it gets it; no spin while blocking-pool tasks run)
//!    before parking: work that comes within the spin is taken without a futex wake on
//!    either side, where an unpark costs a waker a syscall and the woken worker several
//!    microseconds on a VM whose idle vCPU halted (the wake round trip of
//!    `docs/benchmarks.md`). Searchers never take from LIFO slots: they would only move a
//!    chain of tasks from core to core;
//! 6. sleep (the idle protocol in `idle.rs`); one sleeper may be the LIFO watcher (below).
//!
//! A task woken or spawned by the running task goes to the LIFO slot (message-passing
//! locality: the woken task's data is hot in this cache); the task it displaces goes to the
//! back of the queue. After each poll the worker runs the LIFO task, at most `max_lifo_polls`
//! times in a row; then the slot's task goes to the back of the queue so nothing starves.
//!
//! If the running task blocks its worker waiting for the slot's task (a std channel `recv`),
//! the LIFO watcher takes it: while some worker is awake, one sleeping worker (see `idle.rs`)
//! parks for at most [`LIFO_WATCH_PERIOD`]; at each timed wake-up it looks at the slots
//! (`watch.rs`) and steals a task that waited the whole period. The role follows the awake
//! count, so a put tells no one: a chain of spawns costs its worker a plain store and one
//! Relaxed load per put (`Idle::after_lifo_put`) and a swap per take; the watcher costs one wake-up per period while some worker is awake and
//! another sleeps, and none once every worker sleeps.

use super::idle::Idle;
use super::jobs::JobDeque;
use super::lifo::LifoSlot;
use super::queue::{Local, Steal};
use super::watch::LifoWatch;
use super::{Config, Queues, Shared, WorkerHome, TIMER_INTERVAL};
use crate::join::{JobRef, Latch};
use crate::runtime::metrics::Counters;
use crate::sync::StdArc as Arc;
use crate::task::{self, JoinHandle, Notified};
use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

/// How much polling a self-tuned worker does between two injector-first looks (tokio's
/// `TARGET_GLOBAL_QUEUE_INTERVAL`).
const GLOBAL_QUEUE_TARGET: Duration = Duration::from_micros(200);
/// The shortest self-tuned interval, in ticks (tokio's).
const MIN_INTERVAL: u32 = 2;
/// The longest self-tuned interval, in ticks (tokio's).
const MAX_INTERVAL: u32 = 127;
/// Where the self-tuned interval starts (tokio's fixed default).
const INITIAL_INTERVAL: u32 = 61;
/// The most tasks one visit moves from the injector into the local queue (tokio: 128).
const MAX_INJECTED_BATCH: usize = 128;
/// The longest pause between two steal rounds of a search, as a power of two of spin-loop
/// hints: 4, a fraction of a microsecond (a `pause` is up to ~140 cycles on recent Intel
/// cores), so work that arrives during a search spin is seen almost at once.
const MAX_BACKOFF_SHIFT: u32 = 2;
/// How long the LIFO watcher parks between two looks: a stranded task is rescued after one to
/// two periods, and the watcher wakes at most once a period while some worker is awake. Under
/// loom a timed park never times out (`sync::wait_timeout`), so the period is zero there: the
/// watcher's park only consumes a pending token or yields (`park.rs`), and every return is a
/// look, until the watch ends (it steals, is woken, or nobody is awake).
#[cfg(not(loom))]
const LIFO_WATCH_PERIOD: Duration = Duration::from_millis(5);
#[cfg(loom)]
const LIFO_WATCH_PERIOD: Duration = Duration::ZERO;
/// How many async tasks a worker may poll nested inside fork-join waits on its stack: one
/// lets a worker whose `join` waits for a stolen half serve the tasks queued on it (a job
/// boundary is where due async work gets in), and bounds the stack that a chain of tasks each
/// waiting in a `join` would otherwise grow without end.
const MAX_TASK_NESTING: u32 = 1;

/// Something a worker runs: an async task's poll, or a fork-join job.
enum Work {
    Task(Notified),
    Job(JobRef),
}

/// A worker's own state, living in its thread's context; shared-reference methods only, so
/// `schedule_local`, called from inside a poll, can reach it while the run loop holds it too.
pub(crate) struct Worker {
    shared: Arc<Shared>,
    /// The scheduler of the tasks spawned here (see `WorkerHome`).
    home: Arc<WorkerHome>,
    index: usize,
    queue: Local,
    /// This worker's fork-join jobs (`crate::join`): empty whenever no `join` or `scope` is
    /// on its stack, since each takes back or waits for every job it pushed.
    jobs: JobDeque,
    /// Task polls running inside fork-join waits on this thread (see [`MAX_TASK_NESTING`]).
    task_nesting: Cell<u32>,
    /// Whether this worker's LIFO slot may hold a task: set by every put, cleared by every
    /// take of the owner. Only the owner puts, so `false` means empty: the owner skips the
    /// atomic take after every poll that put nothing there (most polls), and a put into the
    /// empty slot is a plain store, not a swap. A thief's take leaves it `true`: the owner's
    /// next take then finds the slot empty.
    lifo_maybe_full: Cell<bool>,
    /// What this worker saw at its last look as the LIFO watcher.
    watch: LifoWatch,
    searching: Cell<bool>,
    /// A task yielded (was woken during its own poll) since the last pick: the next pick looks
    /// at the injector first, so `yield_now` lets remote work in too, not only this queue.
    yielded: Cell<bool>,
    tick: Cell<u32>,
    /// Ticks left before the next injector-first look.
    injector_countdown: Cell<u32>,
    /// The current injector-first interval, and when it started (clock and tick, for
    /// self-tuning: a backlog may end an interval early, so its length in ticks is counted).
    interval: Cell<u32>,
    interval_started: Cell<(Instant, u32)>,
    rng: Cell<u64>,
}

impl Worker {
    pub(crate) fn new(shared: Arc<Shared>, index: usize, queues: Queues) -> Self {
        let seed = crate::sync::rng_seed(index) | 1;
        let interval = shared
            .config
            .global_queue_interval
            .unwrap_or(INITIAL_INTERVAL);
        Self {
            watch: LifoWatch::new(shared.num_workers(), index),
            home: Arc::new(WorkerHome::new(shared.clone(), index)),
            shared,
            index,
            queue: queues.tasks,
            jobs: queues.jobs,
            task_nesting: Cell::new(0),
            lifo_maybe_full: Cell::new(false),
            searching: Cell::new(false),
            yielded: Cell::new(false),
            tick: Cell::new(0),
            injector_countdown: Cell::new(interval),
            interval: Cell::new(interval),
            interval_started: Cell::new((Instant::now(), 0)),
            rng: Cell::new(seed),
        }
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// This worker's index in its runtime.
    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// The idle protocol of this worker's runtime (what a latch setter wakes an owner with).
    pub(crate) fn idle(&self) -> &Idle {
        &self.shared.idle
    }

    fn config(&self) -> &Config {
        &self.shared.config
    }

    fn counters(&self) -> &Counters {
        &self.shared.remotes[self.index].counters
    }

    fn lifo(&self) -> &LifoSlot {
        &self.shared.remotes[self.index].lifo
    }

    /// The owner's take from its own LIFO slot.
    fn take_lifo(&self) -> Option<Notified> {
        if !self.lifo_maybe_full.replace(false) {
            return None;
        }
        self.lifo().take()
    }

    /// The run loop; returns after shutdown, once this worker's share of it is done.
    pub(crate) fn run(&self) {
        while !self.shared.is_shutdown() {
            if let Some(work) = self
                .next_task()
                .map(Work::Task)
                .or_else(|| self.search(true))
                .or_else(|| self.sleep(None).map(Work::Task))
            {
                self.run_work(work);
            }
        }
        self.shutdown();
    }

    /// The spent cooperative budget of the task this worker is polling
    /// (`filch_futures::coop::with_renewable_budget`): whether it may go on with a fresh one.
    /// Not if anything else waits that only this worker serves now: a task in its queue or the
    /// injector, a due timer, a fork-join frame under the poll (a nested poll: the frame
    /// resumes only once it returns), or shutdown. The task in its LIFO slot (which the
    /// running task spawned or woke) is the one no other worker may take: with other workers
    /// it goes to the injector, where a busy one looks within `MIN_INTERVAL` ticks (the poke
    /// of `Idle::new_injected_task`), and the task goes on; should it still be there at the
    /// next spent budget, the task yields. Alone with one worker, it yields for it.
    ///
    /// Why not simply yield, as tokio does: with nothing else to run the yield brings the
    /// same task straight back, and a combinator that does not know the budget pays for each
    /// one. `futures::future::join_all` over 100,000 done handles, whose first pass over its
    /// children meets the last spawned one in the LIFO slot, took half again as long after a
    /// single yield (`filch_futures::coop`'s module docs).
    pub(crate) fn renew_budget(&self) -> bool {
        let others_wait = !self.queue.is_empty()
            || !self.shared.injector.is_empty()
            || self.task_nesting.get() > 0
            || self.shared.is_shutdown()
            || self
                .shared
                .driver
                .next_deadline()
                .is_some_and(|due| due <= Instant::now());
        if others_wait {
            return false;
        }
        if self.shared.num_workers() == 1 {
            return !self.lifo_maybe_full.get();
        }
        if let Some(next) = self.take_lifo() {
            self.shared.inject(next);
        }
        true
    }

    /// Pushes a fork-join job on this worker's deque, where idle workers can steal it.
    pub(crate) fn push_job(&self, job: JobRef) {
        self.jobs.push(job);
        // Best effort, as for a task in the local queue: this worker runs the job itself if
        // nobody comes for it.
        self.shared.idle.new_local_task();
    }

    /// A fork-join leaf's boundary (see `join::let_async_in`): fire due timers, and poll one
    /// async task waiting on this worker, unless task polls already nest here.
    pub(crate) fn serve_due_async(&self) {
        if self.task_nesting.get() >= MAX_TASK_NESTING {
            return;
        }
        self.shared.driver.fire_expired(Instant::now());
        if let Some(task) = self.next_task() {
            self.run_nested_task(task);
        }
    }

    /// Polls `task` inside a fork-join wait or leaf on this thread, counted in the nesting.
    fn run_nested_task(&self, task: Notified) {
        self.task_nesting.set(self.task_nesting.get() + 1);
        self.run_work(Work::Task(task));
        self.task_nesting.set(self.task_nesting.get() - 1);
    }

    /// Takes back the newest job of this worker's deque.
    pub(crate) fn pop_job(&self) -> Option<JobRef> {
        self.jobs.pop()
    }

    /// Runs other work until `latch` is set: the jobs on this worker's deque, then (at most
    /// [`MAX_TASK_NESTING`] deep) its own async tasks, then what it can steal: jobs before
    /// tasks, from every other worker. With nothing to do, it falls asleep on the latch (the
    /// idle protocol's sleep, which the latch's setter ends: `join/latch.rs`), so it never
    /// sleeps while work it could do is queued and never misses the set.
    pub(crate) fn wait_until(&self, latch: &Latch) {
        while !latch.probe() {
            if let Some(job) = self.pop_job() {
                // SAFETY: a job taken from this worker's deque has not run, and its frame
                // waits for it.
                unsafe { job.execute(self) };
                continue;
            }
            let tasks = self.task_nesting.get() < MAX_TASK_NESTING;
            let work = tasks
                .then(|| self.next_task().map(Work::Task))
                .flatten()
                .or_else(|| self.search(tasks))
                .or_else(|| self.sleep(Some(latch)).map(Work::Task));
            match work {
                Some(Work::Task(task)) => self.run_nested_task(task),
                Some(job) => self.run_work(job),
                None => {}
            }
        }
        if self.searching.replace(false) {
            // Woken (or still) searching: going back to the task that waited is work found.
            let shared = &self.shared;
            shared.idle.work_found(|| shared.work_visible());
        }
    }

    /// One pick and run of this worker's own work (no search, no sleep), for a loom model that
    /// plays the owner of a LIFO slot on its own thread.
    #[cfg(all(test, loom))]
    pub(super) fn run_next_task(&self) {
        if let Some(task) = self.next_task() {
            self.run_task(task);
        }
    }

    /// Spawns `future` from this worker's thread: it goes to the LIFO slot.
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (notified, handle) = task::spawn(future, self.home.clone(), &self.shared.registry);
        if let Some(notified) = notified {
            self.schedule_local(notified, false);
        }
        handle
    }

    /// A task woken or spawned on this worker's thread.
    pub(crate) fn schedule_local(&self, task: Notified, is_yield: bool) {
        if is_yield || self.config().max_lifo_polls == 0 {
            self.yielded.set(self.yielded.get() | is_yield);
            self.queue.push(task);
            self.shared.idle.new_local_task();
        } else {
            let may_be_full = self.lifo_maybe_full.replace(true);
            let displaced = self.lifo().put(task, may_be_full);
            self.shared.idle.after_lifo_put();
            if let Some(displaced) = displaced {
                self.queue.push(displaced);
                self.shared.idle.new_local_task();
            }
        }
    }

    fn next_task(&self) -> Option<Notified> {
        let tick = self.tick.get().wrapping_add(1);
        self.tick.set(tick);
        if tick.is_multiple_of(TIMER_INTERVAL) {
            self.shared.driver.fire_expired(Instant::now());
        }
        let mut countdown = self.injector_countdown.get() - 1;
        if countdown > MIN_INTERVAL && self.self_tuned() && self.shared.idle.take_injector_poke() {
            // A task was injected while every worker was busy: look within MIN_INTERVAL ticks,
            // as for a backlog, not a tuned interval later (step 1 of the module docs).
            countdown = MIN_INTERVAL;
        }
        if countdown == 0 {
            self.injector_countdown.set(self.retune_interval());
        } else {
            self.injector_countdown.set(countdown);
        }
        if countdown == 0 || self.yielded.replace(false) {
            if let Some(task) = self.take_injected() {
                return Some(task);
            }
        }
        self.take_lifo()
            .or_else(|| self.queue.pop())
            .or_else(|| self.take_injected())
    }

    /// The next injector-first interval: the builder's, or one that makes the last interval's
    /// mean poll time add up to [`GLOBAL_QUEUE_TARGET`], moved halfway there so one odd poll
    /// does not swing it. One clock read per interval. The mean is over the ticks the interval
    /// really lasted: a backlog look cuts it short (`take_injected`), and dividing by the
    /// tuned length instead would read 2 polls of 10 µs as 127 polls of 0.16 µs and keep the
    /// interval at its maximum, so the first look after a burst came 1.3 ms late (`busy2`).
    fn retune_interval(&self) -> u32 {
        if let Some(fixed) = self.config().global_queue_interval {
            return fixed;
        }
        let (now, tick) = (Instant::now(), self.tick.get());
        let (started, first_tick) = self.interval_started.replace((now, tick));
        let elapsed = now.duration_since(started);
        let ticks = tick.wrapping_sub(first_tick).max(1);
        let interval = self.interval.get();
        let per_tick = (elapsed / ticks).as_nanos().max(1);
        let ideal = (GLOBAL_QUEUE_TARGET.as_nanos() / per_tick)
            .clamp(u128::from(MIN_INTERVAL), u128::from(MAX_INTERVAL)) as u32;
        let next = (interval + ideal) / 2;
        self.interval.set(next);
        next
    }

    /// Whether this self-tuned worker's recent polls were long: its interval is at the
    /// minimum, so a poll took about `GLOBAL_QUEUE_TARGET / MIN_INTERVAL` (70-100 µs) or more.
    /// Then a batch from the injector buys nothing (the steal it saves is a fraction of a
    /// microsecond against a poll of a hundred) and costs fairness: the batch's tasks wait one
    /// behind the other on this worker while another worker takes newer ones from the
    /// injector (`cpu_service`'s requests of fib(28): p99 twice rayon's, issue 13). One task
    /// at a time keeps the injector's order, as one global queue would.
    fn polls_are_long(&self) -> bool {
        self.self_tuned() && self.interval.get() <= MIN_INTERVAL
    }

    /// Whether this worker tunes its own injector interval (the builder fixed none): the
    /// interval then says how long its polls are, and may be shortened for a backlog.
    fn self_tuned(&self) -> bool {
        self.config().global_queue_interval.is_none()
    }

    /// This worker's share of the injector into the local queue (one task if its polls are
    /// long), returning one task.
    fn take_injected(&self) -> Option<Notified> {
        let injector = &self.shared.injector;
        let share = if self.polls_are_long() {
            1
        } else {
            (injector.len() / self.shared.num_workers() + 1).min(MAX_INJECTED_BATCH)
        };
        loop {
            match injector.steal_into(&self.queue, share) {
                Steal::Success { task, moved } => {
                    if moved > 0 {
                        // The rest of the batch waits behind `task`, reachable only by a
                        // thief: recruit one, as for an injection (a `task` that blocks its
                        // worker must not strand them).
                        self.shared.idle.new_batch_in_local_queue();
                    }
                    if self.self_tuned() && !injector.is_empty() {
                        // A backlog: the next injector-first look comes soon, not a tuned
                        // interval later (step 1 of the module docs).
                        self.injector_countdown
                            .set(self.injector_countdown.get().min(MIN_INTERVAL));
                    }
                    return Some(task);
                }
                Steal::Empty => return None,
                Steal::Retry => std::hint::spin_loop(),
            }
        }
    }

    fn run_work(&self, work: Work) {
        if self.searching.replace(false) {
            // Every queue, not only this worker's and the injector: a producer that saw this
            // worker searching woke no one, whichever queue it pushed to.
            let shared = &self.shared;
            shared.idle.work_found(|| shared.work_visible());
        }
        match work {
            Work::Task(task) => self.run_task(task),
            // SAFETY: a stolen job has not run (a `JobRef` is taken from a deque once), and
            // its owner's frame waits for its latch.
            Work::Job(job) => unsafe { job.execute(self) },
        }
    }

    fn run_task(&self, task: Notified) {
        self.run_once(task);
        let mut polls = 1;
        for _ in 0..self.config().max_lifo_polls {
            let Some(next) = self.take_lifo() else { break };
            self.run_once(next);
            polls += 1;
        }
        self.counters().polls.add(polls);
        if let Some(starved) = self.take_lifo() {
            // The LIFO cap is reached: the rest of the queue goes first. Recruit a thief only
            // if there is such a rest: with the queue empty, this worker runs the task next
            // anyway, and a thief would only move a chain of tasks from core to core.
            let others_wait = !self.queue.is_empty();
            self.queue.push(starved);
            if others_wait {
                self.shared.idle.new_local_task();
            }
        }
    }

    /// Polls `task`; if it was woken during that poll (`yield_now`), it goes to the back of
    /// this worker's queue.
    fn run_once(&self, task: Notified) {
        if let Some(again) = task.run() {
            self.schedule_local(again, true);
        }
    }

    /// Steps 4–5: steal, if the throttle lets this worker search; tasks too if `tasks`.
    fn search(&self, tasks: bool) -> Option<Work> {
        if !self.searching.get() {
            if !self.shared.idle.start_looking() {
                return None;
            }
            self.searching.set(true);
        }
        let Config {
            search_rounds,
            search_spin,
            ..
        } = *self.config();
        // Read the clock only when there is a spin to time (never in the loom models). No
        // spin while blocking tasks run: their threads want the cores a spin would hold
        // (`spawn_blocking` took up to 4x longer with it).
        let spin = !search_spin.is_zero() && !self.shared.blocking.is_busy();
        let spin_until = spin.then(|| Instant::now() + search_spin);
        let mut round = 0;
        loop {
            if let Some(work) = self.steal_round(tasks) {
                return Some(work);
            }
            round += 1;
            if round < search_rounds {
                for _ in 0..(1u32 << round.min(MAX_BACKOFF_SHIFT)) {
                    std::hint::spin_loop();
                }
            } else if spin_until.is_some_and(|until| Instant::now() < until) {
                // The spin proper yields between rounds: where threads outnumber cores (a
                // thread spawning into this runtime, more workers than vCPUs), a runnable
                // thread gets this core instead of waiting for the spin to end.
                std::thread::yield_now();
            } else {
                return None;
            }
        }
    }

    /// One pass over every other worker (from a random start): its oldest job, else (if
    /// `tasks`) half of its task queue; then the injector. Jobs first: a job is the piece of a
    /// parallel computation its owner waits for, a task in a queue can wait its turn.
    fn steal_round(&self, tasks: bool) -> Option<Work> {
        for victim in self.victims() {
            let remote = &self.shared.remotes[victim];
            if let Some(job) = remote.jobs.steal() {
                self.counters().steals.add(1);
                self.counters().steal_operations.add(1);
                return Some(Work::Job(job));
            }
            if !tasks {
                continue;
            }
            loop {
                match remote.stealer.steal_into(&self.queue) {
                    Steal::Success { task, moved } => {
                        self.counters().steals.add(moved as u64 + 1);
                        self.counters().steal_operations.add(1);
                        return Some(Work::Task(task));
                    }
                    Steal::Empty => break,
                    Steal::Retry => std::hint::spin_loop(),
                }
            }
        }
        if !tasks {
            return None;
        }
        self.take_injected().map(Work::Task)
    }

    /// Every other worker, from a random start.
    fn victims(&self) -> impl Iterator<Item = usize> {
        let n = self.shared.num_workers();
        let (start, me) = (self.next_random() as usize % n, self.index);
        (0..n)
            .map(move |i| (start + i) % n)
            .filter(move |&v| v != me)
    }

    /// xorshift64: the victim order needs speed and spread, not quality.
    fn next_random(&self) -> u64 {
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.set(x);
        x
    }

    /// Step 6: the idle protocol's "falling asleep" (see `idle.rs`), as the LIFO watcher
    /// while it has the role (it took it falling asleep, or a waker handed it on). Returns the
    /// task it stole as the watcher, if any. With a `latch` (a fork-join wait), the latch's
    /// set ends the sleep too (`join/latch.rs`), and shutdown does not: the wait goes on until
    /// the job it waits for is done.
    fn sleep(&self, latch: Option<&Latch>) -> Option<Notified> {
        let (shared, idle, me) = (&self.shared, &self.shared.idle, self.index);
        idle.fall_asleep(me, self.searching.replace(false));
        // The latch's `UNSET -> SLEEPING` comes after the listing, which its setter's wake
        // must find; then the final look at every queue.
        if latch.is_some_and(|latch| !latch.start_sleeping()) || shared.work_visible() {
            idle.wake_up(me);
        }
        let mut watching = false;
        let mut next_look = Instant::now();
        let mut stolen = None;
        while !idle.is_woken(me) {
            if shared.is_shutdown() && latch.is_none() {
                idle.wake_up(me);
                break;
            }
            if !watching && idle.is_lifo_watcher(me) {
                watching = true;
                self.watch.start(&shared.remotes);
                next_look = Instant::now() + LIFO_WATCH_PERIOD;
            }
            let deadline = shared.driver.next_deadline();
            let mut timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if watching {
                let to_look = next_look.saturating_duration_since(Instant::now());
                timeout = Some(timeout.map_or(to_look, |t| t.min(to_look)));
            }
            self.counters().parks.add(1);
            idle.park(me, timeout);
            if deadline.is_some() && shared.driver.fire_expired(Instant::now()) > 0 {
                idle.wake_up(me);
            }
            if watching && !idle.is_woken(me) && Instant::now() >= next_look {
                next_look = Instant::now() + LIFO_WATCH_PERIOD;
                if let Some(task) = self.watch.look(&shared.remotes) {
                    self.counters().steals.add(1);
                    self.counters().steal_operations.add(1);
                    stolen = Some(task);
                    // Leaving the sleep hands the role on (`idle.rs`).
                    idle.wake_up(me);
                } else {
                    watching = idle.keep_lifo_watch(me);
                }
            }
        }
        if let Some(latch) = latch {
            latch.stop_sleeping();
        }
        // Whoever ended the sleep counted this worker as awake and searching.
        self.searching.set(true);
        // Time asleep is not polling: keep it out of the interval's self-tuning.
        self.interval_started.set((Instant::now(), self.tick.get()));
        stolen
    }

    /// This worker's part of shutdown: cancel registered tasks until none is left (other
    /// workers do the same in parallel), then release what is still queued here.
    fn shutdown(&self) {
        task::shutdown_all(&self.shared.registry, self.index);
        while let Some(task) = self.take_lifo().or_else(|| self.queue.pop()) {
            drop(task);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::scheduler::unstarted;

    /// Ten tasks from outside in the injector of an unstarted runtime of two self-tuned
    /// workers; worker 0 at the interval given.
    fn injector_of_ten(interval: u32) -> (Arc<Shared>, Vec<Worker>) {
        let config = Config {
            global_queue_interval: None,
            max_lifo_polls: 3,
            search_rounds: 1,
            search_spin: Duration::ZERO,
        };
        let (shared, workers) = unstarted::runtime(2, config);
        for _ in 0..10 {
            drop(shared.spawn(async {}));
        }
        workers[0].interval.set(interval);
        (shared, workers)
    }

    /// Shutdown as the runtime does it: each worker's loop sees it at once and cancels what
    /// is registered and queued; then what is left in the injector.
    fn shut_down(shared: &Shared, workers: Vec<Worker>) {
        shared.begin_shutdown();
        for worker in workers {
            worker.run();
        }
        shared.drain_injector();
    }

    #[test]
    fn a_worker_with_long_polls_takes_one_injected_task_at_a_time() {
        let (shared, workers) = injector_of_ten(MIN_INTERVAL);
        drop(workers[0].take_injected().expect("ten tasks were injected"));
        assert_eq!(
            (workers[0].queue.len(), shared.injector.len()),
            (0, 9),
            "a batch moved into the local queue of a worker whose polls are long"
        );
        shut_down(&shared, workers);
    }

    #[test]
    fn a_task_injected_while_every_worker_is_busy_is_looked_at_within_min_interval_ticks() {
        let (shared, workers) = injector_of_ten(MAX_INTERVAL);
        let worker = &workers[0];
        // Worker 0 is busy with the ten in its own queue, the injector is empty, and its next
        // injector-first look is a whole (long) interval away.
        while let Some(task) = worker.take_injected() {
            worker.queue.push(task);
        }
        worker.injector_countdown.set(MAX_INTERVAL);
        assert!(
            shared.idle.take_injector_poke(),
            "the ten came while every worker was awake and none searching"
        );
        drop(shared.spawn(async {}));
        let took_injected: Vec<bool> = (0..=MIN_INTERVAL)
            .map(|_| {
                let before = shared.injector.len();
                drop(worker.next_task().expect("ten tasks are queued"));
                shared.injector.len() < before
            })
            .collect();
        assert_eq!(
            took_injected,
            [false, false, true],
            "the injected task must be taken at the third pick, not an interval later"
        );
        shut_down(&shared, workers);
    }

    #[test]
    fn an_interval_cut_short_is_tuned_by_the_ticks_it_lasted() {
        let (shared, workers) = injector_of_ten(MAX_INTERVAL);
        let worker = &workers[0];
        // A backlog look ended the interval after 2 ticks that took 200 µs or more: 100 µs a
        // poll, whose ideal interval is the minimum, so the tuning moves halfway down there
        // (dividing by the tuned 127 ticks instead would read short polls and stay at 127).
        worker.interval_started.set((
            Instant::now() - 2 * GLOBAL_QUEUE_TARGET / MIN_INTERVAL,
            worker.tick.get().wrapping_sub(2),
        ));
        assert_eq!(worker.retune_interval(), (MAX_INTERVAL + MIN_INTERVAL) / 2);
        shut_down(&shared, workers);
    }

    #[test]
    fn a_worker_with_short_polls_takes_its_share_of_the_injector() {
        let (shared, workers) = injector_of_ten(INITIAL_INTERVAL);
        drop(workers[0].take_injected().expect("ten tasks were injected"));
        // Its share of ten among two workers is 10 / 2 + 1: one to run, five queued.
        assert_eq!((workers[0].queue.len(), shared.injector.len()), (5, 4));
        shut_down(&shared, workers);
    }
}
