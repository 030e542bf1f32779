//! A slab: a `Vec` of entries plus a free list, addressed by generation-checked keys.
//!
//! The timing wheel keeps its timers here so that a timer is an index (the wheel's intrusive
//! lists link indices, not pointers) and a [`Key`] held by a `Sleep` stays harmless after its
//! entry is freed: every removal bumps the entry's generation, so a stale key no longer
//! matches and [`Slab::get_mut`] / [`Slab::remove`] answer `None` instead of touching the
//! entry's next occupant. The generation is 64 bits wide so that it cannot wrap while a stale
//! key is still held (a 32-bit one would wrap after about seven minutes of one slot being
//! reused at ten million timers a second).
//!
//! Insert, lookup and remove are O(1). Memory stays at the high-water mark: freed entries go
//! on the free list and are reused first, the `Vec` never shrinks.

/// No entry: the end of the free list (and of the wheel's slot lists).
pub(super) const NIL: u32 = u32::MAX;

/// Names one occupied entry of a [`Slab`]; stale once that entry is removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    index: u32,
    generation: u64,
}

impl Key {
    /// The entry's position, for intrusive links inside the owner of the slab.
    pub(super) fn index(self) -> u32 {
        self.index
    }
}

#[derive(Debug)]
struct Entry<T> {
    /// Bumped on every removal, so keys handed out before it no longer match.
    generation: u64,
    state: State<T>,
}

#[derive(Debug)]
enum State<T> {
    Occupied(T),
    Vacant { next_free: u32 },
}

/// `Vec` + free list; see the module docs.
#[derive(Debug)]
pub(super) struct Slab<T> {
    entries: Vec<Entry<T>>,
    /// Head of the list of vacant entries, threaded through `State::Vacant::next_free`.
    free_head: u32,
    len: usize,
}

impl<T> Slab<T> {
    pub(super) const fn new() -> Self {
        Self {
            entries: Vec::new(),
            free_head: NIL,
            len: 0,
        }
    }

    /// Number of occupied entries.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Stores `value`, reusing a freed entry when there is one.
    ///
    /// # Panics
    /// When more than `u32::MAX - 1` entries are occupied at once (the index must fit the
    /// wheel's 32-bit links, and `NIL` is reserved).
    pub(super) fn insert(&mut self, value: T) -> Key {
        if self.free_head != NIL {
            let index = self.free_head;
            let entry = &mut self.entries[index as usize];
            let State::Vacant { next_free } = entry.state else {
                unreachable!("the free list links only vacant entries")
            };
            self.free_head = next_free;
            entry.state = State::Occupied(value);
            self.len += 1;
            return Key {
                index,
                generation: entry.generation,
            };
        }
        let index = u32::try_from(self.entries.len())
            .ok()
            .filter(|&i| i != NIL)
            .expect("filch timer slab is full: more than 4 billion timers pending at once");
        self.entries.push(Entry {
            generation: 0,
            state: State::Occupied(value),
        });
        self.len += 1;
        Key {
            index,
            generation: 0,
        }
    }

    /// The value under `key`, or `None` when `key` is stale.
    pub(super) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        match self.entries.get_mut(key.index as usize) {
            Some(Entry {
                generation,
                state: State::Occupied(value),
            }) if *generation == key.generation => Some(value),
            _ => None,
        }
    }

    /// Removes and returns the value under `key`, or `None` when `key` is stale.
    pub(super) fn remove(&mut self, key: Key) -> Option<T> {
        self.get_mut(key)?;
        Some(self.remove_at(key.index))
    }

    /// The value at `index`, which the caller knows to be occupied (it is linked in a list).
    pub(super) fn at(&self, index: u32) -> &T {
        match &self.entries[index as usize].state {
            State::Occupied(value) => value,
            State::Vacant { .. } => unreachable!("linked index {index} is vacant"),
        }
    }

    /// Mutable form of [`Slab::at`].
    pub(super) fn at_mut(&mut self, index: u32) -> &mut T {
        match &mut self.entries[index as usize].state {
            State::Occupied(value) => value,
            State::Vacant { .. } => unreachable!("linked index {index} is vacant"),
        }
    }

    /// The current key of the occupied entry at `index`.
    pub(super) fn key_at(&self, index: u32) -> Key {
        Key {
            index,
            generation: self.entries[index as usize].generation,
        }
    }

    /// Frees the occupied entry at `index` and returns its value; its keys become stale.
    pub(super) fn remove_at(&mut self, index: u32) -> T {
        let entry = &mut self.entries[index as usize];
        let old = std::mem::replace(
            &mut entry.state,
            State::Vacant {
                next_free: self.free_head,
            },
        );
        let State::Occupied(value) = old else {
            unreachable!("removing vacant index {index}")
        };
        entry.generation += 1;
        self.free_head = index;
        self.len -= 1;
        value
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn stale_key_misses_after_reuse() {
        let mut slab = Slab::new();
        let a = slab.insert("a");
        assert_eq!(slab.remove(a), Some("a"));
        let b = slab.insert("b");
        assert_eq!(a.index(), b.index(), "the freed entry is reused first");
        assert_eq!(slab.get_mut(a), None);
        assert_eq!(slab.remove(a), None);
        assert_eq!(slab.get_mut(b), Some(&mut "b"));
        assert_eq!(slab.len(), 1);
    }

    #[test]
    fn free_list_reuses_every_freed_entry() {
        let mut slab = Slab::new();
        let keys: Vec<Key> = (0..100).map(|i| slab.insert(i)).collect();
        for &k in keys.iter().step_by(2) {
            slab.remove(k);
        }
        assert_eq!(slab.len(), 50);
        let mut reused: Vec<u32> = (0..50).map(|i| slab.insert(i).index()).collect();
        reused.sort_unstable();
        let expected: Vec<u32> = keys.iter().step_by(2).map(|k| k.index()).collect();
        assert_eq!(reused, expected, "no new entries while freed ones exist");
        assert_eq!(slab.len(), 100);
    }
}
