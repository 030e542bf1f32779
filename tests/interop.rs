//! filch next to the crates a Rust service already uses.
//!
//! - A filch [`Promise`] and a filch [`JoinHandle`] are plain `std::future::Future`s with
//!   `std::task::Waker`-based wake-ups, so other executors can await them: tokio's runtime
//!   and `futures::executor::block_on` here.
//! - I/O needs no tokio: `async-net` sockets, driven by `async-io`'s reactor thread, work
//!   inside filch tasks (a TCP echo over 127.0.0.1).
//!
//! Every wait that could hang on a bug is bounded by [`HANG_GUARD`] (tokio's timer, or a
//! watchdog thread where there is no timer), which only fails on a hang; nothing here orders
//! threads by sleeping.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use filch::futures::{Error, Promise};
use filch::{JoinHandle, Runtime};
use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// How long a test may wait for something that must happen; reached only on a hang.
const HANG_GUARD: Duration = Duration::from_secs(30);

fn filch_runtime() -> Runtime {
    filch::Builder::new()
        .worker_threads(2)
        .build()
        .expect("a 2-worker filch runtime starts")
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("a 2-worker tokio runtime starts")
}

/// Runs `body` on its own thread and returns its value; fails (instead of hanging) if it
/// does not finish within [`HANG_GUARD`]. For waits that have no timer of their own
/// (`futures::executor::block_on`, filch's `block_on`).
fn within_hang_guard<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || send.send(body()));
    match receive.recv_timeout(HANG_GUARD) {
        Ok(value) => value,
        Err(RecvTimeoutError::Timeout) => panic!("still waiting after {HANG_GUARD:?}: a hang"),
        Err(RecvTimeoutError::Disconnected) => panic!("the body panicked (its message is above)"),
    }
}

/// Awaits `future` on tokio, failing (instead of hanging) after [`HANG_GUARD`].
fn on_tokio<F: std::future::Future>(tokio: &tokio::runtime::Runtime, future: F) -> F::Output {
    // The timer is made inside `block_on`: tokio's timers need its runtime context.
    tokio
        .block_on(async { tokio::time::timeout(HANG_GUARD, future).await })
        .expect("the future completes well before the hang guard")
}

#[test]
fn a_promise_set_by_a_filch_task_is_awaited_on_tokio() {
    let filch = filch_runtime();
    let tokio = tokio_runtime();
    let promise: Promise<String, String> = filch.handle().create_future();

    // A tokio task waits first, so the promise must wake a tokio waker from a filch worker.
    let waiter = tokio.spawn(promise.clone());
    let setter = promise.clone();
    filch.spawn(async move { setter.set_result("from filch".to_string()) });

    let outcome = on_tokio(&tokio, waiter).expect("the tokio task does not panic");
    assert_eq!(outcome, Ok("from filch".to_string()));
    assert_eq!(promise.result().map(String::as_str), Ok("from filch"));
}

#[test]
fn exceptions_and_cancellation_reach_a_tokio_awaiter() {
    let tokio = tokio_runtime();
    let failing: Promise<u32, String> = Promise::new();
    let cancelled: Promise<u32, String> = Promise::new();
    let waiters = (tokio.spawn(failing.clone()), tokio.spawn(cancelled.clone()));
    failing.set_exception("disk full".to_string()).unwrap();
    assert!(cancelled.cancel_with("shutting down"));

    let failed = on_tokio(&tokio, waiters.0).unwrap();
    assert_eq!(failed, Err(Error::Exception("disk full".to_string())));
    match on_tokio(&tokio, waiters.1).unwrap() {
        Err(Error::Cancelled(err)) => assert_eq!(err.message(), Some("shutting down")),
        other => panic!("expected a cancellation, got {other:?}"),
    }
}

#[test]
fn a_filch_join_handle_is_awaited_on_tokio() {
    let filch = filch_runtime();
    let tokio = tokio_runtime();
    // The filch task itself waits on a tokio channel: wakers cross in both directions.
    let (send, receive) = tokio::sync::oneshot::channel::<u64>();
    let task: JoinHandle<u64> = filch.spawn(async move {
        let base = receive.await.expect("the tokio side sends");
        (1..=base).sum()
    });
    tokio.spawn(async move { send.send(100).expect("the filch task is waiting") });

    assert_eq!(on_tokio(&tokio, task).expect("the task succeeds"), 5050);
}

