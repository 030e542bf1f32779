//! Where the CPU-heavy part of a request runs: the three backends being compared.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

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

/// Which pool runs [`fib`] for the tokio server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// A task on a filch runtime, its `JoinHandle` awaited from tokio.
    Filch,
    /// `tokio::task::spawn_blocking`: tokio's elastic thread pool for blocking calls.
    SpawnBlocking,
    /// A job on a rayon thread pool, its result sent back over a tokio oneshot channel.
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

    /// Computes `fib(n)` on this backend's pool, awaited from the server's tokio task.
    pub async fn fib(&self, n: u32) -> Result<u64, String> {
        match self {
            Backend::Filch(runtime) => runtime
                .spawn(async move { fib(n) })
                .await
                .map_err(|err| err.to_string()),
            Backend::SpawnBlocking => tokio::task::spawn_blocking(move || fib(n))
                .await
                .map_err(|err| err.to_string()),
            Backend::Rayon(pool) => {
                let (send, receive) = tokio::sync::oneshot::channel();
                pool.spawn(move || {
                    // The receiver is gone only if the client hung up; nobody wants the value.
                    let _ = send.send(fib(n));
                });
                receive.await.map_err(|err| err.to_string())
            }
        }
    }
}
