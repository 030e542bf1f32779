//! asyncio's Future for Rust (work in progress: see the filch-futures issue).

mod completion;

pub use completion::Completion;
