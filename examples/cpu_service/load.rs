//! The built-in load generator: a fixed number of requests over K keep-alive connections to
//! the server on 127.0.0.1, bounded in time, with every answer checked.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::backend;

/// Which request the load sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `GET /fib/<n>`: one sequential computation per request.
    Fib,
    /// `GET /sum/<k>`, k cycling over the chunks: a parallel sum inside each request.
    Sum,
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestKind::Fib => "fib",
            RequestKind::Sum => "sum",
        })
    }
}

impl FromStr for RequestKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        match name {
            "fib" => Ok(RequestKind::Fib),
            "sum" => Ok(RequestKind::Sum),
            _ => Err(format!("unknown request {name:?}: use fib or sum")),
        }
    }
}

/// What to send.
#[derive(Debug, Clone, Copy)]
pub struct LoadPlan {
    /// Requests in total, shared out among the connections as they free up.
    pub requests: usize,
    /// Concurrent keep-alive connections (each has one request in flight at a time).
    pub connections: usize,
    /// Which request to send.
    pub request: RequestKind,
    /// A `fib` request asks for `fib(n)`.
    pub n: u32,
    /// No request starts after this much time; the run stops by itself then.
    pub time_limit: Duration,
}

/// What came back.
#[derive(Debug)]
pub struct LoadReport {
    /// Latency of every successful request, sorted.
    pub latencies: Vec<Duration>,
    /// Requests that failed: an error status, a wrong answer, a broken connection.
    pub failed: usize,
    /// Wall time from the first request to the last answer.
    pub elapsed: Duration,
}

impl LoadPlan {
    /// What one request computes, for the report's heading.
    pub fn describe(&self) -> String {
        match self.request {
            RequestKind::Fib => format!("fib({})", self.n),
            RequestKind::Sum => format!("a parallel sum over one of {} chunks", backend::CHUNKS),
        }
    }

    /// The paths the requests cycle through, each with the body it must answer.
    fn targets(&self) -> Vec<Target> {
        match self.request {
            RequestKind::Fib => vec![Target {
                path: format!("/fib/{}", self.n),
                expected: backend::fib(self.n).to_string(),
            }],
            RequestKind::Sum => (0..backend::CHUNKS)
                .map(|k| Target {
                    path: format!("/sum/{k}"),
                    expected: backend::chunk_sum(k).to_string(),
                })
                .collect(),
        }
    }
}

/// A request's path and the body the answer must be.
struct Target {
    path: String,
    expected: String,
}

impl LoadReport {
    /// Successful requests per second.
    pub fn requests_per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The `p`-th percentile latency (nearest rank), `p` in 0..=100.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let last = self.latencies.len().checked_sub(1)?;
        let rank = ((p / 100.0) * last as f64).round() as usize;
        self.latencies.get(rank.min(last)).copied()
    }
}

/// Runs `plan` against `address` and reports; every answer is checked against a sequential
/// computation of the same request made here.
pub async fn run(address: SocketAddr, plan: LoadPlan) -> io::Result<LoadReport> {
    let targets: Arc<[Target]> = plan.targets().into();
    let next_request = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + plan.time_limit;
    let mut connections = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(io::Error::other)?;
        tokio::spawn(connection);
        let client = Client {
            sender,
            targets: Arc::clone(&targets),
        };
        connections.push(tokio::spawn(client.drive(
            Arc::clone(&next_request),
            plan.requests,
            deadline,
        )));
    }
    let mut report = LoadReport {
        latencies: Vec::with_capacity(plan.requests),
        failed: 0,
        elapsed: Duration::ZERO,
    };
    for connection in connections {
        let (latencies, failed) = connection.await.map_err(io::Error::other)?;
        report.latencies.extend(latencies);
        report.failed += failed;
    }
    report.elapsed = started.elapsed();
    report.latencies.sort_unstable();
    Ok(report)
}

/// One keep-alive connection and what it must read back.
struct Client {
    sender: http1::SendRequest<Empty<Bytes>>,
    /// Request number `i` goes to target `i % targets.len()`.
    targets: Arc<[Target]>,
}

impl Client {
    /// Sends requests one after another while the shared budget and the deadline allow;
    /// returns the latencies and the failure count. A broken connection ends this client.
    async fn drive(
        mut self,
        next_request: Arc<AtomicUsize>,
        requests: usize,
        deadline: Instant,
    ) -> (Vec<Duration>, usize) {
        let mut latencies = Vec::new();
        let mut failed = 0;
        loop {
            let i = next_request.fetch_add(1, Ordering::Relaxed);
            let now = Instant::now();
            if i >= requests || now >= deadline {
                break;
            }
            let targets = Arc::clone(&self.targets);
            let target = &targets[i % targets.len()];
            let answer = tokio::time::timeout_at(deadline.into(), self.request(target)).await;
            match answer {
                Ok(Ok(())) => latencies.push(now.elapsed()),
                Ok(Err(err)) => {
                    failed += 1;
                    eprintln!("load: request failed: {err}");
                    if self.sender.is_closed() {
                        break;
                    }
                }
                Err(_elapsed) => {
                    failed += 1;
                    break;
                }
            }
        }
        (latencies, failed)
    }

    async fn request(&mut self, target: &Target) -> Result<(), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let request = Request::get(target.path.as_str())
            .header(hyper::header::HOST, "127.0.0.1")
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        let body = body.to_bytes();
        if status != StatusCode::OK || body != target.expected.as_bytes() {
            return Err(format!(
                "{} {status}: {:?} (expected {:?})",
                target.path,
                String::from_utf8_lossy(&body),
                target.expected
            ));
        }
        Ok(())
    }
}
