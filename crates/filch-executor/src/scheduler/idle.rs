//! The idle protocol: when workers look for work, when they sleep, and who wakes them.
//!
//! # Vocabulary
//! - **active**: a worker running tasks from its own queue.
//! - **searching**: a worker with an empty queue looking for work elsewhere (stealing from
//!   other workers, taking from the injector). At most about half of the workers search at
//!   once ([`Idle::start_looking`] refuses beyond that): more thieves only add contention.
//! - **sleeping**: a worker parked on its [`Parker`], listed in `sleepers`.
//! - **awake** = active + searching. `counts` packs `awake << 16 | searching`.
//!
//! # Posting work
//! - [`Idle::new_injected_task`] (a task pushed to the injector from any thread): (1) push the
//!   task, (2) `fence(SeqCst)`, (3) read `counts`; if no one searches and someone sleeps, wake
//!   one sleeper ([`Idle::wake_one`]), which becomes awake *and searching* at once, so the
//!   next producers see a searcher and wake no one (no wake-up storm).
//!   If every worker is awake and none searches, it wakes no one and sets the injector poke
//!   instead (a Relaxed hint outside this argument): busy workers then look at the injector
//!   soon rather than at their tuned interval (`worker.rs`, step 1).
//! - [`Idle::new_local_task`] (a worker pushed a task into its own queue): the same check with
//!   a Relaxed read and no fence. It only recruits help: the owner runs the task anyway, so a
//!   missed wake costs parallelism for a moment, never progress.
//! - A task put in a worker's LIFO slot: nothing at all; see "The LIFO watcher" below.
//! - [`Idle::new_batch_in_local_queue`] (a worker moved a batch from the injector into its own
//!   queue and runs the first): the fenced check of an injection, since the rest of the batch
//!   is reachable only by a thief if the first task blocks its worker.
//! - [`Idle::work_found`] (a searcher found work): stop searching (SeqCst RMW), fence; if it
//!   was the last searcher and more work is visible in *any* queue, wake one more (Go's
//!   "spinning" rule: as long as there is work nobody looks for, one more worker comes to
//!   look). Any queue: a producer that saw this worker searching woke no one, whichever queue
//!   it pushed to.
//!
//! # Falling asleep
//! 1. Under the `sleepers` lock: leave `awake` (and `searching`, if searching) with one SeqCst
//!    RMW, set this worker's `sleeping` flag, push it on `sleepers`.
//! 2. `fence(SeqCst)`, then look at every queue once more (the caller's `work_visible`); if
//!    anything is there, cancel the sleep ([`Idle::wake_up`]) and search again. Every worker
//!    does this, searching or not (see below for why).
//! 3. Park until `sleeping` is cleared by a waker (which also re-counted us awake + searching),
//!    or a timeout/shutdown makes the worker cancel its own sleep.
//!
//! # The race this prevents
//! Worker W finds no work; producer P injects a task and sees W still counted as searching, so
//! wakes no one; W then sleeps: the task waits for a worker that will never come. The two
//! SeqCst fences order it: P does push → fence F_P → read counts; the last searcher W does
//! leave-counts (RMW) → fence F_W → read queues. In the single total order of SeqCst
//! operations, either F_W comes first, and then P's read sees W's decrement (no searcher left:
//! P wakes a sleeper, possibly W), or F_P comes first, and then W's final look sees P's push.
//! The same argument covers a worker W that was *not* searching (it ran out of its own work
//! while the throttle kept it from searching): P may see it still counted awake, so that
//! "every worker is awake" and P wakes no one; W's own final look then sees P's push. An
//! earlier version skipped the look for such a worker, relying on the searchers; but a
//! searcher that already found other work no longer looks, and the task waited for the next
//! busy worker to come back — forever, if that worker's task was waiting for this one.
//! `wake_one`'s re-check under the lock (skip if someone searches now) keeps the argument: that
//! read comes after F_P, so a searcher it sees has not yet done its F_W, whose look then sees
//! P's push. `work_found` is the same argument with the searcher's RMW and a fence in W's role.
//!
//! # The LIFO watcher
//! A task in a worker's LIFO slot must not be stranded when the task that put it there blocks
//! that worker waiting for it. Searchers do not take from LIFO slots (they would move chains
//! of tasks from core to core); one sleeping worker, the *watcher* (`lifo_watcher`: 0 or its
//! index + 1), parks with a timeout instead and, once a period, takes a task that sat in a
//! slot a whole period with no put in between (`watch.rs`). The invariant:
//!
//! **While some worker is awake and some worker sleeps, exactly one sleeper is the watcher.**
//!
//! `awake` changes in four places, each under the `sleepers` lock, and each keeps it:
//! - [`Idle::fall_asleep`] (`awake` - 1, a sleeper more): if someone is still awake and there
//!   is no watcher, the new sleeper becomes it.
//! - [`Idle::wake_one`] and [`Idle::wake_up`] (a waker takes a sleeper off the list, or a
//!   sleeper cancels its own sleep: `awake` + 1, a sleeper less): if the one that left was
//!   the watcher, or there was none (it gave the role up while no one was awake), the sleeper
//!   that fell asleep first becomes it (`wake_one` takes the last, so the role moves
//!   seldom), and is unparked so that it starts its timed parks; none if no sleeper is left.
//!   Unparked at once if the one that left was the watcher (a slot may hold a task already);
//!   if there was none, nobody was awake, so every slot is empty until a put after this wake,
//!   and the first put unparks it ([`Idle::after_lifo_put`]). A wake from all asleep thus
//!   costs one unpark, not two: the second woke a vCPU for nothing and kept it busy at the
//!   moment the woken worker recruited help, which the kernel then queued behind a running
//!   worker while that vCPU went idle (a `perf sched` trace of `cpu_fanout` at 4 workers).
//! - [`Idle::wake_all`] (shutdown): no sleeper is left, so no watcher.
//!
//! (`Idle::new` starts with every worker awake and none asleep.) The watcher gives the role up
//! only at a look, under the lock, when no worker is awake ([`Idle::keep_lifo_watch`]): then
//! no task can be stranded in a slot: only a worker puts in its own slot, on its own thread,
//! while it runs a task (awake) or fires timers in its sleep (and then it cancels that sleep
//! and runs the task itself). The invariant asks for nothing until a wake makes someone
//! awake, which appoints a watcher as above. A watcher that steals leaves its sleep ([`Idle::wake_up`]),
//! which hands the role on. Since the role follows the awake count and not the slots'
//! contents, a put tells no one: it is a store into the slot and a count, no fence, no load
//! of the role, no wake (`lifo.rs`), and one Relaxed load of the unstarted-watcher flag,
//! which only the first put after a wake from all asleep finds set (it then unparks the
//! appointee, once).
//!
//! A stranded task (its owner blocked in the task that put it, so the owner counts as awake),
//! case by case:
//! - Some worker sleeps: by the invariant one of them is the watcher, and it is watching
//!   within a period of getting the role (it took it itself, or it was unparked: at once, or
//!   at the first put after a wake from all asleep, before which no slot held a task). It keeps the
//!   role while the owner is awake, so it looks at the slot at least twice more: the second
//!   look after the put sees the same count and takes the task, within two periods. If it
//!   leaves its sleep first, the role passes to another sleeper (the same case) or, if none is
//!   left, to the next case.
//! - No worker sleeps: every other worker is busy or searching; the first one to fall asleep
//!   finds the owner awake and, no watcher existing, becomes it: the first case. (If every
//!   other worker is blocked for good too, no scheduler could help.)
//!
//! No fence is needed: every decision about the role reads `awake` and the role under the
//! lock that every change of either is made under, and the watcher's looks need no ordering
//! with a put beyond seeing it eventually (a look that sees the task sees its count: the put
//! writes the count first and the task with Release; the look reads the task with Acquire).
//!
//! The loom models drive the production worker loop; under loom the period is zero and the
//! watcher's park a yield (`park.rs`), so every iteration of its loop is a look.
//! `scheduler::loom_tests::lifo_task_of_a_blocked_worker_is_stolen` fails if a worker that
//! falls asleep while another is awake does not take the role;
//! `put_racing_the_watchers_give_up_is_seen` fails if a watcher gives the role up at a quiet
//! look (every slot empty, no put) while a worker is awake;
//! `a_watcher_appointed_by_a_wake_from_all_asleep_sees_the_first_put` deadlocks if the
//! watcher a wake from all asleep appointed is unparked neither then nor at the first put.
//! Handing the role on needs three
//! workers to matter (with two, the owner is the only other worker): the sequential test
//! `idle::tests::the_watcher_role_follows_the_awake_count` checks each transition's rule with
//! three; no loom model explores their interleavings with three worker loops.
//!
//! The loom models `loom_tests::injected_task_is_never_stranded` (the last searcher sleeps)
//! and `loom_tests::non_searching_sleeper_looks_too` check this with two workers and one
//! producer.

