//! The hierarchical timing wheel: pure data structure, no locks, no clock, no wakers.
//!
//! Time is a `u64` tick count (the driver makes one tick one millisecond) passed in by the
//! caller, so tests drive the wheel with any times they like and never sleep.
//!
//! # Layout
//! [`LEVELS`] levels of [`SLOTS`] slots. A slot of level `l` spans `SLOTS^l` ticks, so a level
//! spans `SLOTS^(l+1)`: with 6 × 64 that is 1 tick, 64 ticks, 4.1 s, 4.4 min, 4.7 h, 12.4 days
//! per slot, and the whole wheel spans `2^36` ticks (about 2.2 years at 1 ms). Every slot is an
//! intrusive doubly-linked list of slab indices ([`Node::prev`]/[`Node::next`], the head in
//! `heads`), plus one more list, `EXPIRED`, of timers that are due but not yet taken by
//! [`Wheel::pop_expired`]. A `u64` bitmap per level marks the non-empty slots.
//!
//! # Placement
//! `elapsed` is the last tick the wheel has been advanced to: every timer with a deadline at or
//! before it is on `EXPIRED`. A later deadline `d` goes to the lowest level `l` at which `d`
//! and `elapsed` differ only in the bits below `6(l+1)`, slot `(d >> 6l) % 64`. So at every
//! level but the top, a timer sits in a slot *after* the one `elapsed` is in, within the same
//! turn of that level: the levels below hold only timers due before the next slot of the
//! level above starts. Deadlines more than a whole wheel away go to the top level by the same
//! slot formula; the top level is a ring, and such a timer is looked at again when its slot
//! next comes round, which is never after its deadline.
//!
//! # Advancing
//! [`Wheel::advance`] repeatedly takes the earliest non-empty slot (found from the bitmaps, six
//! `rotate`/`trailing_zeros` per look), sets `elapsed` to the slot's start, and re-places each
//! of its timers: due ones move to `EXPIRED`, the others drop to a lower level ("cascade").
//! Each timer is touched at most once per level on its way down (plus once per wheel turn,
//! 2^36 ticks, while it is more than a turn away), so advancing costs O(slots passed + timers
//! moved), never O(pending timers): a million pending timers cost memory, not CPU.
//!
//! # Costs
//! insert, cancel, reschedule, lookup, pop_expired: O(1). earliest: O(`LEVELS`).

use super::slab::{Key, Slab, NIL};

/// Bits of a tick count consumed per level.
const SLOT_BITS: u32 = 6;
/// Slots per level: 64, so that one `u64` bitmap marks a level's non-empty slots.
pub(super) const SLOTS: usize = 1 << SLOT_BITS;
/// Levels: with 64 slots each, six levels span `2^36` ms, about 2.2 years (Linux and tokio make
/// the same choice); timers beyond that wrap round the top level.
pub(super) const LEVELS: usize = 6;
/// List id of the due timers; the slot lists are `0..EXPIRED` (`level * SLOTS + slot`).
const EXPIRED: usize = LEVELS * SLOTS;
/// Ticks spanned by the whole wheel.
const WHEEL_SPAN: u64 = 1 << (SLOT_BITS as usize * LEVELS);
/// The largest deadline the wheel accepts (later ones are clamped to it): 2^62 ms is about
/// 146 million years, and leaves room to add a wheel span without overflow.
pub(super) const MAX_TICK: u64 = 1 << 62;

const _: () = assert!(SLOTS == u64::BITS as usize, "one u64 bitmap per level");
const _: () = assert!(EXPIRED < u16::MAX as usize, "list ids fit Node::list");
const _: () = assert!(MAX_TICK.checked_add(WHEEL_SPAN).is_some());

/// One timer, stored in the slab and linked into exactly one list.
#[derive(Debug)]
struct Node<T> {
    deadline: u64,
    prev: u32,
    next: u32,
    /// Which list links this node: `level * SLOTS + slot`, or `EXPIRED`.
    list: u16,
    value: T,
}

