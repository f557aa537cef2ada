//! The benchmark floor: a bare axum server with one route, `GET /health`, answering
//! a fixed JSON body; no middleware, no metrics, no state. `cargo xtask bench` runs it next to the
//! services to show what lookout's instrumentation costs.
//!
//! Usage: `bare_axum [port]` (default 0: a free port); it prints the bound address.

use anyhow::Context;
use axum::Router;
use axum::http::header;
use axum::routing::get;

/// Same size and shape as user-service's answer to `GET /users/1`.
const BODY: &str = r#"{"id":1,"name":"Alice","email":"alice@test.com","active":true}"#;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(port) => port
            .parse()
            .with_context(|| format!("invalid port {port:?}"))?,
        None => 0,
    };
    let app = Router::new().route(
        "/health",
        get(|| async { ([(header::CONTENT_TYPE, "application/json")], BODY) }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot listen on port {port}"))?;
    println!("listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await.context("server failed")
}
