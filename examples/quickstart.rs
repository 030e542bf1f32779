//! filch in one page: start a runtime, block on a future, spawn tasks, gather their results.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! The work is counting primes, split into chunks that run in parallel on the workers.

use std::error::Error;
use std::ops::Range;

/// Trial division: deliberately CPU-bound, so the chunks have real work to share out.
fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

fn count_primes(range: Range<u64>) -> usize {
    range.filter(|&n| is_prime(n)).count()
}

const LIMIT: u64 = 200_000;
const CHUNKS: u64 = 8;

fn main() -> Result<(), Box<dyn Error>> {
    // asyncio.run(coro) / loop.run_until_complete(coro): a runtime drives one future to its
    // output. Runtime::new() starts one worker per core.
    let runtime = filch::Runtime::new();
    let answer = runtime.block_on(async { 6 * 7 });
    println!("block_on(async {{ 6 * 7 }}) = {answer}");

    runtime.block_on(async {
        // spawn: a task runs on the workers, in parallel with this future; its JoinHandle is
        // a future of the task's output (or a JoinError if it panicked or was cancelled).
        let whole = filch::spawn(async { count_primes(0..LIMIT) });
        let total = whole.await?;
        println!("one task: {total} primes below {LIMIT}");

        // gather: many futures, each spawned, results in input order (a panic in one is the
        // error; try_gather takes futures of Result, whose Err is asyncio's exception).
        let step = LIMIT / CHUNKS;
        let chunks = (0..CHUNKS).map(|i| async move { count_primes(i * step..(i + 1) * step) });
        let counts = filch::gather(chunks).await?;
        println!("gather of {CHUNKS} chunks: {counts:?}");
        assert_eq!(counts.iter().sum::<usize>(), total);
        println!("the chunks add up to the single task's count");
        Ok(())
    })
}
