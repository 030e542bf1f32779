//! The HTTP service: tokio + hyper on 127.0.0.1, `GET /fib/<n>` (sequential) and
//! `GET /sum/<k>` (a parallel sum over chunk `k` of the data) computed on a [`Backend`].

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::backend::{Backend, ChunkSum, Fib, CHUNKS};

/// The largest `n` served: fib(40) already takes about a second, so larger is a mistake.
pub const MAX_N: u32 = 40;

/// Binds 127.0.0.1 on an ephemeral port and serves on the current tokio runtime until that
/// runtime is dropped; returns the address.
pub async fn start(backend: Backend) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    tokio::spawn(accept_loop(listener, backend));
    Ok(address)
}

async fn accept_loop(listener: TcpListener, backend: Backend) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Out of file descriptors and the like: report it and keep serving the others.
                eprintln!("server: accept failed: {err}");
                continue;
            }
        };
        let backend = backend.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| respond(backend.clone(), request));
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            if let Err(err) = connection.await {
                eprintln!("server: connection failed: {err}");
            }
        });
    }
}

async fn respond(
    backend: Backend,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path();
    let fib = path
        .strip_prefix("/fib/")
        .and_then(|n| n.parse::<u32>().ok());
    let sum = path
        .strip_prefix("/sum/")
        .and_then(|k| k.parse::<usize>().ok());
    let answer = match (fib, sum) {
        (Some(n), _) if n <= MAX_N => Some(backend.run(Fib(n)).await),
        (_, Some(k)) if k < CHUNKS => Some(backend.run(ChunkSum(k)).await),
        _ => None,
    };
    let (status, body) = match answer {
        None => (
            StatusCode::NOT_FOUND,
            format!("use GET /fib/<n> with n <= {MAX_N} or GET /sum/<k> with k < {CHUNKS}"),
        ),
        Some(Ok(value)) => (StatusCode::OK, value.to_string()),
        Some(Err(err)) => (StatusCode::INTERNAL_SERVER_ERROR, err),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    Ok(response)
}
