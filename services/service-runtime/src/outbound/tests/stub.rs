//! Peers for the edge client's tests, on loopback: a well-behaved one (axum), and
//! raw sockets for what axum would never do (stall, stream a body without end).

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::outbound::BaseUrl;

/// Bytes the `/big` route answers: over the default 64 KiB bound.
pub(super) const BIG_BODY_BYTES: usize = 65 * 1024;

/// The base URL of `addr`.
pub(super) fn base(addr: SocketAddr) -> BaseUrl {
    format!("http://{addr}").parse().expect("a loopback URL")
}

/// A peer answering `/users/{id}` with 200 and the `traceparent` it received (or
/// `none`) as body, `/missing` with 404, `/broken` with 500, `/big` with 200 and
/// [`BIG_BODY_BYTES`].
pub(super) async fn well_behaved() -> BaseUrl {
    let app = Router::new()
        .route("/users/{id}", get(echo_traceparent))
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/broken",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route("/big", get(|| async { "x".repeat(BIG_BODY_BYTES) }));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    base(addr)
}

async fn echo_traceparent(headers: HeaderMap) -> String {
    headers
        .get("traceparent")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("none")
        .to_owned()
}

/// A peer that accepts connections and never answers.
pub(super) async fn stalled() -> BaseUrl {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    base(addr)
}

/// A peer answering 200 with a chunked body that never ends (no length announced,
/// so only counting the bytes read stops it).
pub(super) async fn endless() -> BaseUrl {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
                let chunk = format!("400\r\n{}\r\n", "y".repeat(0x400));
                // The client's request first (one small segment): an answer
                // before it is a protocol error, not a long body.
                let mut request = [0; 4096];
                let mut sent = socket.read(&mut request).await.map(drop);
                if sent.is_ok() {
                    sent = socket.write_all(head.as_bytes()).await;
                }
                // Until the client hangs up.
                while sent.is_ok() {
                    sent = socket.write_all(chunk.as_bytes()).await;
                }
            });
        }
    });
    base(addr)
}

/// An address nothing listens on: connections are refused.
pub(super) fn refused() -> BaseUrl {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    base(addr)
}