use super::park::Parker;
use crate::sync::{fence, AtomicBool, AtomicUsize, Mutex, Ordering::*};
use crossbeam_utils::CachePadded;
use std::time::Duration;

const SEARCHING_BITS: u32 = 16;
const ONE_SEARCHING: usize = 1;
const ONE_AWAKE: usize = 1 << SEARCHING_BITS;
const SEARCHING_MASK: usize = ONE_AWAKE - 1;

/// The most workers a runtime can have (the packed counters' width).
pub(crate) const MAX_WORKERS: usize = SEARCHING_MASK;

#[derive(Clone, Copy, Debug)]
struct Counts(usize);

impl Counts {
    fn searching(self) -> usize {
        self.0 & SEARCHING_MASK
    }
    fn awake(self) -> usize {
        self.0 >> SEARCHING_BITS
    }
}

/// One worker's sleeping place.
#[derive(Debug, Default)]
struct Bed {
    parker: Parker,
    /// Set when the worker lists itself as sleeping; cleared (Release) by whoever takes it off
    /// the list, which also re-counted it as awake and searching.
    sleeping: AtomicBool,
}

/// The idle-worker accounting of one runtime.
#[derive(Debug)]
pub(crate) struct Idle {
    counts: CachePadded<AtomicUsize>,
    sleepers: Mutex<Vec<usize>>,
    beds: Box<[CachePadded<Bed>]>,
    /// The LIFO watcher: 0 if none, else its index + 1. Written only under the `sleepers`
    /// lock (module docs, "The LIFO watcher"); read by sleepers, and by a put only in
    /// `start_watcher` (under the lock, once per wake from all asleep).
    lifo_watcher: AtomicUsize,
    /// A task was injected while every worker was awake and none searching: nobody was woken
    /// for it, so it waits for some worker's injector-first look. A hint, not part of the
    /// argument above (Relaxed; a lost poke only means that look comes at its tuned time):
    /// a busy worker that sees it looks soon (`Worker::next_task`).
    injector_poke: CachePadded<AtomicBool>,
    /// The watcher was appointed by a wake from all asleep and not unparked yet: the first
    /// put into a LIFO slot after it unparks it (`after_lifo_put`; module docs, "The LIFO
    /// watcher"). Written under the `sleepers` lock; read by every put (Relaxed).
    unstarted_watcher: CachePadded<AtomicBool>,
}

