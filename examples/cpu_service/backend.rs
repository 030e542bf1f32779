//! Where the CPU-heavy part of a request runs: the three backends being compared.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

/// The CPU-heavy handler: naive recursive Fibonacci, a fixed and easily checked amount of
/// work (fib(n) makes about 3.2 * fib(n) calls: the default n = 28 is about 0.8 ms on one core
/// of the project's 2-core machine in a release build, so the computation, not HTTP, is what
/// the backends compete on).
pub fn fib(n: u32) -> u64 {
    if n < 2 {
        u64::from(n)
    } else {
        fib(n - 1) + fib(n - 2)
    }
}

/// Chunks of the data set a `/sum/<k>` request can ask for.
pub const CHUNKS: usize = 16;

/// Values per chunk: a chunk's sum weighs about what fib(28) does (side by side on the
/// project's machine, `--request sum` and `--request fib` serve about the same req/s), so
/// the parallel request and the sequential one compare.
const CHUNK_LEN: usize = 32 * 1024;

/// Chunk `k` of the service's data set (made once, 4 MB, the same in every process).
fn chunk(k: usize) -> &'static [u64] {
    static DATA: OnceLock<Vec<u64>> = OnceLock::new();
    let data = DATA.get_or_init(|| {
        (0..(CHUNKS * CHUNK_LEN) as u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect()
    });
    &data[k * CHUNK_LEN..(k + 1) * CHUNK_LEN]
}

/// The per-value work of a sum: 64 rounds of a multiply-xorshift mix (the values are
/// independent, so the CPU overlaps them: a sum over few rounds would be too light).
fn weigh(mut x: u64) -> u64 {
    for _ in 0..64 {
        x = (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    }
    x >> 32
}

/// The sum of chunk `k`, sequentially: what a client checks a `/sum/<k>` answer against.
pub fn chunk_sum(k: usize) -> u64 {
    chunk(k).iter().map(|&x| weigh(x)).sum()
}

/// The parallel handler: chunk `k`'s sum with the backend's parallel iterator.
fn par_chunk_sum<J: Join>(k: usize) -> u64 {
    J::par_sum(chunk(k), weigh)
}

/// The parallel iterator of the pool a job runs on: each backend's own.
pub trait Join {
    /// `values.par_iter().map(f).sum()`, split across the pool's threads.
    fn par_sum(values: &[u64], f: fn(u64) -> u64) -> u64;
}

/// filch's workers: the parallel work shares the pool with the async tasks.
struct FilchJoin;

impl Join for FilchJoin {
    fn par_sum(values: &[u64], f: fn(u64) -> u64) -> u64 {
        use filch::prelude::*;
        values.par_iter().map(|&x| f(x)).sum()
    }
}

/// rayon's pool.
struct RayonJoin;

impl Join for RayonJoin {
    fn par_sum(values: &[u64], f: fn(u64) -> u64) -> u64 {
        use rayon::prelude::*;
        values.par_iter().map(|&x| f(x)).sum()
    }
}

/// A `spawn_blocking` thread has no pool to fork onto: the sum runs sequentially.
struct Sequential;

impl Join for Sequential {
    fn par_sum(values: &[u64], f: fn(u64) -> u64) -> u64 {
        values.iter().map(|&x| f(x)).sum()
    }
}

/// What a request computes on a backend: written once, forking with the backend's [`Join`].
pub trait Job: Send + 'static {
    /// The answer.
    type Output: Send + 'static;

    /// Computes the answer on a thread of `J`'s pool.
    fn run<J: Join>(self) -> Self::Output;
}

/// `GET /fib/<n>`: sequential, the same on every backend.
pub struct Fib(pub u32);

impl Job for Fib {
    type Output = u64;

    fn run<J: Join>(self) -> u64 {
        fib(self.0)
    }
}

/// `GET /sum/<k>`: a parallel computation inside the handler (sequential on spawn_blocking).
pub struct ChunkSum(pub usize);

impl Job for ChunkSum {
    type Output = u64;

    fn run<J: Join>(self) -> u64 {
        par_chunk_sum::<J>(self.0)
    }
}

/// Which pool runs a request's [`Job`] for the tokio server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// A task on a filch runtime, its `JoinHandle` awaited from tokio; a parallel job forks
    /// with `par_iter` inside that task.
    Filch,
    /// `tokio::task::spawn_blocking`: tokio's elastic thread pool for blocking calls; a
    /// parallel job runs sequentially there.
    SpawnBlocking,
    /// A job on a rayon thread pool, running rayon's `par_iter`, its result sent back over a
    /// tokio oneshot channel.
    Rayon,
}

impl BackendKind {
    /// Every backend, in the order `--backend all` runs them.
    pub const ALL: [BackendKind; 3] = [
        BackendKind::Filch,
        BackendKind::SpawnBlocking,
        BackendKind::Rayon,
    ];
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendKind::Filch => "filch",
            BackendKind::SpawnBlocking => "spawn_blocking",
            BackendKind::Rayon => "rayon",
        })
    }
}

impl FromStr for BackendKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        BackendKind::ALL
            .into_iter()
            .find(|kind| kind.to_string() == name)
            .ok_or_else(|| {
                format!("unknown backend {name:?}: use filch, spawn_blocking, rayon or all")
            })
    }
}

/// A started backend: its pool lives as long as this value.
#[derive(Clone)]
pub enum Backend {
    /// A filch runtime with one worker per compute thread.
    Filch(Arc<filch::Runtime>),
    /// tokio's blocking pool (part of the server's tokio runtime).
    SpawnBlocking,
    /// A rayon pool with one thread per compute thread.
    Rayon(Arc<rayon::ThreadPool>),
}

impl Backend {
    /// Starts `kind` with `threads` compute threads (spawn_blocking sizes itself).
    pub fn start(kind: BackendKind, threads: usize) -> std::io::Result<Backend> {
        Ok(match kind {
            BackendKind::Filch => Backend::Filch(Arc::new(
                filch::Builder::new()
                    .worker_threads(threads)
                    .thread_name("filch-compute")
                    .build()?,
            )),
            BackendKind::SpawnBlocking => Backend::SpawnBlocking,
            BackendKind::Rayon => Backend::Rayon(Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(|i| format!("rayon-compute-{i}"))
                    .build()
                    .map_err(std::io::Error::other)?,
            )),
        })
    }

    /// Runs `job` on this backend's pool, awaited from the server's tokio task.
    pub async fn run<W: Job>(&self, job: W) -> Result<W::Output, String> {
        match self {
            Backend::Filch(runtime) => runtime
                .spawn(async move { job.run::<FilchJoin>() })
                .await
                .map_err(|err| err.to_string()),
            Backend::SpawnBlocking => tokio::task::spawn_blocking(move || job.run::<Sequential>())
                .await
                .map_err(|err| err.to_string()),
            Backend::Rayon(pool) => {
                let (send, receive) = tokio::sync::oneshot::channel();
                pool.spawn(move || {
                    // The receiver is gone only if the client hung up; nobody wants the value.
                    let _ = send.send(job.run::<RayonJoin>());
                });
                receive.await.map_err(|err| err.to_string())
            }
        }
    }
}
