//! A tokio + hyper HTTP service that offloads a CPU-heavy handler, and a load generator that
//! compares three places to run it: a filch runtime, tokio's `spawn_blocking`, a rayon pool.
//!
//! ```text
//! cargo run --release -p cpu-service -- --backend all
//! cargo run --release -p cpu-service -- --backend filch --requests 20000 --connections 64
//! ```
//!
//! Options (defaults in brackets): `--backend filch|spawn_blocking|rayon|all` [all],
//! `--requests N` [5000], `--connections K` [32], `--n N` (each request computes fib(N)) [28],
//! `--threads T` (filch workers and rayon threads) [one per core], `--time-limit SECONDS` [60].
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
use load::{LoadPlan, LoadReport};

/// Requests sent (and not measured) before each measured run: threads start, pools grow,
/// connections and caches warm up.
const WARM_UP_REQUESTS: usize = 500;

/// The command line.
struct Options {
    backends: Vec<BackendKind>,
    plan: LoadPlan,
    threads: usize,
}

fn parse_options() -> Result<Options, String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut options = Options {
        backends: BackendKind::ALL.to_vec(),
        plan: LoadPlan {
            requests: 5_000,
            connections: 32,
            n: 28,
            time_limit: Duration::from_secs(60),
        },
        threads: cores,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("{flag} takes a positive integer, got {value:?}"))
        };
        match flag.as_str() {
            "--backend" if value == "all" => options.backends = BackendKind::ALL.to_vec(),
            "--backend" => options.backends = vec![value.parse()?],
            "--requests" => options.plan.requests = number()?,
            "--connections" => options.plan.connections = number()?,
            "--threads" => options.threads = number()?,
            "--time-limit" => options.plan.time_limit = Duration::from_secs(number()? as u64),
            "--n" => {
                options.plan.n = u32::try_from(number()?)
                    .ok()
                    .filter(|&n| n <= server::MAX_N)
                    .ok_or_else(|| format!("--n must be at most {}", server::MAX_N))?;
            }
            _ => {
                return Err(format!(
                    "unknown option {flag}; see the top of cpu_service/main.rs"
                ))
            }
        }
    }
    Ok(options)
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
    let expected = backend::fib(options.plan.n);
    let warm_up = LoadPlan {
        requests: WARM_UP_REQUESTS,
        ..options.plan
    };
    client_runtime.block_on(load::run(address, warm_up, expected))?;
    let report = client_runtime.block_on(load::run(address, options.plan, expected))?;
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
    let options = parse_options()?;
    let plan = options.plan;
    println!(
        "cpu_service: {} requests of fib({}) over {} connections, {} compute threads, \
         {} cores, time limit {:?}",
        plan.requests,
        plan.n,
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
