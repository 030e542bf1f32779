//! filch's executor: a multi-threaded, work-stealing async runtime.
//!
//! # Contents
//! - [`Runtime`] and [`Builder`]: start worker threads, [`Runtime::block_on`] a future,
//!   shut down on drop. [`Handle`]: the runtime from any thread. [`RuntimeMetrics`].
//! - [`spawn`], [`spawn_blocking`], [`yield_now`]: from inside the runtime.
//! - [`JoinHandle`]: await a task's output, [`cancel`](JoinHandle::cancel) it, watch it with
//!   `done`/`cancelled`/[`add_done_callback`](JoinHandle::add_done_callback) (asyncio's Task);
//!   it implements [`filch::Completion`](filch_futures::Completion). [`JoinError`], [`TaskOutcome`].
//! - [`join`], [`join_context`], [`scope`]: rayon-style fork-join on the same workers as the
//!   async tasks; [`current_num_threads`].
//! - [`iter`] and its [`prelude`]: rayon-style parallel iterators (`par_iter`, `into_par_iter`,
//!   `par_chunks`, `par_sort_unstable`, ...) on the same workers.
//!
//! # Inside
//! - `task/`: one allocation per task (64 bytes for a trivial one), one atomic state word
//!   (`task/state.rs` documents every bit), a raw vtable, the registry of live tasks.
//! - `scheduler/`: per-worker queues with stealing, the global injector, the LIFO slot, the
//!   idle protocol (`scheduler/idle.rs`), the parker.
//! - `join/`: fork-join: stack and heap jobs, the latch a waiting worker sleeps on, `scope`'s
//!   count; the job deques are `scheduler/jobs.rs`, the helping wait `Worker::wait_until`.
//! - `iter/`: the parallel iterators: producer/consumer plumbing and the adaptive splitter
//!   (`plumbing.rs`), then one file per source, adaptor and consumer.
//! - `runtime/`: the public types above, the per-thread context, `block_on`.
//! - `blocking/`: the elastic blocking pool (`pool.rs`: its state machine, generic over the
//!   job). `sync.rs`: the std/loom facade.
//!
//! # Example
//! ```
//! use filch::{spawn, yield_now, Runtime};
//!
//! let rt = Runtime::new();
//! let total = rt.block_on(async {
//!     let workers: Vec<_> = (0..4_u64)
//!         .map(|i| {
//!             spawn(async move {
//!                 yield_now().await;
//!                 i + 1
//!             })
//!         })
//!         .collect();
//!     let mut total = 0;
//!     for w in workers {
//!         total += w.await.unwrap();
//!     }
//!     total
//! });
//! assert_eq!(total, 10);
//! ```

mod blocking;
pub mod iter;
mod join;
mod runtime;
mod scheduler;
mod spawn;
mod sync;
mod task;
mod time;
mod yield_now;

pub use iter::prelude;
pub use join::{current_num_threads, join, join_context, scope, FnContext, Scope};
pub use runtime::{Builder, Handle, Runtime, RuntimeMetrics, TryCurrentError, WorkerMetrics};
pub use spawn::{spawn, spawn_blocking};
#[doc(hidden)]
pub use task::drop_cancelling;
pub use task::{JoinError, JoinHandle, TaskOutcome};
pub use time::{sleep, sleep_until, timeout, Sleep, Timeout, TimeoutError};
pub use yield_now::{yield_now, YieldNow};