impl Idle {
    /// `workers` workers, all awake and none searching.
    pub(crate) fn new(workers: usize) -> Self {
        assert!((1..=MAX_WORKERS).contains(&workers));
        Self {
            counts: CachePadded::new(AtomicUsize::new(workers * ONE_AWAKE)),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            beds: (0..workers)
                .map(|_| CachePadded::new(Bed::default()))
                .collect(),
            lifo_watcher: AtomicUsize::new(0),
            injector_poke: CachePadded::new(AtomicBool::new(false)),
            unstarted_watcher: CachePadded::new(AtomicBool::new(false)),
        }
    }

    fn num_workers(&self) -> usize {
        self.beds.len()
    }

    /// The throttle: become searching unless about half of the workers already are.
    pub(crate) fn start_looking(&self) -> bool {
        let mut counts = Counts(self.counts.load(SeqCst));
        loop {
            if 2 * counts.searching() >= self.num_workers().max(2) {
                return false;
            }
            match self.counts.compare_exchange_weak(
                counts.0,
                counts.0 + ONE_SEARCHING,
                SeqCst,
                SeqCst,
            ) {
                Ok(_) => return true,
                Err(seen) => counts = Counts(seen),
            }
        }
    }

    /// A searching worker found work. `more_work` says whether other work is visible (read
    /// after leaving the searchers, see the module docs); if so and this was the last
    /// searcher, one more worker is woken to look for it.
    pub(crate) fn work_found(&self, more_work: impl FnOnce() -> bool) {
        let before = Counts(self.counts.fetch_sub(ONE_SEARCHING, SeqCst));
        debug_assert!(
            before.searching() > 0,
            "work_found by a worker that was not searching"
        );
        if before.searching() == 1 && {
            // Pairs with the producers' fence, as in falling asleep (module docs).
            fence(SeqCst);
            more_work()
        } {
            self.wake_one();
        }
    }

