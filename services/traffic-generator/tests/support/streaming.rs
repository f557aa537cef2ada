//! A hostile stand-in for the services, on loopback: every request, whatever its
//! path, gets a 200 whose body is endless, or exactly some number of bytes (with or
//! without a `Content-Length`). Raw TCP, so the body is exactly what the test says.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use traffic_generator::requester::BaseUrl;

/// No connection is served longer than this, so a test that goes wrong ends.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(60);
/// Largest request head read; the generator's are a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;
/// One write of the body.
static CHUNK: [u8; 64 * 1024] = [b'x'; 64 * 1024];

/// What the body of every answer is.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// Bytes until the client goes away (close-delimited, no length).
    Endless,
    /// Exactly this many bytes, announced by `Content-Length` or close-delimited.
    Exactly { bytes: usize, announced: bool },
}

/// A running server.
pub struct StreamingServer {
    addr: SocketAddr,
}

impl StreamingServer {
    /// Starts a server answering every request with `body`.
    pub async fn start(body: Body) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a free port");
        let addr = listener.local_addr().expect("bound address");
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(tokio::time::timeout(
                    CONNECTION_DEADLINE,
                    serve(socket, body),
                ));
            }
        });
        Self { addr }
    }

    /// The server's base URL.
    pub fn url(&self) -> BaseUrl {
        format!("http://{}", self.addr).parse().expect("valid URL")
    }
}

/// Reads one request head, answers it, closes the connection.
async fn serve(mut socket: TcpStream, body: Body) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buffer = [0; 4096];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = socket.read(&mut buffer).await?;
        if read == 0 || head.len() > MAX_HEAD {
            return Ok(());
        }
        head.extend_from_slice(&buffer[..read]);
    }
    match body {
        Body::Endless => {
            socket
                .write_all(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n")
                .await?;
            let started = Instant::now();
            // Ends when the client closes the connection (the write fails).
            while started.elapsed() < CONNECTION_DEADLINE {
                socket.write_all(&CHUNK).await?;
            }
        }
        Body::Exactly { bytes, announced } => {
            let length = if announced {
                format!("content-length: {bytes}\r\n")
            } else {
                String::new()
            };
            let status = format!("HTTP/1.1 200 OK\r\nconnection: close\r\n{length}\r\n");
            socket.write_all(status.as_bytes()).await?;
            let mut left = bytes;
            while left > 0 {
                let chunk = left.min(CHUNK.len());
                socket.write_all(&CHUNK[..chunk]).await?;
                left -= chunk;
            }
        }
    }
    // Read what the client still sends (a request body) until it closes: closing
    // with unread bytes would reset the connection before the answer is read.
    socket.shutdown().await?;
    while socket.read(&mut buffer).await? > 0 {}
    Ok(())
}
