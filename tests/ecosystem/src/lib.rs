//! The examples of `docs/ecosystem.md`, run as doc tests: what a tokio user reaches for
//! instead of `tokio::sync` on filch (async-channel, async-lock, event-listener, the
//! `futures` crate's channels, `select!`, `join!` and streams, and `filch::Promise` as a
//! oneshot). `cargo test --doc -p filch-ecosystem-tests` runs every code block of the page,
//! so a page that stops compiling or asserting fails CI instead of misleading a reader.

/// The page itself: each of its `rust` code blocks is one doc test.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/ecosystem.md")]
pub struct EcosystemDocs;