/// What [`Wheel::lookup`] found under a key.
#[derive(Debug, PartialEq)]
pub(super) enum Lookup<'a, T> {
    /// The key is stale: the timer was popped or cancelled.
    Gone,
    /// The timer is due and waits on `EXPIRED` for [`Wheel::pop_expired`].
    Due,
    /// The timer is pending; here is its value.
    Pending(&'a mut T),
}

/// The wheel; see the module docs.
#[derive(Debug)]
pub(super) struct Wheel<T> {
    nodes: Slab<Node<T>>,
    /// Head of each list, `NIL` when empty.
    heads: [u32; EXPIRED + 1],
    /// Bit `s` of `occupied[l]` is set iff slot list `l * SLOTS + s` is non-empty.
    occupied: [u64; LEVELS],
    /// The last tick advanced to; see "Placement".
    elapsed: u64,
    /// A lower bound on the deadlines on `EXPIRED` (cancels may leave it lower than the true
    /// minimum, which only makes `earliest` early); `u64::MAX` while `EXPIRED` is empty.
    expired_min: u64,
}

impl<T> Wheel<T> {
    pub(super) const fn new() -> Self {
        Self {
            nodes: Slab::new(),
            heads: [NIL; EXPIRED + 1],
            occupied: [0; LEVELS],
            elapsed: 0,
            expired_min: u64::MAX,
        }
    }

    /// Number of timers stored, due ones included.
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Adds a timer due at tick `deadline` (clamped to [`MAX_TICK`]). A deadline at or before
    /// the last tick advanced to makes it due at once.
    pub(super) fn insert(&mut self, deadline: u64, value: T) -> Key {
        let key = self.nodes.insert(Node {
            deadline: deadline.min(MAX_TICK),
            prev: NIL,
            next: NIL,
            list: 0,
            value,
        });
        self.place(key.index());
        key
    }

    /// Removes the timer under `key`, due or not; `None` if it is already gone.
    pub(super) fn cancel(&mut self, key: Key) -> Option<T> {
        self.nodes.get_mut(key)?;
        self.unlink(key.index());
        self.nodes.remove(key).map(|node| node.value)
    }

    /// Moves the timer under `key` to a new deadline, keeping its value; `false` if it is gone.
    pub(super) fn reschedule(&mut self, key: Key, deadline: u64) -> bool {
        let Some(node) = self.nodes.get_mut(key) else {
            return false;
        };
        node.deadline = deadline.min(MAX_TICK);
        self.unlink(key.index());
        self.place(key.index());
        true
    }

