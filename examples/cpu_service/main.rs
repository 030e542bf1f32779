//! A tokio + hyper HTTP service that offloads a CPU-heavy handler, and a load generator that
//! compares three places to run it: a filch runtime, tokio's `spawn_blocking`, a rayon pool.
//!
//! ```text
//! cargo run --release -p cpu-service -- --backend all
//! cargo run --release -p cpu-service -- --backend filch --requests 20000 --connections 64
//! ```
//!
//! `--help` lists the options ([`USAGE`]).
//!
//! For each backend a fresh server starts on 127.0.0.1 (an ephemeral port; one tokio worker
//! for the sockets), a warm-up of [`WARM_UP_REQUESTS`] runs, then the measured load: a fixed
//! number of requests over K keep-alive connections from a separate one-worker tokio runtime.
//! Nothing leaves the machine, the run stops by itself after the requests or the time limit,
//! and every answer is checked against fib(N). `spawn_blocking` keeps tokio's default pool
//! (up to 512 threads), as a service using it would: with K connections it runs up to K
//! computations at once on however many cores there are.

mod backend;
mod load;
mod server;

use std::error::Error;
use std::time::Duration;

use backend::{Backend, BackendKind};
use lexopt::prelude::*;
use load::{LoadPlan, LoadReport, RequestKind};

/// Requests sent (and not measured) before each measured run: threads start, pools grow,
/// connections and caches warm up.
const WARM_UP_REQUESTS: usize = 500;

/// What `--help` prints.
const USAGE: &str = "\
Serves fib(N) (or a parallel sum) over HTTP from each backend in turn and measures it under load.

USAGE:
    cargo run --release -p cpu-service -- [OPTIONS]

OPTIONS:
    --backend NAME        filch, spawn_blocking, rayon or all (default: all)
    --request KIND        fib, or sum: a parallel sum inside each request (default: fib)
    --requests N          measured requests per backend (default: 5000)
    --connections K       keep-alive connections of the load generator (default: 32)
    --n N                 each request computes fib(N) (default: 28)
    --threads T           filch workers and rayon threads (default: one per core)
    --time-limit SECONDS  stop a backend's run after this long (default: 60)
    -h, --help            print this text";

/// The command line.
struct Options {
    backends: Vec<BackendKind>,
    plan: LoadPlan,
    threads: usize,
}

/// The options, or `None` for `--help`; errors are lexopt's own or say what a value must be.
fn parse_options() -> Result<Option<Options>, lexopt::Error> {
    let mut options = Options {
        backends: BackendKind::ALL.to_vec(),
        plan: LoadPlan {
            requests: 5_000,
            connections: 32,
            n: 28,
            request: RequestKind::Fib,
            time_limit: Duration::from_secs(60),
        },
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Long("backend") => match parser.value()?.string()?.as_str() {
                "all" => options.backends = BackendKind::ALL.to_vec(),
                name => options.backends = vec![name.parse()?],
            },
            Long("request") => options.plan.request = parser.value()?.string()?.parse()?,
            Long("requests") => options.plan.requests = count(&mut parser, "--requests")?,
            Long("connections") => options.plan.connections = count(&mut parser, "--connections")?,
            Long("threads") => options.threads = count(&mut parser, "--threads")?,
            Long("time-limit") => {
                options.plan.time_limit =
                    Duration::from_secs(count(&mut parser, "--time-limit")? as u64)
            }
            Long("n") => match count(&mut parser, "--n")? {
                n if n <= server::MAX_N as usize => options.plan.n = n as u32,
                n => return Err(format!("--n must be at most {}, not {n}", server::MAX_N).into()),
            },
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(options))
}

/// The value of `flag`, a count: an integer of at least 1.
fn count(parser: &mut lexopt::Parser, flag: &str) -> Result<usize, lexopt::Error> {
    match parser.value()?.parse::<usize>()? {
        0 => Err(format!("{flag} takes a whole number of at least 1, not 0").into()),
        n => Ok(n),
    }
}

/// Serves with `kind` and measures the plan; the server and the pool are gone on return.
fn measure(kind: BackendKind, options: &Options) -> Result<LoadReport, Box<dyn Error>> {
    let backend = Backend::start(kind, options.threads)?;
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("server-io")
        .enable_all()
        .build()?;
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("load-generator")
        .enable_all()
        .build()?;
    let address = server_runtime.block_on(server::start(backend.clone()))?;
    let warm_up = LoadPlan {
        requests: WARM_UP_REQUESTS,
        ..options.plan
    };
    client_runtime.block_on(load::run(address, warm_up))?;
    let report = client_runtime.block_on(load::run(address, options.plan))?;
    // Dropping the server's runtime drops every connection task and its clone of the backend
    // here, on this thread; the pool itself goes last.
    drop(client_runtime);
    drop(server_runtime);
    drop(backend);
    Ok(report)
}

fn millis(latency: Option<Duration>) -> String {
    latency.map_or_else(
        || "-".to_string(),
        |d| format!("{:.2}", d.as_secs_f64() * 1e3),
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    let options = match parse_options() {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return Ok(());
        }
        Err(err) => {
            eprintln!("cpu-service: {err}; run with --help to see the options");
            std::process::exit(2);
        }
    };
    let plan = options.plan;
    println!(
        "cpu_service: {} requests of {} over {} connections, {} compute threads, \
         {} cores, time limit {:?}",
        plan.requests,
        plan.describe(),
        plan.connections,
        options.threads,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        plan.time_limit
    );
    println!();
    println!(
        "{:<16} {:>9} {:>7} {:>10} {:>9} {:>9}",
        "backend", "requests", "failed", "req/s", "p50 ms", "p99 ms"
    );
    for &kind in &options.backends {
        let report = measure(kind, &options)?;
        println!(
            "{:<16} {:>9} {:>7} {:>10.0} {:>9} {:>9}",
            kind.to_string(),
            report.latencies.len(),
            report.failed,
            report.requests_per_second(),
            millis(report.percentile(50.0)),
            millis(report.percentile(99.0)),
        );
    }
    Ok(())
}