    /// A task was pushed to the injector (from any thread). Must follow the push.
    pub(crate) fn new_injected_task(&self) {
        fence(SeqCst);
        let counts = Counts(self.counts.load(SeqCst));
        if self.should_wake(counts) {
            self.wake_one();
        } else if counts.searching() == 0 && !self.injector_poke.load(Relaxed) {
            // Every worker is busy: none will look at the injector before its tuned interval
            // ends, up to 127 polls away. Written only when clear, so a burst of injections
            // writes the line once.
            self.injector_poke.store(true, Relaxed);
        }
    }

    /// Whether a task was injected while every worker was busy since the last call that
    /// answered `true` (see `injector_poke`). A load per call; a swap only when poked.
    pub(crate) fn take_injector_poke(&self) -> bool {
        self.injector_poke.load(Relaxed) && self.injector_poke.swap(false, Relaxed)
    }

    /// A worker moved a batch of injected tasks into its own queue and is about to run one of
    /// them: the others must reach a thief even if that one blocks the worker, so this is the
    /// fenced check of [`new_injected_task`](Self::new_injected_task) (the batch's push takes
    /// the injection's place in the argument of the module docs), not `new_local_task`'s
    /// best-effort one. Must follow the push.
    pub(crate) fn new_batch_in_local_queue(&self) {
        self.new_injected_task();
    }

    /// Whether worker `index` is the LIFO watcher now (it took the role falling asleep, or a
    /// waker handed it the role and unparked it). Acquire: the role is set under the
    /// `sleepers` lock, before the unpark that tells the appointee.
    pub(crate) fn is_lifo_watcher(&self, index: usize) -> bool {
        self.lifo_watcher.load(Acquire) == index + 1
    }

    /// The watcher `index`, at a look that stole nothing: whether it keeps the role. It gives
    /// the role up only when no worker is awake (then no worker can put a task in a slot, and
    /// the next one to wake appoints a watcher again, see the module docs).
    pub(crate) fn keep_lifo_watch(&self, index: usize) -> bool {
        let _sleepers = self.sleepers.lock();
        if !self.is_lifo_watcher(index) {
            return false;
        }
        if Counts(self.counts.load(SeqCst)).awake() > 0 {
            return true;
        }
        self.lifo_watcher.store(0, Relaxed);
        false
    }

