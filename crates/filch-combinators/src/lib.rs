//! asyncio's combinators for filch: many futures in, one future out, at O(n) polls.
//!
//! | item | asyncio | what it does |
//! |---|---|---|
//! | [`join_all`] | `gather` (in place) | polls non-`Send` futures in place; values in input order |
//!
//! # How the combinators poll
//! Every combinator over n children gives each child its own waker and keeps a ready list of
//! the children that woke (`ready_list.rs`): a wake-up polls only the child that woke, never
//! all of them, so n children cost O(n) polls and wake-ups in total and no poll or wake
//! allocates.

mod collect;
mod error;
mod join;
mod ready_list;
mod sync;

pub use error::{GatherError, TimeoutError, WaitError};
pub use join::{join_all, JoinAll, JoinAllOutcomes};
