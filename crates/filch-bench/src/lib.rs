//! filch against tokio and smol, side by side: the workloads and the machinery of the runner.
//!
//! Each workload is written once, generic over [`rt::Rt`], and run on every runtime with
//! the same worker count; [`runner::compare`] interleaves their rounds in one process.
//! The `filch-bench` binary (`cargo run --release -p filch-bench -- --help`) prints the
//! table and writes `target/filch-bench/results.csv` and `speedups.svg`; the criterion bench
//! `benches/scheduler.rs` (package `filch-criterion-benches`) runs the same workloads, for
//! profiling.
//!
//! ```no_run
//! use filch_bench::runner::{compare, Plan};
//! use filch_bench::workloads::PingPong;
//!
//! let plan = Plan { workers: 2, warm_up_rounds: 1, rounds: 5, aa: false };
//! let result = compare(&PingPong { pings: 1_000 }, &plan);
//! println!("ping_pong: filch is {:.2}x tokio", result.speedup());
//! ```

pub mod alloc_counter;
pub mod args;
pub mod report;
pub mod rt;
pub mod runner;
pub mod stats;
pub mod stopwatch;
pub mod svg;
pub mod workloads;