    /// After a sleeper left `sleepers` (woken, or cancelling its sleep): keeps the invariant
    /// of the module docs. If the watcher is gone (it was that sleeper, or it gave the role up
    /// while no one was awake), the sleeper that fell asleep first becomes the watcher: the
    /// one that `wake_one` (which takes the last) wakes last. Returns it, to be unparked once
    /// the lock is released (it watches from its next return from its park). Under the lock;
    /// someone is awake now (the one that left).
    fn hand_on_lifo_watch(&self, sleepers: &[usize], left: usize) -> Option<usize> {
        let watcher = self.lifo_watcher.load(Relaxed);
        if watcher != 0 && watcher != left + 1 {
            return None;
        }
        let next = sleepers.first().copied();
        self.lifo_watcher
            .store(next.map_or(0, |index| index + 1), Release);
        // No watcher means nobody was awake: every slot is empty, and only a put after this
        // wake can fill one, so the appointee is unparked at the first put
        // (`after_lifo_put`) rather than now. A watcher that leaves its sleep may have a
        // slot to watch already: its successor starts at once.
        let start_now = watcher != 0;
        self.unstarted_watcher
            .store(!start_now && next.is_some(), Relaxed);
        next.filter(|_| start_now)
    }

    /// After a put into a LIFO slot: unparks a watcher appointed by a wake from all asleep,
    /// once (see `hand_on_lifo_watch`). One Relaxed load per put otherwise: the flag is set
    /// under the `sleepers` lock before the woken worker is unparked, so that worker's puts
    /// (and those of any worker woken after it, under the same lock) see it.
    #[inline]
    pub(crate) fn after_lifo_put(&self) {
        if self.unstarted_watcher.load(Relaxed) {
            self.start_watcher();
        }
    }

    #[cold]
    fn start_watcher(&self) {
        let watcher = {
            let _sleepers = self.sleepers.lock();
            if !self.unstarted_watcher.swap(false, Relaxed) {
                return;
            }
            self.lifo_watcher.load(Relaxed)
        };
        if let Some(index) = watcher.checked_sub(1) {
            // If it was woken meanwhile, this is one spurious return from a later park.
            self.beds[index].parker.unpark();
        }
    }

    /// A worker pushed a task into its own queue: recruit a sleeper if no one searches.
    pub(crate) fn new_local_task(&self) {
        if self.should_wake(Counts(self.counts.load(Relaxed))) {
            self.wake_one();
        }
    }

    fn should_wake(&self, counts: Counts) -> bool {
        counts.searching() == 0 && counts.awake() < self.num_workers()
    }

    /// Wakes one sleeper, as searching, unless someone searches already. `true` if it did.
    pub(crate) fn wake_one(&self) -> bool {
        let mut sleepers = self.sleepers.lock();
        if !self.should_wake(Counts(self.counts.load(SeqCst))) {
            return false;
        }
        let Some(index) = sleepers.pop() else {
            return false;
        };
        self.counts.fetch_add(ONE_AWAKE + ONE_SEARCHING, SeqCst);
        self.beds[index].sleeping.store(false, Release);
        let watcher = self.hand_on_lifo_watch(&sleepers, index);
        drop(sleepers);
        self.beds[index].parker.unpark();
        if let Some(watcher) = watcher {
            self.beds[watcher].parker.unpark();
        }
        true
    }

    /// Wakes every sleeper (shutdown).
    pub(crate) fn wake_all(&self) {
        let woken: Vec<usize> = {
            let mut sleepers = self.sleepers.lock();
            let woken: Vec<usize> = sleepers.drain(..).collect();
            for &index in &woken {
                self.counts.fetch_add(ONE_AWAKE + ONE_SEARCHING, SeqCst);
                self.beds[index].sleeping.store(false, Release);
            }
            // Nobody sleeps now: no watcher (each woken one stops watching on its own).
            self.lifo_watcher.store(0, Relaxed);
            self.unstarted_watcher.store(false, Relaxed);
            woken
        };
        for index in woken {
            self.beds[index].parker.unpark();
        }
    }

    /// Steps 1 and 2's fence of falling asleep: the caller must then look at every queue once
    /// more before parking, and cancel the sleep if it sees work. If some worker is still
    /// awake and no sleeper watches the LIFO slots, this one becomes the watcher (see
    /// [`is_lifo_watcher`](Self::is_lifo_watcher)).
    pub(crate) fn fall_asleep(&self, index: usize, searching: bool) {
        let leave = ONE_AWAKE + if searching { ONE_SEARCHING } else { 0 };
        let mut sleepers = self.sleepers.lock();
        let before = Counts(self.counts.fetch_sub(leave, SeqCst));
        debug_assert!(
            before.awake() > 0 && (!searching || before.searching() > 0),
            "{before:?}"
        );
        self.beds[index].sleeping.store(true, Relaxed);
        sleepers.push(index);
        if before.awake() > 1 && self.lifo_watcher.load(Relaxed) == 0 {
            self.lifo_watcher.store(index + 1, Relaxed);
        }
        drop(sleepers);
        fence(SeqCst);
    }

