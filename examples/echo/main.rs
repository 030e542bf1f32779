//! A TCP echo server and its clients on filch, with `async-net` for the sockets: no tokio.
//!
//! ```text
//! cargo run -p echo
//! ```
//!
//! The server listens on 127.0.0.1 (an ephemeral port), serves one filch task per connection,
//! and stops after [`CLIENTS`] connections. The clients run as filch tasks too: each sends a
//! few lines, checks that every one comes back unchanged, and hangs up. `async-net` sockets are
//! driven by `async-io`'s reactor thread, so they work under any executor, filch included.

use std::io;
use std::net::SocketAddr;

use async_net::{TcpListener, TcpStream};
use futures::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// How many clients connect; the server stops after serving this many.
const CLIENTS: usize = 3;

/// Accepts `connections` connections and echoes each on its own task until the peer hangs up.
async fn serve(listener: TcpListener, connections: usize) -> io::Result<()> {
    let mut sessions = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (stream, peer) = listener.accept().await?;
        println!("server: accepted {peer}");
        sessions.push(filch::spawn(async move {
            let mut writer = stream.clone();
            let echoed = futures::io::copy(stream, &mut writer).await?;
            println!("server: {peer} hung up after {echoed} bytes");
            io::Result::Ok(())
        }));
    }
    for session in sessions {
        joined(session.await)?;
    }
    Ok(())
}

/// Sends a few lines to `address` and checks the echo of each.
async fn client(address: SocketAddr, id: usize) -> io::Result<()> {
    let stream = TcpStream::connect(address).await?;
    let mut replies = BufReader::new(stream.clone());
    let mut requests = stream;
    for n in 1..=3 {
        let line = format!("client {id}, line {n}\n");
        requests.write_all(line.as_bytes()).await?;
        let mut echo = String::new();
        replies.read_line(&mut echo).await?;
        if echo != line {
            return Err(io::Error::other(format!(
                "sent {line:?}, got back {echo:?}"
            )));
        }
        print!("client {id}: echoed {echo}");
    }
    requests.close().await
}

/// A task's I/O result, or its panic or cancellation as an I/O error.
fn joined<T>(outcome: Result<io::Result<T>, filch::JoinError>) -> io::Result<T> {
    outcome.map_err(|err| io::Error::other(err.to_string()))?
}

#[filch::main]
async fn main() -> io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    println!("server: listening on {address}");
    let server = filch::spawn(serve(listener, CLIENTS));

    let clients: Vec<_> = (1..=CLIENTS)
        .map(|id| filch::spawn(client(address, id)))
        .collect();
    for client in clients {
        joined(client.await)?;
    }
    joined(server.await)?;
    println!("all {CLIENTS} clients got their lines back");
    Ok(())
}
