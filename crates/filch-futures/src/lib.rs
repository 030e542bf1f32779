//! asyncio's Future for Rust: [`Promise`], a thread-safe result / exception / cancel cell
//! that any number of handles can complete, inspect and await, on any executor.
//!
//! - [`Promise`]: the handle; its docs hold the semantics table and where it departs from
//!   asyncio (callbacks run inline, deferred when completed from inside a callback,
//!   thread-safety).
//! - [`Error`], [`CancelledError`], [`InvalidStateError`], [`ResultError`],
//!   [`ExceptionError`], [`IntoValueError`]: what its methods and its `.await` report.
//! - [`IntoValue`], [`IntoValueError`]: the outcome moved out to one consumer
//!   ([`Promise::into_value`]), for values that are not `Clone` (a promise as a oneshot).
//! - [`CallbackId`]: names a done callback for removal.
//! - [`set_unretrieved_exception_hook`], [`reset_unretrieved_exception_hook`]: where an
//!   exception nobody looked at is reported when its promise is dropped.
//! - [`Completion`]: what combinators need from a promise or a task handle.
//!
//! The promise is one atomic state word (PENDING -> COMPLETING -> FINISHED or CANCELLED, plus
//! "has waiters", "has callbacks" and "exception retrieved" bits), a cell written once, and a
//! small registry of wakers and callbacks that is only locked when one exists.
//!
//! # Example: set on one thread, awaited on another
//! ```
//! use filch::{Error, Promise};
//!
//! let p: Promise<u64, String> = Promise::new();
//! let waiter = std::thread::spawn({
//!     let p = p.clone();
//!     move || futures::executor::block_on(p)
//! });
//! p.add_done_callback(|p| println!("done: {:?}", p.result()));
//! p.set_result(42).unwrap();
//! assert_eq!(waiter.join().unwrap(), Ok(42));
//! assert_eq!(p.result(), Ok(&42));
//!
//! let cancelled: Promise<u64, String> = Promise::new();
//! cancelled.cancel_with("not needed");
//! match futures::executor::block_on(cancelled) {
//!     Err(Error::Cancelled(e)) => assert_eq!(e.message(), Some("not needed")),
//!     other => panic!("expected a cancellation, got {other:?}"),
//! }
//! ```
//!
//! A promise is `Send + Sync` only when its result and exception types are:
//! ```compile_fail
//! fn assert_send<S: Send>(_: S) {}
//! let p: filch::Promise<std::cell::Cell<u8>, String> = filch::Promise::new();
//! assert_send(p); // Cell is not Sync, and every handle lends &T
//! ```

mod callbacks;
mod cell;
mod completion;
pub mod coop;
mod deferred;
mod error;
mod hook;
#[cfg(all(test, loom))]
mod loom_tests;
mod promise;
mod shared;
mod state;
mod sync;
mod take;
mod waiters;

pub use callbacks::CallbackId;
pub use completion::Completion;
pub use error::{
    CancelledError, Error, ExceptionError, IntoValueError, InvalidStateError, ResultError,
};
pub use hook::{reset_unretrieved_exception_hook, set_unretrieved_exception_hook};
pub use promise::Promise;
pub use take::IntoValue;
