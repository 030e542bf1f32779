//! [`CountingAlloc`]: a global allocator that counts each thread's allocations.
//!
//! `bytes_per_task` needs to know what one spawn allocates. Counting per thread, rather than
//! globally, keeps the workers' own allocations (which run concurrently with the spawning
//! loop) out of the figure: the loop reads its own thread's counters before and after.
//! The counters are `const`-initialised thread-locals of `Cell<u64>`, which need no lazy
//! registration and no destructor, so touching them inside the allocator cannot recurse.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

/// The system allocator plus per-thread counts of allocations and bytes requested.
///
/// Install it in a binary (the runner and the criterion bench do) to make
/// [`AllocCount::now`] meaningful:
/// ```
/// use filch_bench::alloc_counter::{AllocCount, CountingAlloc};
///
/// #[global_allocator]
/// static ALLOC: CountingAlloc = CountingAlloc;
///
/// let before = AllocCount::now();
/// let boxed = Box::new([0u8; 100]);
/// let spent = AllocCount::now().since(before);
/// assert_eq!((spent.allocations, spent.bytes), (1, 100));
/// drop(boxed);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAlloc;

fn record(bytes: usize) {
    // `try_with` fails only while the thread's locals are being torn down; an allocation made
    // then is not one a measured loop can see, so skipping it is exact for our purpose.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    let _ = BYTES.try_with(|n| n.set(n.get() + bytes as u64));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract holds exactly as it does for `System`; the counting touches only
// thread-local cells and never allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller upholds `alloc`'s contract for `layout`, which we pass on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: the caller guarantees `ptr` came from this allocator (hence from `System`)
        // with `layout`, and that `new_size` is valid; we pass all three on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// A snapshot of the calling thread's allocation counters (a `realloc` counts as one
/// allocation of its new size).
///
/// ```
/// use filch_bench::alloc_counter::AllocCount;
///
/// let before = AllocCount { allocations: 3, bytes: 64 };
/// let after = AllocCount { allocations: 5, bytes: 96 };
/// assert_eq!(after.since(before), AllocCount { allocations: 2, bytes: 32 });
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AllocCount {
    /// Allocations made (`alloc`, `alloc_zeroed`, `realloc`).
    pub allocations: u64,
    /// Bytes requested by those allocations.
    pub bytes: u64,
}

impl AllocCount {
    /// The calling thread's counters now.
    ///
    /// ```
    /// use filch_bench::alloc_counter::{AllocCount, CountingAlloc};
    ///
    /// #[global_allocator]
    /// static ALLOC: CountingAlloc = CountingAlloc;
    ///
    /// let before = AllocCount::now();
    /// let v = std::hint::black_box(vec![0u8; 10]);
    /// assert!(AllocCount::now().since(before).bytes >= 10);
    /// drop(v);
    /// ```
    pub fn now() -> AllocCount {
        AllocCount {
            allocations: ALLOCATIONS.with(Cell::get),
            bytes: BYTES.with(Cell::get),
        }
    }

    /// What was counted between `earlier` and `self` (both from the same thread).
    ///
    /// ```
    /// use filch_bench::alloc_counter::AllocCount;
    ///
    /// let earlier = AllocCount { allocations: 1, bytes: 8 };
    /// let later = AllocCount { allocations: 4, bytes: 40 };
    /// assert_eq!(later.since(earlier), AllocCount { allocations: 3, bytes: 32 });
    /// ```
    pub fn since(self, earlier: AllocCount) -> AllocCount {
        AllocCount {
            allocations: self.allocations - earlier.allocations,
            bytes: self.bytes - earlier.bytes,
        }
    }
}

/// Whether [`CountingAlloc`] is this process's global allocator.
///
/// Without it every count stays zero, which would read as "spawning allocates nothing";
/// `bytes_per_task` checks this first and refuses to report.
///
/// ```
/// // This doc test runs on the system allocator: nothing is counted.
/// assert!(!filch_bench::alloc_counter::is_installed());
/// ```
pub fn is_installed() -> bool {
    let before = AllocCount::now();
    drop(std::hint::black_box(Box::new(0u64)));
    AllocCount::now().since(before).allocations > 0
}