#[test]
fn a_panicking_filch_task_reports_its_panic_to_tokio() {
    let filch = filch_runtime();
    let tokio = tokio_runtime();
    let task: JoinHandle<()> = filch.spawn(async { panic!("task failed on purpose") });

    let err = on_tokio(&tokio, task).expect_err("a panicking task fails its handle");
    assert!(err.is_panic(), "{err}");
    let payload = err.into_panic();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"task failed on purpose")
    );
}

#[test]
fn futures_block_on_awaits_promises_and_join_handles() {
    let filch = filch_runtime();
    let promise: Promise<u32, String> = filch.handle().create_future();
    let doubled = filch.spawn({
        let promise = promise.clone();
        async move { promise.await.map(|n| n * 2) }
    });
    promise.set_result(21).unwrap();

    let awaited = promise.clone();
    assert_eq!(
        within_hang_guard(move || futures::executor::block_on(awaited)),
        Ok(21)
    );
    let doubled = within_hang_guard(move || futures::executor::block_on(doubled));
    assert_eq!(doubled.unwrap(), Ok(42));
}

#[test]
fn futures_block_on_sees_a_cancelled_task() {
    let filch = filch_runtime();
    let (_keep_open, never) = futures::channel::oneshot::channel::<()>();
    let task = filch.spawn(async move {
        let _ = never.await;
    });
    assert!(task.cancel());

    let err = within_hang_guard(move || futures::executor::block_on(task))
        .expect_err("a cancelled task has no output");
    assert!(err.is_cancelled(), "{err}");
}

/// Lines each echo client sends; the last one is long enough to need several reads.
fn client_lines(client: usize) -> Vec<String> {
    let mut lines: Vec<String> = (0..4)
        .map(|n| format!("client {client} line {n}"))
        .collect();
    lines.push("x".repeat(16 * 1024));
    lines
}

/// Serves `connections` echo connections, one filch task each, then returns.
async fn echo_server(listener: async_net::TcpListener, connections: usize) -> std::io::Result<()> {
    let mut sessions = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (stream, _) = listener.accept().await?;
        sessions.push(filch::spawn(async move {
            let (reader, mut writer) = (stream.clone(), stream);
            futures::io::copy(reader, &mut writer).await
        }));
    }
    for session in sessions {
        session.await.expect("an echo session does not panic")?;
    }
    Ok(())
}

/// Sends `lines` and checks that each comes back unchanged.
async fn echo_client(address: std::net::SocketAddr, lines: Vec<String>) -> std::io::Result<()> {
    let stream = async_net::TcpStream::connect(address).await?;
    let mut reader = BufReader::new(stream.clone());
    let mut writer = stream;
    for line in &lines {
        writer.write_all(line.as_bytes()).await?;
        writer.write_all(b"\n").await?;
        let mut echoed = String::new();
        reader.read_line(&mut echoed).await?;
        assert_eq!(echoed.trim_end_matches('\n'), line);
    }
    writer.close().await?;
    // After our half-close the server's copy ends and it closes too: nothing more arrives.
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).await?;
    assert!(rest.is_empty(), "{} unexpected bytes", rest.len());
    Ok(())
}

#[test]
fn tcp_echo_with_async_net_inside_filch_tasks() {
    const CLIENTS: usize = 4;
    let outcome = within_hang_guard(|| {
        filch_runtime().block_on(async {
            let listener = async_net::TcpListener::bind(("127.0.0.1", 0)).await?;
            let address = listener.local_addr()?;
            let server = filch::spawn(echo_server(listener, CLIENTS));
            let clients: Vec<_> = (0..CLIENTS)
                .map(|client| filch::spawn(echo_client(address, client_lines(client))))
                .collect();
            for client in clients {
                client.await.expect("a client does not panic")?;
            }
            server.await.expect("the server does not panic")
        })
    });
    outcome.expect("no I/O error on 127.0.0.1");
}