    /// Where the timer under `key` stands.
    pub(super) fn lookup(&mut self, key: Key) -> Lookup<'_, T> {
        match self.nodes.get_mut(key) {
            None => Lookup::Gone,
            Some(node) if usize::from(node.list) == EXPIRED => Lookup::Due,
            Some(node) => Lookup::Pending(&mut node.value),
        }
    }

    /// Moves every timer due at or before tick `now` to the due list. A `now` before the last
    /// one is treated as that one: the wheel's time never goes back.
    pub(super) fn advance(&mut self, now: u64) {
        while let Some((list, start)) = self.next_expiration() {
            if start > now {
                break;
            }
            debug_assert!(start > self.elapsed, "slots are taken in time order");
            self.elapsed = start;
            let mut index = self.take_list(list);
            while index != NIL {
                let next = self.nodes.at(index).next;
                self.place(index);
                index = next;
            }
        }
        self.elapsed = self.elapsed.max(now.min(MAX_TICK));
    }

    /// Removes one due timer and returns its value, or `None` when none is due.
    pub(super) fn pop_expired(&mut self) -> Option<T> {
        let index = self.heads[EXPIRED];
        if index == NIL {
            return None;
        }
        self.unlink(index);
        let key = self.nodes.key_at(index);
        self.nodes.remove(key).map(|node| node.value)
    }

    /// A tick at or before the earliest deadline stored, and at or after the start of that
    /// deadline's slot: exact for timers on level 0 or due, early by less than a slot above.
    /// `None` when no timer is stored.
    pub(super) fn earliest(&self) -> Option<u64> {
        if self.heads[EXPIRED] != NIL {
            return Some(self.expired_min);
        }
        self.next_expiration().map(|(_, start)| start)
    }

    /// The earliest non-empty slot list and the tick its slot starts at.
    fn next_expiration(&self) -> Option<(usize, u64)> {
        (0..LEVELS)
            .filter(|&level| self.occupied[level] != 0)
            .map(|level| {
                let shift = SLOT_BITS * level as u32;
                let level_span = 1u64 << (shift + SLOT_BITS);
                // Search from the slot after the one `elapsed` is in, round to that one.
                let first = ((self.elapsed >> shift) + 1) % SLOTS as u64;
                let ahead = self.occupied[level]
                    .rotate_right(first as u32)
                    .trailing_zeros();
                let slot = (first + u64::from(ahead)) % SLOTS as u64;
                let mut start = (self.elapsed & !(level_span - 1)) + (slot << shift);
                if start <= self.elapsed {
                    // Only a top-level slot can be at or behind `elapsed`'s: it holds timers at
                    // least a turn away, so it is due when it next comes round.
                    debug_assert_eq!(level, LEVELS - 1, "slot behind elapsed below the top");
                    start += level_span;
                }
                (level * SLOTS + slot as usize, start)
            })
            .min_by_key(|&(_, start)| start)
    }

    /// Links the (unlinked) node at `index` into the list its deadline belongs to.
    fn place(&mut self, index: u32) {
        let deadline = self.nodes.at(index).deadline;
        let list = if deadline <= self.elapsed {
            self.expired_min = self.expired_min.min(deadline);
            EXPIRED
        } else {
            let differing = (self.elapsed ^ deadline) | (SLOTS as u64 - 1);
            let level = ((u64::BITS - 1 - differing.leading_zeros()) / SLOT_BITS) as usize;
            let level = level.min(LEVELS - 1);
            let slot = (deadline >> (SLOT_BITS * level as u32)) % SLOTS as u64;
            self.occupied[level] |= 1 << slot;
            level * SLOTS + slot as usize
        };
        let head = self.heads[list];
        let node = self.nodes.at_mut(index);
        node.prev = NIL;
        node.next = head;
        node.list = list as u16;
        if head != NIL {
            self.nodes.at_mut(head).prev = index;
        }
        self.heads[list] = index;
    }

    /// Unlinks the node at `index` from its list in O(1).
    fn unlink(&mut self, index: u32) {
        let node = self.nodes.at(index);
        let (prev, next, list) = (node.prev, node.next, usize::from(node.list));
        if prev == NIL {
            self.heads[list] = next;
        } else {
            self.nodes.at_mut(prev).next = next;
        }
        if next != NIL {
            self.nodes.at_mut(next).prev = prev;
        }
        if self.heads[list] == NIL {
            self.mark_empty(list);
        }
    }

    /// Detaches a whole slot list and returns its first index; its nodes keep their `next`
    /// links, and each must be re-placed by the caller.
    fn take_list(&mut self, list: usize) -> u32 {
        let head = std::mem::replace(&mut self.heads[list], NIL);
        self.mark_empty(list);
        head
    }

    fn mark_empty(&mut self, list: usize) {
        if list == EXPIRED {
            self.expired_min = u64::MAX;
        } else {
            self.occupied[list / SLOTS] &= !(1 << (list % SLOTS));
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Advances to `now` and returns the values that became due, sorted.
    fn fire(wheel: &mut Wheel<u64>, now: u64) -> Vec<u64> {
        wheel.advance(now);
        let mut fired: Vec<u64> = std::iter::from_fn(|| wheel.pop_expired()).collect();
        fired.sort_unstable();
        fired
    }

    #[test]
    fn fires_at_the_deadline_tick_not_before() {
        let mut wheel = Wheel::new();
        for (id, deadline) in [(0, 1), (1, 63), (2, 64), (3, 4095), (4, 4096), (5, 300_000)] {
            wheel.insert(deadline, id);
        }
        for (id, deadline) in [(0, 1), (1, 63), (2, 64), (3, 4095), (4, 4096), (5, 300_000)] {
            assert_eq!(
                fire(&mut wheel, deadline - 1),
                Vec::<u64>::new(),
                "early at {id}"
            );
            assert_eq!(wheel.earliest(), Some(deadline), "earliest before {id}");
            assert_eq!(fire(&mut wheel, deadline), vec![id]);
        }
        assert_eq!(wheel.len(), 0);
        assert_eq!(wheel.earliest(), None);
    }

    #[test]
    fn past_deadline_is_due_at_once() {
        let mut wheel = Wheel::new();
        wheel.advance(1000);
        wheel.insert(10, 7);
        assert_eq!(
            wheel.earliest(),
            Some(10),
            "a due timer's own deadline, not elapsed"
        );
        assert_eq!(fire(&mut wheel, 1000), vec![7]);
    }

    #[test]
    fn beyond_the_wheel_span_fires_on_time() {
        let mut wheel = Wheel::new();
        // A timer more than a wheel span away is looked at once per turn (2^36 ticks) it
        // waits, so keep the test's turns few; MAX_TICK would take 2^26 turns.
        let far = [
            WHEEL_SPAN + 5,
            3 * WHEEL_SPAN - 1,
            40 * WHEEL_SPAN + 123_456,
        ];
        for (id, &deadline) in far.iter().enumerate() {
            wheel.insert(deadline, id as u64);
        }
        for (id, &deadline) in far.iter().enumerate() {
            let earliest = wheel.earliest().expect("timers pending");
            assert!(
                earliest <= deadline,
                "earliest {earliest} after deadline {deadline}"
            );
            assert_eq!(fire(&mut wheel, deadline - 1), Vec::<u64>::new());
            assert_eq!(fire(&mut wheel, deadline), vec![id as u64]);
        }
    }

    #[test]
    fn deadlines_clamp_to_max_tick() {
        let mut wheel = Wheel::new();
        let key = wheel.insert(u64::MAX, 1);
        assert!(wheel.earliest().is_some_and(|tick| tick <= MAX_TICK));
        assert_eq!(wheel.cancel(key), Some(1));
    }

    #[test]
    fn lookup_and_reschedule_follow_the_timer() {
        let mut wheel = Wheel::new();
        let key = wheel.insert(100, 1);
        assert_eq!(wheel.lookup(key), Lookup::Pending(&mut 1));
        assert!(wheel.reschedule(key, 5000));
        assert_eq!(fire(&mut wheel, 4999), Vec::<u64>::new());
        wheel.advance(5000);
        assert_eq!(wheel.lookup(key), Lookup::Due);
        assert_eq!(wheel.pop_expired(), Some(1));
        assert_eq!(wheel.lookup(key), Lookup::Gone);
        assert!(!wheel.reschedule(key, 1), "a popped timer stays gone");
        assert_eq!(wheel.cancel(key), None);
    }

    /// A million pending timers: cancelling them all leaves an empty wheel (each cancel is an
    /// O(1) unlink), and advancing past a few due ones fires just those.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn a_million_timers_cancel_and_fire_by_outcome() {
        const N: u64 = 1_000_000;
        let mut wheel = Wheel::new();
        let keys: Vec<Key> = (0..N).map(|i| wheel.insert(10 + i * 37, i)).collect();
        assert_eq!(fire(&mut wheel, 10 + 2 * 37), vec![0, 1, 2]);
        for key in &keys[3..] {
            assert!(wheel.cancel(*key).is_some());
        }
        assert_eq!(wheel.len(), 0);
        assert_eq!(wheel.earliest(), None);
        assert_eq!(fire(&mut wheel, u64::MAX), Vec::<u64>::new());
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// Insert a timer this many ticks after the current time (may be 0 or in the past).
        Insert(u64),
        /// Cancel the n-th live timer (modulo their count).
        Cancel(usize),
        /// Reschedule the n-th live timer to this many ticks after the current time.
        Reschedule(usize, u64),
        /// Advance the clock by this many ticks.
        Advance(u64),
    }

    /// Delays at every scale: same slot, each level, past the whole wheel.
    fn delay() -> impl Strategy<Value = u64> {
        prop_oneof![
            0u64..70,
            0u64..5_000,
            0u64..300_000,
            0u64..(1 << 26),
            0u64..(3 * WHEEL_SPAN),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => delay().prop_map(Op::Insert),
            1 => any::<usize>().prop_map(Op::Cancel),
            1 => (any::<usize>(), delay()).prop_map(|(n, d)| Op::Reschedule(n, d)),
            3 => delay().prop_map(Op::Advance),
        ]
    }

    proptest! {
        // No regression files: they would land outside this module's directory.
        #![proptest_config(ProptestConfig {
            cases: 512,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Against a map of id -> deadline: each advance fires exactly the due timers, none
        /// early, none left behind; `earliest` never passes the earliest deadline and, when
        /// that timer is on level 0, equals it.
        // Miri: the wheel is safe code, and even four cases take minutes there.
        #[test]
        #[cfg_attr(miri, ignore)]
        fn matches_a_naive_model(ops in proptest::collection::vec(op(), 1..200)) {
            let mut wheel = Wheel::new();
            let mut model: BTreeMap<u64, (Key, u64)> = BTreeMap::new();
            let mut now = 0u64;
            for (id, op) in ops.into_iter().enumerate() {
                let id = id as u64;
                match op {
                    Op::Insert(d) => {
                        let deadline = (now + d).saturating_sub(1);
                        model.insert(id, (wheel.insert(deadline, id), deadline));
                    }
                    Op::Cancel(n) if !model.is_empty() => {
                        let id = *model.keys().nth(n % model.len()).unwrap();
                        let (key, _) = model.remove(&id).unwrap();
                        prop_assert_eq!(wheel.cancel(key), Some(id));
                    }
                    Op::Reschedule(n, d) if !model.is_empty() => {
                        let id = *model.keys().nth(n % model.len()).unwrap();
                        let entry = model.get_mut(&id).unwrap();
                        entry.1 = now + d;
                        prop_assert!(wheel.reschedule(entry.0, entry.1));
                    }
                    Op::Advance(d) => {
                        now += d;
                        let due: Vec<u64> = model
                            .iter()
                            .filter(|(_, &(_, deadline))| deadline <= now)
                            .map(|(&id, _)| id)
                            .collect();
                        prop_assert_eq!(fire(&mut wheel, now), due.clone());
                        for id in due {
                            model.remove(&id);
                        }
                    }
                    Op::Cancel(_) | Op::Reschedule(..) => {}
                }
                prop_assert_eq!(wheel.len(), model.len());
                let min = model.values().map(|&(_, deadline)| deadline).min();
                match (wheel.earliest(), min) {
                    (None, None) => {}
                    (Some(earliest), Some(min)) => {
                        prop_assert!(earliest <= min, "earliest {} > deadline {}", earliest, min);
                        if min > now && min - now < SLOTS as u64 - now % SLOTS as u64 {
                            prop_assert_eq!(earliest, min, "exact on level 0");
                        }
                    }
                    (earliest, min) => prop_assert!(false, "earliest {:?} vs {:?}", earliest, min),
                }
            }
        }
    }
}
