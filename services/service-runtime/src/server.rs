//! Binding and serving: one log line per bound listener, graceful shutdown that
//! stops accepting and lets in-flight requests finish.

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::shutdown::Shutdown;

/// Binds `address` and logs `listening` with the listener's role (`api`, `admin`)
/// and the bound address, which matters when the port was 0.
pub async fn bind(address: SocketAddr, role: &str) -> anyhow::Result<TcpListener> {
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} ({role})"))?;
    let bound = listener
        .local_addr()
        .context("bound listener has no address")?;
    tracing::info!(listener = role, address = %bound, "listening");
    Ok(listener)
}

/// Serves `app` on `listener` until `shutdown` triggers, then waits for the
/// requests in flight to finish.
pub async fn serve(listener: TcpListener, app: Router, shutdown: Shutdown) -> anyhow::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.wait().await })
        .await
        .context("HTTP server failed")
}
