//! `#[filch::main]` and `#[filch::test]`: run an `async fn` on a filch runtime.
//!
//! Use them through the `filch` crate, which re-exports both; the generated code names
//! `::filch::Builder`, so `filch` must be a dependency of the crate that uses them.
//!
//! ```
//! #[filch::main(worker_threads = 2)]
//! async fn main() {
//!     let answer = filch::spawn(async { 6 * 7 }).await.unwrap();
//!     assert_eq!(answer, 42);
//! }
//! ```
//!
//! Both attributes accept `worker_threads = N` (an integer literal, at least 1). Misuse is a
//! compile error at the offending tokens: a function that is not `async`, that takes
//! arguments or has generic parameters, an unknown argument or a bad value.

mod args;
mod entry;
mod expand;
mod signature;

use proc_macro::TokenStream;

use crate::entry::Entry;

/// Runs an `async fn` as the program's entry point on a multi-threaded filch runtime.
///
/// `async fn main() -> R { body }` becomes a plain `fn main() -> R` that builds a runtime
/// with `filch::Builder` and returns `runtime.block_on(body)`. The body runs on the calling
/// thread like any `block_on` future, and `filch::spawn` inside it puts tasks on the workers.
/// When `main` returns, the runtime is dropped, which shuts its workers down.
///
/// # Arguments
/// - `worker_threads = N`: the number of worker threads. Without it the builder's default
///   applies: one worker per CPU core.
///
/// # Example
/// ```
/// #[filch::main(worker_threads = 2)]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let squares: Vec<_> = (1..=3u64).map(|n| filch::spawn(async move { n * n })).collect();
///     let mut total = 0;
///     for square in squares {
///         total += square.await?;
///     }
///     assert_eq!(total, 14);
///     Ok(())
/// }
/// ```
///
/// Misuse does not compile, with a message that says what to change:
/// ```compile_fail
/// #[filch::main]
/// fn main() {} // error: #[filch::main] needs an `async fn`: add `async` before `fn`
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Entry::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` as a `#[test]` on its own multi-threaded filch runtime.
///
/// Each test builds a fresh runtime, blocks on the body and drops the runtime, so tests
/// share nothing. Other attributes (`#[should_panic]`, `#[ignore]`) work as on any test; do
/// not add `#[test]` yourself, the attribute adds it.
///
/// # Arguments
/// - `worker_threads = N`: the number of worker threads; **2 when not given**. Two is the
///   smallest runtime with real parallelism (a worker that can steal from the other), and it
///   does not oversubscribe the machine while `cargo test` runs many tests at once; ask for
///   more when a test needs them.
///
/// # Example
/// ```
/// #[filch::test(worker_threads = 4)]
/// async fn sums_in_parallel() -> Result<(), filch::JoinError> {
///     let halves = [filch::spawn(async { (1..=50u32).sum::<u32>() }),
///                   filch::spawn(async { (51..=100u32).sum::<u32>() })];
///     let mut total = 0;
///     for half in halves {
///         total += half.await?;
///     }
///     assert_eq!(total, 5050);
///     Ok(())
/// }
/// # fn main() {}
/// ```
///
/// (A doc test does not run `#[test]` functions; `tests/macros.rs` in the `filch` package runs
/// real ones.)
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Entry::Test, args.into(), item.into()).into()
}