    /// Cancels this worker's own sleep. `true` if it was still listed (it is now counted
    /// awake and searching); `false` if a waker took it off the list first (which also counted
    /// it awake and searching).
    pub(crate) fn wake_up(&self, index: usize) -> bool {
        self.take_off_the_list(index)
    }

    /// Wakes worker `index` if it sleeps (a latch it waits for was set, see
    /// `join/latch.rs`); nothing if it is awake. `true` if it did.
    pub(crate) fn wake_worker(&self, index: usize) -> bool {
        let woke = self.take_off_the_list(index);
        if woke {
            self.beds[index].parker.unpark();
        }
        woke
    }

    /// Takes worker `index` off `sleepers` if it is listed, counting it awake and searching,
    /// and hands the LIFO watch on if needed. Release on `sleeping`: a waker other than the
    /// sleeper itself publishes what it did before (the latch it set) to `is_woken`.
    fn take_off_the_list(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        let Some(pos) = sleepers.iter().position(|&i| i == index) else {
            return false;
        };
        sleepers.remove(pos);
        self.counts.fetch_add(ONE_AWAKE + ONE_SEARCHING, SeqCst);
        self.beds[index].sleeping.store(false, Release);
        let watcher = self.hand_on_lifo_watch(&sleepers, index);
        drop(sleepers);
        if let Some(watcher) = watcher {
            self.beds[watcher].parker.unpark();
        }
        true
    }

    /// Whether a waker took this worker off the list. Acquire: pairs with the waker's Release,
    /// so the work it posted before waking is visible.
    pub(crate) fn is_woken(&self, index: usize) -> bool {
        !self.beds[index].sleeping.load(Acquire)
    }

    /// Step 3: park (spurious returns allowed; check [`is_woken`](Self::is_woken)).
    pub(crate) fn park(&self, index: usize, timeout: Option<Duration>) {
        self.beds[index].parker.park(timeout);
    }

    /// Workers searching now (a metric).
    pub(crate) fn num_searching(&self) -> usize {
        Counts(self.counts.load(Relaxed)).searching()
    }

    /// Whether some worker is awake (running or searching). A hint (Relaxed): `block_on`
    /// uses it to decide whether its wake-up is likely in flight.
    pub(crate) fn any_awake(&self) -> bool {
        Counts(self.counts.load(Relaxed)).awake() > 0
    }

