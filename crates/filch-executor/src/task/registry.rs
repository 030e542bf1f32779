//! The registry of live tasks, so that shutdown can find and cancel every one of them.
//!
//! A task is linked into one shard when it is spawned and unlinked when it completes, or when
//! shutdown takes it. The shard is the task's *home*: a task spawned on a worker lives in that
//! worker's own shard (`Some(index)`), so the lock taken at spawn and, usually, at completion
//! (fork-join children complete where they were spawned) is uncontended and stays in that
//! worker's cache; a task spawned from outside (`None`) goes to a shard chosen by its address,
//! which spreads concurrent outside spawners. Both sides pass the same home. The list is
//! intrusive: the links live in the task's header, so registering costs no allocation. A linked task holds one reference count for the
//! registry; whoever unlinks it (under the shard's lock) receives that reference, which makes
//! "completion unlinks" and "shutdown unlinks" exclusive: [`Registry::remove`] answers whether
//! the caller got it.
//!
//! Closing is per shard, under the same lock as inserting: once [`Registry::close`] has
//! returned, no insert can succeed, so a shutdown that closes first and drains afterwards
//! cannot miss a task spawned concurrently (`loom_tests::spawn_races_shutdown`).

use super::raw::Header;
use super::refs::RegistryRef;
use crate::sync::Mutex;
use crossbeam_utils::CachePadded;
use std::ptr::NonNull;

/// The intrusive links of a task; read and written only under its shard's lock.
#[derive(Default)]
pub(crate) struct Links {
    prev: Option<NonNull<Header>>,
    next: Option<NonNull<Header>>,
}

/// Sharded intrusive lists of every live task of one runtime.
pub(crate) struct Registry {
    shards: Box<[CachePadded<Mutex<Shard>>]>,
}

struct Shard {
    head: Option<NonNull<Header>>,
    len: usize,
    inserted: u64,
    closed: bool,
}

// SAFETY: the raw pointers name tasks whose references the list owns; tasks are `Send`
// (see `raw::TaskRef`), and the links are only touched under this shard's mutex.
unsafe impl Send for Shard {}

impl Registry {
    /// A registry with at least `shards` shards (rounded up to a power of two).
    pub(crate) fn new(shards: usize) -> Self {
        let count = shards.max(1).next_power_of_two();
        let shards = (0..count)
            .map(|_| {
                CachePadded::new(Mutex::new(Shard {
                    head: None,
                    len: 0,
                    inserted: 0,
                    closed: false,
                }))
            })
            .collect();
        Self { shards }
    }

    /// The shard of `task`: its home worker's (`home`), or one chosen by its address.
    fn shard_of(&self, task: NonNull<Header>, home: Option<usize>) -> &Mutex<Shard> {
        let mask = self.shards.len() - 1;
        let index = home.unwrap_or_else(|| {
            // Tasks are at least 64 bytes apart; Fibonacci hashing spreads the remaining bits.
            let hash =
                (task.as_ptr() as usize >> 6).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
            // Under loom every execution must touch the same objects, and heap addresses differ
            // between executions: one shard keeps the models deterministic.
            if cfg!(loom) {
                0
            } else {
                hash >> (usize::BITS / 2)
            }
        });
        &self.shards[index & mask]
    }

    /// Links `task` into the shard of `home` (see the module docs), taking over its reference;
    /// gives it back if the registry is closed.
    pub(crate) fn insert(&self, task: RegistryRef, home: Option<usize>) -> Result<(), RegistryRef> {
        let mut shard = self.shard_of(task.as_ptr(), home).lock();
        if shard.closed {
            return Err(task);
        }
        let ptr = task.into_raw();
        // SAFETY: `ptr` is alive (we hold its reference) and unlinked; its links and the old
        // head's are guarded by the lock we hold.
        unsafe {
            *links(ptr) = Links {
                prev: None,
                next: shard.head,
            };
            if let Some(old) = shard.head {
                links(old).prev = Some(ptr);
            }
        }
        shard.head = Some(ptr);
        shard.len += 1;
        shard.inserted += 1;
        Ok(())
    }

    /// Unlinks `task` (inserted with the same `home`) if it is still linked; `true` means the
    /// caller now owns the registry's reference (and must release it).
    pub(crate) fn remove(&self, task: &Header, home: Option<usize>) -> bool {
        let ptr = NonNull::from(task);
        let mut shard = self.shard_of(ptr, home).lock();
        // SAFETY: `task` is alive (borrowed); links are guarded by the lock we hold.
        let linked = unsafe { links(ptr).prev.is_some() } || shard.head == Some(ptr);
        if linked {
            // SAFETY: `ptr` is linked into this shard, whose lock we hold.
            unsafe { unlink(&mut shard, ptr) };
        }
        linked
    }

    /// Refuses every later insert.
    pub(crate) fn close(&self) {
        for shard in self.shards.iter() {
            shard.lock().closed = true;
        }
    }

    /// Unlinks some task, trying the shards from `start` on; the registry's reference comes
    /// with it.
    pub(crate) fn pop(&self, start: usize) -> Option<RegistryRef> {
        let n = self.shards.len();
        (0..n).find_map(|i| {
            let mut shard = self.shards[(start + i) % n].lock();
            let head = shard.head?;
            // SAFETY: `head` is linked into this shard, whose lock we hold; unlinking hands
            // us the reference the list owned.
            unsafe {
                unlink(&mut shard, head);
                Some(RegistryRef::from_raw(head))
            }
        })
    }

    /// How many tasks are linked now.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len).sum()
    }

    /// How many tasks were ever linked.
    pub(crate) fn inserted(&self) -> u64 {
        self.shards.iter().map(|s| s.lock().inserted).sum()
    }
}

/// The links of a task.
///
/// # Safety
/// `task` is alive and the caller holds the lock of the shard it belongs to.
unsafe fn links<'a>(task: NonNull<Header>) -> &'a mut Links {
    // SAFETY: liveness and exclusive access (the shard lock) per the caller.
    unsafe { task.as_ref().links.with_mut(|links| &mut *links) }
}

/// # Safety
/// `task` is linked into `shard`, whose lock the caller holds.
unsafe fn unlink(shard: &mut Shard, task: NonNull<Header>) {
    // SAFETY: every node reached here is linked into `shard`, hence alive (the list holds a
    // reference to it), and guarded by the lock.
    unsafe {
        let Links { prev, next } = std::mem::take(links(task));
        match prev {
            Some(prev) => links(prev).next = next,
            None => shard.head = next,
        }
        if let Some(next) = next {
            links(next).prev = prev;
        }
    }
    shard.len -= 1;
}
