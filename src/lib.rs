//! filch: a multi-threaded, work-stealing async runtime with asyncio-style futures.

/// asyncio's Future: [`futures::Promise`] and its errors.
pub use filch_futures as futures;