    /// Workers sleeping now (a metric).
    pub(crate) fn num_sleeping(&self) -> usize {
        self.num_workers() - Counts(self.counts.load(Relaxed)).awake()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn at_most_half_search() {
        let idle = Idle::new(4);
        assert!(idle.start_looking() && idle.start_looking());
        assert!(
            !idle.start_looking(),
            "a third searcher out of four is refused"
        );
        let single = Idle::new(1);
        assert!(single.start_looking(), "a lone worker may always search");
    }

    #[test]
    fn injected_task_wakes_a_sleeper_as_searcher_once() {
        let idle = Idle::new(2);
        idle.fall_asleep(0, false);
        assert!(!idle.is_woken(0));
        idle.new_injected_task();
        assert!(idle.is_woken(0));
        assert_eq!(idle.num_searching(), 1);
        idle.new_injected_task(); // someone searches: no second wake
        assert_eq!(idle.num_sleeping(), 0);
        idle.park(0, None); // the token left by the wake: returns at once
    }

    #[test]
    fn a_worker_that_saw_work_in_its_last_look_cancels_its_sleep() {
        let idle = Idle::new(2);
        assert!(idle.start_looking());
        idle.fall_asleep(1, true);
        assert!(idle.wake_up(1), "cancelling its own sleep");
        assert!(!idle.wake_up(1), "already awake");
        assert_eq!(idle.num_searching(), 1);
    }

    /// The LIFO watcher role through the transitions of the module docs, with three workers
    /// (with two, the owner of a slot is the only worker besides the watcher, so the hand-on
    /// below never matters and the loom models, which use two, cannot see it).
    #[test]
    fn the_watcher_role_follows_the_awake_count() {
        let idle = Idle::new(3);
        idle.fall_asleep(1, false);
        assert!(
            idle.is_lifo_watcher(1),
            "the first sleeper watches: others are awake"
        );
        idle.fall_asleep(2, false);
        assert!(!idle.is_lifo_watcher(2), "one watcher only");
        assert!(idle.wake_up(1));
        assert!(
            idle.is_lifo_watcher(2),
            "a watcher that leaves its sleep hands the role to a sleeper left"
        );
        idle.work_found(|| false); // worker 1 runs a task
        idle.fall_asleep(0, false);
        assert!(idle.wake_one(), "worker 0, the last to fall asleep");
        assert!(
            idle.is_lifo_watcher(2),
            "waking another sleeper keeps the watcher"
        );
        assert!(idle.keep_lifo_watch(2), "someone is awake: the role stays");
        idle.fall_asleep(0, true);
        idle.fall_asleep(1, false);
        assert!(
            !idle.keep_lifo_watch(2),
            "nobody awake: the role is given up"
        );
        assert!(!idle.is_lifo_watcher(2));
        assert!(idle.wake_one(), "worker 1, the last to fall asleep");
        assert!(
            idle.is_lifo_watcher(2),
            "a wake with no watcher appoints the first sleeper"
        );
        assert!(
            idle.unstarted_watcher.load(Relaxed),
            "nobody was awake: the appointee waits for the first put"
        );
        idle.after_lifo_put();
        assert!(
            !idle.unstarted_watcher.load(Relaxed),
            "the first put started it"
        );
        idle.wake_all();
        assert!(!idle.is_lifo_watcher(2), "nobody sleeps: no watcher");
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::{thread, Arc};

    /// A producer injects one task (modelled by a flag) while the only searching worker goes
    /// to sleep. The worker either sees the task in its last look or is woken: it never stays
    /// asleep with the task pending.
    #[test]
    fn injected_task_is_never_stranded() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(2));
            let task = Arc::new(AtomicBool::new(false));
            // Worker 1 sleeps for good (not searching) so that the producer has a choice.
            idle.fall_asleep(1, false);
            assert!(idle.start_looking());

            let (i, t) = (idle.clone(), task.clone());
            let producer = thread::spawn(move || {
                t.store(true, Relaxed);
                i.new_injected_task();
            });

            // Worker 0: found nothing, falls asleep as the last searcher.
            let mut got_it = false;
            idle.fall_asleep(0, true);
            if task.load(Relaxed) {
                idle.wake_up(0);
                got_it = true;
            }
            producer.join().unwrap();
            if !got_it {
                // Not seen in the last look: some worker must have been woken for it.
                assert!(idle.is_woken(0) || idle.is_woken(1), "task stranded");
            }
        });
    }

    /// Worker 0 is busy (awake, not searching: say its task blocks) while worker 1, which the
    /// throttle kept from searching, falls asleep and a producer injects a task. The producer
    /// may see both counted awake and wake no one; then worker 1's own last look must see the
    /// task. (The model fails if non-searching workers skip that look.)
    #[test]
    fn non_searching_sleeper_looks_too() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(2));
            let task = Arc::new(AtomicBool::new(false));
            let (i, t) = (idle.clone(), task.clone());
            let producer = thread::spawn(move || {
                t.store(true, Relaxed);
                i.new_injected_task();
            });
            idle.fall_asleep(1, false);
            let saw_it = task.load(Relaxed);
            producer.join().unwrap();
            assert!(
                saw_it || idle.is_woken(1),
                "task stranded while a worker sleeps"
            );
        });
    }
}
