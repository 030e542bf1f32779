//! The built-in load generator: a fixed number of requests over K keep-alive connections to
//! the server on 127.0.0.1, bounded in time, with every answer checked.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// What to send.
#[derive(Debug, Clone, Copy)]
pub struct LoadPlan {
    /// Requests in total, shared out among the connections as they free up.
    pub requests: usize,
    /// Concurrent keep-alive connections (each has one request in flight at a time).
    pub connections: usize,
    /// Every request asks for `fib(n)`.
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

/// Runs `plan` against `address` and reports; the expected body is `fib(n)` as text.
pub async fn run(address: SocketAddr, plan: LoadPlan, expected: u64) -> io::Result<LoadReport> {
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
            path: format!("/fib/{}", plan.n),
            expected: expected.to_string(),
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
    path: String,
    expected: String,
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
        while next_request.fetch_add(1, Ordering::Relaxed) < requests {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let answer = tokio::time::timeout_at(deadline.into(), self.request()).await;
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

    async fn request(&mut self) -> Result<(), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let request = Request::get(self.path.as_str())
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
        if status != StatusCode::OK || body != self.expected.as_bytes() {
            return Err(format!(
                "{status}: {:?} (expected {:?})",
                String::from_utf8_lossy(&body),
                self.expected
            ));
        }
        Ok(())
    }
}
